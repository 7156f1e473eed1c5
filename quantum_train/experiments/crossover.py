"""The crossover in ``m``: from which table size on, if ever, one input's quantum find-all beats the scan.

For ``m = 2^10 .. 2^64`` (powers of two, plus the report's own ``m``):

- **queries**: ``c(m) sqrt(m k(m))`` quantum queries, with ``k(m) = m Q(b(m))``
  at the default threshold ``b(m) = sqrt(0.4 ln m)`` (or the report's fixed
  ``--k``), and ``c(m)`` the ratio queries / ``sqrt(m k)`` *measured* on the
  exact emulator of ideal Grover statistics at ``m = 2^10, 2^12, ...`` up to
  ``min(2^18, m)`` and at the report's ``m`` (it is not constant: it falls with
  ``m``), held at the last measured value beyond, with the band ``[min c, max
  c]`` of the measured values stated (``queries_over_sqrt_mk``) and the Toffoli
  crossover recomputed with ``c`` at either end of the band wherever it was not
  measured (``toffoli_band``). At the report's own ``m`` the
  report's measured queries are used, so the crossover and the point values
  agree there.
- **toffoli**: quantum ``queries x query_cost(m).toffoli`` (closed forms of
  :mod:`circuits.resources`, the report's convention and qubit budget; a
  model over the budget at ``m`` does not win there) against the reversible
  scan costed with the same adder, ``m x`` one inner product
  (:func:`circuits.resources.scan_cost`).
- **wall** (with ``--physical``): the more favourable of the QDK's sequential
  runtime and the depth-limited one (:func:`circuits.ft_estimate.depth_limited`),
  from the QDK at every ``m`` up to :data:`QDK_MAX_TOFFOLI` Toffolis (beyond:
  the Toffoli depth times the last layer time, a lower bound), against the scan's median seconds measured
  here, scaled linearly in ``m``, on ``P`` classical cores
  (``--classical-cores``). The ``bucket-brigade`` row is also set against an
  ``m``-processor classical machine (Jaques and Rattew, arXiv:2305.10310):
  each processor scans one row, ``seconds_per_row x ceil(log2 m)`` with the
  log-depth combine of the fired flags (``wall_vs_m_processors``).

Each crossover is a list of intervals ``{"from_m_log2": x, "to_m_log2": y}``
(``y`` None when the quantum variant still wins at ``2^64``), or None with a
``reason``.
"""

from __future__ import annotations

import math

import numpy as np

from circuits import EmulatedExecutor, SearchProblem, find_all
from circuits.resources import query_cost, scan_cost, widest_layer
from quantum_train.core.model import default_threshold, fire_probability

LOG2_RANGE = (10, 64)
#: the emulator measures c(m) up to this size (the find-all takes seconds there)
MEASURE_MAX_LOG2 = 18
#: the QDK's estimator stalls on astronomically long programs; beyond this many Toffolis the runtime is
#: the Toffoli depth times the last layer time estimated (a lower bound: the code distance only grows)
QDK_MAX_TOFFOLI = 10 ** 15


def expected_k(m: int, k: int | None = None) -> float:
    """Fired neurons per input at the default threshold, ``m Q(b(m))`` (at least 1), or the fixed ``k``."""
    if k is not None:
        return float(min(k, m))
    return max(1.0, m * fire_probability(default_threshold(m)))


def measured_c(m_log2: int, strategy: str, delta: float, seed: int, k: int | None = None) -> float:
    """Quantum queries / ``sqrt(m k)`` of one find-all on the exact emulator, ``k`` marked items at random."""
    m = 1 << m_log2
    kk = max(1, int(round(expected_k(m, k))))
    marked = np.sort(np.random.default_rng([seed, 23, m_log2]).choice(m, size=kk, replace=False))
    res = find_all(SearchProblem(m, marked), EmulatedExecutor(), strategy=strategy, delta=delta,
                   seed=np.random.default_rng([seed, 230, m_log2]))
    q = res.queries_by_kind
    return (q["grover"] + q["counting"]) / math.sqrt(m * kk)


def intervals(points: list[tuple[float, bool]]) -> list[dict] | None:
    """Maximal runs of ``True`` over sorted ``(log2 m, wins)`` points, as ``from_m_log2``/``to_m_log2`` intervals."""
    out, start, last = [], None, None
    for x, win in points:
        if win and start is None:
            start = x
        if not win and start is not None:
            out.append({"from_m_log2": start, "to_m_log2": last})
            start = None
        last = x
    if start is not None:
        out.append({"from_m_log2": start, "to_m_log2": None})
    return out or None


def _grid(m: int) -> list[float]:
    lo, hi = LOG2_RANGE
    return sorted(set(range(lo, hi + 1)) | {math.log2(m)})


