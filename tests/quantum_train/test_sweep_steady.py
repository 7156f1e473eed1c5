"""Run-length-aware sweep figures (issue 24): steady-state cost, totals on a measured cost curve, T* on curves."""

import pytest

from quantum_train.experiments.sweeps.fit import (
    LONG_RUN,
    STEADY_FROM,
    break_even_iterations,
    break_even_on_curves,
    break_evens,
    cost_over_iterations,
    steady_state_cost,
)
from quantum_train.experiments.sweeps.record import SweepPoint
from quantum_train.experiments.sweeps.report import format_crossovers, format_points


def test_steady_state_is_the_median_from_iteration_10_of_a_long_run():
    assert (STEADY_FROM, LONG_RUN) == (10, 30)
    assert steady_state_cost([1.0, 2.0, 3.0]) is None
    assert steady_state_cost([1.0] * 29) is None
    series = [100.0] * 10 + [float(t) for t in range(20)]  # warm-up 100, then 0..19
    assert steady_state_cost(series) == pytest.approx(9.5)


def test_cost_over_iterations_sums_the_run_then_extends_it_by_its_steady_median():
    assert cost_over_iterations([4.0, 4.0, 4.0], 2) == 8.0
    assert cost_over_iterations([4.0, 4.0, 4.0], 7.5) == pytest.approx(30.0)  # constant c: c T
    assert cost_over_iterations([1.0, 3.0], 1.5) == pytest.approx(2.5)  # half of the second iteration
    assert cost_over_iterations([3.0, 1.0, 2.0], 5) == pytest.approx(6.0 + 2 * 2.0)  # short run: its median beyond
    assert cost_over_iterations([3.0, 1.0, 2.0, 5.0, 4.0, 0.5], 7) == pytest.approx(15.5 + 2.5)  # median of all six
    warm = [5.0] * 10 + [1.0] * 20
    assert cost_over_iterations(warm, 30) == 70.0
    assert cost_over_iterations(warm, 40) == 80.0  # beyond: the steady 1, not the run's mean 7/3
    growing = [1.0] * 10 + [2.0] * 10 + [3.0] * 10
    assert cost_over_iterations(growing, 32) == pytest.approx(60.0 + 2 * 2.5)
    for bad in ([], [[1.0]]):
        with pytest.raises(ValueError):
            cost_over_iterations(bad, 1)
    with pytest.raises(ValueError):
        cost_over_iterations([1.0], -1)


def test_break_even_on_constant_curves_is_the_closed_form():
    for pre, c, c0 in ((1000.0, 60.0, 100.0), (0.0, 60.0, 100.0), (7.0, 1.0, 3.5), (1000.0, 100.0, 100.0),
                       (5.0, 120.0, 100.0)):
        for length in (1, 3, 30):
            got = break_even_on_curves(pre, [c] * length, [c0] * length)
            want = break_even_iterations(pre, c, c0)
            assert (got is None) == (want is None), (pre, c, c0, length)
            if want is not None:
                assert got == pytest.approx(want)


