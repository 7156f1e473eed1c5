"""The canonical inner product: compiled vector code against its plain-Python specification, bit for bit."""

from __future__ import annotations

import numpy as np
import pytest
from numba import njit

from classical._lanes import lane_band_columns, lane_order_reference
from classical.exact import exact_dot, exact_dots


def bits(values) -> np.ndarray:
    """The raw float64 bits, so that -0.0, NaN payloads and infinities compare exactly."""
    return np.asarray(values, dtype=np.float64).view(np.uint64)


@njit
def _strided_dots(P, q):
    """exact_dot of every row of ``P`` with ``q``, all strided views: the scalar path of the same order."""
    out = np.empty(P.shape[0])
    for i in range(P.shape[0]):
        out[i] = exact_dot(P[i], q)
    return out


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
    spread = np.zeros((len(P), 2 * d))
    spread[:, ::2] = P
    wide_q = np.zeros(3 * d)
    wide_q[::3] = q
    assert d == 0 or (spread[:, ::2].strides[1] == 16 and wide_q[::3].strides[0] == 24)  # truly strided views
    assert np.array_equal(bits(_strided_dots(spread[:, ::2], wide_q[::3])), bits(want))


def test_other_dtypes_take_float64_products_as_the_specification(rng):
    P = (rng.standard_normal((30, 7)) * 1e3).astype(np.float32)
    q = rng.standard_normal(7).astype(np.float32)
    want = [lane_order_reference(P[i], q) for i in range(len(P))]
    assert np.array_equal(bits(_strided_dots(P, q)), bits(want))


def test_no_kernel_is_compiled_with_fast_math():
    """numba's fast-math pass would rewrite the inlined vector code too (FMA, reordering): none may use it."""
    from pathlib import Path

    root = Path(__file__).resolve().parents[2]
    offenders = [str(path.relative_to(root)) for package in ("classical", "quantum_train", "circuits")
                 for path in (root / package).rglob("*.py") if "fastmath" in path.read_text()]
    assert offenders == []


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
    P[1, 6] = np.inf  # inf - inf: NaN in every order
    P[2, 5] = np.nan
    P[3, 0] = 1e308
    P[3, 4] = 1e308  # lane 0 overflows
    q = np.abs(rng.standard_normal(9)) + 1.0
    got = exact_dots(P, q)
    want = [lane_order_reference(P[i], q) for i in range(len(P))]
    assert np.array_equal(bits(got), bits(want))


@njit
def _band(p, QT, n, low):
    """:func:`classical._lanes.lane_band_columns` into fresh arrays: the selected ids and values."""
    ids = np.empty(QT.shape[1], dtype=np.int64)
    values = np.empty(QT.shape[1])
    k = lane_band_columns(p, QT, n, low, ids, values)
    return ids[:k], values[:k]


def _columns(P, pad_value):
    """``P.T`` padded to a multiple of four columns plus four, the padding filled with ``pad_value``."""
    n, d = P.shape
    QT = np.full((d, -(-n // 4) * 4 + 4), pad_value)
    QT[:, :n] = P.T
    return QT


@pytest.mark.parametrize("d", [0, 1, 2, 3, 4, 5, 7, 8, 9, 16, 17])
@pytest.mark.parametrize("n", [0, 3, 4, 5, 11, 40])
def test_band_columns_values_are_the_specification(d, n, rng):
    """By columns (four inputs per vector), each value is summed in the canonical order, bit for bit, on values
    that round differently in other orders; with ``low = -inf`` every real column is selected, in order, and no
    padding column is, though the padding's values (1e300) would pass."""
    P = _hard_values(rng, (n, d))
    p = _hard_values(rng, (d,))
    ids, got = _band(p, _columns(P, 1e300), n, -np.inf)
    want = [lane_order_reference(p, P[i]) for i in range(n)]
    assert list(ids) == list(range(n))
    assert np.array_equal(bits(got), bits(want))


@pytest.mark.parametrize("n, d", [(203, 5), (64, 8), (9, 16)])
def test_band_columns_select_exactly_the_band(n, d, rng):
    """The selection is ``value > low`` on the canonical value, for a threshold inside the values."""
    P = rng.standard_normal((n, d))
    p = rng.standard_normal(d)
    want = np.array([lane_order_reference(p, P[i]) for i in range(n)])
    low = float(np.median(want))
    ids, got = _band(p, _columns(P, 0.0), n, low)
    assert np.array_equal(ids, np.flatnonzero(want > low))
    assert np.array_equal(bits(got), bits(want[ids]))


def test_band_columns_follow_the_specification_on_infinities_and_nan(rng):
    """NaN values are never selected (as ``v > low``), infinities as their sign says, values bit for bit."""
    P = rng.standard_normal((8, 9))
    P[0, 3] = np.inf
    P[1, 2], P[1, 6] = -np.inf, np.inf
    P[2, 5] = np.nan
    P[3, 0] = P[3, 4] = 1e308
    q = np.abs(rng.standard_normal(9)) + 1.0
    want = np.array([lane_order_reference(q, P[i]) for i in range(8)])
    ids, got = _band(q, _columns(P, 0.0), 8, -1.0)
    assert np.array_equal(ids, np.flatnonzero(want > -1.0))
    assert 0 in ids and 2 not in ids and 1 not in ids
    assert np.array_equal(bits(got), bits(want[ids]))