def _width(x: float) -> int:
    """The width ``m = 2^x`` of a grid point (exact for integer ``x``)."""
    return 1 << int(x) if x == int(x) else int(round(2 ** x))


def crossover_table(report) -> dict:
    """``{model: {"toffoli": ..., "wall": ..., "reason": ...}}`` for a :class:`~quantum_train.experiments.query_cost.CostReport`."""
    o = report.options
    top = min(MEASURE_MAX_LOG2, int(math.log2(report.m)))
    cs = {e: measured_c(e, report.strategy, report.delta, report.seed, o.k)
          for e in range(LOG2_RANGE[0], top + 1, 2) if e != math.log2(report.m)}  # the report measured its own m
    here_c = report.quantum_queries / math.sqrt(report.m * max(1, report.found or report.fired or 1))
    cs[math.log2(report.m)] = here_c
    held = cs[max(cs)]
    band = (min(cs.values()), max(cs.values()))
    per_row_seconds = report.scan_seconds / report.m
    physical = bool(report.physical)
    if physical:
        from circuits.ft_estimate import depth_limited, estimate_counts
    scans = {x: report.scan if x == math.log2(report.m) else scan_cost(_width(x), report.d, report.bits, o.adder,
                                                                          o.uncompute) for x in _grid(report.m)}
    table = {}
    for model, here in report.per_query.items():
        tof_points, wall_points, bb_points = [], [], []
        band_points = {"low": [], "high": []}
        layer = 0.0
        for x in _grid(report.m):
            m = _width(x)
            if m == report.m:
                qc, queries = here, report.quantum_queries
            else:
                qc = query_cost(m, report.d, report.bits, model, uncompute=o.uncompute, adder=o.adder,
                                max_logical_qubits=o.max_logical_qubits)
                c = cs.get(x, held)
                queries = c * math.sqrt(m * expected_k(m, o.k))
            scan = scans[x]
            quantum = queries * qc.toffoli
            tof_points.append((x, qc.within_budget and quantum < scan.toffoli))
            for edge, c_edge in zip(("low", "high"), band):
                q_edge = queries if m == report.m or x in cs else c_edge * math.sqrt(m * expected_k(m, o.k))
                band_points[edge].append((x, qc.within_budget and q_edge * qc.toffoli < scan.toffoli))
            if physical:
                toffoli, depth = int(math.ceil(quantum)), int(math.ceil(queries * qc.toffoli_depth))
                meas = int(math.ceil(queries * qc.measurements))
                if toffoli <= QDK_MAX_TOFFOLI:
                    est = estimate_counts(qc.logical_qubits, max(1, toffoli), meas, o.qubit_model, o.error_budget)
                    dl = depth_limited(est, depth, widest_layer(qc))
                    seconds = min(est.runtime_seconds, dl.runtime_seconds)
                    layer = dl.layer_seconds
                else:  # beyond the QDK's range: the last layer time, a lower bound (the distance only grows)
                    seconds = depth * layer
                classical = per_row_seconds * m / o.classical_cores
                wall_points.append((x, qc.within_budget and seconds < classical))
                bb_points.append((x, qc.within_budget and seconds < per_row_seconds * max(1, math.ceil(x))))
        row = {"toffoli": intervals(tof_points), "wall": intervals(wall_points) if physical else None,
               # the Toffoli crossover with c held at the low and the high end of the measured band beyond 2^18
               "toffoli_band": {"c_low": intervals(band_points["low"]), "c_high": intervals(band_points["high"])}}
        reasons = {}
        if row["toffoli"] is None:
            reasons["toffoli"] = (f"the quantum find-all costs more Toffolis than the reversible scan at every m in "
                                  f"2^{LOG2_RANGE[0]}..2^{LOG2_RANGE[1]} ({o.uncompute}, {o.adder}"
                                  + (f", at most {o.max_logical_qubits} logical qubits" if o.max_logical_qubits
                                     else "") + ")")
        if row["wall"] is None:
            reasons["wall"] = ("no fault-tolerant figures: the physical estimates were not asked for" if not physical else
                               f"the fault-tolerant runtime exceeds the scan's measured seconds on "
                               f"{o.classical_cores} cores at every m in 2^{LOG2_RANGE[0]}..2^{LOG2_RANGE[1]}")
        if physical and model == "bucket-brigade":
            row["wall_vs_m_processors"] = intervals(bb_points)
        if reasons:
            row["reason"] = "; ".join(f"{k}: {v}" for k, v in reasons.items())
        row["queries_over_sqrt_mk"] = {"measured": {f"2^{e:g}": round(c, 4) for e, c in sorted(cs.items())},
                                       "held_beyond": round(held, 4), "band": [round(band[0], 4), round(band[1], 4)]}
        table[model] = row
    return table
