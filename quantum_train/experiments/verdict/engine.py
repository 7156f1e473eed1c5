"""Building a :class:`~.result.Verdict`: the rows, then the winner, margins, break-even, crossovers, answer.

Classical rows come from the stored map (:mod:`.lookup`, shaped over the run by
:mod:`.long_run`) or, with ``--measure`` or a data set, from a run made now
through :func:`quantum_train.compare` when its estimated time
(:mod:`quantum_train.experiments.run_time`) and memory (:mod:`quantum_train.experiments.ram_guard`)
fit; a point too long to run has its stored seconds rescaled to this machine by
timing dense at one small grid point here. Quantum rows are the report of
``quantum-train resources --n N --iters T`` (:func:`quantum_train.experiments.query_cost.cost_report`).

**Winner.** ``winner.ops`` is the argmin of ``total.ops`` over the classical
rows with figures; ``winner.seconds`` the argmin of ``total.seconds`` over them
and, with ``--physical``, the quantum rows (their fault-tolerant seconds).
The margins are the runner-up's total and dense's total over the winner's.
"""

from __future__ import annotations

import dataclasses
import math
from typing import Sequence

from quantum_train.errors import ConfigError, option
from quantum_train.experiments.cost_curve import CostCurve, break_even_iters
from quantum_train.experiments.verdict.long_run import NO_LONG_RUNS, long_run_records, nearest_shape, shaped_curve
from quantum_train.experiments.verdict.lookup import StoredMap, Unreachable
from quantum_train.experiments.verdict.problem import GRID_D, GRID_M, GRID_N, Problem, check_problem, log2_text
from quantum_train.experiments.verdict.result import Verdict
from quantum_train.experiments.verdict.rows import AUTOMATIC, CLASSICAL, Row, classical_row, quantum_rows, unavailable
from quantum_train.finders.hsr import SCAN_FROM_D

#: ``--measure`` runs the point itself when its estimated seconds are at most this (else it rescales seconds)
MEASURE_BUDGET_SECONDS = 600.0
#: the grid point timed here to rescale the stored seconds (m, n; d is the problem's nearest grid d)
RESCALE_POINT = (2**12, 256)
CORR = ("corr-dtree", "corr-wtree")


def build_verdict(problem: Problem, *, stored_map: StoredMap | None = None,
                  long_runs: Sequence[dict] | None = None, quantum_report: dict | None = None) -> Verdict:
    """The verdict of ``problem`` (checked first). ``stored_map``, ``long_runs`` (records) and ``quantum_report``
    (a ``CostReport.to_dict()``) replace the package's stored files and the resource model, for tests."""
    check_problem(problem)
    models = _check_quantum_options(problem)
    notes: list[str] = []
    measured = _measure_now(problem, notes) if (problem.measure or problem.measured_data) else None
    if measured is not None:
        rows, host = _rows_from_comparison(problem, measured), "this machine"
    else:
        stored_map = stored_map or StoredMap.default()
        long_runs = list(long_run_records() if long_runs is None else long_runs)
        rows, host = _rows_from_map(problem, stored_map, long_runs, notes)
        if problem.measure:
            host = _rescale_seconds(problem, stored_map, rows, notes)
    rows += _quantum(problem, models, quantum_report, notes)
    return _decide(problem, tuple(rows), notes, host)


# ---------------------------------------------------------------------------- the options of the quantum rows

def _check_quantum_options(p: Problem) -> tuple[str, ...]:
    from circuits.resources import MEMORY_MODELS
    from quantum_train.experiments.query_cost import MAX_SEARCH_M, check_cost_options

    models = p.memory or tuple(MEMORY_MODELS)
    return check_cost_options(min(p.m, MAX_SEARCH_M), p.d, p.bits, models, p.physical)


def _quantum(p: Problem, models: tuple[str, ...], report: dict | None, notes: list[str]) -> list[Row]:
    from circuits.resources import DEFAULT_ADDER, DEFAULT_UNCOMPUTE
    from quantum_train.experiments.query_cost import MAX_SEARCH_M, RunOptions, check_run_options, cost_report

    if report is None and p.m > MAX_SEARCH_M:
        reason = (f"the resource model measures the find-all's queries on the emulator, at most m = "
                  f"{log2_text(MAX_SEARCH_M)}")
        return [unavailable(f"grover-{model}", p.iters, reason, kind="quantum") for model in models]
    if report is None:
        opts = RunOptions(uncompute=p.uncompute or DEFAULT_UNCOMPUTE, adder=p.adder or DEFAULT_ADDER, n=p.n,
                          iters=p.iters)
        check_run_options(p.m, opts, p.physical)
        report = cost_report(p.m, p.d, p.bits, models, "counting", 1e-3, 0, p.physical, options=opts).to_dict()
    notes.append(f"grover rows: the resource model of `resources` with {option('n', p.n)}, {option('iters', p.iters)} "
                 f"(one input's measured find-all, counting, delta 1e-3, times n T; b = b(m)); {report['assumptions']}")
    return quantum_rows(report, p.iters)


