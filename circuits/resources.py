"""What one query costs, in closed form, in two conventions: logical qubits, Toffolis, depth, measurements.

One *query* is one Grover iteration over the fired-neuron oracle of
:mod:`circuits.arithmetic_oracle` (the oracle ``V``, the flip, ``V^dagger``,
then the diffusion), for a table of ``m`` vectors in ``R^d`` at ``p`` bits.
Counts are Toffoli-class gates (a CCX, or a logical AND computed into a fresh
qubit); the T count (:attr:`QueryCost.t_count`) is stated at **4 T per
Toffoli**, the cost of Gidney's logical AND (arXiv:1709.06648).

**Two conventions** (every cost names both, :data:`UNCOMPUTE_MODES` and :data:`ADDERS`):

- ``uncompute="measurement"`` (the literature's, default): a temporary logical
  AND is uncomputed by an X-basis measurement and a classically controlled CZ,
  with no Toffoli (Gidney 2018, arXiv:1709.06648, Fig. 3). A loaded table is
  unloaded by *measurement-based uncomputation* (Berry et al., Quantum 3, 208
  (2019), arXiv:1902.02134, App. C): measure the ``b`` output qubits in the X
  basis, then fix the phases ``(-1)^(s . T[x])`` with a smaller lookup whose
  low ``log2 k`` index bits drive a one-hot register of ``k`` clean qubits:
  ``lookup(ceil(L/k)) + (k - 2)`` Toffolis (:func:`unlookup_toffolis`; the
  issue's and Berry's rounded ``ceil(L/k) + k`` is 4 above it; Qualtran's
  ``QROAMClean`` adjoint counts exactly ours: 2,044 at ``L = 2^20, k = 2^10``).
- ``uncompute="unitary"``: every AND is uncomputed by a second CCX, and a
  table is unloaded by a whole second lookup: the circuits that
  :mod:`circuits.arithmetic_oracle` builds from X/CX/CCX (the tests hold
  ``unitary`` + ``cdkm`` to them gate for gate).
- ``adder="gidney"``: a ``w``-bit add mod ``2^w`` costs ``w - 1`` ANDs
  (Gidney 2018), and so does its reverse (a subtraction); under ``unitary``
  each AND costs a second CCX, ``2 (w - 1)``. It holds ``w - 1`` carry qubits.
- ``adder="cdkm"``: Cuccaro et al. (arXiv:quant-ph/0410184) as Qiskit's
  ``adder_ripple_c04`` synthesises it: ``2 w`` CCX, one helper qubit, in
  either convention.

**Pieces of a query** (``q = ceil(log2 m)``, entry width ``b = d p + 1`` (all
``d`` words and the ``active`` bit), accumulator ``n`` from
:func:`circuits.arithmetic_oracle.accumulator_bits` at the worst-case query
vector ``|X_j| = 2^(p-1) - 1``, which gives ``d (p - 1)`` adds of widths
``n - k``):

- ``arithmetic_toffoli``: the shift-and-add inner product, computed and
  uncomputed; the comparison is free (the threshold is folded into the
  accumulator's initial value and the flip is a CZ on its sign bit);
- ``diffusion_toffoli``: a multi-controlled Z on ``q`` qubits, ``q - 2`` ANDs
  (Qualtran's ``MultiControlZ``: 18 at ``q = 20``), ``2 (q - 2)`` unitary;
- ``lookup_toffoli`` / ``unlookup_toffoli``: loading ``w_r`` and unloading it,
  per memory model (:data:`MEMORY_MODELS`, names are a contract):

  * ``qrom``: unary iteration (Babbush et al., PRX 8, 041015 (2018),
    arXiv:1805.03662, Fig. 7): ``sum_{l=1}^{q-1} ceil(L / 2^(q-l))`` ANDs,
    ``= L - 2`` for ``L = 2^q`` (twice that, unitary). Measurement-based
    unlookup with ``k`` chosen under the qubit budget; the freed output
    register (``b`` qubits) is reused for the one-hot register, and
    ``k - b`` more qubits are added when ``k > b``. ``classical_control``:
    the controller streams one data-dependent CX decision per entry and bit,
    ``L b`` per lookup, and computes the ``L`` fix-up parities ``s . T[x]``,
    ``L b`` bit operations per measurement-based unlookup (a second lookup
    streams ``L b`` too).
  * ``selectswap``: Low, Kliuchnikov, Schaeffer (arXiv:1812.00954) with
    clean ancillas, exact counts Berry et al. 2019 App. A-C: a lookup over
    ``ceil(L/lambda)`` blocks of ``lambda`` words, then ``lambda - 1``
    controlled swaps of ``b``-bit words (``b`` Toffolis each):
    ``lookup(ceil(L/lambda)) + b (lambda - 1)`` (Berry's ``ceil(L/lambda) +
    b (lambda - 1)`` is 2 above it: 32,575 against Qualtran's and our 32,573
    at ``L = 2^20, b = 257, lambda = 64``); ``lambda`` a power of two
    minimising the query's Toffolis under the qubit budget. Unloaded by a
    second select-swap (unitary) or measurement-based (the ``lambda b``
    freed qubits host the one-hot register).
  * ``selectswap-dirty``: Berry et al.'s borrowed-ancilla variant,
    ``2 lookup(ceil(L/lambda)) + 4 b (lambda - 1)``, ``(lambda - 1) b``
    borrowed qubits counted as logical qubits (this oracle has no idle
    register that large to borrow); only ``b`` qubits are freed for the unlookup.
  * ``qram``: the paper's assumption (coherent query access): lookups cost
    nothing; only the arithmetic and the diffusion are charged, and no
    classical control is charged. The QRAM itself is stated beside
    (:attr:`QueryCost.qram_routers`: ``m - 1`` routers, Giovannetti, Lloyd,
    Maccone, PRL 100, 160501 (2008)).
  * ``bucket-brigade``: an error-corrected bucket-brigade QRAM with its
    routers charged, variant **fan-out (one-hot decoder)**
    (:data:`BUCKET_BRIGADE_VARIANT`): the address is decoded into a one-hot
    register of ``m`` routers by a tree of ANDs, ``m - 1`` Toffolis per
    access at Toffoli depth ``2 ceil(log2 m)`` (down and back), a qutrit
    router taking 2 qubits: about ``2m + b + log2 m`` logical qubits; the
    decoder is uncomputed by measurement (``measurement``) or by a second
    tree (``unitary``: ``2 (m - 1)``). Every router is active in an
    error-corrected machine, so a query costs ``Theta(m)`` gates at
    ``O(log m)`` depth (Di Matteo, Gheorghiu, Mosca, IEEE TQE 2020,
    arXiv:1902.01329; Jaques and Rattew, arXiv:2305.10310, who argue that its
    wall time be set against an ``m``-processor classical machine). The
    literal bucket brigade, which routes every bus bit through every level,
    costs about ``2 m (b + 1)`` controlled swaps per access
    (:attr:`QueryCost.literal_bucket_brigade_cswaps`, stated, not charged).
    The unload is a second access (a measurement-based unlookup would cost
    ``Theta(sqrt(m))`` depth and lose the point of the model).

**Toffoli depth** is an upper bound from a sequential schedule (every piece is
a chain on shared registers), except the select-swap network (``log2 lambda``
layers of ``b`` swaps each) and the bucket brigade (``2 ceil(log2 m)`` per
access). **Spacetime volume** is ``logical_qubits x toffoli_depth``.

**Measurements** per query count the X-basis measurements of measurement-based
uncomputation (one per AND, plus the output qubits measured by an unlookup);
``unitary`` has none. **classical_control_ops** count the classical bit
operations the control system performs for the query (see the models above);
they are not Toffolis, and are reported in their own column.
"""

