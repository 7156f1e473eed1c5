"""The cost of a training run as a curve over iterations, and the break-even iteration between two curves.

A method that spends ``P`` on preprocessing and ``c_1, ..., c_K`` on the
iterations of a measured run of ``K`` iterations has spent, after ``T``
iterations,

    total(T) = P + sum_{t <= T} c_t                                  (T <= K)
    total(T) = P + sum_{t <= K} c_t + (T - K) s                      (T > K)

where ``s`` is the run's *steady state*: the median of ``c_t`` over
``t >= 10`` when the run has ``K >= 30`` iterations (the first iterations of
a run are not representative: a structure settles, moved neurons are
re-queried, drift's anchors age), else the median of its last third (the last
``ceil(K / 3)`` iterations). Beyond ``K`` the curve is an extension, and
:class:`CurveTotal` says so (``extended``).

**Break-even.** A method with curve ``F`` pays off against dense's curve ``D``
from the least ``T >= 1`` with ``F(T) <= D(T)``. Both curves are exact on
their measured parts, so ``T <= max(K_F, K_D)`` is checked iteration by
iteration (a curve shorter than that is already on its steady state). Beyond,
the gap ``g(T) = F(T) - D(T)`` is linear, ``g(T) = g(K) + (T - K)(s_F - s_D)``,
so if ``s_F < s_D`` the answer is the closed form
``T = K + ceil(g(K) / (s_D - s_F))``; otherwise the method never pays
(``None``). This generalises the constant-cost rule ``T* = P / (c_0 - c)`` of
:mod:`quantum_train.experiments.sweeps.fit` to costs that change along the run.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Sequence

import numpy as np

#: a run at least this long uses the median from :data:`STEADY_FROM` on as its steady state
LONG_RUN = 30
#: the first iteration (1-based) counted in a long run's steady state
STEADY_FROM = 10


def steady_state(series: Sequence[float]) -> float:
    """The steady per-iteration cost of a measured run (see the module docstring); needs one iteration."""
    values = np.asarray(series, dtype=float)
    k = values.size
    if k == 0:
        raise ValueError("a cost curve needs at least one measured iteration")
    tail = values[STEADY_FROM - 1:] if k >= LONG_RUN else values[k - math.ceil(k / 3):]
    return float(np.median(tail))


@dataclass(frozen=True)
class CurveTotal:
    """``total(T)`` of one curve: the cost, and whether iterations beyond the measured run were charged."""

    iters: int
    total: float
    preprocess: float
    measured_iters: int  #: iterations taken from the measured series (``min(T, K)``)
    steady_state: float  #: the per-iteration cost charged to each of the other ``iters - measured_iters``

    @property
    def extended(self) -> bool:
        """True when ``T`` is beyond the measured run (the rest charged at the steady state)."""
        return self.iters > self.measured_iters

    @property
    def per_iteration(self) -> float:
        """The mean over the ``T`` iterations of the run, so that ``total = preprocess + T x per_iteration``."""
        return math.nan if self.iters == 0 else (self.total - self.preprocess) / self.iters

    def to_dict(self) -> dict:
        return {"iters": self.iters, "total": self.total, "preprocess": self.preprocess,
                "per_iteration": self.per_iteration, "measured_iters": self.measured_iters,
                "steady_state": self.steady_state, "extended": self.extended}


@dataclass(frozen=True)
class CostCurve:
    """``P`` and the measured per-iteration costs ``c_1..c_K`` of one method's run (ops or seconds)."""

    preprocess: float
    series: tuple[float, ...]

    def __post_init__(self):
        object.__setattr__(self, "series", tuple(float(c) for c in self.series))
        if not self.series:
            raise ValueError("a cost curve needs at least one measured iteration")

    @property
    def steady_state(self) -> float:
        return steady_state(self.series)

    def total(self, iters: int) -> CurveTotal:
        """``total(T)`` (the module docstring): exact for ``T <= K``, extended at the steady state beyond."""
        if iters < 0:
            raise ValueError(f"iters must be >= 0, got {iters}")
        k = min(iters, len(self.series))
        s = self.steady_state
        value = self.preprocess + math.fsum(self.series[:k]) + (iters - k) * s
        return CurveTotal(iters, value, self.preprocess, k, s)


def break_even_iters(method: CostCurve, dense: CostCurve) -> int | None:
    """The least ``T >= 1`` with ``method.total(T) <= dense.total(T)``, or ``None`` when it never pays."""
    horizon = max(len(method.series), len(dense.series))
    for t in range(1, horizon + 1):
        if method.total(t).total <= dense.total(t).total:
            return t
    gap = method.total(horizon).total - dense.total(horizon).total  # > 0 here
    saving = dense.steady_state - method.steady_state
    if saving <= 0:
        return None
    return horizon + max(1, math.ceil(gap / saving))
