"""Randomised iteration counts (BBHT) and the "none left" certification rule.

BBHT Lemma 2 (Boyer, Brassard, Hoyer, Tapp 1998): with ``k`` marked among
``N``, ``sin^2 theta = k/N``, and ``j`` uniform in ``{0, ..., M-1}``,

    P_M(k) = 1/2 - sin(4 M theta) / (4 M sin(2 theta)),

and ``P_M(k) >= 1/4`` whenever ``M >= 1 / sin(2 theta)``. For every
``1 <= k <= N - 1``, ``sin(2 theta) = 2 sqrt(k (N-k)) / N >= 2 sqrt(N-1) / N``,
so any integer ``M >= N / (2 sqrt(N - 1))`` (about ``sqrt(N)/2``) satisfies the
lemma whatever ``k``; BBHT's cap ``sqrt(N)`` is one such choice.

**Certification.** Fix such an ``M_c`` and let ``p_min`` be the exact
minimum of ``P_{M_c}(k)`` over the possible remaining counts
``1 <= k <= min(m, N-1)`` (``k = N`` succeeds surely); ``p_min >= 1/4`` by the
lemma, and is about 0.36-0.41 in practice. If at least one marked item remains,
each attempt at ``M_c`` succeeds with probability ``>= p_min`` independently,
so ``c`` consecutive failures happen with probability ``<= (1 - p_min)^c``.
The search arms a counter at *epochs*: each time it enters cap mode, and again
after each success found in cap mode. Epoch ``e = 0, 1, ...`` declares "none
left" after

    c_e = ceil( ln(delta_e) / ln(1 - p_min) ),  delta_e = delta / ((e+1)(e+2))

consecutive failures. As ``sum_e delta_e = delta``, the union bound gives

    P(stop while a marked item remains) <= delta.

**Designed sequences** (:func:`certification_sequence`, used by the
``counting`` strategy). Drawing ``j`` at random wastes queries: what matters is
that, for *every* possible remaining count ``r >= 1``, some attempts land near
``(2j+1) theta_r = pi/2 (mod pi)``. A fixed sequence ``j_1 .. j_c`` fails
throughout, when ``r`` items remain, with probability exactly
``prod_i cos^2((2 j_i + 1) theta_r)`` (attempts are independent and ``r``
cannot change while they fail). The sequence for epoch ``e`` is designed so
that this is ``<= delta_e`` for every ``r = 1 .. min(m, N-1)``, checked
exactly (float64, over all ``r``) before use, which gives the same per-epoch
bound as the uniform rule and hence the same ``<= delta`` overall. The epochs
of both kinds share one counter. (``r = N`` never fails, and with ``s`` shots
per request each factor is raised to ``s``, which only helps.)

(With the lemma's ``p_min = 1/4`` and a single epoch this is the textbook
``c = ceil(ln delta / ln(3/4))``.) :func:`certification_range` picks ``M_c``
in ``[N/(2 sqrt(N-1)), sqrt(N)]`` minimising the expected queries per e-fold of
confidence, ``((M_c - 1)/2 + 1) / -ln(1 - p_min)``.
"""

from __future__ import annotations

import math
from functools import lru_cache

import numpy as np
from numba import njit


def bbht_success(num_marked, num_states: int, m: int):
    """``P_M(k)`` of BBHT Lemma 2 for ``j`` uniform in ``{0..M-1}`` (vectorised over ``k``)."""
    if m < 1:
        raise ValueError("m must be >= 1")
    k = np.asarray(num_marked, dtype=float)
    theta = np.arcsin(np.sqrt(k / num_states))
    s2 = np.sin(2 * theta)
    with np.errstate(divide="ignore", invalid="ignore"):
        p = 0.5 - np.sin(4 * m * theta) / (4 * m * s2)
    p = np.where(k >= num_states, 1.0, p)
    return np.where(k <= 0, 0.0, p)


def _pmin(num_items: int, num_states: int, m: int) -> float:
    kmax = min(num_items, num_states - 1)
    if kmax < 1:
        return 1.0  # N = m = 1 cannot happen (q >= 1); m = N = 2 with k = 1: handled here
    k = np.arange(1, kmax + 1, dtype=float)
    return float(bbht_success(k, num_states, m).min())


