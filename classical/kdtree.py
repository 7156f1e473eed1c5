"""Exact dynamic kd-tree for half-space reporting (numba kernels in ``_kdtree_kernels``).

``KDTreeHSR`` stores ``n`` points in a median kd-tree (implicit heap layout,
leaves of at most ``leaf_size`` points stored contiguously, exact bounding
boxes per node) and reports ``{i : exact_dot(P[i], q) > b}``:

* a node whose box maximum ``sum_j max(q_j lo_j, q_j hi_j)`` is ``<= b - G`` is
  pruned; one whose minimum is ``> b + G`` is reported whole without inner
  products; otherwise it is descended; leaf points are decided by a fast
  value outside the same band and by the canonical
  :func:`classical.exact.exact_dot` inside it. ``G`` is
  :func:`classical.exact.guard_width` with the root box's corner norm (plus an
  absolute slack for underflow), so the decisions agree with the tie rule
  (proof in ``_kdtree_kernels``).
* ``query_many`` runs blocks of queries in parallel threads (the kernels
  release the GIL), each block with its own output buffer, then concatenates.

Work is counted in :class:`classical.hsr.HSRStats`: one bound test per node
visited, one inner product per leaf point evaluated.

**Moves and rebuilds.** ``move(ids, P_new)`` overwrites the points in their
slots and refits boxes *exactly*: per moved point, its leaf box is recomputed
from the leaf's points and the path to the root as unions of children, stopped
at the first unchanged ancestor (``O((leaf_size + depth) d)`` per point); when a
batch is so large that this would cost more than a full refit
(``k (leaf_size + depth) > n``), all boxes are recomputed bottom-up in
``O(n d)``. Moving points only worsens the tree through box overlap, measured
by the sum over leaves of the L1 box extent ``sum_j (hi_j - lo_j)``; the tree
is rebuilt from scratch when that sum exceeds ``rebuild_factor`` (default 1.5)
times its value at the last build **and** at least ``n / 32`` points were moved
since then (amortisation: a rebuild costs ``O(n log n)``, like that many
moves). Small NTK-style drift of every point (Algorithm 1) grows the extents
by about the drift and never triggers a rebuild until the tree really degrades.
"""

from __future__ import annotations

import itertools
import os
from concurrent.futures import ThreadPoolExecutor

import numpy as np

from classical import _kdtree_kernels as K
from classical.hsr import HSRStats, as_points, as_query, as_threshold

#: Leaf capacity; 32 and 64 were within noise of each other (16 and 128 slower) at d = 4, m = 2^20.
LEAF_SIZE = 32
#: Rebuild when the total leaf box extent exceeds this factor times its value at build.
REBUILD_FACTOR = 1.5


