"""Plain gradient descent over a fired-set finder, with a cost ledger.

One iteration at weights ``W(t)``:

1. ``find``: fired sets ``S_i`` of ``W(t)`` from the finder;
2. ``forward``: ``f_i = f(W(t), x_i)`` and the loss ``L(W(t))``;
3. ``backward``: gradient rows of neurons fired by some input;
4. ``update``: ``W(t+1) = W(t) - lr * grad`` on those rows, then
   ``finder.moved(rows, net)`` (the finder's structure maintenance).

A finder that implements :class:`~quantum_train.core.finder_contract.FusedTraining`
(``drift``) runs steps 3 and 4 of iteration ``t`` and steps 1 and 2 of
iteration ``t + 1`` in one visit per neuron instead (:func:`_fused_loop`),
with bit-identical results; its seconds go to the ledger phase ``fused``.

The recorded loss list is ``L(W(0)), ..., L(W(T))``; its last entry, the
*final loss*, is evaluated after training by the reference scan, outside the
ledger, identically for every finder.

**Divergence.** A run stops at the first iteration whose loss is not finite,
or exceeds ``DIVERGENCE_FACTOR`` times the initial loss, or whose step leaves a
non-finite weight (checked before the finder sees the new weights; a fused
pass re-checks no neuron whose new weights are not finite). The final loss
``L(W(T))`` is checked the same way (as iteration ``T``), and floating-point
overflow on the way is not warned about: it is this divergence. The result
then carries a :class:`Divergence` (iteration, loss, reason) and no final loss;
the other finders of a comparison still run. With the default learning rate
(:func:`default_learning_rate`) the loss falls, so a stop means the given
``lr`` (or ``b``) was too large.
"""

from __future__ import annotations

import math
import time
from dataclasses import dataclass, field
from typing import Callable

import numpy as np
from tqdm.auto import tqdm

from quantum_train.core.costs import CostLedger
from quantum_train.core.finder_contract import FiredSetFinder, FusedTraining
from quantum_train.core.fired import FiredSets
from quantum_train.core.model import ShiftedReLUNet, fire_probability
from quantum_train.core.threads import threads_for
from quantum_train.data.datasets import validate_training_data

#: A loss above this many times the initial loss counts as divergence.
DIVERGENCE_FACTOR = 100.0


def default_learning_rate(n: int, b: float) -> float:
    """``lr = 1 / max(n Q(b), 1)``: the inverse trace of the expected NTK Gram matrix, capped at 1.

    At initialisation ``H_ij = (1/m) sum_r <x_i, x_j> 1[r fires on i and j]``
    has expected diagonal ``Q(b)`` for unit inputs, so ``trace E[H] = n Q(b)
    >= lambda_max``. A step ``lr <= 1/lambda_max`` (below the stability limit
    ``2/lambda_max``) makes the linearised loss fall monotonically, whatever
    the data's correlation.

    The cap covers large ``b``, where ``n Q(b) < 1``: a neuron that fires at
    all fires on at least one input, so its step moves ``w_r`` by about
    ``lr |T_r| / sqrt(m) >= lr / sqrt(m)``, not the ``lr n Q(b) / sqrt(m)``
    of the expectation. Uncapped (``1/(n Q(b))``, e.g. 122 at ``n = 256``,
    ``b = 4``) one step moved fired weights by more than the spread of
    ``<w, x>`` itself, switched many neurons on, and the loss grew 10^4-fold
    in 10 steps. Capped, every step moves a weight by ``O(1/sqrt(m))``
    and the linearised argument holds. The tests check that the loss falls
    on every built-in data set and at every ``b`` from -3 to 6 (and stays
    constant where no neuron fires). The paper's NTK step size (of order
    ``lambda / n^2``) is orders of magnitude smaller and barely moves the
    loss in a few iterations.
    """
    return 1.0 / max(n * fire_probability(b), 1.0)


