"""A finder's costs at any ``(m, d, n)`` within reach, from the stored map's grid points.

Each stored point gives a vector of costs: the preprocessing ops and
seconds, and the ops and seconds of each of its (3) iterations. At a problem
``(m, d, n)``:

- **on the grid** the point's own vector (``measured``);
- **between grid points**, multilinear interpolation in ``log2 m``,
  ``log2 n`` and ``d`` of ``log cost`` (costs follow power laws in ``m`` and
  ``n``; a zero cost, such as dense's preprocessing, is interpolated linearly)
  (``interpolated``);
- **beyond the grid in m**, at each of the bracketing ``(d, n)`` grid points,
  the edge point's cost times ``(m / m_edge)^e``, with ``e`` the least-squares
  exponent of that cost over the :data:`~.problem.FIT_WIDTHS` widths nearest
  the edge and ``e_lo, e_hi`` its 95 % t interval
  (:func:`quantum_train.experiments.sweeps.fit.fit_exponent`): the costs at ``e_lo`` and
  ``e_hi``, widened by the fit's largest residual (a factor ``exp(max |log y_i - fit_i|)``: the
  exponent's interval alone says how well the slope is known, not how far one point strays from the
  line), bound the range, which is then widened once more by a **backtest** (:func:`backtest_rate`):
  hold out the edge width, extrapolate it from the next ``FIT_WIDTHS`` widths exactly as above, and
  take the log error per octave ``r``; the range is widened by the factor ``exp(r * |log2(m / m_edge)|)``
  (the low edge's backtest below the grid, the high edge's above) (``extrapolated``);
- **beyond the grid in n**, the two-point exponent between ``n = 256`` and
  ``1024`` at that ``(m, d)``, its range the least and largest such exponent
  over the grid's widths at that ``d`` and at its neighbouring grid ``d``
  (``extrapolated``). With only two ``n`` stored no point can be held out, so
  this is the exponent's stability across the grid, not a backtest of the
  extrapolation itself: the row's note says so.

:class:`Estimate` carries the central vector and the low and high vectors
(equal to the central one unless extrapolated).
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

from quantum_train.experiments.verdict.problem import FIT_WIDTHS, GRID_D

#: the slots of a point's cost vector
PREPROCESS_OPS, PREPROCESS_SECONDS = 0, 1


def record_vector(record: dict) -> np.ndarray:
    """``[P ops, P seconds, c_1 ops .. c_K ops, c_1 s .. c_K s]`` of one stored record."""
    return np.array([record["preprocess"]["ops"], record["preprocess"]["seconds"],
                     *record["ops_by_iteration"], *record["seconds_by_iteration"]], dtype=float)


@dataclass(frozen=True)
class Estimate:
    """One finder's cost vector at a problem: central, low and high, with where it comes from."""

    finder: str
    value: np.ndarray
    low: np.ndarray
    high: np.ndarray
    source: str  #: measured, interpolated or extrapolated
    iters: int  #: iterations of the stored points
    host: str

    def part(self, which: str, kind: str) -> tuple[float, tuple[float, ...]]:
        """``(preprocess, per-iteration series)`` of ``which`` vector (value/low/high) in ops or seconds."""
        v = getattr(self, which)
        k = self.iters
        if kind == "ops":
            return float(v[PREPROCESS_OPS]), tuple(float(x) for x in v[2:2 + k])
        return float(v[PREPROCESS_SECONDS]), tuple(float(x) for x in v[2 + k:2 + 2 * k])


class Unreachable(Exception):
    """The finder's stored points cannot answer this problem (the message says why)."""


def _interp(x: float, x0: float, x1: float, v0: np.ndarray, v1: np.ndarray) -> np.ndarray:
    """Linear in ``x`` between ``(x0, v0)`` and ``(x1, v1)``, of ``log v`` where both are positive."""
    if x1 == x0:
        return v0.copy()
    t = (x - x0) / (x1 - x0)
    out = (1 - t) * v0 + t * v1
    pos = (v0 > 0) & (v1 > 0)
    out[pos] = np.exp((1 - t) * np.log(v0[pos]) + t * np.log(v1[pos]))
    return out


def _bracket(values: tuple[float, ...], x: float) -> tuple[float, float]:
    """The grid values around ``x`` (equal when ``x`` is on the grid, the edge value twice beyond it)."""
    if x <= values[0]:
        return values[0], values[0]
    if x >= values[-1]:
        return values[-1], values[-1]
    for a, b in zip(values, values[1:]):
        if a <= x <= b:
            return (a, a) if x == a else (b, b) if x == b else (a, b)
    raise AssertionError("unreachable")


