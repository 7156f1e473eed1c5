"""What one query costs, in closed form: logical qubits, Toffolis and Toffoli depth per memory model.

One *query* is one Grover iteration over the fired-neuron oracle of
:mod:`circuits.arithmetic_oracle` (the oracle, then the diffusion), for a
table of ``m`` vectors in ``R^d`` at ``p`` bits. Counts are Toffolis (CCX).
The T count (:attr:`QueryCost.t_count`) is stated at **4 T gates per
Toffoli**: the cost of a Toffoli-class logical AND in Gidney's construction
(arXiv:1709.06648), the convention of Babbush et al.; a textbook Toffoli
takes 7 T.

The query vector is classical, so the arithmetic depends on its bits. The
closed forms here take the **worst case** ``|X_j| = 2^(p-1) - 1`` for every
``j`` (``p - 1`` set bits per coordinate, the widest accumulator); pass a
concrete :class:`~circuits.arithmetic_oracle.OracleShape` for exact counts of a
given query (the tests hold both to the built circuits).

Per query, with ``q = ceil(log2 m)``, accumulator ``n = bitlength((2^p - 1) d (2^(p-1) - 1)) + 1``:

- **arithmetic** (every model): for each coordinate and each set bit ``k``,
  one CDKM ripple adder of width ``n - k`` (``2(n - k)`` Toffolis; Cuccaro et
  al., arXiv:quant-ph/0410184, as synthesised by Qiskit's
  ``adder_ripple_c04``), computed and uncomputed: ``4 d sum_{k=0}^{p-2} (n - k)``.
  The comparison with the threshold is free (the threshold is folded into the
  accumulator's initial value; the flip is a CZ on its sign bit).
- **diffusion**: a multi-controlled Z on ``q`` qubits, ``2 (q - 2)`` Toffolis.
- ``qrom``: unary iteration (Babbush et al., PRX 8, 041015 (2018),
  arXiv:1805.03662): ``2 sum_{l=1}^{q-1} ceil(m / 2^(q-l))`` Toffolis per
  lookup (``2(m - 2)`` for ``m = 2^q``; twice the published ``m - 2`` because
  each AND is uncomputed by a CCX, not by measurement; see
  :mod:`circuits.qrom`). Loading all ``d`` words at once takes 2 lookups per
  query; one coordinate at a time (what Aer runs) takes ``4d - 2``. Theta(m).
- ``selectswap``: select-swap QROM (Low, Kliuchnikov, Schaeffer,
  arXiv:1812.00954; exact counts Berry et al., Quantum 3, 208 (2019),
  arXiv:1902.02134, App. A-C: clean ``ceil(m/lambda) + b(lambda - 1)`` with
  measurement-based uncompute). Here, in the same CCX-only convention as the
  built QROM: a unary-iteration lookup over ``ceil(m/lambda)`` blocks of
  ``lambda`` words of ``b = d p + 1`` bits, then ``lambda - 1`` controlled
  swaps of ``b``-bit words (``b`` Toffolis each), undone after the flip:
  ``2 [lookup(ceil(m/lambda)) + b (lambda - 1)]`` per query, with
  ``lambda b`` output qubits; ``lambda`` (a power of 2) chosen to minimise
  Toffolis, near ``sqrt(m / b)``: about ``4 sqrt(m d p)`` Toffolis.
- ``qram``: the paper's assumption (coherent query access). Only the
  arithmetic and the diffusion are charged. The QRAM itself is stated beside
  (:attr:`QueryCost.qram_routers`): a bucket-brigade QRAM (Giovannetti, Lloyd,
  Maccone, PRL 100, 160501 (2008)) has ``m - 1`` routers, all of which must be
  error-corrected, so a query still costs ``Theta(m)`` qubits and gates at
  ``O(log m)`` depth (Di Matteo, Gheorghiu, Mosca, arXiv:1902.01329; Jaques and
  Rattew, arXiv:2305.10310).

**Toffoli depth** is an upper bound from a sequential schedule: every piece
is a chain on shared registers (the unary ancillas, the word, the accumulator,
the adder's carry), so the Toffoli depth of ``qrom`` and ``qram`` is at most
the Toffoli count; the built circuits come within 20 % below it at the
smallest sizes and within 2 % from ``m = 256`` (only the ends of neighbouring
pieces overlap; checked by the tests). For ``selectswap`` the swap network's
``log2 lambda`` layers are counted at ``b`` each (one control qubit per layer,
no fan-out), and for ``qram`` the routers' ``O(log m)`` depth is not charged.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

from circuits.arithmetic_oracle import ALL_COORDINATES, PER_COORDINATE, OracleShape, accumulator_bits, shift_adds
from circuits.fixed_point import check_bits
from circuits.problem import num_qubits_for
from circuits.qrom import lookup_toffolis
from circuits.reversible import adder_toffolis, mcz_toffolis

MEMORY_MODELS = ("qrom", "selectswap", "qram")
T_PER_TOFFOLI = 4


def worst_case_shape(m: int, d: int, bits: int, layout: str = ALL_COORDINATES) -> OracleShape:
    """The oracle's shape when every ``|X_j| = 2^(p-1) - 1`` (most adds, widest accumulator)."""
    if m < 1 or d < 1:
        raise ValueError(f"need m >= 1 and d >= 1, got m={m}, d={d}")
    p = check_bits(bits)
    top = (1 << (p - 1)) - 1
    return OracleShape(m=int(m), d=int(d), bits=p, acc_bits=accumulator_bits(p, d * top),
                       adds=tuple(shift_adds([top] * int(d))), layout=layout)


