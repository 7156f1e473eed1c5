"""The correlation trees against a brute-force oracle: leaves, maxima, reported sets, counts and ops.

The registry-driven tests (test_exactness.py) hold the finders to the dense
fired sets in training; these hold the trees themselves to the definition.
"""

import numpy as np
import pytest

from classical.exact import exact_dot, exact_dots
from quantum_train.core.model import ShiftedReLUNet
from quantum_train.errors import ConfigError
from quantum_train.experiments.ram_guard import check_fits, estimate_run
from quantum_train.finders import _corr_kernels as K
from quantum_train.finders import finder_class, make_finder
from quantum_train.finders.corr_trees import CorrelationDTreeFinder, CorrelationWTreeFinder, leaf_slots


def unit_rows(rng, n, d):
    X = rng.standard_normal((n, d))
    return X / np.linalg.norm(X, axis=1, keepdims=True)


def oracle_values(W, X):
    """``V[i, r] = exact_dot(w_r, x_i)``, from the plain-Python specification on a few pairs too."""
    return np.array([exact_dots(W, x) for x in X])


def check_tree_invariants(f, values):
    """Leaves equal the oracle (padding -inf), every internal node is the max of its children, counts agree."""
    L = f.L
    leaves = values.shape[1]
    assert L == leaf_slots(leaves) and L >= leaves and (L == 1 or L < 2 * leaves)
    np.testing.assert_array_equal(f.tree[:, L:L + leaves], values)
    assert np.all(f.tree[:, L + leaves:] == -np.inf)
    for k in range(1, L):
        np.testing.assert_array_equal(f.tree[:, k], np.maximum(f.tree[:, 2 * k], f.tree[:, 2 * k + 1]))
    np.testing.assert_array_equal(f.count, (values > f.b).sum(axis=1))
    assert not getattr(f, "marks", np.zeros(1)).any()  # every changed leaf was repaired and its mark cleared


