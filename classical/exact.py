"""The project's single tie rule for ``<p, q> > b``.

Different summation orders (BLAS tiles, tree leaves, fused kernels) round the
same inner product differently in the last bits, so "strictly greater than
``b``" would depend on how the product was computed. Every part of the project
therefore decides by one canonical value:

    (p, q) is reported  <=>  exact_dot(p, q) > b          (strict)

where :func:`exact_dot` is a left-to-right float64 sum of products compiled
without fast-math (no reassociation, no fused multiply-add), so it rounds the
same way wherever it is called.

A fast path (BLAS, a tree's bound test) may decide on its own value ``z`` only
outside a guard band: by Higham's bound ``|fl(<p,q>) - <p,q>| <= gamma_d
||p|| ||q||`` (``gamma_d = d u / (1 - d u)``, ``u = eps / 2``) for any
summation order, two computations differ by at most ``2 gamma_d ||p|| ||q||``.
:func:`guard_width` returns a safe multiple of that; when
``|z - b| <= guard_width`` the caller must decide with :func:`exact_dot`.
"""

from __future__ import annotations

import numpy as np
from numba import njit

EPS = float(np.finfo(np.float64).eps)
#: Safety factor over the rounding-error bound (2 gamma_d ~ d * eps).
GUARD_FACTOR = 16.0


@njit(cache=True, nogil=True)
def exact_dot(p: np.ndarray, q: np.ndarray) -> float:
    """Canonical inner product: ``sum_j p[j] * q[j]`` summed left to right."""
    s = 0.0
    for j in range(p.shape[0]):
        s += p[j] * q[j]
    return s


@njit(cache=True, nogil=True, inline="always")
def exact_dot4(p: np.ndarray, Q: np.ndarray, i0: int, i1: int, i2: int, i3: int):
    """``exact_dot(p, Q[i])`` for four rows at once, each summed in the canonical order.

    Four independent left-to-right chains in one loop: the processor overlaps
    their latencies (one chain of ``d`` dependent additions leaves the adder
    idle most cycles), and each sum is bit-identical to :func:`exact_dot`.
    """
    s0 = 0.0
    s1 = 0.0
    s2 = 0.0
    s3 = 0.0
    for j in range(p.shape[0]):
        pj = p[j]
        s0 += pj * Q[i0, j]
        s1 += pj * Q[i1, j]
        s2 += pj * Q[i2, j]
        s3 += pj * Q[i3, j]
    return s0, s1, s2, s3


@njit(cache=True, nogil=True)
def guard_width(d: int, p_norm: float, q_norm: float) -> float:
    """Half-width of the band around ``b`` in which a fast value cannot decide.

    ``GUARD_FACTOR * (d + 1) * eps * ||p|| * ||q||``: at least 8x the worst
    difference between any two summation orders of a ``d``-term inner product.
    """
    return GUARD_FACTOR * (d + 1) * 2.220446049250313e-16 * p_norm * q_norm


@njit(cache=True, nogil=True)
def fires(z: float, b: float, guard: float, p: np.ndarray, q: np.ndarray) -> bool:
    """Decide ``exact_dot(p, q) > b`` from a fast value ``z`` and its guard."""
    if z > b + guard:
        return True
    if z <= b - guard:
        return False
    return exact_dot(p, q) > b


def exact_dots(P: np.ndarray, q: np.ndarray) -> np.ndarray:
    """``exact_dot(p, q)`` for every row ``p`` of ``P`` (reference helper)."""
    return _exact_dots(np.ascontiguousarray(P, dtype=np.float64), np.ascontiguousarray(q, dtype=np.float64))


@njit(cache=True, nogil=True)
def _exact_dots(P, q):
    out = np.empty(P.shape[0])
    for i in range(P.shape[0]):
        out[i] = exact_dot(P[i], q)
    return out
