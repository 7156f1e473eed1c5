"""Typed, frozen results of a comparison: one :class:`FinderResult` per finder, gathered in a :class:`Comparison`.

``Comparison.to_dict()`` is exactly the document ``quantum-train compare
--json`` writes, ``{"config": ..., "results": [...]}``, and
``FinderResult.to_dict()`` one entry of ``results``; the keys are a contract
with scripts outside this repository. Everything else (``table()``,
``plot()``, ``to_frame()``) is built from those dictionaries.
"""

from __future__ import annotations

import math
import os
from dataclasses import dataclass, field
from typing import Any, Iterator, Mapping

import numpy as np

from quantum_train.core.costs import ITERATION_PHASES, PhaseCost
from quantum_train.core.train import Divergence, LossCurve, TrainResult
from quantum_train.output.format import format_count, format_table

#: The run's :class:`quantum_train.experiments.comparison.CompareConfig`. Not imported: that module imports this one, and
#: the project keeps its import graph free of cycles (tests/test_layering.py).
CompareConfigLike = Any


class FrozenMap(Mapping):
    """A read-only mapping that pickles (``types.MappingProxyType`` does not), for the frozen results' fields."""

    __slots__ = ("_items",)

    def __init__(self, items: Mapping | None = None):
        self._items = dict(items or {})

    def __getitem__(self, key):
        return self._items[key]

    def __iter__(self) -> Iterator:
        return iter(self._items)

    def __len__(self) -> int:
        return len(self._items)

    def __repr__(self) -> str:
        return f"FrozenMap({self._items!r})"

    def __eq__(self, other) -> bool:
        return isinstance(other, Mapping) and dict(self.items()) == dict(other.items())

    def __hash__(self) -> int:
        return hash(tuple(sorted(self._items.items(), key=repr)))

    def __reduce__(self):
        return FrozenMap, (self._items,)


@dataclass(frozen=True)
class IterationCosts:
    """Mean cost of one iteration: in total and by phase (``find``, ``forward``, ``backward``, ``update``)."""

    ops: float
    seconds: float
    phases: Mapping[str, PhaseCost]

    def to_dict(self) -> dict:
        return {"ops": self.ops, "seconds": self.seconds,
                "phases": {p: {"ops": c.ops, "seconds": c.seconds} for p, c in self.phases.items()}}


