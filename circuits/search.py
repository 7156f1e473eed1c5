"""Find all marked items: strategies, lockstep batching, and the one query ledger.

**Query accounting** (done here, once, for every executor; Aer, the emulator
and hardware runs are costed alike). Per problem:

- ``grover``: each Grover iteration applied is one oracle query per shot
  (a request with ``j`` iterations and ``s`` shots costs ``j s``);
- ``check``: each measured index classically checked is one query. An index
  that is padding (``>= m``) or already found is known without a query;
- ``counting``: a counting circuit with ``t`` precision qubits applies
  ``2^t - 1`` controlled Grover operators: ``(2^t - 1) s`` queries.

A query is one coherent oracle call, which presumes QRAM-style access to the
items; it is not a gate count.

**Strategies** (:mod:`circuits.strategy` holds the state machine):

- ``"bbht"``: unknown ``k`` (Boyer, Brassard, Hoyer, Tapp, "Tight bounds on
  quantum searching", 1998): ``j`` uniform below ``M``, ``M <- min(6/5 M, M_c)``
  after a failure; every found item is removed from the oracle.
- ``"counting"``: one quantum-counting circuit (Brassard, Hoyer, Mosca, Tapp
  2002) with ``t = ceil(q/2)`` qubits, then a posterior over the marked count
  updated from the counting readout's exact law and every attempt's success
  or failure (``P(success) = sin^2((2j+1) theta_r)``); each attempt uses the
  ``j`` maximising expected successes per query under the posterior. No
  recounts; below ``tail`` estimated items at the count it runs as BBHT.

**Certification** (both strategies): the search declares "none left" only at
the end of a *certification epoch* that failed throughout. Epoch ``e`` gets
``delta_e = delta / ((e+1)(e+2))`` (these sum to ``delta``). Two kinds of epoch
share one counter:

- uniform (BBHT strategies, and ``counting`` past its designed epochs):
  ``c_e`` consecutive failures at the capped range ``M_c`` with ``j`` uniform,
  ``(1 - p_min)^c_e <= delta_e`` (exact ``p_min >= 1/4`` from BBHT Lemma 2);
- designed (``counting``): a fixed sequence ``j_1..j_c`` with
  ``max_{1 <= r <= min(m, N-1)} prod_i cos^2((2 j_i + 1) theta_r) <= delta_e``,
  checked exactly over every ``r``; about half the queries of the uniform rule.

Either way, if an item remains when epoch ``e`` starts, the epoch ends in
"none left" with probability ``<= delta_e`` whatever came before, so by the
union bound ``P(stop while a marked item remains) <= delta`` per problem, for
every marked set (derivations in :mod:`circuits.certify` and
:mod:`circuits.strategy`). The posterior only decides *when* to start an
epoch; the bound does not depend on it being right. Stopping because every
one of the ``m`` items has been found is exact.

**Batching**: :func:`find_all_many` advances many problems in lockstep; each
round sends every active problem's next request in one :class:`Batch`
(one ``AerSimulator.run`` call; one numba pass in the emulator).
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from typing import Sequence

import numpy as np

from circuits import strategy as sm
from circuits.certify import certification_range, certification_sequence, check_delta
from circuits.counting import estimate_count
from circuits.executors import COUNTING, Batch, Executor
from circuits.marked import MarkedSets
from circuits.problem import SearchProblem


@dataclass(frozen=True)
class FindAllStrategy:
    """Parameters of a find-all strategy (``name`` is ``"bbht"`` or ``"counting"``).

    ``growth``: BBHT's ``lambda`` (6/5). ``shrink``: ``M`` is divided by this
    after a success. ``cap``: ``"optimal"`` or ``"sqrt"`` (see
    :func:`circuits.certify.certification_range`). Counting only:
    ``first_extra``: the count uses ``t = ceil(q/2) + first_extra`` precision
    qubits; ``tail``: if that estimate is below ``tail`` items, continue as
    BBHT; ``counting_shots``: shots of the count (the readout with the median
    estimate is used); ``arm``: arm a certification epoch once the posterior
    puts ``>= 1 - arm`` on "none left"; ``cert_epochs``: designed
    certification sequences for this many epochs (later epochs use the
    uniform rule).
    """

    name: str = "counting"
    growth: float = 6 / 5
    shrink: float = 1.44
    cap: str = "optimal"
    first_extra: int = 0
    tail: float = 30.0
    counting_shots: int = 1
    arm: float = 0.2
    cert_epochs: int = 2

    def widest_circuit_qubits(self, num_qubits: int) -> int:
        """Qubits of the widest circuit this strategy builds for ``num_qubits`` index qubits.

        Counting adds its ``t = ceil(q/2) + first_extra`` precision qubits; BBHT
        runs Grover circuits on the index register alone.
        """
        q = int(num_qubits)
        return q + max(1, (q + 1) // 2 + self.first_extra) if self.name == "counting" else q

    @property
    def label(self) -> str:
        """``name``, plus ``"_warm"`` for BBHT that does not restart ``M`` at 1."""
        if self.name == "bbht" and math.isfinite(self.shrink):
            return "bbht_warm"
        return self.name

    def __post_init__(self) -> None:
        if self.name not in ("bbht", "counting"):
            raise ValueError(f"strategy name must be 'bbht' or 'counting', got {self.name!r}")
        if not self.growth > 1:
            raise ValueError(f"growth must be > 1, got {self.growth}")
        if not self.shrink >= 1:
            raise ValueError(f"shrink must be >= 1, got {self.shrink}")
        if self.counting_shots < 1 or not 0 < self.arm < 1 or self.cert_epochs < 0:
            raise ValueError("need counting_shots >= 1, 0 < arm < 1 and cert_epochs >= 0")


#: ``"bbht"``: textbook BBHT restarted at ``M = 1`` after each found item;
#: ``"bbht_warm"``: our variant, ``M`` only shrinks by ``lambda^2`` after a find
#: (about 2.1-2.2 sqrt(m k) queries instead of 3.3-3.4 at k = 1 % of m);
#: ``"counting"``: quantum counting first (tuned defaults above).
STRATEGIES = {"bbht": FindAllStrategy("bbht", shrink=math.inf),
              "bbht_warm": FindAllStrategy("bbht", shrink=(6 / 5) ** 2),
              "counting": FindAllStrategy("counting")}


def as_strategy(strategy: str | FindAllStrategy) -> FindAllStrategy:
    if isinstance(strategy, FindAllStrategy):
        return strategy
    if strategy not in STRATEGIES:
        raise ValueError(f"unknown strategy {strategy!r}; choose one of {sorted(STRATEGIES)} "
                         f"or pass a FindAllStrategy")
    return STRATEGIES[strategy]


@dataclass(frozen=True)
class FindAllResult:
    """Outcome of one find-all search.

    ``found``: sorted indices found (all verified marked by a classical check).
    ``queries``: total oracle queries, ``= sum(queries_by_kind.values())`` with
    kinds ``"grover"``, ``"check"``, ``"counting"`` (module docstring).
    ``rounds``: requests (circuits) run for this problem. ``k_estimate``: the
    first quantum-counting estimate (``None`` for BBHT). ``certified``: stopped by
    the certification rule (``False``: stopped by ``max_rounds``).
    """

    found: np.ndarray = field(repr=False)
    queries: int
    queries_by_kind: dict
    rounds: int
    k_estimate: float | None
    certified: bool
    strategy: str
    executor: str
    delta: float
    num_items: int

    @property
    def num_found(self) -> int:
        return int(self.found.size)


def _check_problems(problems) -> list[SearchProblem]:
    if isinstance(problems, SearchProblem):
        raise TypeError("problems must be a sequence of SearchProblem; use find_all for one")
    problems = list(problems)
    if not problems:
        raise ValueError("problems is empty; pass at least one SearchProblem")
    for i, p in enumerate(problems):
        if not isinstance(p, SearchProblem):
            raise TypeError(f"problems[{i}] must be a SearchProblem, got {type(p).__name__}")
    return problems


def _cert_tables(ms: MarkedSets, delta: float, epochs: int):
    """Designed certification sequences of each problem for epochs ``0..epochs-1``, flattened."""
    P = len(ms)
    start = np.zeros((P, epochs), dtype=np.int64)
    length = np.zeros((P, epochs), dtype=np.int64)
    chunks: list[np.ndarray] = []
    where: dict = {}
    pos = 0
    for p in range(P):
        m, q = int(ms.num_items[p]), int(ms.num_qubits[p])
        for e in range(epochs):
            key = (m, q, e)
            if key not in where:
                seq = certification_sequence(m, q, delta, e)
                where[key] = (pos, seq.size)
                chunks.append(seq)
                pos += seq.size
            start[p, e], length[p, e] = where[key]
    flat = np.concatenate(chunks) if chunks else np.zeros(1, dtype=np.int64)
    return sm.CertTables(flat.astype(np.int64), start, length)


def find_all_many(problems: Sequence[SearchProblem], executor: Executor,
                  strategy: str | FindAllStrategy = "counting", delta: float = 1e-3,
                  seed: int | np.random.Generator | None = None, shots: int = 1,
                  max_rounds: int | None = None) -> list[FindAllResult]:
    """Find all marked items of every problem, in lockstep batches; one result per problem.

    ``delta`` bounds, per problem, the probability that the search stops while
    a marked item remains. ``shots`` per Grover request (1 is query-optimal: a
    found item is removed before the next attempt). ``seed`` (or a
    ``numpy.random.Generator``) drives every random choice, including the
    executor's. ``max_rounds`` caps the rounds (results then say
    ``certified=False``).
    """
    problems = _check_problems(problems)
    if not isinstance(executor, Executor):
        raise TypeError(f"executor must be an Executor (AerExecutor, EmulatedExecutor, ...), "
                        f"got {type(executor).__name__}")
    strat = as_strategy(strategy)
    delta = check_delta(delta)
    if isinstance(shots, bool) or not isinstance(shots, (int, np.integer)) or shots < 1:
        raise ValueError(f"shots must be an integer >= 1, got {shots!r}")
    rng = seed if isinstance(seed, np.random.Generator) else np.random.default_rng(seed)
    ms = MarkedSets(problems)
    P = len(problems)
    if max_rounds is None:
        max_rounds = 20 * int(ms.num_items.max()) + 10_000

    nq = ms.num_qubits
    cap = np.empty(P, dtype=np.int64)
    pmin = np.empty(P)
    for p in range(P):
        cap[p], pmin[p] = certification_range(int(ms.num_items[p]), int(nq[p]), strat.cap)
    counting = strat.name == "counting"
    st = sm.new_state(ms.num_states, ms.num_items, cap, pmin,
                      next_t=np.maximum(1, (nq + 1) // 2 + strat.first_extra),
                      counting=counting, cert=_cert_tables(ms, delta, strat.cert_epochs if counting else 0))
    rules = sm.Rules(float(delta), float(strat.growth), float(strat.shrink), float(strat.tail), float(strat.arm))
    q_grover = np.zeros(P, dtype=np.int64)
    q_check = np.zeros(P, dtype=np.int64)
    q_count = np.zeros(P, dtype=np.int64)
    attempts = np.zeros(P, dtype=np.int64)
    found_idx: list[np.ndarray] = []
    found_prob: list[np.ndarray] = []

    active = np.arange(P, dtype=np.int64)
    rounds = 0
    while active.size and rounds < max_rounds:
        rounds += 1
        n = active.size
        req = sm.Requests(active, np.empty(n, dtype=np.int64), np.empty(n, dtype=np.int64),
                          np.empty(n, dtype=np.bool_))
        sm.decide(st, req, rng)
        kinds, params = req.kinds, req.params
        is_count = kinds == COUNTING
        any_count = bool(is_count.any())
        shot_arr = np.where(is_count, strat.counting_shots, shots) if any_count else np.full(n, shots, dtype=np.int64)
        batch = Batch(ms, active, kinds, params, shot_arr)
        outcomes, off = executor.run(batch, rng)

        # ---- the query ledger: identical for every executor
        attempts[active] += 1
        if any_count:
            q_grover[active] += np.where(is_count, 0, params * shot_arr)
            q_count[active] += np.where(is_count, (np.left_shift(1, params) - 1) * shot_arr, 0)
        else:
            q_grover[active] += params * shot_arr
        is_new, checks, found = ms.check(active, off, outcomes, kinds)
        q_check[active] += checks
        if found.any():
            found_idx.append(outcomes[is_new])
            found_prob.append(np.repeat(active, shot_arr)[is_new])

        count_y = np.zeros(n, dtype=np.int64)
        if any_count:
            for a in np.flatnonzero(is_count):
                p = active[a]
                ys = outcomes[off[a]:off[a + 1]]
                est = estimate_count(ys, int(params[a]), int(ms.num_states[p]))
                count_y[a] = ys[np.argsort(est, kind="stable")[(ys.size - 1) // 2]]
        sm.update(st, req, sm.Outcomes(shot_arr.astype(np.int64), found.astype(np.int64), count_y), rules)
        still = st.mode[active] != sm.DONE
        if not still.all():
            active = active[still]

    if found_idx:
        fi = np.concatenate(found_idx)
        fp = np.concatenate(found_prob)
        order = np.lexsort((fi, fp))
        fi, fp = fi[order], fp[order]
        bounds = np.searchsorted(fp, np.arange(P + 1))
    else:
        fi = np.zeros(0, dtype=np.int64)
        bounds = np.zeros(P + 1, dtype=np.int64)
    name = getattr(executor, "name", type(executor).__name__)
    results = []
    for p in range(P):
        by_kind = {"grover": int(q_grover[p]), "check": int(q_check[p]), "counting": int(q_count[p])}
        results.append(FindAllResult(
            found=fi[bounds[p]:bounds[p + 1]].copy(),
            queries=sum(by_kind.values()),
            queries_by_kind=by_kind,
            rounds=int(attempts[p]),
            k_estimate=None if math.isnan(st.k_first[p]) else float(st.k_first[p]),
            certified=bool(st.mode[p] == sm.DONE),
            strategy=strat.label,
            executor=name,
            delta=delta,
            num_items=int(ms.num_items[p]),
        ))
    return results


def find_all(problem: SearchProblem, executor: Executor, strategy: str | FindAllStrategy = "counting",
             delta: float = 1e-3, seed: int | np.random.Generator | None = None,
             shots: int = 1, max_rounds: int | None = None) -> FindAllResult:
    """:func:`find_all_many` for one problem."""
    if not isinstance(problem, SearchProblem):
        raise TypeError(f"problem must be a SearchProblem, got {type(problem).__name__}")
    return find_all_many([problem], executor, strategy, delta, seed, shots, max_rounds)[0]
