"""Numba kernels of the drift-bound finder (see :mod:`quantum_train.finders.drift`).

Candidate storage is a slack layout: neuron ``r`` owns slots
``start[r] .. start[r] + cap[r]`` of flat arrays, of which the first
``length[r]`` hold its candidates (sorted input ids ``idx``, anchor values
``z``, anchor state ``anchor_fired``, current state ``cur_fired``).
"""

from __future__ import annotations

import math

import numpy as np
from numba import njit, prange

from classical._lanes import lane_dot, lane_squared_distance
from classical.exact import exact_dot, guard_width
from quantum_train.model import FORWARD_CHUNKS, add_neuron_outputs, neuron_gradient

EPS = 2.220446049250313e-16


@njit(cache=True, nogil=True)
def drift_guard(d, anchor_norm, drift, x_norm_max):
    """Slack added to a drift before comparing it with a margin.

    Covers (a) rounding between the stored BLAS anchor value and
    ``exact_dot`` at the anchor and at the current weights (each within
    ``guard_width``), and (b) rounding in the computed drift norm and in
    ``||x|| = 1``.
    """
    return 3.0 * guard_width(d, anchor_norm + drift, x_norm_max) + 8.0 * EPS * (drift + 1.0) * d


@njit(cache=True, nogil=True, inline="always")
def drift_reach(w, anchor, x_norm_max):
    """``||w - anchor||`` plus its rounding guard: how far any ``<w, x>`` can have moved since the anchor."""
    delta = math.sqrt(lane_squared_distance(w, anchor))  # vector code; a bound needs no particular order
    anchor_norm = math.sqrt(lane_dot(anchor, anchor))
    return delta + drift_guard(w.shape[0], anchor_norm, delta, x_norm_max)


@njit(cache=True, nogil=True, inline="always")
def recheck_neuron(w, anchor, X, b, tau, x_norm_max, r, start, length, idx, z, anchor_fired, cur_fired,
                   min_margin, dirty, n_fired, delta_per_input):
    """Bring neuron ``r``'s fired state up to date with its weights ``w``; returns ``(work, refresh, changed)``.

    With drift ``delta = ||w - anchor||`` since the anchor, a pair whose anchor
    margin ``|z - b|`` exceeds ``delta`` (+ guard) cannot have changed state
    (``||x|| = 1``); the others are re-decided with ``exact_dot``. A
    non-candidate had ``z <= b - tau`` and is safe while ``delta + guard <
    tau``; past that ``refresh`` is returned (the state is left as it was).
    ``changed`` is true when some pair changed state (and with ``refresh``); ``work`` counts the drift
    norm and the re-decisions (inner products). Each change of state is added
    to ``delta_per_input[i]`` (+1 fired, -1 unfired) unless that array is empty.

    The common case (no candidate within reach, state already the anchor's)
    is decided here, inlined; the rest is :func:`recheck_candidates`, a call:
    inlining it made the common case three times slower.
    """
    reach = drift_reach(w, anchor, x_norm_max)
    if reach < tau and reach < min_margin[r] and not dirty[r]:
        return 1, False, False
    return recheck_candidates(reach, w, X, b, tau, r, start, length, idx, z, anchor_fired, cur_fired, min_margin,
                              dirty, n_fired, delta_per_input)


@njit(cache=True, nogil=True)
def recheck_candidates(reach, w, X, b, tau, r, start, length, idx, z, anchor_fired, cur_fired, min_margin, dirty,
                       n_fired, delta_per_input):
    """The body of :func:`recheck_neuron` past its common case, given the neuron's ``reach``."""
    track = delta_per_input.shape[0] > 0
    work = 1
    changed = False
    if reach >= tau:
        return work, True, True
    if reach < min_margin[r]:
        if dirty[r]:
            cnt = 0
            for c in range(start[r], start[r] + length[r]):
                if cur_fired[c] != anchor_fired[c]:
                    changed = True
                    if track:
                        delta_per_input[idx[c]] += 1 if anchor_fired[c] else -1
                cur_fired[c] = anchor_fired[c]
                cnt += anchor_fired[c]
            n_fired[r] = cnt
            dirty[r] = False
        return work, False, changed
    cnt = 0
    for c in range(start[r], start[r] + length[r]):
        if abs(z[c] - b) <= reach:
            f = exact_dot(w, X[idx[c]]) > b
            work += 1
        else:
            f = anchor_fired[c]
        if cur_fired[c] != f:
            changed = True
            if track:
                delta_per_input[idx[c]] += 1 if f else -1
        cur_fired[c] = f
        cnt += f
    n_fired[r] = cnt
    dirty[r] = True
    return work, False, changed


