"""Find-all strategies as a vectorised state machine (numba), one state per problem.

The state of ``P`` problems is one :class:`SearchState` (named tuple of arrays,
with its :class:`Posterior` grids and :class:`CertTables`); each round
:func:`decide` fills the :class:`Requests` and :func:`update` reads their
:class:`Outcomes` under the strategy's :class:`Rules`.

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
from typing import NamedTuple

import numpy as np
from numba import njit

from circuits.certify import failures_needed
from circuits.counting import count_error_bound_at, count_estimate, fejer_at
from circuits.grover import EFFICIENT_ANGLE

COUNT, EFF, BBHT, DONE, CERT = 0, 1, 2, 3, 4
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
    """Integer ``j`` minimising ``(j + 1) / sin^2((2j+1) theta)``, ``sin^2 theta = r/n`` (``r`` may be fractional).

    The numba copy of :func:`circuits.grover.efficient_iterations` (``check_cost = 1``);
    ``tests/circuits/test_formulas.py`` holds the two to each other.
    """
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


# --------------------------------------------------------------------------- posterior grid

@njit(cache=True, nogil=True)
def success_prob(r, j, n):
    """``sin^2((2j+1) theta_r)``, 0 for ``r <= 0``, 1 for ``r >= n`` (``r`` may be fractional).

    The numba copy of :func:`circuits.grover.success_probability`, held to it by ``tests/circuits/test_formulas.py``.
    """
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
    lo = tmp[0]
    hi = tmp[0]
    for i in range(1, n):  # loops, not np.min / np.max / np.sort: those compile generic kernels in here
        lo = min(lo, tmp[i])
        hi = max(hi, tmp[i])
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
    for i in range(1, n):  # insertion sort: at most GRID + 4 points
        v = tmp[i]
        j = i
        while j > 0 and tmp[j - 1] > v:
            tmp[j] = tmp[j - 1]
            j -= 1
        tmp[j] = v
    k = 0
    for i in range(n):
        if k == 0 or tmp[i] - out[k - 1] > 1e-6:
            out[k] = tmp[i]
            k += 1
    return k


@njit(cache=True, nogil=True)
def regrid(post, p, F, m, mass):
    """Re-place problem ``p``'s grid on its posterior (:func:`_make_grid`), interpolating log-densities.

    Log-densities are linear between the old live points (``K >= F``) and constant beyond them.
    """
    Kp, lwp = post.K, post.lw
    n = post.size[p]
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
    post.size[p] = k


@njit(cache=True, nogil=True)
def init_posterior(post, p, y, t, F, m, n, mass):
    """Posterior from the uniform prior on ``[0, m]`` and a counting readout ``y`` (``t`` qubits)."""
    Kp, lwp, ng = post.K, post.lw, post.size
    T = 2.0 ** t
    k = count_estimate(y, t, n)
    bound = count_error_bound_at(k, t, n) + 1.0  # BHMT Theorem 12, plus one item
    # start: CORE points evenly over k~ +- 4 bounds, tails out to F and m
    lo = max(k - 4 * bound, float(F))
    hi = min(k + 4 * bound, float(m))
    for g in range(CORE):
        mass[g] = 1.0
        Kp[p, g] = lo + (hi - lo) * g / (CORE - 1.0)
    newK = np.empty(GRID)
    ng[p] = _make_grid(Kp[p], mass, np.int64(CORE), float(CORE), F, m, newK)  # not a literal: one signature
    for g in range(ng[p]):
        Kp[p, g] = newK[g]
    for rep in range(3):
        for g in range(ng[p]):
            r = Kp[p, g] - F
            phi = math.asin(math.sqrt(min(max(r / n, 0.0), 1.0))) / math.pi
            like = 0.5 * fejer_at(phi - y / T, T) + 0.5 * fejer_at(1.0 - phi - y / T, T)
            lwp[p, g] = math.log(max(like, 1e-300))
        if rep < 2:
            regrid(post, p, F, m, mass)


@njit(cache=True, nogil=True)
def observe(post, p, F, j, shots, nfound, n, cached):
    """Bayes update for ``shots`` attempts with ``j`` iterations, ``nfound`` successes (``F`` found before).

    ``cached``: ``post.sprob[p]`` already holds the success probabilities at ``j`` (from :func:`choose_j`).
    """
    Kp, lwp, sprob = post.K, post.lw, post.sprob
    top = -1e300
    for g in range(post.size[p]):
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
    for g in range(post.size[p]):
        lwp[p, g] -= top


@njit(cache=True, nogil=True)
def choose_j(post, p, F, n, mass):
    """``j`` maximising ``E_post[sin^2((2j+1) theta_r)] / (j + 1)`` over a few candidates.

    Candidates: the query-efficient ``j`` (:func:`efficient_j`) at the
    posterior's 25 % and 50 % quantiles of ``r``, and 0.85 / 1.15 times the
    latter. Stores the median ``r`` in ``post.rmed[p]`` and the chosen ``j``'s
    success probability at each grid point in ``post.sprob[p]``.
    """
    Kp, sprob = post.K, post.sprob
    k = post.size[p]
    tot = _masses(Kp[p], post.lw[p], k, F, mass)
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
    post.rmed[p] = r50
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
def prob_none_left(post, p, F, mass):
    """Posterior mass on "nothing left" (``K - F < 1/2``)."""
    Kp = post.K
    k = post.size[p]
    tot = _masses(Kp[p], post.lw[p], k, F, mass)
    z = 0.0
    for g in range(k):
        if Kp[p, g] - F < 0.5:
            z += mass[g]
    return z / tot if tot > 0 else 1.0


# --------------------------------------------------------------------------- the machine's state

class Posterior(NamedTuple):
    """Posterior grids of ``P`` problems: ``G`` points each (``G = GRID`` for counting, else 1)."""

    K: np.ndarray      #: (P, G) float: grid points (total marked count)
    lw: np.ndarray     #: (P, G) float: log-density at each point (max over live points 0)
    size: np.ndarray   #: (P,) int: points in use
    sprob: np.ndarray  #: (P, G) float: success probability at each point for the last chosen ``j``
    rmed: np.ndarray   #: (P,) float: posterior median of the remaining count at the last choice


class CertTables(NamedTuple):
    """Designed certification sequences, flattened: problem ``p``'s epoch ``e`` is
    ``flat[start[p, e] : start[p, e] + length[p, e]]``."""

    flat: np.ndarray    #: (S,) int
    start: np.ndarray   #: (P, E) int
    length: np.ndarray  #: (P, E) int


class SearchState(NamedTuple):
    """Everything the machine keeps per problem (arrays of length ``P``), plus its posterior and tables."""

    mode: np.ndarray        #: int: COUNT, EFF, BBHT, DONE or CERT
    M: np.ndarray           #: float: BBHT range
    cap: np.ndarray         #: int: certification range ``M_c``
    pmin: np.ndarray        #: float: ``p_min`` at ``M_c``
    armed: np.ndarray       #: bool: a uniform certification epoch is running
    epoch: np.ndarray       #: int: certification epochs started (-1: none)
    cfails: np.ndarray      #: int: consecutive failures in the uniform epoch
    next_t: np.ndarray      #: int: precision qubits of the count
    k_first: np.ndarray     #: float: first counting estimate (NaN: none)
    num_states: np.ndarray  #: int: ``N = 2^q``
    num_items: np.ndarray   #: int: ``m``
    nfound: np.ndarray      #: int: items found
    nupd: np.ndarray        #: int: posterior updates so far
    cpos: np.ndarray        #: int: position in the designed sequence
    post: Posterior
    cert: CertTables


class Rules(NamedTuple):
    """The strategy's scalar parameters (:class:`circuits.search.FindAllStrategy`) and ``delta``."""

    delta: float
    growth: float
    shrink: float
    tail: float
    arm: float


