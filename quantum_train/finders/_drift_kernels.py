"""Numba kernels of the drift-bound finder (see :mod:`quantum_train.finders.drift`).

Candidate storage is a slack layout: neuron ``r`` owns slots
``start[r] .. start[r] + cap[r]`` of flat arrays, of which the first
``length[r]`` hold its candidates, in order of anchor margin ``|z - b|``
(input ids ``idx``, anchor values ``z``, anchor state ``anchor_fired``,
current state ``cur_fired``). The same slots of ``fired_idx`` hold, first,
the ``n_fired[r]`` currently fired ids in increasing order (the rest is
scratch), which the passes over fired pairs read in place. Only the first
``near[r]`` candidates (those re-decided at the neuron's last re-check) can
have a state other than the anchor's; the first candidate (the *lead*) and
the next margin are copied beside the neuron (``lead_margin``, ``lead_idx``,
``lead_state``: anchor and current state). ``quiet_bound[r]`` is the drift
below which neuron ``r`` can have changed no state (:func:`quiet_drift_bound`)
and ``anchor_norm[r]`` the norm of its anchor weights, both fixed at its
anchor; ``drift_bound[r]`` is a certified upper bound of the drift, kept by
the fused steps (and by the four-pass finder, from the weights it keeps at
each neuron's last re-check) and reset whenever the drift is computed from
the anchor; ``cap[r]`` is the neuron's number of slots.
One kernel, :func:`visit_neurons`, holds the re-check, for the fused training
step and for the unfused finder's ``find`` alike.
"""

from __future__ import annotations

import math

import numpy as np
from numba import njit

from classical._lanes import borrowed_row, lane_band_columns, lane_dot, lane_squared_distance, prefetch
from classical.exact import exact_dot, guard_width
from quantum_train.core.model import FORWARD_CHUNKS, add_neuron_outputs, neuron_gradient
from quantum_train.core.threads import run_chunks

EPS = 2.220446049250313e-16



#: The per-neuron and per-slot arrays of the drift state, in the order the kernels unpack them.
STATE_ARRAYS = ("start", "length", "idx", "z", "anchor_fired", "cur_fired", "fired_idx", "anchor_norm", "near",
                "n_fired", "lead_margin", "lead_idx", "lead_state", "quiet_bound", "drift_bound", "cap")


def drift_state(finder) -> tuple:
    """The drift state of ``finder`` as the kernels take it: its :data:`STATE_ARRAYS`, in order."""
    return tuple(getattr(finder, name) for name in STATE_ARRAYS)

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
def drift_reach(squared_drift, d, anchor_norm, x_norm_max):
    """``||w - anchor||`` plus its rounding guard: how far any ``<w, x>`` can have moved since the anchor.

    ``squared_drift`` is ``lane_squared_distance(w, anchor)`` (vector code; a
    bound needs no particular order) and ``anchor_norm`` is
    ``sqrt(lane_dot(anchor, anchor))``, stored at the anchor. Scalars only:
    an inlined helper with array arguments costs numba's reference counting
    on every call.
    """
    delta = math.sqrt(squared_drift)
    return delta + drift_guard(d, anchor_norm, delta, x_norm_max)


@njit(cache=True, nogil=True, inline="always")
def quiet_drift_sq(d, anchor_norm, tau, min_margin, x_norm_max):
    """A squared drift below which :func:`drift_reach` is certainly below ``tau`` and ``min_margin``.

    ``anchor_norm`` is ``sqrt(lane_dot(anchor, anchor))``, the value :func:`drift_reach` is given.

    Let ``T = min(tau, min_margin)``, ``g(D)`` the guard that
    :func:`drift_reach` adds to a drift ``D`` as computed, and ``D* =
    fl(T - 2 g(T))``. Every operation in ``g`` and in the reach is a rounded
    addition, multiplication or square root of non-negative values, each
    monotone, so the computed reach is non-decreasing in the computed squared
    drift ``s``. If ``s < fl(fl(D*^2) (1 - 4 eps))`` then ``s < D*^2``, so
    ``fl(sqrt(s)) <= D*`` and the computed reach is at most ``fl(D* + g(T))
    <= fl(T - g(T) + eps T) < T``, because ``g(T) >= 8 eps d (T + 1)``
    exceeds ``eps T`` by far. So ``s < quiet_drift_sq`` implies the reach
    test passes; it spares two square roots and the guard, and when it
    fails the reach is computed and decides as before (same decisions, same
    counts). Returns ``-1`` (never quiet) when ``D* <= 0``.
    """
    t = min(tau, min_margin)
    quiet = t - 2.0 * drift_guard(d, anchor_norm, t, x_norm_max)
    if not quiet > 0.0:
        return -1.0
    return quiet * quiet * (1.0 - 4.0 * EPS)


#: Relative slack of the running drift bound per step, over ``d`` (see :func:`grow_drift_bound`).
BOUND_SLACK_PER_DIM = 8.0 * EPS
#: Absolute slack per step: covers squared differences that underflow (``|x| < 1.5e-154``), up to ``d = 10^6``.
BOUND_TINY = 1e-150


