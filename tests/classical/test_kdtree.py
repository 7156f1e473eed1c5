"""KDTreeHSR: exactness against the tie-rule oracle, moves, rebuilds, stats, errors."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from classical import _kdtree_kernels as K
from classical.exact import exact_dot, exact_dots
from classical.hsr import HalfSpaceReporter
from classical.kdtree import KDTreeHSR

from .hsr_oracle import KINDS, oracle, oracle_csr, point_set


def unit(rng: np.random.Generator, k: int, d: int) -> np.ndarray:
    Q = rng.standard_normal((k, d))
    return Q / np.linalg.norm(Q, axis=1, keepdims=True)


def check_all(tree: KDTreeHSR, P: np.ndarray, Q: np.ndarray, b: float) -> None:
    ref = oracle_csr(P, Q, b)
    indptr, indices = tree.query_many(Q, b)
    assert indptr.dtype == np.int64 and indices.dtype == np.int64
    np.testing.assert_array_equal(indptr, ref[0])
    np.testing.assert_array_equal(indices, ref[1])
    for i, q in enumerate(Q):
        got = tree.query(q, b)
        assert got.dtype == np.int64
        np.testing.assert_array_equal(got, ref[1][ref[0][i] : ref[0][i + 1]])


def test_protocol() -> None:
    assert isinstance(KDTreeHSR(), HalfSpaceReporter)


@pytest.mark.parametrize("kind", KINDS)
@pytest.mark.parametrize("d", [1, 2, 3, 5, 9])
def test_exact_on_point_sets(kind: str, d: int, rng: np.random.Generator) -> None:
    P = point_set(kind, 700, d, rng)
    tree = KDTreeHSR(leaf_size=8).build(P)
    Q = np.vstack([unit(rng, 12, d), 3.0 * rng.standard_normal((4, d)), np.zeros((1, d))])
    for b in [-1.0, 0.0, 0.3, 1.5, 50.0, -50.0]:
        check_all(tree, P, Q, b)


@pytest.mark.parametrize("kind", ["gauss", "grid", "duplicated"])
def test_threshold_at_exact_point_values_is_not_reported(kind: str, rng: np.random.Generator) -> None:
    """b = exact_dot(p, q) for some p: that p (and its duplicates) must NOT be reported (strict >)."""
    d = 3
    P = point_set(kind, 2000, d, rng)
    tree = KDTreeHSR(leaf_size=4).build(P)
    for q in np.vstack([unit(rng, 6, d), rng.integers(-2, 3, (4, d)).astype(float)]):
        z = exact_dots(P, q)
        for i in rng.integers(0, len(P), 5):
            b = float(z[i])
            got = tree.query(q, b)
            np.testing.assert_array_equal(got, oracle(P, q, b))
            assert i not in set(got.tolist())
            # and the next float below b reports it
            assert i in set(tree.query(q, np.nextafter(b, -np.inf)).tolist())


def test_tie_rule_not_fooled_by_other_summation_orders() -> None:
    """Values where a different summation order rounds across b: the tree must follow exact_dot."""
    rng = np.random.default_rng(7)
    d = 6
    hits = 0
    for _ in range(200):
        p = rng.standard_normal(d) * 10.0 ** rng.integers(-3, 4, d)
        q = rng.standard_normal(d)
        b = exact_dot(p, q)
        other = float(np.dot(p[::-1], q[::-1]))
        if other != b:
            hits += 1
        P = np.vstack([p, p * (1 + 1e-16), -p])
        tree = KDTreeHSR(leaf_size=2).build(P)
        np.testing.assert_array_equal(tree.query(q, b), oracle(P, q, b))
        np.testing.assert_array_equal(tree.query(q, np.nextafter(b, -np.inf)), oracle(P, q, np.nextafter(b, -np.inf)))
    assert hits > 0  # the test really exercises order-dependent rounding


def test_empty_and_full_answers(rng: np.random.Generator) -> None:
    P = rng.standard_normal((3000, 2))
    tree = KDTreeHSR().build(P)
    q = np.array([0.6, 0.8])
    assert tree.query(q, 100.0).size == 0
    np.testing.assert_array_equal(tree.query(q, -100.0), np.arange(3000))
    before = tree.stats.copy()
    tree.query(q, -100.0)
    # everything is reported from the root box alone, without inner products
    assert tree.stats.inner_products == before.inner_products
    assert tree.stats.bound_tests == before.bound_tests + 1


def test_empty_point_set_and_empty_query_batch() -> None:
    tree = KDTreeHSR().build(np.empty((0, 3)))
    assert tree.query(np.ones(3), 0.0).size == 0
    indptr, indices = tree.query_many(np.ones((4, 3)), 0.0)
    np.testing.assert_array_equal(indptr, np.zeros(5, dtype=np.int64))
    assert indices.size == 0
    tree.move(np.empty(0, dtype=np.int64), np.empty((0, 3)))
    P = np.random.default_rng(0).standard_normal((50, 3))
    t2 = KDTreeHSR().build(P)
    indptr, indices = t2.query_many(np.empty((0, 3)), 0.0)
    assert indptr.tolist() == [0] and indices.size == 0


@pytest.mark.parametrize("n", [1, 2, 3, 5, 31, 32, 33, 64, 65, 1000])
@pytest.mark.parametrize("leaf_size", [2, 3, 32])
def test_small_sizes_and_leaf_layout(n: int, leaf_size: int, rng: np.random.Generator) -> None:
    P = rng.standard_normal((n, 3))
    tree = KDTreeHSR(leaf_size=leaf_size).build(P)
    sizes = tree._end[tree._n_internal :] - tree._start[tree._n_internal :]
    assert sizes.min() >= 1 and sizes.max() <= leaf_size
    np.testing.assert_array_equal(np.sort(tree._perm), np.arange(n))
    np.testing.assert_array_equal(tree.points, P)
    check_all(tree, P, unit(rng, 5, 3), 0.2)


def test_boxes_contain_their_points(rng: np.random.Generator) -> None:
    tree = KDTreeHSR(leaf_size=4).build(rng.standard_normal((500, 3)))
    pts = tree._pts_t.T
    for node in range(tree.n_nodes):
        s, e = tree._start[node], tree._end[node]
        assert (pts[s:e] >= tree._lo[node]).all() and (pts[s:e] <= tree._hi[node]).all()
        np.testing.assert_array_equal(pts[s:e].min(axis=0), tree._lo[node])  # exact, not loose


@settings(max_examples=600, deadline=None)
@given(
    n=st.integers(0, 120),
    d=st.integers(1, 5),
    seed=st.integers(0, 2**32 - 1),
    kind=st.sampled_from(KINDS),
    leaf_size=st.integers(2, 9),
    b=st.floats(-3, 3, allow_nan=False),
)
def test_property_query_many_equals_oracle(n, d, seed, kind, leaf_size, b) -> None:
    rng = np.random.default_rng(seed)
    P = point_set(kind, n, d, rng) if n else np.empty((0, d))
    Q = np.vstack([rng.standard_normal((3, d)), P[:2]]) if n else rng.standard_normal((3, d))
    tree = KDTreeHSR(leaf_size=leaf_size).build(P)
    check_all(tree, P, Q, b)
    if n:  # thresholds exactly at attained values
        z = exact_dots(P, Q[0])
        check_all(tree, P, Q[:1], float(z[rng.integers(n)]))


@settings(max_examples=150, deadline=None)
@given(seed=st.integers(0, 2**32 - 1), d=st.integers(1, 4), kind=st.sampled_from(KINDS))
def test_property_moves_interleaved_with_queries(seed: int, d: int, kind: str) -> None:
    rng = np.random.default_rng(seed)
    n = int(rng.integers(1, 300))
    P = point_set(kind, n, d, rng)
    tree = KDTreeHSR(leaf_size=int(rng.integers(2, 10))).build(P)
    for _ in range(25):
        k = int(rng.integers(0, n + 1)) if rng.random() < 0.2 else int(rng.integers(0, min(n, 5) + 1))
        ids = rng.choice(n, size=k, replace=False)
        scale = [1e-3, 0.3, 4.0][int(rng.integers(3))]
        new = P[ids] + scale * rng.standard_normal((k, d))
        if rng.random() < 0.2 and k:
            new[0] = P[int(rng.integers(n))]  # exact duplicate of another point
        tree.move(ids, new)
        P[ids] = new
        q = rng.standard_normal(d)
        b = float(exact_dots(P, q)[rng.integers(n)]) if rng.random() < 0.5 else float(rng.normal())
        check_all(tree, P, np.vstack([q, rng.standard_normal((2, d))]), b)
    np.testing.assert_array_equal(tree.points, P)


def test_long_random_move_sequence_with_rebuilds(rng: np.random.Generator) -> None:
    n, d = 4000, 3
    P = rng.standard_normal((n, d))
    tree = KDTreeHSR(leaf_size=16).build(P)
    Q = unit(rng, 8, d)
    for step in range(60):
        if step % 3 == 0:  # big batch of tiny drifts (Algorithm 1 style: full refit path)
            ids = rng.permutation(n)[: n // 2]
            new = P[ids] + 1e-3 * rng.standard_normal((len(ids), d))
        else:  # a few large jumps (path refit)
            ids = rng.choice(n, size=40, replace=False)
            new = 3.0 * rng.standard_normal((40, d))
        tree.move(ids, new)
        P[ids] = new
        if step % 5 == 0:
            check_all(tree, P, Q, 1.0)
    check_all(tree, P, Q, 1.0)
    assert tree.stats.moves == 20 * (n // 2) + 40 * 40
    assert tree.builds >= 2  # large jumps degraded the boxes enough to trigger a rebuild


def test_small_drift_does_not_rebuild(rng: np.random.Generator) -> None:
    n, d = 5000, 4
    P = rng.standard_normal((n, d))
    tree = KDTreeHSR().build(P)
    for _ in range(5):
        new = P + 1e-4 * rng.standard_normal((n, d))
        tree.move(np.arange(n), new)
        P = new
    assert tree.builds == 1
    assert 1.0 <= tree.extent_ratio < 1.05
    check_all(tree, P, unit(rng, 5, d), 1.5)


def test_rebuild_rule_triggers(rng: np.random.Generator) -> None:
    n, d = 2048, 2
    P = rng.standard_normal((n, d))
    tree = KDTreeHSR(rebuild_factor=1.5).build(P)
    ids = rng.choice(n, size=n // 4, replace=False)
    tree.move(ids, 10 * rng.standard_normal((len(ids), d)))
    assert tree.builds == 2 and tree.moves_since_build == 0 and tree.extent_ratio == 1.0
    P[ids] = tree.points[ids]
    check_all(tree, P, unit(rng, 4, d), 2.0)


def test_refit_keeps_boxes_exact_after_moves(rng: np.random.Generator) -> None:
    tree = KDTreeHSR(leaf_size=4, rebuild_factor=np.inf).build(rng.standard_normal((300, 2)))
    for _ in range(20):
        ids = rng.choice(300, size=3, replace=False)
        tree.move(ids, 5 * rng.standard_normal((3, 2)))
    pts = tree._pts_t.T
    for node in range(tree.n_nodes):
        s, e = tree._start[node], tree._end[node]
        np.testing.assert_array_equal(pts[s:e].min(axis=0), tree._lo[node])
        np.testing.assert_array_equal(pts[s:e].max(axis=0), tree._hi[node])


def test_stats_are_plausible(rng: np.random.Generator) -> None:
    n = 20000
    P = rng.standard_normal((n, 2))
    tree = KDTreeHSR().build(P)
    Q = unit(rng, 10, 2)
    indptr, indices = tree.query_many(Q, 2.5)
    s = tree.stats
    assert s.queries == 10 and s.reported == len(indices) == indptr[-1]
    assert s.bound_tests == s.nodes_visited > 0
    assert s.build_ops == n * tree.n_levels  # construction: every level partitions every point
    assert s.ops - s.build_ops < 0.2 * n * len(Q)  # a selective query at d = 2 touches far fewer than n points
    assert s.inner_products >= 0 and s.moves == 0
    tree.move(np.array([0, 1]), P[:2] + 0.1)
    assert tree.stats.moves == 2


def test_sort_ids_kernel(rng: np.random.Generator) -> None:
    for count in [0, 1, 47, 48, 49, 5000]:
        for n_bits in [1, 11, 12, 20, 23, 34]:
            a = rng.integers(0, 2**n_bits, 3 + count + 5)
            before = a.copy()
            tmp = np.empty(count + 1, dtype=np.int64)
            K.sort_ids(a, 3, count, tmp, n_bits)
            np.testing.assert_array_equal(a[3 : 3 + count], np.sort(before[3 : 3 + count]))
            np.testing.assert_array_equal(a[:3], before[:3])
            np.testing.assert_array_equal(a[3 + count :], before[3 + count :])


def test_threads_give_identical_results(rng: np.random.Generator) -> None:
    P = rng.standard_normal((30000, 3))
    Q = unit(rng, 200, 3)
    a = KDTreeHSR(threads=1).build(P).query_many(Q, 1.0)
    t2 = KDTreeHSR(threads=2).build(P)
    b = t2.query_many(Q, 1.0)
    np.testing.assert_array_equal(a[0], b[0])
    np.testing.assert_array_equal(a[1], b[1])
    c = t2.query_many(Q[::-1].copy(), 1.0)  # buffers reused across calls
    np.testing.assert_array_equal(np.diff(c[0]), np.diff(a[0])[::-1])


@pytest.mark.parametrize(
    "bad, err",
    [
        (np.array([[np.nan, 0.0]]), ValueError),
        (np.array([[np.inf, 0.0]]), ValueError),
        (np.zeros(3), ValueError),
        (np.zeros((3, 0)), ValueError),
    ],
)
def test_bad_points(bad, err) -> None:
    with pytest.raises(err):
        KDTreeHSR().build(bad)


def test_bad_queries_and_moves(rng: np.random.Generator) -> None:
    P = rng.standard_normal((100, 3))
    tree = KDTreeHSR().build(P)
    with pytest.raises(ValueError, match="q must have shape"):
        tree.query(np.ones(2), 0.0)
    with pytest.raises(ValueError, match="NaN"):
        tree.query(np.array([np.nan, 0, 0]), 0.0)
    with pytest.raises(ValueError, match="threshold"):
        tree.query(np.ones(3), np.nan)
    with pytest.raises(ValueError, match="dimension"):
        tree.query_many(np.ones((2, 4)), 0.0)
    with pytest.raises(IndexError, match="out of range"):
        tree.move(np.array([100]), np.ones((1, 3)))
    with pytest.raises(IndexError, match="out of range"):
        tree.move(np.array([-1]), np.ones((1, 3)))
    with pytest.raises(ValueError, match="repeated"):
        tree.move(np.array([3, 3]), np.ones((2, 3)))
    with pytest.raises(ValueError, match="shape"):
        tree.move(np.array([1, 2]), np.ones((3, 3)))
    with pytest.raises(ValueError, match="NaN"):
        tree.move(np.array([1]), np.array([[np.nan, 0, 0]]))
    with pytest.raises(ValueError, match="integers"):
        tree.move(np.array([1.5]), np.ones((1, 3)))
    # a rejected move leaves the tree untouched
    np.testing.assert_array_equal(tree.points, P)
    with pytest.raises(RuntimeError, match="build"):
        KDTreeHSR().query(np.ones(3), 0.0)
    with pytest.raises(ValueError, match="leaf_size"):
        KDTreeHSR(leaf_size=1)
    with pytest.raises(ValueError, match="rebuild_factor"):
        KDTreeHSR(rebuild_factor=1.0)


def test_overflowing_values_follow_exact_dot() -> None:
    """Bounds that overflow to inf/NaN must not decide; exact_dot (also inf) decides."""
    P = np.array([[1e308, 1e308], [1e308, -1e308], [1.0, 2.0], [-1e308, -1e308]])
    tree = KDTreeHSR(leaf_size=2).build(P)
    for q in [np.array([1.0, 1.0]), np.array([1.0, -1.0]), np.array([2.0, 0.5])]:
        for b in [0.0, 1e308, -1e308, 3.0]:
            np.testing.assert_array_equal(tree.query(q, b), oracle(P, q, b))


@pytest.mark.parametrize("leaf_size", [2, 4])
def test_bound_decisions_at_exact_ties_on_integer_grid(leaf_size: int) -> None:
    """Integer points and queries: box bounds equal b exactly for many nodes (no rounding at all).

    A node whose minimum equals ``b`` must not be reported whole and one whose
    maximum equals ``b`` must be pruned: every attained value is tried as ``b``.
    """
    rng = np.random.default_rng(3)
    P = rng.integers(-2, 3, (600, 3)).astype(np.float64)
    P = np.vstack([P, np.full((40, 3), 1.0)])  # a leaf of identical points
    tree = KDTreeHSR(leaf_size=leaf_size).build(P)
    for q in [np.array([1.0, 2.0, -1.0]), np.array([0.0, 1.0, 0.0]), np.array([3.0, 3.0, 3.0])]:
        for b in np.unique(exact_dots(P, q)):
            np.testing.assert_array_equal(tree.query(q, float(b)), oracle(P, q, float(b)))