@pytest.mark.parametrize("m", [1, 2, 7, 64, 100])
@pytest.mark.parametrize("b", [-0.5, 0.3, 1.2, 9.0])
def test_dtree_matches_oracle_through_moves(m, b):
    rng = np.random.default_rng(m)
    n, d = 9, 5
    X = unit_rows(rng, n, d)
    net = ShiftedReLUNet.initialize(m, d, seed=m, b=b)
    f = CorrelationDTreeFinder()
    f.prepare(net, X)
    assert exact_dot(net.W[0], X[0]) == f.tree[0, f.L]  # the canonical product itself
    check_tree_invariants(f, oracle_values(net.W, X))
    for step in range(6):
        # few rows (paths repaired), many rows (trees rebuilt), all rows
        size = [1, max(1, m // 3), m][step % 3]
        rows = np.sort(rng.choice(m, size=size, replace=False))
        net.W[rows] += rng.standard_normal((size, d)) * 0.7
        f.moved(rows, net)
        values = oracle_values(net.W, X)
        check_tree_invariants(f, values)
        fired = f.find(net, X)
        for i in range(n):
            np.testing.assert_array_equal(fired.neurons_of(i), np.flatnonzero(values[i] > b))


@pytest.mark.parametrize("n", [1, 3, 16, 33])
def test_wtree_matches_oracle_through_moves(n):
    rng = np.random.default_rng(n)
    m, d, b = 50, 4, 0.4
    X = unit_rows(rng, n, d)
    net = ShiftedReLUNet.initialize(m, d, seed=n, b=b)
    f = CorrelationWTreeFinder()
    f.prepare(net, X)
    check_tree_invariants(f, oracle_values(net.W, X).T)
    for _ in range(4):
        rows = np.sort(rng.choice(m, size=7, replace=False))
        net.W[rows] += rng.standard_normal((7, d))
        f.moved(rows, net)
        values = oracle_values(net.W, X)
        check_tree_invariants(f, values.T)
        fired = f.find(net, X)
        for r in range(m):
            np.testing.assert_array_equal(fired.inputs_of(r), np.flatnonzero(values[:, r] > b))


def test_ties_at_b_are_not_reported():
    """A leaf exactly equal to ``b`` is not above it (strict), and neither is its ancestors' maximum."""
    X = np.array([[1.0, 0.0], [0.0, 1.0]])
    net = ShiftedReLUNet.initialize(4, 2, seed=0, b=0.5)
    net.W[:] = [[0.5, 0.5], [0.25, 1.0], [1.0, -1.0], [0.5, 0.0]]
    for cls in (CorrelationDTreeFinder, CorrelationWTreeFinder):
        f = cls()
        f.prepare(net, X)
        S = f.find(net, X)
        assert S.neurons_of(0).tolist() == [2] and S.neurons_of(1).tolist() == [1]


def test_repair_and_rebuild_are_chosen_per_tree_by_changed_leaves():
    """A move that changes few leaves of a tree repairs it; one that changes half or more rebuilds it."""
    rng = np.random.default_rng(0)
    m, n, d = 64, 3, 4
    X = unit_rows(rng, n, d)
    X[2] = 0.0  # no leaf of input 2's tree changes when weights move: neither repaired nor rebuilt
    net = ShiftedReLUNet.initialize(m, d, seed=1, b=0.5)
    f = CorrelationDTreeFinder()
    f.prepare(net, X)
    net.W[:2] += 1.0
    f.moved(np.arange(2), net)
    assert (f.repaired, f.rebuilt) == (2, 0)
    net.W[:40] += 1.0
    f.moved(np.arange(40), net)
    assert (f.repaired, f.rebuilt) == (2, 2)
    check_tree_invariants(f, oracle_values(net.W, X))
    assert K.repair_bound(32, 64) == 63 and K.repair_bound(1, 64) == 6


def test_ops_count_products_and_node_visits_at_one_dth():
    rng = np.random.default_rng(2)
    n, m, d = 5, 32, 4
    X = unit_rows(rng, n, d)
    net = ShiftedReLUNet.initialize(m, d, seed=2, b=0.2)
    f = CorrelationDTreeFinder()
    f.prepare(net, X)
    # preprocessing: n m products and (m - 1) internal nodes per tree
    assert f.products == n * m and f.visits["preprocess"] == n * (m - 1)
    assert f.ops == n * m + n * (m - 1) // d
    before = f.ops
    S = f.find(net, X)
    # a descent tests the root and both children of every internal node whose maximum is above b
    values = oracle_values(net.W, X)
    internal_above = sum(int((f.tree[i, 1:f.L] > f.b).sum()) for i in range(n))
    assert f.visits["find"] == n + 2 * internal_above
    assert S.nnz == int((values > f.b).sum())
    assert f.ops - before == (sum(f.visits.values()) // d) - (n * (m - 1) // d)
    rep = f.report()
    assert rep["tree_visits"] == f.visits["find"] and rep["tree_visits_preprocess"] == n * (m - 1)


def test_memory_guard_refuses_trees_that_cannot_fit_naming_m():
    """The trees' 2 n m float64 dominate the estimate; a run too big is refused before allocating, naming m."""
    n, d = 1024, 16
    assert finder_class("corr-dtree").memory_bytes(n, 2**20, d, 4.0, 0.0) >= 16.0 * n * 2**20
    assert finder_class("corr-wtree").memory_bytes(n, 2**20, d, 4.0, 0.0) >= 16.0 * n * 2**20
    budget = estimate_run(n, 2**16, d, 4.0, ["dense", "corr-dtree"]).total / 0.8 * 1.01
    with pytest.raises(ConfigError) as err:
        check_fits(n, 2**20, d, 4.0, ["dense", "corr-dtree"], available=int(budget))
    assert err.value.field == "m" and "m = 65536 fits" in str(err.value)


def test_registered_like_any_finder():
    for name in ("corr-dtree", "corr-wtree"):
        f = make_finder(name)
        assert f.exact and f.name == name


def test_compare_reports_tree_visits_apart_and_identical_weights():
    """Through the public API: the trees' JSON fields carry tree_visits, and the weights equal dense's exactly."""
    import quantum_train as qt

    result = qt.compare(n=40, m=600, d=5, iters=4, b=1.5, seed=8, finders="dense,corr-dtree,corr-wtree")
    rows = {r["finder"]: r for r in result.to_dict()["results"]}
    for name in ("corr-dtree", "corr-wtree"):
        assert rows[name]["max_abs_weight_diff_vs_dense"] == 0.0
        assert rows[name]["tree_visits"] == rows[name]["tree_visits_find"] + rows[name]["tree_visits_maintenance"] > 0
        assert rows[name]["loss"] == rows["dense"]["loss"]
