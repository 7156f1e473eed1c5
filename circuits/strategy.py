"""Find-all strategies as a vectorised state machine (numba), one state per problem.

Modes: ``COUNT`` (run a counting circuit), ``EFF`` (Grover with ``j`` chosen
from a posterior over the marked count), ``CERT`` (a designed certification
sequence, :func:`circuits.certify.certification_sequence`), ``BBHT``
(randomised ``j``, with the uniform certification once the range reaches its
cap), ``DONE``.

- strategy ``"bbht"`` starts in ``BBHT``: ``j`` uniform in ``{0..ceil(M)-1}``;
  after a failure ``M <- min(lambda M, M_c)`` (BBHT 1998, ``lambda = 6/5``);
  after a success ``M <- max(1, M / lambda^s)`` (``s = shrink``), since one
  fewer item remains and the right scale barely moved. At ``M = M_c`` every
  attempt is a certification attempt (:mod:`circuits.certify`).
- strategy ``"counting"`` starts in ``COUNT`` (one counting circuit). If the
  estimate is below ``tail`` items it continues as ``"bbht"``. Otherwise it
  keeps a **posterior over the total marked count** ``K`` on an adaptive grid
  (:data:`GRID` points, integer-spaced once the posterior is narrow; uniform
  prior on ``[0, m]``): the counting readout enters through its exact law
  (Fejer kernel, :func:`circuits.counting.counting_distribution`), every
  Grover attempt with ``j`` iterations through its likelihood
  ``sin^2((2j+1) theta_r)`` (success) or ``cos^2`` (failure), with
  ``r = K - found``. No recount is needed: the success/failure stream pins
  ``K`` down (Fisher information about ``x^2 / r^2`` per attempt at angle
  ``x = (2j+1) theta_r``, so the posterior width is about ``sqrt(r)``). Each
  attempt uses the ``j`` (among a few candidates from posterior quantiles of
  ``r``) maximising *expected successes per query*,
  ``E_post[sin^2((2j+1) theta_r)] / (j + 1)``. When the posterior puts at
  least ``1 - arm`` on "none left" it arms a certification epoch: a designed
  deterministic sequence (``CERT``); a success interrupts it (back to
  ``EFF``; the next arming is a new epoch). Past the designed epochs it falls
  back to the uniform BBHT certification.

**Guarantee.** The posterior only steers the choice of ``j`` and *when* to
arm; it plays no part in the miss bound. Every stop happens at the end of a
certification epoch ``e`` (designed sequence or uniform rule) that failed
throughout; given that an item remained when epoch ``e`` was armed, that
happens with probability at most ``delta_e = delta / ((e+1)(e+2))``, whatever
happened before; the epochs of both kinds share one counter, so
``P(stop while a marked item remains) <= sum_e delta_e = delta``.
"""

from __future__ import annotations

import math

import numpy as np
from numba import njit

COUNT, EFF, BBHT, DONE, CERT = 0, 1, 2, 3, 4
EFFICIENT_ANGLE = 1.1655611852072114  # (2j+1) theta maximising sin^2 x / x
#: posterior grid: points in all, of which tail points on each side of the core
GRID = 48
TAIL_POINTS = 5
CORE = GRID - 2 * TAIL_POINTS - 4
#: posterior quantiles left out of the grid's core
CORE_MASS_OUT = 0.002
#: regrid the posterior every this many updates
REGRID_EVERY = 4


@njit(cache=True, nogil=True)
def efficient_j(r, n):
    """Integer ``j`` minimising ``(j + 1) / sin^2((2j+1) theta)``, ``sin^2 theta = r/n``."""
    if r >= n:
        return 0
    theta = math.asin(math.sqrt(r / n))
    j0 = int(math.floor(EFFICIENT_ANGLE / (2.0 * theta) - 0.5))
    best = 0
    best_cost = 1e300
    for j in range(max(0, j0 - 1), j0 + 3):
        s = math.sin((2 * j + 1) * theta) ** 2
        if s > 0:
            c = (j + 1.0) / s
            if c < best_cost:
                best_cost = c
                best = j
    return best


