"""Figures of a comparison, written atomically as PNG, PDF or SVG (by extension); sweeps: :mod:`quantum_train.experiments.sweeps.plot`.

Figures are built as :class:`matplotlib.figure.Figure` objects, without
``pyplot`` and without choosing a backend, so importing this module never
changes a notebook's matplotlib setup.
"""

from __future__ import annotations

import io
from typing import Any

from matplotlib.figure import Figure

from quantum_train.output.io import atomic_write, plot_format

#: A :class:`quantum_train.experiments.results.Comparison`. Not imported: ``Comparison.plot`` imports this module, and the
#: project keeps its import graph free of cycles (tests/test_layering.py).
ComparisonLike = Any


def save_figure(fig: Figure, path: str, dpi: int = 110) -> None:
    """Write ``fig`` to ``path`` atomically in the format its extension names (png, pdf, svg)."""
    buf = io.BytesIO()
    fig.savefig(buf, format=plot_format(path), dpi=dpi)
    atomic_write(path, buf.getvalue())


def comparison_figure(comparison: ComparisonLike):
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
    secs = [max(r["per_iteration"]["seconds"], 1e-6) for r in rows]
    work_bars(axes[1], rows)
    colors = ["tab:orange" if r["seconds_label"] == "wall" else "tab:gray" for r in rows]
    axes[2].bar(names, secs, color=colors)
    axes[2].set(yscale="log", ylabel="seconds / iteration", title="Wall seconds (grey: simulation time)")
    for ax in axes[1:]:
        ax.tick_params(axis="x", rotation=30)
    c = comparison.config
    fig.suptitle(f"quantum-train compare: {c.data}, n={c.n}, m={c.m}, d={c.d}, {c.iters} iterations")
    return fig


def work_per_iteration(row: dict) -> tuple[float, float]:
    """(classical d-dimensional inner products, quantum oracle queries) per iteration of one JSON result row.

    A Grover finder's ``ops`` hold its oracle queries and its classical checks of the candidates it
    measured; ``quantum_queries`` (the whole run's Grover and counting queries) separates the two.
    """
    ops = row["per_iteration"]["ops"]
    total_queries = row.get("quantum_queries")
    if total_queries is None:
        return ops, 0.0
    queries = total_queries / max(len(row["ops_by_iteration"]), 1)
    return ops - queries, queries


def work_bars(ax, rows: list[dict]) -> None:
    """Bars of work per iteration, classical inner products and quantum oracle queries apart (beside each other,
    each in its own colour and label): a query is not an inner product."""
    import numpy as np

    work = np.array([work_per_iteration(r) for r in rows])
    x = np.arange(len(rows))
    quantum = work[:, 1] > 0
    width = np.where(quantum, 0.4, 0.8)
    ax.bar(x - np.where(quantum, 0.2, 0.0), np.maximum(work[:, 0], 1), width, color="tab:blue",
           label="d-dim inner products (classical)")
    if quantum.any():
        ax.bar(x[quantum] + 0.2, np.maximum(work[quantum, 1], 1), 0.4, color="tab:red", hatch="//",
               label="oracle queries (quantum, QRAM access)")
        ax.legend(fontsize=8)
    ax.set_xticks(x, [r["finder"] for r in rows])
    ax.set(yscale="log", ylabel="ops / iteration", title="Work per iteration")


def save_comparison_plot(comparison: ComparisonLike, path: str) -> None:
    save_figure(comparison_figure(comparison), path, dpi=110)


#: Gates per row of a drawn diagram before it folds (the mpl drawer's unit), and characters of a text one.
DRAW_FOLD, TEXT_FOLD = 24, 120


def save_circuit_png(path: str, circuit) -> None:
    """The circuit diagram as PNG, folded to a readable width, written atomically with usual permissions.

    Qiskit's mpl drawer is used where pylatexenc is installed; otherwise the
    text diagram is rendered.
    """
    from matplotlib.figure import Figure

    try:
        fig = circuit.draw("mpl", fold=DRAW_FOLD)
    except Exception:  # noqa: BLE001 - MissingOptionalLibraryError (pylatexenc): render the text drawing
        text = str(circuit.draw("text", fold=TEXT_FOLD))
        lines = text.splitlines()
        fig = Figure(figsize=(max(4, 0.09 * max(map(len, lines))), max(2, 0.22 * len(lines))))
        fig.text(0.01, 0.99, text, family="monospace", fontsize=9, va="top")
    save_figure(fig, path, dpi=110)
