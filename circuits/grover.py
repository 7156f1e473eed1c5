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

For simulation at volume (:class:`~circuits.executors.AerExecutor`),
:func:`grover_iteration` gives one iteration as a few shared instructions (the
oracle, two fused layers of single-qubit gates and one multi-controlled phase)
and :func:`grover_circuit_from` repeats it without copying any gate, where
``compose`` would deep-copy every ``DiagonalGate``. Qiskit Aer assembles a
circuit in Python, one instruction at a time, so fewer instructions is what
makes a find-all round cheap.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache

import numpy as np
from qiskit import QuantumCircuit
from qiskit.circuit import CircuitInstruction, Gate
from qiskit.circuit.library import HGate, MCPhaseGate, UnitaryGate, XGate, ZGate, grover_operator

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


def grover_op(oracle: QuantumCircuit) -> QuantumCircuit:
    """``Q = (2|s><s| - I) S_f`` via :func:`qiskit.circuit.library.grover_operator`."""
    if not isinstance(oracle, QuantumCircuit):
        raise TypeError(f"oracle must be a QuantumCircuit, got {type(oracle).__name__}")
    return grover_operator(oracle)


def _check_iterations(iterations) -> int:
    if isinstance(iterations, bool) or not isinstance(iterations, (int, np.integer)) or iterations < 0:
        raise ValueError(f"iterations must be an integer >= 0, got {iterations!r}")
    return int(iterations)


def grover_circuit(oracle: QuantumCircuit, iterations: int, measure: bool = True,
                   operator: QuantumCircuit | None = None) -> QuantumCircuit:
    """``H^q``, then ``iterations`` Grover operators, then (optionally) measure all index qubits.

    Pass ``operator`` (a prebuilt :func:`grover_op` of this oracle) to reuse it
    across circuits. Classical bit ``i`` holds qubit ``i``, so the counts keys
    read as binary integers are item indices.
    """
    j = _check_iterations(iterations)
    q = oracle.num_qubits
    op = grover_op(oracle) if operator is None else operator
    if list(op.qubits) == list(QuantumCircuit(q).qubits) and not op.clbits:
        # same bits: append the instructions directly (much faster than compose)
        return grover_circuit_from(GroverIteration(tuple(op.data), op.global_phase, q), j, measure,
                                   fused=False)
    qc = QuantumCircuit(q, q if measure else 0, name=f"grover_j{j}")
    qc.h(range(q))
    for _ in range(j):
        qc.compose(op, qubits=range(q), inplace=True)
    if measure:
        qc.measure(range(q), range(q))
    return qc


#: qubits per ``UnitaryGate`` block of a fused layer: at ``q = 10``, blocks of 2-3 qubits gave the
#: fastest Aer rounds (assembly falls with the instruction count, simulation grows with ``2^b``)
FUSED_BLOCK = 3

_ONE_QUBIT = {"h": np.array([[1.0, 1.0], [1.0, -1.0]]) / np.sqrt(2.0)}
_ONE_QUBIT["xh"] = _ONE_QUBIT["h"][::-1]  # X @ H: H first, then X
_ONE_QUBIT["hx"] = _ONE_QUBIT["h"][:, ::-1]  # H @ X: X first, then H


@lru_cache(maxsize=256)
def _layer(register: int, num_qubits: int, kind: str, fused: bool) -> tuple[CircuitInstruction, ...]:
    """The single-qubit gate ``kind`` (``h``, ``xh`` = H then X, ``hx`` = X then H) on qubits
    ``0..num_qubits-1`` of ``QuantumCircuit(register)``.

    ``fused``: as ``UnitaryGate`` s of the tensor power on blocks of at most
    :data:`FUSED_BLOCK` qubits (4 instructions at ``q = 10`` instead of 10 or
    20; Aer assembles circuits in Python, per instruction); else as ``h``/``x`` gates
    (for transpilers, which would synthesise a ``UnitaryGate`` generically).
    """
    qubits = QuantumCircuit(register).qubits[:num_qubits]
    if not fused:
        names = {"h": (HGate(),), "xh": (HGate(), XGate()), "hx": (XGate(), HGate())}[kind]
        return tuple(CircuitInstruction(g, (b,)) for b in qubits for g in names)
    out = []
    for lo in range(0, num_qubits, FUSED_BLOCK):
        block = tuple(qubits[lo:lo + FUSED_BLOCK])
        u = _ONE_QUBIT[kind]
        for _ in range(len(block) - 1):
            u = np.kron(u, _ONE_QUBIT[kind])
        out.append(CircuitInstruction(UnitaryGate(u, label=f"{kind}^{len(block)}"), block))
    return tuple(out)


