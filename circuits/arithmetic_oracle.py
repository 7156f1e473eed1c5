"""A gate-level phase oracle for "``<w_r, x> > b``": QROM, shift-and-add, comparison, uncompute.

Given a :class:`~circuits.fixed_point.FixedPointInstance` (``m`` words per
coordinate, classical integer query ``X``, threshold ``B``; rounding stated in
:mod:`circuits.fixed_point`) and a set of already *found* indices, the circuit
applies, on every index basis state ``|r>`` with all ancillas ``|0>``,

    ``|r>|0> -> (-1)^[r < m, r not found, <W_r, X> > B] |r>|0>``.

It knows nothing of networks; it is built from X, CX, CCX, H and Z only, so
its CCX count is its Toffoli count.

**Registers** (qubit order): index ``q = max(1, ceil(log2 m))``; ``q - 1``
unary-iteration ancillas; the loaded word (``p`` bits, or ``d p`` bits with
``layout="all_coordinates"``); ``active`` (1 bit: entry exists and is not
found); the accumulator (``n`` bits, two's complement); ``n - p`` zero bits
that pad the adders' ``a`` operand; the adder's helper bit.

**Steps** (``V``, then the flip, then ``V^dagger``):

1. the accumulator is set to the classical constant ``-(B' + 1)``, with
   ``B' = B + 2^(p-1) sum_j X_j`` (offset-binary words, see
   :mod:`circuits.fixed_point`), clipped to ``[T_min, T_max + 1]`` where the
   marked set cannot change;
2. for each coordinate ``j``: load ``U_rj`` by unary iteration
   (:func:`circuits.qrom.lookup`), add ``U_rj << k`` into the accumulator for
   every set bit ``k`` of ``|X_j|`` (a CDKM ripple adder of width ``n - k`` on
   ``acc[k:]``; subtraction for ``X_j < 0`` as ``~(~acc + a)``), and unload it
   (the lookup is its own inverse). The last coordinate's word also carries
   the ``active`` bit and stays loaded until after the flip.
   ``layout="all_coordinates"`` loads all ``d`` words (and ``active``) in one
   lookup instead: 2 lookups per query instead of ``4d - 2``, for ``(d-1) p``
   more qubits;
3. the accumulator now holds ``<U_r, X> - B' - 1``; its top bit is 0 exactly
   when ``r`` is marked. The flip is ``CZ(active, NOT sign)`` (``X``, ``H CX H``,
   ``X``); a controlled oracle uses a CCX there.

The accumulator width ``n = bitlength((2^p - 1) sum_j |X_j|) + 1`` holds every
partial sum (each lies in ``[T_min - T_max - 1, T_max - T_min]``). Costs in
closed form are in :mod:`circuits.resources`; the tests hold them to the
circuits built here.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
from qiskit import QuantumCircuit

from circuits.fixed_point import FixedPointInstance
from circuits.problem import num_qubits_for
from circuits.qrom import lookup
from circuits.reversible import ripple_adder

PER_COORDINATE = "per_coordinate"
ALL_COORDINATES = "all_coordinates"
LAYOUTS = (PER_COORDINATE, ALL_COORDINATES)


def accumulator_bits(bits: int, sum_abs_x: int) -> int:
    """``n = bitlength((2^p - 1) sum_j |X_j|) + 1``: holds every partial sum in two's complement."""
    return (((1 << bits) - 1) * int(sum_abs_x)).bit_length() + 1


def shift_adds(X: np.ndarray) -> list[tuple[int, int, int]]:
    """``(j, k, sign)`` for every set bit ``k`` of ``|X_j|``, coordinate by coordinate (one adder each)."""
    adds = []
    for j, v in enumerate(np.asarray(X).tolist()):
        for k in range(abs(v).bit_length()):
            if abs(v) >> k & 1:
                adds.append((j, k, 1 if v > 0 else -1))
    return adds


@dataclass(frozen=True)
class OracleShape:
    """Register sizes of an oracle (everything but the data): enough to count its gates and qubits."""

    m: int
    d: int
    bits: int
    acc_bits: int
    adds: tuple
    layout: str = PER_COORDINATE

    @property
    def num_index(self) -> int:
        return num_qubits_for(self.m)

    @property
    def word_bits(self) -> int:
        return self.bits if self.layout == PER_COORDINATE else self.d * self.bits

    @property
    def pad_bits(self) -> int:
        return self.acc_bits - self.bits if self.adds else 0

    @property
    def helper_bits(self) -> int:
        return 1 if self.adds else 0

    @property
    def num_qubits(self) -> int:
        q = self.num_index
        return q + (q - 1) + self.word_bits + 1 + self.acc_bits + self.pad_bits + self.helper_bits

    @property
    def num_lookups(self) -> int:
        """Lookups per oracle call: ``4d - 2`` (one coordinate at a time) or 2 (all at once)."""
        return 4 * self.d - 2 if self.layout == PER_COORDINATE else 2


def oracle_shape(instance: FixedPointInstance, layout: str = PER_COORDINATE) -> OracleShape:
    if layout not in LAYOUTS:
        raise ValueError(f"layout must be one of {LAYOUTS}, got {layout!r}")
    sum_abs = int(np.abs(instance.X).sum())
    return OracleShape(m=instance.m, d=instance.d, bits=instance.bits,
                       acc_bits=accumulator_bits(instance.bits, sum_abs),
                       adds=tuple(shift_adds(instance.X)), layout=layout)


