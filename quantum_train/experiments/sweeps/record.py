"""A typed, read-only view of one sweep record (the JSON line the store holds)."""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from quantum_train.experiments.sweeps.config import is_quantum


@dataclass(frozen=True)
class SweepPoint:
    """One measured point: its coordinates and per-iteration costs.

    Ops are means over the point's iterations (exact counts). ``seconds_per_iter``
    is the *median* over the iterations of their wall seconds, which a
    preemption on a shared machine moves less than the mean (the record's mean
    stays in ``record["seconds_per_iter"]``). ``record`` is the full stored dict
    (loss curve, phases, the finder's report).
    """

    finder: str
    d: int
    n: int
    m: int
    seed: int
    ops_per_iter: float
    find_ops_per_iter: float
    seconds_per_iter: float
    find_seconds_per_iter: float
    preprocess_ops: float
    preprocess_seconds: float
    fired_per_input: float
    expected_fired_per_input: float
    final_loss: float | None
    seconds_label: str
    b_fixed: float | None
    record: dict = field(repr=False, compare=False)

    @property
    def quantum(self) -> bool:
        return is_quantum(self.finder)

    @property
    def ops_series(self) -> tuple[float, ...]:
        """Ops of each iteration (a record without them: the mean, as a one-iteration series)."""
        return tuple(self.record.get("ops_by_iteration") or (self.ops_per_iter,))

    @property
    def seconds_series(self) -> tuple[float, ...]:
        """Seconds of each iteration (a record without them: the per-iteration figure, as a one-iteration series)."""
        return tuple(self.record.get("seconds_by_iteration") or (self.seconds_per_iter,))

    @property
    def group(self) -> tuple[str, int, int]:
        """``(finder, d, n)``: the points of one exponent fit."""
        return self.finder, self.d, self.n

    @classmethod
    def from_record(cls, r: dict) -> SweepPoint:
        return cls(finder=r["finder"], d=int(r["d"]), n=int(r["n"]), m=int(r["m"]), seed=int(r["seed"]),
                   ops_per_iter=float(r["ops_per_iter"]), find_ops_per_iter=float(r["find_ops_per_iter"]),
                   seconds_per_iter=float(np.median(r["seconds_by_iteration"]) if r.get("seconds_by_iteration")
                                          else r["seconds_per_iter"]),
                   find_seconds_per_iter=float(r["find_seconds_per_iter"]),
                   preprocess_ops=float(r["preprocess"]["ops"]), preprocess_seconds=float(r["preprocess"]["seconds"]),
                   fired_per_input=float(r["fired_per_input"]),
                   expected_fired_per_input=float(r["expected_fired_per_input"]),
                   final_loss=r.get("final_loss"), seconds_label=r["seconds_label"], b_fixed=r["key"].get("b"),
                   record=r)