from __future__ import annotations

from dataclasses import dataclass

from circuits.arithmetic_oracle import ALL_COORDINATES, PER_COORDINATE, OracleShape, accumulator_bits, shift_adds
from circuits.fixed_point import check_bits
from circuits.problem import num_qubits_for
from circuits.qrom import lookup_toffolis
from circuits.reversible import adder_toffolis, mcz_toffolis

MEMORY_MODELS = ("qrom", "selectswap", "selectswap-dirty", "qram", "bucket-brigade")
UNCOMPUTE_MODES = ("measurement", "unitary")
ADDERS = ("gidney", "cdkm")
DEFAULT_UNCOMPUTE = "measurement"
DEFAULT_ADDER = "gidney"
BUCKET_BRIGADE_VARIANT = "fan-out (one-hot decoder), error-corrected, qutrit router = 2 qubits"
T_PER_TOFFOLI = 4


def check_convention(uncompute: str, adder: str) -> None:
    """``ValueError`` unless ``uncompute`` is in :data:`UNCOMPUTE_MODES` and ``adder`` in :data:`ADDERS`."""
    if uncompute not in UNCOMPUTE_MODES:
        raise ValueError(f"unknown uncompute convention {uncompute!r}; choose one of {', '.join(UNCOMPUTE_MODES)}")
    if adder not in ADDERS:
        raise ValueError(f"unknown adder {adder!r}; choose one of {', '.join(ADDERS)}")