@dataclass(frozen=True)
class ArithmeticOracle:
    """The built oracle: ``circuit`` (``V``, flip, ``V^dagger``) and the pieces to rebuild variants.

    ``compute`` is ``V``; :meth:`phase_flip` appends the (optionally controlled)
    flip. Qubit positions of each register are in ``registers``.
    """

    instance: FixedPointInstance = field(repr=False)
    found: tuple = field(repr=False)
    shape: OracleShape
    compute: QuantumCircuit = field(repr=False)
    registers: dict = field(repr=False)

    @property
    def num_qubits(self) -> int:
        return self.shape.num_qubits

    @property
    def num_index(self) -> int:
        return self.shape.num_index

    def phase_flip(self, circuit: QuantumCircuit, control=None, offset: int = 0) -> None:
        """Append ``-1`` iff ``active`` and the sign bit is 0 (and ``control`` is 1, if given).

        ``offset`` shifts this oracle's qubit positions inside ``circuit``.
        """
        active = circuit.qubits[offset + self.registers["active"][0]]
        sign = circuit.qubits[offset + self.registers["acc"][-1]]
        circuit.x(sign)
        circuit.h(sign)
        if control is None:
            circuit.cx(active, sign)
        else:
            circuit.ccx(control, active, sign)
        circuit.h(sign)
        circuit.x(sign)

    def circuit(self, control: bool = False) -> QuantumCircuit:
        """The phase oracle on ``num_qubits`` qubits (plus a last control qubit if ``control``)."""
        n = self.num_qubits
        qc = QuantumCircuit(n + (1 if control else 0), name="c-arith-oracle" if control else "arith-oracle")
        qc.compose(self.compute, qubits=range(n), inplace=True)
        self.phase_flip(qc, control=qc.qubits[n] if control else None)
        qc.compose(self.compute.inverse(), qubits=range(n), inplace=True)
        return qc


def _registers(shape: OracleShape) -> dict[str, list[int]]:
    sizes = [("index", shape.num_index), ("unary", shape.num_index - 1), ("word", shape.word_bits),
             ("active", 1), ("acc", shape.acc_bits), ("pad", shape.pad_bits), ("helper", shape.helper_bits)]
    regs, pos = {}, 0
    for name, size in sizes:
        regs[name] = list(range(pos, pos + size))
        pos += size
    return regs


def _constant(instance: FixedPointInstance, n: int) -> int:
    """``-(B' + 1)`` with ``B' + 1`` clipped to ``[T_min, T_max + 1]``, as an ``n``-bit word."""
    top = (1 << instance.bits) - 1
    X = instance.X
    t_min = top * int(X[X < 0].sum())
    t_max = top * int(X[X > 0].sum())
    c = min(max(instance.shifted_threshold + 1, t_min), t_max + 1)
    return (-c) % (1 << n)


def arithmetic_oracle(instance: FixedPointInstance, found=(), layout: str = PER_COORDINATE) -> ArithmeticOracle:
    """Build the oracle of ``instance`` with the indices in ``found`` removed (module docstring)."""
    shape = oracle_shape(instance, layout)
    found_set = {int(r) for r in np.asarray(found, dtype=np.int64).reshape(-1)}
    if any(r < 0 or r >= instance.m for r in found_set):
        raise ValueError(f"found indices must lie in [0, {instance.m})")
    regs = _registers(shape)
    V = QuantumCircuit(shape.num_qubits, name="V")
    Q = V.qubits
    index = [Q[i] for i in regs["index"]]
    unary = [Q[i] for i in regs["unary"]]
    word = [Q[i] for i in regs["word"]]
    active = Q[regs["active"][0]]
    acc = [Q[i] for i in regs["acc"]]
    pad = [Q[i] for i in regs["pad"]]
    helper = [Q[i] for i in regs["helper"]]
    p, d, n = shape.bits, shape.d, shape.acc_bits
    U = instance.words.astype(np.int64)
    act = np.array([0 if r in found_set else 1 for r in range(instance.m)], dtype=np.int64)

    const = _constant(instance, n)
    for i in range(n):
        if const >> i & 1:
            V.x(acc[i])

    def adds_of(j: int, word_qubits) -> None:
        for jj, k, sign in shape.adds:
            if jj != j:
                continue
            width = n - k
            a = list(word_qubits) + pad[:width - p]
            b = acc[k:]
            if sign < 0:
                V.x(b)
            V.compose(ripple_adder(width), qubits=a + b + helper, inplace=True)
            if sign < 0:
                V.x(b)

    if layout == ALL_COORDINATES:
        data = [int(act[r]) << (d * p) | sum(int(U[r, j]) << (j * p) for j in range(d)) for r in range(instance.m)]
        lookup(V, index, unary, word + [active], data)
        for j in range(d):
            adds_of(j, word[j * p:(j + 1) * p])
    else:
        for j in range(d):
            last = j == d - 1
            data = [int(U[r, j]) | (int(act[r]) << p if last else 0) for r in range(instance.m)]
            targets = word + [active] if last else word
            lookup(V, index, unary, targets, data)
            adds_of(j, word)
            if not last:
                lookup(V, index, unary, targets, data)
    return ArithmeticOracle(instance=instance, found=tuple(sorted(found_set)), shape=shape,
                            compute=V, registers=regs)