@dataclass(frozen=True)
class FinderResult(LossCurve):
    """One finder's training run, with the config as resolved."""

    finder: str
    config: CompareConfigLike
    loss: tuple[float, ...]
    diverged: Divergence | None
    preprocess: PhaseCost
    per_iteration: IterationCosts
    ops_by_iteration: tuple[float, ...]
    seconds_by_iteration: tuple[float, ...]
    fired_per_input_by_iteration: tuple[float, ...]
    fired_per_input_max: int
    seconds_label: str
    max_abs_weight_diff_vs_dense: float | None
    report: Mapping[str, Any] = field(default_factory=dict)
    weights: np.ndarray | None = field(default=None, repr=False, compare=False)

    @classmethod
    def from_training(cls, run: TrainResult, config: CompareConfigLike, reference: TrainResult | None) -> "FinderResult":
        per = run.ledger.per_iteration()
        phases = {p: PhaseCost(per["phases"][p]["ops"], per["phases"][p]["seconds"]) for p in ITERATION_PHASES}
        return cls(
            finder=run.finder, config=config, loss=tuple(run.loss), diverged=run.diverged,
            preprocess=PhaseCost(run.ledger.preprocess.ops, run.ledger.preprocess.seconds),
            per_iteration=IterationCosts(per["ops"], per["seconds"], FrozenMap(phases)),
            ops_by_iteration=tuple(run.ledger.series()), seconds_by_iteration=tuple(run.ledger.series(what="seconds")),
            fired_per_input_by_iteration=tuple(run.fired_mean), fired_per_input_max=int(max(run.fired_max, default=0)),
            seconds_label=run.seconds_label, max_abs_weight_diff_vs_dense=_weight_diff(run, reference),
            report=FrozenMap(dict(run.extras)), weights=run.W)

    #: The keys of :meth:`to_dict` that are fields or derived from them; every other key is the finder's report.
    _OWN_KEYS = ("finder", "initial_loss", "final_loss", "diverged", "loss", "preprocess", "per_iteration",
                 "seconds_label", "fired_per_input", "fired_per_input_max", "fired_per_input_by_iteration",
                 "max_abs_weight_diff_vs_dense", "ops_by_iteration", "seconds_by_iteration")

    @classmethod
    def from_dict(cls, row: Mapping[str, Any], config: CompareConfigLike) -> "FinderResult":
        """The result that :meth:`to_dict` wrote as ``row`` (the weights are not stored: ``weights`` is None)."""
        per = row["per_iteration"]
        phases = {p: PhaseCost(c["ops"], c["seconds"]) for p, c in per["phases"].items()}
        div = row["diverged"]
        return cls(
            finder=row["finder"], config=config, loss=tuple(row["loss"]),
            diverged=None if div is None else Divergence(div["iteration"], div["loss"], div["reason"]),
            preprocess=PhaseCost(row["preprocess"]["ops"], row["preprocess"]["seconds"]),
            per_iteration=IterationCosts(per["ops"], per["seconds"], FrozenMap(phases)),
            ops_by_iteration=tuple(row["ops_by_iteration"]), seconds_by_iteration=tuple(row["seconds_by_iteration"]),
            fired_per_input_by_iteration=tuple(row["fired_per_input_by_iteration"]),
            fired_per_input_max=row["fired_per_input_max"], seconds_label=row["seconds_label"],
            max_abs_weight_diff_vs_dense=row["max_abs_weight_diff_vs_dense"],
            report=FrozenMap({k: v for k, v in row.items() if k not in cls._OWN_KEYS}))

    @property
    def fired_per_input(self) -> float:
        """Mean fired neurons per input over the iterations."""
        values = self.fired_per_input_by_iteration
        return float(np.mean(values)) if values else math.nan

    def note(self) -> str:
        """The finder's own line for the notes (its class says what matters)."""
        from quantum_train.finders import finder_class

        return finder_class(self.finder).note(dict(self.report))

    def to_dict(self) -> dict:
        """One entry of the JSON ``results`` (the contract's keys), then the finder's own report."""
        row = {
            "finder": self.finder,
            "initial_loss": self.initial_loss,
            "final_loss": self.final_loss,
            "diverged": None if self.diverged is None else {
                "iteration": self.diverged.iteration, "loss": self.diverged.loss, "reason": self.diverged.reason},
            "loss": list(self.loss),
            "preprocess": self.preprocess.to_dict(),
            "per_iteration": self.per_iteration.to_dict(),
            "seconds_label": self.seconds_label,
            "fired_per_input": self.fired_per_input,
            "fired_per_input_max": self.fired_per_input_max,
            "fired_per_input_by_iteration": list(self.fired_per_input_by_iteration),
            "max_abs_weight_diff_vs_dense": self.max_abs_weight_diff_vs_dense,
            "ops_by_iteration": list(self.ops_by_iteration),
            "seconds_by_iteration": list(self.seconds_by_iteration),
        }
        return row | dict(self.report)

    def table(self) -> str:
        return "\n".join(format_table(TABLE_HEAD, [_table_row(self)]))

    def plot(self, path: str | None = None):
        """This result's figure (as in a comparison of one finder); written to ``path`` if given."""
        return Comparison(self.config, {}, (self,)).plot(path)

    def to_frame(self):
        """One row per iteration: loss, ops and seconds (pandas; ``pip install 'quantum-train[pandas]'``)."""
        pd = _pandas()
        t = len(self.ops_by_iteration)
        return pd.DataFrame({"finder": self.finder, "iteration": range(t), "loss": self.loss[:t],
                             "ops": self.ops_by_iteration, "seconds": self.seconds_by_iteration,
                             "fired_per_input": self.fired_per_input_by_iteration[:t]})


TABLE_HEAD = ("finder", "preproc ops", "preproc s", "ops/iter", "s/iter", "initial loss", "final loss",
              "fired/input", "max|W-W_dense|")


def _fmt_loss(x: float | None) -> str:
    return "-" if x is None or not math.isfinite(x) else f"{x:.6g}"


def _table_row(r: FinderResult) -> list[str]:
    diff = r.max_abs_weight_diff_vs_dense
    secs = f"{r.per_iteration.seconds:.4f}" + ("*" if r.seconds_label != "wall" else "")
    return [r.finder, format_count(r.preprocess.ops), f"{r.preprocess.seconds:.3f}", format_count(r.per_iteration.ops),
            secs, _fmt_loss(r.initial_loss), "diverged" if r.diverged else _fmt_loss(r.final_loss),
            f"{r.fired_per_input:.1f}", "-" if diff is None else f"{diff:.1e}"]


def _weight_diff(result: TrainResult, reference: TrainResult | None) -> float | None:
    """``max |W - W_dense|``, or None without a (converged) dense run or when either diverged."""
    if reference is None or result.diverged is not None or reference.diverged is not None:
        return None
    return float(np.max(np.abs(result.W - reference.W)))


def _pandas():
    try:
        import pandas as pd
    except ImportError:
        raise ImportError("to_frame() needs pandas: pip install 'quantum-train[pandas]'") from None
    return pd