@njit(cache=True, nogil=True)
def cert_threshold(delta, pmin, epoch):
    if pmin >= 1.0:
        return 1
    de = delta / ((epoch + 1.0) * (epoch + 2.0))
    return max(1, int(math.ceil(math.log(de) / math.log1p(-pmin))))


# --------------------------------------------------------------------------- posterior grid

@njit(cache=True, nogil=True)
def success_prob(r, j, n):
    """``sin^2((2j+1) theta_r)``, 0 for ``r <= 0``, 1 for ``r >= n`` (``r`` may be fractional)."""
    if r <= 0.0:
        return 0.0
    if r >= n:
        return 1.0
    return math.sin((2 * j + 1) * math.asin(math.sqrt(r / n))) ** 2


@njit(cache=True, nogil=True)
def _masses(K, lw, ng, F, mass):
    """Posterior masses (unnormalised; density x spacing) of the live points ``K >= F``; total."""
    top = -1e300
    for g in range(ng):
        if K[g] >= F - 1e-9 and lw[g] > top:
            top = lw[g]
    tot = 0.0
    for g in range(ng):
        if K[g] < F - 1e-9:
            mass[g] = 0.0
            continue
        lo = K[g - 1] if g > 0 else K[g]
        hi = K[g + 1] if g + 1 < ng else K[g]
        w = 0.5 * (hi - lo)
        if ng == 1:
            w = 1.0
        mass[g] = math.exp(lw[g] - top) * max(w, 1.0)  # a point stands for >= 1 integer count
        tot += mass[g]
    return tot


@njit(cache=True, nogil=True)
def _quantile(K, mass, ng, tot, q):
    """``K`` at posterior level ``q`` (masses read as point masses; linear between points)."""
    c = 0.0
    for g in range(ng):
        if mass[g] <= 0.0:
            continue
        c2 = c + mass[g]
        if c2 >= q * tot:
            if g == 0 or c2 <= c:
                return K[g]
            f = (q * tot - c) / (c2 - c)
            return K[g - 1] + f * (K[g] - K[g - 1]) if mass[g - 1] > 0 else K[g]
        c = c2
    return K[ng - 1]


@njit(cache=True, nogil=True)
def _make_grid(K, mass, ng, tot, F, m, out):
    """New grid from the current posterior (or a point interval when ``tot <= 0``).

    Core: ``CORE / 2`` equal-mass points over levels ``[CORE_MASS_OUT, 1 - CORE_MASS_OUT]``
    and ``CORE / 2`` evenly spaced points between the 2 % and 98 % levels (all
    the integers of ``[q_lo, q_hi]`` instead when they fit); tails: ``K = F`` (nothing
    remains) and ``r = K - F`` log-spaced below the core; geometric out to ``m`` above.
    """
    tmp = np.empty(GRID + 4)
    n = 0
    a = max(_quantile(K, mass, ng, tot, CORE_MASS_OUT), float(F))
    b = min(max(_quantile(K, mass, ng, tot, 1.0 - CORE_MASS_OUT), a), float(m))
    if b - a + 1.0 <= CORE:
        start = max(float(F), min(math.floor(a), float(m) - CORE + 1.0))
        for i in range(CORE):
            v = start + i
            if v > m:
                break
            tmp[n] = v
            n += 1
    else:
        half = CORE // 2
        for i in range(half):
            lev = CORE_MASS_OUT + (1.0 - 2 * CORE_MASS_OUT) * i / (half - 1.0)
            tmp[n] = min(max(_quantile(K, mass, ng, tot, lev), float(F)), float(m))
            n += 1
        c = max(_quantile(K, mass, ng, tot, 0.02), float(F))
        d = min(max(_quantile(K, mass, ng, tot, 0.98), c), float(m))
        for i in range(CORE - half):
            tmp[n] = c + (d - c) * i / (CORE - half - 1.0)
            n += 1
    lo = np.min(tmp[:n])
    hi = np.max(tmp[:n])
    if lo - F > 1e-6:  # always a point at r = 0 (nothing left)
        tmp[n] = F
        n += 1
    if lo - F > 1.0:  # geometric towards F, plus r = K - F log-spaced in [1, lo - F)
        for i in range(TAIL_POINTS):
            tmp[n] = lo - (lo - F) * 0.25 ** (TAIL_POINTS - i)  # lo - (lo-F)/4^5 .. lo - (lo-F)/4
            n += 1
        for i in range(3):
            tmp[n] = F + (lo - F) ** ((i + 1) / 4.0)
            n += 1
    if m - hi > 1.0:
        for i in range(TAIL_POINTS):
            tmp[n] = hi + (m - hi) * 0.25 ** (TAIL_POINTS - 1 - i)  # ..., 1/16, 1/4, 1
            n += 1
    srt = np.sort(tmp[:n])
    k = 0
    for i in range(n):
        if k == 0 or srt[i] - out[k - 1] > 1e-6:
            out[k] = srt[i]
            k += 1
    return k


