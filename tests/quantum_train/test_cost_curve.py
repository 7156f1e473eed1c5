"""The cost curve over iterations and the break-even iteration, on made-up series (and one real comparison)."""

import math

import pytest

from quantum_train.experiments.cost_curve import CostCurve, break_even_iters, steady_state


def brute_break_even(method: CostCurve, dense: CostCurve, limit: int = 100_000):
    for t in range(1, limit + 1):
        if method.total(t).total <= dense.total(t).total:
            return t
    return None


def test_steady_state_of_a_long_run_is_the_median_from_iteration_10():
    series = [100.0] * 9 + [float(v) for v in range(1, 22)]  # K = 30: the median of 1..21
    assert steady_state(series) == 11.0


def test_steady_state_of_a_short_run_is_the_median_of_its_last_third():
    assert steady_state([9.0, 8.0, 3.0]) == 3.0  # ceil(3/3) = 1 iteration
    assert steady_state([50.0, 40.0, 30.0, 5.0, 7.0, 6.0, 100.0]) == 7.0  # last ceil(7/3) = 3: 6, 100, 7
    with pytest.raises(ValueError):
        steady_state([])


def test_total_is_exact_on_the_run_and_extended_beyond():
    curve = CostCurve(10.0, (5.0, 4.0, 3.0))
    inside = curve.total(2)
    assert inside.total == 19.0 and not inside.extended and inside.measured_iters == 2
    beyond = curve.total(10)
    assert beyond.extended and beyond.total == 10 + 12 + 7 * 3.0
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
