"""The arithmetic oracle in the literature's convention: measured ANDs, Gidney adders, measured unlookup.

The same phase oracle as :mod:`circuits.arithmetic_oracle` (all coordinates
loaded at once, ``layout="all_coordinates"``),

    ``|r>|0> -> (-1)^[r < m, r not found, <W_r, X> > B] |r>|0>``,

built so that every temporary value is uncomputed *by measurement*:

- **Temporary logical AND** (Gidney, "Halving the cost of quantum addition",
  Quantum 2, 74 (2018), arXiv:1709.06648, Fig. 3): computed into a fresh
  qubit by one Toffoli-class gate (here a CCX; Gidney's T-state construction
  costs the same 4 T), uncomputed by an X-basis measurement and, on outcome
  1, a CZ on the two inputs and an X that resets the qubit, classically
  conditioned with :meth:`QuantumCircuit.if_test`: no Toffoli
  (:func:`and_uncompute`).
- **Unary-iteration lookup** (Babbush et al., PRX 8, 041015 (2018),
  arXiv:1805.03662, Fig. 7) with those ANDs: ``sum_{l=1}^{q-1} ceil(L /
  2^(q-l))`` CCX (``L - 2`` at ``L = 2^q``) and as many measurements
  (:func:`measured_lookup`).
- **Gidney's adder** (arXiv:1709.06648, Fig. 4): ``b += a mod 2^w`` with
  ``w - 1`` ANDs into ``w - 1`` carry qubits, each uncomputed by measurement
  (:func:`gidney_add`); a subtraction is ``~(~b + a)``, at the same cost.
- **Measurement-based unlookup** (Berry et al., Quantum 3, 208 (2019),
  arXiv:1902.02134, App. C): the ``b``-bit loaded register is measured in the
  X basis (outcome ``s``; each qubit reset to ``|0>``), which leaves the phase
  ``(-1)^(s . T[r])`` on index ``r``; a phase lookup over the index removes
  it: its leaves apply ``Z`` on the leaf's control qubit for every bit ``i``
  with ``T[r]_i = 1``, conditioned on the measured ``s_i``: data-dependent,
  classically controlled Cliffords, the classical control work that
  :attr:`circuits.resources.QueryCost.classical_control_ops` charges. This is
  the one-hot width ``k = 1`` case of :func:`circuits.resources.unlookup_toffolis`
  (``L - 2`` ANDs); a one-hot register of ``k > 1`` qubits is costed, not built.

The oracle holds circuits with mid-circuit measurement and classical control:
it runs on Aer, not as a unitary. The tests check, for every measurement
outcome that occurs, that it applies ``-1`` exactly on the quantized fired set
and returns every ancilla to ``|0>``, and that its CCX and measurement counts
equal :func:`circuits.resources.qrom_cost` in the ``measurement`` + ``gidney``
convention with ``unlookup_block=1``.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Callable, Sequence

import numpy as np
from qiskit import ClassicalRegister, QuantumCircuit, QuantumRegister
from qiskit.circuit import Clbit, Qubit

from circuits.arithmetic_oracle import ALL_COORDINATES, OracleShape, _constant, oracle_shape
from circuits.fixed_point import FixedPointInstance
from circuits.qrom import unary_iteration


def and_uncompute(qc: QuantumCircuit, a: Qubit, b: Qubit, target: Qubit, clbit: Clbit,
                  negate_b: bool = False) -> None:
    """Uncompute ``target = a AND b`` (``b`` negated if ``negate_b``) by an X-basis measurement (Gidney 2018)."""
    qc.h(target)
    qc.measure(target, clbit)
    with qc.if_test((clbit, 1)):
        if negate_b:
            qc.x(b)
        qc.cz(a, b)
        if negate_b:
            qc.x(b)
        qc.x(target)


def measured_lookup(qc: QuantumCircuit, index: Sequence[Qubit], ancillas: Sequence[Qubit], clbit: Clbit,
                    num_entries: int, leaf: Callable[[Qubit, int], None]) -> None:
    """Unary iteration over ``num_entries`` entries; ``leaf(ctrl, r)`` acts with ``ctrl = [index == r]``.

    The tree of :func:`circuits.qrom.unary_iteration`, each AND uncomputed by
    :func:`and_uncompute` into the scratch ``clbit``.
    """
    unary_iteration(qc, index, ancillas, num_entries, leaf,
                    release=lambda ctrl, bit, a, negated: and_uncompute(qc, ctrl, bit, a, clbit, negate_b=negated))


def gidney_add(qc: QuantumCircuit, a: Sequence[Qubit], b: Sequence[Qubit], carries: Sequence[Qubit],
               clbit: Clbit) -> None:
    """``b += a mod 2^w`` (Gidney 2018, Fig. 4): ``w - 1`` ANDs into ``carries``, uncomputed by measurement."""
    w = len(a)
    if len(b) != w or w < 1 or len(carries) < w - 1:
        raise ValueError(f"need |a| = |b| = w >= 1 and w - 1 carries, got {len(a)}, {len(b)}, {len(carries)}")
    if w == 1:
        qc.cx(a[0], b[0])
        return
    c = [None, *carries[:w - 1]]  # c[i]: the carry into bit i
    qc.ccx(a[0], b[0], c[1])
    for i in range(1, w - 1):
        qc.cx(c[i], a[i])
        qc.cx(c[i], b[i])
        qc.ccx(a[i], b[i], c[i + 1])
        qc.cx(c[i], c[i + 1])
    qc.cx(a[w - 1], b[w - 1])
    qc.cx(c[w - 1], b[w - 1])
    for i in range(w - 2, 0, -1):
        qc.cx(c[i], c[i + 1])
        and_uncompute(qc, a[i], b[i], c[i + 1], clbit)
        qc.cx(c[i], a[i])
        qc.cx(a[i], b[i])
    and_uncompute(qc, a[0], b[0], c[1], clbit)
    qc.cx(a[0], b[0])


@dataclass(frozen=True)
class MeasuredOracle:
    """The built oracle: ``circuit`` on ``num_qubits`` qubits, a scratch clbit and the unlookup's ``b`` clbits."""

    instance: FixedPointInstance = field(repr=False)
    found: tuple = field(repr=False)
    shape: OracleShape
    circuit: QuantumCircuit = field(repr=False)
    registers: dict = field(repr=False)

    @property
    def num_qubits(self) -> int:
        return self.circuit.num_qubits

    @property
    def num_index(self) -> int:
        return self.shape.num_index


