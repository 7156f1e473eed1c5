"""Figures of a comparison: loss curves and per-iteration cost, written atomically as PNG (sweeps: :mod:`quantum_train.sweeps.plot`)."""

from __future__ import annotations

import io

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402

from quantum_train.compare import Comparison, atomic_write  # noqa: E402


def comparison_figure(comparison: Comparison):
    """Three panels: loss by iteration, ops per iteration, seconds per iteration."""
    rows = comparison.rows()
    fig, axes = plt.subplots(1, 3, figsize=(15, 4.2), constrained_layout=True)
    styles = ["-", "--", ":", "-."]
    for k, r in enumerate(rows):
        axes[0].plot(range(len(r["loss"])), r["loss"], styles[k % 4], label=r["finder"], lw=2 - 0.3 * (k % 4))
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
    fig = comparison_figure(comparison)
    buf = io.BytesIO()
    fig.savefig(buf, format="png", dpi=110)
    plt.close(fig)
    atomic_write(path, buf.getvalue())
