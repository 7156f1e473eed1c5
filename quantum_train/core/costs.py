"""The cost ledger: one unit of work for every variant, and wall seconds.

The unit is one *d-dimensional inner-product evaluation*: a dot product
``<w_r, x_i>``, a d-dimensional accumulation ``g += e_i x_i``, an update
``w_r -= lr g_r``, a tree node's bound test, or one oracle query of a quantum
search (which, with coherent query access to the weights, evaluates the firing
predicate on a superposition of neurons: a query is not a gate). Seconds of
quantum finders are classical simulation time and are labelled so in reports.

Phases: ``preprocess`` (once, before training), then per iteration ``find``
(fired sets), ``forward``, ``backward``, ``update`` (weights, and the finder's
maintenance of its structure after the weights moved). A finder that fuses
them (:class:`quantum_train.core.finder_contract.FusedTraining`) does backward,
update, the next find and the next forward in one pass: that pass's seconds
are charged to ``fused``, and its ops to the phases they belong to.
"""

from __future__ import annotations

import time
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Callable, Iterator

ITERATION_PHASES = ("find", "forward", "backward", "update", "fused")
PHASES = ("preprocess",) + ITERATION_PHASES


@dataclass
class PhaseCost:
    """Work (inner products) and wall seconds of one phase."""

    ops: int = 0
    seconds: float = 0.0

    def to_dict(self) -> dict:
        return {"ops": int(self.ops), "seconds": float(self.seconds)}


@dataclass
class CostLedger:
    """Costs of one training run: preprocessing, then one record per iteration."""

    preprocess: PhaseCost = field(default_factory=PhaseCost)
    iterations: list[dict[str, PhaseCost]] = field(default_factory=list)

    def new_iteration(self) -> None:
        self.iterations.append({p: PhaseCost() for p in ITERATION_PHASES})

    def _slot(self, phase: str) -> PhaseCost:
        if phase == "preprocess":
            return self.preprocess
        if phase not in ITERATION_PHASES:
            raise ValueError(f"unknown phase {phase!r}; phases are {PHASES}")
        if not self.iterations:
            raise RuntimeError("call new_iteration() before recording an iteration phase")
        return self.iterations[-1][phase]

    def add(self, phase: str, ops: int, seconds: float = 0.0) -> None:
        slot = self._slot(phase)
        slot.ops += int(ops)
        slot.seconds += float(seconds)

    @contextmanager
    def measure(self, phase: str, ops_counter: Callable[[], int] | None = None) -> Iterator[PhaseCost]:
        """Time a block and charge it to ``phase``.

        If ``ops_counter`` is given (a callable returning a cumulative count,
        such as a finder's ``ops``), its increase over the block is charged too;
        the block may also add ops to the yielded slot directly.
        """
        slot = self._slot(phase)
        before = ops_counter() if ops_counter else 0
        start = time.perf_counter()
        try:
            yield slot
        finally:
            slot.seconds += time.perf_counter() - start
            if ops_counter:
                slot.ops += ops_counter() - before

    def per_iteration(self) -> dict:
        """Mean ops and seconds per iteration, in total and by phase."""
        t = max(len(self.iterations), 1)
        phases = {
            p: {
                "ops": sum(it[p].ops for it in self.iterations) / t,
                "seconds": sum(it[p].seconds for it in self.iterations) / t,
            }
            for p in ITERATION_PHASES
        }
        return {
            "ops": sum(v["ops"] for v in phases.values()),
            "seconds": sum(v["seconds"] for v in phases.values()),
            "phases": phases,
        }

    def series(self, phase: str | None = None, what: str = "ops") -> list[float]:
        """Per-iteration totals (or one phase's) of ``ops`` or ``seconds``."""
        phases = ITERATION_PHASES if phase is None else (phase,)
        return [float(sum(getattr(it[p], what) for p in phases)) for it in self.iterations]