# ---------------------------------------------------------------------------- classical rows from the stored map

def _rows_from_map(p: Problem, smap: StoredMap, long_runs: list[dict], notes: list[str]) -> tuple[list[Row], str]:
    rows, hosts, shaped = [], set(), []
    for name in CLASSICAL:
        try:
            est = smap.estimate(name, p.m, p.d, p.n)
        except Unreachable as why:
            reason = f"the stored map cannot answer this problem: {why}"
            if name in CORR:
                reason = f"the correlation-tree slice cannot answer this problem: {why}; add {option('measure', True)} to run it"
            rows.append(unavailable(name, p.iters, reason))
            continue
        hosts.add(est.host)
        shape = nearest_shape(long_runs, name, p.m, p.d, p.n)
        curves = {}
        for which in ("value", "low", "high"):
            curves[which] = {}
            for kind in ("ops", "seconds"):
                pre, short = est.part(which, kind)
                long = None if shape is None else (shape.ops if kind == "ops" else shape.seconds)
                curves[which][kind] = shaped_curve(pre, short, long)
        note = None
        if shape is not None:
            note = f"scaled over T with the measured shape of the nearest long run ({shape.describe()})"
            shaped.append(name)
        elif long_runs:
            note = f"no long-run point of {name}: its total is the {est.iters}-iteration mean x T"
        if est.source == "extrapolated" and not GRID_N[0] <= p.n <= GRID_N[-1]:
            note = (f"{note}; " if note else "") + N_RANGE_CAVEAT
        rows.append(classical_row(name, p.iters, est.source, curves["value"], curves["low"], curves["high"], note))
        if name in AUTOMATIC:
            rows.extend(_automatic_row(p, name))
    if not long_runs:
        notes.append(NO_LONG_RUNS)
    host = ", ".join(sorted(hosts)) or None
    notes.append(f"seconds: measured on the machine that made the stored map (host {host!r}), not this one; "
                 f"{option('measure', True)} times dense here and rescales them, or runs the point itself when it fits")
    notes.append("interpolated: between grid points in log m, log n and d; extrapolated: fitted power laws beyond "
                 "the grid (the range in brackets from the exponents' 95 % intervals, widened by the fits' largest residual in m "
                 "and by a backtest: the grid's edge width held out and extrapolated the same way, its log error per "
                 "octave times the octaves extrapolated)")
    return rows, host


#: the row note beyond the grid in n: no point can be held out there, so the range is not a backtest
N_RANGE_CAVEAT = (f"n is beyond the stored n = {{{', '.join(map(str, GRID_N))}}}; with two n no point can be held out, so "
                  "the range is only the n-exponent's spread over the grid's widths and neighbouring d, not a backtest "
                  f"of the extrapolation (add {option('measure', True)} to run it)")


def _automatic_row(p: Problem, pinned: str) -> list[Row]:
    """The automatic structure choice beside the pinned kd-tree: it times a kd-tree against a scan on the machine
    it runs on and charges that probe (at ``d >= 8`` it falls back to the scan), so the stored map, which pinned
    the kd-tree, cannot give its figures: the row says so (``--measure`` runs it)."""
    auto = AUTOMATIC[pinned]
    how = (f"takes the scan by rule at d >= {SCAN_FROM_D} (no probe, no tree)" if p.d >= SCAN_FROM_D else
           "times a kd-tree against a scan on the machine it runs on and charges that probe")
    return [unavailable(auto, p.iters, f"the automatic choice {how}, so it differs from {pinned}; the stored map "
                        f"holds the pinned kd-tree only: add {option('measure', True)} to run it")]


# ---------------------------------------------------------------------------- --measure and data sets

def _classical_finders() -> list[str]:
    """Every classical method of the table, the automatic structure choices included (a run made now has them)."""
    return [*CLASSICAL[:4], *AUTOMATIC.values(), *CORR]


