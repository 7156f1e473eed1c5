"""The fired-set finder contract (docs/design.md, section 5): what the training loop consumes.

It lives in the training core, below the finders (``quantum_train/finders/``), which implement it: the
training loop (:mod:`quantum_train.core.train`) depends on this contract, never on a finder.

A finder discovers, at every iteration, the pairs ``(i, r)`` with
``exact_dot(w_r, x_i) > b``. It is driven by the trainer:

- ``prepare(net, X)`` once, before training (preprocessing, costed apart);
- ``find(net, X) -> FiredSets`` at every iteration;
- ``moved(rows, net)`` after each gradient step, with the (sorted) neurons
  whose weights changed; ``net.W`` already holds the new weights. (No finder
  needs the old rows, and copying them would cost two ``|rows| x d`` arrays
  per step, a fifth of a drift iteration at ``m = 2^20``.)

It counts its own work in ``ops`` (cumulative, in d-dimensional inner
products, see :mod:`quantum_train.core.costs`); the trainer charges the increase
over each call to the phase it belongs to. Every finder must return exactly
the dense finder's fired sets on the same weights (tests hold them to it),
unless it is a randomised search whose misses it reports (``report()``).
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from dataclasses import dataclass
from typing import Callable

import numpy as np

from quantum_train.core.fired import FiredSets
from quantum_train.core.model import ShiftedReLUNet


class FiredSetFinder(ABC):
    """Base class of every finder; subclasses set ``name``."""

    name: str = "finder"
    #: True when ``find`` returns exactly the dense fired sets (deterministic finders).
    exact: bool = True
    #: Shown in reports next to wall seconds (e.g. "simulation" for quantum finders).
    seconds_label: str = "wall"

    def __init__(self) -> None:
        self.ops = 0

    def prepare(self, net: ShiftedReLUNet, X: np.ndarray) -> None:  # noqa: B027 - optional hook, default no-op
        """Preprocess (default: nothing)."""

    @abstractmethod
    def find(self, net: ShiftedReLUNet, X: np.ndarray) -> FiredSets:
        """The fired sets of the current weights."""

    def moved(self, rows: np.ndarray, net: ShiftedReLUNet) -> None:  # noqa: B027 - optional hook, default no-op
        """React to the weights of ``rows`` having moved to ``net.W[rows]`` (default: nothing)."""

    def report(self) -> dict:
        """Finder-specific fields for the results (default: none)."""
        return {}

    # -- facts about the finder, asked by compare and sweep without knowing its kind -----------------
    @classmethod
    def note(cls, report: dict) -> str:
        """One line of the finder's own facts for a comparison's notes, from its :meth:`report` (default: none)."""
        return ""

    @classmethod
    def limits(cls, name: str, m: int, n: int, strategy: str | None) -> list[str]:
        """What the finder needs of the run that it lacks, as ``"field: need (got ...)"`` lines (default: none)."""
        return []

    @classmethod
    def preferred_strategy(cls, name: str) -> str | None:
        """The Grover find-all strategy this finder needs when none is given (default: no preference)."""
        return None

    @classmethod
    def warm_up(cls, name: str, d: int, seed: int, train_tiny: Callable[[str, int, int], None]) -> None:
        """Compile the finder's numba kernels, so that timings exclude JIT (default: a tiny training run).

        ``train_tiny(name, d, seed)`` trains the finder called ``name`` for two steps on a tiny instance. The
        layer above passes it in (:func:`quantum_train.experiments.comparison.warm_up`), so that a finder never imports
        the training loop.
        """
        train_tiny(name, d, seed)

    @classmethod
    def memory_bytes(cls, n: int, m: int, d: int, b: float, pairs: float) -> float:
        """Peak bytes of the finder's own state beyond the weights and one iteration's fired sets.

        ``pairs`` is the (generous) number of fired pairs to plan for; see
        :mod:`quantum_train.experiments.ram_guard`. Every finder must say (return 0.0 if it keeps nothing): the memory
        guard refuses a run before allocating on this estimate, so there is no silent default.
        """
        raise NotImplementedError(f"{cls.__name__} does not estimate its memory: define the class method "
                                  "memory_bytes(n, m, d, b, pairs) (return 0.0 if it keeps no state)")


class LazyMaintenance:
    """Mixin for finders that bring their state up to date at the next ``find``.

    ``moved`` only remembers the (sorted, distinct) rows moved since the last
    ``take_moved``, so the maintenance work is charged to the ``find`` phase.
    """

    _pending: np.ndarray = np.empty(0, dtype=np.int64)

    def moved(self, rows: np.ndarray, net: ShiftedReLUNet) -> None:
        rows = np.asarray(rows, dtype=np.int64)
        self._pending = np.union1d(self._pending, rows) if len(self._pending) else rows

    def take_moved(self) -> np.ndarray:
        """The rows moved since the last call, and forget them."""
        rows, self._pending = self._pending, np.empty(0, dtype=np.int64)
        return rows


@dataclass(frozen=True)
class ForwardPass:
    """``f(W, x_i)`` for every input (``outputs``), the fired count of every input, and the fired pairs summed."""

    outputs: np.ndarray
    per_input: np.ndarray
    pairs: int


@dataclass(frozen=True)
class FusedStep:
    """What one fused visit of the neurons did (see :class:`FusedTraining`).

    ``pairs`` fired pairs in the gradient, ``rows`` neurons moved, ``find_ops``
    inner products spent bringing the fired sets up to date, ``finite`` false
    if the step wrote a non-finite weight, and ``next`` the forward pass at the
    new weights (``None`` when it was not asked for, or the step was not finite).
    """

    pairs: int
    rows: int
    find_ops: int
    finite: bool
    next: ForwardPass | None


class FusedTraining(ABC):
    """A finder that can run backward, update, its own maintenance and the next forward in one visit per neuron.

    The trainer (:func:`quantum_train.core.train.train`) uses these instead of
    ``find``/``forward``/``backward``/``update`` when the finder's ``fused`` is
    true. Results must be bit-identical to the unfused loop; only the
    passes over memory are fewer.
    """

    fused: bool = True

    @abstractmethod
    def forward_from_state(self, net: ShiftedReLUNet, X: np.ndarray) -> ForwardPass:
        """The forward pass at the current weights, from the finder's own fired state."""

    @abstractmethod
    def fused_step(self, net: ShiftedReLUNet, X: np.ndarray, err: np.ndarray, lr: float,
                   next_forward: bool) -> FusedStep:
        """Gradient step on ``net.W`` in place, and (if ``next_forward``) the fired sets and forward pass after it."""

    @abstractmethod
    def current_fired_sets(self, n_inputs: int) -> FiredSets:
        """The fired sets the finder holds now (built on request: training does not need them)."""