def measured_oracle(instance: FixedPointInstance, found=(), controlled: bool = False) -> MeasuredOracle:
    """Build the oracle of ``instance`` (indices in ``found`` removed) in the measurement convention.

    ``controlled``: a last ``control`` qubit; only the flip is controlled (a CCX), as in
    :meth:`circuits.arithmetic_oracle.ArithmeticOracle.phase_flip`.
    """
    shape = oracle_shape(instance, ALL_COORDINATES)
    found_set = {int(r) for r in np.asarray(found, dtype=np.int64).reshape(-1)}
    if any(r < 0 or r >= instance.m for r in found_set):
        raise ValueError(f"found indices must lie in [0, {instance.m})")
    p, d, n, q = shape.bits, shape.d, shape.acc_bits, shape.num_index
    widths = [n - k for _, k, _ in shape.adds]
    num_carries = max(1, max(widths) - 1) if widths else 0
    regs = {name: QuantumRegister(size, name) for name, size in (
        ("index", q), ("unary", max(q - 1, 0)), ("word", d * p + 1), ("acc", n), ("pad", shape.pad_bits),
        ("carry", num_carries), ("control", 1 if controlled else 0)) if size}
    scratch = ClassicalRegister(1, "and")
    unloaded = ClassicalRegister(d * p + 1, "unlookup")
    qc = QuantumCircuit(*regs.values(), scratch, unloaded, name="measured-arith-oracle")
    index, unary = list(regs["index"]), list(regs.get("unary", []))
    word, acc = list(regs["word"]), list(regs["acc"])
    pad, carry = list(regs.get("pad", [])), list(regs.get("carry", []))
    U = instance.words.astype(np.int64)
    data = [(0 if r in found_set else 1) << (d * p) | sum(int(U[r, j]) << (j * p) for j in range(d))
            for r in range(instance.m)]
    const = _constant(instance, n)

    def set_constant() -> None:
        for i in range(n):
            if const >> i & 1:
                qc.x(acc[i])

    def load(ctrl: Qubit, r: int) -> None:
        for i in range(d * p + 1):
            if data[r] >> i & 1:
                qc.cx(ctrl, word[i])

    def fix_phase(ctrl: Qubit, r: int) -> None:
        for i in range(d * p + 1):
            if data[r] >> i & 1:
                with qc.if_test((unloaded[i], 1)):
                    qc.z(ctrl)

    def add(j: int, k: int, subtract: bool) -> None:
        width = n - k
        a = word[j * p:(j + 1) * p] + pad[:width - p]
        b = acc[k:]
        if subtract:
            qc.x(b)
        gidney_add(qc, a, b, carry, scratch[0])
        if subtract:
            qc.x(b)

    set_constant()
    measured_lookup(qc, index, unary, scratch[0], instance.m, load)
    for j, k, sign in shape.adds:
        add(j, k, sign < 0)
    active, sign_bit = word[d * p], acc[n - 1]
    qc.x(sign_bit)
    qc.h(sign_bit)
    if controlled:
        qc.ccx(regs["control"][0], active, sign_bit)
    else:
        qc.cx(active, sign_bit)
    qc.h(sign_bit)
    qc.x(sign_bit)
    for j, k, sign in reversed(shape.adds):
        add(j, k, sign > 0)  # the inverse of b += a is b -= a, and of b -= a is b += a
    for i, qubit in enumerate(word):  # measure the loaded word in the X basis, reset it
        qc.h(qubit)
        qc.measure(qubit, unloaded[i])
        with qc.if_test((unloaded[i], 1)):
            qc.x(qubit)
    measured_lookup(qc, index, unary, scratch[0], instance.m, fix_phase)
    set_constant()
    return MeasuredOracle(instance=instance, found=tuple(sorted(found_set)), shape=shape, circuit=qc,
                          registers={name: reg for name, reg in regs.items()})


