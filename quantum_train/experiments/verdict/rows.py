"""The rows of a verdict: one per method, each with its costs over the run and where they come from.

A classical row is a cost curve in ops (d-dimensional inner products) and one
in seconds (:class:`~quantum_train.experiments.cost_curve.CostCurve`), from the
stored map (:mod:`.lookup`, shaped over the run by :mod:`.long_run`) or from a
run made now (``--measure``). Its totals are the curves' ``total(T)``; its
per-iteration figure is their mean over the ``T`` iterations, so that
``total = preprocess + T x per_iteration``.

A quantum row (``grover-<memory model>``) is the resource model's
(:func:`quantum_train.experiments.query_cost.cost_report`, the report of ``quantum-train
resources --n N --iters T``): no preprocessing, one find-all per input per
iteration, its oracle queries (not inner products: their own column), its
Toffolis, and, with ``--physical``, its fault-tolerant seconds.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field

from quantum_train.errors import for_python
from quantum_train.experiments.cost_curve import CostCurve

#: the classical methods, in table order: dense, Algorithm 1 and 2 on their pinned kd-trees, drift, the trees
CLASSICAL = ("dense", "weights-hsr:kdtree", "data-hsr:kdtree", "drift", "corr-dtree", "corr-wtree")
#: the automatic structure choice beside each pinned algorithm
AUTOMATIC = {"weights-hsr:kdtree": "weights-hsr", "data-hsr:kdtree": "data-hsr"}
SOURCES = ("measured", "interpolated", "extrapolated", "model")


@dataclass(frozen=True)
class Row:
    """One method's costs of the run (``None`` where a figure does not exist, with ``reason`` when unavailable)."""

    name: str
    kind: str  #: "classical" or "quantum"
    source: str | None  #: measured, interpolated, extrapolated, model; None when unavailable
    iters: int
    preprocess_ops: float | None = None
    preprocess_seconds: float | None = None
    total_ops: float | None = None
    total_seconds: float | None = None
    ops_range: tuple[float, float] | None = None
    seconds_range: tuple[float, float] | None = None
    queries: float | None = None  #: quantum rows: oracle queries of the run
    toffoli: float | None = None
    ft_seconds: float | None = None
    reason: str | None = None  #: why the row has no figures
    note: str | None = None
    curve_ops: CostCurve | None = field(default=None, compare=False)
    curve_seconds: CostCurve | None = field(default=None, compare=False)

    @property
    def available(self) -> bool:
        return self.reason is None

    def per_iteration(self, total: float | None, preprocess: float | None) -> float | None:
        if total is None:
            return None
        return (total - (preprocess or 0.0)) / self.iters

    def to_dict(self) -> dict:
        """``methods.<name>`` of the verdict document (the issue's keys; ranges only where extrapolated)."""
        total: dict = {"ops": self.total_ops, "seconds": self.total_seconds}
        if self.ops_range is not None:
            total["ops_range"] = list(self.ops_range)
        if self.seconds_range is not None:
            total["seconds_range"] = list(self.seconds_range)
        if self.kind == "quantum":
            total |= {"queries": self.queries, "toffoli": self.toffoli, "ft_seconds": self.ft_seconds}
        out = {"kind": self.kind, "source": self.source,
               "preprocess": {"ops": self.preprocess_ops, "seconds": self.preprocess_seconds},
               "per_iteration": {"ops": self.per_iteration(self.total_ops, self.preprocess_ops),
                                 "seconds": self.per_iteration(self.total_seconds, self.preprocess_seconds)},
               "total": total}
        if self.kind == "quantum":
            out["per_iteration"]["queries"] = self.per_iteration(self.queries, 0.0)
        if self.reason is not None:
            out["reason"] = for_python(self.reason)
        if self.note is not None:
            out["note"] = for_python(self.note)
        if self.curve_ops is not None:
            out["curve"] = {"ops": _curve_dict(self.curve_ops),
                            "seconds": None if self.curve_seconds is None else _curve_dict(self.curve_seconds)}
        return out

    @classmethod
    def from_dict(cls, name: str, iters: int, doc: dict) -> Row:
        total = doc["total"]
        curve = doc.get("curve") or {}

        def pair(key):
            return None if total.get(key) is None else tuple(total[key])

        return cls(name=name, kind=doc["kind"], source=doc["source"], iters=iters,
                   preprocess_ops=doc["preprocess"]["ops"], preprocess_seconds=doc["preprocess"]["seconds"],
                   total_ops=total["ops"], total_seconds=total["seconds"], ops_range=pair("ops_range"),
                   seconds_range=pair("seconds_range"), queries=total.get("queries"), toffoli=total.get("toffoli"),
                   ft_seconds=total.get("ft_seconds"), reason=doc.get("reason"), note=doc.get("note"),
                   curve_ops=_curve_from(curve.get("ops")), curve_seconds=_curve_from(curve.get("seconds")))


def _curve_dict(c: CostCurve) -> dict:
    return {"preprocess": c.preprocess, "series": list(c.series)}


def _curve_from(doc: dict | None) -> CostCurve | None:
    return None if doc is None else CostCurve(doc["preprocess"], tuple(doc["series"]))


def unavailable(name: str, iters: int, reason: str, kind: str = "classical") -> Row:
    return Row(name=name, kind=kind, source=None, iters=iters, reason=reason)


def classical_row(name: str, iters: int, source: str, curves: dict[str, CostCurve],
                  low: dict[str, CostCurve] | None = None, high: dict[str, CostCurve] | None = None,
                  note: str | None = None) -> Row:
    """A classical row from its curves (ops and seconds); ``low``/``high`` give the ranges when extrapolated."""
    ops, secs = curves["ops"].total(iters), curves["seconds"].total(iters)
    ranges = {}
    if source == "extrapolated" and low is not None and high is not None:
        for what in ("ops", "seconds"):
            a, b = low[what].total(iters).total, high[what].total(iters).total
            ranges[what] = (min(a, b, (ops if what == "ops" else secs).total),
                            max(a, b, (ops if what == "ops" else secs).total))
    return Row(name=name, kind="classical", source=source, iters=iters, preprocess_ops=curves["ops"].preprocess,
               preprocess_seconds=curves["seconds"].preprocess, total_ops=ops.total, total_seconds=secs.total,
               ops_range=ranges.get("ops"), seconds_range=ranges.get("seconds"), note=note,
               curve_ops=curves["ops"], curve_seconds=curves["seconds"])


def quantum_rows(report_doc: dict, iters: int) -> list[Row]:
    """One row per memory model of a ``resources`` report (``CostReport.to_dict()``) for ``n`` inputs, ``T`` iters."""
    per_input, per_run = report_doc["per_input"], report_doc["per_run"]
    quantum_queries = per_input["grover_queries"] + per_input["counting_queries"]
    n = report_doc["n"]
    rows = []
    for model, run in per_run.items():
        if not isinstance(run, dict):
            continue
        ft = run.get("runtime_seconds")
        rows.append(Row(name=f"grover-{model}", kind="quantum", source="model", iters=iters, preprocess_ops=0.0,
                        preprocess_seconds=0.0 if ft is not None else None, total_ops=None, total_seconds=ft,
                        queries=float(n * iters * quantum_queries), toffoli=float(run["toffoli"]), ft_seconds=ft))
    return rows


def is_finite(x: float | None) -> bool:
    return x is not None and math.isfinite(x)