def _measure_now(p: Problem, notes: list[str]):
    """The comparison run now when it fits (time and memory); None to fall back on the map (synthetic only)."""
    from quantum_train.core.model import default_threshold, fire_probability
    from quantum_train.experiments import ram_guard, run_time
    from quantum_train.experiments.comparison import CompareConfig, load_data, run_comparison
    from quantum_train.finders import parse_finders

    config = CompareConfig(data=p.data, n=p.n, m=p.m, d=p.d, iters=p.iters, b=p.b)
    # a bad data request is refused for what it is, before the estimates below; loaded once, for the run too
    dataset = load_data(config) if p.measured_data else None
    b = default_threshold(p.m) if p.b is None else p.b
    finders = _classical_finders()
    try:
        ram_guard.check_fits(p.n, p.m, p.d, b, finders, b_follows_m=p.b is None)
    except ConfigError as err:  # the trees hold n m products: run the others if they fit
        finders = [f for f in finders if f not in CORR]
        ram_guard.check_fits(p.n, p.m, p.d, b, finders, b_follows_m=p.b is None)  # refuses, naming what fits
        notes.append(f"{option('measure', True)}: the correlation trees do not fit this machine's memory ({err}); run without them")
    seconds = run_time.estimate_run(finders, p.n, p.m, p.d, fire_probability(b), p.iters).total
    if seconds > MEASURE_BUDGET_SECONDS:
        if p.measured_data or not p.in_reach():
            field = "data" if p.measured_data else "measure"
            raise ConfigError(field, f"running this point here would take about {run_time.duration(seconds)} (more "
                              f"than {run_time.duration(MEASURE_BUDGET_SECONDS)}); lower {option('iters')}, {option('n')} or {option('m')}")
        notes.append(f"{option('measure', True)}: running the point would take about {run_time.duration(seconds)}; the stored "
                     "figures are used, their seconds rescaled to this machine")
        return None
    return run_comparison(dataclasses.replace(config, finders=parse_finders(finders)), data=dataset)


def _rows_from_comparison(p: Problem, comparison) -> list[Row]:
    rows = []
    for name in comparison.finders:
        curves = {kind: comparison.curve(name, kind) for kind in ("ops", "seconds")}
        rows.append(classical_row(name, p.iters, "measured", curves,
                                  note="run now on this machine (qt.compare), every iteration measured"))
    return rows


def _rescale_seconds(p: Problem, smap: StoredMap, rows: list[Row], notes: list[str]) -> str:
    """Time dense at one small grid point here, and rescale every stored row's seconds by here / stored."""
    import quantum_train as qt

    m0, n0 = RESCALE_POINT
    d0 = min(GRID_D, key=lambda d: (abs(d - p.d), d))
    here = qt.compare(n=n0, m=m0, d=d0, iters=3, finders="dense", progress=False)
    stored = smap.estimate("dense", m0, d0, n0)
    _, series = stored.part("value", "seconds")
    factor = math.fsum(here["dense"].seconds_by_iteration) / math.fsum(series)
    for k, r in enumerate(rows):
        if r.curve_seconds is None:
            continue
        c = r.curve_seconds
        scaled = CostCurve(c.preprocess * factor, tuple(x * factor for x in c.series))
        rng = None if r.seconds_range is None else tuple(x * factor for x in r.seconds_range)
        rows[k] = Row(**{**r.__dict__, "curve_seconds": scaled, "preprocess_seconds": scaled.preprocess,
                         "total_seconds": scaled.total(p.iters).total, "seconds_range": rng})
    notes.append(f"{option('measure', True)}: seconds rescaled to this machine by {factor:.3g} (dense at m = {log2_text(m0)}, "
                 f"d = {d0}, n = {n0}, 3 iterations, timed here against the stored point)")
    return "this machine (rescaled)"


# ---------------------------------------------------------------------------- winner, margins, break-even, answer

def argmin(rows: Sequence[Row], currency: str) -> list[Row]:
    """The rows with a total in ``currency``, cheapest first (ties: table order)."""
    key = "total_ops" if currency == "ops" else "total_seconds"
    have = [r for r in rows if r.available and getattr(r, key) is not None and math.isfinite(getattr(r, key))]
    if currency == "ops":
        have = [r for r in have if r.kind == "classical"]
    return sorted(have, key=lambda r: getattr(r, key))


