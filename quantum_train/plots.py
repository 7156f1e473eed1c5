"""Figures of a comparison and of a sweep, written atomically as PNG, PDF or SVG (by extension).

Figures are built as :class:`matplotlib.figure.Figure` objects, without
``pyplot`` and without choosing a backend, so importing this module never
changes a notebook's matplotlib setup.
"""

from __future__ import annotations

import io

import matplotlib
from matplotlib.figure import Figure

from quantum_train.results import Comparison
from quantum_train.io import atomic_write, plot_format


def save_figure(fig: Figure, path: str, dpi: int = 110) -> None:
    """Write ``fig`` to ``path`` atomically in the format its extension names (png, pdf, svg)."""
    buf = io.BytesIO()
    fig.savefig(buf, format=plot_format(path), dpi=dpi)
    atomic_write(path, buf.getvalue())


def comparison_figure(comparison: Comparison):
    """Three panels: loss by iteration, ops per iteration, seconds per iteration."""
    rows = comparison.rows()  # the JSON entries: the figure shows what the file holds
    fig = Figure(figsize=(15, 4.2), layout="constrained")
    axes = fig.subplots(1, 3)
    styles = ["-", "--", ":", "-."]
    for k, r in enumerate(rows):
        loss = [float("nan") if v is None else v for v in r["loss"]]
        label = r["finder"] + (" (diverged)" if r["diverged"] else "")
        axes[0].plot(range(len(loss)), loss, styles[k % 4], label=label, lw=2 - 0.3 * (k % 4))
    axes[0].set(xlabel="iteration", ylabel="loss L(W(t))", title="Training loss (exact finders coincide)")
    axes[0].legend()
    names = [r["finder"] for r in rows]
    ops = [max(r["per_iteration"]["ops"], 1) for r in rows]
    secs = [max(r["per_iteration"]["seconds"], 1e-6) for r in rows]
    axes[1].bar(names, ops, color="tab:blue")
    axes[1].set(yscale="log", ylabel="d-dim inner products / iteration", title="Work per iteration")
    colors = ["tab:orange" if r["seconds_label"] == "wall" else "tab:gray" for r in rows]
    axes[2].bar(names, secs, color=colors)
    axes[2].set(yscale="log", ylabel="seconds / iteration", title="Wall seconds (grey: simulation time)")
    for ax in axes[1:]:
        ax.tick_params(axis="x", rotation=30)
    c = comparison.config
    fig.suptitle(f"quantum-train compare: {c.data}, n={c.n}, m={c.m}, d={c.d}, {c.iters} iterations")
    return fig


def save_comparison_plot(comparison: Comparison, path: str) -> None:
    save_figure(comparison_figure(comparison), path, dpi=110)


def sweep_figure(records):
    """Three log-log panels against m: ops per iteration, wall seconds (classical), fired per input.

    Markers are means over seeds with their min-max range; dashed lines are the
    fitted power laws (:func:`quantum_train.sweep.fit_all`), labelled with the exponent.
    """
    import numpy as np

    from quantum_train.model import default_threshold, fire_probability
    from quantum_train.sweep import fit_all, is_quantum

    records = list(records)
    finders = list(dict.fromkeys(r["finder"] for r in records))
    fig = Figure(figsize=(16, 4.6), layout="constrained")
    axes = fig.subplots(1, 3)
    colors = matplotlib.rcParams["axes.prop_cycle"].by_key()["color"]

    def panel(ax, metric, names):
        fits = fit_all([r for r in records if r["finder"] in names], metric)
        for k, f in enumerate(names):
            sub = [r for r in records if r["finder"] == f]
            ms = sorted({r["m"] for r in sub})
            ys = [[r[metric] for r in sub if r["m"] == m] for m in ms]
            mean = np.array([np.mean(y) for y in ys])
            err = np.array([[mu - min(y) for mu, y in zip(mean, ys)], [max(y) - mu for mu, y in zip(mean, ys)]])
            color = colors[finders.index(f) % len(colors)]
            fit = fits[f]
            label = f"{f}: m^{fit.slope:.2f}" if np.isfinite(fit.slope) else f
            ax.errorbar(ms, mean, yerr=err, fmt="o", color=color, label=label, capsize=3)
            if np.isfinite(fit.slope):
                grid = np.geomspace(min(ms), max(ms), 50)
                ax.plot(grid, fit.predict(grid), "--", color=color, lw=1)
        ax.set(xscale="log", yscale="log", xlabel="width m")
        ax.set_xscale("log", base=2)
        ax.legend(fontsize=8)

    panel(axes[0], "ops_per_iter", finders)
    axes[0].set(ylabel="d-dim inner products (oracle queries) / iteration",
                title="Work per iteration (quantum: oracle queries, QRAM assumed)")
    classical = [f for f in finders if not is_quantum(f)]
    if classical:
        panel(axes[1], "seconds_per_iter", classical)
    axes[1].set(ylabel="wall seconds / iteration", title="Wall seconds, classical finders (noisy)")
    ref = [r for r in records if r["finder"] == finders[0]]
    panel(axes[2], "fired_per_input", [finders[0]])
    ms = np.array(sorted({r["m"] for r in ref}), dtype=float)
    grid = np.geomspace(ms.min(), ms.max(), 50)
    fixed_b = ref[0]["key"].get("b")
    mq = [m * fire_probability(default_threshold(int(m)) if fixed_b is None else fixed_b) for m in grid]
    axes[2].plot(grid, mq, "-", color="k", lw=1, label="m Q(b) (expected at init.)")
    axes[2].plot(grid, grid ** 0.8, ":", color="gray", label="m^(4/5) (the bound)")
    axes[2].plot(grid, 0.15 * grid ** 0.8, "-.", color="gray", label="0.15 m^(4/5)")
    axes[2].legend(fontsize=8)
    axes[2].set(ylabel="fired neurons per input k", title=f"Sparsity ({finders[0]} run, mean over iterations)")
    r0 = records[0]
    fig.suptitle(f"quantum-train sweep: {r0['key']['data']}, n={r0['n']}, d={r0['d']}, "
                 f"{r0['key']['iters']} iterations, seeds {sorted({r['seed'] for r in records})}")
    return fig


def save_sweep_plot(records, path: str) -> None:
    save_figure(sweep_figure(records), path, dpi=100)
