"""Forward and gradient of the shifted-ReLU network against direct formulas and finite differences."""

import math

import numpy as np
import pytest
from scipy.stats import binomtest

from classical.exact import exact_dots
from quantum_train.core.fired import FiredSets
from quantum_train.core.model import ShiftedReLUNet, default_threshold, fire_probability
from tests.conftest import unit_rows


def direct_forward(net, X):
    Z = X @ net.W.T
    return (np.maximum(Z - net.b, 0.0) @ net.a) / math.sqrt(net.m)


def direct_gradient(net, X, y):
    Z = X @ net.W.T
    err = direct_forward(net, X) - y
    active = (Z > net.b).astype(float)  # n x m
    return (net.a[:, None] / math.sqrt(net.m)) * ((active * err[:, None]).T @ X)


@pytest.mark.parametrize("m,d,n", [(50, 3, 7), (300, 8, 20), (64, 1, 5)])
def test_forward_and_gradient_match_direct_formula(rng, m, d, n):
    net = ShiftedReLUNet.initialize(m, d, seed=3, b=0.3)
    X = unit_rows(rng, n, d)
    y = rng.standard_normal(n)
    fired = net.fired_sets(X)
    np.testing.assert_allclose(net.forward(X, fired), direct_forward(net, X), rtol=1e-12, atol=1e-13)
    rows, G = net.gradient(X, net.forward(X, fired) - y, fired)
    full = np.zeros_like(net.W)
    full[rows] = G
    np.testing.assert_allclose(full, direct_gradient(net, X, y), rtol=1e-12, atol=1e-13)
    # rows are exactly the neurons fired by some input
    assert np.array_equal(rows, np.flatnonzero((X @ net.W.T > net.b).any(axis=0)))


def test_gradient_matches_central_finite_differences(rng):
    m, d, n = 40, 4, 6
    net = ShiftedReLUNet.initialize(m, d, seed=1, b=0.2)
    X = unit_rows(rng, n, d)
    y = rng.standard_normal(n)
    fired = net.fired_sets(X)
    rows, G = net.gradient(X, net.forward(X, fired) - y, fired)
    grad = np.zeros_like(net.W)
    grad[rows] = G
    margins = np.abs(X @ net.W.T - net.b)
    h = 1e-6
    assert margins.min() > 10 * h  # no kink within the step: L is smooth there
    fd = np.zeros_like(net.W)
    for r in range(m):
        for j in range(d):
            plus, minus = net.copy(), net.copy()
            plus.W[r, j] += h
            minus.W[r, j] -= h
            fd[r, j] = (plus.loss(X, y) - minus.loss(X, y)) / (2 * h)
    np.testing.assert_allclose(grad, fd, rtol=1e-6, atol=1e-7)


def test_fired_sets_are_exact_and_strict(rng):
    net = ShiftedReLUNet.initialize(500, 5, seed=2)
    X = unit_rows(rng, 30, 5)
    # put one threshold exactly on a canonical inner product: it must not fire
    net.b = float(exact_dots(net.W, X[0])[17])
    fired = net.fired_sets(X)
    for i in range(30):
        expected = np.flatnonzero(exact_dots(net.W, X[i]) > net.b)
        assert np.array_equal(fired.neurons_of(i), expected)
    assert 17 not in fired.neurons_of(0)


def test_fired_count_at_initialisation_matches_m_Q_b():
    """Each input fires Binomial(m, Q(b)) neurons at initialisation (w_r ~ N(0, I), ||x|| = 1).

    Pooled over 40 inputs the total is a sum of 40 m Bernoulli(Q(b)) draws across
    different x (not independent across inputs, so use each input separately and a
    Bonferroni-corrected two-sided binomial test at alpha = 1e-3 overall).
    """
    m, d = 2**14, 8
    net = ShiftedReLUNet.initialize(m, d, seed=7)
    assert net.b == pytest.approx(default_threshold(m))
    X = unit_rows(np.random.default_rng(8), 40, d)
    counts = net.fired_sets(X).per_input()
    q = fire_probability(net.b)
    pvals = [binomtest(int(k), m, q).pvalue for k in counts]
    assert min(pvals) > 1e-3 / len(pvals)
    assert abs(counts.mean() / (m * q) - 1) < 0.05
    assert counts.mean() <= m ** 0.8  # Q(b) <= exp(-b^2/2) = m^(-1/5)


def test_fired_sets_transpose_roundtrip(rng):
    net = ShiftedReLUNet.initialize(200, 3, seed=4, b=0.5)
    X = unit_rows(rng, 25, 3)
    fired = net.fired_sets(X)
    ptr, idx = fired.by_neuron
    again = FiredSets.from_neuron_major(ptr, idx, 25)
    assert again == fired
    active = X @ net.W.T > net.b
    for r in range(200):
        assert np.array_equal(idx[ptr[r]:ptr[r + 1]], np.flatnonzero(active[:, r]))


def test_fired_sets_accessors_match_brute_force_both_ways(rng):
    """The public FiredSets (qt.FiredSets): S_i, T_r and their sizes, from either orientation."""
    net = ShiftedReLUNet.initialize(150, 4, seed=7, b=0.3)
    X = unit_rows(rng, 20, 4)
    active = X @ net.W.T > net.b
    for fired in (net.fired_sets(X), FiredSets.from_input_major(*net.fired_sets(X).by_input, 150)):
        assert np.array_equal(fired.per_input(), active.sum(axis=1))
        assert np.array_equal(fired.per_neuron(), active.sum(axis=0))
        for i in range(20):
            assert np.array_equal(fired.neurons_of(i), np.flatnonzero(active[i]))
        for r in range(150):
            assert np.array_equal(fired.inputs_of(r), np.flatnonzero(active[:, r]))


def test_initialize_rejects_bad_sizes():
    with pytest.raises(ValueError, match="positive"):
        ShiftedReLUNet.initialize(0, 3)
    with pytest.raises(ValueError, match="finite"):
        ShiftedReLUNet.initialize(10, 3, b=float("nan"))


def test_fire_probability_is_the_normal_tail_bit_for_bit():
    """``fire_probability`` calls ``scipy.special.ndtr`` (no scipy.stats import): the value is ``norm.sf``'s."""
    from scipy.stats import norm

    for b in (-3.0, -0.0, 0.0, 0.5, 1.824, default_threshold(4096), 5.0, 37.5, math.inf, -math.inf):
        assert fire_probability(b) == float(norm.sf(b))