def measured_mcz(qc: QuantumCircuit, qubits: Sequence[Qubit], scratch: Sequence[Qubit], clbit: Clbit) -> None:
    """``-1`` on ``|1...1>``: a chain of ``n - 2`` ANDs into ``scratch``, uncomputed by measurement."""
    n = len(qubits)
    if n == 1:
        qc.z(qubits[0])
        return
    chain, prev = [], qubits[0]
    for i in range(1, n - 1):
        qc.ccx(prev, qubits[i], scratch[i - 1])
        chain.append((prev, qubits[i], scratch[i - 1]))
        prev = scratch[i - 1]
    qc.cz(prev, qubits[n - 1])
    for a, b, t in reversed(chain):
        and_uncompute(qc, a, b, t, clbit)


def measured_grover_iteration(oracle: MeasuredOracle) -> QuantumCircuit:
    """The oracle, then the diffusion with measured ANDs (controlled if the oracle is); a circuit of its registers."""
    qc = oracle.circuit.copy(name="Q-arith-measured")
    index = list(oracle.registers["index"])
    control = list(oracle.registers["control"]) if "control" in oracle.registers else []
    scratch = list(oracle.registers.get("unary", [])) + list(oracle.registers.get("carry", []))
    qc.h(index)
    qc.x(index)
    measured_mcz(qc, index + control, scratch, qc.cregs[0][0])
    qc.x(index)
    qc.h(index)
    if control:
        qc.z(control[0])
    return qc