@njit(cache=True, parallel=True)
def update_states(W, A, X, b, tau, x_norm_max, rows, start, length, idx, z, anchor_fired, cur_fired,
                  min_margin, dirty, n_fired, refresh, changed):
    """:func:`recheck_neuron` for every moved neuron ``rows[k]``, flagging ``refresh[k]`` and ``changed[k]``.

    Returns the number of inner products (re-checks plus one drift norm per row).
    """
    work = np.zeros(rows.shape[0], dtype=np.int64)
    untracked = np.empty(0, dtype=np.int64)
    for k in prange(rows.shape[0]):
        r = rows[k]
        work[k], refresh[k], changed[k] = recheck_neuron(W[r], A[r], X, b, tau, x_norm_max, r, start, length, idx,
                                                         z, anchor_fired, cur_fired, min_margin, dirty, n_fired,
                                                         untracked)
    return work.sum()


@njit(cache=True, nogil=True, inline="always")
def fired_ids(r, start, length, idx, cur_fired, ids):
    """Write neuron ``r``'s currently fired inputs (sorted) to ``ids``; returns how many.

    ``ids`` needs room for all ``length[r]`` candidates (entries past the count are scratch).
    """
    k = 0
    for c in range(start[r], start[r] + length[r]):  # branch-free: the state is unpredictable
        ids[k] = idx[c]
        k += cur_fired[c]
    return k


