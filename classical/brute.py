"""Blocked brute-force half-space reporting: the exact reference and the dense baseline.

Every query is compared against every point, ``Theta(n_q * n * d)`` work, but in
cache-sized tiles: a BLAS product ``Z = Q_blk @ P_blk.T`` (``query_block x
point_block``, a few MiB) is scanned by a numba kernel while it is still in
cache, so no ``n_q x n`` matrix is ever held. Values within the guard band of
:mod:`classical.exact` are re-decided with :func:`classical.exact.exact_dot`.
"""

from __future__ import annotations

import threading
from concurrent.futures import ThreadPoolExecutor

import numba
import numpy as np
from numba import njit
from threadpoolctl import ThreadpoolController

from classical.exact import exact_dot, guard_width
from classical.hsr import HSRStats, as_move_ids, as_points, as_query, as_threshold

#: Default tile: 128 queries x 2048 points = 2 MiB of float64 (fastest measured on 2 cores).
QUERY_BLOCK = 128
POINT_BLOCK = 2048
#: Inspected once: ``threadpool_limits`` re-scans the loaded libraries on every call (~0.5 ms).
_BLAS = ThreadpoolController()


@njit(cache=True, nogil=True)
def _scan_tile(Z, b, guard, Q, P, q0, p0, rows_out, cols_out, vals_out, n_out):
    """Append the hits ``(q0 + i, p0 + j)`` of tile ``Z``, and their values, to the output buffers.

    First pass: every entry above ``b - guard`` is a candidate (a tight,
    branch-predictable loop); second pass over the few candidates: those
    inside the guard band are re-decided with :func:`exact_dot`. The buffers
    must have room for ``Z.size`` more entries. Returns the new fill level.
    """
    start = n_out
    lo = b - guard
    for i in range(Z.shape[0]):
        for j in range(Z.shape[1]):
            if Z[i, j] > lo:
                rows_out[n_out] = i
                cols_out[n_out] = j
                n_out += 1
    hi = b + guard
    kept = start
    for t in range(start, n_out):
        i = rows_out[t]
        j = cols_out[t]
        if Z[i, j] > hi or exact_dot(P[p0 + j], Q[q0 + i]) > b:
            rows_out[kept] = q0 + i
            cols_out[kept] = p0 + j
            vals_out[kept] = Z[i, j]
            kept += 1
    return kept


@njit(cache=True, nogil=True)
def _rows_to_csr(rows, cols, vals, n_rows, row0):
    """Stable counting sort of hits (and values) by row: CSR over rows ``row0 .. row0+n_rows-1``."""
    counts = np.zeros(n_rows + 1, dtype=np.int64)
    for t in range(rows.shape[0]):
        counts[rows[t] - row0 + 1] += 1
    for r in range(n_rows):
        counts[r + 1] += counts[r]
    out = np.empty(rows.shape[0], dtype=np.int64)
    out_vals = np.empty(rows.shape[0])
    fill = counts[:-1].copy()
    for t in range(rows.shape[0]):
        r = rows[t] - row0
        out[fill[r]] = cols[t]
        out_vals[fill[r]] = vals[t]
        fill[r] += 1
    return counts, out, out_vals


