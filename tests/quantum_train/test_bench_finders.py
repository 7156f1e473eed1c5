"""``benchmarks/bench_finders.py``'s steady-state table: warm-up apart, per-iteration minimum over rounds, ratios
to dense on the same iterations (counts made up here, so the expected figures are known)."""

from argparse import Namespace

import pytest

from tests._scripts import load_script


@pytest.fixture(scope="module")
def bench():
    return load_script("benchmarks/bench_finders.py")


def run(seconds, ops):
    return {"seconds_by_iteration": seconds, "cpu_seconds_by_iteration": [s / 2 for s in seconds],
            "ops_by_iteration": ops}


def test_steady_state_splits_warm_up_and_takes_the_least_of_the_rounds(bench, capsys):
    dense = [run([4.0] * 3 + [2.0] * 5, [100] * 8), run([3.0] * 3 + [2.0, 9.0, 2.0, 2.0, 2.0], [100] * 8)]
    drift = [run([1.0] * 3 + [0.5, 0.5, 0.1, 0.5, 0.5], [5] * 3 + [10] * 5)]
    table = bench.steady_state_table(Namespace(steady_from=3, iters=8), 4, {"dense": dense, "drift": drift})
    assert table["dense"]["steady_sum_seconds"] == 10.0  # the 9.0 of round 2 is round 1's 2.0
    assert table["dense"]["warm_up_median_seconds"] == 3.0
    assert table["drift"]["steady_median_seconds"] == 0.5
    assert table["drift"]["vs_dense"]["wall"] == pytest.approx(10.0 / 2.1)
    assert table["drift"]["vs_dense"]["cpu"] == pytest.approx(10.0 / 2.1)
    assert table["drift"]["vs_dense"]["ops"] == 10.0
    assert table["drift"]["vs_dense"]["warm_up"] == 3.0
    assert "iterations 3-7 of 8" in capsys.readouterr().out


def test_no_steady_state_in_a_short_run(bench, capsys):
    rows = {"dense": [run([1.0] * 4, [1] * 4)]}
    assert bench.steady_state_table(Namespace(steady_from=10, iters=4), 4, rows) is None
    assert "no steady-state table" in capsys.readouterr().out
