"""Text and markdown tables of a sweep: per-point costs, exponents against theory, ``T*`` and ``m*``."""

from __future__ import annotations

import math
from typing import Any, Sequence

import numpy as np

from quantum_train.experiments.sweeps.fit import (
    LONG_RUN,
    STEADY_FROM,
    BreakEven,
    Crossover,
    Exponent,
    fired_exponent_theory,
    groups,
    steady_state_cost,
)
from quantum_train.experiments.sweeps.record import SweepPoint

#: A :class:`quantum_train.experiments.sweeps.Sweep`. Not imported: the package imports this module, and the
#: project keeps its import graph free of cycles (tests/test_layering.py).
SweepLike = Any


def format_table(head: Sequence[str], body: Sequence[Sequence[str]], markdown: bool = False) -> str:
    """Columns aligned (first left, others right) or a markdown table."""
    if markdown:
        return "\n".join(["| " + " | ".join(head) + " |", "|" + "---|" * len(head),
                          *("| " + " | ".join(row) + " |" for row in body)])
    widths = [max(len(h), *(len(row[k]) for row in body)) for k, h in enumerate(head)]

    def line(cells):
        return "  ".join(s.rjust(w) if k else s.ljust(w) for k, (s, w) in enumerate(zip(cells, widths))).rstrip()

    return "\n".join([line(head), line(["-" * w for w in widths]), *(line(row) for row in body)])


def _num(x: float | None, fmt: str = ".3g") -> str:
    return "never" if x is None else format(x, fmt)


def _exp(x: float | None) -> str:
    return "-" if x is None or not math.isfinite(x) else f"{x:.2f}"


#: Iterations of the short-run figure shown beside a long run's steady state (the stored map's run length).
SHORT_RUN = 3


def _has_long_run(points: Sequence[SweepPoint]) -> bool:
    return any(len(p.ops_series) >= LONG_RUN for p in points)


def _short_and_steady(ps: Sequence[SweepPoint], attr: str) -> tuple[str, str]:
    """Means over seeds of the first ``SHORT_RUN`` iterations' mean cost, and of the steady-state median."""
    short = np.mean([np.mean(getattr(p, attr)[:SHORT_RUN]) for p in ps])
    steady = [steady_state_cost(getattr(p, attr)) for p in ps]
    return f"{short:.4g}", "-" if None in steady else f"{np.mean(steady):.4g}"


def format_points(points: Sequence[SweepPoint], markdown: bool = False) -> str:
    """Per ``(finder, d, n, m)``: means over seeds of ops, seconds, preprocessing and fired per input.

    Where a point has a long run (``LONG_RUN`` iterations or more), four more columns put its steady-state
    cost per iteration (median of iterations ``STEADY_FROM`` on) beside the mean of its first ``SHORT_RUN``.
    """
    long_run = _has_long_run(points)
    head = ["finder", "d", "n", "m", "seeds", "ops/iter", "find ops/iter", "s/iter", "preproc ops", "fired/input",
            "m Q(b)", "final loss"]
    if long_run:
        head += [f"ops/iter 0-{SHORT_RUN - 1}", f"ops/iter {STEADY_FROM}+", f"s/iter 0-{SHORT_RUN - 1}",
                 f"s/iter {STEADY_FROM}+"]
    cells: dict[tuple, list[SweepPoint]] = {}
    for p in points:
        cells.setdefault((p.finder, p.d, p.n, p.m), []).append(p)
    body = []
    for (finder, d, n, m), ps in cells.items():
        def mean(attr):
            return float(np.mean([getattr(p, attr) for p in ps]))  # noqa: B023 - called in this iteration

        losses = [p.final_loss for p in ps if p.final_loss is not None]
        secs = f"{mean('seconds_per_iter'):.4f}" + ("*" if ps[0].seconds_label != "wall" else "")
        body.append([finder, str(d), str(n), str(m), str(len(ps)), f"{mean('ops_per_iter'):.4g}",
                     f"{mean('find_ops_per_iter'):.4g}", secs, f"{mean('preprocess_ops'):.3g}",
                     f"{mean('fired_per_input'):.1f}", f"{mean('expected_fired_per_input'):.1f}",
                     f"{np.mean(losses):.5g}" if losses else "-"])
        if long_run:
            body[-1] += [*_short_and_steady(ps, "ops_series"), *_short_and_steady(ps, "seconds_series")]
    out = format_table(head, body, markdown)
    if long_run:
        out += (f"\nops/iter and s/iter: mean and median over each run; 0-{SHORT_RUN - 1}: mean of the first "
                f"{SHORT_RUN} iterations; {STEADY_FROM}+: steady state, the median of iterations {STEADY_FROM} on "
                f"(runs of {LONG_RUN} iterations or more; '-' for a shorter run).")
    if any(p.seconds_label != "wall" for p in points):
        out += "\n* classical simulation seconds of a quantum algorithm, not quantum run time."
    return out


