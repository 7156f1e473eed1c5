"""Aer statevector circuits and the emulator sample the same Grover outcome law.

Both are tested against the exact law (P(marked) = sin^2((2j+1) theta), uniform
within the marked and within the unmarked sets, padding included) with a
chi-square goodness-of-fit test at alpha = 1e-3 per case (fixed seeds, so the
outcome is deterministic; the tests fail if either sampler deviates).
"""

from __future__ import annotations

import numpy as np
import pytest
from qiskit.quantum_info import Statevector

from circuits import AerExecutor, EmulatedExecutor, SearchProblem
from circuits.executors import make_batch
from circuits.grover import efficient_iterations, grover_circuit, optimal_iterations, success_probability
from circuits.marked import MarkedSets
from circuits.oracles import diagonal_oracle
from tests.circuits._stats import ALPHA, gof_pvalue

SHOTS = 3000

# (q, m, k, j): j = 0, near-optimal, and past the optimum (over-rotation)
CASES = []
for q in range(2, 9):
    N = 1 << q
    for m, k in ((N, 1), (N - 1, max(1, N // 8)), (N, N // 2), (max(2, N - 3), 3)):
        if k > m:
            continue
        jopt = optimal_iterations(k, N)
        for j in sorted({0, jopt, jopt + 1, 2 * jopt + 2}):
            CASES.append((q, m, k, j))


def exact_pmf(m: int, marked: np.ndarray, q: int, j: int) -> np.ndarray:
    N = 1 << q
    k = marked.size
    P = float(success_probability(k, N, j)) if k else 0.0
    pmf = np.full(N, (1 - P) / (N - k) if N > k else 0.0)
    if k:
        pmf[marked] = P / k
    return pmf


def _problems(cases, seed):
    rng = np.random.default_rng(seed)
    return [SearchProblem(m, rng.choice(m, k, replace=False)) for (_, m, k, _) in cases]


@pytest.fixture(scope="module")
def samples():
    """All cases, each executor once: one Aer run call for the whole batch."""
    probs = _problems(CASES, 7)
    js = np.array([c[3] for c in CASES])
    out = {}
    for name, ex, seed in (("aer", AerExecutor(), 11), ("emulator", EmulatedExecutor(), 12)):
        ms = MarkedSets(probs)
        batch = make_batch(ms, np.arange(len(probs)), js, shots=SHOTS)
        o, off = ex.run(batch, np.random.default_rng(seed))
        out[name] = [o[off[i]:off[i + 1]] for i in range(len(probs))]
    return probs, out


@pytest.mark.parametrize("executor", ["aer", "emulator"])
def test_outcome_law_matches_exact(samples, executor):
    probs, out = samples
    bad = []
    for (q, m, k, j), pr, o in zip(CASES, probs, out[executor]):
        pmf = exact_pmf(m, pr.marked, q, j)
        counts = np.bincount(o, minlength=1 << q)
        assert counts.size == 1 << q, "outcome outside the 2^q index states"
        p = gof_pvalue(counts, pmf)
        if p < ALPHA:
            bad.append(((q, m, k, j), p))
    assert not bad, f"{executor} deviates from the exact Grover law: {bad}"


def test_aer_and_emulator_agree_on_marked_rate(samples):
    """Two-sample check per case: marked fractions of Aer and emulator (chi-square 2x2)."""
    from scipy.stats import chi2_contingency

    probs, out = samples
    bad = []
    for case, pr, a, e in zip(CASES, probs, out["aer"], out["emulator"]):
        ha = np.isin(a, pr.marked).sum()
        he = np.isin(e, pr.marked).sum()
        table = np.array([[ha, SHOTS - ha], [he, SHOTS - he]])
        if table.min(axis=0).min() == 0 and (table[:, 0].sum() == 0 or table[:, 1].sum() == 0):
            continue  # both all-marked or both all-unmarked: identical
        if chi2_contingency(table).pvalue < ALPHA:
            bad.append(case)
    assert not bad, f"Aer and emulator marked rates differ: {bad}"


def test_statevector_equals_formula():
    """Noise-free check of the circuit itself (no sampling): exact probabilities."""
    q, marked = 5, np.array([2, 9, 30])
    oracle = diagonal_oracle(q, marked)
    for j in range(7):
        probs = Statevector(grover_circuit(oracle, j, measure=False)).probabilities()
        np.testing.assert_allclose(probs, exact_pmf(32, marked, q, j), atol=1e-12)


def test_iteration_counts():
    N = 1 << 12
    for k in (1, 3, 40, 1000):
        j = optimal_iterations(k, N)
        assert success_probability(k, N, j) >= 1 - k / N - 1e-12
        je = efficient_iterations(k, N)
        cost = lambda jj: (jj + 1) / success_probability(k, N, jj)  # noqa: B023 - used at once
        assert all(cost(je) <= cost(x) + 1e-9 for x in range(0, 2 * j + 3))
