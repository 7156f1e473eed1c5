"""Pick the kd-tree or the blocked brute force by measuring both on a probe.

Trees prune well at small ``d`` and stop pruning around ``d >= 8`` (curse of
dimension: a halfspace boundary crosses almost every leaf box), where the
blocked BLAS scan wins. :class:`AutoHSR` builds the tree, times it against
:class:`classical.brute.BruteForceHSR` on a probe of queries, keeps the faster
one and says which and why (``chosen``, ``reason``, ``probe``). Either choice
returns identical answers (both follow the tie rule of :mod:`classical.exact`);
only speed and the work counters depend on it.

**Decision rule.** Let ``t_brute`` be the wall time of brute force on the
probe (``probe_queries`` queries, after a warm-up; every timing is the best of
two runs). The tree is first timed on
an eighth of the probe; if that extrapolates to more than ``2 t_brute`` the
tree is abandoned (so a hopeless tree costs about a quarter of a brute-force
probe), else it is timed on the whole probe. The tree is kept iff it answers
the whole probe faster than brute force. Below ``min_points`` points brute force is chosen without
probing. ``prefer="kdtree"|"brute"`` skips the probe. With ``scan_from_d``, points of dimension
``d >= scan_from_d`` get brute force without probing either (a rule for the dimensions where the tree
was measured never to win, so that neither the probe nor the tree's compiled kernels are paid there).

Probe queries: the ``probe`` argument if given (e.g. a sample of the real
inputs), else ``probe_queries`` random unit directions from ``seed``; the
probe threshold is ``probe_b`` if given, else the median over probe directions
of the 99th percentile of ``<p, q>`` over a sample of points (about 1 % of the
points reported, the fired fraction of the network at ``b = sqrt(0.4 ln m)``).
"""

from __future__ import annotations

import time

import numpy as np

from classical.brute import BruteForceHSR
from classical.hsr import HSRStats, as_points
from classical.kdtree import KDTreeHSR