class Requests(NamedTuple):
    """One round's requests, one entry per active problem; :func:`decide` fills all but ``ids``."""

    ids: np.ndarray      #: int: problem of each request
    kinds: np.ndarray    #: int: 0 Grover, 1 counting
    params: np.ndarray   #: int: ``j`` or ``t``
    capmode: np.ndarray  #: bool: a uniform certification attempt


class Outcomes(NamedTuple):
    """What came back for each request of a round."""

    shots: np.ndarray    #: int: shots run
    found: np.ndarray    #: int: new items found
    count_y: np.ndarray  #: int: counting readout (counting requests)


def new_state(num_states: np.ndarray, num_items: np.ndarray, cap: np.ndarray, pmin: np.ndarray,
              next_t: np.ndarray, counting: bool, cert: CertTables) -> SearchState:
    """The start state of ``P`` problems: counting starts in ``COUNT`` with a ``GRID``-point posterior,
    BBHT in ``BBHT`` with ``M = 1``."""
    P = num_states.shape[0]
    G = GRID if counting else 1
    post = Posterior(K=np.zeros((P, G)), lw=np.zeros((P, G)), size=np.zeros(P, dtype=np.int64),
                     sprob=np.zeros((P, G)), rmed=np.full(P, np.inf))
    return SearchState(
        mode=np.full(P, COUNT if counting else BBHT, dtype=np.int64), M=np.ones(P),
        cap=np.asarray(cap, dtype=np.int64), pmin=np.asarray(pmin, dtype=np.float64),
        armed=np.zeros(P, dtype=np.bool_), epoch=np.full(P, -1, dtype=np.int64), cfails=np.zeros(P, dtype=np.int64),
        next_t=np.asarray(next_t, dtype=np.int64), k_first=np.full(P, np.nan),
        num_states=np.asarray(num_states, dtype=np.int64), num_items=np.asarray(num_items, dtype=np.int64),
        nfound=np.zeros(P, dtype=np.int64), nupd=np.zeros(P, dtype=np.int64), cpos=np.zeros(P, dtype=np.int64),
        post=post, cert=cert)


