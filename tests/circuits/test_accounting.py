"""Query accounting checked by hand on scripted runs (a fake executor)."""

from __future__ import annotations

import math

import numpy as np

from circuits import Batch, EmulatedExecutor, Executor, SearchProblem, find_all
from circuits.certify import certification_failures, certification_range


class Scripted(Executor):
    """Returns scripted outcomes, one list per round; records the requests."""

    name = "scripted"

    def __init__(self, script):
        self.script = list(script)
        self.requests = []

    def run(self, batch: Batch, rng):
        self.requests.append((batch.kinds.tolist(), batch.params.tolist(), batch.shots.tolist()))
        out = np.array(self.script.pop(0), dtype=np.int64)
        off = batch.shot_offsets
        assert out.size == off[-1]
        return out, off


def test_bbht_accounting_and_certification_by_hand():
    # m = 3 items on q = 2 qubits (index 3 is padding), item 1 marked, delta = 0.5.
    # certification: M_c = 2 (the only admissible integer for N = 4), p_min = 3/8
    # (k = 3: j = 0 gives 3/4, j = 1 gives sin^2(pi) = 0); epoch 0 needs
    # ceil(ln(0.25) / ln(5/8)) = 3 consecutive failures.
    cap, pmin = certification_range(3, 2)
    assert cap == 2 and abs(pmin - 0.375) < 1e-12
    assert certification_failures(0.5, 0.375, 0) == 3
    script = [[0], [3], [1], [1], [2], [0], [0], [0], [0], [0]]
    ex = Scripted(script)
    r = find_all(SearchProblem(3, [1]), ex, strategy="bbht", delta=0.5, seed=0)
    # rounds: M = 1, 1.2, 1.44 (found, reset to 1), 1, 1.2, 1.44, 1.728, then M = 2 = M_c:
    # three certification failures -> stop after 10 rounds.
    assert r.rounds == 10 and r.certified and ex.script == []
    np.testing.assert_array_equal(r.found, [1])
    js = [p[0] for _, p, _ in ex.requests]
    assert js[0] == 0 and js[3] == 0  # M = 1 admits only j = 0
    # checks: 0 (unmarked item), 3 padding: free, 1 (found), 1 again: known, free,
    # 2, 0, 0, 0, 0, 0: one each -> 8 checks
    assert r.queries_by_kind == {"grover": sum(js), "check": 8, "counting": 0}
    assert r.queries == sum(js) + 8


def test_counting_accounting_by_hand():
    # m = 16 (q = 4): first count uses t = ceil(4/2) = 2 -> 2^2 - 1 = 3 queries per shot.
    # readout y = 0 -> estimate 0 -> BBHT tail; script then certifies with failures.
    pr = SearchProblem(16, [5])
    cap, pmin = certification_range(16, 4)
    c0 = certification_failures(1e-3, pmin, 0)
    grow = math.ceil(math.log(cap) / math.log(1.2))  # failures before M reaches M_c
    script = [[0]] + [[0]] * 0 + [[5]] + [[0]] * (grow + c0)
    ex = Scripted(script)
    r = find_all(pr, ex, strategy="counting", delta=1e-3, seed=1)
    kinds = [k[0] for k, _, _ in ex.requests]
    assert kinds[0] == 1 and ex.requests[0][1] == [2]
    assert r.queries_by_kind["counting"] == 3
    assert r.k_estimate == 0.0
    np.testing.assert_array_equal(r.found, [5])
    js = [p[0] for k, p, _ in ex.requests[1:]]
    # one check per Grover round (5 once, then item 0 each time)
    assert r.queries_by_kind["check"] == len(js)
    assert r.queries_by_kind["grover"] == sum(js)
    assert r.rounds == len(ex.requests) and ex.script == []


def test_shots_cost_per_shot():
    # with 4 shots per request, each request costs 4 j Grover queries
    class Spy(EmulatedExecutor):
        def __init__(self):
            self.log = []

        def run(self, batch, rng):
            self.log.append((batch.params.copy(), batch.shots.copy()))
            return super().run(batch, rng)

    ex = Spy()
    r = find_all(SearchProblem(64, [1, 2, 3]), ex, strategy="bbht", shots=4, seed=3)
    assert r.queries_by_kind["grover"] == sum(int((p * s).sum()) for p, s in ex.log)
    assert all((s == 4).all() for _, s in ex.log)
