"""Find-all end to end: exact sets on Aer, recall and the delta guarantee on the emulator."""

from __future__ import annotations

import numpy as np
import pytest
from scipy import stats

from circuits import AerExecutor, EmulatedExecutor, SearchProblem, find_all, find_all_many


def _small_problems(seed):
    rng = np.random.default_rng(seed)
    specs = [(8, 0), (8, 1), (8, 8), (5, 2), (13, 4), (16, 3), (37, 6), (64, 1), (64, 10),
             (100, 30), (128, 5), (3, 3), (1, 1), (1, 0)]
    return [SearchProblem(m, rng.choice(m, k, replace=False)) for m, k in specs]


@pytest.mark.parametrize("strategy", ["bbht", "bbht_warm", "counting"])
def test_aer_finds_exactly_the_marked_set(strategy):
    probs = _small_problems(1)
    res = find_all_many(probs, AerExecutor(), strategy=strategy, delta=1e-4, seed=2)
    for pr, r in zip(probs, res):
        assert r.certified
        np.testing.assert_array_equal(r.found, pr.marked)
        assert r.queries == sum(r.queries_by_kind.values())
        assert r.executor == "aer" and r.strategy == strategy
    if strategy == "counting":
        assert any(r.k_estimate is not None for r in res) and res[0].queries_by_kind["counting"] > 0


def test_found_are_marked_and_recall_on_emulator():
    rng = np.random.default_rng(4)
    m = 1 << 14
    probs = [SearchProblem(m, rng.choice(m, int(rng.integers(50, 300)), replace=False)) for _ in range(20)]
    for strategy in ("bbht", "counting"):
        res = find_all_many(probs, EmulatedExecutor(), strategy=strategy, delta=1e-3, seed=5)
        total = sum(p.num_marked for p in probs)
        assert all(np.isin(r.found, p.marked).all() for p, r in zip(probs, res))
        assert sum(r.num_found for r in res) / total >= 0.999
        ratio = np.mean([r.queries / np.sqrt(m * p.num_marked) for p, r in zip(probs, res)])
        assert ratio < m / np.sqrt(m * 175)  # quadratically better than a classical scan


def test_same_seed_same_result():
    probs = _small_problems(3)[:6]
    a = find_all_many(probs, EmulatedExecutor(), seed=9)
    b = find_all_many(probs, EmulatedExecutor(), seed=9)
    assert [r.queries for r in a] == [r.queries for r in b]


@pytest.mark.parametrize("strategy", ["bbht", "counting"])
def test_certification_miss_rate_at_most_delta(strategy):
    """P(stop with an item left) <= delta: misses over 600 searches vs Binomial(600, delta), alpha=1e-3.

    delta = 0.2 so that a broken rule (e.g. stopping after one failure, which
    misses most of the time for k = 1) is caught.
    """
    delta, n = 0.2, 600
    rng = np.random.default_rng(8)
    probs = [SearchProblem(256, rng.choice(256, 1 + (i % 3), replace=False)) for i in range(n)]
    res = find_all_many(probs, EmulatedExecutor(), strategy=strategy, delta=delta, seed=10)
    misses = sum(r.num_found < p.num_marked for p, r in zip(probs, res))
    assert stats.binomtest(misses, n, delta, alternative="greater").pvalue >= 1e-3, misses


def test_find_all_single():
    pr = SearchProblem(50, [3, 7, 49])
    r = find_all(pr, EmulatedExecutor(), seed=1)
    np.testing.assert_array_equal(r.found, pr.marked)