def arithmetic_toffolis(shape: OracleShape) -> int:
    """Adders of one oracle call, computed and uncomputed: ``2 sum_adds 2 (n - k)``."""
    return 2 * sum(adder_toffolis(shape.acc_bits - k) for _, k, _ in shape.adds)


def compute_toffolis(shape: OracleShape) -> int:
    """Adders of one inner product, computed once (the classical scan's reversible cost per item)."""
    return arithmetic_toffolis(shape) // 2


def oracle_toffolis(shape: OracleShape) -> int:
    """The built oracle (:func:`circuits.arithmetic_oracle.arithmetic_oracle`): lookups + arithmetic."""
    return shape.num_lookups * lookup_toffolis(shape.m, shape.num_index) + arithmetic_toffolis(shape)


@dataclass(frozen=True)
class QueryCost:
    """One query (Grover iteration) under a memory model; ``controlled_toffoli``: the counting variant."""

    model: str
    m: int
    d: int
    bits: int
    logical_qubits: int
    toffoli: int
    toffoli_depth: int
    controlled_toffoli: int
    memory_toffoli: int
    arithmetic_toffoli: int
    diffusion_toffoli: int
    block_size: int | None = None
    qram_routers: int | None = None

    @property
    def t_count(self) -> int:
        """``4`` T per Toffoli (module docstring)."""
        return T_PER_TOFFOLI * self.toffoli


def _controlled_extra(q: int) -> int:
    """A controlled iteration: the flip's CZ becomes a CCX, the diffusion gains a control."""
    return 1 + mcz_toffolis(q + 1) - mcz_toffolis(q)


def qrom_cost(shape: OracleShape) -> QueryCost:
    """The built circuit's cost (exact for ``shape``): unary-iteration QROM."""
    q = shape.num_index
    memory = shape.num_lookups * lookup_toffolis(shape.m, q)
    arith = arithmetic_toffolis(shape)
    diff = mcz_toffolis(q)
    total = memory + arith + diff
    return QueryCost("qrom", shape.m, shape.d, shape.bits, shape.num_qubits, total, total,
                     total + _controlled_extra(q), memory, arith, diff)