@njit(cache=True, parallel=True)
def forward_from_state(W, a, b, X, start, length, idx, cur_fired, n_fired, partial):
    """Each chunk's forward sums from the stored fired state; returns the number of fired pairs.

    ``partial[c, i]`` adds ``a_r (exact_dot(w_r, x_i) - b)`` over the fired
    pairs of chunk ``c``'s neurons in the order of
    :func:`quantum_train.model._forward_by_neuron` (same chunks, neurons in
    order, inputs sorted), so :func:`quantum_train.model.sum_chunks` of it is
    bit-identical to the forward pass over the fired CSR.
    """
    m = W.shape[0]
    n = X.shape[0]
    pairs = np.zeros(FORWARD_CHUNKS, dtype=np.int64)
    for c in prange(FORWARD_CHUNKS):
        ids = np.empty(n, dtype=idx.dtype)
        partial[c, :] = 0.0
        for r in range(c * m // FORWARD_CHUNKS, (c + 1) * m // FORWARD_CHUNKS):
            if n_fired[r] == 0:
                continue
            k = fired_ids(r, start, length, idx, cur_fired, ids)
            add_neuron_outputs(W[r], a[r], b, X, ids, 0, k, partial[c])
            pairs[c] += k
    return pairs.sum()


@njit(cache=True, nogil=True)
def count_fired(rows, start, length, idx, cur_fired, per_input, sign):
    """``per_input[i] += sign`` for every fired pair ``(i, r)`` of the neurons ``rows``."""
    for r in rows:
        for c in range(start[r], start[r] + length[r]):
            if cur_fired[c]:
                per_input[idx[c]] += sign


@njit(cache=True, parallel=True)
def fused_step(W, a, A, X, b, tau, x_norm_max, err, lr, scale, next_forward, start, length, idx, z,
               anchor_fired, cur_fired, min_margin, dirty, n_fired, refresh, stepped, partial, deltas):
    """One visit per neuron: gradient, step, drift re-check and the next forward contributions.

    For each neuron ``r`` with fired inputs ``T_r`` (in chunk order, as the
    forward pass visits them), while ``w_r`` is hot:

    1. ``g_r = (scale a_r) sum_{i in T_r} err_i x_i`` (:func:`quantum_train.model.neuron_gradient`);
    2. ``w_r <- w_r - lr g_r`` (neurons with ``T_r`` empty do not move);
    3. if ``next_forward``: :func:`recheck_neuron` brings ``T_r`` up to date,
       and ``r``'s contributions to the next forward pass are added to
       ``partial[c]`` as :func:`forward_from_state` adds them; changes of
       state are counted per input in ``deltas[c]``. A neuron that needs a refresh is
       flagged in ``refresh[r]`` instead, and its contributions are missing:
       the caller refreshes it and recomputes the forward pass.

    ``stepped[r]`` marks every neuron moved. A neuron whose new weights are
    not finite is not re-checked (the caller stops training).

    Every sum is taken in the order of the unfused kernels, so weights and
    outputs are bit-identical to them. Returns ``(pairs, rows, work, bad, next_pairs)``:
    the gradient's pairs, the neurons moved, the re-check's inner products,
    the non-finite weights written, and the next iteration's fired pairs.
    """
    m, d = W.shape
    n = X.shape[0]
    stats = np.zeros((FORWARD_CHUNKS, 5), dtype=np.int64)
    for c in prange(FORWARD_CHUNKS):
        ids = np.empty(n, dtype=idx.dtype)
        g = np.empty(d)
        if next_forward:
            partial[c, :] = 0.0
            deltas[c, :] = 0
        for r in range(c * m // FORWARD_CHUNKS, (c + 1) * m // FORWARD_CHUNKS):
            if n_fired[r] == 0:
                continue  # no gradient: w_r does not move, and stays unfired
            k = fired_ids(r, start, length, idx, cur_fired, ids)
            neuron_gradient(X, err, ids, 0, k, scale * a[r], g)
            w = W[r]
            nonfinite = 0
            for j in range(d):
                v = w[j] - lr * g[j]
                w[j] = v
                nonfinite += not np.isfinite(v)  # an integer count, branch-free: the loop vectorises
            finite = nonfinite == 0
            stats[c, 3] += nonfinite
            stats[c, 0] += k
            stats[c, 1] += 1
            stepped[r] = True
            if not (next_forward and finite):
                continue
            work, stale, changed = recheck_neuron(w, A[r], X, b, tau, x_norm_max, r, start, length, idx, z,
                                                  anchor_fired, cur_fired, min_margin, dirty, n_fired, deltas[c])
            stats[c, 2] += work
            if stale:
                refresh[r] = True
                continue
            if changed:
                k = fired_ids(r, start, length, idx, cur_fired, ids)
            add_neuron_outputs(w, a[r], b, X, ids, 0, k, partial[c])
            stats[c, 4] += k
    total = np.zeros(5, dtype=np.int64)
    for c in range(FORWARD_CHUNKS):
        total += stats[c]
    return total[0], total[1], total[2], total[3], total[4]


@njit(cache=True, parallel=True)
def fired_csr(rows, start, length, idx, cur_fired, n_fired):
    """CSR of the current fired pairs of ``rows`` (all neurons: ``rows = arange(m)``)."""
    indptr = np.zeros(rows.shape[0] + 1, dtype=np.int64)
    for k in range(rows.shape[0]):
        indptr[k + 1] = indptr[k] + n_fired[rows[k]]
    out = np.empty(indptr[-1], dtype=np.int64)
    for k in prange(rows.shape[0]):
        r = rows[k]
        t = indptr[k]
        for c in range(start[r], start[r] + length[r]):
            if cur_fired[c]:
                out[t] = idx[c]
                t += 1
    return indptr, out


@njit(cache=True, parallel=True)
def write_candidates(neurons, ptr, new_idx, new_z, W, X, b, x_norm_max, start, length,
                     idx, z, anchor_fired, cur_fired, min_margin, dirty, n_fired):
    """Store fresh candidates of ``neurons`` (CSR ``ptr``) at their ``start`` slots.

    The anchor state of a candidate is decided by the tie rule (BLAS value
    outside the guard band, ``exact_dot`` inside); ``min_margin`` is the
    smallest ``|z - b|`` over the candidates (``inf`` when there are none).
    """
    d = W.shape[1]
    for k in prange(neurons.shape[0]):
        r = neurons[k]
        wn = 0.0
        for j in range(d):
            wn += W[r, j] * W[r, j]
        g = guard_width(d, math.sqrt(wn), x_norm_max)
        s0 = start[r]
        cnt = 0
        mm = np.inf
        for t in range(ptr[k], ptr[k + 1]):
            c = s0 + t - ptr[k]
            i = new_idx[t]
            v = new_z[t]
            idx[c] = i
            z[c] = v
            if v > b + g:
                f = True
            elif v <= b - g:
                f = False
            else:
                f = exact_dot(W[r], X[i]) > b
            anchor_fired[c] = f
            cur_fired[c] = f
            cnt += f
            mm = min(mm, abs(v - b))
        length[r] = ptr[k + 1] - ptr[k]
        n_fired[r] = cnt
        min_margin[r] = mm
        dirty[r] = False
