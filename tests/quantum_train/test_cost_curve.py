"""The cost curve over iterations and the break-even iteration, on made-up series (and one real comparison)."""

import math

import pytest

from quantum_train.experiments.cost_curve import (
    LONG_RUN,
    STEADY_FROM,
    CostCurve,
    break_even_after,
    break_even_iters,
    steady_state,
    steady_state_cost,
)
from quantum_train.experiments.sweeps import fit


def brute_break_even(method: CostCurve, dense: CostCurve, limit: int = 100_000):
    for t in range(1, limit + 1):
        if method.total(t).total <= dense.total(t).total:
            return t
    return None


def test_steady_state_of_a_long_run_is_the_median_from_iteration_10():
    # iterations counted from 0 (issue 24: "iterations from 10 on, over a run of at least 30"): index 10 on
    series = [100.0] * 10 + [float(v) for v in range(1, 22)]  # K = 31: the median of 1..21
    assert steady_state(series) == 11.0
    assert steady_state([100.0] * 10 + [float(v) for v in range(1, 21)]) == 10.5  # K = 30: the median of 1..20
    assert steady_state_cost([5.0] * 29) is None and steady_state([5.0] * 29) == 5.0  # short: its median
    assert (STEADY_FROM, LONG_RUN) == (10, 30)


def test_steady_state_of_a_short_run_is_the_median_of_all_its_iterations():
    assert steady_state([9.0, 8.0, 3.0]) == 8.0  # the middle one, not the last alone
    assert steady_state([50.0, 40.0, 30.0, 5.0, 7.0, 6.0, 100.0]) == 30.0
    with pytest.raises(ValueError):
        steady_state([])


def test_total_is_exact_on_the_run_and_extended_beyond():
    curve = CostCurve(10.0, (5.0, 4.0, 3.0))
    inside = curve.total(2)
    assert inside.total == 19.0 and not inside.extended and inside.measured_iters == 2
    beyond = curve.total(10)
    assert beyond.extended and beyond.total == 10 + 12 + 7 * 4.0  # beyond: the run's median, 4
    assert beyond.preprocess + 10 * beyond.per_iteration == pytest.approx(beyond.total)
    assert curve.total(0).total == 10.0


def test_break_even_on_the_measured_part():
    dense = CostCurve(0.0, (10.0,) * 5)
    method = CostCurve(12.0, (4.0, 4.0, 4.0, 4.0, 4.0))  # 12 + 4T <= 10T from T = 2
    assert break_even_iters(method, dense) == 2 == brute_break_even(method, dense)


@pytest.mark.parametrize("pre, series, dense_series", [
    (1000.0, (9.0, 8.0, 7.0), (10.0, 10.0, 10.0)),       # pays on the extension: 1000 / (10 - 7) after K
    (333.0, (2.0, 12.0, 5.0), (10.0, 11.0, 9.5)),
    (50.0, tuple(range(40, 0, -1)), (20.0,) * 30),        # long run, costs falling below dense's
    (0.0, (11.0, 9.0), (10.0, 10.0, 10.0, 10.0)),         # different lengths
])
def test_break_even_closed_form_equals_brute_force(pre, series, dense_series):
    method, dense = CostCurve(pre, series), CostCurve(0.0, dense_series)
    expected = brute_break_even(method, dense)
    assert expected is not None and break_even_iters(method, dense) == expected


def test_never_pays_when_the_steady_state_is_not_cheaper():
    assert break_even_iters(CostCurve(1.0, (10.0, 10.0, 10.0)), CostCurve(0.0, (10.0, 10.0, 10.0))) is None
    assert break_even_iters(CostCurve(5.0, (12.0, 20.0, 20.0)), CostCurve(0.0, (10.0,) * 3)) is None


def test_comparison_total_and_break_even_use_the_curve():
    import quantum_train as qt

    result = qt.compare(m=1024, n=64, d=4, iters=4, finders="dense,weights-hsr:kdtree,drift", progress=False)
    totals = result.total(iters=50)
    for r in result.results:
        ops = totals[r.finder]["ops"]
        expected = r.preprocess.ops + math.fsum(r.ops_by_iteration) + 46 * steady_state(r.ops_by_iteration)
        assert ops.extended and ops.total == pytest.approx(expected)
    assert result.total()["dense"]["ops"].total == pytest.approx(math.fsum(result["dense"].ops_by_iteration))
    be = result.break_even_iters()
    assert set(be) == {"weights-hsr:kdtree", "drift"}
    for finder, ts in be.items():
        assert ts["ops"] == brute_break_even(result.curve(finder), result.curve("dense"))


def test_the_sweeps_use_the_one_rule_of_this_module():
    assert fit.steady_state_cost is steady_state_cost
    assert (fit.STEADY_FROM, fit.LONG_RUN) == (STEADY_FROM, LONG_RUN)
    assert fit.break_even_on_curves(20.0, [0.5] * 10 + [1.5] * 20, [2.0] * 30) == pytest.approx(
        break_even_after(CostCurve(20.0, [0.5] * 10 + [1.5] * 20), CostCurve(0.0, [2.0] * 30)))


def test_break_even_after_is_the_last_crossing_and_break_even_iters_the_first():
    dense = CostCurve(0.0, (2.0,) * 30)
    once = CostCurve(20.0, (0.5,) * 10 + (1.5,) * 20)  # crosses once, at T = 20
    assert break_even_after(once, dense) == pytest.approx(20.0) and break_even_iters(once, dense) == 20
    once_mid = CostCurve(10.0, (0.5,) * 10 + (1.5,) * 20)  # crosses once, inside iteration 7
    assert break_even_after(once_mid, dense) == pytest.approx(10 / 1.5)
    assert break_even_iters(once_mid, dense) == math.ceil(10 / 1.5)
    # ahead from T = 1 (1.5 <= 2), behind from T = 14 on, ahead again for good after T = 21
    twice = CostCurve(1.0, (0.5,) * 10 + (6.0,) * 5 + (1.0,) * 15)
    assert break_even_iters(twice, dense) == 1
    after = break_even_after(twice, dense)
    assert after == pytest.approx(21.0)  # gap D - F: +14 at T = 10, -6 at T = 15, then +1 per iteration
    for t in range(int(after) + 1, 200):
        assert twice.total(t).total < dense.total(t).total
    assert twice.total(int(after)).total >= dense.total(int(after)).total
    # dearer at steady state: ahead from T = 1 (the first notion), never for good (the second)
    dearer = CostCurve(1.0, (0.5,) * 10 + (2.5,) * 20)
    assert break_even_iters(dearer, dense) == 1 and break_even_after(dearer, dense) is None
    # dense's own preprocessing counts: cheaper from the start
    assert break_even_after(CostCurve(0.0, (1.0,) * 30), CostCurve(5.0, (2.0,) * 30)) == 0.0