@njit(cache=True, nogil=True, inline="always")
def certified_drift(squared_distance, d):
    """An upper bound on the exact ``||u - v||`` from ``squared_distance = lane_squared_distance(u, v)``.

    Each difference, square and lane addition of the computed sum is one
    rounding of a non-negative exact result, so the computed value is at
    least ``||u - v||^2 (1 - (d + 8) eps)`` (eps = 2^-52, twice the unit
    roundoff), except that squares below the smallest normal may round to
    zero: the absolute ``BOUND_TINY`` covers those. The square root and the
    products below lose at most a factor ``1 - eps`` each, far inside the
    relative slack ``8 (d + 8) eps``.
    """
    return (math.sqrt(squared_distance) * (1.0 + BOUND_SLACK_PER_DIM * (d + 8)) + BOUND_TINY) * (1.0 + 4.0 * EPS)


@njit(cache=True, nogil=True, inline="always")
def grow_drift_bound(bound, step_squared, d):
    """The running bound on ``||w - anchor||`` after a step whose ``lane_squared_distance`` is ``step_squared``.

    By the triangle inequality the exact drift is at most the sum of the
    exact step lengths; each is at most :func:`certified_drift` of its
    computed square, and the sum is rounded up by the factor ``1 + 4 eps``.
    """
    return (bound + certified_drift(step_squared, d)) * (1.0 + 4.0 * EPS)


@njit(cache=True, nogil=True, inline="always")
def quiet_drift_bound(quiet_sq, d):
    """A drift below which :func:`lane_squared_distance` to the anchor is certainly below ``quiet_sq``.

    The computed squared drift is at most ``D^2 (1 + (d + 8) eps)`` for an
    exact drift ``D`` (the rounding argument of :func:`certified_drift`,
    upwards). This returns at most ``sqrt(quiet_sq) (1 - 8 (d + 8) eps + 3
    eps)``, below ``sqrt(quiet_sq / (1 + (d + 8) eps))``. So any upper bound
    of the exact drift under it (the running bound, or :func:`certified_drift`
    of the squared drift itself) proves the neuron quiet
    (:func:`quiet_drift_sq`). ``-1`` (never) when ``quiet_sq`` is not positive.
    """
    if not quiet_sq > 0.0:
        return -1.0
    return math.sqrt(quiet_sq) * (1.0 - BOUND_SLACK_PER_DIM * (d + 8))


@njit(cache=True, nogil=True, inline="always")
def apply_change(fired_idx, lo, k, i, f, deltas, c, track):
    """Input ``i`` became fired (``f``) or unfired: patch the ``k`` sorted fired ids at ``lo``; returns the new
    count. With ``track``, ``deltas[c, i]`` gets ``+1`` or ``-1``."""
    if track:
        deltas[c, i] += 1 if f else -1
    if f:
        return insert_sorted(fired_idx, lo, k, i)
    return remove_sorted(fired_idx, lo, k, i)


@njit(cache=True, nogil=True, inline="always")
def insert_sorted(ids, lo, k, i):
    """Insert ``i`` into the sorted ``ids[lo:lo + k]`` (room at ``lo + k``); returns ``k + 1``."""
    t = lo + k
    while t > lo and ids[t - 1] > i:
        ids[t] = ids[t - 1]
        t -= 1
    ids[t] = i
    return k + 1


@njit(cache=True, nogil=True, inline="always")
def remove_sorted(ids, lo, k, i):
    """Remove ``i`` from the sorted ``ids[lo:lo + k]``, where it is; returns ``k - 1``."""
    t = lo
    while ids[t] != i:
        t += 1
    for u in range(t, lo + k - 1):
        ids[u] = ids[u + 1]
    return k - 1


def forward_from_state(W, a, b, X, start, fired_idx, n_fired, partial, counts):
    """Each chunk's forward sums from the stored fired ids; returns the number of fired pairs.

    ``partial[c, i]`` adds ``a_r (exact_dot(w_r, x_i) - b)`` over the fired
    pairs of chunk ``c``'s neurons in the order of
    :func:`quantum_train.core.model._forward_by_neuron` (same chunks, neurons in
    order, inputs sorted), so :func:`quantum_train.core.model.sum_chunks` of it is
    bit-identical to the forward pass over the fired CSR. If ``counts`` has
    columns, ``counts[c, i]`` is the number of chunk ``c``'s neurons that
    fire on input ``i`` (summed over ``c``: the fired count per input).
    The chunks run on numba's threads (:func:`quantum_train.core.threads.run_chunks`, :func:`forward_chunks`).
    """
    pairs = np.zeros(FORWARD_CHUNKS, dtype=np.int64)
    run_chunks(forward_chunks, FORWARD_CHUNKS, W, a, b, X, start, fired_idx, n_fired, partial, counts, pairs)
    return pairs.sum()