def worst_case_shape(m: int, d: int, bits: int, layout: str = ALL_COORDINATES) -> OracleShape:
    """The oracle's shape when every ``|X_j| = 2^(p-1) - 1`` (most adds, widest accumulator)."""
    if m < 1 or d < 1:
        raise ValueError(f"need m >= 1 and d >= 1, got m={m}, d={d}")
    p = check_bits(bits)
    top = (1 << (p - 1)) - 1
    return OracleShape(m=int(m), d=int(d), bits=p, acc_bits=accumulator_bits(p, d * top),
                       adds=tuple(shift_adds([top] * int(d))), layout=layout)


# --- building blocks, each with its own cost -------------------------------------------------------------------


def and_count(num_ccx_unitary: int, uncompute: str) -> int:
    """Toffolis of a compute-uncompute pair of ANDs: all of them (``unitary``) or the computing half."""
    return num_ccx_unitary if uncompute == "unitary" else num_ccx_unitary // 2


def adder_cost(width: int, adder: str, uncompute: str) -> int:
    """Toffolis of one ``width``-bit add mod ``2^width`` (or its reverse): CDKM ``2w``; Gidney ``w - 1`` ANDs."""
    if adder == "cdkm":
        return adder_toffolis(width)
    return (1 if uncompute == "measurement" else 2) * max(0, int(width) - 1)


def adder_measurements(width: int, adder: str, uncompute: str) -> int:
    """X-basis measurements of one add: Gidney's ANDs uncomputed by measurement, ``w - 1``."""
    return max(0, int(width) - 1) if adder == "gidney" and uncompute == "measurement" else 0


def unary_lookup_toffolis(num_entries: int, num_index: int, uncompute: str) -> int:
    """Unary-iteration lookup (Babbush et al. 2018): ``L - 2`` ANDs at ``L = 2^q``; twice that unitary."""
    return and_count(lookup_toffolis(num_entries, num_index), uncompute)


def mcz_cost(num_qubits: int, uncompute: str) -> int:
    """Multi-controlled Z on ``n`` qubits: ``n - 2`` ANDs (Qualtran's ``MultiControlZ``); ``2 (n - 2)`` unitary."""
    return and_count(mcz_toffolis(num_qubits), uncompute)


def onehot_toffolis(k: int) -> int:
    """A one-hot register of ``k = 2^j`` qubits from ``j`` bits by unary iteration: ``k - 2`` ANDs."""
    return max(0, int(k) - 2)


