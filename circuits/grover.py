"""Grover circuits and their exact success probabilities.

With ``N = 2^q`` basis states, ``k`` marked, and the uniform start
``|s> = H^q |0>``, the Grover operator ``G = (2|s><s| - I) S_f`` rotates by
``2 theta`` in the plane of the good and bad states, where
``sin^2 theta = k / N``. After ``j`` iterations (Boyer, Brassard, Hoyer, Tapp,
"Tight bounds on quantum searching", Fortschr. Phys. 46, 1998, eq. (5)):

    P(measure a marked item) = sin^2((2j + 1) theta),

and the outcome is uniform within the marked set and within the unmarked set
(padding included), because ``G`` preserves the symmetric states. The optimal
``j`` for known ``k`` is ``floor(pi / (4 theta))``; :func:`efficient_iterations`
minimises the expected queries per found item instead (iterations plus one
classical check per attempt, divided by the success probability).

Circuits use :func:`qiskit.circuit.library.grover_operator` (the function, not
the deprecated class); its default zero reflection is ``X``/``H``/``MCX``,
which Aer runs natively, and it carries the global phase ``pi`` so that
``Q = -H S_0 H S_f = (2|s><s| - I) S_f`` exactly (relevant when controlled).
"""

from __future__ import annotations

from functools import lru_cache

import numpy as np
from qiskit import QuantumCircuit
from qiskit.circuit.library import grover_operator

#: ``x = (2j+1) theta`` maximising ``sin^2(x) / x`` (root of ``tan x = 2x``).
EFFICIENT_ANGLE = 1.1655611852072114


def grover_angle(num_marked, num_states):
    """``theta = arcsin(sqrt(k / N))`` (vectorised)."""
    k = np.asarray(num_marked, dtype=float)
    n = np.asarray(num_states, dtype=float)
    if np.any(n <= 0) or np.any(k < 0) or np.any(k > n):
        raise ValueError("need 0 <= num_marked <= num_states and num_states > 0")
    return np.arcsin(np.sqrt(k / n))


def success_probability(num_marked, num_states, iterations):
    """``sin^2((2j + 1) theta)``, ``sin^2 theta = k / N`` (BBHT 1998, eq. 5), vectorised."""
    j = np.asarray(iterations)
    if np.any(j < 0):
        raise ValueError("iterations must be >= 0")
    theta = grover_angle(num_marked, num_states)
    return np.sin((2 * j + 1) * theta) ** 2


def optimal_iterations(num_marked: int, num_states: int) -> int:
    """``floor(pi / (4 theta))``: success probability ``>= 1 - k/N`` (BBHT 1998, sec. 2)."""
    if num_marked <= 0:
        raise ValueError("optimal_iterations needs num_marked >= 1")
    theta = float(grover_angle(num_marked, num_states))
    return int(np.floor(np.pi / (4 * theta)))


def efficient_iterations(num_marked: int, num_states: int, check_cost: float = 1.0) -> int:
    """``j`` minimising ``(j + check_cost) / sin^2((2j+1) theta)``: queries per found item.

    The continuous optimum is ``(2j+1) theta = 1.1656`` (``tan x = 2x``), where
    the success probability is 0.84; it costs ``0.69 / theta`` queries per item
    against ``0.79 / theta`` at the optimal ``j``. Neighbouring integers are
    compared exactly.
    """
    if num_marked <= 0:
        raise ValueError("efficient_iterations needs num_marked >= 1")
    theta = float(grover_angle(num_marked, num_states))
    j0 = int(np.floor(EFFICIENT_ANGLE / (2 * theta) - 0.5))
    cands = np.arange(max(0, j0 - 1), j0 + 3)
    cost = (cands + check_cost) / np.maximum(np.sin((2 * cands + 1) * theta) ** 2, 1e-300)
    return int(cands[np.argmin(cost)])


@lru_cache(maxsize=64)
def _uniform_prep(num_qubits: int) -> QuantumCircuit:
    qc = QuantumCircuit(num_qubits, name="H^q")
    qc.h(range(num_qubits))
    return qc


def grover_op(oracle: QuantumCircuit) -> QuantumCircuit:
    """``Q = (2|s><s| - I) S_f`` via :func:`qiskit.circuit.library.grover_operator`."""
    if not isinstance(oracle, QuantumCircuit):
        raise TypeError(f"oracle must be a QuantumCircuit, got {type(oracle).__name__}")
    return grover_operator(oracle)


def grover_circuit(oracle: QuantumCircuit, iterations: int, measure: bool = True,
                   operator: QuantumCircuit | None = None) -> QuantumCircuit:
    """``H^q``, then ``iterations`` Grover operators, then (optionally) measure all index qubits.

    Pass ``operator`` (a prebuilt :func:`grover_op` of this oracle) to reuse it
    across circuits. Classical bit ``i`` holds qubit ``i``, so the counts keys
    read as binary integers are item indices.
    """
    if isinstance(iterations, bool) or not isinstance(iterations, (int, np.integer)) or iterations < 0:
        raise ValueError(f"iterations must be an integer >= 0, got {iterations!r}")
    q = oracle.num_qubits
    op = grover_op(oracle) if operator is None else operator
    qc = QuantumCircuit(q, q if measure else 0, name=f"grover_j{iterations}")
    qc.compose(_uniform_prep(q), inplace=True)
    if list(op.qubits) == list(qc.qubits) and not op.clbits:
        data = op.data  # same bits: append the instructions directly (much faster than compose)
        for _ in range(int(iterations)):
            for inst in data:
                qc._append(inst)
        qc.global_phase = float(iterations) * op.global_phase
    else:
        for _ in range(int(iterations)):
            qc.compose(op, qubits=range(q), inplace=True)
    if measure:
        qc.measure(range(q), range(q))
    return qc
