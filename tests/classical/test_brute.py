"""BruteForceHSR and blocked_halfspace_csr against the tie-rule oracle."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from classical.brute import BruteForceHSR, blocked_halfspace_csr
from classical.exact import exact_dots
from classical.hsr import HalfSpaceReporter

from .hsr_oracle import KINDS, oracle, oracle_csr, point_set


def test_protocol() -> None:
    assert isinstance(BruteForceHSR(), HalfSpaceReporter)


@pytest.mark.parametrize("threads", [1, 2])
@pytest.mark.parametrize("query_block, point_block", [(1, 1), (3, 5), (7, 64), (128, 2048)])
def test_blocked_csr_partial_tiles(threads: int, query_block: int, point_block: int, rng) -> None:
    """Block sizes that do not divide n_q or n: tiles with partial edges, in 1 or 2 threads."""
    P = rng.standard_normal((203, 4))
    Q = rng.standard_normal((37, 4))
    for b in [-0.5, 0.7, 10.0]:
        indptr, indices = blocked_halfspace_csr(Q, P, b, query_block=query_block, point_block=point_block, threads=threads)
        ref = oracle_csr(P, Q, b)
        np.testing.assert_array_equal(indptr, ref[0])
        np.testing.assert_array_equal(indices, ref[1])


@pytest.mark.parametrize("kind", KINDS)
def test_ties_at_exact_values(kind: str, rng) -> None:
    P = point_set(kind, 500, 3, rng)
    hsr = BruteForceHSR(query_block=4, point_block=33).build(P)
    for q in np.vstack([rng.standard_normal((4, 3)), rng.integers(-2, 3, (3, 3)).astype(float)]):
        z = exact_dots(P, q)
        for b in z[rng.integers(0, len(P), 4)]:
            got = hsr.query(q, float(b))
            np.testing.assert_array_equal(got, oracle(P, q, float(b)))
            assert not np.isin(np.nonzero(z == b)[0], got).any()


@settings(max_examples=300, deadline=None)
@given(
    n=st.integers(0, 90),
    n_q=st.integers(0, 9),
    d=st.integers(1, 6),
    seed=st.integers(0, 2**32 - 1),
    kind=st.sampled_from(KINDS),
    qb=st.integers(1, 5),
    pb=st.integers(1, 40),
    threads=st.sampled_from([1, 2]),
)
def test_property_blocked_equals_oracle(n, n_q, d, seed, kind, qb, pb, threads) -> None:
    rng = np.random.default_rng(seed)
    P = point_set(kind, n, d, rng) if n else np.empty((0, d))
    Q = rng.standard_normal((n_q, d))
    b = float(exact_dots(P, Q[0])[0]) if n and n_q else float(rng.normal())
    got = blocked_halfspace_csr(Q, P, b, query_block=qb, point_block=pb, threads=threads)
    ref = oracle_csr(P, Q, b)
    np.testing.assert_array_equal(got[0], ref[0])
    np.testing.assert_array_equal(got[1], ref[1])


def test_query_many_equals_stacked_query_and_counts(rng) -> None:
    n = 1000
    P = rng.standard_normal((n, 5))
    Q = rng.standard_normal((20, 5))
    hsr = BruteForceHSR(query_block=6, point_block=100).build(P)
    indptr, indices = hsr.query_many(Q, 1.0)
    assert hsr.stats.inner_products == n * len(Q) and hsr.stats.queries == len(Q)
    assert hsr.stats.reported == len(indices) and hsr.stats.bound_tests == 0
    for i, q in enumerate(Q):
        np.testing.assert_array_equal(hsr.query(q, 1.0), indices[indptr[i] : indptr[i + 1]])
    assert hsr.stats.inner_products == 2 * n * len(Q)


def test_moves(rng) -> None:
    P = rng.standard_normal((300, 3))
    hsr = BruteForceHSR(point_block=17).build(P)
    for _ in range(20):
        ids = rng.choice(300, size=10, replace=False)
        P[ids] = 4 * rng.standard_normal((10, 3))  # norms may grow past the build-time maximum
        hsr.move(ids, P[ids])
        q = rng.standard_normal(3)
        b = float(exact_dots(P, q)[ids[0]])
        np.testing.assert_array_equal(hsr.query(q, b), oracle(P, q, b))
    assert hsr.stats.moves == 200


def test_bad_input(rng) -> None:
    hsr = BruteForceHSR().build(rng.standard_normal((10, 3)))
    with pytest.raises(ValueError):
        BruteForceHSR().build(np.array([[np.nan, 1.0]]))
    with pytest.raises(ValueError):
        hsr.query(np.ones(4), 0.0)
    with pytest.raises(ValueError):
        hsr.query_many(np.ones((2, 4)), 0.0)
    with pytest.raises(ValueError):
        hsr.query(np.ones(3), np.inf)
    with pytest.raises(ValueError):
        hsr.move(np.array([1, 2]), np.ones((1, 3)))
    with pytest.raises(ValueError):
        BruteForceHSR(query_block=0)