def blocked_halfspace_csr(
    Q: np.ndarray,
    P: np.ndarray,
    b: float,
    *,
    query_block: int = QUERY_BLOCK,
    point_block: int = POINT_BLOCK,
    P_norm_max: float | None = None,
    threads: int | None = None,
    return_values: bool = False,
):
    """CSR of ``{j : exact_dot(P[j], Q[i]) > b}`` for every row ``Q[i]``, by tiles.

    Returns ``(indptr, indices)``, or ``(indptr, indices, values)`` with
    ``return_values``: the BLAS values of the reported products (within
    rounding of :func:`exact_dot`, see :mod:`classical.exact`).

    Query blocks are shared among ``threads`` workers (default: numba's
    current thread count, :func:`numba.get_num_threads`, so one setting sizes
    every pool), each with single-threaded BLAS and its own tile, so the GEMM and the scan
    both run in parallel. Peak extra memory is one tile plus the hits of one
    query block per worker.
    """
    n_q, d = Q.shape
    n_p = P.shape[0]
    if P_norm_max is None:
        P_norm_max = float(np.sqrt((P * P).sum(axis=1).max())) if n_p else 0.0
    q_norms = np.sqrt((Q * Q).sum(axis=1))
    starts = list(range(0, n_q, query_block))
    threads = max(1, min(threads or numba.get_num_threads(), len(starts)))
    local = threading.local()

    def one_block(q0: int) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        if not hasattr(local, "tile"):
            local.tile = np.empty((query_block, point_block))
            local.rows = np.empty(4 * query_block * point_block, dtype=np.int64)
            local.cols = np.empty_like(local.rows)
            local.vals = np.empty(local.rows.shape[0])
        q1 = min(q0 + query_block, n_q)
        Qb = Q[q0:q1]
        guard = guard_width(d, P_norm_max, float(q_norms[q0:q1].max()))
        n_out = 0
        for p0 in range(0, n_p, point_block):
            p1 = min(p0 + point_block, n_p)
            # the first (q1 - q0)(p1 - p0) entries of the buffer: C-contiguous for the last, partial tile too
            # (a slice of the tile would not be: _scan_tile would compile a second, strided signature)
            Z = local.tile.reshape(-1)[: (q1 - q0) * (p1 - p0)].reshape(q1 - q0, p1 - p0)
            np.matmul(Qb, P[p0:p1].T, out=Z)
            if local.rows.shape[0] - n_out < Z.size:  # a whole tile must always fit
                local.rows = np.resize(local.rows, 2 * local.rows.shape[0] + Z.size)
                local.cols = np.resize(local.cols, local.rows.shape[0])
                local.vals = np.resize(local.vals, local.rows.shape[0])
            n_out = _scan_tile(Z, b, guard, Q, P, q0, p0, local.rows, local.cols, local.vals, n_out)
        return _rows_to_csr(local.rows[:n_out], local.cols[:n_out], local.vals[:n_out], q1 - q0, q0)

    # Single-threaded BLAS in both paths: the tiles are small, and a multi-threaded
    # OpenBLAS on them was measured up to 100x slower (thread wake-ups per GEMM).
    if threads == 1:
        with _BLAS.limit(limits=1, user_api="blas"):
            blocks = [one_block(q0) for q0 in starts]
    else:
        with _BLAS.limit(limits=1, user_api="blas"), ThreadPoolExecutor(threads) as pool:
            blocks = list(pool.map(one_block, starts))
    indptr = np.zeros(n_q + 1, dtype=np.int64)
    for q0, (counts, _, _) in zip(starts, blocks):
        q1 = min(q0 + query_block, n_q)
        indptr[q0 + 1 : q1 + 1] = indptr[q0] + counts[1:]
    indices = np.concatenate([blk[1] for blk in blocks]) if blocks else np.empty(0, dtype=np.int64)
    if return_values:
        values = np.concatenate([blk[2] for blk in blocks]) if blocks else np.empty(0)
        return indptr, indices, values
    return indptr, indices


class BruteForceHSR:
    """Exact HSR by a blocked scan of all points (the reference structure).

    ``query_many`` costs ``len(Q) * n`` inner products; ``move`` costs nothing
    beyond overwriting rows.
    """

    def __init__(self, query_block: int = QUERY_BLOCK, point_block: int = POINT_BLOCK):
        if query_block <= 0 or point_block <= 0:
            raise ValueError("query_block and point_block must be positive")
        self.query_block = query_block
        self.point_block = point_block
        self.stats = HSRStats()
        self.points = np.empty((0, 1))

    def build(self, points: np.ndarray) -> "BruteForceHSR":
        self.points = as_points(points).copy()
        self._norm_max = self._max_norm(self.points)
        return self

    @staticmethod
    def _max_norm(P: np.ndarray) -> float:
        return float(np.sqrt((P * P).sum(axis=1).max())) if len(P) else 0.0

    def query(self, q: np.ndarray, b: float) -> np.ndarray:
        q = as_query(q, self.points.shape[1])
        _, indices = self.query_many(q[None, :], b)
        return indices

    def query_many(self, Q: np.ndarray, b: float) -> tuple[np.ndarray, np.ndarray]:
        Q = as_points(Q, "Q")
        if Q.shape[1] != self.points.shape[1]:
            raise ValueError(f"Q has dimension {Q.shape[1]}, the structure holds dimension {self.points.shape[1]}")
        b = as_threshold(b)
        indptr, indices = blocked_halfspace_csr(
            Q, self.points, b, query_block=self.query_block, point_block=self.point_block, P_norm_max=self._norm_max
        )
        self.stats.inner_products += len(Q) * len(self.points)
        self.stats.queries += len(Q)
        self.stats.reported += len(indices)
        return indptr, indices

    def move(self, ids: np.ndarray, new_points: np.ndarray) -> None:
        ids = as_move_ids(ids, len(self.points))
        new_points = as_points(np.atleast_2d(new_points), "new_points")
        if new_points.shape != (len(ids), self.points.shape[1]):
            raise ValueError(f"new_points must have shape ({len(ids)}, {self.points.shape[1]}), got {new_points.shape}")
        self.points[ids] = new_points
        self._norm_max = max(self._norm_max, self._max_norm(new_points))
        self.stats.moves += len(ids)