@dataclass(frozen=True)
class Comparison:
    """Every finder's result on one data set and one initial network; ``config`` as resolved."""

    config: CompareConfigLike
    data_info: Mapping[str, Any]
    results: tuple[FinderResult, ...]

    def __getitem__(self, finder: str) -> FinderResult:
        for r in self.results:
            if r.finder == finder:
                return r
        raise KeyError(f"no finder {finder!r} in this comparison; it has {', '.join(self.finders)}")

    @property
    def finders(self) -> tuple[str, ...]:
        return tuple(r.finder for r in self.results)

    def curve(self, finder: str, what: str = "ops"):
        """``finder``'s :class:`~quantum_train.experiments.cost_curve.CostCurve` in ``ops`` or ``seconds``."""
        from quantum_train.experiments.cost_curve import CostCurve

        r = self[finder]
        if what not in ("ops", "seconds"):
            raise ValueError(f"what must be 'ops' or 'seconds', got {what!r}")
        series = r.ops_by_iteration if what == "ops" else r.seconds_by_iteration
        return CostCurve(float(getattr(r.preprocess, what)), tuple(series))

    def total(self, iters: int | None = None) -> dict[str, dict]:
        """Each finder's cost of a run of ``iters`` iterations (default: this run's), in ops and seconds.

        ``{finder: {"ops": CurveTotal, "seconds": CurveTotal}}``: preprocessing plus the measured
        per-iteration costs, the iterations beyond this run charged at its steady state
        (:mod:`quantum_train.experiments.cost_curve`; ``.extended`` says when they were).
        """
        t = self.config.iters if iters is None else iters
        return {r.finder: {w: self.curve(r.finder, w).total(t) for w in ("ops", "seconds")} for r in self.results}

    def break_even_iters(self, reference: str = "dense") -> dict[str, dict]:
        """Per finder other than ``reference``: the least ``T`` from which its total is at most the reference's.

        ``{finder: {"ops": T or None, "seconds": T or None}}`` (None: never pays), exact on this run's iterations
        and in closed form on the steady-state extension
        (:func:`quantum_train.experiments.cost_curve.break_even_iters`). Seconds of a quantum finder are
        simulation time: ``None`` there.
        """
        from quantum_train.experiments.cost_curve import break_even_iters

        out = {}
        for r in self.results:
            if r.finder == reference:
                continue
            out[r.finder] = {w: None if w == "seconds" and r.seconds_label != "wall" else
                             break_even_iters(self.curve(r.finder, w), self.curve(reference, w))
                             for w in ("ops", "seconds")}
        return out

    def diverged(self) -> list[FinderResult]:
        """The results whose training was stopped for divergence."""
        return [r for r in self.results if r.diverged is not None]

    def rows(self) -> list[dict]:
        """The JSON ``results`` entries."""
        return [r.to_dict() for r in self.results]

    def to_dict(self) -> dict:
        """Exactly the document ``quantum-train compare --json`` writes."""
        return {"config": self.config.to_dict() | {"data_info": dict(self.data_info)}, "results": self.rows()}


    def to_json(self, path: str | os.PathLike | None = None) -> str:
        """:meth:`to_dict` as standard JSON text; with ``path``, also written there as ``compare --json`` would.

        The path is checked first (:func:`quantum_train.output.io.check_output_paths`): it
        replaces only a missing or empty file or an earlier ``compare`` result,
        never the data file or any other file (a ``ConfigError`` on ``json``).
        """
        from quantum_train.output.io import result_json

        return result_json(self.to_dict(), path, "compare", data=self.config.data)

    def table(self) -> str:
        """The side-by-side text table, with its notes."""
        c = self.config
        lines = [f"quantum-train compare: data={c.data} n={c.n} m={c.m} d={c.d} iters={c.iters} "
                 f"b={c.b:.4f} lr={c.lr:.4g} seed={c.seed}",
                 *format_table(TABLE_HEAD, [_table_row(r) for r in self.results]),
                 "ops = d-dimensional inner products (a kd-tree bound test or an oracle query counts as one, a "
                 "correlation-tree node 1/d); "
                 "per-iteration figures are means over iterations."]
        if any(r.seconds_label != "wall" for r in self.results):
            lines.append("* classical simulation seconds of a quantum algorithm, not quantum run time.")
            lines.append("  A Grover row's ops add its oracle queries to its classical inner products (the checks of "
                         "the candidates measured, the forward and backward passes); the notes' gate cost counts the "
                         "quantum queries alone. Queries assume coherent (QRAM) access to the weights: a query is not "
                         "a gate.")
        notes = [f"  {r.finder}: {note}" for r in self.results if (note := r.note())]
        notes += [f"  {r.diverged.message(r.finder)}" for r in self.diverged()]
        if c.aer_left_out:
            from quantum_train.core.grover_options import AER_DEFAULT_MAX_SEARCHES

            notes.append(f"  grover-aer left out of the defaults: n x iters = {c.n * c.iters} searches exceeds "
                         f"{AER_DEFAULT_MAX_SEARCHES} (about half a second each on Aer); add it to the finders")
        if notes:
            lines += ["notes:", *notes]
        return "\n".join(lines)

    def __str__(self) -> str:
        return self.table()

    def plot(self, path: str | None = None):
        """The figure (loss curves, ops and seconds per iteration); written to ``path`` (png/pdf/svg) if given."""
        from quantum_train.output.io import check_output
        from quantum_train.output.plots import comparison_figure, save_figure

        check_output("plot", path, "plot", data=self.config.data)
        fig = comparison_figure(self)
        if path is not None:
            save_figure(fig, path)
        return fig

    def to_frame(self):
        """One row per finder and iteration (pandas; ``pip install 'quantum-train[pandas]'``)."""
        pd = _pandas()
        return pd.concat([r.to_frame() for r in self.results], ignore_index=True)
