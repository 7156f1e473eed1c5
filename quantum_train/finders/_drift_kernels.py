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

from classical.exact import exact_dot, guard_width

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


@njit(cache=True, parallel=True)
def update_states(W, A, X, b, tau, x_norm_max, rows, start, length, idx, z, anchor_fired, cur_fired,
                  min_margin, dirty, n_fired, refresh, changed):
    """Bring the fired state of each moved neuron up to date, or flag it for refresh.

    For neuron ``r`` with drift ``delta = ||w_r - a_r||`` since its anchor ``a_r``:
    a pair whose anchor margin ``|z - b|`` exceeds ``delta`` (+ guard) cannot have
    changed state (``||x|| = 1``); the others are re-decided with ``exact_dot``.
    A non-candidate had ``z <= b - tau`` and is safe while ``delta + guard < tau``;
    past that the neuron is flagged in ``refresh``. ``changed[k]`` is set when
    some pair of ``rows[k]`` changed state (the fired CSR must be patched there).
    Returns the number of inner products (re-checks plus one drift norm per row).
    """
    d = W.shape[1]
    work = np.ones(rows.shape[0], dtype=np.int64)  # one drift norm per row, plus re-checks
    for k in prange(rows.shape[0]):
        r = rows[k]
        s = 0.0
        an = 0.0
        for j in range(d):
            diff = W[r, j] - A[r, j]
            s += diff * diff
            an += A[r, j] * A[r, j]
        delta = math.sqrt(s)
        reach = delta + drift_guard(d, math.sqrt(an), delta, x_norm_max)
        flips = False
        if reach >= tau:
            refresh[k] = True
            flips = True
        elif reach < min_margin[r]:
            if dirty[r]:
                cnt = 0
                for c in range(start[r], start[r] + length[r]):
                    flips |= cur_fired[c] != anchor_fired[c]
                    cur_fired[c] = anchor_fired[c]
                    cnt += anchor_fired[c]
                n_fired[r] = cnt
                dirty[r] = False
        else:
            cnt = 0
            for c in range(start[r], start[r] + length[r]):
                if abs(z[c] - b) <= reach:
                    f = exact_dot(W[r], X[idx[c]]) > b
                    work[k] += 1
                else:
                    f = anchor_fired[c]
                flips |= cur_fired[c] != f
                cur_fired[c] = f
                cnt += f
            n_fired[r] = cnt
            dirty[r] = True
        changed[k] = flips
    return work.sum()


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