@lru_cache(maxsize=256)
def certification_range(num_items: int, num_qubits: int, cap: str = "optimal") -> tuple[int, float]:
    """``(M_c, p_min)`` for ``num_items`` padded to ``N = 2^num_qubits`` (module docstring).

    ``cap="sqrt"`` gives BBHT's ``M_c = ceil(sqrt(N))``; ``"optimal"`` scans the
    admissible integers for the cheapest certification.
    """
    n = 1 << int(num_qubits)
    lo = max(1, math.ceil(n / (2 * math.sqrt(n - 1)) - 1e-9)) if n > 1 else 1
    hi = max(lo, math.ceil(math.sqrt(n)))
    if cap == "sqrt":
        cands = [hi]
    elif cap == "optimal":
        cands = sorted(set(np.linspace(lo, hi, 17).round().astype(int).tolist()) | {lo, hi})
    else:
        raise ValueError(f"cap must be 'optimal' or 'sqrt', got {cap!r}")
    best = None
    for mc in cands:
        p = _pmin(num_items, n, mc)
        if p >= 1.0:
            cost = 0.0
        elif p <= 0.0:
            continue
        else:
            cost = ((mc - 1) / 2 + 1) / -math.log1p(-p)
        if best is None or cost < best[0]:
            best = (cost, mc, p)
    if best is None:  # unreachable: the lemma guarantees p_min >= 1/4 at hi
        raise RuntimeError("no admissible certification range")
    return best[1], best[2]


def check_delta(delta: float) -> float:
    if not isinstance(delta, (float, int, np.floating)) or isinstance(delta, bool) or not 0.0 < float(delta) < 1.0:
        raise ValueError(f"delta must be a probability in (0, 1), got {delta!r}")
    return float(delta)


def certification_failures(delta: float, p_min: float, epoch: int = 0) -> int:
    """``c_e = ceil(ln(delta / ((e+1)(e+2))) / ln(1 - p_min))`` consecutive failures (:func:`failures_needed`)."""
    return int(failures_needed(check_delta(delta), float(p_min), int(epoch)))


# --------------------------------------------------------------------------- designed sequences

@njit(cache=True, nogil=True)
def epoch_delta(delta, epoch):
    """``delta_e = delta / ((e+1)(e+2))``: the epochs' shares of ``delta`` (they sum to ``delta``)."""
    return delta / ((epoch + 1.0) * (epoch + 2.0))


@njit(cache=True, nogil=True)
def failures_needed(delta, p_min, epoch):
    """``c_e = max(1, ceil(ln(delta_e) / ln(1 - p_min)))``, 1 when ``p_min >= 1``.

    The one implementation: :func:`certification_failures` (checked arguments)
    and the search core (:func:`circuits.strategy.update`) call it.
    """
    if p_min >= 1.0:
        return 1
    return max(1, int(math.ceil(math.log(epoch_delta(delta, epoch)) / math.log1p(-p_min))))


def _remaining_counts(num_items: int, num_states: int) -> np.ndarray:
    """Every possible remaining count ``r = 1 .. min(m, N-1)`` (``r = N`` succeeds surely)."""
    return np.arange(1, min(int(num_items), num_states - 1) + 1, dtype=float)


def sequence_nats(iterations, num_items: int, num_qubits: int) -> np.ndarray:
    """``-ln prod_i cos^2((2 j_i + 1) theta_r)`` for every ``r = 1 .. min(m, N-1)`` (exact, float64).

    ``cos^2((2j+1) theta_r)`` is the probability that one attempt with ``j``
    iterations fails when ``r`` marked items remain; the product is the
    probability that the whole sequence fails.
    """
    n = 1 << int(num_qubits)
    r = _remaining_counts(num_items, n)
    th = np.arcsin(np.sqrt(r / n))
    tot = np.zeros(r.size)
    for j in np.asarray(iterations, dtype=np.int64).tolist():
        tot -= np.log(np.maximum(np.cos((2 * j + 1) * th) ** 2, 1e-300))
    return tot


def sequence_miss_bound(iterations, num_items: int, num_qubits: int) -> float:
    """``max_{r >= 1} prod_i cos^2((2 j_i + 1) theta_r)``: P(the whole sequence fails | an item remains)."""
    nats = sequence_nats(iterations, num_items, num_qubits)
    return float(np.exp(-nats.min())) if nats.size else 0.0


