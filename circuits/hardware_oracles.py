"""Hardware-sized phase oracles (``q <= 5`` index qubits) and Grover circuits for devices.

The simulation oracle (:func:`circuits.oracles.diagonal_oracle`, one
``DiagonalGate``) is exact and native on Aer, but a device has to synthesise
it (``2^q - 2`` CNOTs for a generic diagonal). On hardware the oracle is built
from multi-controlled Z gates instead, and the cheapest of several exact
constructions is kept, judged by the **two-qubit gate count after
transpilation** for the target device:

- ``"mcz"``: one ``X``-conjugated multi-controlled Z per marked index (per
  *unmarked* index, with a global phase ``pi``, when more than half are
  marked: ``S_f = -S_{not f}``);
- ``"anf"``: the Reed-Muller (algebraic normal form, a synthesised Boolean
  phase oracle): ``(-1)^{f(x)} = prod_{S in ANF(f)} (-1)^{prod_{i in S} x_i}``,
  one ``Z``/``CZ``/multi-controlled Z per monomial and no ``X`` gates (often
  far fewer gates than ``"mcz"`` when marked indices share bits);
- ``"diagonal"``: the ``DiagonalGate`` itself, left to Qiskit's synthesis.

All three are the same unitary up to global phase (tests check it), so the
choice only changes noise. :func:`hardware_grover_circuit` builds the measured
circuit ``H^q (S_0 S_f)^j`` with the zero reflection ``X``/``H``/``MCX``/``H``/``X``.
Every circuit here is *abstract*; :mod:`circuits.ibm` turns it into an ISA
circuit with the device's preset pass manager.
"""

from __future__ import annotations

import math
from typing import Callable

import numpy as np
from qiskit import QuantumCircuit

from circuits.oracles import _check_qubits, diagonal_oracle, oracle_diagonal

#: largest index register a hardware oracle is built for (``m <= 32`` items)
HARDWARE_MAX_QUBITS = 5

#: the candidate constructions, in tie-break order
ORACLE_KINDS = ("anf", "mcz", "diagonal")


def _check_hw_qubits(num_qubits: int) -> int:
    q = _check_qubits(num_qubits)
    if q > HARDWARE_MAX_QUBITS:
        raise ValueError(f"hardware oracles are built for at most {HARDWARE_MAX_QUBITS} index qubits "
                         f"(m <= {2 ** HARDWARE_MAX_QUBITS} items), got {q}")
    return q


def _mcz(qc: QuantumCircuit, qubits: list[int]) -> None:
    """``Z`` on ``|1...1>`` of ``qubits`` (``Z``, ``CZ``, or ``H``-conjugated ``MCX``)."""
    if len(qubits) == 1:
        qc.z(qubits[0])
    elif len(qubits) == 2:
        qc.cz(qubits[0], qubits[1])
    else:
        qc.h(qubits[-1])
        qc.mcx(qubits[:-1], qubits[-1])
        qc.h(qubits[-1])


def mcz_oracle(num_qubits: int, marked) -> QuantumCircuit:
    """One ``X``-conjugated multi-controlled Z per marked index (or per unmarked, if fewer)."""
    q = _check_hw_qubits(num_qubits)
    diag = oracle_diagonal(q, marked)
    idx = np.flatnonzero(diag < 0)
    qc = QuantumCircuit(q, name="oracle_mcz")
    if idx.size > (1 << q) // 2:
        idx = np.flatnonzero(diag > 0)
        qc.global_phase = math.pi
    for x in idx.tolist():
        zeros = [i for i in range(q) if not (x >> i) & 1]
        if zeros:
            qc.x(zeros)
        _mcz(qc, list(range(q)))
        if zeros:
            qc.x(zeros)
    return qc


def anf_monomials(num_qubits: int, marked) -> list[int]:
    """The monomials (bit masks) of ``f``'s algebraic normal form (Moebius transform over GF(2))."""
    q = _check_qubits(num_qubits)
    f = (oracle_diagonal(q, marked) < 0).astype(np.uint8)
    for i in range(q):
        step = 1 << i
        f = f.reshape(-1, 2 * step)
        f[:, step:] ^= f[:, :step]
        f = f.reshape(-1)
    return np.flatnonzero(f).tolist()


def anf_oracle(num_qubits: int, marked) -> QuantumCircuit:
    """Reed-Muller phase oracle: one (multi-controlled) Z per monomial of ``f``'s ANF."""
    q = _check_hw_qubits(num_qubits)
    qc = QuantumCircuit(q, name="oracle_anf")
    for mask in anf_monomials(q, marked):
        if mask == 0:
            qc.global_phase += math.pi
            continue
        _mcz(qc, [i for i in range(q) if (mask >> i) & 1])
    return qc


def diagonal_hw_oracle(num_qubits: int, marked) -> QuantumCircuit:
    """The simulation ``DiagonalGate`` oracle, as a candidate for the device's own synthesis."""
    return diagonal_oracle(_check_hw_qubits(num_qubits), marked)


ORACLES: dict[str, Callable[[int, object], QuantumCircuit]] = {
    "anf": anf_oracle,
    "mcz": mcz_oracle,
    "diagonal": diagonal_hw_oracle,
}


def zero_reflection(num_qubits: int) -> QuantumCircuit:
    """``S_0 = I - 2|0><0|`` up to global phase: ``X`` all, multi-controlled Z, ``X`` all."""
    q = _check_qubits(num_qubits)
    qc = QuantumCircuit(q, name="S0")
    qc.x(range(q))
    _mcz(qc, list(range(q)))
    qc.x(range(q))
    return qc


def hardware_grover_circuit(oracle: QuantumCircuit, iterations: int, measure: bool = True,
                            zero_reflection_circuit: QuantumCircuit | None = None) -> QuantumCircuit:
    """``H^q``, then ``iterations`` times (oracle, ``H^q S_0 H^q``), then measure qubit ``i`` into bit ``i``.

    Built from the oracle's instructions directly (no opaque sub-gates), so the
    pass manager sees, and can cancel across, every gate. Global phases are
    dropped (the circuit is measured, never controlled). ``zero_reflection_circuit``
    replaces the default :func:`zero_reflection` (any phase oracle of ``{0}``).
    """
    if isinstance(iterations, bool) or not isinstance(iterations, (int, np.integer)) or iterations < 0:
        raise ValueError(f"iterations must be an integer >= 0, got {iterations!r}")
    q = oracle.num_qubits
    qc = QuantumCircuit(q, q if measure else 0, name=f"grover_hw_j{int(iterations)}")
    qc.h(range(q))
    s0 = zero_reflection(q) if zero_reflection_circuit is None else zero_reflection_circuit
    for _ in range(int(iterations)):
        qc.compose(oracle, range(q), inplace=True)
        qc.h(range(q))
        qc.compose(s0, range(q), inplace=True)
        qc.h(range(q))
    qc.global_phase = 0.0
    if measure:
        qc.measure(range(q), range(q))
    return qc


def two_qubit_count(circuit: QuantumCircuit) -> int:
    """Instructions acting on two or more qubits (barriers and measurements excluded)."""
    return sum(1 for inst in circuit.data
               if inst.operation.num_qubits >= 2 and inst.operation.name not in ("barrier", "measure"))
