"""The shape of the cost curve over a long run, from the stored long-run points (``stored/map_long.jsonl``).

The map's points ran 3 iterations; per-iteration cost changes along a run (drift's
anchors age, a structure's moved neurons are re-queried). The long-run points
(30 iterations) measure that change. A stored point's curve over ``T``
iterations is its own 3 measured iterations followed by the long-run point's
series rescaled to the stored point's level:

    c_t = mean(c_1..c_3) x L_t / mean(L_1..L_3)        (t = 4 .. K_long),

where ``L`` is the nearest long-run point of the same finder (nearest in
``log2 m``, then ``d``, then ``log2 n``); beyond ``K_long`` the curve continues at
its steady state (:mod:`quantum_train.experiments.cost_curve`). So
``total(T) = P + T x mean(c_1..c_3) x r(T)``, with ``r(T)`` the long run's own
total over its first-3 mean. Without long-run points the total is the
3-iteration mean times ``T`` (and the verdict says so).
"""

from __future__ import annotations

import math
import os
from dataclasses import dataclass

from quantum_train.experiments.cost_curve import CostCurve

NO_LONG_RUNS = "no long-run points stored: each total is the 3-iteration mean x T"


def long_run_records(path: str | os.PathLike | None = None) -> list[dict]:
    """The long-run records: of ``path`` if given, else the package's ``stored/map_long.jsonl`` (empty if absent)."""
    import json

    from quantum_train.experiments import stored

    if path is not None:
        with open(path, encoding="utf-8") as fh:
            records = [json.loads(line) for line in fh if line.strip()]
    elif stored.exists(stored.MAP_LONG):
        records = stored.read_records(stored.MAP_LONG)
    else:
        records = []
    return [r for r in records if r["key"].get("b") is None and len(r["ops_by_iteration"]) > 3]


@dataclass(frozen=True)
class LongShape:
    """One long-run point's per-iteration series (ops and seconds) and where it was measured."""

    finder: str
    m: int
    d: int
    n: int
    ops: tuple[float, ...]
    seconds: tuple[float, ...]

    def describe(self) -> str:
        return f"{len(self.ops)}-iteration run at m = 2^{math.log2(self.m):.0f}, d = {self.d}, n = {self.n}"


def nearest_shape(records: list[dict], finder: str, m: int, d: int, n: int) -> LongShape | None:
    """The long-run point of ``finder`` nearest to ``(m, d, n)``, or None if it has none."""
    mine = [r for r in records if r["finder"] == finder]
    if not mine:
        return None
    r = min(mine, key=lambda r: (abs(math.log2(r["m"] / m)), abs(r["d"] - d), abs(math.log2(r["n"] / n))))
    return LongShape(finder, r["m"], r["d"], r["n"], tuple(r["ops_by_iteration"]), tuple(r["seconds_by_iteration"]))


def shaped_curve(preprocess: float, short: tuple[float, ...], long: tuple[float, ...] | None) -> CostCurve:
    """The curve over a run: ``short`` (the stored iterations) then ``long`` rescaled (module docstring).

    Without ``long``, the curve is the short run's mean at every iteration (``total = P + T x mean``).
    """
    k = len(short)
    level = math.fsum(short) / k
    if long is None or len(long) <= k:
        return CostCurve(preprocess, (level,))
    base = math.fsum(long[:k]) / k
    if base <= 0:
        return CostCurve(preprocess, (level,))
    return CostCurve(preprocess, tuple(short) + tuple(level * c / base for c in long[k:]))
