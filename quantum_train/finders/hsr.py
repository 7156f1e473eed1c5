"""The paper's two classical algorithms as finders over a half-space reporting structure.

**Algorithm 1, preprocess the weights** (``weights-hsr``): a *dynamic* HSR
structure holds the neurons' weights ``w_r``; at each iteration every input
``x_i`` queries the half-space ``{w : <w, x_i> > b}`` (its fired set ``S_i``);
after the gradient step, every moved weight is moved in the structure.
Song-Yang-Zhang 2021 give ``O~(m^(1 - Theta(1/d)) n d)`` per iteration with the
Agarwal-Eppstein-Matousek structure; here the structure is the practical
exact one of :mod:`classical` (a kd-tree that falls back to the blocked scan
where it cannot prune).

**Algorithm 2, preprocess the data** (``data-hsr``): a *static* HSR structure
holds the inputs ``x_i``; the fired sets are kept neuron-major (``T_r``), and
each moved neuron ``w_r`` queries ``{x : <w_r, x> > b}`` to renew ``T_r``.
The paper's ``O~(m^(4/5) n d)`` bound assumes few neurons move; note that a
neuron moves whenever it fires on *any* input, which at ``n Q(b) >> 1`` is
nearly every neuron, and the reports show it.
"""

from __future__ import annotations

from typing import Callable

import numpy as np

from classical import AutoHSR, HalfSpaceReporter
from quantum_train.finders.base import FiredSetFinder, LazyMaintenance
from quantum_train.finders.dense import scan_bytes
from quantum_train.fired import FiredSets, csr_replace_rows
from quantum_train.model import ShiftedReLUNet

HSRFactory = Callable[[], HalfSpaceReporter]


def structure_bytes(points: int, d: int) -> float:
    """A kd-tree (permuted points, node boxes, ids) and a scan's copy over ``points`` points in ``R^d``."""
    return 6.0 * points * d * 8 + 64.0 * points


def default_hsr_factory() -> HalfSpaceReporter:
    """The structure the finders use unless told otherwise: the kd-tree with its measured fallback to the scan."""
    return AutoHSR()


def _build(factory: HSRFactory, points: np.ndarray, queries: np.ndarray, b: float) -> HalfSpaceReporter:
    """``factory()`` built over ``points``; an automatic choice is probed with the real queries and ``b``."""
    structure = factory()
    if hasattr(structure, "with_probe"):
        structure.with_probe(queries, b)
    return structure.build(points)


class _HSRFinderFacts:
    """Notes and warm-up shared by the two HSR finders."""

    @classmethod
    def note(cls, report: dict) -> str:
        if "structure_chosen" not in report:
            return f"structure {report.get('structure', '?')} over {report.get('structure_over', '?')}"
        reason = report.get("structure_reason")
        return (f"structure {report['structure_chosen']} over {report['structure_over']}"
                + (f" ({reason})" if reason else ""))

    @classmethod
    def warm_up(cls, name: str, d: int, seed: int) -> None:
        """The tiny run of the base class uses the scan; compile the tree's kernels too."""
        super().warm_up(name, d, seed)
        from classical import KDTreeHSR

        rng = np.random.default_rng(seed)
        X = rng.standard_normal((4, d))
        tree = KDTreeHSR().build(rng.standard_normal((256, d)))
        tree.query_many(X, 0.5)
        tree.move(np.arange(8), rng.standard_normal((8, d)))


def _structure_report(structure: HalfSpaceReporter, over: str) -> dict:
    out = {"structure": type(structure).__name__, "structure_over": over}
    for attr in ("chosen", "reason"):
        if hasattr(structure, attr):
            out[f"structure_{attr}"] = getattr(structure, attr)
    return out


class WeightsHSRFinder(_HSRFinderFacts, FiredSetFinder):
    """Algorithm 1: dynamic HSR over the weights, queried with every input."""

    name = "weights-hsr"

    def __init__(self, factory: HSRFactory = default_hsr_factory):
        super().__init__()
        self.factory = factory

    def _charge(self) -> None:
        self.ops += self.structure.stats.ops - self._seen
        self._seen = self.structure.stats.ops

    @classmethod
    def memory_bytes(cls, n: int, m: int, d: int, b: float, pairs: float) -> float:
        """A kd-tree and a scan over the ``m`` weights (the automatic choice builds both), and query output."""
        return structure_bytes(m, d) + scan_bytes(pairs)

    def prepare(self, net: ShiftedReLUNet, X: np.ndarray) -> None:
        self.structure = _build(self.factory, net.W, X, net.b)
        self._seen = 0
        self._charge()

    def find(self, net: ShiftedReLUNet, X: np.ndarray) -> FiredSets:
        indptr, indices = self.structure.query_many(X, net.b)
        self._charge()
        return FiredSets.from_input_major(indptr, indices, net.m)

    def moved(self, rows: np.ndarray, net: ShiftedReLUNet) -> None:
        self.structure.move(rows, net.W[rows])
        self._charge()

    def report(self) -> dict:
        return _structure_report(self.structure, "the m weights") if hasattr(self, "structure") else {}


class DataHSRFinder(_HSRFinderFacts, LazyMaintenance, FiredSetFinder):
    """Algorithm 2: static HSR over the inputs, queried with every moved weight."""

    name = "data-hsr"

    def __init__(self, factory: HSRFactory = default_hsr_factory):
        super().__init__()
        self.factory = factory
        self.requeried = 0

    def _charge(self) -> None:
        self.ops += self.structure.stats.ops - self._seen
        self._seen = self.structure.stats.ops

    @classmethod
    def memory_bytes(cls, n: int, m: int, d: int, b: float, pairs: float) -> float:
        """Structures over the ``n`` inputs, its own neuron-major CSR, and one full re-query's output."""
        return structure_bytes(n, d) + scan_bytes(pairs) + 16.0 * pairs

    def prepare(self, net: ShiftedReLUNet, X: np.ndarray) -> None:
        self.structure = _build(self.factory, X, net.W, net.b)
        self._seen = 0
        self.indptr, self.indices = self.structure.query_many(net.W, net.b)  # every T_r once
        self._charge()
        self.take_moved()

    def find(self, net: ShiftedReLUNet, X: np.ndarray) -> FiredSets:
        rows = self.take_moved()
        if len(rows):
            sub_ptr, sub_idx = self.structure.query_many(net.W[rows], net.b)
            self.indptr, self.indices = csr_replace_rows(self.indptr, self.indices, rows, sub_ptr, sub_idx)
            self.requeried += len(rows)
            self._charge()
        return FiredSets.from_neuron_major(self.indptr, self.indices, X.shape[0])

    def report(self) -> dict:
        out = _structure_report(self.structure, "the n inputs") if hasattr(self, "structure") else {}
        return out | {"neurons_requeried": int(self.requeried)}
