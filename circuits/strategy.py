"""Find-all strategies as a vectorised state machine (numba), one state per problem.

Modes: ``COUNT`` (run a counting circuit), ``EFF`` (Grover with the
query-efficient ``j`` for the estimated remaining count), ``BBHT`` (randomised
``j``, with certification once the range reaches its cap), ``DONE``.

- strategy ``"bbht"`` starts in ``BBHT``: ``j`` uniform in ``{0..ceil(M)-1}``;
  after a failure ``M <- min(lambda M, M_c)`` (BBHT 1998, ``lambda = 6/5``);
  after a success ``M <- max(1, M / lambda^s)`` (``s = shrink``), since one
  fewer item remains and the right scale barely moved. At ``M = M_c`` every
  attempt is a certification attempt (:mod:`circuits.certify`).
- strategy ``"counting"`` starts in ``COUNT``: the estimate ``r~`` of the
  remaining count drives ``EFF``; each success decrements it. It recounts
  (precision chosen for the current ``r~``) when ``r~`` falls below
  ``recount_factor`` x the estimate's error bound, or after ``max_eff_fails``
  consecutive failures (the estimate looks wrong); below ``tail`` items it
  switches to ``BBHT`` (with certification) for the rest.
"""

from __future__ import annotations

import math

from numba import njit

COUNT, EFF, BBHT, DONE = 0, 1, 2, 3
EFFICIENT_ANGLE = 1.1655611852072114  # (2j+1) theta maximising sin^2 x / x


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
def precision_for(r, n, eps, t_min, t_max):
    """Smallest ``t`` with BHMT bound ``2 pi sqrt(r(n-r))/T + pi^2 n/T^2 <= eps r``, clipped."""
    r = max(r, 1.0)
    for t in range(t_min, t_max + 1):
        T = 2.0 ** t
        if 2 * math.pi * math.sqrt(r * max(n - r, 0.0)) / T + math.pi ** 2 * n / (T * T) <= eps * r:
            return t
    return t_max


@njit(cache=True, nogil=True)
def cert_threshold(delta, pmin, epoch):
    if pmin >= 1.0:
        return 1
    de = delta / ((epoch + 1.0) * (epoch + 2.0))
    return max(1, int(math.ceil(math.log(de) / math.log1p(-pmin))))


@njit(cache=True, nogil=True)
def decide(ids, mode, M, cap, armed, epoch, cfails, r_est, next_t, num_states,
           kinds, params, capmode, rng):
    """Fill ``kinds``/``params``/``capmode`` for the active problems ``ids``."""
    for a in range(ids.shape[0]):
        p = ids[a]
        capmode[a] = False
        md = mode[p]
        if md == COUNT:
            kinds[a] = 1
            params[a] = next_t[p]
        elif md == EFF:
            kinds[a] = 0
            params[a] = efficient_j(max(1.0, math.floor(r_est[p] + 0.5)), num_states[p])
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
def update(ids, kinds, params, found, count_k, capmode,
           mode, M, cap, pmin, armed, epoch, cfails, efails, r_est, recount_at, next_t,
           k_first, num_states, num_qubits,
           delta, growth, shrink, eps, tail, recount_factor, max_eff_fails, t_max_extra):
    """Advance each active problem's state from its request's outcome."""
    for a in range(ids.shape[0]):
        p = ids[a]
        n = float(num_states[p])
        md = mode[p]
        if kinds[a] == 1:  # counting outcome
            T = 2.0 ** params[a]
            k = count_k[a]
            if math.isnan(k_first[p]):
                k_first[p] = k
            r_est[p] = k
            bound = 2 * math.pi * math.sqrt(k * max(n - k, 0.0)) / T + math.pi ** 2 * n / (T * T)
            efails[p] = 0
            if k < tail:
                mode[p] = BBHT
                M[p] = 1.0
            else:
                mode[p] = EFF
                recount_at[p] = min(recount_factor * bound, 0.5 * k)
            continue
        if md == EFF:
            if found[a] > 0:
                r_est[p] -= found[a]
                efails[p] = 0
            else:
                efails[p] += 1
            if r_est[p] < tail:
                mode[p] = BBHT
                M[p] = 1.0
            elif r_est[p] <= recount_at[p] or efails[p] >= max_eff_fails:
                mode[p] = COUNT
                next_t[p] = precision_for(r_est[p], n, eps, 1, num_qubits[p] + t_max_extra)
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
