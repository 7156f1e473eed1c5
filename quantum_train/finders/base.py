"""The fired-set finder contract (DESIGN.md section 2).

A finder discovers, at every iteration, the pairs ``(i, r)`` with
``exact_dot(w_r, x_i) > b``. It is driven by the trainer:

- ``prepare(net, X)`` once, before training (preprocessing, costed apart);
- ``find(net, X) -> FiredSets`` at every iteration;
- ``moved(rows, net)`` after each gradient step, with the (sorted) neurons
  whose weights changed; ``net.W`` already holds the new weights. (DESIGN.md
  sketches ``moved(rows, old_W, new_W)``; no finder needs the old rows, and
  copying them costs two ``|rows| x d`` arrays per step, a fifth of a drift
  iteration at ``m = 2^20``, so only the rows are passed.)

It counts its own work in ``ops`` (cumulative, in d-dimensional inner
products, see :mod:`quantum_train.costs`); the trainer charges the increase
over each call to the phase it belongs to. Every finder must return exactly
the dense finder's fired sets on the same weights (tests hold them to it),
unless it is a randomised search whose misses it reports (``report()``).
"""

from __future__ import annotations

from abc import ABC, abstractmethod

import numpy as np

from quantum_train.fired import FiredSets
from quantum_train.model import ShiftedReLUNet


class FiredSetFinder(ABC):
    """Base class of every finder; subclasses set ``name``."""

    name: str = "finder"
    #: True when ``find`` returns exactly the dense fired sets (deterministic finders).
    exact: bool = True
    #: Shown in reports next to wall seconds (e.g. "simulation" for quantum finders).
    seconds_label: str = "wall"

    def __init__(self) -> None:
        self.ops = 0

    def prepare(self, net: ShiftedReLUNet, X: np.ndarray) -> None:
        """Preprocess (default: nothing)."""

    @abstractmethod
    def find(self, net: ShiftedReLUNet, X: np.ndarray) -> FiredSets:
        """The fired sets of the current weights."""

    def moved(self, rows: np.ndarray, net: ShiftedReLUNet) -> None:
        """React to the weights of ``rows`` having moved to ``net.W[rows]`` (default: nothing)."""

    def report(self) -> dict:
        """Finder-specific fields for the results (default: none)."""
        return {}

    @classmethod
    def memory_bytes(cls, n: int, m: int, d: int, b: float, pairs: float) -> float:
        """Peak bytes of the finder's own state beyond the weights and one iteration's fired sets.

        ``pairs`` is the (generous) number of fired pairs to plan for; see
        :mod:`quantum_train.memory`. Default: nothing beyond that.
        """
        return 0.0


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