@dataclass(frozen=True)
class Divergence:
    """Why and where a run was stopped: ``iteration`` t, whose loss was ``loss`` (None if not finite)."""

    iteration: int
    loss: float | None
    reason: str

    def message(self, finder: str) -> str:
        return (f"{finder} diverged at iteration {self.iteration}: {self.reason}; "
                "lower the learning rate lr (or leave it to the default)")


class LossCurve:
    """``initial_loss`` and ``final_loss`` of anything with ``loss`` (``L(W(0)) .. L(W(T))``) and ``diverged``."""

    loss: "list[float] | tuple[float, ...]"
    diverged: "Divergence | None"

    @property
    def initial_loss(self) -> float:
        return self.loss[0]

    @property
    def final_loss(self) -> float | None:
        """``L(W(T))``, or ``None`` when the run diverged."""
        return None if self.diverged is not None else self.loss[-1]


@dataclass
class TrainResult(LossCurve):
    """What one training run produced."""

    finder: str
    loss: list[float]
    fired_mean: list[float]
    fired_max: list[int]
    ledger: CostLedger
    W: np.ndarray
    seconds_label: str = "wall"
    extras: dict = field(default_factory=dict)
    diverged: Divergence | None = None



def train(net: ShiftedReLUNet, X: np.ndarray, y: np.ndarray, finder: FiredSetFinder, iters: int, lr: float,
          **options) -> TrainResult:
    """Train ``net`` in place for ``iters`` steps of gradient descent using ``finder``.

    ``on_iteration(t, fired)`` is called with each iteration's fired sets
    (outside the ledger), e.g. to check them against the dense finder;
    ``progress`` shows a bar. Small instances (``n m d`` below
    :data:`quantum_train.core.threads.SERIAL_WORK`) run on one thread.
    """
    with threads_for(int(np.size(X)) * net.m):  # n d m multiply-adds in a dense scan
        return _train(net, X, y, finder, iters, lr, **options)


def _train(
    net: ShiftedReLUNet,
    X: np.ndarray,
    y: np.ndarray,
    finder: FiredSetFinder,
    iters: int,
    lr: float,
    *,
    progress: bool = False,
    on_iteration: Callable[[int, FiredSets], None] | None = None,
) -> TrainResult:
    if iters <= 0:
        raise ValueError(f"iters must be positive, got {iters}")
    X, y = validate_training_data(X, y)
    if X.shape[1] != net.d:
        raise ValueError(f"inputs have dimension {X.shape[1]}, the network expects d = {net.d}")
    if not (lr > 0 and math.isfinite(lr)):
        raise ValueError(f"learning rate must be positive and finite, got {lr}")
    ledger = CostLedger()
    start = time.perf_counter()
    finder.prepare(net, X)
    ledger.preprocess.seconds += time.perf_counter() - start
    ledger.preprocess.ops += finder.ops
    bar = tqdm(range(iters), desc=finder.name, disable=not progress, leave=False, mininterval=0.5)
    loop = _fused_loop if isinstance(finder, FusedTraining) and finder.fused else _phased_loop
    # a diverging run overflows on its way to inf: that is caught as a Divergence, not warned about
    with np.errstate(over="ignore", invalid="ignore", divide="ignore"):
        curve = loop(net, X, y, finder, lr, ledger, bar, on_iteration)
        if curve.diverged is None:  # the final loss L(W(T)) is checked like every other
            final = net.loss(X, y)
            if not curve.stops_at_loss(iters, final):
                curve.losses.append(final)
    return TrainResult(finder.name, curve.losses, curve.fired_mean, curve.fired_max, ledger, net.W,
                       finder.seconds_label, finder.report(), curve.diverged)


@dataclass
class _Curve:
    """What a training loop records per iteration, and where it stopped."""

    losses: list[float] = field(default_factory=list)
    fired_mean: list[float] = field(default_factory=list)
    fired_max: list[int] = field(default_factory=list)
    diverged: Divergence | None = None

    def record(self, loss: float, per_input: np.ndarray) -> None:
        self.losses.append(loss)
        self.fired_mean.append(float(per_input.mean()))
        self.fired_max.append(int(per_input.max()))

    def stops_at_loss(self, t: int, loss: float) -> bool:
        """Stop (recording ``loss``) if it is not finite or too large (:func:`_check_loss`)."""
        self.diverged = _check_loss(t, loss, self.losses[0] if self.losses else loss)
        if self.diverged is not None:
            self.losses.append(loss)
        return self.diverged is not None

    def stop_at_step(self, t: int) -> None:
        """Stop: the step of iteration ``t`` left non-finite weights."""
        self.diverged = Divergence(t + 1, None, f"the step of iteration {t} left non-finite weights")