class FinderGrid:
    """The stored points of one finder at the default threshold, keyed by ``(d, n, m)``."""

    def __init__(self, finder: str, records: list[dict]):
        self.finder = finder
        self.points = {(r["d"], r["n"], r["m"]): record_vector(r) for r in records}
        self.iters = int(records[0]["key"]["iters"])
        self.host = records[0].get("host", "unknown")
        self.ds = tuple(sorted({k[0] for k in self.points}))
        self.ns = tuple(sorted({k[1] for k in self.points}))

    def widths(self, d: int, n: int) -> tuple[int, ...]:
        return tuple(sorted(m for (dd, nn, m) in self.points if dd == d and nn == n))

    # ------------------------------------------------------------------ along m
    def _at_m(self, d: int, n: int, m: int) -> tuple[np.ndarray, np.ndarray, np.ndarray, str]:
        ms = self.widths(d, n)
        if not ms:
            raise Unreachable(f"no stored point at d = {d}, n = {n}")
        if ms[0] <= m <= ms[-1]:
            a, b = _bracket(ms, m)
            v = _interp(math.log2(m), math.log2(a), math.log2(b), self.points[(d, n, a)], self.points[(d, n, b)])
            return v, v, v, "measured" if a == b else "interpolated"
        from quantum_train.experiments.sweeps.fit import fit_exponent

        near = ms[-FIT_WIDTHS:] if m > ms[-1] else ms[:FIT_WIDTHS]
        edge = near[-1] if m > ms[-1] else near[0]
        base = self.points[(d, n, edge)]
        value, low, high = base.copy(), base.copy(), base.copy()
        ratio = m / edge
        for j in range(base.size):
            ys = [self.points[(d, n, mm)][j] for mm in near]
            if min(ys) <= 0 or not all(map(math.isfinite, ys)):
                continue  # a zero cost stays zero (no power law passes through 0)
            fit = fit_exponent(near, ys)
            slopes = [fit.slope] + [s for s in (fit.lo, fit.hi) if math.isfinite(s)]
            candidates = [base[j] * ratio**s for s in slopes]
            scatter = max(abs(math.log(y) - fit.intercept - fit.slope * math.log(mm)) for mm, y in zip(near, ys))
            widen = math.exp(scatter + backtest_rate(ms, [self.points[(d, n, mm)][j] for mm in ms],
                                                     low_edge=m < ms[0]) * abs(math.log2(ratio)))
            value[j] = candidates[0]
            low[j], high[j] = min(candidates) / widen, max(candidates) * widen
        return value, low, high, "extrapolated"

    # ------------------------------------------------------------------ along n
    def _at_n(self, d: int, n: int, m: int) -> tuple[np.ndarray, np.ndarray, np.ndarray, str]:
        ns = self.ns
        if ns[0] <= n <= ns[-1]:
            a, b = _bracket(ns, n)
            va, la, ha, sa = self._at_m(d, a, m)
            if a == b:
                return va, la, ha, sa
            vb, lb, hb, sb = self._at_m(d, b, m)
            x, x0, x1 = math.log2(n), math.log2(a), math.log2(b)
            return (_interp(x, x0, x1, va, vb), _interp(x, x0, x1, la, lb), _interp(x, x0, x1, ha, hb),
                    _worst(sa, sb, "interpolated"))
        if len(ns) < 2:
            raise Unreachable(f"the stored points have one n ({ns[0]}), so n = {n} cannot be extrapolated")
        lo_n, hi_n = ns[0], ns[-1]
        v0, l0, h0, s0 = self._at_m(d, lo_n, m)
        v1, l1, h1, s1 = self._at_m(d, hi_n, m)
        span = math.log(hi_n / lo_n)
        edge_v, edge_l, edge_h = (v1, l1, h1) if n > hi_n else (v0, l0, h0)
        ratio = n / (hi_n if n > hi_n else lo_n)
        spread = self._n_exponent_spread(d, lo_n, hi_n)
        value, low, high = edge_v.copy(), edge_l.copy(), edge_h.copy()
        for j in range(value.size):
            if v0[j] <= 0 or v1[j] <= 0:
                continue
            e = math.log(v1[j] / v0[j]) / span
            e_lo, e_hi = spread.get(j, (e, e))
            factors = [ratio**s for s in (e, min(e, e_lo), max(e, e_hi))]
            value[j] = edge_v[j] * factors[0]
            low[j] = edge_l[j] * min(factors)
            high[j] = edge_h[j] * max(factors)
        return value, low, high, "extrapolated"

    def _n_exponent_spread(self, d: int, lo_n: int, hi_n: int) -> dict[int, tuple[float, float]]:
        """Per slot, the least and largest two-point ``n``-exponent over the widths measured at both ``n``,
        at ``d`` and at its neighbouring grid ``d`` (how much the exponent moves across the grid)."""
        i = self.ds.index(d) if d in self.ds else None
        near_d = [d] if i is None else list(self.ds[max(0, i - 1):i + 2])
        keys = [(dd, mm) for dd in near_d
                for mm in sorted(set(self.widths(dd, lo_n)) & set(self.widths(dd, hi_n)))]
        out: dict[int, tuple[float, float]] = {}
        span = math.log(hi_n / lo_n)
        for dd, mm in keys:
            a, b = self.points[(dd, lo_n, mm)], self.points[(dd, hi_n, mm)]
            for j in range(a.size):
                if a[j] > 0 and b[j] > 0:
                    e = math.log(b[j] / a[j]) / span
                    lo, hi = out.get(j, (e, e))
                    out[j] = (min(lo, e), max(hi, e))
        return out

    # ------------------------------------------------------------------ along d
    def estimate(self, m: int, d: int, n: int) -> Estimate:
        """The cost vector at ``(m, d, n)`` (:class:`Unreachable` when this finder's points cannot answer)."""
        ds = self.ds
        if not ds[0] <= d <= ds[-1]:
            raise Unreachable(f"measured at d in {{{', '.join(map(str, ds))}}} only")
        a, b = _bracket(ds, d)
        if a != b and GRID_D.index(b) - GRID_D.index(a) != 1:
            raise Unreachable(f"measured at d in {{{', '.join(map(str, ds))}}} only, too far apart to interpolate "
                              f"d = {d}")
        va, la, ha, sa = self._at_n(a, n, m)
        if a == b:
            return Estimate(self.finder, va, la, ha, sa, self.iters, self.host)
        vb, lb, hb, sb = self._at_n(b, n, m)
        return Estimate(self.finder, _interp(d, a, b, va, vb), _interp(d, a, b, la, lb), _interp(d, a, b, ha, hb),
                        _worst(sa, sb, "interpolated"), self.iters, self.host)


