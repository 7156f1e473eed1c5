"""The counting strategy's posterior over the marked count and its designed certification."""

from __future__ import annotations

import math

import numpy as np
import pytest
from scipy import stats

import circuits.search as search
from circuits import Batch, EmulatedExecutor, Executor, SearchProblem, find_all, find_all_many
from circuits import strategy as sm
from circuits.certify import (
    certification_failures,
    certification_range,
    certification_sequence,
    epoch_delta,
    sequence_miss_bound,
)
from circuits.counting import counting_distribution
from circuits.search import FindAllStrategy

# --------------------------------------------------------------------------- designed certification

@pytest.mark.parametrize("m,q,delta,e", [(2, 1, 0.5, 0), (3, 2, 0.5, 0), (50, 6, 0.2, 0), (64, 6, 1e-3, 1),
                                         (300, 9, 1e-3, 0), (1 << 12, 12, 1e-4, 2)])
def test_sequence_meets_its_bound_on_every_remaining_count(m, q, delta, e):
    seq = certification_sequence(m, q, delta, e)
    n = 1 << q
    # independent brute force: probability that the whole sequence fails, for every r >= 1
    worst = 0.0
    for r in range(1, min(m, n - 1) + 1):
        th = math.asin(math.sqrt(r / n))
        worst = max(worst, math.prod(math.cos((2 * j + 1) * th) ** 2 for j in seq.tolist()))
    assert worst <= epoch_delta(delta, e)
    assert abs(worst - sequence_miss_bound(seq, m, q)) <= 1e-12 + 1e-9 * worst
    assert np.all(np.diff(seq) >= 0) and seq.min() >= 0


def test_sequence_is_cheaper_than_uniform_rule():
    for q in (8, 12, 16):
        m = 1 << q
        seq = certification_sequence(m, q, 1e-3, 0)
        cap, pmin = certification_range(m, q)
        uniform = certification_failures(1e-3, pmin, 0) * ((cap - 1) / 2 + 1)  # expected queries
        assert (seq + 1).sum() < 0.75 * uniform


def test_epoch_shares_sum_to_delta():
    assert math.isclose(sum(epoch_delta(0.01, e) for e in range(100000)), 0.01, rel_tol=1e-4)


# --------------------------------------------------------------------------- posterior

def _brute_posterior(m, n, y, t, obs):
    """Exact posterior over K = 0..m: uniform prior x counting law x Bernoulli likelihoods."""
    K = np.arange(m + 1)
    post = np.array([counting_distribution(k, n, t)[y] for k in K])
    F = 0
    for j, ok in obs:
        r = K - F
        th = np.arcsin(np.sqrt(np.clip(r / n, 0, 1)))
        s = np.where(r > 0, np.sin((2 * j + 1) * th) ** 2, 0.0)
        post = post * (s if ok else 1 - s)
        F += ok
    post[K < F] = 0
    return post / post.sum()


def test_posterior_update_matches_exact_bayes():
    m, q = 30, 6
    n = 1 << q
    post = sm.new_posterior(1)
    Kp, lw, ng = post.K, post.lw, post.size
    mass = np.empty(sm.GRID)
    y, t = 5, 4
    # integer grid over all K = 0..m, then the counting likelihood and scripted outcomes
    ng[0] = m + 1
    Kp[0, :m + 1] = np.arange(m + 1)
    for g in range(m + 1):
        lw[0, g] = math.log(counting_distribution(g, n, t)[y] * (1 - 1e-15) + 1e-300)
    obs = [(2, 1), (2, 0), (1, 1), (3, 1), (0, 0), (2, 1), (4, 0)]
    F = 0
    for j, ok in obs:
        sm.observe(post, 0, float(F), j, 1, ok, float(n), False)
        F += ok
    tot = sm._masses(Kp[0], lw[0], ng[0], float(F), mass)
    got = mass[:m + 1] / tot
    want = _brute_posterior(m, n, y, t, obs)
    np.testing.assert_allclose(got, want, atol=1e-9)


