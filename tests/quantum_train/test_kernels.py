"""Kernels behind the fast paths: the patched fired CSR, four dot products in flight, the thread policy."""

from __future__ import annotations

from fractions import Fraction

import numba
import numpy as np
import pytest
from numba import njit

from classical._lanes import borrowed_row, lane_order_reference, lane_squared_distance
from classical.exact import exact_dot4
from quantum_train.core.fired import csr_replace_rows
from quantum_train.core.threads import run_chunks, threads_for
from quantum_train.finders import _drift_kernels as K


def _random_fired_slots(rng, m, n):
    """A slack layout of sorted fired ids per neuron (``start``, ``fired_idx``, ``n_fired``)."""
    n_fired = rng.integers(0, 12, m)
    cap = n_fired + rng.integers(0, 3, m)
    start = np.concatenate(([0], np.cumsum(cap)[:-1])).astype(np.int64)
    fired_idx = np.full(int(cap.sum()), -1, dtype=np.int32)
    for r in range(m):
        fired_idx[start[r]:start[r] + n_fired[r]] = np.sort(rng.choice(n, n_fired[r], replace=False))
    return start, fired_idx, n_fired.astype(np.int64)


def test_patched_csr_equals_a_full_rebuild():
    rng = np.random.default_rng(0)
    m, n = 300, 40
    start, fired_idx, n_fired = _random_fired_slots(rng, m, n)
    every = np.arange(m, dtype=np.int64)
    csr = K.fired_csr(every, start, fired_idx, n_fired)
    for r in range(m):
        assert list(csr[1][csr[0][r]:csr[0][r + 1]]) == list(fired_idx[start[r]:start[r] + n_fired[r]])
    for changes in (0, 1, 7, m):
        rows = np.sort(rng.choice(m, changes, replace=False)).astype(np.int64)
        for r in rows:  # new fired sets for the changed rows only, within their room
            room = n_fired[r] + (start[r + 1] - start[r] - n_fired[r] if r + 1 < m else 2)
            n_fired[r] = rng.integers(0, room + 1)
            fired_idx[start[r]:start[r] + n_fired[r]] = np.sort(rng.choice(n, n_fired[r], replace=False))
        csr = csr_replace_rows(*csr, rows, *K.fired_csr(rows, start, fired_idx, n_fired))
        ref = K.fired_csr(every, start, fired_idx, n_fired)
        assert np.array_equal(csr[0], ref[0]) and np.array_equal(csr[1], ref[1])


def test_sorted_insert_and_remove_keep_the_fired_ids_sorted():
    rng = np.random.default_rng(1)
    ids = np.full(40, -7, dtype=np.int32)
    lo, k, held = 5, 0, set()
    for _ in range(300):
        i = int(rng.integers(0, 30))
        if i in held:
            k = K.remove_sorted(ids, lo, k, i)
            held.remove(i)
        else:
            k = K.insert_sorted(ids, lo, k, i)
            held.add(i)
        assert k == len(held) and list(ids[lo:lo + k]) == sorted(held)
        assert (ids[:lo] == -7).all()


def test_candidates_are_written_in_order_of_margin_stably():
    rng = np.random.default_rng(2)
    b = 0.3
    for count in (0, 1, 5, K.INSERTION_ONLY, K.INSERTION_ONLY + 1, 2 * K.INSERTION_ONLY + 3, 64, 300):
        z = b + rng.choice([-0.2, -0.1, 0.0, 0.1, 0.2], count) + rng.choice([0.0, 0.01], count)
        idx = np.arange(count, dtype=np.int32) * 3
        fired = z > b
        band = K.band_scratch(count + 5)
        band[0][:count], band[1][:count], band[2][:count] = idx, z, fired
        pad = 3
        slots = (np.zeros(count + 2 * pad, np.int32), np.zeros(count + 2 * pad), np.zeros(count + 2 * pad, bool))
        K.write_band(pad, count, b, band, slots)
        order = np.argsort(np.abs(z - b), kind="stable")
        ii, zz, ff = slots
        assert np.array_equal(ii[pad:pad + count], idx[order])
        assert np.array_equal(zz[pad:pad + count], z[order]) and np.array_equal(ff[pad:pad + count], fired[order])
        assert not ii[:pad].any() and not ii[pad + count:].any()


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


