"""Quantum counting: circuit law, emulator law, estimate and BHMT error bound.

Statistical tests use chi-square / exact binomial tests at alpha = 1e-3 with
fixed seeds.
"""

from __future__ import annotations

import numpy as np
import pytest
from qiskit.quantum_info import Operator, Statevector
from scipy import stats

from circuits import AerExecutor, EmulatedExecutor, SearchProblem
from circuits.counting import (
    COUNT_CONFIDENCE,
    controlled_grover_op,
    count_error_bound,
    counting_circuit,
    counting_distribution,
    counting_queries,
    estimate_count,
)
from circuits.executors import COUNTING, make_batch
from circuits.grover import grover_op
from circuits.marked import MarkedSets
from circuits.oracles import diagonal_oracle
from tests.circuits._stats import ALPHA, gof_pvalue


def test_controlled_grover_is_controlled_grover_operator():
    """c-Q equals qiskit's own ``grover_operator(oracle).control()`` (control = top qubit)."""
    q, marked = 2, [1]
    ours = Operator(controlled_grover_op(q, marked))
    ref = Operator(grover_op(diagonal_oracle(q, marked)).control(1, annotated=False))
    # qiskit's .control() puts the control on qubit 0: move ours to match
    perm = Operator(controlled_grover_op(q, marked)).data
    n = 1 << q
    # reorder basis: ours index = x + n*c ; qiskit control-first index = c + 2*x
    P = np.zeros((2 * n, 2 * n))
    for x in range(n):
        for c in range(2):
            P[c + 2 * x, x + n * c] = 1
    assert np.allclose(P @ perm @ P.T, ref.data, atol=1e-10)
    assert ours.num_qubits == q + 1


@pytest.mark.parametrize("q,k,t", [(3, 0, 4), (3, 1, 4), (3, 3, 5), (3, 8, 4), (4, 5, 5), (2, 2, 3)])
def test_circuit_readout_is_fejer_mixture(q, k, t):
    qc = counting_circuit(q, list(range(k)), t, measure=False)
    probs = Statevector(qc).probabilities(list(range(t)))
    np.testing.assert_allclose(probs, counting_distribution(k, 1 << q, t), atol=1e-10)


def test_aer_and_emulator_sample_the_counting_law():
    cases = [(3, 2, 4), (4, 1, 5), (4, 7, 4), (5, 12, 5)]
    probs = [SearchProblem(1 << q, np.arange(k)) for q, k, _ in cases]
    ts = np.array([t for *_, t in cases])
    shots = 3000
    for ex, seed in ((AerExecutor(), 5), (EmulatedExecutor(), 6)):
        ms = MarkedSets(probs)
        batch = make_batch(ms, np.arange(len(cases)), ts, shots=shots, kinds=COUNTING)
        o, off = ex.run(batch, np.random.default_rng(seed))
        for i, (q, k, t) in enumerate(cases):
            counts = np.bincount(o[off[i]:off[i + 1]], minlength=1 << t)
            p = gof_pvalue(counts, counting_distribution(k, 1 << q, t))
            assert p >= ALPHA, f"{ex.name}: counting law rejected for {(q, k, t)} (p={p:.2g})"


@pytest.mark.parametrize("q,t", [(6, 5), (8, 6), (10, 7)])
def test_error_bound_holds_with_stated_probability_exactly(q, t):
    """For every k, the exact readout mass with |k~ - k| <= bound is >= 8/pi^2 (BHMT Thm 12)."""
    N = 1 << q
    y = np.arange(1 << t)
    est = estimate_count(y, t, N)
    for k in range(N + 1):
        pmf = counting_distribution(k, N, t)
        mass = pmf[np.abs(est - k) <= count_error_bound(k, t, N) + 1e-9].sum()
        assert mass >= COUNT_CONFIDENCE - 1e-12, (k, mass)


def test_sampled_estimates_within_bound():
    """Emulated counting at N = 2^16: within the bound in >= 8/pi^2 of runs (binomial, alpha=1e-3)."""
    N, t, n = 1 << 16, 9, 4000
    rng = np.random.default_rng(3)
    for k in (1, 37, 655, 30000):
        ms = MarkedSets([SearchProblem(N, rng.choice(N, k, replace=False))])
        o, _ = EmulatedExecutor().run(make_batch(ms, [0], t, shots=n, kinds=COUNTING), rng)
        hits = int((np.abs(estimate_count(o, t, N) - k) <= count_error_bound(k, t, N)).sum())
        p = stats.binomtest(hits, n, COUNT_CONFIDENCE, alternative="less").pvalue
        assert p >= ALPHA, (k, hits / n)


def test_counting_queries():
    assert counting_queries(1) == 1
    assert counting_queries(5) == 31
    with pytest.raises(ValueError):
        counting_queries(0)
