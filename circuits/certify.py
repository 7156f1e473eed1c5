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

(With the lemma's ``p_min = 1/4`` and a single epoch this is the textbook
``c = ceil(ln delta / ln(3/4))``.) :func:`certification_range` picks ``M_c``
in ``[N/(2 sqrt(N-1)), sqrt(N)]`` minimising the expected queries per e-fold of
confidence, ``((M_c - 1)/2 + 1) / -ln(1 - p_min)``.
"""

from __future__ import annotations

from functools import lru_cache
import math

import numpy as np


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
    """``c_e = ceil(ln(delta / ((e+1)(e+2))) / ln(1 - p_min))`` consecutive failures."""
    delta = check_delta(delta)
    if p_min >= 1.0:
        return 1
    de = delta / ((epoch + 1) * (epoch + 2))
    return max(1, math.ceil(math.log(de) / math.log1p(-p_min)))
