"""The paper's two classical algorithms as finders over a half-space reporting structure.

**Algorithm 1, preprocess the weights** (``weights-hsr``): a *dynamic* HSR
structure holds the neurons' weights ``w_r``; at each iteration every input
``x_i`` queries the half-space ``{w : <w, x_i> > b}`` (its fired set ``S_i``);
after the gradient step, every moved weight is moved in the structure.
Song-Yang-Zhang 2021 give ``O~(m^(1 - Theta(1/d)) n d)`` per iteration with the
Agarwal-Eppstein-Matousek structure; here the structure is the practical
exact one of :mod:`classical`: ``weights-hsr`` chooses between the kd-tree and
the blocked scan by a timing probe (:class:`classical.AutoHSR`), and
``weights-hsr:kdtree`` / ``weights-hsr:brute`` pin one (measure an algorithm's
exponent on a pinned structure; the automatic one is what a user gets).

**Algorithm 2, preprocess the data** (``data-hsr``): a *static* HSR structure
holds the inputs ``x_i``; the fired sets are kept neuron-major (``T_r``), and
each moved neuron ``w_r`` queries ``{x : <w_r, x> > b}`` to renew ``T_r``.
``data-hsr:kdtree`` / ``data-hsr:brute`` pin the structure as above.
The paper's ``O~(m^(4/5) n d)`` bound assumes few neurons move; note that a
neuron moves whenever it fires on *any* input, which at ``n Q(b) >> 1`` is
nearly every neuron, and the reports show it.
"""

from __future__ import annotations

from typing import Callable

import numpy as np

from classical import AutoHSR, BruteForceHSR, HalfSpaceReporter, KDTreeHSR
from quantum_train.core.finder_contract import FiredSetFinder, LazyMaintenance
from quantum_train.core.fired import FiredSets, csr_replace_rows
from quantum_train.core.model import ShiftedReLUNet
from quantum_train.finders.dense import scan_bytes

HSRFactory = Callable[[], HalfSpaceReporter]

#: Structures a finder can be pinned to (``weights-hsr:kdtree``); the plain name chooses by a probe.
STRUCTURES: dict[str, HSRFactory] = {"kdtree": KDTreeHSR, "brute": BruteForceHSR}


#: at most this many of the real queries are timed by the automatic choice (a scan's tile is 128 queries)
PROBE_QUERIES = 512
#: from this dimension on, the automatic choice takes the scan without a probe (and compiles no tree): the
#: tree loses there (0.35x the scan's speed at d = 8, 0.10x at d = 16, n = 1024, m = 2^20, in CHANGELOG's
#: stage-2 figures), and the probe chose the scan at every point of ``benchmarks/bench_auto_choice.py --d 8,12,16
#: --m 2^12,2^14,2^16 --n 256`` (the tree 1.06x to 1.68x slower, once 0.86x: within the probe's 1.3x noise)
SCAN_FROM_D = 8


def make_structure(structure: str | None, queries: np.ndarray, b: float) -> HalfSpaceReporter:
    """A fresh, unbuilt structure: the pinned one, or an :class:`AutoHSR` whose probe is the real workload.

    The automatic choice is timed on the queries the finder will ask (the
    inputs for Algorithm 1, the weights for Algorithm 2) at the run's threshold
    ``b`` (at most :data:`PROBE_QUERIES` of them), so that it decides for the
    size and the output it is asked about, not for random directions at a fixed
    reported fraction (at ``d = 2`` that probe chose the scan where the tree did
    a twentieth of the work; ``benchmarks/bench_auto_choice.py`` compares).
    """
    if structure is not None:
        return STRUCTURES[structure]()
    return AutoHSR(probe=queries, probe_b=b, probe_queries=min(len(queries), PROBE_QUERIES), scan_from_d=SCAN_FROM_D)


def structure_bytes(points: int, d: int) -> float:
    """A kd-tree (permuted points, node boxes, ids) and a scan's copy over ``points`` points in ``R^d``."""
    return 6.0 * points * d * 8 + 64.0 * points