class AutoHSR:
    """Exact HSR that delegates to a kd-tree or to brute force, chosen at ``build``.

    Attributes after ``build``: ``chosen`` (``"kdtree"`` or ``"brute"``),
    ``reason`` (one line for reports), ``probe`` (dict of the measurements),
    ``impl`` (the structure in use), ``stats`` (``impl.stats``).
    """

    def __init__(
        self,
        *,
        probe: np.ndarray | None = None,
        probe_b: float | None = None,
        probe_queries: int = 32,
        min_points: int = 4096,
        prefer: str | None = None,
        scan_from_d: int | None = None,
        seed: int = 0,
        tree_kwargs: dict | None = None,
        brute_kwargs: dict | None = None,
    ):
        if prefer not in (None, "kdtree", "brute"):
            raise ValueError(f"prefer must be None, 'kdtree' or 'brute', got {prefer!r}")
        if probe_queries < 1:
            raise ValueError(f"probe_queries must be positive, got {probe_queries}")
        self._probe = probe
        self.probe_b = probe_b
        self.probe_queries = int(probe_queries)
        self.min_points = int(min_points)
        self.prefer = prefer
        self.scan_from_d = scan_from_d
        self.seed = seed
        self.tree_kwargs = dict(tree_kwargs or {})
        self.brute_kwargs = dict(brute_kwargs or {})
        self.chosen: str = ""
        self.reason: str = "not built"
        self.probe: dict = {}
        self.impl: KDTreeHSR | BruteForceHSR | None = None

    @property
    def stats(self) -> HSRStats:
        """The counters of the structure in use (all zero before ``build``)."""
        return self.impl.stats if self.impl is not None else HSRStats()

    def build(self, points: np.ndarray) -> "AutoHSR":
        self.probe_ops = 0
        P = as_points(points)
        n, d = P.shape
        brute = BruteForceHSR(**self.brute_kwargs).build(P)
        if self.prefer is not None:
            self._choose(self.prefer, P, brute, f"forced by prefer={self.prefer!r}")
            return self
        if n < max(1, self.min_points):
            self._choose("brute", P, brute, f"{n} points < min_points = {self.min_points}: a scan is cheapest")
            return self
        if self.scan_from_d is not None and d >= self.scan_from_d:
            self._choose("brute", P, brute, f"d = {d} >= {self.scan_from_d}: a kd-tree cannot prune in this "
                         "dimension (a rule, no probe)")
            return self
        Q, b = self._probe_set(P)
        t0 = time.perf_counter()
        tree = KDTreeHSR(**self.tree_kwargs).build(P)
        t_build = time.perf_counter() - t0
        chunk = max(1, len(Q) // 8)

        def best_of_two(fn) -> float:
            ts = []
            for _ in range(2):
                t0 = time.perf_counter()
                fn()
                ts.append(time.perf_counter() - t0)
            return min(ts)

        brute.query_many(Q, b)  # warm-ups: thread pools, BLAS, buffers
        tree.query_many(Q[:chunk], b)
        t_brute = best_of_two(lambda: brute.query_many(Q, b))
        spent = brute.stats.ops + tree.stats.ops  # all the probe's work is preprocessing
        tree.stats.reset()
        t_tree, done = best_of_two(lambda: tree.query_many(Q[:chunk], b)), chunk
        if done < len(Q) and t_tree * len(Q) / done <= 2.0 * t_brute:  # promising: time the whole probe
            spent += tree.stats.ops
            tree.stats.reset()
            t_tree, done = best_of_two(lambda: tree.query_many(Q, b)), len(Q)
        tree_ops = tree.stats.ops / 2
        self.probe_ops = spent + tree.stats.ops
        ops_frac = tree_ops / max(1, done * n)
        self.probe = dict(
            n=n, d=d, queries=len(Q), b=b, t_brute=t_brute, t_tree=t_tree, tree_queries_done=done,
            t_tree_build=t_build, tree_ops_fraction=ops_frac,
        )  # fmt: skip
        per_b = t_brute / len(Q)
        per_t = t_tree / done
        summary = (
            f"probe of {len(Q)} queries at b = {b:.4g} over {n} points in d = {d}: tree {per_t * 1e3:.3g} ms/query "
            f"(ops {100 * ops_frac:.3g} % of a scan), brute {per_b * 1e3:.3g} ms/query"
        )
        if done == len(Q) and t_tree < t_brute:
            self._choose("kdtree", P, tree, f"kd-tree prunes: {summary}")
        else:
            self._choose("brute", P, brute, f"kd-tree cannot prune enough: {summary}")
        return self

    def _probe_set(self, P: np.ndarray) -> tuple[np.ndarray, float]:
        n, d = P.shape
        rng = np.random.default_rng(self.seed)
        if self._probe is not None:
            Q = as_points(self._probe, "probe")
            if Q.shape[1] != d:
                raise ValueError(f"probe has dimension {Q.shape[1]}, points have dimension {d}")
            Q = Q[: self.probe_queries]
        else:
            Q = rng.standard_normal((self.probe_queries, d))
            Q /= np.linalg.norm(Q, axis=1, keepdims=True)
        if self.probe_b is not None:
            return Q, float(self.probe_b)
        sample = P[rng.choice(n, size=min(n, 20_000), replace=False)]
        return Q, float(np.median(np.quantile(sample @ Q.T, 0.99, axis=0)))

    def _choose(self, which: str, P: np.ndarray, impl, reason: str) -> None:
        if which == "kdtree" and not isinstance(impl, KDTreeHSR):
            impl = KDTreeHSR(**self.tree_kwargs).build(P)
        if which == "brute" and not isinstance(impl, BruteForceHSR):
            impl = BruteForceHSR(**self.brute_kwargs).build(P)
        built = impl.stats.build_ops if impl is not None and impl.stats.queries == 0 else 0
        impl.stats.reset()
        impl.stats.build_ops = self.probe_ops + built
        self.impl, self.chosen, self.reason = impl, which, reason

    def query(self, q: np.ndarray, b: float) -> np.ndarray:
        return self._impl().query(q, b)

    def query_many(self, Q: np.ndarray, b: float) -> tuple[np.ndarray, np.ndarray]:
        return self._impl().query_many(Q, b)

    def move(self, ids: np.ndarray, new_points: np.ndarray) -> None:
        """Delegate (both structures validate ``ids``: range, integers, no repeats)."""
        self._impl().move(ids, new_points)

    def _impl(self) -> KDTreeHSR | BruteForceHSR:
        if self.impl is None:
            raise RuntimeError("AutoHSR: call build(points) first")
        return self.impl


def choose_hsr(points: np.ndarray, **kwargs) -> AutoHSR:
    """Build an :class:`AutoHSR` over ``points`` (keyword arguments as its constructor)."""
    return AutoHSR(**kwargs).build(points)
