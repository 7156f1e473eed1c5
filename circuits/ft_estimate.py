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

from circuits.resources import T_PER_TOFFOLI

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
    #: share of the physical qubits spent in T factories (QDK's breakdown)
    factory_fraction: float = 0.0
    #: one logical cycle, seconds (QDK: depends on the code distance)
    logical_cycle_seconds: float = 0.0
    #: one T factory: physical qubits and seconds per distilled T state
    factory_physical_qubits: int = 0
    factory_seconds: float = 0.0
    num_factories: int = 0

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
    breakdown = phys.get("breakdown", {})
    factory = result.get("tfactory") or {}
    total = int(phys["physicalQubits"])
    return PhysicalEstimate(physical_qubits=int(phys["physicalQubits"]),
                            runtime_seconds=float(phys["runtime"]) * 1e-9,
                            code_distance=int(result["logicalQubit"]["codeDistance"]),
                            logical_qubits=int(logical["numQubits"]),
                            ccz_count=int(logical["cczCount"]),
                            qubit_model=str(job["qubitParams"]["name"]),
                            qec_scheme=str(job["qecScheme"]["name"]),
                            error_budget=float(job["errorBudget"]),
                            factory_fraction=float(breakdown.get("physicalQubitsForTfactories", 0)) / total,
                            logical_cycle_seconds=float(result["logicalQubit"]["logicalCycleTime"]) * 1e-9,
                            factory_physical_qubits=int(factory.get("physicalQubits", 0)),
                            factory_seconds=float(factory.get("runtime", 0)) * 1e-9,
                            num_factories=int(breakdown.get("numTfactories", 0)))


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


#: the control system's reaction time (measure, decode, decide, apply), seconds: 10 us, the assumption of
#: Gidney and Ekeraa, "How to factor 2048 bit RSA integers in 8 hours", Quantum 5, 433 (2021), arXiv:1905.09749
REACTION_SECONDS = 10e-6
#: logical cycles per Toffoli (CCZ) layer in the QDK's model (it schedules one CCZ in 3 logical cycles)
CYCLES_PER_TOFFOLI_LAYER = 3


@dataclass(frozen=True)
class DepthLimited:
    """A runtime set by the Toffoli depth, not by a sequential schedule (:func:`depth_limited`)."""

    runtime_seconds: float
    layer_seconds: float
    factories: int
    physical_qubits: int
    reaction_seconds: float


def depth_limited(est: PhysicalEstimate, toffoli_depth: int, widest_layer: int,
                  reaction_seconds: float = REACTION_SECONDS) -> DepthLimited:
    """Runtime ``toffoli_depth x max(3 logical cycles, reaction time)`` with enough factories for the widest layer.

    The QDK's ``LogicalCounts`` schedules every CCZ one after another; this
    takes the Toffoli depth instead. A layer of ``w`` Toffolis consumes ``4 w``
    T states within one layer time; a factory yields one per
    ``factory_seconds``, so ``ceil(4 w factory_seconds / layer)`` factories
    (at least the QDK's own count) run at once. Their physical qubits replace
    the QDK's factories in the footprint.
    """
    layer = max(CYCLES_PER_TOFFOLI_LAYER * est.logical_cycle_seconds, reaction_seconds)
    need = -(-T_PER_TOFFOLI * max(1, int(widest_layer)) * est.factory_seconds // layer) if est.factory_seconds else 0
    factories = max(int(need), est.num_factories)
    algorithm = est.physical_qubits - est.num_factories * est.factory_physical_qubits
    return DepthLimited(runtime_seconds=int(toffoli_depth) * layer, layer_seconds=layer, factories=factories,
                        physical_qubits=int(algorithm + factories * est.factory_physical_qubits),
                        reaction_seconds=reaction_seconds)


def qubit_models() -> tuple[str, ...]:
    """The QDK's predefined qubit models."""
    return ("qubit_gate_ns_e3", "qubit_gate_ns_e4", "qubit_gate_us_e3", "qubit_gate_us_e4",
            "qubit_maj_ns_e4", "qubit_maj_ns_e6")
