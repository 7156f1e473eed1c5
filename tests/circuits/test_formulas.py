"""Formulas that exist both in Python (numpy) and in the numba search core: one implementation, or held
to each other here over a grid (issue 11, item 5)."""

import math

import numpy as np
import pytest

from circuits import certify, counting, strategy
from circuits.grover import efficient_iterations, success_probability

SIZES = [2, 4, 8, 64, 1024, 1 << 16]


@pytest.mark.parametrize("n", SIZES)
def test_efficient_j_is_efficient_iterations(n):
    rs = np.unique(np.concatenate([np.arange(1, min(n, 300) + 1), np.geomspace(1, n, 200).astype(np.int64)]))
    for r in rs.tolist():
        assert strategy.efficient_j(float(r), float(n)) == efficient_iterations(r, n), (r, n)


@pytest.mark.parametrize("n", SIZES)
def test_success_prob_is_success_probability(n):
    rs = np.unique(np.geomspace(1, n, 60).astype(np.int64)).tolist()
    for j in (0, 1, 2, 5, 17, 200):
        got = [strategy.success_prob(float(r), j, float(n)) for r in rs]
        np.testing.assert_allclose(got, success_probability(np.array(rs), n, j), rtol=0, atol=1e-12)
    assert strategy.success_prob(0.0, 3, float(n)) == 0.0
    assert strategy.success_prob(float(n), 3, float(n)) == 1.0


@pytest.mark.parametrize("t", [1, 2, 4, 7, 10])
def test_count_estimate_is_estimate_count(t):
    n = 1 << 12
    ys = np.arange(1 << t)
    got = [counting.count_estimate(int(y), t, float(n)) for y in ys]
    np.testing.assert_allclose(got, counting.estimate_count(ys, t, n), rtol=1e-13, atol=1e-9)


def test_certification_rule_has_one_implementation():
    assert strategy.failures_needed is certify.failures_needed  # the search core calls the checked rule's kernel
    for delta in (0.5, 1e-1, 1e-3, 1e-9):
        for pmin in (0.25, 0.3, 0.375, 0.41, 0.999, 1.0):
            for e in range(6):
                want = 1 if pmin >= 1 else max(1, math.ceil(math.log(delta / ((e + 1) * (e + 2))) / math.log(1 - pmin)))
                assert certify.certification_failures(delta, pmin, e) == want


def test_fejer_has_one_implementation():
    assert strategy.fejer_at is counting.fejer_at
    T = 16
    d = np.linspace(-1.5, 1.5, 301)
    want = np.where(np.abs(np.sin(np.pi * d)) < 1e-12, 1.0,
                    np.sin(np.pi * T * d) ** 2 / (T**2 * np.maximum(np.sin(np.pi * d) ** 2, 1e-300)))
    np.testing.assert_allclose(counting.fejer(d, T), want, rtol=1e-9, atol=1e-12)
    assert counting.fejer(0.25, 4).shape == ()
    assert counting.fejer(np.zeros((2, 3)), 4).shape == (2, 3)


@pytest.mark.parametrize("t", [1, 3, 6, 9])
def test_count_error_bound_at_is_count_error_bound(t):
    n = 1 << 10
    ks = np.arange(0, n + 1, 7)
    got = [counting.count_error_bound_at(float(k), t, float(n)) for k in ks]
    np.testing.assert_allclose(got, counting.count_error_bound(ks, t, n), rtol=1e-13, atol=1e-12)
