"""The circuits' error types, in one leaf module (it imports nothing from :mod:`circuits`).

Every backend error is a :class:`BackendError` whose message is one line and
says what to do. :mod:`circuits.backends` and :mod:`circuits.ibm` raise them
and re-export them under their old names. (:class:`InsufficientMemoryError`,
the statevector memory guard, is a ``MemoryError`` and lives with the Aer
executor in :mod:`circuits.executors`.)
"""

from __future__ import annotations

#: How to install the optional IBM Runtime dependency.
IBM_EXTRA = "pip install 'quantum-train[ibm]'"


class BackendError(RuntimeError):
    """A backend cannot be set up or cannot run the request; the message is one line and says what to do."""


class UnknownBackendError(BackendError, ValueError):
    """No executor for that backend name (or no fake backend of that name)."""


class MissingExtraError(BackendError):
    """``qiskit-ibm-runtime`` is not installed."""


class IBMAccountError(BackendError):
    """No IBM Quantum account (no ``QISKIT_IBM_TOKEN``, none saved)."""


class TooManyQubitsError(BackendError):
    """A circuit needs more qubits than the device (or the hardware oracle) offers."""


class JobFailedError(BackendError):
    """A submitted job failed, was cancelled, or did not finish in time."""