def selectswap_lookup_toffolis(m: int, word_bits: int, block: int) -> int:
    """One select-swap lookup in the CCX-only convention: ``lookup(ceil(m/lambda)) + b (lambda - 1)``."""
    blocks = -(-m // block)
    return lookup_toffolis(blocks, num_qubits_for(blocks)) + word_bits * (block - 1)


def best_block(m: int, word_bits: int) -> int:
    """The power of two ``lambda <= 2^ceil(log2 m)`` minimising :func:`selectswap_lookup_toffolis`."""
    blocks = [1 << e for e in range(num_qubits_for(m) + 1)]
    return min(blocks, key=lambda lam: (selectswap_lookup_toffolis(m, word_bits, lam), lam))


def selectswap_cost(shape: OracleShape) -> QueryCost:
    """Select-swap QROM, all coordinates in one word of ``b = d p + 1`` bits, ``lambda`` optimal."""
    q = shape.num_index
    b = shape.d * shape.bits + 1
    lam = best_block(shape.m, b)
    blocks = -(-shape.m // lam)
    q_hi = num_qubits_for(blocks)
    memory = 2 * selectswap_lookup_toffolis(shape.m, b, lam)
    arith = arithmetic_toffolis(shape)
    diff = mcz_toffolis(q)
    total = memory + arith + diff
    swap_depth = b * int(math.log2(lam))
    depth = 2 * (lookup_toffolis(blocks, q_hi) + swap_depth) + arith + diff
    qubits = q + max(q_hi - 1, q - 2, 0) + lam * b + shape.acc_bits + shape.pad_bits + shape.helper_bits
    return QueryCost("selectswap", shape.m, shape.d, shape.bits, qubits, total, depth,
                     total + _controlled_extra(q), memory, arith, diff, block_size=lam)


def qram_cost(shape: OracleShape) -> QueryCost:
    """QRAM (the paper's assumption): arithmetic and diffusion only; ``m - 1`` routers stated beside."""
    q = shape.num_index
    arith = arithmetic_toffolis(shape)
    diff = mcz_toffolis(q)
    total = arith + diff
    qubits = q + max(q - 2, 0) + shape.d * shape.bits + 1 + shape.acc_bits + shape.pad_bits + shape.helper_bits
    return QueryCost("qram", shape.m, shape.d, shape.bits, qubits, total, total,
                     total + _controlled_extra(q), 0, arith, diff, qram_routers=shape.m - 1)


_COSTS = {"qrom": qrom_cost, "selectswap": selectswap_cost, "qram": qram_cost}


def query_cost(m: int, d: int, bits: int, model: str = "qrom", layout: str = ALL_COORDINATES) -> QueryCost:
    """Closed-form cost of one query at the worst-case query vector (module docstring).

    ``layout`` matters for ``qrom`` only (``selectswap`` and ``qram`` load all
    coordinates at once).
    """
    if model not in _COSTS:
        raise ValueError(f"unknown memory model {model!r}; choose one of {', '.join(MEMORY_MODELS)}")
    if layout not in (ALL_COORDINATES, PER_COORDINATE):
        raise ValueError(f"unknown layout {layout!r}")
    return _COSTS[model](worst_case_shape(m, d, bits, layout if model == "qrom" else ALL_COORDINATES))


@dataclass(frozen=True)
class InputCost:
    """One input's find-all under a memory model, from its measured query counts.

    ``grover_queries`` iterations (and ``counting_queries`` controlled ones)
    run on the quantum computer; ``check_queries`` are classical checks of
    measured indices, ``d`` multiply-adds each.
    """

    model: str
    grover_queries: int
    counting_queries: int
    check_queries: int
    toffoli: int
    toffoli_depth: int
    logical_qubits: int
    check_multiply_adds: int

    @property
    def queries(self) -> int:
        return self.grover_queries + self.counting_queries + self.check_queries

    @property
    def t_count(self) -> int:
        return T_PER_TOFFOLI * self.toffoli


def input_cost(cost: QueryCost, grover_queries: int, counting_queries: int = 0, check_queries: int = 0) -> InputCost:
    """``grover x toffoli + counting x controlled_toffoli``; queries run one after another."""
    toffoli = grover_queries * cost.toffoli + counting_queries * cost.controlled_toffoli
    depth = (grover_queries + counting_queries) * cost.toffoli_depth
    return InputCost(cost.model, int(grover_queries), int(counting_queries), int(check_queries),
                     int(toffoli), int(depth), cost.logical_qubits, int(check_queries) * cost.d)


@dataclass(frozen=True)
class ScanCost:
    """The classical scan of one input: ``m d`` multiply-adds; its reversible cost in the same gate set."""

    m: int
    d: int
    bits: int
    multiply_adds: int
    toffoli: int


def scan_cost(m: int, d: int, bits: int) -> ScanCost:
    """``m d`` multiply-adds; ``m x`` the shift-and-add of one inner product, computed once, worst case."""
    shape = worst_case_shape(m, d, bits)
    return ScanCost(int(m), int(d), shape.bits, int(m) * int(d), int(m) * compute_toffolis(shape))
