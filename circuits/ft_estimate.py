"""Fault-tolerant physical estimates through Microsoft's QDK resource estimator (optional extra).

``pip install 'quantum-train[resources]'`` installs PyPI ``qdk`` (pinned
``~=1.33``), whose resource estimator is native code and runs offline.

- :func:`estimate_circuit`: a built circuit, with transpilation skipped
  (``skip_transpilation=True``): each CCX is counted as one CCZ. The default
  transpilation merges gates into rotations and inflates the estimate.
- :func:`estimate_counts`: sizes too large to build, from logical counts
  (qubits, CCZ = Toffoli count, measurements).

Every :class:`PhysicalEstimate` names its qubit model, QEC scheme and error
budget. The default model is the estimator's ``qubit_gate_ns_e3`` (gate-based,
50 ns gates, 100 ns measurement, error rates 1e-3) with the surface code, at a
total error budget of 1e-3.

**Telemetry**: the QDK tries to send usage data unless
``QDK_PYTHON_TELEMETRY=none`` is set before it is imported; :func:`_estimator`
sets it, so nothing leaves the machine.
"""

from __future__ import annotations

import os
import warnings
from dataclasses import dataclass

from qiskit import QuantumCircuit

DEFAULT_QUBIT_MODEL = "qubit_gate_ns_e3"
DEFAULT_ERROR_BUDGET = 1e-3
INSTALL_HINT = "the fault-tolerant estimates need the QDK resource estimator: pip install 'quantum-train[resources]'"


class MissingExtraError(ImportError):
    """The ``resources`` extra (PyPI ``qdk``) is not installed; the message says how to install it."""


def _estimator():
    """Import the QDK estimator with telemetry off; :class:`MissingExtraError` if absent."""
    os.environ["QDK_PYTHON_TELEMETRY"] = "none"  # before import: no usage data leaves the machine
    try:
        with warnings.catch_warnings():
            # qdk 1.33 warns that this estimator API is superseded by qdk.qre; we pin ~=1.33
            warnings.simplefilter("ignore", DeprecationWarning)
            from qdk import estimator
            from qdk import qiskit as qdk_qiskit
    except ImportError:
        raise MissingExtraError(INSTALL_HINT) from None
    return estimator, qdk_qiskit


def qdk_available() -> bool:
    try:
        _estimator()
    except MissingExtraError:
        return False
    return True


@dataclass(frozen=True)
class PhysicalEstimate:
    """Physical resources of one logical computation on a named qubit model."""

    physical_qubits: int
    runtime_seconds: float
    code_distance: int
    logical_qubits: int
    ccz_count: int
    qubit_model: str
    qec_scheme: str
    error_budget: float

    @property
    def assumptions(self) -> str:
        return (f"qubit model {self.qubit_model}, {self.qec_scheme}, error budget {self.error_budget:g} "
                f"(QDK resource estimator)")


def _params(qubit_model: str, error_budget: float) -> dict:
    if not 0 < error_budget < 1:
        raise ValueError(f"error_budget must be in (0, 1), got {error_budget}")
    return {"errorBudget": float(error_budget), "qubitParams": {"name": qubit_model}}


def _parse(result) -> PhysicalEstimate:
    phys, logical, job = result["physicalCounts"], result["logicalCounts"], result["jobParams"]
    return PhysicalEstimate(physical_qubits=int(phys["physicalQubits"]),
                            runtime_seconds=float(phys["runtime"]) * 1e-9,
                            code_distance=int(result["logicalQubit"]["codeDistance"]),
                            logical_qubits=int(logical["numQubits"]),
                            ccz_count=int(logical["cczCount"]),
                            qubit_model=str(job["qubitParams"]["name"]),
                            qec_scheme=str(job["qecScheme"]["name"]),
                            error_budget=float(job["errorBudget"]))


def estimate_counts(num_qubits: int, ccz_count: int, measurement_count: int = 0,
                    qubit_model: str = DEFAULT_QUBIT_MODEL,
                    error_budget: float = DEFAULT_ERROR_BUDGET) -> PhysicalEstimate:
    """Estimate from logical counts (``cczCount`` = Toffolis; no T gates or rotations)."""
    if num_qubits < 1 or ccz_count < 0 or measurement_count < 0:
        raise ValueError("need num_qubits >= 1 and non-negative counts")
    estimator, _ = _estimator()
    counts = estimator.LogicalCounts({"numQubits": int(num_qubits), "cczCount": int(ccz_count),
                                      "measurementCount": int(measurement_count)})
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", DeprecationWarning)
        return _parse(counts.estimate(_params(qubit_model, error_budget)))


def estimate_circuit(circuit: QuantumCircuit, qubit_model: str = DEFAULT_QUBIT_MODEL,
                     error_budget: float = DEFAULT_ERROR_BUDGET) -> PhysicalEstimate:
    """Estimate a built circuit as it is (``skip_transpilation=True``: one CCZ per CCX)."""
    _, qdk_qiskit = _estimator()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", DeprecationWarning)
        return _parse(qdk_qiskit.estimate(circuit, _params(qubit_model, error_budget), skip_transpilation=True))