@njit(nogil=True)
def _mark_chunks(first, end, seen):
    for c in range(first, end):
        seen[c] += 1


def test_run_chunks_runs_every_chunk_once_on_any_thread_count(monkeypatch):
    from quantum_train.core import threads as policy

    for threads in (1, 2, 3, 8):  # Python's pool: any count on any machine
        monkeypatch.setattr(policy, "chunk_threads", lambda threads=threads: threads)
        for chunks in (0, 1, 3, 64):
            seen = np.zeros(chunks, dtype=np.int64)
            run_chunks(_mark_chunks, chunks, seen)
            assert (seen == 1).all()


@pytest.mark.parametrize("chunks, threads", [(0, 2), (1, 2), (3, 2), (64, 2), (64, 3), (64, 8), (65536, 2)])
def test_guided_parts_cover_every_chunk_once_in_shrinking_parts(chunks, threads):
    """Guided self-scheduling: contiguous parts in order, none empty, each at least the floor (but the last),
    never larger than the one before, and few of them."""
    from quantum_train.core.threads import GuidedParts

    claims = GuidedParts(chunks, threads)
    parts = []
    while (part := claims.take()) is not None:
        parts.append(part)
    assert claims.take() is None
    assert [c for first, end in parts for c in range(first, end)] == list(range(chunks))
    sizes = [end - first for first, end in parts]
    assert all(size >= 1 for size in sizes)
    assert all(later <= earlier for earlier, later in zip(sizes, sizes[1:]))
    assert all(size >= max(1, chunks // (8 * threads)) for size in sizes[:-1])
    assert len(parts) <= 8 * threads + 2 * threads * 4


@pytest.mark.parametrize("failing", ["caller", "helper"])
def test_run_chunks_stops_every_thread_before_it_raises(monkeypatch, failing):
    """A kernel that raises, on the calling thread or on a helper: the exception reaches the caller, and no part
    runs after the call has returned (the others are stopped and waited for)."""
    import threading
    import time

    from quantum_train.core import threads as policy

    monkeypatch.setattr(policy, "chunk_threads", lambda: 2)
    caller = threading.current_thread()
    log, lock = [], threading.Lock()

    def kernel(first, end):
        if (threading.current_thread() is caller) == (failing == "caller"):
            raise RuntimeError("boom")
        time.sleep(0.002)
        with lock:
            log.append(first)

    with pytest.raises(RuntimeError, match="boom"):
        run_chunks(kernel, 64)
    ran = len(log)
    time.sleep(0.05)
    assert len(log) == ran < 9  # 64 chunks, two threads: nine parts, one of which raised


def test_band_scan_refuses_buffers_without_room_for_the_columns():
    from quantum_train.finders import _drift_kernels as K

    X = np.eye(6, 3)
    XT = K.input_columns(X)
    with pytest.raises(ValueError, match="band_scratch"):
        K.band_scan(np.ones(3), XT, 6, 0.5, np.empty(6, dtype=np.int64), np.empty(6))
    with pytest.raises(ValueError, match="input_columns"):
        K.band_scan(np.ones(2), XT, 6, 0.5, np.empty(64, dtype=np.int64), np.empty(64))
    scratch = K.band_scratch(6)
    assert K.band_scan(np.ones(3), XT, 6, 0.5, scratch[0], scratch[1]) == 3


def test_pair_kernels_sum_in_the_canonical_order_bit_for_bit():
    """The forward and gradient kernels keep several pairs in flight; each sum is still the canonical one
    (the forward's dot products in the four-lane order, the gradient's sums over inputs in input order)."""
    from numba import njit

    from quantum_train.core.model import add_neuron_outputs, neuron_gradient

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


@njit
def _scale_rows_through_borrowed_views(M, rows, factor):
    total = 0.0
    for r in rows:
        w = borrowed_row(M, r)
        for j in range(w.shape[0]):
            w[j] *= factor
        total += w.sum()
    return total


def test_borrowed_row_is_the_row_and_writes_through():
    M = np.arange(35, dtype=np.float64).reshape(7, 5)
    expected = M.copy()
    rows = np.array([0, 3, 6, 3])
    expected[[0, 6]] *= 2.0
    expected[3] *= 4.0
    total = _scale_rows_through_borrowed_views(M, rows, 2.0)
    assert np.array_equal(M, expected)
    assert total == expected[0].sum() + expected[3].sum() / 2 + expected[6].sum() + expected[3].sum()


@njit
def _squared_distance(u, v):
    return lane_squared_distance(u, v)


def _exact_squared_distance(u, v):
    return sum((Fraction(float(p)) - Fraction(float(q))) ** 2 for p, q in zip(u, v))


def test_certified_drift_bounds_the_exact_distance_at_every_scale():
    """Every rounding of the computed squared distance is covered, down to differences whose squares underflow."""
    rng = np.random.default_rng(11)
    for trial in range(400):
        d = int(rng.integers(1, 40))
        scale = 10.0 ** rng.uniform(-170, 5)
        u = rng.standard_normal(d) * 10.0 ** rng.uniform(-3, 3)
        v = u + rng.standard_normal(d) * scale
        bound = K.certified_drift(_squared_distance(u, v), d)
        assert Fraction(bound) ** 2 >= _exact_squared_distance(u, v), (trial, d, scale)


def test_running_bound_stays_above_the_exact_drift():
    u = np.random.default_rng(12).standard_normal(16)
    anchor, bound = u.copy(), 0.0
    for step in range(200):
        before = u.copy()
        u = u - 1e-3 * np.random.default_rng(step).standard_normal(16)
        bound = K.grow_drift_bound(bound, _squared_distance(u, before), 16)
        assert Fraction(bound) ** 2 >= _exact_squared_distance(u, anchor)


def test_a_drift_under_the_quiet_bound_is_quiet_by_the_squared_test():
    """Drifts just under ``quiet_drift_bound(q)``: the computed squared distance is below ``q`` every time."""
    rng = np.random.default_rng(13)
    checked = 0
    for trial in range(2000):
        d = int(rng.integers(8, 64))
        q = 10.0 ** rng.uniform(-12, 0)
        limit = K.quiet_drift_bound(q, d)
        # from the origin the differences are exact and only the squares and sums round: drifts within a few
        # eps of the limit; half the trials start elsewhere, at the drift's scale
        u = np.zeros(d) if trial % 2 else rng.standard_normal(d) * limit
        direction = np.abs(rng.standard_normal(d))
        direction /= np.linalg.norm(direction)
        v = u + direction * limit * (1.0 - 4e-16)
        if Fraction(limit) ** 2 <= _exact_squared_distance(u, v):
            continue  # rounding of v put the exact drift at or past the limit: not a case of the claim
        assert _squared_distance(u, v) < q
        checked += 1
    assert checked > 500
    assert K.quiet_drift_bound(0.0, 4) < 0 and K.quiet_drift_bound(-1.0, 4) < 0


def test_prefetch_hints_compile_for_rows_and_elements_and_change_nothing():
    from numba import njit

    from classical._lanes import prefetch

    @njit
    def summed(M, v, ids):
        s = 0.0
        for t in range(ids.shape[0]):
            if t + 2 < ids.shape[0]:
                prefetch(M, ids[t + 2])
                prefetch(v, ids[t + 2])
            s += M[ids[t], 1] * v[ids[t]]
        return s

    rng = np.random.default_rng(5)
    M, v = rng.standard_normal((50, 3)), rng.standard_normal(50)
    for ids in (rng.integers(0, 50, 40), rng.integers(0, 50, 40).astype(np.int32)):
        before = (M.copy(), v.copy())
        assert summed(M, v, ids) == sum(M[i, 1] * v[i] for i in ids)
        assert np.array_equal(M, before[0]) and np.array_equal(v, before[1])


@pytest.mark.parametrize("keys", [np.zeros(40), np.full(40, 0.25), np.r_[np.zeros(20), np.full(20, 1e-300)],
                                  np.r_[np.linspace(0, 1, 30), np.full(30, 1.0), [7.0, 0.0, 1e300]],
                                  np.r_[np.zeros(30), [5e-324, 0.0]]])
def test_sort_by_key_is_stable_on_ties_and_extremes(keys):
    count = len(keys)
    pos = np.arange(count, dtype=np.int64)
    spare = (np.empty(count), np.empty(count, dtype=np.int64))
    got_keys, got_pos = K.sort_by_key(count, keys.copy(), pos.copy(), spare, np.empty(count // 2 + 1, np.int64))
    order = np.argsort(keys, kind="stable")
    assert np.array_equal(got_pos[:count], order) and np.array_equal(got_keys[:count], keys[order])