def unlookup_toffolis(num_entries: int, k: int) -> int:
    """Measurement-based unlookup (Berry et al. 2019, App. C) with a one-hot register of ``k`` qubits.

    ``lookup(ceil(L/k)) + (k - 2)``: a phase lookup over the high index bits, the
    low ``log2 k`` bits decoded into the one-hot register (module docstring).
    """
    blocks = -(-int(num_entries) // int(k))
    high = unary_lookup_toffolis(blocks, num_qubits_for(blocks), "measurement") if blocks > 1 else 0
    return high + onehot_toffolis(k)


def selectswap_lookup_toffolis(m: int, word_bits: int, block: int, uncompute: str = "unitary") -> int:
    """One clean select-swap lookup: ``lookup(ceil(m/lambda)) + b (lambda - 1)`` (Berry et al. 2019)."""
    blocks = -(-m // block)
    return unary_lookup_toffolis(blocks, num_qubits_for(blocks), uncompute) + word_bits * (block - 1)


def dirty_selectswap_lookup_toffolis(m: int, word_bits: int, block: int, uncompute: str = "measurement") -> int:
    """One select-swap lookup on borrowed qubits: ``2 lookup(ceil(m/lambda)) + 4 b (lambda - 1)`` (Berry et al.)."""
    blocks = -(-m // block)
    return 2 * unary_lookup_toffolis(blocks, num_qubits_for(blocks), uncompute) + 4 * word_bits * (block - 1)


def best_block(m: int, word_bits: int) -> int:
    """The power of two ``lambda <= 2^ceil(log2 m)`` minimising the unitary select-swap lookup."""
    blocks = [1 << e for e in range(num_qubits_for(m) + 1)]
    return min(blocks, key=lambda lam: (selectswap_lookup_toffolis(m, word_bits, lam), lam))


# --- the query ----------------------------------------------------------------------------------------------------


def arithmetic_toffolis(shape: OracleShape, adder: str = "cdkm", uncompute: str = "unitary") -> int:
    """Adders of one oracle call, computed and uncomputed: ``2 sum_adds adder(n - k)``."""
    return 2 * sum(adder_cost(shape.acc_bits - k, adder, uncompute) for _, k, _ in shape.adds)


def compute_toffolis(shape: OracleShape, adder: str = "cdkm", uncompute: str = "unitary") -> int:
    """Adders of one inner product, computed once (the classical scan's reversible cost per item)."""
    return arithmetic_toffolis(shape, adder, uncompute) // 2


@dataclass(frozen=True)
class QueryCost:
    """One query (Grover iteration) under a memory model and a convention (module docstring).

    ``toffoli = lookup_toffoli + unlookup_toffoli + arithmetic_toffoli +
    diffusion_toffoli``; ``memory_toffoli`` is the first two.
    ``controlled_toffoli``: the controlled iteration of quantum counting.
    """

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
    lookup_toffoli: int = 0
    unlookup_toffoli: int = 0
    measurements: int = 0
    classical_control_ops: int = 0
    uncompute: str = "unitary"
    adder: str = "cdkm"
    unlookup_block: int | None = None
    entry_bits: int = 0
    variant: str | None = None
    literal_bucket_brigade_cswaps: int | None = None
    within_budget: bool = True

    @property
    def t_count(self) -> int:
        """``4`` T per Toffoli (module docstring)."""
        return T_PER_TOFFOLI * self.toffoli

    @property
    def spacetime_volume(self) -> int:
        """Logical qubits times Toffoli depth."""
        return self.logical_qubits * self.toffoli_depth


@dataclass(frozen=True)
class _Common:
    """The pieces every model shares: arithmetic, diffusion, the registers beside the memory."""

    shape: OracleShape
    uncompute: str
    adder: str
    arith: int
    arith_measurements: int
    diff: int
    diff_measurements: int
    controlled_extra: int
    helper_qubits: int

    @property
    def q(self) -> int:
        return self.shape.num_index

    def rest_qubits(self) -> int:
        """Accumulator, its padding, the adder's helper or carry qubits."""
        s = self.shape
        return s.acc_bits + s.pad_bits + self.helper_qubits


def _common(shape: OracleShape, uncompute: str, adder: str) -> _Common:
    q = shape.num_index
    widths = [shape.acc_bits - k for _, k, _ in shape.adds]
    arith = arithmetic_toffolis(shape, adder, uncompute)
    arith_meas = 2 * sum(adder_measurements(w, adder, uncompute) for w in widths)
    diff = mcz_cost(q, uncompute)
    diff_meas = diff if uncompute == "measurement" else 0
    # a controlled iteration: the flip's CZ becomes a CCZ, the diffusion gains a control
    extra = 1 + mcz_cost(q + 1, uncompute) - diff
    helper = shape.helper_bits if adder == "cdkm" or not widths else max(1, max(widths) - 1)
    return _Common(shape, uncompute, adder, arith, arith_meas, diff, diff_meas, extra, helper)


def _assemble(c: _Common, model: str, *, qubits: int, lookup: int, unlookup: int, memory_depth: int,
              memory_measurements: int, classical: int, **extra) -> QueryCost:
    s = c.shape
    total = lookup + unlookup + c.arith + c.diff
    return QueryCost(model, s.m, s.d, s.bits, int(qubits), int(total),
                     int(memory_depth + c.arith + c.diff), int(total + c.controlled_extra),
                     int(lookup + unlookup), int(c.arith), int(c.diff), lookup_toffoli=int(lookup),
                     unlookup_toffoli=int(unlookup),
                     measurements=int(memory_measurements + c.arith_measurements + c.diff_measurements),
                     classical_control_ops=int(classical), uncompute=c.uncompute, adder=c.adder, **extra)


def _choose_unlookup_block(num_entries: int, freed: int, base_qubits: int, budget: int | None,
                           fixed: int | None = None) -> tuple[int, int, int]:
    """``(k, toffolis, extra qubits)``: the one-hot width minimising the unlookup within ``budget`` (or ``fixed``)."""
    if fixed is not None:
        return fixed, unlookup_toffolis(num_entries, fixed), max(0, fixed - freed)
    options = []
    for e in range(num_qubits_for(num_entries) + 1):
        k = 1 << e
        extra = max(0, k - freed)
        if budget is None or base_qubits + extra <= budget or k == 1:
            options.append((unlookup_toffolis(num_entries, k), extra, k))
    tof, extra, k = min(options)
    return k, tof, extra


def _memory_pieces(c: _Common, L: int, word: int, loads: int, base_qubits: int, freed: int, budget: int | None,
                   lookup_one: int, lookup_one_depth: int, unlookup_block: int | None = None) -> dict:
    """Lookups and unlookups of one query, in the convention of ``c``."""
    if c.uncompute == "unitary":
        return dict(qubits=base_qubits, lookup=loads * lookup_one, unlookup=loads * lookup_one,
                    memory_depth=2 * loads * lookup_one_depth, memory_measurements=0,
                    classical=2 * loads * L * word, unlookup_block=None)
    k, unl, extra = _choose_unlookup_block(L, freed, base_qubits, budget, unlookup_block)
    and_meas = lookup_one + unl  # every AND is measured, and the freed output qubits
    return dict(qubits=base_qubits + extra, lookup=loads * lookup_one, unlookup=loads * unl,
                memory_depth=loads * (lookup_one_depth + unl),
                memory_measurements=loads * (and_meas + freed), classical=2 * loads * L * word, unlookup_block=k)


def qrom_cost(shape: OracleShape, uncompute: str = DEFAULT_UNCOMPUTE, adder: str = DEFAULT_ADDER,
              max_logical_qubits: int | None = None, unlookup_block: int | None = None) -> QueryCost:
    """Unary-iteration QROM, exact for ``shape``: ``unitary`` + ``cdkm`` is :func:`circuits.arithmetic_oracle.
    arithmetic_oracle`, ``measurement`` + ``gidney`` with ``unlookup_block=1`` is
    :func:`circuits.measured_oracle.measured_oracle` (the all-coordinates layout)."""
    c = _common(shape, uncompute, adder)
    q, word = c.q, shape.word_bits + (1 if shape.layout == ALL_COORDINATES else 0)
    loads = shape.num_lookups // 2
    one = unary_lookup_toffolis(shape.m, q, uncompute)
    base = q + (q - 1) + shape.word_bits + 1 + c.rest_qubits()
    pieces = _memory_pieces(c, shape.m, word, loads, base, word, max_logical_qubits, one, one, unlookup_block)
    cost = _assemble(c, "qrom", entry_bits=word, **pieces)
    return _budget(cost, max_logical_qubits)


def _budget(cost: QueryCost, budget: int | None) -> QueryCost:
    if budget is None or cost.logical_qubits <= budget:
        return cost
    from dataclasses import replace

    return replace(cost, within_budget=False)


def _selectswap(shape: OracleShape, uncompute: str, adder: str, budget: int | None, dirty: bool) -> QueryCost:
    c = _common(shape, uncompute, adder)
    q = c.q
    b = shape.d * shape.bits + 1
    best = None
    for e in range(num_qubits_for(shape.m) + 1):
        lam = 1 << e
        blocks = -(-shape.m // lam)
        q_hi = num_qubits_for(blocks)
        one = (dirty_selectswap_lookup_toffolis if dirty else selectswap_lookup_toffolis)(shape.m, b, lam, uncompute)
        hi = unary_lookup_toffolis(blocks, q_hi, uncompute)
        depth_one = (2 * hi + 4 * b * e) if dirty else hi + b * e
        base = q + max(q_hi - 1, q - 2, 0) + lam * b + c.rest_qubits()
        freed = b if dirty else lam * b
        if budget is not None and base > budget and lam > 1:
            continue
        pieces = _memory_pieces(c, shape.m, b, 1, base, freed, budget, one, depth_one)
        if uncompute == "measurement":
            pieces["memory_measurements"] = (hi * (2 if dirty else 1) + pieces["unlookup"] + freed)
        cost = _assemble(c, "selectswap-dirty" if dirty else "selectswap", block_size=lam, entry_bits=b, **pieces)
        if best is None or (cost.toffoli, lam) < (best.toffoli, best.block_size):
            best = cost
    return _budget(best, budget)


def selectswap_cost(shape: OracleShape, uncompute: str = DEFAULT_UNCOMPUTE, adder: str = DEFAULT_ADDER,
                    max_logical_qubits: int | None = None) -> QueryCost:
    """Select-swap QROM with clean ancillas, all coordinates in one ``b = d p + 1``-bit entry, ``lambda`` optimal."""
    return _selectswap(shape, uncompute, adder, max_logical_qubits, dirty=False)


def selectswap_dirty_cost(shape: OracleShape, uncompute: str = DEFAULT_UNCOMPUTE, adder: str = DEFAULT_ADDER,
                          max_logical_qubits: int | None = None) -> QueryCost:
    """Select-swap QROM on borrowed (dirty) ancillas (Berry et al. 2019), ``lambda`` optimal."""
    return _selectswap(shape, uncompute, adder, max_logical_qubits, dirty=True)


def qram_cost(shape: OracleShape, uncompute: str = DEFAULT_UNCOMPUTE, adder: str = DEFAULT_ADDER,
              max_logical_qubits: int | None = None) -> QueryCost:
    """QRAM (the paper's assumption): arithmetic and diffusion only; ``m - 1`` routers stated beside."""
    c = _common(shape, uncompute, adder)
    q = c.q
    b = shape.d * shape.bits + 1
    qubits = q + max(q - 2, 0) + b + c.rest_qubits()
    cost = _assemble(c, "qram", qubits=qubits, lookup=0, unlookup=0, memory_depth=0, memory_measurements=0,
                     classical=0, qram_routers=shape.m - 1, entry_bits=b)
    return _budget(cost, max_logical_qubits)


def bucket_brigade_cost(shape: OracleShape, uncompute: str = DEFAULT_UNCOMPUTE, adder: str = DEFAULT_ADDER,
                        max_logical_qubits: int | None = None) -> QueryCost:
    """Error-corrected fan-out bucket brigade, routers charged (module docstring; variant named)."""
    c = _common(shape, uncompute, adder)
    q, m = c.q, shape.m
    b = shape.d * shape.bits + 1
    access = (m - 1) * (1 if uncompute == "measurement" else 2)
    depth = 2 * q
    qubits = 2 * m + b + q + c.rest_qubits()
    meas = (m - 1) if uncompute == "measurement" else 0
    cost = _assemble(c, "bucket-brigade", qubits=qubits, lookup=access, unlookup=access, memory_depth=2 * depth,
                     memory_measurements=2 * meas, classical=2 * m * b, qram_routers=m - 1, entry_bits=b,
                     variant=BUCKET_BRIGADE_VARIANT, literal_bucket_brigade_cswaps=2 * m * (b + 1))
    return _budget(cost, max_logical_qubits)


_COSTS = {"qrom": qrom_cost, "selectswap": selectswap_cost, "selectswap-dirty": selectswap_dirty_cost,
          "qram": qram_cost, "bucket-brigade": bucket_brigade_cost}


def query_cost(m: int, d: int, bits: int, model: str = "qrom", layout: str = ALL_COORDINATES,
               uncompute: str = DEFAULT_UNCOMPUTE, adder: str = DEFAULT_ADDER,
               max_logical_qubits: int | None = None) -> QueryCost:
    """Closed-form cost of one query at the worst-case query vector (module docstring).

    ``layout`` matters for ``qrom`` only (the others load all coordinates at
    once). ``max_logical_qubits`` caps the select-swap block and the
    unlookup's one-hot register; a model that cannot fit even so has
    ``within_budget`` False.
    """
    if model not in _COSTS:
        raise ValueError(f"unknown memory model {model!r}; choose one of {', '.join(MEMORY_MODELS)}")
    if layout not in (ALL_COORDINATES, PER_COORDINATE):
        raise ValueError(f"unknown layout {layout!r}")
    check_convention(uncompute, adder)
    if max_logical_qubits is not None and max_logical_qubits < 1:
        raise ValueError(f"max_logical_qubits must be >= 1, got {max_logical_qubits}")
    shape = worst_case_shape(m, d, bits, layout if model == "qrom" else ALL_COORDINATES)
    return _COSTS[model](shape, uncompute, adder, max_logical_qubits)


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


def scan_cost(m: int, d: int, bits: int, adder: str = DEFAULT_ADDER, uncompute: str = DEFAULT_UNCOMPUTE) -> ScanCost:
    """``m d`` multiply-adds; ``m x`` the shift-and-add of one inner product, computed once, worst case,
    with the same adder (and AND uncomputation) as the quantum variant."""
    check_convention(uncompute, adder)
    shape = worst_case_shape(m, d, bits)
    return ScanCost(int(m), int(d), shape.bits, int(m) * int(d), int(m) * compute_toffolis(shape, adder, uncompute))


def widest_layer(cost: QueryCost) -> int:
    """Toffolis in the widest layer of the schedule behind ``toffoli_depth``: 1 for a chain, ``lambda / 2`` for
    the select-swap network, ``m / 2`` for the bucket brigade's last decoder level."""
    if cost.model == "bucket-brigade":
        return max(1, cost.m // 2)
    if cost.block_size:
        return max(1, cost.block_size // 2)
    return 1