@njit(cache=True, nogil=True)
def regrid(Kp, lwp, ng, p, F, m, mass):
    """Re-place problem ``p``'s grid on its posterior (:func:`_make_grid`), interpolating log-densities.

    Log-densities are linear between the old live points (``K >= F``) and constant beyond them.
    """
    n = ng[p]
    tot = _masses(Kp[p], lwp[p], n, F, mass)
    newK = np.empty(GRID)
    k = _make_grid(Kp[p], mass, n, tot, F, m, newK)
    newlw = np.empty(GRID)
    first = 0
    while first < n - 1 and Kp[p, first] < F - 1e-9:
        first += 1
    g = first
    for i in range(k):  # both grids sorted: one merged pass
        x = newK[i]
        while g < n and Kp[p, g] < x:
            g += 1
        if g <= first:
            newlw[i] = lwp[p, first]
        elif g >= n:
            newlw[i] = lwp[p, n - 1]
        else:
            t = (x - Kp[p, g - 1]) / (Kp[p, g] - Kp[p, g - 1])
            newlw[i] = lwp[p, g - 1] + t * (lwp[p, g] - lwp[p, g - 1])
    for i in range(k):
        Kp[p, i] = newK[i]
        lwp[p, i] = newlw[i]
    ng[p] = k


@njit(cache=True, nogil=True)
def _fejer(d, T):
    d = d - math.floor(d + 0.5)
    s = math.sin(math.pi * d)
    if abs(s) < 1e-12:
        return 1.0
    return math.sin(math.pi * T * d) ** 2 / (T * T * s * s)


@njit(cache=True, nogil=True)
def init_posterior(Kp, lwp, ng, p, y, t, F, m, n, mass):
    """Posterior from the uniform prior on ``[0, m]`` and a counting readout ``y`` (``t`` qubits)."""
    T = 2.0 ** t
    k = n * math.sin(math.pi * y / T) ** 2
    bound = 2 * math.pi * math.sqrt(k * max(n - k, 0.0)) / T + math.pi ** 2 * n / (T * T) + 1.0
    # start: CORE points evenly over k~ +- 4 bounds, tails out to F and m
    lo = max(k - 4 * bound, float(F))
    hi = min(k + 4 * bound, float(m))
    for g in range(CORE):
        mass[g] = 1.0
        Kp[p, g] = lo + (hi - lo) * g / (CORE - 1.0)
    newK = np.empty(GRID)
    ng[p] = _make_grid(Kp[p], mass, CORE, float(CORE), F, m, newK)
    for g in range(ng[p]):
        Kp[p, g] = newK[g]
    for rep in range(3):
        for g in range(ng[p]):
            r = Kp[p, g] - F
            phi = math.asin(math.sqrt(min(max(r / n, 0.0), 1.0))) / math.pi
            like = 0.5 * _fejer(phi - y / T, T) + 0.5 * _fejer(1.0 - phi - y / T, T)
            lwp[p, g] = math.log(max(like, 1e-300))
        if rep < 2:
            regrid(Kp, lwp, ng, p, F, m, mass)