def test_posterior_tracks_remaining_count():
    """Simulated attempts at the chosen j: the posterior median stays near the truth, and narrows."""
    rng = np.random.default_rng(11)
    m = n = 1 << 14
    K = 200
    P = 1
    post = sm.new_posterior(P)
    mass = np.empty(sm.GRID)
    t = 7
    y = int(rng.choice(1 << t, p=counting_distribution(K, n, t)))
    sm.init_posterior(post, 0, y, t, 0.0, m, float(n), mass)
    F = 0
    errs = []
    for it in range(400):
        j = sm.choose_j(post, 0, float(F), float(n), mass)
        ok = int(rng.random() < sm.success_prob(K - F, j, float(n)))
        sm.observe(post, 0, float(F), j, 1, ok, float(n), False)
        F += ok
        if it % sm.REGRID_EVERY == 0:
            sm.regrid(post, 0, float(F), m, mass)
        if K - F <= 20:
            break
        if it > 50:
            errs.append(abs(post.rmed[0] - (K - F)) / math.sqrt(K - F))
    assert K - F <= 20  # found items at a good rate: ~180 items in at most 400 attempts
    assert np.median(errs) < 2.0  # posterior error about sqrt(r), as the Fisher information says


# --------------------------------------------------------------------------- end to end

class AlwaysFail(Executor):
    """Counting readout fixed at ``y``; every Grover shot returns the unmarked index ``miss``."""

    name = "always_fail"

    def __init__(self, y, miss):
        self.y, self.miss, self.requests = y, miss, []

    def run(self, batch: Batch, rng):
        self.requests.append((int(batch.kinds[0]), int(batch.params[0])))
        off = batch.shot_offsets
        out = np.where(np.repeat(batch.kinds, batch.shots) == 1, self.y, self.miss).astype(np.int64)
        return out, off


def test_scripted_failures_end_with_the_designed_sequence_and_exact_ledger():
    m, q, delta = 1024, 10, 1e-3
    # t = 5 readout y = 2 -> estimate N sin^2(2 pi / 32) ~ 39 >= tail: posterior mode
    ex = AlwaysFail(y=2, miss=7)
    r = find_all(SearchProblem(m, [5, 9]), ex, delta=delta, seed=0)
    assert r.certified and r.num_found == 0  # the executor lied: the guarantee is about real outcomes
    assert ex.requests[0] == (1, 5) and r.queries_by_kind["counting"] == 31
    js = [j for k, j in ex.requests[1:]]
    seq = certification_sequence(m, q, delta, 0).tolist()
    assert js[-len(seq):] == seq  # armed once, ran the whole epoch-0 sequence, stopped
    assert r.queries_by_kind["grover"] == sum(js) and r.queries_by_kind["check"] == len(js)
    assert r.rounds == len(ex.requests)


def test_counting_strategy_miss_rate_at_most_delta():
    """P(stop with an item left) <= delta with the designed epochs doing the work.

    ``arm = 0.9`` starts certification while items often remain, so a wrong
    sequence would miss often: misses over 400 searches vs Binomial(400,
    delta), alpha = 1e-3; and the same test with a one-attempt "sequence"
    must fail it.
    """
    delta, n = 0.25, 400
    rng = np.random.default_rng(21)
    probs = [SearchProblem(256, rng.choice(256, 40 + (i % 5), replace=False)) for i in range(n)]
    strat = FindAllStrategy("counting", arm=0.9)

    def misses():
        res = find_all_many(probs, EmulatedExecutor(), strategy=strat, delta=delta, seed=22)
        assert all(np.isin(r.found, p.marked).all() for p, r in zip(probs, res))
        return sum(r.num_found < p.num_marked for p, r in zip(probs, res))

    k = misses()
    assert stats.binomtest(k, n, delta, alternative="greater").pvalue >= 1e-3, k
    real = search.certification_sequence
    try:
        search.certification_sequence = lambda m, q, d, e: np.array([0], dtype=np.int64)
        broken = misses()
    finally:
        search.certification_sequence = real
    assert stats.binomtest(broken, n, delta, alternative="greater").pvalue < 1e-3, broken


def test_k_equal_m_and_tiny_problems_stop_exactly():
    for m, marked in [(40, range(40)), (33, range(0, 33, 1)), (5, [0, 1, 2, 3, 4])]:
        pr = SearchProblem(m, list(marked))
        r = find_all(pr, EmulatedExecutor(), seed=3)
        np.testing.assert_array_equal(r.found, pr.marked)
        assert r.certified
