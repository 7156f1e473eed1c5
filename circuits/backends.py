"""Executors by name: the ``--backend`` of the CLI and the ``grover-<backend>`` finders.

Known names:

- ``aer``: ideal statevector simulation on Aer (``DiagonalGate`` oracles);
- ``emulator``: exact sampling of ideal Grover statistics, not a simulation;
- ``aer-noisy:<fake name>``: Aer with a fake device's noise model;
- ``<fake name>`` (``fake_torino``, ``fake_sherbrooke``, ...): IBM Runtime local mode;
- ``ibm:<device>`` / ``ibm:least_busy``: IBM Quantum hardware.

The last three are *device* backends (:mod:`circuits.ibm`: hardware oracles,
ISA circuits, at most :data:`~circuits.hardware_oracles.HARDWARE_MAX_QUBITS`
index qubits) and need ``qiskit-ibm-runtime`` (``pip install 'quantum-train[ibm]'``);
it is imported only when one of them is asked for.
"""

from __future__ import annotations

from typing import Callable

from circuits.errors import BackendError, UnknownBackendError
from circuits.executors import AerExecutor, EmulatedExecutor, Executor

__all__ = ["BACKENDS", "PREFIXED_BACKENDS", "DEVICE_PREFIXES", "BackendError", "UnknownBackendError",
           "is_device_backend", "make_executor"]


#: exact name -> factory
BACKENDS: dict[str, Callable[[], Executor]] = {
    "aer": AerExecutor,
    "emulator": EmulatedExecutor,
}


def _aer_noisy(name: str) -> Executor:
    from circuits.ibm import AerNoisyExecutor

    return AerNoisyExecutor(name.removeprefix("aer-noisy:"))


def _fake_local(name: str) -> Executor:
    from circuits.ibm import FakeLocalExecutor

    return FakeLocalExecutor(name)


def _ibm(name: str) -> Executor:
    from circuits.ibm import IBMExecutor

    return IBMExecutor(name.removeprefix("ibm:"))


#: name prefix (e.g. ``"ibm:"``) -> factory taking the full name
PREFIXED_BACKENDS: dict[str, Callable[[str], Executor]] = {
    "aer-noisy:": _aer_noisy,
    "ibm:": _ibm,
    "fake_": _fake_local,
}

#: prefixes of device backends (hardware oracles, ISA circuits, small instances only)
DEVICE_PREFIXES = ("aer-noisy:", "ibm:", "fake_")


def is_device_backend(backend: str) -> bool:
    """A noisy-simulator, fake-device or hardware backend (as opposed to ``aer`` / ``emulator``)."""
    return backend.startswith(DEVICE_PREFIXES)


def make_executor(backend: str) -> Executor:
    """A fresh executor for ``backend``; :class:`UnknownBackendError` lists the choices."""
    if backend in BACKENDS:
        return BACKENDS[backend]()
    for prefix, factory in PREFIXED_BACKENDS.items():
        if backend.startswith(prefix):
            return factory(backend)
    known = sorted(BACKENDS) + [p + "..." for p in sorted(PREFIXED_BACKENDS)]
    raise UnknownBackendError(f"unknown backend {backend!r}; choose one of {', '.join(known)}")