def _phased_loop(net, X, y, finder, lr, ledger, bar, on_iteration) -> _Curve:
    """Find, forward, backward and update as four passes, each charged to its phase."""
    curve = _Curve()
    ops = lambda: finder.ops  # noqa: E731
    workspace = np.empty_like(net.W)  # gradient rows, reused: no page faults per step
    for t in bar:
        ledger.new_iteration()
        with ledger.measure("find", ops):
            fired = finder.find(net, X)
            _ = fired.by_neuron  # the direction training uses: a finder's transpose is its cost
        if on_iteration is not None:
            on_iteration(t, fired)
        with ledger.measure("forward") as cost:
            err = net.forward(X, fired) - y
            cost.ops += fired.nnz
        loss = 0.5 * float(err @ err)
        if curve.stops_at_loss(t, loss):
            break
        with ledger.measure("backward") as cost:
            rows, G = net.gradient(X, err, fired, out=workspace)
            cost.ops += fired.nnz
        with ledger.measure("update", ops) as cost:
            finite = net.step(rows, G, lr)
            cost.ops += len(rows)
            if finite:  # a finder never sees non-finite weights
                finder.moved(rows, net)
        curve.record(loss, fired.per_input())
        bar.set_postfix(loss=f"{loss:.4g}")
        if not finite:
            curve.stop_at_step(t)
            break
    return curve


def _fused_loop(net, X, y, finder: "FusedTraining", lr, ledger, bar, on_iteration) -> _Curve:
    """One visit per neuron per iteration (:class:`~quantum_train.core.finder_contract.FusedTraining`).

    Iteration 0's forward pass reads the finder's state. Then each iteration's
    fused pass does its backward and update, and (except the last) the next
    iteration's find and forward. Its seconds are one measurement, charged to
    the ``fused`` phase; its ops are charged to the phases and iterations they
    belong to, so every phase's ops equal the unfused loop's.
    """
    curve = _Curve()
    ledger.new_iteration()
    with ledger.measure("forward") as cost:
        current = finder.forward_from_state(net, X)
        cost.ops += current.pairs
    iters = bar.total
    find_ops = 0  # of the next iteration, spent in the previous fused pass
    for t in bar:
        if t > 0:
            ledger.new_iteration()
            ledger.add("find", find_ops)
            ledger.add("forward", current.pairs)
        if on_iteration is not None:
            on_iteration(t, finder.current_fired_sets(X.shape[0]))
        err = current.outputs - y
        loss = 0.5 * float(err @ err)
        if curve.stops_at_loss(t, loss):
            break
        with ledger.measure("fused"):
            step = finder.fused_step(net, X, err, lr, next_forward=t + 1 < iters)
        ledger.add("backward", step.pairs)
        ledger.add("update", step.rows)
        curve.record(loss, current.per_input)
        bar.set_postfix(loss=f"{loss:.4g}")
        if not step.finite:
            curve.stop_at_step(t)
            break
        current, find_ops = step.next, step.find_ops
    return curve


def _check_loss(t: int, loss: float, initial: float) -> Divergence | None:
    """A :class:`Divergence` if ``loss`` is not finite or above ``DIVERGENCE_FACTOR`` x ``initial``."""
    if not math.isfinite(loss):
        return Divergence(t, None, f"the loss is {loss}")
    if loss > DIVERGENCE_FACTOR * initial and loss > 0:
        return Divergence(t, loss, f"the loss {loss:.4g} exceeds {DIVERGENCE_FACTOR:g} x the initial {initial:.4g}")
    return None