def new_posterior(num_problems: int) -> Posterior:
    """Empty ``GRID``-point posteriors for ``num_problems`` problems (for driving the kernels directly)."""
    P = int(num_problems)
    return Posterior(K=np.zeros((P, GRID)), lw=np.zeros((P, GRID)), size=np.zeros(P, dtype=np.int64),
                     sprob=np.zeros((P, GRID)), rmed=np.full(P, np.inf))


# --------------------------------------------------------------------------- the machine

@njit(cache=True, nogil=True)
def decide(st, req, rng):
    """Fill ``req.kinds`` / ``req.params`` / ``req.capmode`` for the active problems ``req.ids``."""
    mass = np.empty(GRID)
    for a in range(req.ids.shape[0]):
        p = req.ids[a]
        req.capmode[a] = False
        md = st.mode[p]
        if md == COUNT:
            req.kinds[a] = 1
            req.params[a] = st.next_t[p]
        elif md == EFF:
            req.kinds[a] = 0
            req.params[a] = choose_j(st.post, p, float(st.nfound[p]), float(st.num_states[p]), mass)
        elif md == CERT:
            req.kinds[a] = 0
            req.params[a] = st.cert.flat[st.cert.start[p, st.epoch[p]] + st.cpos[p]]
        else:  # BBHT
            req.kinds[a] = 0
            if st.M[p] >= st.cap[p]:
                req.capmode[a] = True
                if not st.armed[p]:
                    st.armed[p] = True
                    st.epoch[p] += 1
                    st.cfails[p] = 0
                req.params[a] = rng.integers(0, st.cap[p])
            else:
                req.params[a] = rng.integers(0, int(math.ceil(st.M[p])))


@njit(cache=True, nogil=True)
def update(st, req, out, rules):
    """Advance each active problem's state from its request's outcome."""
    mass = np.empty(GRID)
    n_epochs = st.cert.length.shape[1]
    post = st.post
    for a in range(req.ids.shape[0]):
        p = req.ids[a]
        n = float(st.num_states[p])
        m = int(st.num_items[p])
        md = st.mode[p]
        if req.kinds[a] == 1:  # counting outcome (first and only count)
            k = count_estimate(out.count_y[a], req.params[a], n)
            if math.isnan(st.k_first[p]):
                st.k_first[p] = k
            if k < rules.tail:
                st.mode[p] = BBHT
                st.M[p] = 1.0
            else:
                init_posterior(post, p, out.count_y[a], req.params[a], float(st.nfound[p]), m, n, mass)
                st.mode[p] = EFF
            continue
        if md == EFF or md == CERT:
            F = float(st.nfound[p])
            observe(post, p, F, req.params[a], out.shots[a], out.found[a], n, md == EFF)
            st.nfound[p] += out.found[a]
            st.nupd[p] += 1
            if st.nupd[p] % REGRID_EVERY == 0:
                regrid(post, p, float(st.nfound[p]), m, mass)
            if md == CERT:
                if out.found[a] > 0:
                    st.mode[p] = EFF
                else:
                    st.cpos[p] += 1
                    if st.cpos[p] >= st.cert.length[p, st.epoch[p]]:
                        st.mode[p] = DONE
                continue
            if st.nfound[p] >= m:
                st.mode[p] = DONE  # everything found: nothing can remain
            elif post.rmed[p] < 3.0 and prob_none_left(post, p, float(st.nfound[p]), mass) >= 1.0 - rules.arm:
                if st.epoch[p] + 1 < n_epochs:
                    st.epoch[p] += 1
                    st.cpos[p] = 0
                    st.mode[p] = CERT
                else:  # designed epochs used up: uniform certification (arms its own epochs)
                    st.mode[p] = BBHT
                    st.M[p] = float(st.cap[p])
                    st.armed[p] = False
        elif md == BBHT:
            if out.found[a] > 0:
                if req.capmode[a]:
                    st.armed[p] = False
                st.M[p] = max(1.0, st.M[p] / rules.shrink)
            else:
                if req.capmode[a]:
                    st.cfails[p] += 1
                    if st.cfails[p] >= failures_needed(rules.delta, st.pmin[p], st.epoch[p]):
                        st.mode[p] = DONE
                        continue
                st.M[p] = min(st.M[p] * rules.growth, float(st.cap[p]))
