"""Kernels behind the fast paths: the patched fired CSR, four dot products in flight, the thread policy."""

from __future__ import annotations

import numba
import numpy as np

from classical._lanes import lane_order_reference
from classical.exact import exact_dot4
from quantum_train.finders import _drift_kernels as K
from quantum_train.fired import csr_replace_rows
from quantum_train.threads import threads_for


def _random_slack_layout(rng, m, n):
    length = rng.integers(0, 12, m)
    cap = length + rng.integers(0, 3, m)
    start = np.concatenate(([0], np.cumsum(cap)[:-1])).astype(np.int64)
    total = int(cap.sum())
    idx = np.zeros(total, dtype=np.int64)
    for r in range(m):
        idx[start[r]:start[r] + length[r]] = np.sort(rng.choice(n, length[r], replace=False))
    fired = rng.random(total) < 0.5
    n_fired = np.array([fired[start[r]:start[r] + length[r]].sum() for r in range(m)], dtype=np.int64)
    return start, length.astype(np.int64), idx, fired, n_fired


def test_patched_csr_equals_a_full_rebuild():
    rng = np.random.default_rng(0)
    m, n = 300, 40
    start, length, idx, fired, n_fired = _random_slack_layout(rng, m, n)
    every = np.arange(m, dtype=np.int64)
    csr = K.fired_csr(every, start, length, idx, fired, n_fired)
    for changes in (0, 1, 7, m):
        rows = np.sort(rng.choice(m, changes, replace=False)).astype(np.int64)
        for r in rows:  # flip some states of the changed rows only
            seg = slice(start[r], start[r] + length[r])
            fired[seg] = rng.random(length[r]) < 0.5
            n_fired[r] = fired[seg].sum()
        csr = csr_replace_rows(*csr, rows, *K.fired_csr(rows, start, length, idx, fired, n_fired))
        ref = K.fired_csr(every, start, length, idx, fired, n_fired)
        assert np.array_equal(csr[0], ref[0]) and np.array_equal(csr[1], ref[1])


def test_exact_dot4_is_the_canonical_order_bit_for_bit():
    rng = np.random.default_rng(1)
    for d in (1, 2, 3, 4, 5, 7, 8, 16, 17, 33):
        p = rng.standard_normal(d)
        Q = rng.standard_normal((9, d)) * 10.0 ** rng.integers(-8, 8, (9, d))
        got = exact_dot4(p, Q, 0, 4, np.int32(8), 2)
        want = [lane_order_reference(p, Q[i]) for i in (0, 4, 8, 2)]
        assert np.array_equal(np.array(got).view(np.uint64), np.array(want).view(np.uint64))


def test_threads_for_is_serial_below_the_threshold_and_restores():
    before = numba.get_num_threads()
    with threads_for(10, serial_work=100) as t:
        assert t == 1 and numba.get_num_threads() == 1
    assert numba.get_num_threads() == before
    with threads_for(1000, serial_work=100) as t:
        assert t == before == numba.get_num_threads()


def test_pair_kernels_sum_in_the_canonical_order_bit_for_bit():
    """The forward and gradient kernels keep several pairs in flight; each sum is still the canonical one
    (the forward's dot products in the four-lane order, the gradient's sums over inputs in input order)."""
    from numba import njit

    from quantum_train.model import add_neuron_outputs, neuron_gradient

    @njit
    def outputs(w, a_r, b, X, ids, out):
        add_neuron_outputs(w, a_r, b, X, ids, 0, ids.shape[0], out)

    @njit
    def gradient(X, err, ids, scale_a, g):
        neuron_gradient(X, err, ids, 0, ids.shape[0], scale_a, g)

    rng = np.random.default_rng(7)
    for d in (1, 3, 4, 5, 8, 16, 17, 20, 33):
        for k in (0, 1, 3, 4, 5, 9, 13):
            X = rng.standard_normal((20, d)) * 10.0 ** rng.integers(-6, 6, (20, 1))
            w = rng.standard_normal(d)
            err = rng.standard_normal(20) * 10.0 ** rng.integers(-6, 6, 20)
            ids = np.sort(rng.choice(20, size=k, replace=False)).astype(np.int32 if k % 2 else np.int64)
            out = np.zeros(20)
            outputs(w, -1.0, 0.3, X, ids, out)
            want = np.zeros(20)
            for i in ids:
                want[i] += -1.0 * (lane_order_reference(w, X[i]) - 0.3)
            assert np.array_equal(out.view(np.uint64), want.view(np.uint64))  # bits: -0.0 is not 0.0
            g = np.empty(d)
            gradient(X, err, ids, 0.25, g)
            want_g = np.zeros(d)
            for i in ids:
                for j in range(d):
                    want_g[j] += err[i] * X[i, j]
            assert np.array_equal(g.view(np.uint64), (want_g * 0.25).view(np.uint64))
