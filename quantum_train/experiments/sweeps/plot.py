"""Figures of a sweep: cost against m per (finder, d, n), and the phase diagram on the (d, m) grid.

Figures are built on :class:`matplotlib.figure.Figure` directly (no pyplot, no
``matplotlib.use``), so they work under any backend and in notebooks; files
are written atomically in the format of their extension (png, pdf, svg).
"""

from __future__ import annotations

import math
from typing import Any

import numpy as np

from quantum_train.experiments.sweeps.config import is_quantum
from quantum_train.experiments.sweeps.fit import _mean_series, _means, break_even_on_curves, groups

#: A :class:`quantum_train.experiments.sweeps.Sweep`. Not imported: the package imports this module, and the
#: project keeps its import graph free of cycles (tests/test_layering.py).
SweepLike = Any


def save_figure(fig, path: str) -> None:
    """Write ``fig`` to ``path`` atomically, in the format its extension names (one writer: the comparison's)."""
    from quantum_train.output.plots import save_figure as write

    write(fig, path, dpi=100)


def _figure(rows: int, cols: int, width: float, height: float):
    from matplotlib.figure import Figure

    fig = Figure(figsize=(width * cols, height * rows), layout="constrained")
    axes = fig.subplots(rows, cols, squeeze=False)
    return fig, axes


def sweep_figure(sweep: SweepLike):
    """Per ``(d, n)`` one row of log-log panels against m: find ops, total ops, wall seconds per iteration.

    Markers are means over seeds with their min-max range; dashed lines are the
    fitted power laws, labelled with the exponent; the crossover ``m*`` of each
    finder against dense (in ops) is marked by a vertical tick.
    """
    points = list(sweep.points)
    finders = list(dict.fromkeys(p.finder for p in points))
    cells = sorted({(p.d, p.n) for p in points})
    fig, axes = _figure(len(cells), 3, 5.4, 3.9)
    colors = [f"C{k}" for k in range(10)]
    by = groups(points)
    fits = {(e.finder, e.d, e.n): e for e in sweep.exponents}
    cross = {(c.finder, c.d, c.n): c for c in sweep.crossovers if c.metric == "ops"}
    for row, (d, n) in enumerate(cells):
        for col, (metric, label) in enumerate((("find_ops_per_iter", "find ops / iteration"),
                                               ("ops_per_iter", "total ops / iteration"),
                                               ("seconds_per_iter", "wall seconds / iteration"))):
            ax = axes[row][col]
            for k, f in enumerate(finders):
                ps = by.get((f, d, n))
                if not ps or (metric == "seconds_per_iter" and is_quantum(f)):
                    continue
                means = _means(ps, metric)
                ms = list(means)
                lo = [means[m] - min(getattr(p, metric) for p in ps if p.m == m) for m in ms]
                hi = [max(getattr(p, metric) for p in ps if p.m == m) - means[m] for m in ms]
                e = fits.get((f, d, n))
                fit = None if e is None else {"find_ops_per_iter": e.find, "ops_per_iter": e.ops,
                                              "seconds_per_iter": e.seconds}[metric]
                ok = fit is not None and math.isfinite(fit.slope)
                color = colors[k % len(colors)]
                ax.errorbar(ms, list(means.values()), yerr=[lo, hi], fmt="o", ms=4, capsize=2, color=color,
                            label=f"{f}: m^{fit.slope:.2f}" if ok else f)
                if ok:
                    grid = np.geomspace(min(ms), max(ms), 40)
                    ax.plot(grid, fit.predict(grid), "--", lw=1, color=color)
                c = cross.get((f, d, n))
                if metric == "ops_per_iter" and c is not None and c.status == "crossed":
                    ax.axvline(c.m_star, color=color, lw=0.8, ls=":")
            ax.set_xscale("log", base=2)
            ax.set_yscale("log")
            ax.set(xlabel="width m", ylabel=label, title=f"d = {d}, n = {n}: {label}")
            ax.legend(fontsize=7)
    data = points[0].record["key"]["data"] if points else ""
    fig.suptitle(f"quantum-train sweep ({data}): quantum ops are oracle queries (QRAM assumed); "
                 "dotted verticals: m* against dense in ops")
    return fig


def _winners(points, metric: str, finders: list[str]):
    """Per (d, n, m): (best finder, margin = runner-up cost / best cost) on ``metric`` means over seeds."""
    by = groups(points)
    out: dict[tuple[int, int, int], tuple[str, float]] = {}
    cells = {(p.d, p.n, p.m) for p in points}
    for d, n, m in cells:
        costs = []
        for f in finders:
            ps = [p for p in by.get((f, d, n), []) if p.m == m]
            if ps:
                costs.append((float(np.mean([getattr(p, metric) for p in ps])), f))
        costs.sort()
        if costs:
            margin = costs[1][0] / costs[0][0] if len(costs) > 1 and costs[0][0] > 0 else math.inf
            out[(d, n, m)] = (costs[0][1], margin)
    return out