class KDTreeHSR:
    """Exact dynamic kd-tree half-space reporter (see the module docstring).

    Parameters
    ----------
    leaf_size:
        Maximum number of points per leaf (>= 2).
    rebuild_factor:
        Rebuild when the sum of leaf box extents exceeds this multiple of its
        value at build (> 1; ``inf`` disables rebuilds).
    threads:
        Worker threads for ``query_many`` (default: all cores).
    """

    def __init__(self, leaf_size: int = LEAF_SIZE, rebuild_factor: float = REBUILD_FACTOR, threads: int | None = None):
        if int(leaf_size) < 2:
            raise ValueError(f"leaf_size must be >= 2, got {leaf_size}")
        if not rebuild_factor > 1.0:
            raise ValueError(f"rebuild_factor must be > 1, got {rebuild_factor}")
        if threads is not None and int(threads) < 1:
            raise ValueError(f"threads must be a positive integer or None, got {threads}")
        self.leaf_size = int(leaf_size)
        self.rebuild_factor = float(rebuild_factor)
        self.threads = int(threads) if threads is not None else (os.cpu_count() or 1)
        self.stats = HSRStats()
        #: Number of full (re)builds, including the first one.
        self.builds = 0
        self._d = 0
        self._n = 0
        self._built = False
        self._bufs: list[list[np.ndarray]] = []  # per worker slot: [output buffer, sort scratch]
        # buffers of single queries, reused (the kernel needs room for n hits)
        self._one = [np.empty(1 << 12, dtype=np.int64), np.empty(1 << 12, dtype=np.int64)]

    # ------------------------------------------------------------------ build

    def build(self, points: np.ndarray) -> "KDTreeHSR":
        """Store ``points`` (shape ``(n, d)``, finite; ``n = 0`` allowed) and build the tree."""
        P = as_points(points)
        self._n, self._d = P.shape
        self._build_from(P)
        self._built = True
        return self

    def _build_from(self, P: np.ndarray) -> None:
        n = P.shape[0]
        self._n_bits = max(1, int(n - 1).bit_length()) if n > 1 else 1
        self._stamp = np.zeros(n, dtype=np.int64)
        self._epoch = 0
        self.moves_since_build = 0
        self.builds += 1
        if n == 0:
            self.n_levels = 0
            self._n_internal = 0
            d = P.shape[1]
            self._pts_t = np.empty((d, 0))
            self._perm = self._pos = self._start = self._end = self._leaf_of = np.empty(0, dtype=np.int64)
            self._lo = np.empty((0, d))
            self._hi = np.empty((0, d))
            self._c_norm = 0.0
            self._extent_build = self._extent = 0.0
            return
        self.n_levels = K.n_levels_for(n, self.leaf_size)
        self.stats.build_ops += n * self.n_levels  # every level partitions and boxes every point
        self._n_internal = ((1 << self.n_levels) - 1) >> 1
        (self._pts_t, self._perm, self._pos, self._lo, self._hi, self._start, self._end, self._leaf_of) = K.build_tree(
            P, self.n_levels
        )
        self._c_norm = float(K.corner_norm(self._lo, self._hi))
        self._extent = self._extent_build = float(K.leaf_extent_total(self._lo, self._hi, self._n_internal))

    def _require_built(self) -> None:
        if not self._built:
            raise RuntimeError("KDTreeHSR: call build(points) before querying or moving")

    @property
    def n_nodes(self) -> int:
        return int(self._lo.shape[0]) if self._built else 0

    @property
    def points(self) -> np.ndarray:
        """The stored points in id order (a copy)."""
        self._require_built()
        P = np.empty((self._n, self._d))
        P[self._perm] = self._pts_t.T
        return P

    # ------------------------------------------------------------------ query

    def query(self, q: np.ndarray, b: float) -> np.ndarray:
        """Sorted int64 ids ``i`` with ``exact_dot(P[i], q) > b``."""
        self._require_built()
        q = as_query(q, self._d)
        b = as_threshold(b)
        counters = np.zeros(2, dtype=np.int64)
        counts, self._one[0], n_out, self._one[1] = self._kernel(q[None, :], b, counters, self._one[0], 0, self._one[1])
        self._count(counters, 1, n_out)
        return self._one[0][:n_out].copy()

    def _kernel(self, Qb, b, counters, out, n_out, tmp):
        tree = (self._lo, self._hi, self._start, self._end, self._pts_t, self._perm)
        return K.query_block(Qb, b, self._c_norm, tree, self._n_internal, self._n_bits, counters, out, n_out, tmp)

    def _count(self, counters: np.ndarray, n_queries: int, n_reported: int) -> None:
        self.stats.bound_tests += int(counters[0])
        self.stats.nodes_visited += int(counters[0])
        self.stats.inner_products += int(counters[1])
        self.stats.queries += n_queries
        self.stats.reported += n_reported

    def query_many(self, Q: np.ndarray, b: float) -> tuple[np.ndarray, np.ndarray]:
        """CSR ``(indptr, indices)``; row ``i`` equals ``query(Q[i], b)``.

        Blocks of queries are handed out dynamically to ``threads`` workers.
        Each worker appends its rows to its own buffer (kept between calls, so
        its pages are already mapped); the rows are then copied once into the
        result in query order.
        """
        self._require_built()
        Q = as_points(Q, "Q")
        if Q.shape[1] != self._d:
            raise ValueError(f"Q has dimension {Q.shape[1]}, the structure holds dimension {self._d}")
        b = as_threshold(b)
        n_q = Q.shape[0]
        # Threads pay off only with a few blocks each (thread start and GIL hand-offs cost ~1 ms).
        threads = max(1, min(self.threads, n_q // 16))
        # Enough blocks for load balance across threads, few enough to amortise a call.
        block = max(1, min(64, -(-n_q // (8 * threads)))) if n_q else 1
        starts = list(range(0, n_q, block))
        while len(self._bufs) < threads:
            self._bufs.append([np.empty(1 << 16, dtype=np.int64), np.empty(1 << 12, dtype=np.int64)])
        counts = np.zeros(n_q, dtype=np.int64)
        pieces: list[tuple[int, int, int, int]] = []  # (slot, buffer offset, first query, n queries)
        counters = np.zeros((threads, 2), dtype=np.int64)
        fill = [0] * threads
        next_block = itertools.count()

        def worker(slot: int) -> None:
            buf = self._bufs[slot]
            while (i := next(next_block)) < len(starts):
                q0 = starts[i]
                q1 = min(q0 + block, n_q)
                c, buf[0], n_out, buf[1] = self._kernel(Q[q0:q1], b, counters[slot], buf[0], fill[slot], buf[1])
                counts[q0:q1] = c
                pieces.append((slot, fill[slot], q0, q1 - q0))
                fill[slot] = n_out

        indptr = np.zeros(n_q + 1, dtype=np.int64)
        indices = np.empty(0, dtype=np.int64)

        def gather(slot: int) -> None:  # copy this worker's rows into the result
            mine = [p for p in pieces if p[0] == slot]
            src_off = np.array([p[1] for p in mine], dtype=np.int64)
            dst_off = np.array([indptr[p[2]] for p in mine], dtype=np.int64)
            lengths = np.array([indptr[p[2] + p[3]] - indptr[p[2]] for p in mine], dtype=np.int64)
            K.copy_pieces(self._bufs[slot][0], src_off, indices, dst_off, lengths)

        if threads == 1:
            worker(0)
            np.cumsum(counts, out=indptr[1:])
            indices = np.empty(int(indptr[-1]), dtype=np.int64)
            gather(0)
        else:
            with ThreadPoolExecutor(threads) as pool:
                list(pool.map(worker, range(threads)))
                np.cumsum(counts, out=indptr[1:])
                indices = np.empty(int(indptr[-1]), dtype=np.int64)
                list(pool.map(gather, range(threads)))
        self._count(counters.sum(axis=0), n_q, len(indices))
        if max(fill, default=0) > 4 * len(indices) // max(threads, 1) + (1 << 20):
            self._bufs.clear()  # do not hold on to a much larger buffer than this result needed
        return indptr, indices

    # ------------------------------------------------------------------ move

    def move(self, ids: np.ndarray, new_points: np.ndarray) -> None:
        """Replace ``P[ids]`` by ``new_points`` (ids unique, in ``[0, n)``); refit or rebuild.

        See the module docstring for the refit and rebuild rules.
        """
        self._require_built()
        ids_arr = np.asarray(ids)
        if ids_arr.ndim != 1:
            raise ValueError(f"ids must be a 1-D array of point ids, got shape {ids_arr.shape}")
        if ids_arr.size and not np.issubdtype(ids_arr.dtype, np.integer):
            raise ValueError(f"ids must be integers, got dtype {ids_arr.dtype}")
        ids_arr = np.ascontiguousarray(ids_arr, dtype=np.int64)
        k = ids_arr.shape[0]
        new_points = np.asarray(new_points, dtype=np.float64)
        if new_points.ndim == 1 and k == 1:
            new_points = new_points[None, :]
        if new_points.shape != (k, self._d):
            raise ValueError(f"new_points must have shape ({k}, {self._d}) to match ids, got {new_points.shape}")
        if k == 0:
            return
        new_points = as_points(new_points, "new_points")
        self._epoch += 1
        bad = K.check_move_ids(ids_arr, self._n, self._stamp, self._epoch)
        if bad >= 0:
            r = int(ids_arr[bad])
            if r < 0 or r >= self._n:
                raise IndexError(f"ids[{bad}] = {r} is out of range for {self._n} points")
            raise ValueError(f"ids[{bad}] = {r} is repeated; each point may be moved once per call")
        full = k * (self.leaf_size + self.n_levels) > self._n
        self._extent += float(
            K.move_points(
                ids_arr, new_points, self._pts_t, self._pos, self._lo, self._hi, self._start, self._end,
                self._leaf_of, self._n_internal, full,
            )
        )  # fmt: skip
        self._c_norm = float(K.corner_norm(self._lo, self._hi))
        self.stats.moves += k
        self.moves_since_build += k
        if self.needs_rebuild():
            self._build_from(self.points)

    def needs_rebuild(self) -> bool:
        """The rebuild rule: leaf extents grew past ``rebuild_factor`` and ``>= n/32`` moves."""
        return (
            self._extent > self.rebuild_factor * self._extent_build
            and self.moves_since_build >= max(1, self._n // 32)
        )

    @property
    def extent_ratio(self) -> float:
        """Sum of leaf box extents now / at the last build (1.0 right after a build)."""
        if self._extent_build == 0.0:
            return 1.0 if self._extent == 0.0 else float("inf")
        return self._extent / self._extent_build
