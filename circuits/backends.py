"""Executors by name: the ``--backend`` of the CLI and the ``grover-<backend>`` finders.

Known names: ``aer`` (ideal statevector simulation on Aer) and ``emulator``
(exact sampling of ideal Grover statistics, not a simulation). Further
backends (noisy Aer, IBM fake backends in local mode, IBM hardware) register
a factory in :data:`BACKENDS` or are resolved by prefix in :func:`make_executor`.
"""

from __future__ import annotations

from typing import Callable

from circuits.executors import AerExecutor, EmulatedExecutor, Executor


class UnknownBackendError(ValueError):
    """No executor for that backend name."""


#: exact name -> factory
BACKENDS: dict[str, Callable[[], Executor]] = {
    "aer": AerExecutor,
    "emulator": EmulatedExecutor,
}

#: name prefix (e.g. ``"ibm:"``) -> factory taking the full name
PREFIXED_BACKENDS: dict[str, Callable[[str], Executor]] = {}


def make_executor(backend: str) -> Executor:
    """A fresh executor for ``backend``; :class:`UnknownBackendError` lists the choices."""
    if backend in BACKENDS:
        return BACKENDS[backend]()
    for prefix, factory in PREFIXED_BACKENDS.items():
        if backend.startswith(prefix):
            return factory(backend)
    known = sorted(BACKENDS) + [p + "..." for p in sorted(PREFIXED_BACKENDS)]
    raise UnknownBackendError(f"unknown backend {backend!r}; choose one of {', '.join(known)}")
