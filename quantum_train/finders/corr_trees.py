"""Correlation trees (Alman, Liang, Song, Zhang, Zhuo, NeurIPS 2023) as exact finders.

Alman, Liang, Song, Zhang and Zhuo, "Bypass Exponential Time Preprocessing:
Fast Neural Network Training via Weight-Data Correlation Preprocessing"
(Advances in NeurIPS 36, 2023, pp. 48110-48137; arXiv:2211.14227), store the
weight-data inner products themselves in binary max-trees. Their abstract
states the result: "Our method requires only O(nmd) time in preprocessing and
still achieves o(nmd) time per iteration", and adds a lower bound: assuming a
popular conjecture from complexity theory, "one could not substantially speed
up our algorithm for dynamic detection of firing neurons". The theorem itself
is NOT quoted here: no stored copy of its text could be found (the abstract,
the proceedings and index pages, and the opening of the introduction only;
``docs/results.md``, section 6, lists the searches). Its bound is given as the
issue recalls it, and labelled so: ``O~(m^(4/5) n^2 d)`` per iteration at
``b = sqrt(0.4 ln m)``, at most ``n m^(4/5)`` neurons moving, each costing
``n (d + log m)``. Someone with the paper should replace this with the
theorem's number and text.

- ``corr-dtree`` (Correlation DTree): one tree per input ``x_i`` over the ``m``
  neurons. ``find`` descends each tree into the children whose maximum exceeds
  ``b``: ``S_i`` in ``O(1 + |S_i| log m)`` node visits. ``moved(rows)``
  recomputes each moved neuron's ``n`` leaves and repairs their root paths in
  every tree (shared ancestors once), or rebuilds a tree in ``m - 1`` writes
  when that writes no more nodes; the choice is made per tree, by the count of
  its leaves that changed (:func:`._corr_kernels.repair_dtrees`).
- ``corr-wtree`` (Correlation WTree): one tree per neuron ``w_r`` over the
  ``n`` inputs. ``find`` reports ``T_r``, neuron-major (what training
  consumes): ``m`` root checks plus ``O(|T_r| log n)`` per neuron. A moved
  neuron's tree is rebuilt from its ``n`` new products.

**Exact.** A leaf holds ``exact_dot(w_r, x_i)``, the project's canonical inner
product (docs/design.md, section 3), and a pair is reported iff its leaf is
``> b``; a node's maximum is one of its leaves, so pruning at ``max <= b``
loses nothing. The fired sets are the dense ones bit for bit.

**Cost unit** (docs/design.md, section 2). Each inner product computed counts
one op; each tree node visited (a bound test in ``find``) or written (build,
repair, rebuild) counts ``1/d`` op, since a scalar comparison costs a
``d``-th of a ``d``-dimensional inner product. ``ops`` is the floor of the
cumulative sum; the node visits are reported apart (``tree_visits``).
Preprocessing (all ``n m`` leaves and the trees) is charged to the
``preprocess`` phase, ``find`` to ``find``, ``moved`` to ``update``.

**Memory.** ``2 L`` float64 per tree (``L`` the number of leaves rounded up to a
power of two): ``2 n m`` values when ``m`` (DTree) or ``n`` (WTree) is a power
of two, ``16 n m`` bytes, and for the DTree a bit per leaf (the leaves a move
changed, until repaired); :meth:`memory_bytes` tells the memory guard, which
refuses a run that cannot hold them before anything is allocated.
"""

from __future__ import annotations

import numba
import numpy as np

from quantum_train.core.finder_contract import FiredSetFinder
from quantum_train.core.fired import FiredSets
from quantum_train.core.model import ShiftedReLUNet
from quantum_train.finders import _corr_kernels as K


def leaf_slots(leaves: int) -> int:
    """``L``: ``leaves`` rounded up to a power of two (a tree has ``2 L`` nodes, node 0 unused)."""
    return 1 << max(int(leaves) - 1, 0).bit_length()


def tree_bytes(trees: int, leaves: int) -> float:
    """Bytes of ``trees`` max-trees over ``leaves`` leaves (float64 nodes and an int64 count each)."""
    return float(trees) * (2.0 * leaf_slots(leaves) * 8 + 8)


