"""The project's single tie rule for ``<p, q> > b``.

Different summation orders (BLAS tiles, tree leaves, fused kernels) round the
same inner product differently in the last bits, so "strictly greater than
``b``" would depend on how the product was computed. Every part of the project
therefore decides by one canonical value:

    (p, q) is reported  <=>  exact_dot(p, q) > b          (strict)

where :func:`exact_dot` sums the float64 products in the *four-lane order*
of :mod:`classical._lanes` (lane ``l`` sums the ``p_j q_j`` with ``j = l mod 4``
left to right; the lanes are added as ``(s_0 + s_2) + (s_1 + s_3)``), with
no fast-math (no reassociation, no fused multiply-add), so it rounds the
same way wherever it is called. The order suits four-wide vector units: the
compiled kernels take four products per instruction.

A fast path (BLAS, a tree's bound test) may decide on its own value ``z`` only
outside a guard band: by Higham's bound ``|fl(<p,q>) - <p,q>| <= gamma_d
||p|| ||q||`` (``gamma_d = d u / (1 - d u)``, ``u = eps / 2``) for any
summation order, two computations differ by at most ``2 gamma_d ||p|| ||q||``.
:func:`guard_width` returns a safe multiple of that; when
``|z - b| <= guard_width`` the caller must decide with :func:`exact_dot`.
"""

from __future__ import annotations

import numpy as np
from numba import njit, types
from numba.extending import overload

from classical._lanes import lane_dot, lane_dot4, lane_order_reference

EPS = float(np.finfo(np.float64).eps)
#: Safety factor over the rounding-error bound (2 gamma_d ~ d * eps).
GUARD_FACTOR = 16.0


def exact_dot(p: np.ndarray, q: np.ndarray) -> float:
    """Canonical inner product ``<p, q>`` in the four-lane order (see :mod:`classical._lanes`).

    Compiled code (any ``@njit`` caller) runs :func:`classical._lanes.lane_dot`,
    vector code, for C-contiguous float64 vectors and a scalar loop in the same
    order otherwise; called from Python it is the plain-Python specification
    :func:`classical._lanes.lane_order_reference` (slow; use :func:`exact_dots`
    for many rows).
    """
    return lane_order_reference(p, q)


@overload(exact_dot, inline="always")
def _exact_dot_compiled(p, q):
    if (isinstance(p, types.Array) and p.layout == "C" and p.dtype == types.float64
            and isinstance(q, types.Array) and q.layout == "C" and q.dtype == types.float64):
        return lambda p, q: lane_dot(p, q)
    return _strided_lane_dot


def _strided_lane_dot(p, q):
    """The four-lane order as a scalar loop, for views that are not contiguous or not float64."""
    s0 = 0.0
    s1 = 0.0
    s2 = 0.0
    s3 = 0.0
    for j in range(p.shape[0]):
        v = np.float64(p[j]) * np.float64(q[j])  # as the specification: float64 products of any input
        lane = j % 4
        if lane == 0:
            s0 += v
        elif lane == 1:
            s1 += v
        elif lane == 2:
            s2 += v
        else:
            s3 += v
    return (s0 + s2) + (s1 + s3)


@njit(cache=True, nogil=True, inline="always")
def exact_dot4(p: np.ndarray, Q: np.ndarray, i0: int, i1: int, i2: int, i3: int):
    """``exact_dot(p, Q[i])`` for four rows at once (C-contiguous float64), bit-identical to :func:`exact_dot`.

    One pass over ``p`` with four vector accumulators in flight
    (:func:`classical._lanes.lane_dot4`): the processor overlaps their
    latencies.
    """
    return lane_dot4(p, Q, i0, i1, i2, i3)


@njit(cache=True, nogil=True)
def guard_width(d: int, p_norm: float, q_norm: float) -> float:
    """Half-width of the band around ``b`` in which a fast value cannot decide.

    ``GUARD_FACTOR * (d + 1) * eps * ||p|| * ||q||``: at least 8x the worst
    difference between any two summation orders of a ``d``-term inner product.
    """
    return GUARD_FACTOR * (d + 1) * 2.220446049250313e-16 * p_norm * q_norm


def exact_dots(P: np.ndarray, q: np.ndarray) -> np.ndarray:
    """``exact_dot(p, q)`` for every row ``p`` of ``P`` (reference helper)."""
    return _exact_dots(np.ascontiguousarray(P, dtype=np.float64), np.ascontiguousarray(q, dtype=np.float64))


@njit(cache=True, nogil=True)
def _exact_dots(P, q):
    out = np.empty(P.shape[0])
    for i in range(P.shape[0]):
        out[i] = exact_dot(P[i], q)
    return out
