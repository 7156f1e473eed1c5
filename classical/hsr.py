"""The half-space reporting protocol shared by every structure in ``classical``.

A structure stores ``n`` points of dimension ``d`` (float64 rows, ids ``0..n-1``)
and reports, for a query ``q`` and threshold ``b``, the sorted ids ``i`` with
``exact_dot(P[i], q) > b`` (strict; see :mod:`classical.exact` for the tie
rule). ``move`` replaces some points in place (Algorithm 1 of Song, Yang and
Zhang 2021 needs a dynamic structure). Work is counted in :class:`HSRStats`:
one unit is one d-dimensional inner product or one bound test of a node.
"""

from __future__ import annotations

from dataclasses import dataclass, fields
from typing import Protocol, runtime_checkable

import numpy as np


@dataclass
class HSRStats:
    """Cumulative work counters of a structure."""

    inner_products: int = 0  #: point-query inner products evaluated
    bound_tests: int = 0  #: node bound tests (each costs about one inner product)
    nodes_visited: int = 0
    reported: int = 0  #: ids returned by queries
    queries: int = 0
    moves: int = 0  #: points moved
    #: construction work in d-dimensional passes over points (a tree build: n per level;
    #: an automatic choice: everything its probe spent)
    build_ops: int = 0

    @property
    def ops(self) -> int:
        """Work in the project's cost unit: inner products plus bound tests plus build work."""
        return self.inner_products + self.bound_tests + self.build_ops

    def copy(self) -> "HSRStats":
        return HSRStats(**{f.name: getattr(self, f.name) for f in fields(self)})

    def reset(self) -> None:
        for f in fields(self):
            setattr(self, f.name, 0)


@runtime_checkable
class HalfSpaceReporter(Protocol):
    """What every HSR structure provides."""

    stats: HSRStats

    def build(self, points: np.ndarray) -> "HalfSpaceReporter":
        """Store ``points`` (shape ``(n, d)``); returns ``self``."""

    def query(self, q: np.ndarray, b: float) -> np.ndarray:
        """Sorted int64 ids with ``exact_dot(p, q) > b``."""

    def query_many(self, Q: np.ndarray, b: float) -> tuple[np.ndarray, np.ndarray]:
        """CSR ``(indptr, indices)`` (both int64): row ``i`` lists ``query(Q[i], b)``."""

    def move(self, ids: np.ndarray, new_points: np.ndarray) -> None:
        """Replace ``P[ids]`` by ``new_points``."""


def as_points(points: np.ndarray, name: str = "points") -> np.ndarray:
    """Validate and return a C-contiguous float64 ``(n, d)`` array."""
    arr = np.ascontiguousarray(points, dtype=np.float64)
    if arr.ndim != 2 or arr.shape[1] == 0:
        raise ValueError(f"{name} must be a 2-D array of shape (n, d) with d >= 1, got shape {arr.shape}")
    if not np.isfinite(arr).all():
        raise ValueError(f"{name} contains NaN or inf; clean the data first")
    return arr


def as_query(q: np.ndarray, d: int, name: str = "q") -> np.ndarray:
    """Validate a single query vector of length ``d``."""
    arr = np.ascontiguousarray(q, dtype=np.float64)
    if arr.shape != (d,):
        raise ValueError(f"{name} must have shape ({d},), got {arr.shape}")
    if not np.isfinite(arr).all():
        raise ValueError(f"{name} contains NaN or inf")
    return arr


def as_threshold(b: float) -> float:
    b = float(b)
    if not np.isfinite(b):
        raise ValueError(f"threshold b must be finite, got {b}")
    return b


def as_move_ids(ids: np.ndarray, n: int) -> np.ndarray:
    """Validate the ids of a ``move``: 1-D integers in ``[0, n)``, none repeated.

    O(k) for sorted ids (what the trainer passes); a sort only otherwise.
    """
    arr = np.asarray(ids)
    if arr.ndim != 1 or (arr.size and not np.issubdtype(arr.dtype, np.integer)):
        raise ValueError(f"ids must be a 1-D integer array, got shape {arr.shape} dtype {arr.dtype}")
    arr = np.ascontiguousarray(arr, dtype=np.int64)
    if arr.size:
        if arr.min() < 0 or arr.max() >= n:
            raise IndexError(f"ids must lie in [0, {n}), got range [{arr.min()}, {arr.max()}]")
        if not (np.diff(arr) > 0).all() and (np.diff(np.sort(arr)) == 0).any():
            raise ValueError("ids must not repeat; each point may be moved once per call")
    return arr