class _CorrelationTrees(FiredSetFinder):
    """Shared by both: the tree matrix, its counts and the counters of what the kernels did."""

    #: what the leaves of one tree range over, for the notes
    over = ""

    def __init__(self) -> None:
        super().__init__()
        self.products = 0  # inner products computed, preprocessing included
        self.visits = {"preprocess": 0, "find": 0, "maintenance": 0}  # tree nodes visited or written
        self.moves = 0  # moved() calls with at least one row
        self.neurons_moved = 0
        self.rebuilt = 0
        self.repaired = 0
        self._d = 1

    @classmethod
    def note(cls, report: dict) -> str:
        moves = max(report.get("moves", 0), 1)
        return (f"trees over {cls.over}, {report.get('tree_visits', 0)} node visits after preprocessing, "
                f"{report.get('neurons_moved', 0) / moves:.1f} neurons moved per step")

    def _charge(self, products: int, visits: int, phase: str) -> None:
        """Count ``products`` inner products (1 op each) and ``visits`` node visits (1/d op each)."""
        self.products += int(products)
        self.visits[phase] += int(visits)
        self.ops = self.products + sum(self.visits.values()) // self._d

    def _prepare_trees(self, A: np.ndarray, B: np.ndarray, b: float, d: int) -> None:
        self._d = max(int(d), 1)
        self.A, self.B = A, B
        self.L = leaf_slots(B.shape[0])
        self.tree = np.empty((A.shape[0], 2 * self.L))
        self.count = np.zeros(A.shape[0], dtype=np.int64)
        self.b = float(b)
        products, writes = K.fill_trees(self.tree, self.count, np.arange(A.shape[0]), A, B, self.L, self.b)
        self._charge(products, writes, "preprocess")

    def _report_above(self, b: float) -> tuple[np.ndarray, np.ndarray]:
        """The CSR of the leaves above ``b``, tree by tree (a changed ``b`` recounts first, with no products)."""
        if b != self.b:
            self.b = float(b)
            K.count_above(self.tree, self.count, self.L, self.b)
        indptr = np.zeros(self.tree.shape[0] + 1, dtype=np.int64)
        np.cumsum(self.count, out=indptr[1:])
        indices = np.empty(int(indptr[-1]), dtype=np.int64)
        self._charge(0, K.report_above(self.tree, indptr, indices, self.L, self.b), "find")
        return indptr, indices

    def report(self) -> dict:
        return {"tree_visits": int(self.visits["find"] + self.visits["maintenance"]),
                "tree_visits_find": int(self.visits["find"]), "tree_visits_maintenance": int(self.visits["maintenance"]),
                "tree_visits_preprocess": int(self.visits["preprocess"]), "products_computed": int(self.products),
                "moves": int(self.moves), "neurons_moved": int(self.neurons_moved),
                "trees_rebuilt": int(self.rebuilt), "trees_repaired": int(self.repaired)}


class CorrelationDTreeFinder(_CorrelationTrees):
    """Correlation DTree: a max-tree per input over the ``m`` neurons; ``find`` reports ``S_i`` by descent."""

    name = "corr-dtree"
    over = "the m neurons, one per input"

    @classmethod
    def memory_bytes(cls, n: int, m: int, d: int, b: float, pairs: float) -> float:
        """``n`` trees over ``m`` leaves (``2 n m`` float64 at a power-of-two ``m``), a changed-leaf bit per leaf,
        one find's CSR, the repair scratch."""
        return tree_bytes(n, m) + n * (m + 7) // 8 + 8.0 * pairs + 16.0 * n + 8.0 * m * min(n, 64)

    def prepare(self, net: ShiftedReLUNet, X: np.ndarray) -> None:
        X = np.ascontiguousarray(X, dtype=np.float64)
        self._prepare_trees(X, net.W, net.b, net.d)
        self.changed = np.zeros(X.shape[0], dtype=np.int64)
        self.marks = np.zeros((X.shape[0], (net.m + 7) // 8), dtype=np.uint8)

    def find(self, net: ShiftedReLUNet, X: np.ndarray) -> FiredSets:
        indptr, indices = self._report_above(net.b)
        return FiredSets.from_input_major(indptr, indices, net.m)

    def moved(self, rows: np.ndarray, net: ShiftedReLUNet) -> None:
        rows = np.ascontiguousarray(rows, dtype=np.int64)
        if not len(rows):
            return
        n = self.tree.shape[0]
        products = K.move_leaves_in_dtrees(self.tree, self.count, self.changed, self.marks, self.A, net.W, rows,
                                           self.L, self.b)
        scratch = np.empty((min(n, 8 * numba.get_num_threads()), len(rows)), dtype=np.int64)
        writes, rebuilt, repaired = K.repair_dtrees(self.tree, self.changed, self.marks, rows, self.L, scratch)
        self.moves += 1
        self.neurons_moved += len(rows)
        self.rebuilt += rebuilt
        self.repaired += repaired
        self._charge(products, writes, "maintenance")


class CorrelationWTreeFinder(_CorrelationTrees):
    """Correlation WTree: a max-tree per neuron over the ``n`` inputs; ``find`` reports ``T_r``, neuron-major."""

    name = "corr-wtree"
    over = "the n inputs, one per neuron"

    @classmethod
    def memory_bytes(cls, n: int, m: int, d: int, b: float, pairs: float) -> float:
        """``m`` trees over ``n`` leaves (``2 n m`` float64 at a power-of-two ``n``) and one find's CSR."""
        return tree_bytes(m, n) + 8.0 * pairs + 8.0 * m

    def prepare(self, net: ShiftedReLUNet, X: np.ndarray) -> None:
        self._X = np.ascontiguousarray(X, dtype=np.float64)
        self._prepare_trees(net.W, self._X, net.b, net.d)

    def find(self, net: ShiftedReLUNet, X: np.ndarray) -> FiredSets:
        indptr, indices = self._report_above(net.b)
        return FiredSets.from_neuron_major(indptr, indices, X.shape[0])

    def moved(self, rows: np.ndarray, net: ShiftedReLUNet) -> None:
        rows = np.ascontiguousarray(rows, dtype=np.int64)
        if not len(rows):
            return
        products, writes = K.fill_trees(self.tree, self.count, rows, net.W, self._X, self.L, self.b)
        self.moves += 1
        self.neurons_moved += len(rows)
        self.rebuilt += len(rows)
        self._charge(products, writes, "maintenance")
