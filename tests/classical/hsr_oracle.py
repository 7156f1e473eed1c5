"""Tie-rule oracle and point-set generators shared by the HSR tests."""

from __future__ import annotations

import numpy as np

from classical.exact import exact_dots


def oracle(P: np.ndarray, q: np.ndarray, b: float) -> np.ndarray:
    """The tie rule itself: sorted ids with ``exact_dot(P[i], q) > b``."""
    if len(P) == 0:
        return np.empty(0, dtype=np.int64)
    return np.nonzero(exact_dots(P, q) > b)[0].astype(np.int64)


def oracle_csr(P: np.ndarray, Q: np.ndarray, b: float) -> tuple[np.ndarray, np.ndarray]:
    rows = [oracle(P, q, b) for q in Q]
    indptr = np.zeros(len(Q) + 1, dtype=np.int64)
    indptr[1:] = np.cumsum([len(r) for r in rows])
    indices = np.concatenate(rows) if rows else np.empty(0, dtype=np.int64)
    return indptr, indices.astype(np.int64)


def point_set(kind: str, n: int, d: int, rng: np.random.Generator) -> np.ndarray:
    """Random, duplicated, clustered, collinear, integer-grid (many exact ties) points."""
    if kind == "gauss":
        return rng.standard_normal((n, d))
    if kind == "duplicated":
        base = rng.standard_normal((max(1, n // 8), d))
        return base[rng.integers(0, len(base), n)]
    if kind == "clustered":
        centers = 5 * rng.standard_normal((4, d))
        return centers[rng.integers(0, 4, n)] + 0.01 * rng.standard_normal((n, d))
    if kind == "collinear":
        return np.outer(rng.standard_normal(n), rng.standard_normal(d))
    if kind == "grid":
        return rng.integers(-3, 4, (n, d)).astype(np.float64)
    if kind == "constant":
        return np.full((n, d), 0.5)
    raise ValueError(kind)


KINDS = ["gauss", "duplicated", "clustered", "collinear", "grid", "constant"]


