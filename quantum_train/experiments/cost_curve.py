"""The cost of a training run as a curve over iterations, and the break-even iteration between two curves.

A method that spends ``P`` on preprocessing and ``c_1, ..., c_K`` on the
iterations of a measured run of ``K`` iterations has spent, after ``T``
iterations,

    total(T) = P + sum_{t <= T} c_t                                  (T <= K)
    total(T) = P + sum_{t <= K} c_t + (T - K) s                      (T > K)

where ``s`` is the run's *steady state*. Iterations are counted from 0, as
``benchmarks/bench_finders.py`` and ``benchmarks/check_steady_state.py`` count
them, and issue 24 fixes the rule: "iterations from 10 on, over a run of at
least 30". So a run with ``K >= 30`` (:data:`LONG_RUN`) iterations has the
steady state ``s`` = the median of ``c_t`` for ``t >= 10`` (:data:`STEADY_FROM`,
0-based: the 11th measured iteration on; :func:`steady_state_cost`). The first
iterations of a run are not representative: a structure settles, moved neurons
are re-queried, drift's anchors age. A shorter run has no steady state of its
own; it is extended by the median of all its iterations (:func:`steady_state`:
the median of three iterations is the middle one, where one last iteration alone
would swing with every noisy measurement). Beyond ``K`` the curve is an extension, and
:class:`CurveTotal` says so (``extended``). :func:`cost_over_iterations` is the
same curve at a fractional ``T`` (a fraction of an iteration costs that
fraction of it), without ``P``.

**Two break-even notions**, for two questions, side by side here:

- :func:`break_even_iters` -- *from which whole iteration is the method
  cheaper?* The least ``T >= 1`` with ``F(T) <= D(T)`` for the method's curve
  ``F`` and dense's ``D``. Both curves are exact on their measured parts, so
  ``T <= max(K_F, K_D)`` is checked iteration by iteration (a curve shorter
  than that is already on its steady state). Beyond, the gap
  ``g(T) = F(T) - D(T)`` is linear, ``g(T) = g(K) + (T - K)(s_F - s_D)``, so if
  ``s_F < s_D`` the answer is the closed form ``T = K + ceil(g(K) / (s_D - s_F))``;
  otherwise the method never pays (``None``). Used by the verdict and by
  ``Comparison.break_even_iters``.
- :func:`break_even_after` -- *after which ``T*`` does the method stay
  cheaper?* The fractional ``T*`` at which ``F - D`` last crosses 0 (linear
  interpolation within an iteration), so that ``F(T) < D(T)`` for every
  ``T > T*``; ``None`` if ``s_F > s_D``, or ``s_F = s_D`` and the method is not
  ahead at the end of the runs. Used by the sweeps
  (:func:`quantum_train.experiments.sweeps.fit.break_even_on_curves`).

The two agree when ``F - D`` crosses 0 once (then ``break_even_iters`` is
``ceil(T*)``, or ``T*`` itself at an exact tie); they differ where the method
is ahead for a while and falls behind again (``break_even_iters`` reports the
first lead, ``break_even_after`` the lasting one). Both generalise the
constant-cost rule ``T* = P / (c_0 - c)`` of
:mod:`quantum_train.experiments.sweeps.fit` to costs that change along the run.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from functools import cached_property
from typing import Sequence

import numpy as np

#: a run at least this long has a steady state of its own (issue 24: "over a run of at least 30")
LONG_RUN = 30
#: the first iteration, counted from 0, of a long run's steady state (issue 24: "iterations from 10 on")
STEADY_FROM = 10


def steady_state_cost(series: Sequence[float]) -> float | None:
    """The median cost of iterations ``STEADY_FROM`` on (0-based); ``None`` for a run shorter than ``LONG_RUN``."""
    if len(series) < LONG_RUN:
        return None
    return float(np.median(np.asarray(series[STEADY_FROM:], dtype=float)))


def steady_state(series: Sequence[float]) -> float:
    """The per-iteration cost charged beyond a measured run (the module docstring); needs one iteration.

    :func:`steady_state_cost` for a run of at least ``LONG_RUN`` iterations, else the median of all its iterations.
    """
    values = np.asarray(series, dtype=float)
    k = values.size
    if k == 0:
        raise ValueError("a cost curve needs at least one measured iteration")
    long_run = steady_state_cost(values)
    return long_run if long_run is not None else float(np.median(values))


def cost_over_iterations(series: Sequence[float], iterations: float) -> float:
    """The cost of ``iterations`` (fractional) iterations on a run's measured curve, without preprocessing.

    ``series[t]`` is iteration ``t``'s cost. Within the run, the sum of the
    measured iterations (a fraction of an iteration costs that fraction of it);
    beyond it, :func:`steady_state` per further iteration. A constant series
    ``c`` gives ``c T``.
    """
    costs = np.asarray(series, dtype=float)
    if costs.ndim != 1 or costs.size == 0 or iterations < 0:
        raise ValueError("cost_over_iterations needs a non-empty 1-D series and iterations >= 0")
    whole = min(int(iterations), costs.size)
    total = math.fsum(costs[:whole])
    if iterations <= costs.size:
        return total + (iterations - whole) * (float(costs[whole]) if whole < costs.size else 0.0)
    return total + (iterations - costs.size) * steady_state(costs)


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

    @cached_property
    def steady_state(self) -> float:
        """:func:`steady_state` of the series, taken once (``total`` and the break-evens read it per ``T``)."""
        return steady_state(self.series)

    def total(self, iters: int) -> CurveTotal:
        """``total(T)`` (the module docstring): exact for ``T <= K``, extended at the steady state beyond."""
        if iters < 0:
            raise ValueError(f"iters must be >= 0, got {iters}")
        k = min(iters, len(self.series))
        value = self.preprocess + cost_over_iterations(self.series, iters)
        return CurveTotal(iters, value, self.preprocess, k, self.steady_state)


def break_even_iters(method: CostCurve, dense: CostCurve) -> int | None:
    """The first whole ``T >= 1`` with ``method.total(T) <= dense.total(T)``, or ``None`` when it never pays.

    *From which iteration is the method cheaper?* (the module docstring; compare :func:`break_even_after`).
    """
    horizon = max(len(method.series), len(dense.series))
    for t in range(1, horizon + 1):
        if method.total(t).total <= dense.total(t).total:
            return t
    gap = method.total(horizon).total - dense.total(horizon).total  # > 0 here
    saving = dense.steady_state - method.steady_state
    if saving <= 0:
        return None
    return horizon + max(1, math.ceil(gap / saving))


def break_even_after(method: CostCurve, dense: CostCurve) -> float | None:
    """The fractional ``T*`` after which the method stays cheaper: ``method.total(T) < dense.total(T)`` for every
    ``T > T*``, or ``None`` when it never does for long.

    *After which T does the method stay cheaper?* (the module docstring; compare :func:`break_even_iters`). The
    gap ``D - F`` is piecewise linear in ``T``, and linear beyond the longer run with slope ``s_D - s_F``;
    ``T*`` is where it last crosses 0, interpolated within one iteration (0 if it never is <= 0).
    """
    horizon = max(len(method.series), len(dense.series))
    gaps = [dense.total(t).total - method.total(t).total for t in range(horizon + 1)]
    slope = dense.steady_state - method.steady_state
    if slope < 0 or (slope == 0 and gaps[-1] <= 0):
        return None
    if gaps[-1] <= 0:
        return horizon - gaps[-1] / slope
    behind = [t for t, g in enumerate(gaps) if g <= 0]
    if not behind:
        return 0.0
    last = behind[-1]
    return last - gaps[last] / (gaps[last + 1] - gaps[last])