@njit(cache=True, nogil=True)
def forward_chunks(first, end, W, a, b, X, start, fired_idx, n_fired, partial, counts, pairs):
    """Chunks ``first .. end - 1`` of :func:`forward_from_state`; chunk ``c``'s fired pairs go to ``pairs[c]``."""
    m = W.shape[0]
    counting = counts.shape[1] > 0
    for c in range(first, end):
        partial[c, :] = 0.0
        if counting:
            counts[c, :] = 0
        for r in range(c * m // FORWARD_CHUNKS, (c + 1) * m // FORWARD_CHUNKS):
            lo = start[r]
            hi = lo + n_fired[r]
            add_neuron_outputs(W[r], a[r], b, X, fired_idx, lo, hi, partial[c])
            pairs[c] += hi - lo
            if counting:
                for t in range(lo, hi):
                    counts[c, fired_idx[t]] += 1


#: How many neurons ahead :func:`visit_chunks` asks for the memory the visit of a neuron reads first
#: (:func:`classical._lanes.prefetch`): its weights and, if it re-decided candidates at its last re-check (so it
#: will likely re-decide some again), its first candidate ids and values (its anchor weights were prefetched too
#: until the bounded reach made reading them rare).
#: Neurons are visited in order, but which of them read these rows depends on the data, so the hardware's
#: stream prefetcher misses them: a profile at ``m = 2^20``, ``d = 16`` (``perf``, one thread) put about a third
#: of the kernel's samples on their loads. In an experiment on one trained state, visited with and without the
#: hints in turns in one process, they took 12-15 % off the pass at ``m = 2^16, d = 8`` and ``m = 2^20, d = 16``
#: (two threads); asking for the first fired ids as well made it slower. A hint changes no value.
AHEAD = 8


def visit_neurons(rows, bounds, modes, net, data, step, state, outputs):
    """One visit to each neuron ``rows[bounds[c]:bounds[c + 1]]`` of each forward chunk ``c``, in order.

    The arguments come in bundles (pynndescent's way): ``modes = (train, recheck, forward, renew)``,
    ``net = (W, a, A, P, b, tau, x_norm_max)`` (the weights, signs, anchors, the four-pass finder's weights at
    each neuron's last re-check (no rows for the fused finder) and the band), ``data = (X, XT)`` (the inputs
    and their padded transpose, :func:`input_columns`), ``step = (err, lr,
    scale)``, ``state`` the drift state of :data:`STATE_ARRAYS` (:func:`drift_state`), and ``outputs =
    (refresh, changed, stepped, partial, deltas)``. They are unpacked once per call, not per neuron.

    With ``train`` (every neuron, ``rows = arange(m)``), for a neuron ``r``
    with fired inputs ``T_r`` (read in place from ``fired_idx``, in the order
    the forward pass visits them), while ``w_r`` is hot:

    1. ``g_r = (scale a_r) sum_{i in T_r} err_i x_i`` (:func:`quantum_train.core.model.neuron_gradient`);
    2. ``w_r <- w_r - lr g_r`` (neurons with ``T_r`` empty do not move), and
       ``stepped[r]`` is set. A neuron whose new weights are not finite goes
       no further (the caller stops training).

    With ``recheck``, the neuron's fired state is brought up to date with its
    weights (the drift re-check, below); with ``forward`` its contributions
    to the next forward pass are added to ``partial[c]`` as
    :func:`forward_from_state` adds them. Without ``train``, ``rows`` are the
    neurons moved since the last re-check (sorted) and only the re-check runs.

    **The re-check.** With drift ``delta = ||w - anchor||`` since the anchor,
    a pair whose anchor margin ``|z - b|`` exceeds the reach ``delta`` (+
    guard, :func:`drift_reach`) cannot have changed state (``||x|| = 1``). A
    non-candidate had ``z <= b - tau`` and is safe while the reach is below
    ``tau``; past that the neuron is refreshed here, from every input
    (:func:`refresh_in_pass`: new candidates and anchor, its count changes
    and, with ``forward``, its contributions in place), and ``changed[r]``
    is set. Only if ``renew`` is off (the caller cannot rule out a
    non-finite step, after which no state may move: see
    :meth:`~quantum_train.finders.drift.DriftFinder.fused_step`) or its new
    candidates outgrow its slots is ``refresh[r]`` set instead and its slots
    left as they were, for the caller to refresh by a scan (the count
    changes and contributions are in place all the same). The candidates are in order of margin,
    so those within reach are a prefix, of length ``P``: they are re-decided
    with ``exact_dot``. The ``near[r]`` candidates re-decided at the last
    re-check are the only ones whose state can differ from the anchor's;
    those past ``P`` get the anchor state back. ``near[r] = P`` after. Each
    change of state patches the sorted fired ids in place
    (:func:`insert_sorted`, :func:`remove_sorted`), sets ``changed[r]`` and,
    if ``deltas`` has columns, adds ``+1`` (fired) or ``-1`` to
    ``deltas[c, i]``.

    **The quiet case.** A neuron with nothing re-decided last time and a
    drift bound below ``quiet_bound[r]`` (:func:`quiet_drift_bound`) has a
    reach below its smallest margin and ``tau``: nothing is visited, as the
    reach test would decide. With ``train``, ``drift_bound[r]`` grows by each
    step's certified length (:func:`grow_drift_bound`), so it bounds the
    exact drift and proves the common case without reading the anchor
    weights, a stream of ``8 d`` bytes per neuron. Otherwise the squared drift
    is computed from the anchor, the bound is reset to its certified value
    (:func:`certified_drift`) and tested again. Either way the outcome is the
    reach test's, so the quiet case decides nothing the reach would not.

    **The bounded reach.** A neuron that re-decided candidates last time
    (``near[r] > 0``) takes its reach from the running bound instead
    (``bound`` plus :func:`drift_guard`: at least the reach of the exact
    drift, so every pair it could have moved is re-decided, exactly, and a
    few more at most): its anchor weights, a row the cache rarely holds, are
    read only when that reach passes ``tau``, and then the exact drift
    decides the refresh. On a run of 100 iterations at ``m = 2^16``,
    ``d = 8`` it re-decided 0.14 % more pairs. The four-pass finder follows
    the same bound: it keeps each neuron's weights at its last re-check
    (``P``) and grows the bound by the step since, the same operands the
    fused pass uses, so both make the same decisions and count the same ops.
    A re-check with neither (the fused finder catching up after its last
    step) takes every drift from the anchor.

    The re-check is written here, in the loop, rather than as a helper: an
    inlined numba function with array arguments pays reference counting
    (atomic, on counters both threads share) at every call, which cost more
    than the re-check itself.

    Every sum is taken in the order of the unfused kernels, so weights and
    outputs are bit-identical to them. Returns ``(pairs, moved, work, bad,
    next_pairs, renewed)``: the gradient's pairs, the neurons moved, the re-check's
    inner products (one drift norm per neuron re-checked plus the
    re-decisions), the non-finite weights written, the forward's pairs, and
    the neurons refreshed in the pass (``n`` inner products each, not in ``work``).
    """
    stats = np.zeros((FORWARD_CHUNKS, 6), dtype=np.int64)
    run_chunks(visit_chunks, FORWARD_CHUNKS, rows, bounds, modes, net, data, step, state, outputs, stats)
    total = stats.sum(axis=0)
    return total[0], total[1], total[2], total[3], total[4], total[5]


@njit(cache=True, nogil=True)
def visit_chunks(first, end, rows, bounds, modes, net, data, step, state, outputs, stats):
    """Chunks ``first .. end - 1`` of :func:`visit_neurons`: chunk ``c``'s neurons ``rows[bounds[c]:bounds[c +
    1]]``, in order; its five counts go to ``stats[c]``.

    A plain kernel, run on numba's threads by :func:`quantum_train.core.threads.run_chunks`: as a ``prange``
    kernel, numba's parallel compilation compiled this body two to three times over (about 60 % of the
    drift finder's cold start).
    """
    train, recheck, forward, renew = modes
    W, a, A, P, b, tau, x_norm_max = net
    X = data[0]
    err, lr, scale = step
    (start, length, idx, z, anchor_fired, cur_fired, fired_idx, anchor_norm, near, n_fired, lead_margin, lead_idx,
     lead_state, quiet_bound, drift_bound, cap) = state
    refresh, changed, stepped, partial, deltas = outputs
    d = W.shape[1]
    track = deltas.shape[1] > 0
    keeps_steps = P.shape[0] > 0  # the four-pass finder keeps each neuron's weights at its last re-check
    bounded = train or keeps_steps  # the running drift bound follows every step
    scratch = band_scratch(0)  # refresh_in_pass's candidates (allocated at the first refresh)
    for c in range(first, end):
        g = np.empty(d)
        prev = np.empty(d)
        out = borrowed_row(partial, c)
        if forward:
            out[:] = 0.0
        if track:
            deltas[c, :] = 0
        pairs = moved = work = bad = next_pairs = renewed = 0  # this chunk's counts, kept in registers
        last = rows.shape[0]
        for t in range(bounds[c], bounds[c + 1]):
            if t + AHEAD < last:  # ask for the rows a later neuron's visit will read first (see AHEAD)
                q = rows[t + AHEAD]
                prefetch(W, q)
                if recheck and near[q] > 0:
                    prefetch(z, start[q])
                    prefetch(idx, start[q])
            r = rows[t]
            w = borrowed_row(W, r)  # no reference counting per row: see borrowed_row
            lo = start[r]
            if train:
                k = n_fired[r]
                if k == 0:
                    continue  # no gradient: w_r does not move, and stays unfired
                neuron_gradient(X, err, fired_idx, lo, lo + k, scale * a[r], g)
                nonfinite = 0
                for j in range(d):
                    old = w[j]
                    v = old - lr * g[j]
                    prev[j] = old
                    w[j] = v
                    nonfinite += not np.isfinite(v)  # an integer count, branch-free: the loop vectorises
                bad += nonfinite
                pairs += k
                moved += 1
                stepped[r] = True
                if nonfinite:
                    continue
                drift_bound[r] = grow_drift_bound(drift_bound[r], lane_squared_distance(w, prev), d)
            if recheck:
                work += 1
                # quiet: no state can have changed. Fused, the running bound proves it without the anchor
                # weights; otherwise (or unproved) the bound is reset from the anchor and tested again
                if keeps_steps and not train:  # this neuron's step since its last re-check, as the fused pass
                    kept = borrowed_row(P, r)     # takes it (the weights before the step are bit-identical)
                    drift_bound[r] = grow_drift_bound(drift_bound[r], lane_squared_distance(w, kept), d)
                    for j in range(d):
                        kept[j] = w[j]
                quiet = bounded and near[r] == 0 and drift_bound[r] < quiet_bound[r]
                use_bound = bounded and near[r] > 0
                if not quiet and not use_bound:
                    squared_drift = lane_squared_distance(w, borrowed_row(A, r))
                    drift_bound[r] = certified_drift(squared_drift, d)
                    quiet = near[r] == 0 and drift_bound[r] < quiet_bound[r]
                if not quiet:
                    if use_bound:
                        # it re-decided candidates last time: the running bound gives its reach, without its
                        # anchor weights; only past tau is the drift taken from the anchor (a refresh)
                        bound = drift_bound[r]
                        reach = bound + drift_guard(d, anchor_norm[r], bound, x_norm_max)
                        if reach >= tau:
                            squared_drift = lane_squared_distance(w, borrowed_row(A, r))
                            drift_bound[r] = certified_drift(squared_drift, d)
                            reach = drift_reach(squared_drift, d, anchor_norm[r], x_norm_max)
                    else:
                        reach = drift_reach(squared_drift, d, anchor_norm[r], x_norm_max)
                    if reach >= tau:
                        # refreshed here, from every input (its count changes and, with forward, its
                        # contributions are in place); a neuron whose new candidates outgrow its slots is
                        # left as it was and refreshed by a scan after the pass
                        changed[r] = True
                        if scratch[2].shape[0] < X.shape[0]:  # the first refresh of this call
                            scratch = band_scratch(X.shape[0])
                        anchored, k = refresh_in_pass(r, w, A, (a[r], b, tau, x_norm_max), data, scratch, state,
                                                      (deltas, c, out), forward, renew)
                        renewed += anchored
                        if not anchored:
                            refresh[r] = True
                        if forward:
                            next_pairs += k
                        continue
                    before = near[r]
                    if before <= 1 and reach < lead_margin[r, 1]:
                        # at most the lead candidate is visited: read from its copy beside the neuron's
                        # other per-neuron values (streamed in order), not from its slot
                        prefix = 1 if lead_margin[r, 0] <= reach else 0
                        if prefix or before:
                            i = lead_idx[r]
                            if prefix:
                                f = exact_dot(w, borrowed_row(X, i)) > b
                                work += 1
                            else:
                                f = lead_state[r, 0]
                            if lead_state[r, 1] != f:
                                lead_state[r, 1] = f
                                cur_fired[lo] = f
                                n_fired[r] = apply_change(fired_idx, lo, n_fired[r], i, f, deltas, c, track)
                                changed[r] = True
                        near[r] = prefix
                    else:
                        end = lo + length[r]
                        prefix = lo
                        while prefix < end and abs(z[prefix] - b) <= reach:
                            prefix += 1
                        visit = max(prefix, lo + before)
                        k = n_fired[r]
                        for s in range(lo, visit):
                            if s < prefix:
                                f = exact_dot(w, borrowed_row(X, idx[s])) > b
                                work += 1
                            else:
                                f = anchor_fired[s]
                            if cur_fired[s] != f:
                                cur_fired[s] = f
                                if s == lo:
                                    lead_state[r, 1] = f
                                k = apply_change(fired_idx, lo, k, idx[s], f, deltas, c, track)
                                changed[r] = True
                        n_fired[r] = k
                        near[r] = prefix - lo
            if forward:
                k = n_fired[r]
                add_neuron_outputs(w, a[r], b, X, fired_idx, lo, lo + k, out)
                next_pairs += k
        stats[c, 0] = pairs
        stats[c, 1] = moved
        stats[c, 2] = work
        stats[c, 3] = bad
        stats[c, 4] = next_pairs
        stats[c, 5] = renewed


@njit(cache=True, nogil=True)
def refresh_in_pass(r, w, A, band, data, scratch, state, outputs, forward, renew):
    """Refresh neuron ``r`` (weights ``w``, past ``tau``) from every input, in the visiting pass; returns
    ``(anchored, k)``: whether it was re-anchored and its number of fired inputs.

    The new candidates ``{i : exact_dot(w, x_i) > b - tau}`` and their values
    are gathered into ``scratch`` (:func:`band_scratch`; :func:`band_scan`, every
    input decided by the canonical value, as the dense finder decides it).
    Against the sorted fired ids held for ``r``, each input whose state
    changed adds ``+1`` (fired) or ``-1`` to ``deltas[c, i]`` (if ``deltas``
    has columns), and with ``forward`` each fired input adds ``a_r (z_i -
    b)`` to ``out[i]``: the value, expression and per-input order of
    :func:`quantum_train.core.model.add_neuron_outputs`. Then, if the new
    candidates fit in the neuron's ``cap[r]`` slots, they are written there
    with their exact values (so the anchor state is ``z_i > b``, with no tie
    rule), the anchor becomes ``w`` (``A[r] = w``) and :func:`settle_anchor`
    finishes the neuron, as :func:`write_candidates` would after a scan.
    Otherwise, or without ``renew`` (``anchored`` False), its slots are left
    as they were, and the caller refreshes it by a scan after the pass.
    ``band = (a_r, b, tau, x_norm_max)``, ``data = (X, XT)`` (:func:`input_columns`), ``outputs = (deltas,
    c, out)``.

    This replaces a scan of the refreshed neurons after the pass (a BLAS
    tile per block and a second pass over the values), which took as long
    as the visiting kernel itself at ``m = 2^16``, ``d = 8`` (issue 24).
    """
    a_r, b, tau, x_norm_max = band
    (start, length, idx, z, anchor_fired, cur_fired, fired_idx, anchor_norm, near, n_fired, lead_margin, lead_idx,
     lead_state, quiet_bound, drift_bound, cap) = state
    deltas, c, out = outputs
    ids, values, fired = scratch[0], scratch[1], scratch[2]
    count = band_scan(w, data[1], data[0].shape[0], b - tau, ids, values)
    k = 0
    for t in range(count):  # the anchor states: exact values, so no tie rule
        fired[t] = values[t] > b
        k += fired[t]
    lo = start[r]
    if deltas.shape[1] > 0:  # merge the old fired ids with the new (both increasing)
        s = lo
        end = lo + n_fired[r]
        for t in range(count):
            if fired[t]:
                i = ids[t]
                while s < end and fired_idx[s] < i:
                    deltas[c, fired_idx[s]] -= 1
                    s += 1
                if s < end and fired_idx[s] == i:
                    s += 1
                else:
                    deltas[c, i] += 1
        for u in range(s, end):
            deltas[c, fired_idx[u]] -= 1
    if forward:
        for t in range(count):
            if fired[t]:
                out[ids[t]] += a_r * (values[t] - b)
    if count > cap[r] or not renew:
        return False, k
    f_at = lo
    for t in range(count):
        fired_idx[f_at] = ids[t]  # in increasing order; the fired ids are a subset of the candidates
        f_at += fired[t]
    write_band(lo, count, b, scratch, (idx, z, anchor_fired))
    length[r] = count
    n_fired[r] = k
    for j in range(w.shape[0]):
        A[r, j] = w[j]
    anchor_norm[r] = math.sqrt(lane_dot(w, w))
    settle_anchor(r, b, tau, x_norm_max, w.shape[0], state)
    return True, k


#: Columns of zeros after the inputs in :func:`input_columns`, past ``n`` rounded up to a multiple of four (and
#: as many again if the row length would be a multiple of 4 KiB, whose rows would share the cache's sets).
COLUMN_PAD = 4


@njit(cache=True, nogil=True)
def column_width(n):
    """The width of :func:`input_columns` of ``n`` inputs: a multiple of four past ``n`` and not of 512 (at most
    ``n + 3 + 2 COLUMN_PAD``); :func:`band_scratch` and the finder's ``memory_bytes`` take it from here."""
    width = (n + 3) // 4 * 4 + COLUMN_PAD
    return width + COLUMN_PAD if width % 512 == 0 else width


def input_columns(X: np.ndarray) -> np.ndarray:
    """The inputs as columns, for :func:`band_scan`: a ``(d, column_width(n))`` C-contiguous copy of ``X.T``,
    padded with zero columns."""
    n, d = X.shape
    XT = np.zeros((d, column_width(n)))
    XT[:, :n] = X.T
    return XT


@njit(cache=True, nogil=True)
def band_scan(w, XT, n, low, ids, values):
    """Write each input ``i < n`` with ``z_i = exact_dot(w, x_i) > low`` to ``ids`` and ``z_i`` to ``values``,
    in increasing order of ``i``; returns how many. ``XT`` is :func:`input_columns` of the inputs, and ``ids``
    and ``values`` have room for its ``XT.shape[1]`` columns (:func:`band_scratch`).

    :func:`classical._lanes.lane_band_columns`: four inputs per vector instruction, each value summed in the
    canonical order (so ``z_i`` is ``exact_dot(w, x_i)`` bit for bit), one vector comparison per four inputs
    and nothing written for the four unless one is selected. A scan of the rows, four products in flight
    (:func:`classical.exact.exact_dot4`) and a branch-free append per input, took about twice as long at ``d =
    8`` (``docs/benchmarks.md``, section 6, third pass).
    """
    if not (XT.shape[0] == w.shape[0] and n <= XT.shape[1] and XT.shape[1] % 4 == 0
            and ids.shape[0] >= XT.shape[1] and values.shape[0] >= XT.shape[1]):
        raise ValueError("band_scan: XT must be input_columns of the inputs (d rows, a multiple of four columns, "
                         "at least n), and ids and values need room for its columns (band_scratch)")
    return lane_band_columns(w, XT, n, low, ids, values)


@njit(cache=True, nogil=True)
def settle_anchor(r, b, tau, x_norm_max, d, state):
    """Finish neuron ``r``'s fresh anchor, once its ``length[r]`` candidates (in order of margin,
    :func:`write_band`), anchor states, ``n_fired[r]`` sorted fired ids and ``anchor_norm[r]`` are written: start
    the current state as the anchor's, take the lead copy, the quiet
    bound from the smallest margin (``inf`` when there are none; :func:`quiet_drift_sq`,
    :func:`quiet_drift_bound`), and zero the drift bound and the re-decided prefix."""
    (start, length, idx, z, anchor_fired, cur_fired, fired_idx, anchor_norm, near, n_fired, lead_margin, lead_idx,
     lead_state, quiet_bound, drift_bound, cap) = state
    s0 = start[r]
    count = length[r]
    for c in range(s0, s0 + count):
        cur_fired[c] = anchor_fired[c]
    lead_margin[r, 0] = abs(z[s0] - b) if count > 0 else np.inf  # the smallest margin
    lead_margin[r, 1] = abs(z[s0 + 1] - b) if count > 1 else np.inf
    lead_idx[r] = idx[s0] if count > 0 else 0
    lead_state[r, 0] = anchor_fired[s0] if count > 0 else False
    lead_state[r, 1] = lead_state[r, 0]
    quiet_bound[r] = quiet_drift_bound(quiet_drift_sq(d, anchor_norm[r], tau, lead_margin[r, 0], x_norm_max), d)
    drift_bound[r] = 0.0
    near[r] = 0


def chunk_bounds(rows: np.ndarray, m: int) -> np.ndarray:
    """Where each forward chunk's neurons (``c m // FORWARD_CHUNKS`` on) begin in the sorted ``rows``."""
    edges = np.arange(FORWARD_CHUNKS + 1, dtype=np.int64) * m // FORWARD_CHUNKS
    return np.searchsorted(rows, edges).astype(np.int64)


def fired_csr(rows, start, fired_idx, n_fired):
    """CSR of the current fired pairs of ``rows`` (all neurons: ``rows = arange(m)``), from the sorted fired ids;
    the rows' copies shared among numba's threads (:func:`quantum_train.core.threads.run_chunks`)."""
    indptr = fired_indptr(rows, n_fired)
    out = np.empty(indptr[-1], dtype=np.int64)
    run_chunks(copy_fired, rows.shape[0], rows, start, fired_idx, n_fired, indptr, out)
    return indptr, out


@njit(cache=True, nogil=True)
def fired_indptr(rows, n_fired):
    """The ``indptr`` of :func:`fired_csr`."""
    indptr = np.zeros(rows.shape[0] + 1, dtype=np.int64)
    for k in range(rows.shape[0]):
        indptr[k + 1] = indptr[k] + n_fired[rows[k]]
    return indptr


@njit(cache=True, nogil=True)
def copy_fired(first, end, rows, start, fired_idx, n_fired, indptr, out):
    """Rows ``rows[first:end]`` of :func:`fired_csr`: each neuron's fired ids, in order."""
    for k in range(first, end):
        r = rows[k]
        t = indptr[k]
        for c in range(start[r], start[r] + n_fired[r]):
            out[t] = fired_idx[c]
            t += 1


def refresh_rows(neurons, W, A, data, band, state):
    """Re-anchor ``neurons`` at their weights ``W`` from every input (:func:`refresh_in_pass`, no count changes
    or forward contributions); their ``cap`` must hold their new candidates (:func:`band_counts`). ``data = (X,
    XT)`` (:func:`input_columns`), ``band = (b, tau, x_norm_max)``. Returns how many were re-anchored (all of
    them, unless a count was too large)."""
    anchored = np.zeros(neurons.shape[0], dtype=np.bool_)
    run_chunks(refresh_block, neurons.shape[0], neurons, W, A, data, band, state, anchored,
               work=neurons.shape[0] * data[0].shape[0])
    return int(anchored.sum())


@njit(cache=True, nogil=True)
def refresh_block(first, end, neurons, W, A, data, band, state, anchored):
    """:func:`refresh_rows` for ``neurons[first:end]``."""
    b, tau, x_norm_max = band
    scratch = band_scratch(data[0].shape[0])
    no_deltas = np.zeros((1, 0), dtype=np.int64)
    no_out = np.zeros(0)
    for k in range(first, end):
        r = neurons[k]
        anchored[k], _ = refresh_in_pass(r, borrowed_row(W, r), A, (0.0, b, tau, x_norm_max), data, scratch,
                                         state, (no_deltas, 0, no_out), False, True)


def band_counts(neurons, W, data, low):
    """How many inputs ``i`` have ``exact_dot(w_r, x_i) > low``, for each neuron ``r`` of ``neurons`` (``data =
    (X, XT)``, :func:`input_columns`)."""
    counts = np.empty(neurons.shape[0], dtype=np.int64)
    run_chunks(count_block, neurons.shape[0], neurons, W, data, low, counts,
               work=neurons.shape[0] * data[0].shape[0])
    return counts


@njit(cache=True, nogil=True)
def count_block(first, end, neurons, W, data, low, counts):
    """:func:`band_counts` for ``neurons[first:end]``."""
    X, XT = data
    scratch = band_scratch(X.shape[0])
    for k in range(first, end):
        counts[k] = band_scan(borrowed_row(W, neurons[k]), XT, X.shape[0], low, scratch[0], scratch[1])


def write_candidates(neurons, ptr, new_idx, new_z, W, X, band, state):
    """Store fresh candidates of ``neurons`` (CSR ``ptr``, ids sorted) at their ``start`` slots, anchored at ``W``.

    The anchor state of a candidate is decided by the tie rule (BLAS value
    outside the guard band, ``exact_dot`` inside); the fired ids are written
    in id order, the candidates in order of margin ``|z - b|``
    (:func:`write_band`), and the current state starts as the anchor's.
    The lead copy is taken from the sorted slots, and ``quiet_bound`` follows
    from the smallest margin, the lead's (``inf`` when there are none;
    :func:`quiet_drift_sq`, :func:`quiet_drift_bound`). ``band = (b, tau, x_norm_max)``; ``state`` is the drift
    state of :data:`STATE_ARRAYS`.
    """
    run_chunks(write_block, neurons.shape[0], neurons, ptr, new_idx, new_z, W, X, band, state)


@njit(cache=True, nogil=True)
def write_block(first, end, neurons, ptr, new_idx, new_z, W, X, band, state):
    """:func:`write_candidates` for ``neurons[first:end]`` (a plain kernel, as :func:`visit_chunks`)."""
    b, tau, x_norm_max = band
    (start, length, idx, z, anchor_fired, cur_fired, fired_idx, anchor_norm, near, n_fired, lead_margin, lead_idx,
     lead_state, quiet_bound, drift_bound, cap) = state
    d = W.shape[1]
    most = 0
    for k in range(first, end):
        most = max(most, ptr[k + 1] - ptr[k])
    scratch = band_scratch(most)
    ids, values, fired = scratch[0], scratch[1], scratch[2]
    for k in range(first, end):
        r = neurons[k]
        w = borrowed_row(W, r)
        norm = math.sqrt(lane_dot(w, w))
        anchor_norm[r] = norm  # the anchor norm of every later drift_reach
        g = guard_width(d, norm, x_norm_max)
        s0 = start[r]
        cnt = 0
        count = ptr[k + 1] - ptr[k]
        for t in range(count):
            i = new_idx[ptr[k] + t]
            v = new_z[ptr[k] + t]
            if v > b + g:
                f = True
            elif v <= b - g:
                f = False
            else:
                f = exact_dot(w, borrowed_row(X, i)) > b
            ids[t] = i
            values[t] = v
            fired[t] = f
            fired_idx[s0 + cnt] = i
            cnt += f
        write_band(s0, count, b, scratch, (idx, z, anchor_fired))
        length[r] = count
        n_fired[r] = cnt
        settle_anchor(r, b, tau, x_norm_max, d, state)


#: At most this many candidates are sorted by insertion alone; more are first spread over buckets.
INSERTION_ONLY = 16


@njit(cache=True, nogil=True, inline="always")
def insertion_sort(count, keys, pos):
    """Stable insertion sort of ``pos[:count]`` by ``keys[:count]``, moved together (fast on short or nearly
    sorted input)."""
    for c in range(1, count):
        key = keys[c]
        p = pos[c]
        t = c
        while t > 0 and keys[t - 1] > key:
            keys[t] = keys[t - 1]
            pos[t] = pos[t - 1]
            t -= 1
        keys[t] = key
        pos[t] = p


@njit(cache=True, nogil=True)
def sort_by_key(count, keys, pos, spare, starts):
    """Stable sort of ``pos[:count]`` by the non-negative ``keys[:count]``, the two moved together; returns the
    pair of arrays that holds the result (``(keys, pos)``, or ``spare = (keys2, pos2)``). ``starts`` has at
    least ``count // 2 + 1`` entries of scratch.

    Up to :data:`INSERTION_ONLY` candidates by insertion. More are first distributed, stably, over ``count //
    2`` buckets of equal width up to the largest key (a counting sort: no comparison, no data-dependent
    branch), then an insertion pass finishes the nearly sorted result: equal keys fall in one bucket, so the
    order is stable overall. A refreshed neuron's candidates are many (a median of 52 at ``m = 2^16``, ``d =
    8``), and comparison sorts of them spent most of their time on mispredicted branches: a merge sort of the
    slots that allocated six arrays per neuron took an eighth of the visiting pass (``benchmarks/
    perf_kernels.py``), a bottom-up merge sort without allocations little less; this takes 4-11 % off the pass
    at that size (the same state, visited with either in turns).
    """
    if count <= INSERTION_ONLY:
        insertion_sort(count, keys, pos)
        return keys, pos
    top = 0.0
    for t in range(count):
        top = max(top, keys[t])
    buckets = count // 2
    scale = buckets / top if top > 0.0 else 0.0
    if not (top > 0.0 and scale < np.inf):  # all keys zero, or the largest subnormal: no buckets
        insertion_sort(count, keys, pos)
        return keys, pos
    for q in range(buckets + 1):
        starts[q] = 0
    for t in range(count):
        starts[min(int(keys[t] * scale), buckets - 1) + 1] += 1
    for q in range(buckets):
        starts[q + 1] += starts[q]
    keys2, pos2 = spare
    for t in range(count):
        q = min(int(keys[t] * scale), buckets - 1)
        u = starts[q]
        keys2[u] = keys[t]
        pos2[u] = pos[t]
        starts[q] = u + 1
    insertion_sort(count, keys2, pos2)
    return keys2, pos2


@njit(cache=True, nogil=True)
def write_band(lo, count, b, band, slots):
    """Write ``count`` candidates to slots ``lo ..`` in order of margin ``|z - b|`` (stable).

    ``band = (ids, values, fired, keys, pos, keys2, pos2, starts)``: the candidates' input ids, anchor values
    and anchor states in their first ``count`` entries (in increasing id order), and five arrays of scratch for
    :func:`sort_by_key`; ``slots = (idx, z, anchor_fired)``.
    """
    ids, values, fired, keys, pos, keys2, pos2, starts = band
    idx, z, anchor_fired = slots
    for t in range(count):
        keys[t] = abs(values[t] - b)
        pos[t] = t
    keys, pos = sort_by_key(count, keys, pos, (keys2, pos2), starts)
    for t in range(count):
        p = pos[t]
        idx[lo + t] = ids[p]
        z[lo + t] = values[p]
        anchor_fired[lo + t] = fired[p]


@njit(cache=True, nogil=True)
def band_scratch(n):
    """Scratch for a neuron's band of at most ``n`` candidates (:func:`write_band`'s ``band``; its ids and values
    have room for the columns of :func:`input_columns` of ``n`` inputs, for :func:`band_scan`)."""
    width = column_width(n)
    return (np.empty(width, dtype=np.int64), np.empty(width), np.empty(n, dtype=np.bool_), np.empty(n),
            np.empty(n, dtype=np.int64), np.empty(n), np.empty(n, dtype=np.int64), np.empty(n // 2 + 1, dtype=np.int64))