def _decide(p: Problem, rows: tuple[Row, ...], notes: list[str], host: str | None) -> Verdict:
    winner, margin = {}, {}
    for currency in ("ops", "seconds"):
        key = "total_ops" if currency == "ops" else "total_seconds"
        ranked = argmin(rows, currency)
        if not ranked:
            winner[currency], margin[currency] = None, None
            continue
        best = ranked[0]
        dense = next((r for r in ranked if r.name == "dense"), None)
        win_total = getattr(best, key)
        margin[currency] = {
            "runner_up": ranked[1].name if len(ranked) > 1 else None,
            "over_runner_up": getattr(ranked[1], key) / win_total if len(ranked) > 1 and win_total > 0 else None,
            "over_dense": getattr(dense, key) / win_total if dense is not None and win_total > 0 else None}
        winner[currency] = best.name
    dense = next((r for r in rows if r.name == "dense" and r.available), None)
    be_ops, be_s = {}, {}
    for r in rows:
        if r.kind != "classical" or r.name == "dense" or not r.available or dense is None:
            continue
        be_ops[r.name] = break_even_iters(r.curve_ops, dense.curve_ops)
        be_s[r.name] = break_even_iters(r.curve_seconds, dense.curve_seconds)
    crossovers = _crossovers(p)
    answer = _answer(p, rows, winner, margin, be_ops)
    return Verdict(p, rows, winner, margin, be_ops, be_s, tuple(crossovers), answer, tuple(notes), host)


def _crossovers(p: Problem) -> list[dict]:
    """``m*`` of each stored finder against dense at the grid ``(d, n)`` nearest the problem, with the side of
    ``m`` it falls on (:func:`quantum_train.experiments.sweeps.fit.crossovers`)."""
    from quantum_train.experiments import stored
    from quantum_train.experiments.sweeps.fit import crossovers
    from quantum_train.experiments.sweeps.record import SweepPoint

    d0 = min(GRID_D, key=lambda d: (abs(d - p.d), d))
    n0 = min(GRID_N, key=lambda n: abs(math.log2(n / p.n)))
    points = [SweepPoint.from_record(r) for r in stored.read_records(stored.MAP) if r["d"] == d0 and r["n"] == n0]
    out = []
    for c in crossovers(points):
        if c.status == "crossed":
            side = "this m is above it: cheaper here" if p.m >= c.m_star else "this m is below it: not cheaper yet"
        elif c.status == "always":
            side = "cheaper here"
        else:
            side = "not cheaper here" if p.m <= GRID_M[-1] else "beyond the stored widths"
        out.append(c.to_dict() | {"side": side})
    return out


def _answer(p: Problem, rows, winner, margin, be_ops) -> str:
    size = f"m = {log2_text(p.m)}, d = {p.d}, n = {p.n}, T = {p.iters}"
    w_ops = winner.get("ops")
    if w_ops is None:
        return f"For {size}: no classical method has figures here."
    parts = []
    if w_ops == "dense":
        parts.append("no preprocessing pays off in inner products: dense is cheapest")
    else:
        over = margin["ops"]["over_dense"]
        be = be_ops.get(w_ops)
        parts.append(f"{w_ops} is cheapest in inner products, {over:.3g}x fewer than dense"
                     + (f" (it pays from T = {be})" if be is not None else ""))
    w_s = winner.get("seconds")
    if w_s is not None:
        over = margin["seconds"]["over_dense"]
        row = next(r for r in rows if r.name == w_s)
        where = "fault-tolerant seconds" if row.kind == "quantum" else "seconds"
        parts.append("dense is fastest in seconds" if w_s == "dense" else
                     f"{w_s} is fastest in {where}, {over:.3g}x faster than dense")
    if not any(r.kind == "quantum" and r.ft_seconds is not None for r in rows):
        parts.append(f"no quantum memory model is timed without {option('physical', True)}")
    else:
        q = [r for r in rows if r.kind == "quantum" and r.ft_seconds is not None]
        dense = next((r for r in rows if r.name == "dense" and r.total_seconds is not None), None)
        if q and dense is not None:
            fastest = min(q, key=lambda r: r.ft_seconds)
            verb = "beats" if fastest.ft_seconds < dense.total_seconds else "does not beat"
            parts.append(f"the fastest quantum model, {fastest.name}, {verb} dense in seconds")
    source = {r.source for r in rows if r.kind == "classical" and r.available}
    label = "measured" if source == {"measured"} else "/".join(sorted(source))
    return f"For {size}: " + "; ".join(parts) + f" ({label} figures)."