def backtest_rate(ms: tuple[int, ...] | list[int], ys: list[float], *, low_edge: bool) -> float:
    """Log error per octave of the verdict's own extrapolation, backtested on the grid.

    The edge width (``ms[0]`` when ``low_edge``, else ``ms[-1]``) is held out and
    extrapolated from the next :data:`~.problem.FIT_WIDTHS` widths exactly as
    :meth:`FinderGrid._at_m` extrapolates: ``y_anchor (m_edge / m_anchor)^e`` with ``e``
    the least-squares exponent (:func:`~quantum_train.experiments.sweeps.fit.fit_exponent`).
    Returns ``|log(predicted / measured)| / |log2(m_edge / m_anchor)|`` (0 when fewer than
    3 widths or a cost is not positive: nothing to backtest).
    """
    from quantum_train.experiments.sweeps.fit import fit_exponent

    if len(ms) < 3 or min(ys) <= 0 or not all(map(math.isfinite, ys)):
        return 0.0
    if low_edge:
        held, near, near_y = ms[0], list(ms[1:1 + FIT_WIDTHS]), list(ys[1:1 + FIT_WIDTHS])
        anchor, y_anchor = near[0], near_y[0]
    else:
        held, near, near_y = ms[-1], list(ms[-1 - FIT_WIDTHS:-1]), list(ys[-1 - FIT_WIDTHS:-1])
        anchor, y_anchor = near[-1], near_y[-1]
    y_held = ys[0] if low_edge else ys[-1]
    slope = fit_exponent(near, near_y).slope
    predicted = y_anchor * (held / anchor) ** slope
    return abs(math.log(predicted / y_held)) / abs(math.log2(held / anchor))


def _worst(a: str, b: str, between: str) -> str:
    """The weaker of two sources, and at least ``between`` (two points combined are not one measurement)."""
    order = ("measured", "interpolated", "extrapolated")
    return order[max(order.index(a), order.index(b), order.index(between))]


class StoredMap:
    """Every finder's grid of the stored files at the default threshold (``b`` null in the key)."""

    def __init__(self, records: list[dict]):
        by: dict[str, list[dict]] = {}
        for r in records:
            if r["key"].get("b") is None and r["key"].get("data") == "synthetic" and r["key"].get("seed") == 0:
                by.setdefault(r["finder"], []).append(r)
        self.records = [r for rs in by.values() for r in rs]
        self.grids = {f: FinderGrid(f, rs) for f, rs in by.items()}

    @classmethod
    def default(cls) -> StoredMap:
        """The package's map plus the correlation-tree slice (its dense and finders of the main map are skipped)."""
        from quantum_train.experiments import stored

        main = stored.read_records(stored.MAP)
        have = {r["finder"] for r in main}
        corr = [r for r in stored.read_records(stored.CORR_B) if r["finder"] not in have]
        return cls(main + corr)

    def estimate(self, finder: str, m: int, d: int, n: int) -> Estimate:
        if finder not in self.grids:
            raise Unreachable("not in the stored map")
        return self.grids[finder].estimate(m, d, n)
