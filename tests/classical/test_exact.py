"""The canonical inner product: compiled vector code against its plain-Python specification, bit for bit."""

from __future__ import annotations

import numpy as np
import pytest
from numba import njit

from classical._lanes import lane_order_reference
from classical.exact import exact_dot, exact_dots


def bits(values) -> np.ndarray:
    """The raw float64 bits, so that -0.0, NaN payloads and infinities compare exactly."""
    return np.asarray(values, dtype=np.float64).view(np.uint64)


@njit
def _dot_of_columns(A, B, k):
    """exact_dot of two strided views (columns): the scalar path of the same order."""
    return exact_dot(A[:, k], B[:, k])


def _hard_values(rng, shape):
    """Magnitudes over 30 orders, some exact cancellations, zeros of both signs and subnormals."""
    v = rng.standard_normal(shape) * 10.0 ** rng.integers(-15, 15, shape)
    flat = v.reshape(-1)
    k = flat.size
    flat[rng.integers(0, k, k // 8)] = 0.0
    flat[rng.integers(0, k, k // 8)] = -0.0
    flat[rng.integers(0, k, k // 16)] = 5e-324 * rng.integers(1, 1000)
    return v


@pytest.mark.parametrize("d", [0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 12, 15, 16, 17, 31, 64, 65])
def test_compiled_exact_dot_is_the_specification(d, rng):
    P = _hard_values(rng, (40, d))
    q = _hard_values(rng, (d,))
    want = [lane_order_reference(P[i], q) for i in range(len(P))]
    assert np.array_equal(bits(exact_dots(P, q)), bits(want))
    if d:
        A = np.asfortranarray(P[:, :d].T.copy())  # columns of A are rows of P, not contiguous
        B = np.asfortranarray(np.repeat(q[:, None], 3, axis=1))
        assert bits(_dot_of_columns(A, B, 0)) == bits(lane_order_reference(P[0], q))


def test_the_order_is_four_lanes_not_left_to_right():
    """A case where the two orders round differently: the test above would catch a left-to-right kernel."""
    p = np.array([1.0, 1e16, 1.0, -1e16, 1.0])
    q = np.ones(5)
    left_to_right = (((1.0 + 1e16) + 1.0) - 1e16) + 1.0
    lanes = ((1.0 + 1.0) + 1.0) + (1e16 - 1e16)  # (s0 + s2) + (s1 + s3) with s0 = 1 + 1
    assert lanes != left_to_right
    assert exact_dots(p[None, :], q)[0] == lanes == exact_dot(p, q)


def test_infinities_and_nan_follow_the_specification(rng):
    P = rng.standard_normal((6, 9))
    P[0, 3] = np.inf
    P[1, 2] = -np.inf
    P[1, 6] = np.inf  # inf - inf in one lane sum order, not in another
    P[2, 5] = np.nan
    P[3, 0] = 1e308
    P[3, 4] = 1e308  # lane 0 overflows
    q = np.abs(rng.standard_normal(9)) + 1.0
    got = exact_dots(P, q)
    want = [lane_order_reference(P[i], q) for i in range(len(P))]
    assert np.array_equal(bits(got), bits(want))
