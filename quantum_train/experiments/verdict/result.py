"""The frozen :class:`Verdict`: the rows, the winner in each currency, the break-even iterations, the crossover
widths around ``m`` and the one-sentence answer; ``table()``, ``to_dict()`` (the ``--json`` document),
``to_json(path)``, ``plot(path)`` and ``from_dict`` (``qt.load``)."""

from __future__ import annotations

import math
import os
from dataclasses import dataclass
from typing import Any, Mapping

from quantum_train.errors import for_command_line, for_python
from quantum_train.experiments.verdict.problem import Problem, log2_text
from quantum_train.experiments.verdict.rows import Row
from quantum_train.output.format import format_count, format_table


def frozen(obj):
    """``obj`` with every dict a :class:`~quantum_train.experiments.results.FrozenMap` (read-only, pickles)."""
    from quantum_train.experiments.results import FrozenMap

    if isinstance(obj, Mapping):
        return FrozenMap({k: frozen(v) for k, v in obj.items()})
    return obj


def thawed(obj):
    """The plain-dict form of a :func:`frozen` value (for JSON)."""
    if isinstance(obj, Mapping):
        return {k: thawed(v) for k, v in obj.items()}
    return obj


@dataclass(frozen=True)
class Verdict:
    """The cheapest way to train one ``(m, d, n, T)``, in every currency, with the source of every figure."""

    problem: Problem
    rows: tuple[Row, ...]
    winner: Mapping[str, str | None]  #: currency -> method (``ops``, ``seconds``)
    margin: Mapping[str, Any]  #: currency -> runner-up and the ratios over it and over dense
    break_even_iters: Mapping[str, int | None]  #: method -> least T at most dense's total ops (None: never)
    break_even_iters_seconds: Mapping[str, int | None]  #: the same in seconds
    crossovers: tuple[Mapping, ...]
    answer: str
    notes: tuple[str, ...]
    seconds_measured_on: str | None

    def __post_init__(self):
        for name in ("winner", "margin", "break_even_iters", "break_even_iters_seconds"):
            object.__setattr__(self, name, frozen(getattr(self, name)))
        object.__setattr__(self, "crossovers", tuple(frozen(c) for c in self.crossovers))
        object.__setattr__(self, "notes", tuple(self.notes))

    def __getitem__(self, name: str) -> Row:
        for r in self.rows:
            if r.name == name:
                return r
        raise KeyError(f"no method {name!r} in this verdict; it has {', '.join(r.name for r in self.rows)}")

    # ------------------------------------------------------------------ the document
    def to_dict(self) -> dict:
        """Exactly the document ``quantum-train verdict --json`` writes."""
        return {"problem": self.problem.to_dict(),
                "methods": {r.name: r.to_dict() for r in self.rows},
                "winner": thawed(self.winner), "margin": thawed(self.margin),
                "break_even_iters": thawed(self.break_even_iters),
                "break_even_iters_seconds": thawed(self.break_even_iters_seconds),
                "crossovers": [thawed(c) for c in self.crossovers],
                "answer": for_python(self.answer), "notes": [for_python(n) for n in self.notes],
                "seconds_measured_on": self.seconds_measured_on}

    @classmethod
    def from_dict(cls, doc: dict) -> Verdict:
        problem = Problem.from_dict(doc["problem"])
        rows = tuple(Row.from_dict(name, problem.iters, r) for name, r in doc["methods"].items())
        return cls(problem, rows, dict(doc["winner"]), dict(doc["margin"]), dict(doc["break_even_iters"]),
                   dict(doc["break_even_iters_seconds"]), tuple(doc["crossovers"]), doc["answer"],
                   tuple(doc["notes"]), doc["seconds_measured_on"])

    def to_json(self, path: str | os.PathLike | None = None) -> str:
        """:meth:`to_dict` as standard JSON; with ``path``, also written there by the output rules (checked first:
        only a missing or empty file or an earlier ``verdict`` document is replaced)."""
        from quantum_train.output.io import result_json

        return result_json(self.to_dict(), path, "verdict", data=self._data_path())

    def _data_path(self) -> str | None:
        return None if self.problem.data == "synthetic" else self.problem.data

    # ------------------------------------------------------------------ the text
    def table(self, command_line: bool = False) -> str:
        """The text ``quantum-train verdict`` prints. The options that notes suggest are spelled as Python keywords
        (``measure``), or as flags (``--measure``) with ``command_line=True``, as the command prints it."""
        render = for_command_line if command_line else for_python
        p = self.problem
        head = ("method", "source", "preproc ops", "ops/iter", "total ops", "preproc s", "s/iter", "total s",
                "queries", "Toffoli", "ft s")
        body = []
        for r in self.rows:
            if not r.available:
                body.append([r.name, "-", *(["-"] * (len(head) - 2))])
                continue
            pi_ops = r.per_iteration(r.total_ops, r.preprocess_ops)
            pi_s = r.per_iteration(r.total_seconds, r.preprocess_seconds)
            body.append([r.name, r.source, _num(r.preprocess_ops), _num(pi_ops),
                         _range(r.total_ops, r.ops_range), _sec(r.preprocess_seconds), _sec(pi_s),
                         _range(r.total_seconds, r.seconds_range, seconds=True), _num(r.queries),
                         _num(r.toffoli), _sec(r.ft_seconds)])
        lines = [f"quantum-train verdict: m = {log2_text(p.m)} ({p.m}), d = {p.d}, n = {p.n}, T = {p.iters} iterations, "
                 f"b = {'b(m)' if p.b is None else p.b}, data = {p.data}",
                 *format_table(head, body)]
        lines.append("ops = d-dimensional inner products (the project's unit); queries = oracle queries of the "
                     "quantum find-all (not inner products: never compared with ops); totals over T use the cost "
                     "curve over iterations; per-iteration = (total - preprocess) / T.")
        lines += [f"winner in ops: {self._winner_text('ops')}",
                  f"winner in seconds: {self._winner_text('seconds')}"]
        if self.break_even_iters:
            parts = [f"{name} {_iters(t)} (ops), {_iters(self.break_even_iters_seconds.get(name))} (seconds)"
                     for name, t in self.break_even_iters.items()]
            lines.append("break-even iterations against dense: " + "; ".join(parts))
        lines += self._crossover_lines()
        lines.append(f"answer: {render(self.answer)}")
        unavailable = [f"  {r.name}: {render(r.reason)}" for r in self.rows if not r.available]
        notes = [f"  {render(n)}" for n in self.notes] + [f"  {r.name}: {render(r.note)}" for r in self.rows if r.note]
        if notes or unavailable:
            lines += ["notes:", *unavailable, *notes]
        return "\n".join(lines)

    def __str__(self) -> str:
        return self.table()

    def _winner_text(self, currency: str) -> str:
        name = self.winner.get(currency)
        if name is None:
            return "none (no method has a figure in this currency)"
        m = self.margin.get(currency) or {}
        parts = [name]
        if m.get("runner_up"):
            parts.append(f"{m['over_runner_up']:.3g}x cheaper than the runner-up {m['runner_up']}")
        if m.get("over_dense") is not None and name != "dense" and m.get("runner_up") != "dense":
            parts.append(f"{m['over_dense']:.3g}x cheaper than dense")
        return ", ".join(parts)

    def _crossover_lines(self) -> list[str]:
        if not self.crossovers:
            return []
        c0 = self.crossovers[0]
        lines = [f"crossover widths m* against dense (stored map at d = {c0['d']}, n = {c0['n']}; this m = "
                 f"2^{math.log2(self.problem.m):.1f}):"]
        for c in self.crossovers:
            lines.append(f"  {c['finder']:<20} {c['metric']:<8} {c['text']} ({c['side']})")
        return lines

    # ------------------------------------------------------------------ the figure
    def plot(self, path: str | os.PathLike | None = None):
        """Total cost against ``T`` for each method (log axes, break-even points marked), and a second panel for
        the quantum rows (fault-tolerant seconds with ``--physical``, else Toffolis); written to ``path`` if given."""
        from quantum_train.output.io import check_output

        check_output("plot", path, "plot", data=self._data_path())
        import numpy as np
        from matplotlib.figure import Figure

        t_max = max(self.problem.iters * 4, 100)
        ts = np.unique(np.geomspace(1, t_max, 60).astype(int))
        fig = Figure(figsize=(12, 4.4), layout="constrained")
        ax, axq = fig.subplots(1, 2)
        for r in self.rows:
            if r.curve_ops is None:
                continue
            totals = [r.curve_ops.total(int(t)).total for t in ts]
            (line,) = ax.plot(ts, totals, label=f"{r.name} ({r.source})")
            be = self.break_even_iters.get(r.name)
            if be is not None and be <= t_max:
                ax.plot([be], [r.curve_ops.total(be).total], "o", color=line.get_color())
        ax.axvline(self.problem.iters, color="grey", lw=0.8, ls=":")
        ax.set(xscale="log", yscale="log", xlabel="iterations T", ylabel="total inner products (ops)",
               title="classical methods: total cost over T (dots: break-even against dense)")
        ax.legend(fontsize=7)
        quantum = [r for r in self.rows if r.kind == "quantum" and r.available]
        physical = any(r.ft_seconds is not None for r in quantum)
        for r in quantum:
            per_t = (r.ft_seconds if physical else r.toffoli) / self.problem.iters
            axq.plot(ts, per_t * ts, label=r.name)
        axq.axvline(self.problem.iters, color="grey", lw=0.8, ls=":")
        axq.set(xscale="log", yscale="log", xlabel="iterations T",
                ylabel="fault-tolerant seconds" if physical else "Toffolis (physical estimates give seconds)",
                title="quantum find-all (resource model)")
        if quantum:
            axq.legend(fontsize=7)
        if path is not None:
            from quantum_train.output.plots import save_figure

            save_figure(fig, os.fspath(path))
        return fig


def _num(x: float | None) -> str:
    return "-" if x is None else format_count(x)


def _sec(x: float | None) -> str:
    if x is None:
        return "-"
    return f"{x:.3g}"


def _range(x: float | None, rng: tuple[float, float] | None, seconds: bool = False) -> str:
    if x is None:
        return "-"
    text = _sec(x) if seconds else format_count(x)
    if rng is None:
        return text
    lo, hi = (_sec(v) if seconds else format_count(v) for v in rng)
    return f"{text} [{lo}, {hi}]"


def _iters(t: int | None) -> str:
    return "never" if t is None else f"T >= {t}"