@njit(cache=True, nogil=True)
def observe(Kp, lwp, ng, p, F, j, shots, nfound, n, sprob, cached):
    """Bayes update for ``shots`` attempts with ``j`` iterations, ``nfound`` successes (``F`` found before).

    ``cached``: ``sprob[p]`` already holds the success probabilities at ``j`` (from :func:`choose_j`).
    """
    top = -1e300
    for g in range(ng[p]):
        r = Kp[p, g] - F
        if r < -1e-9:
            continue
        s = sprob[p, g] if cached else success_prob(r, j, n)
        v = lwp[p, g]
        if nfound > 0:
            v += nfound * math.log(max(s, 1e-300))
        if shots > nfound:
            v += (shots - nfound) * math.log(max(1.0 - s, 1e-300))
        lwp[p, g] = max(v, -1e6)
        if r >= nfound - 1e-9 and lwp[p, g] > top:
            top = lwp[p, g]
    for g in range(ng[p]):
        lwp[p, g] -= top


@njit(cache=True, nogil=True)
def choose_j(Kp, lwp, ng, p, F, n, mass, rmed, sprob):
    """``j`` maximising ``E_post[sin^2((2j+1) theta_r)] / (j + 1)`` over a few candidates.

    Candidates: the query-efficient ``j`` (:func:`efficient_j`) at the
    posterior's 25 % and 50 % quantiles of ``r``, and 0.85 / 1.15 times the
    latter. Stores the median ``r`` in ``rmed[p]`` and the chosen ``j``'s
    success probability at each grid point in ``sprob[p]``.
    """
    k = ng[p]
    tot = _masses(Kp[p], lwp[p], k, F, mass)
    th = np.empty(GRID)
    for g in range(k):
        r = Kp[p, g] - F
        if r <= 0.0:
            th[g] = 0.0
        elif r >= n:
            th[g] = 0.5 * math.pi
        else:
            th[g] = math.asin(math.sqrt(r / n))
    r50 = _quantile(Kp[p], mass, k, tot, 0.5) - F
    rmed[p] = r50
    cands = np.empty(4, dtype=np.int64)
    cands[0] = efficient_j(max(r50, 1.0), n)
    cands[1] = efficient_j(max(_quantile(Kp[p], mass, k, tot, 0.25) - F, 1.0), n)
    cands[2] = int(0.85 * cands[0])
    cands[3] = int(1.15 * cands[0] + 1)
    best = 0
    best_v = -1.0
    for i in range(4):
        j = cands[i]
        if i > 0 and (j == cands[0] or (i > 1 and j == cands[1])):
            continue
        e = 0.0
        for g in range(k):
            if mass[g] > 1e-9 * tot:
                e += mass[g] * math.sin((2 * j + 1) * th[g]) ** 2
        v = e / (j + 1.0)
        if v > best_v:
            best_v = v
            best = j
    for g in range(k):  # success probabilities at the chosen j, for :func:`observe`
        sprob[p, g] = math.sin((2 * best + 1) * th[g]) ** 2 if Kp[p, g] - F > 0.0 else 0.0
    return best


@njit(cache=True, nogil=True)
def prob_none_left(Kp, lwp, ng, p, F, mass):
    k = ng[p]
    tot = _masses(Kp[p], lwp[p], k, F, mass)
    z = 0.0
    for g in range(k):
        if Kp[p, g] - F < 0.5:
            z += mass[g]
    return z / tot if tot > 0 else 1.0


# --------------------------------------------------------------------------- the machine