def _structure_report(structure: HalfSpaceReporter, over: str) -> dict:
    out = {"structure": type(structure).__name__, "structure_over": over}
    for attr in ("chosen", "reason"):
        if hasattr(structure, attr):
            out[f"structure_{attr}"] = getattr(structure, attr)
    return out


class _HSRFinder(FiredSetFinder):
    """Shared by both algorithms: the structure (pinned or automatic) and its work counter."""

    base_name = ""
    #: what the structure holds, in the header's names (for the notes)
    holds = ""

    @classmethod
    def note(cls, report: dict) -> str:
        reason = report.get("structure_reason")
        chosen = report.get("structure_chosen", report.get("structure", "?"))
        return f"structure {chosen} over {report.get('structure_over', '?')}" + (f" ({reason})" if reason else "")

    @classmethod
    def warm_up(cls, name: str, d: int, seed: int, train_tiny: Callable[[str, int, int], None]) -> None:
        """The tiny run of the base class may use the scan; compile the tree's kernels too, unless the run
        cannot use a tree (pinned to the scan, or automatic at ``d >= SCAN_FROM_D``)."""
        super().warm_up(name, d, seed, train_tiny)
        structure = name.partition(":")[2] or None
        if structure == "brute" or (structure is None and d >= SCAN_FROM_D):
            return
        rng = np.random.default_rng(seed)
        X = rng.standard_normal((4, d))
        tree = KDTreeHSR().build(rng.standard_normal((256, d)))
        tree.query_many(X, 0.5)
        tree.move(np.arange(8), rng.standard_normal((8, d)))

    def __init__(self, structure: str | None = None):
        super().__init__()
        if structure is not None and structure not in STRUCTURES:
            raise ValueError(f"unknown structure {structure!r}; choose one of {', '.join(STRUCTURES)}")
        self.pinned = structure
        self.name = self.base_name if structure is None else f"{self.base_name}:{structure}"

    def _charge(self) -> None:
        self.ops += self.structure.stats.ops - self._seen
        self._seen = self.structure.stats.ops

    def _build(self, points: np.ndarray, queries: np.ndarray, b: float) -> None:
        self.structure = make_structure(self.pinned, queries, b).build(points)
        self._seen = 0

    def report(self) -> dict:
        return _structure_report(self.structure, self.holds) if hasattr(self, "structure") else {}


class WeightsHSRFinder(_HSRFinder):
    """Algorithm 1: dynamic HSR over the weights, queried with every input."""

    base_name = "weights-hsr"
    holds = "the m weights"

    @classmethod
    def memory_bytes(cls, n: int, m: int, d: int, b: float, pairs: float) -> float:
        """A kd-tree and a scan over the ``m`` weights (the automatic choice builds both), and query output."""
        return structure_bytes(m, d) + scan_bytes(pairs)

    def prepare(self, net: ShiftedReLUNet, X: np.ndarray) -> None:
        self._build(net.W, X, net.b)
        self._charge()

    def find(self, net: ShiftedReLUNet, X: np.ndarray) -> FiredSets:
        indptr, indices = self.structure.query_many(X, net.b)
        self._charge()
        return FiredSets.from_input_major(indptr, indices, net.m)

    def moved(self, rows: np.ndarray, net: ShiftedReLUNet) -> None:
        self.structure.move(rows, net.W[rows])
        self._charge()


class DataHSRFinder(LazyMaintenance, _HSRFinder):
    """Algorithm 2: static HSR over the inputs, queried with every moved weight."""

    base_name = "data-hsr"
    holds = "the n inputs"

    @classmethod
    def memory_bytes(cls, n: int, m: int, d: int, b: float, pairs: float) -> float:
        """Structures over the ``n`` inputs, its own neuron-major CSR, and one full re-query's output."""
        return structure_bytes(n, d) + scan_bytes(pairs) + 16.0 * pairs

    def __init__(self, structure: str | None = None):
        super().__init__(structure)
        self.requeried = 0

    def prepare(self, net: ShiftedReLUNet, X: np.ndarray) -> None:
        self._build(X, net.W, net.b)
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
        return super().report() | {"neurons_requeried": int(self.requeried)}
