"""Statistics of a sweep: fitted exponents against theory, break-even iterations ``T*``, crossover widths ``m*``.

**Exponents.** Per ``(finder, d, n)``, the least-squares slope of ``log cost``
on ``log m`` over every ``(m, seed)`` point (seeds are replicate points), with
a two-sided t interval (``points - 2`` degrees of freedom).

**Theory** (Song, Yang, Zhang 2021; ``docs/design.md``), for find ops per
iteration, with ``k ~ m^kappa`` fired neurons per input:

- dense: 1 (every pair is tested);
- Algorithm 1 on a kd-tree (``weights-hsr:kdtree``): a half-space query visits
  ``O(m^(1 - 1/d))`` cells plus its output ``k``; the tree reports a subtree
  inside the half-space whole, without inner products, so its find *ops*
  follow ``1 - 1/d`` and the output is paid in forward and backward;
  the paper's structure (Agarwal-Eppstein-Matousek) has query term
  ``1 - 1/floor(d/2)``; on the scan (``:brute``), 1;
- Algorithm 2 (``data-hsr``): each moved neuron queries a structure over the
  ``n`` inputs, whose cost does not grow with ``m``, so the exponent is the
  slope of the moved-neuron count ``m (1 - (1 - Q(b))^n)`` times the query
  cost ``q(n) + n Q(b)`` (``q(n) = n^(1-1/d)`` on a tree, ``n`` on the scan);
  the paper's ``4/5`` assumes few neurons move;
- drift: no theory;
- Grover: ``(1 + kappa)/2`` (``sqrt(m k)`` queries per input).

Total ops add forward and backward over the ``n k`` fired pairs, so their
exponent is at least ``kappa``: ``max(find, kappa)``. ``kappa`` at the measured range is the slope of ``m Q(b_m)`` over the measured
widths (``b_m = sqrt(0.4 ln m)``; the nominal 4/5 is reached only
asymptotically). Where ``kappa >= 1 - 1/d`` the output term dominates Algorithm
1's query term, and no structure can show its query exponent.

**Break-even.** A structure that spends ``P`` on preprocessing and ``c`` per
iteration beats dense (``c_0`` per iteration, no preprocessing) after ``T``
iterations when ``P + T c < T c_0``, i.e. for ``T > T* = P / (c_0 - c)``; if
``c >= c_0`` it never does (``None``). Per-iteration costs are not constant
over a run (warm-up; drift's re-checks grow: issue 24), so ``T*`` is taken on
each run's measured *cost curve*: :func:`break_even_on_curves`, which is
:func:`quantum_train.experiments.cost_curve.break_even_after` (the ``T*`` after
which the finder stays cheaper; that module holds the one rule for the curve,
its steady state and both break-even notions). For constant series this is
``P / (c_0 - c)`` exactly. Computed per ``(finder, d, n, m)`` on the series
averaged over seeds, in ops and in wall seconds.

**Steady state.** A run of at least :data:`LONG_RUN` (30) iterations has a
steady state: its iterations from :data:`STEADY_FROM` (10, counted from 0) on;
its steady per-iteration cost is their median (:func:`steady_state_cost`, from
:mod:`quantum_train.experiments.cost_curve`).

**Crossover.** ``m*`` is the width from which a finder is cheaper per
iteration than dense at every larger measured width: the ratio
``c / c_0`` is interpolated linearly in ``log m`` between the last width where
it is ``>= 1`` and the next; ``"always"`` if cheaper at every measured width,
``"never"`` if not cheaper at the largest.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Iterable, Sequence

import numpy as np
from scipy import stats

from quantum_train.experiments.cost_curve import (  # noqa: F401 (LONG_RUN, STEADY_FROM, cost_over_iterations: public here too)
    LONG_RUN,
    STEADY_FROM,
    CostCurve,
    break_even_after,
    cost_over_iterations,
    steady_state_cost,
)
from quantum_train.experiments.sweeps.record import SweepPoint
from quantum_train.finders.registry import is_quantum, theory_for_name
from quantum_train.finders.theory import Theory, fired_exponent_theory  # noqa: F401 (fired_exponent_theory: public here too)

Group = tuple[str, int, int]  # (finder, d, n)


@dataclass(frozen=True)
class Fit:
    """``log y = intercept + slope log m``, least squares, with a t interval of the slope (nan if undefined)."""

    slope: float
    lo: float
    hi: float
    intercept: float
    stderr: float
    points: int
    m_min: int
    m_max: int
    level: float = 0.95

    def predict(self, m) -> np.ndarray:
        return np.exp(self.intercept) * np.asarray(m, dtype=float) ** self.slope

    def format(self, digits: int = 2) -> str:
        if not math.isfinite(self.slope):
            return "-"
        if not math.isfinite(self.lo):
            return f"{self.slope:.{digits}f}"
        return f"{self.slope:.{digits}f} [{self.lo:.{digits}f}, {self.hi:.{digits}f}]"

    def to_dict(self) -> dict:
        def num(x):
            return float(x) if math.isfinite(x) else None

        return {"exponent": num(self.slope), "ci_low": num(self.lo), "ci_high": num(self.hi), "level": self.level,
                "points": self.points, "m_min": self.m_min, "m_max": self.m_max}


def fit_exponent(ms: Sequence[float], ys: Sequence[float], level: float = 0.95) -> Fit:
    """Slope of ``log y`` on ``log m`` with a ``level`` two-sided t interval (3+ points for the interval).

    Replicates (several seeds at one ``m``) are separate points. Non-positive or
    non-finite ``y`` cannot be logged and are refused.
    """
    ms = np.asarray(ms, dtype=float)
    ys = np.asarray(ys, dtype=float)
    if ms.shape != ys.shape or ms.ndim != 1 or ms.size == 0:
        raise ValueError("ms and ys must be 1-D, non-empty and of the same length")
    if np.any(ys <= 0) or np.any(ms <= 0) or not np.all(np.isfinite(ys)):
        raise ValueError("fit_exponent needs positive, finite m and cost")
    nan = math.nan
    m_min, m_max = int(ms.min()), int(ms.max())
    if np.unique(ms).size < 2:
        return Fit(nan, nan, nan, nan, nan, int(ms.size), m_min, m_max, level)
    res = stats.linregress(np.log(ms), np.log(ys))
    dof = ms.size - 2
    lo = hi = nan
    if dof >= 1:
        half = float(stats.t.ppf(0.5 + level / 2, dof) * res.stderr)
        lo, hi = res.slope - half, res.slope + half
    return Fit(float(res.slope), float(lo), float(hi), float(res.intercept), float(res.stderr),
               int(ms.size), m_min, m_max, level)


def fit_or_undefined(ms: Sequence[float], ys: Sequence[float], level: float = 0.95) -> Fit:
    """:func:`fit_exponent`, or an undefined fit (nan) where a cost is zero: no power law passes through 0.

    At a large fixed ``b`` a small instance may fire nothing, and a finder that
    follows the fired pairs then does no work at all at some widths.
    """
    if len(ys) and min(ys) <= 0:
        nan = math.nan
        return Fit(nan, nan, nan, nan, nan, len(ms), int(min(ms)), int(max(ms)), level)
    return fit_exponent(ms, ys, level)


def groups(points: Iterable[SweepPoint]) -> dict[Group, list[SweepPoint]]:
    """Points by ``(finder, d, n)``, in order of first appearance."""
    out: dict[Group, list[SweepPoint]] = {}
    for p in points:
        out.setdefault(p.group, []).append(p)
    return out


# --------------------------------------------------------------------------- theory

def theory_for(finder: str, d: int, n: int, ms: Sequence[int], b: float | None = None) -> Theory:
    """The predicted find-ops exponent of ``finder`` at ``(d, n)`` over the widths ``ms`` (the finder's spec says)."""
    return theory_for_name(finder, d, n, ms, b, fired_exponent_theory(ms, b))


# --------------------------------------------------------------------------- exponents

@dataclass(frozen=True)
class Exponent:
    """The fitted exponents of one ``(finder, d, n)`` next to the theory."""

    finder: str
    d: int
    n: int
    theory: Theory
    find: Fit
    ops: Fit
    seconds: Fit | None  #: None for quantum finders (their seconds are simulation time)
    kappa_measured: Fit  #: slope of the measured fired count per input

    def to_dict(self) -> dict:
        return {"finder": self.finder, "d": self.d, "n": self.n, "theory": self.theory.to_dict(),
                "find_ops_per_iter": self.find.to_dict(), "ops_per_iter": self.ops.to_dict(),
                "seconds_per_iter": None if self.seconds is None else self.seconds.to_dict(),
                "fired_per_input": self.kappa_measured.to_dict()}


def exponents(points: Sequence[SweepPoint], level: float = 0.95) -> list[Exponent]:
    """One :class:`Exponent` per ``(finder, d, n)`` with at least one point."""
    out = []
    for (finder, d, n), ps in groups(points).items():
        ms = [p.m for p in ps]

        def fit(metric: str) -> Fit:
            return fit_or_undefined(ms, [getattr(p, metric) for p in ps], level)  # noqa: B023 - called in this iteration

        out.append(Exponent(finder, d, n, theory_for(finder, d, n, ms, ps[0].b_fixed), fit("find_ops_per_iter"),
                            fit("ops_per_iter"), None if is_quantum(finder) else fit("seconds_per_iter"),
                            fit("fired_per_input")))
    return out


# --------------------------------------------------------------------------- break-even and crossover

def _means(ps: Iterable[SweepPoint], metric: str) -> dict[int, float]:
    by: dict[int, list[float]] = {}
    for p in ps:
        by.setdefault(p.m, []).append(getattr(p, metric))
    return {m: float(np.mean(v)) for m, v in sorted(by.items())}


def against(points: Sequence[SweepPoint], reference: str):
    """``(group, its points, the reference's points at the same (d, n))`` for every other finder's group."""
    by = groups(points)
    for (finder, d, n), ps in by.items():
        ref = by.get((reference, d, n))
        if finder != reference and ref is not None:
            yield (finder, d, n), ps, ref


def break_even_iterations(preprocess: float, per_iter: float, dense_per_iter: float) -> float | None:
    """``T* = P / (c_0 - c)``: for ``T > T*``, ``P + T c < T c_0``; ``None`` if ``c >= c_0`` (never)."""
    if per_iter >= dense_per_iter:
        return None
    return preprocess / (dense_per_iter - per_iter)


def break_even_on_curves(preprocess: float, series: Sequence[float], dense_series: Sequence[float]) -> float | None:
    """``T*`` on measured cost curves: for every ``T > T*``, ``P + F(T) < F_0(T)`` (``None``: never, for long runs).

    :func:`quantum_train.experiments.cost_curve.break_even_after` of the finder's curve (``P``, ``series``) against
    dense's (no preprocessing, ``dense_series``).
    """
    return break_even_after(CostCurve(preprocess, series), CostCurve(0.0, dense_series))


def _mean_series(ps: Iterable[SweepPoint], attr: str) -> dict[int, list[float]]:
    """Per width, the cost series averaged over seeds, iteration by iteration (cut to the shortest run)."""
    by: dict[int, list[Sequence[float]]] = {}
    for p in ps:
        by.setdefault(p.m, []).append(getattr(p, attr))
    out = {}
    for m, runs in sorted(by.items()):
        length = min(len(r) for r in runs)
        out[m] = np.mean([np.asarray(r[:length], dtype=float) for r in runs], axis=0).tolist()
    return out


@dataclass(frozen=True)
class BreakEven:
    """``T*`` of one finder at one ``(d, n, m)``, in ops and wall seconds (``None``: never)."""

    finder: str
    d: int
    n: int
    m: int
    t_star_ops: float | None  #: on the measured cost curves (:func:`break_even_on_curves`)
    t_star_seconds: float | None  #: None also for quantum finders (simulation seconds)
    ratio_ops: float  #: per-iteration ops over dense's (means over the runs)
    ratio_seconds: float | None
    #: the same ratios at steady state (medians of iterations STEADY_FROM on); None where a run is short
    ratio_ops_steady: float | None = None
    ratio_seconds_steady: float | None = None

    def to_dict(self) -> dict:
        return {"finder": self.finder, "d": self.d, "n": self.n, "m": self.m, "t_star_ops": self.t_star_ops,
                "t_star_seconds": self.t_star_seconds, "ratio_ops_vs_dense": self.ratio_ops,
                "ratio_seconds_vs_dense": self.ratio_seconds, "ratio_ops_vs_dense_steady": self.ratio_ops_steady,
                "ratio_seconds_vs_dense_steady": self.ratio_seconds_steady}


def _steady_ratio(series: Sequence[float], dense_series: Sequence[float]) -> float | None:
    c, c0 = steady_state_cost(series), steady_state_cost(dense_series)
    return None if c is None or c0 is None or c0 <= 0 else c / c0


def break_evens(points: Sequence[SweepPoint], reference: str = "dense") -> list[BreakEven]:
    """``T*`` per ``(finder, d, n, m)`` against ``reference`` at the same ``(d, n, m)``, on cost curves averaged over seeds."""
    out = []
    for (finder, d, n), ps, ref in against(points, reference):
        c, c0 = _means(ps, "ops_per_iter"), _means(ref, "ops_per_iter")
        pre = _means(ps, "preprocess_ops")
        s, s0 = _means(ps, "seconds_per_iter"), _means(ref, "seconds_per_iter")
        pre_s = _means(ps, "preprocess_seconds")
        curve, curve0 = _mean_series(ps, "ops_series"), _mean_series(ref, "ops_series")
        secs, secs0 = _mean_series(ps, "seconds_series"), _mean_series(ref, "seconds_series")
        for m in c:
            if m not in c0:
                continue
            wall = not is_quantum(finder)
            out.append(BreakEven(finder, d, n, m, break_even_on_curves(pre[m], curve[m], curve0[m]),
                                 break_even_on_curves(pre_s[m], secs[m], secs0[m]) if wall else None,
                                 c[m] / c0[m], s[m] / s0[m] if wall else None,
                                 _steady_ratio(curve[m], curve0[m]),
                                 _steady_ratio(secs[m], secs0[m]) if wall else None))
    return out


@dataclass(frozen=True)
class Crossover:
    """``m*`` of one finder against dense at one ``(d, n)``, in one metric."""

    finder: str
    d: int
    n: int
    metric: str  #: "ops" or "seconds"
    status: str  #: "crossed" (m_star interpolated), "always" (cheaper at every width), "never" (not at the largest)
    m_star: float | None
    m_min: int
    m_max: int

    def describe(self) -> str:
        if self.status == "never":
            return f"never in 2^{math.log2(self.m_min):.0f}..2^{math.log2(self.m_max):.0f}"
        if self.status == "always":
            return f"<= 2^{math.log2(self.m_min):.0f} (cheaper at every m)"
        return f"2^{math.log2(self.m_star):.1f}"

    def to_dict(self) -> dict:
        return {"finder": self.finder, "d": self.d, "n": self.n, "metric": self.metric, "status": self.status,
                "m_star": self.m_star, "m_min": self.m_min, "m_max": self.m_max, "text": self.describe()}


def crossover_width(ms: Sequence[int], ratios: Sequence[float]) -> tuple[str, float | None]:
    """``(status, m*)`` from per-width cost ratios ``c / c_0`` (widths ascending; see the module docstring)."""
    ms, ratios = list(ms), list(ratios)
    if not ms:
        raise ValueError("no widths")
    if ratios[-1] >= 1:
        return "never", None
    j = len(ratios) - 1
    while j > 0 and ratios[j - 1] < 1:
        j -= 1
    if j == 0:
        return "always", float(ms[0])
    l0, l1 = math.log(ms[j - 1]), math.log(ms[j])
    r0, r1 = math.log(ratios[j - 1]), math.log(ratios[j])  # r0 >= 0 > r1
    return "crossed", float(math.exp(l0 + (l1 - l0) * r0 / (r0 - r1)))


def crossovers(points: Sequence[SweepPoint], reference: str = "dense") -> list[Crossover]:
    """``m*`` per ``(finder, d, n)`` in ops, and in wall seconds for classical finders."""
    out = []
    for (finder, d, n), ps, ref in against(points, reference):
        for metric, attr in (("ops", "ops_per_iter"), ("seconds", "seconds_per_iter")):
            if metric == "seconds" and is_quantum(finder):
                continue
            c, c0 = _means(ps, attr), _means(ref, attr)
            ms = [m for m in c if m in c0]
            if not ms:
                continue
            status, m_star = crossover_width(ms, [c[m] / c0[m] for m in ms])
            out.append(Crossover(finder, d, n, metric, status, m_star, ms[0], ms[-1]))
    return out
