"""The RAM guard: peak memory of a run, estimated before anything is allocated, and the refusal of what cannot fit.

(Not the quantum memory models of :mod:`circuits.resources`, which cost coherent access to the weights.)

A comparison holds at once (bytes; ``P = n m Q(b)`` expected fired pairs,
times ``PAIR_GROWTH`` for training drift and the transposes built on the way):

- the data: ``X`` and the work copies made while normalising it (``3 n d 8``);
- the initial network and, per finder, its trained weights (kept in the
  result) plus one gradient buffer: ``(finders + 2) m d 8``;
- the fired sets of one iteration, both CSR directions: ``16 P + 16 (n + m)``;
- the largest working set of one finder (:meth:`FiredSetFinder.memory_bytes`:
  its structure, candidates or search state).

Finders run one after another, so only the largest finder working set counts.
The estimate is deliberately on the high side (it is checked against measured
peaks in the tests); :func:`check_fits` refuses a run whose estimate exceeds
``MEMORY_FRACTION`` of the memory available now, and suggests the largest
``m`` (else ``n``) that fits.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Sequence

from circuits.executors import available_memory_bytes
from quantum_train.core.model import fire_probability
from quantum_train.errors import ConfigError

#: Fired pairs can grow during training and are copied while transposed: the estimate's margin.
PAIR_GROWTH = 2.0
#: Bytes of one stored fired pair in both CSR directions (int64 ids).
PAIR_BYTES = 16
#: Fraction of the available memory a run may plan to use.
MEMORY_FRACTION = 0.8
#: What the interpreter, NumPy, numba (with its JIT compiler at work) and Qiskit take before any data
#: (measured: 0.3 GiB at rest; a first run from a cold numba cache compiles every kernel and peaked at
#: about 0.9 GiB above the data's share, in a fresh clone).
BASELINE_BYTES = 1280 * 2**20
#: ``--m`` and ``--n`` above this are refused when parsed: no machine holds 2^40 rows of weights.
MAX_SIZE = 2**40


def expected_pairs(n: int, m: int, b: float) -> float:
    """``n m Q(b)``: the expected number of fired pairs at initialisation."""
    return float(n) * float(m) * fire_probability(b)


@dataclass(frozen=True)
class MemoryEstimate:
    """Estimated peak bytes of a run, by part."""

    parts: tuple[tuple[str, float], ...]

    @property
    def total(self) -> float:
        return sum(v for _, v in self.parts)

    def describe(self) -> str:
        big = sorted(self.parts, key=lambda p: -p[1])[:3]
        return ", ".join(f"{name} {gib(v)}" for name, v in big if v >= 2**20)


def gib(nbytes: float) -> str:
    return f"{nbytes / 2**30:.3g} GiB"


def estimate_run(n: int, m: int, d: int, b: float, finders: Sequence[str]) -> MemoryEstimate:
    """The estimated peak of training one network with each finder in turn (see the module docstring)."""
    from quantum_train.finders import finder_class

    pairs = PAIR_GROWTH * expected_pairs(n, m, b)
    working = max((finder_class(f).memory_bytes(n, m, d, b, pairs) for f in finders), default=0)
    return MemoryEstimate((
        ("interpreter and libraries", float(BASELINE_BYTES)),
        ("data", 3.0 * n * d * 8),
        ("weights", (len(finders) + 2.0) * m * d * 8 + 16.0 * m),
        ("fired pairs", PAIR_BYTES * pairs + 16.0 * (n + m)),
        ("finder state", float(working)),
    ))


def _fits(n: int, m: int, d: int, b: float, finders: Sequence[str], budget: float) -> bool:
    return estimate_run(n, m, d, b, finders).total <= budget


def _largest_fitting(lo: int, hi: int, fits) -> int | None:
    """The largest power of two in ``[lo, hi)`` with ``fits(value)``, or None."""
    best, value = None, 1
    while value < hi:
        if value >= lo and fits(value):
            best = value
        value *= 2
    return best


def check_fits(n: int, m: int, d: int, b: float, finders: Sequence[str], *, b_follows_m: bool = False,
               available: int | None = None) -> MemoryEstimate:
    """Refuse (a :class:`ConfigError` naming ``m`` or ``n``) a run whose estimate exceeds the memory budget.

    ``b`` is the run's threshold; with ``b_follows_m`` (no ``b`` was given)
    the default ``b(m)`` is recomputed for each suggested ``m``.
    """
    from quantum_train.core.model import default_threshold

    avail = available_memory_bytes() if available is None else available
    budget = MEMORY_FRACTION * avail
    estimate = estimate_run(n, m, d, b, finders)
    if estimate.total <= budget:
        return estimate
    need = f"needs about {gib(estimate.total)} ({estimate.describe()})"
    have = f"{gib(budget)} may be used ({MEMORY_FRACTION:g} x {gib(avail)} available now)"
    b_for = default_threshold if b_follows_m else (lambda mm: b)
    m_ok = _largest_fitting(2, m, lambda mm: _fits(n, mm, d, b_for(mm), finders, budget))
    if m_ok is not None:
        raise ConfigError("m", f"m = {m} with n = {n}, d = {d} {need}, but {have}; m = {m_ok} fits")
    n_ok = _largest_fitting(1, n, lambda nn: _fits(nn, m, d, b, finders, budget))
    hint = f"n = {n_ok} fits" if n_ok is not None else "lower n and m"
    raise ConfigError("n", f"n = {n} with m = {m}, d = {d} {need}, but {have}; {hint}")