def format_exponents(exps: Sequence[Exponent], points: Sequence[SweepPoint], markdown: bool = False) -> str:
    """Exponents of find ops and total ops per iteration per ``(finder, d, n)``, beside the theory."""
    widths = sorted({p.m for p in points})
    if len(widths) < 2:
        return (f"(no exponents: a fit in m needs at least two widths; this sweep has "
                f"{'one, m = ' + str(widths[0]) if widths else 'none'})")
    level = exps[0].find.level if exps else 0.95
    pct = f"{level:.0%}"
    head = ["finder", "d", "n", "theory (find)", "paper (AEM)", "theory find / total at measured m",
            f"find ops exponent [{pct} CI]", f"total ops exponent [{pct} CI]", f"wall s exponent [{pct} CI]",
            "fired k exponent"]
    body = []
    for e in exps:
        at = f"{_exp(e.theory.at_range)} / {_exp(e.theory.total)}" + (" (output)" if e.theory.output_dominates else "")
        body.append([e.finder, str(e.d), str(e.n), e.theory.nominal, e.theory.paper, at, e.find.format(),
                     e.ops.format(), "- (simulation)" if e.seconds is None else e.seconds.format(),
                     e.kappa_measured.format()])
    b = points[0].b_fixed if points else None
    kappa = fired_exponent_theory(widths, b)
    dominated = sorted({e.d for e in exps if e.theory.output_dominates})
    seeds = len({p.seed for p in points})
    foot = [f"least squares of log cost on log m over m = {widths[0]}..{widths[-1]} ({len(widths)} widths x {seeds} "
            f"seed(s) as replicate points); t interval with points - 2 degrees of freedom.",
            "ops = d-dimensional inner products or kd-tree bound tests (a correlation-tree node 1/d) per iteration; "
            "total = find + forward + backward + update; quantum find ops are oracle queries (coherent QRAM access "
            "to the weights assumed).",
            f"kappa (theory at measured m) = slope of m Q(b) = {kappa:.2f}: the fired count per input; forward and "
            "backward cost n k, so no total exponent falls below kappa.",
            "a tree reports a whole subtree inside the half-space without inner products: its find ops count the "
            "query term, the output k is paid in forward/backward (and in wall seconds)."]
    if dominated:
        foot.append(f"output dominates (marked 'output') at d = {', '.join(map(str, dominated))}: there kappa = "
                    f"{kappa:.2f} >= 1 - 1/d, so Algorithm 1's total ops grow like the output n k, and no structure "
                    "can show its query exponent in them.")
    sep = "\n- " if markdown else "\n"
    return format_table(head, body, markdown) + ("\n" if markdown else "") + sep + sep.join(foot)


def _b_text(b: float | None) -> str:
    return "default sqrt(0.4 ln m)" if b is None else f"{b:g}"


def format_crossovers(evens: Sequence[BreakEven], crosses: Sequence[Crossover], markdown: bool = False) -> str:
    """Per ``(finder, d, n)``: ``m*`` in ops and seconds, and ``T*`` at the largest width."""
    if not crosses:
        return "(no T* or m*: they need dense in the sweep)"
    by_cross: dict[tuple, dict[str, Crossover]] = {}
    for c in crosses:
        by_cross.setdefault((c.finder, c.d, c.n), {})[c.metric] = c
    last: dict[tuple, BreakEven] = {}
    for e in evens:
        key = (e.finder, e.d, e.n)
        if key not in last or e.m > last[key].m:
            last[key] = e
    steady = any(e.ratio_ops_steady is not None for e in evens)
    head = ["finder", "d", "n", "m* (ops)", "m* (wall s)", "at m", "ops/iter vs dense", "T* (ops)", "T* (wall s)"]
    if steady:
        head[7:7] = [f"ops vs dense {STEADY_FROM}+", f"s vs dense {STEADY_FROM}+"]
    body = []
    for key, cs in by_cross.items():
        e = last.get(key)
        row = [key[0], str(key[1]), str(key[2]), cs["ops"].describe(),
               cs["seconds"].describe() if "seconds" in cs else "- (simulation)",
               "-" if e is None else str(e.m), "-" if e is None else f"{e.ratio_ops:.3g}",
               "-" if e is None else _num(e.t_star_ops),
               "-" if e is None or e.ratio_seconds is None else _num(e.t_star_seconds)]
        if steady:
            row[7:7] = ["-" if e is None or r is None else f"{r:.3g}"
                        for r in ((None, None) if e is None else (e.ratio_ops_steady, e.ratio_seconds_steady))]
        body.append(row)
    foot = ["m*: the width from which the finder is cheaper per iteration than dense at every larger measured width "
            "(interpolated in log m).",
            "T*: iterations after which preprocessing is paid back, P + F(T) < F_dense(T) for T > T*, on each run's "
            "measured cost curve F (its iterations, then its steady-state median per iteration); "
            "'never': not cheaper per iteration in the long run at that m."]
    if steady:
        foot.append(f"{STEADY_FROM}+: ratio of steady-state medians (iterations {STEADY_FROM} on of runs of "
                    f"{LONG_RUN} or more).")
    sep = "\n- " if markdown else "\n"
    return format_table(head, body, markdown) + ("\n" if markdown else "") + sep + sep.join(foot)


def format_sweep(sweep: SweepLike, markdown: bool = False) -> str:
    counts = f"{sweep.ran} points run, {sweep.skipped} taken from the store"
    if sweep.slices:  # several thresholds: one report per b, each fitted on its own points
        return f"{counts}; one report per threshold b:\n\n" + "\n\n".join(
            f"{'### ' if markdown else '== '}b = {_b_text(b)}\n\n" + format_sweep(part, markdown)
            for b, part in sweep.slices)
    points = list(sweep.points)
    return "\n\n".join([
        format_points(points, markdown),
        f"exponent of cost against m ({counts if sweep.ran or sweep.skipped else 'this threshold'}):",
        format_exponents(list(sweep.exponents), points, markdown),
        "break-even against dense:",
        format_crossovers(list(sweep.break_evens), list(sweep.crossovers), markdown),
    ])


__all__ = ["format_table", "format_points", "format_exponents", "format_crossovers", "format_sweep", "groups"]