def _best_preprocessing_t_star(points) -> dict[tuple[int, int, int], tuple[str, float | None]]:
    """Per (d, n, m): among finders that preprocess (ops > 0, classical), the cheapest per iteration and its T*."""
    by = groups(points)
    out = {}
    for d, n, m in {(p.d, p.n, p.m) for p in points}:
        dense = [p for p in by.get(("dense", d, n), []) if p.m == m]
        if not dense:
            continue
        curve0 = _mean_series(dense, "ops_series")[m]
        best = None
        for (f, fd, fn), ps in by.items():
            sub = [p for p in ps if fd == d and fn == n and p.m == m]
            if not sub or is_quantum(f) or f == "dense":
                continue
            pre = float(np.mean([p.preprocess_ops for p in sub]))
            c = float(np.mean([p.ops_per_iter for p in sub]))
            if pre > 0 and (best is None or c < best[1]):
                best = (f, c, break_even_on_curves(pre, _mean_series(sub, "ops_series")[m], curve0))
        if best is not None:
            out[(d, n, m)] = (best[0], best[2])
    return out


def map_figure(sweep: SweepLike):
    """The phase diagram: per n, three panels on the (d, m) grid.

    1. cheapest finder per iteration in ops (quantum: oracle queries), with the
       margin over the runner-up (runner-up cost / best cost) written in each cell;
    2. the same in wall seconds (classical finders only: simulation seconds are not run time);
    3. ``T*`` (ops) of the best preprocessing finder, the one cheapest per
       iteration among those that preprocess, with its name's initial.
    """
    from matplotlib.colors import ListedColormap

    points = list(sweep.points)
    finders = list(dict.fromkeys(p.finder for p in points))
    classical = [f for f in finders if not is_quantum(f)]
    ns = sorted({p.n for p in points})
    ds = sorted({p.d for p in points})
    ms = sorted({p.m for p in points})
    fig, axes = _figure(len(ns), 3, max(6.0, 0.55 * len(ms) + 1.5), max(3.6, 0.42 * len(ds) + 1.6))
    colors = [f"C{k}" for k in range(len(finders))]
    cmap = ListedColormap(colors)
    for row, n in enumerate(ns):
        for col, (metric, names, title) in enumerate((
                ("ops_per_iter", finders, "cheapest per iteration in ops (x margin over runner-up)"),
                ("seconds_per_iter", classical, "cheapest per iteration in wall seconds (classical finders)"))):
            ax = axes[row][col]
            win = _winners(points, metric, names)
            grid = np.full((len(ds), len(ms)), np.nan)
            for (d, nn, m), (f, margin) in win.items():
                if nn != n:
                    continue
                i, j = ds.index(d), ms.index(m)
                grid[i, j] = finders.index(f)
                ax.text(j, i, f"{margin:.1f}" if math.isfinite(margin) else "-", ha="center", va="center",
                        fontsize=7, color="white")
            ax.imshow(grid, cmap=cmap, vmin=-0.5, vmax=len(finders) - 0.5, aspect="auto", origin="lower")
            _axes(ax, ds, ms, f"n = {n}: {title}")
            handles = [_patch(colors[finders.index(f)], f) for f in names]
            ax.legend(handles=handles, fontsize=7, loc="upper left", bbox_to_anchor=(1.0, 1.0))
        ax = axes[row][2]
        best = _best_preprocessing_t_star(points)
        grid = np.full((len(ds), len(ms)), np.nan)
        for (d, nn, m), (f, t) in best.items():
            if nn != n:
                continue
            i, j = ds.index(d), ms.index(m)
            grid[i, j] = np.log10(t) if t is not None and t > 0 else (np.nan if t is None else -3)
            ax.text(j, i, ("never" if t is None else f"{t:.2g}") + f"\n{_short(f)}", ha="center", va="center",
                    fontsize=6)
        im = ax.imshow(grid, cmap="viridis_r", aspect="auto", origin="lower")
        fig.colorbar(im, ax=ax, label="log10 T* (iterations)")
        _axes(ax, ds, ms, f"n = {n}: T* (ops) of the best preprocessing finder")
    fig.suptitle("Does preprocessing help? Cheapest finder per iteration on the (d, m) grid; quantum ops are oracle "
                 "queries (QRAM assumed); cell text: runner-up cost / best cost")
    return fig


def _short(finder: str) -> str:
    return {"weights-hsr": "Alg1", "data-hsr": "Alg2"}.get(finder.split(":")[0], finder) + (
        ":" + finder.split(":")[1][:4] if ":" in finder else "")


def _patch(color, label):
    from matplotlib.patches import Patch

    return Patch(color=color, label=label)


def _axes(ax, ds, ms, title):
    ax.set_xticks(range(len(ms)), [f"2^{int(round(math.log2(m)))}" for m in ms], fontsize=7)
    ax.set_yticks(range(len(ds)), [str(d) for d in ds])
    ax.set(xlabel="width m", ylabel="dimension d", title=title)
    ax.title.set_fontsize(9)