@njit(cache=True, nogil=True)
def _add_nats(cover, j, theta):
    """``cover[r-1] += -ln cos^2((2j+1) theta_r)`` for ``r = 1 .. cover.size``."""
    for i in range(cover.shape[0]):
        cover[i] -= 2.0 * math.log(max(abs(math.cos((2 * j + 1) * theta[i])), 1e-150))


@lru_cache(maxsize=64)
def _design(num_items: int, num_qubits: int, target_nats: float) -> tuple[tuple[int, ...], float]:
    """``(sorted j's, exact min over r of their nats)``: LP on a sample of ``r``, rounded, repaired on all ``r``."""
    from scipy.optimize import linprog

    n = 1 << num_qubits
    R = min(num_items, n - 1)
    L = target_nats
    jmax = int(math.pi / 4 * math.sqrt(n)) + 2
    J = np.unique(np.concatenate([np.arange(0, min(jmax, 64) + 1),
                                  np.geomspace(64, max(jmax, 64), 160).round().astype(np.int64)]))
    rs = np.unique(np.concatenate([np.arange(1, min(R, 200) + 1),
                                   np.geomspace(1, R, 300).astype(np.int64), [R]])).astype(float)
    th = np.arcsin(np.sqrt(rs / n))
    A = np.minimum(-np.log(np.maximum(np.cos(np.outer(2 * J + 1, th)) ** 2, 1e-300)), L)
    lp = linprog(J + 1.0, A_ub=-A.T, b_ub=-L * np.ones(rs.size), bounds=(0, None), method="highs")
    counts = np.floor(lp.x + 0.5).astype(np.int64) if lp.status == 0 else np.zeros(J.size, np.int64)
    js = np.repeat(J, counts).tolist()
    cover = np.zeros(R)
    thall = np.arcsin(np.sqrt(np.arange(1, R + 1, dtype=float) / n))
    for j in js:
        _add_nats(cover, int(j), thall)
    while True:  # greedy repair until every r is covered (exactly, on all r)
        d = L - cover
        bad = np.flatnonzero(d > 0)
        if bad.size == 0:
            break
        if bad.size > 400:
            bad = bad[np.unique(np.linspace(0, bad.size - 1, 400).astype(np.int64))]
        thb = np.arcsin(np.sqrt((bad + 1.0) / n))
        a = -np.log(np.maximum(np.cos(np.outer(2 * J + 1, thb)) ** 2, 1e-300))
        j = int(J[np.argmax(np.minimum(a, d[bad]).sum(1) / (J + 1))])
        js.append(j)
        _add_nats(cover, j, thall)
    return tuple(sorted(int(j) for j in js)), float(cover.min())


def certification_sequence(num_items: int, num_qubits: int, delta: float, epoch: int = 0) -> np.ndarray:
    """Deterministic iteration counts ``j_1 <= ... <= j_c`` certifying "none left" at epoch ``e``.

    Guarantee (checked exactly over every ``r = 1 .. min(m, N-1)`` before
    returning): ``prod_i cos^2((2 j_i + 1) theta_r) <= delta_e``
    (:func:`epoch_delta`), i.e. if at least one marked item remains when the
    sequence starts, all its attempts fail with probability at most
    ``delta_e``. Designed by a linear program (minimise ``sum (j_i + 1)``
    subject to ``sum_i -ln cos^2((2 j_i + 1) theta_r) >= ln(1/delta_e)`` on a
    sample of ``r``), rounded, then greedily repaired on all ``r``. About half
    the queries of the uniform rule (e.g. 679 against 1296 at ``N = 2^16``,
    epoch 0, ``delta = 1e-3``), because iteration counts are aimed instead of
    drawn.
    """
    delta = check_delta(delta)
    num_qubits = int(num_qubits)
    if num_qubits < 1 or num_items < 1:
        raise ValueError("need num_qubits >= 1 and num_items >= 1")
    n = 1 << num_qubits
    if min(num_items, n - 1) < 1:
        return np.zeros(1, dtype=np.int64)  # m = N = 1 or 2 with r = N: success certain
    de = epoch_delta(delta, int(epoch))
    L = math.log(1.0 / de) + 1e-9  # margin for float rounding
    js, nats = _design(int(num_items), num_qubits, L)
    if not math.exp(-nats) <= de:  # pragma: no cover - design bug (nats are exact over all r)
        raise RuntimeError("certification sequence does not meet its bound")
    return np.asarray(js, dtype=np.int64)