@njit(cache=True, nogil=True)
def decide(ids, mode, M, cap, armed, epoch, cfails, next_t, num_states,
           Kp, lwp, ng, nfound, cpos, rmed, sprob, seq_flat, seq_start, seq_len,
           kinds, params, capmode, rng):
    """Fill ``kinds``/``params``/``capmode`` for the active problems ``ids``."""
    mass = np.empty(GRID)
    for a in range(ids.shape[0]):
        p = ids[a]
        capmode[a] = False
        md = mode[p]
        if md == COUNT:
            kinds[a] = 1
            params[a] = next_t[p]
        elif md == EFF:
            kinds[a] = 0
            params[a] = choose_j(Kp, lwp, ng, p, float(nfound[p]), float(num_states[p]), mass, rmed, sprob)
        elif md == CERT:
            kinds[a] = 0
            params[a] = seq_flat[seq_start[p, epoch[p]] + cpos[p]]
        else:  # BBHT
            kinds[a] = 0
            if M[p] >= cap[p]:
                capmode[a] = True
                if not armed[p]:
                    armed[p] = True
                    epoch[p] += 1
                    cfails[p] = 0
                params[a] = rng.integers(0, cap[p])
            else:
                params[a] = rng.integers(0, int(math.ceil(M[p])))


@njit(cache=True, nogil=True)
def update(ids, kinds, params, shots, found, count_y, capmode,
           mode, M, cap, pmin, armed, epoch, cfails, k_first, num_states, num_items,
           Kp, lwp, ng, nfound, nupd, cpos, rmed, sprob, seq_len,
           delta, growth, shrink, tail, arm):
    """Advance each active problem's state from its request's outcome."""
    mass = np.empty(GRID)
    n_epochs = seq_len.shape[1]
    for a in range(ids.shape[0]):
        p = ids[a]
        n = float(num_states[p])
        m = int(num_items[p])
        md = mode[p]
        if kinds[a] == 1:  # counting outcome (first and only count)
            T = 2.0 ** params[a]
            k = n * math.sin(math.pi * count_y[a] / T) ** 2
            if math.isnan(k_first[p]):
                k_first[p] = k
            if k < tail:
                mode[p] = BBHT
                M[p] = 1.0
            else:
                init_posterior(Kp, lwp, ng, p, count_y[a], params[a], float(nfound[p]), m, n, mass)
                mode[p] = EFF
            continue
        if md == EFF or md == CERT:
            F = float(nfound[p])
            observe(Kp, lwp, ng, p, F, params[a], shots[a], found[a], n, sprob, md == EFF)
            nfound[p] += found[a]
            nupd[p] += 1
            if nupd[p] % REGRID_EVERY == 0:
                regrid(Kp, lwp, ng, p, float(nfound[p]), m, mass)
            if md == CERT:
                if found[a] > 0:
                    mode[p] = EFF
                else:
                    cpos[p] += 1
                    if cpos[p] >= seq_len[p, epoch[p]]:
                        mode[p] = DONE
                continue
            if nfound[p] >= m:
                mode[p] = DONE  # everything found: nothing can remain
            elif rmed[p] < 3.0 and prob_none_left(Kp, lwp, ng, p, float(nfound[p]), mass) >= 1.0 - arm:
                if epoch[p] + 1 < n_epochs:
                    epoch[p] += 1
                    cpos[p] = 0
                    mode[p] = CERT
                else:  # designed epochs used up: uniform certification (arms its own epochs)
                    mode[p] = BBHT
                    M[p] = float(cap[p])
                    armed[p] = False
        elif md == BBHT:
            if found[a] > 0:
                if capmode[a]:
                    armed[p] = False
                M[p] = max(1.0, M[p] / shrink)
            else:
                if capmode[a]:
                    cfails[p] += 1
                    if cfails[p] >= cert_threshold(delta, pmin[p], epoch[p]):
                        mode[p] = DONE
                        continue
                M[p] = min(M[p] * growth, float(cap[p]))