def test_break_even_on_curves_follows_a_cost_that_grows_after_warm_up():
    dense = [2.0] * 30
    finder = [0.5] * 10 + [1.5] * 20  # cheap early, dearer from iteration 10 (drift's re-checks)
    # a 3-iteration mean times T says 20 / (2 - 0.5) = 13.3; the curve has paid back 15 of 20 at T = 10,
    # then gains 0.5 per iteration: the last 5 take 10 more.
    assert break_even_iterations(20.0, 0.5, 2.0) == pytest.approx(40 / 3)
    assert break_even_on_curves(20.0, finder, dense) == pytest.approx(20.0)
    # paid back inside the run: the crossing is interpolated within an iteration
    assert break_even_on_curves(10.0, finder, dense) == pytest.approx(10 / 1.5)
    # beyond the run: 20 + 15 = 35 to recover, 15 by T = 10, 10 more by T = 30, then 0.5 per iteration
    assert break_even_on_curves(35.0, finder, dense) == pytest.approx(30 + 10 / 0.5)
    # dearer than dense at steady state: never pays back over a long run, though ahead for a while
    assert break_even_on_curves(1.0, [0.5] * 10 + [2.5] * 20, dense) is None
    # the same steady cost as dense: ahead for ever once ahead at the end of the run
    assert break_even_on_curves(5.0, [1.0] * 10 + [2.0] * 20, dense) == pytest.approx(5.0)
    assert break_even_on_curves(15.0, [1.0] * 10 + [2.0] * 20, dense) is None
    # dense's warm-up pays 5 of 6 in two iterations, the rest at 0.5 per iteration: T* = 4, where a
    # 3-iteration mean (2.83 against 1) says 3.27
    assert break_even_iterations(6.0, 1.0, 8.5 / 3) == pytest.approx(6 / (8.5 / 3 - 1))
    assert break_even_on_curves(6.0, [1.0] * 30, [4.0, 3.0] + [1.5] * 28) == pytest.approx(4.0)


def point(finder, m, ops_series, secs_series, pre=0.0, seed=0):
    rec = {"finder": finder, "d": 4, "n": 64, "m": m, "seed": seed,
           "ops_per_iter": sum(ops_series) / len(ops_series), "find_ops_per_iter": 1.0,
           "seconds_per_iter": sum(secs_series) / len(secs_series), "find_seconds_per_iter": 0.0,
           "preprocess": {"ops": pre, "seconds": pre * 1e-3}, "fired_per_input": 1.0,
           "expected_fired_per_input": 1.0, "final_loss": 1.0, "seconds_label": "wall", "key": {"b": None},
           "ops_by_iteration": list(ops_series), "seconds_by_iteration": list(secs_series)}
    return SweepPoint.from_record(rec)


def long_run_points():
    dense = [point("dense", 1024, [200.0] * 30, [2e-3] * 30, seed=s) for s in (0, 1)]
    drift = [point("drift", 1024, [20.0] * 10 + [40.0 + 20 * s] * 20, [1e-4] * 10 + [4e-4] * 20, pre=600.0, seed=s)
             for s in (0, 1)]
    return dense + drift


def test_break_evens_and_tables_report_steady_state_beside_the_short_run():
    pts = long_run_points()
    (e,) = break_evens(pts)
    assert e.ratio_ops_steady == pytest.approx(50.0 / 200.0)  # seeds averaged iteration by iteration: 40, 60 -> 50
    assert e.ratio_seconds_steady == pytest.approx(0.2)
    assert e.ratio_ops == pytest.approx((10 * 20 + 20 * 50) / 30 / 200)
    # 600 to recover, 1800 gained by iteration 10: inside the run, 600 / 180
    assert e.t_star_ops == pytest.approx(600 / 180)
    assert e.to_dict()["ratio_ops_vs_dense_steady"] == pytest.approx(0.25)
    table = format_points(pts)
    assert "ops/iter 0-2" in table and "s/iter 10+" in table
    drift_row = next(line for line in table.splitlines() if line.startswith("drift"))
    assert drift_row.split()[-4:-2] == ["20", "50"]  # first three iterations' mean, steady median
    from quantum_train.experiments.sweeps.fit import crossovers

    crosses = format_crossovers([e], crossovers(pts))
    assert "ops vs dense 10+" in crosses and "0.25" in crosses


def test_short_runs_keep_the_old_tables_and_t_star():
    pts = [point("dense", 1024, [200.0, 190.0, 180.0], [1.0] * 3), point("tree", 1024, [100.0] * 3, [0.5] * 3, 900.0)]
    (e,) = break_evens(pts)
    assert e.ratio_ops_steady is None and e.ratio_seconds_steady is None
    assert e.t_star_ops == pytest.approx(900 / 90)  # 300 by T = 3, then dense's median 190 against 100
    assert "10+" not in format_points(pts) and "10+" not in format_crossovers([e], [])