def _reflection_gate(num_qubits: int) -> Gate:
    """``I - 2|1..1><1..1|`` on ``num_qubits`` qubits: ``Z`` or a multi-controlled phase ``pi``."""
    return ZGate() if num_qubits == 1 else MCPhaseGate(np.pi, num_qubits - 1)


@dataclass(frozen=True)
class GroverIteration:
    """One Grover iteration as instructions on the qubits of ``QuantumCircuit(register)``.

    ``global_phase`` is the iteration's phase (``pi`` for the uncontrolled form
    below); the instructions are shared, never copied, by every circuit that
    appends them.
    """

    instructions: tuple[CircuitInstruction, ...]
    global_phase: float
    register: int


def grover_iteration(oracle: Gate, controlled: bool = False, fused: bool = True) -> GroverIteration:
    """``Q = (2|s><s| - I) S_f`` (or controlled ``Q``) as instructions, with no gate copied.

    With ``D_0 = 2|0><0| - I = -X^q Z_{1..1} X^q`` (``Z_{1..1} = I - 2|1..1><1..1|``,
    a multi-controlled phase ``pi``), one iteration is

        S_f, (H then X)^q, Z_{1..1}, (X then H)^q,   global phase pi,

    i.e. ``-(HX)^q Z_{1..1} (XH)^q S_f = H^q D_0 H^q S_f``. ``controlled``: the
    oracle acts on ``q + 1`` qubits with the control last (e.g. the diagonal of
    :func:`~circuits.oracles.controlled_diagonal_oracle`); the reflection
    becomes ``Z_{1..1}`` on all ``q + 1`` qubits (the ``X`` s cancel on the
    control-0 branch) and the phase ``-1`` a ``Z`` on the control, so the
    circuit is ``|0><0| (x) I + |1><1| (x) Q`` exactly. ``fused`` puts each
    layer of single-qubit gates into ``UnitaryGate`` blocks (see :func:`_layer`):
    for simulators; pass ``False`` for circuits that will be transpiled.
    """
    reg = oracle.num_qubits
    q = reg - 1 if controlled else reg
    all_qubits = tuple(QuantumCircuit(reg).qubits)
    body = ((CircuitInstruction(oracle, all_qubits),) + _layer(reg, q, "xh", fused)
            + (CircuitInstruction(_reflection_gate(reg), all_qubits),))
    if controlled:
        body += (CircuitInstruction(ZGate(), (all_qubits[-1],)),)
    return GroverIteration(body + _layer(reg, q, "hx", fused), 0.0 if controlled else np.pi, reg)


def uniform_layer(num_qubits: int, fused: bool = True) -> tuple[CircuitInstruction, ...]:
    """``H^q`` on the qubits of ``QuantumCircuit(num_qubits)``, as :func:`grover_circuit_from` starts."""
    return _layer(num_qubits, num_qubits, "h", fused)


def grover_circuit_from(iteration: GroverIteration, iterations: int, measure: bool = True,
                        fused: bool = True) -> QuantumCircuit:
    """``H^q``, then ``iteration`` repeated ``iterations`` times, then measure qubit ``i`` into bit ``i``.

    Nothing is copied: the circuit holds the same instruction objects ``j``
    times, where ``compose`` would deep-copy every ``DiagonalGate``.
    """
    j = _check_iterations(iterations)
    q = iteration.register
    qc = QuantumCircuit(q, q if measure else 0, name=f"grover_j{j}")
    for inst in uniform_layer(q, fused):  # the uniform start
        qc._append(inst)
    for _ in range(j):
        for inst in iteration.instructions:
            qc._append(inst)
    qc.global_phase = float(j) * iteration.global_phase
    if measure:
        qc.measure(range(q), range(q))
    return qc
