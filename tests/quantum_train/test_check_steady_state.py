"""``benchmarks/check_steady_state.py``, issue 24's check: its instrumented compare (CPU seconds and weight hashes
per iteration) and its figures, on a small instance."""

import json
from argparse import ArgumentTypeError, Namespace

import pytest

from tests._scripts import load_script


@pytest.fixture(scope="module")
def script():
    return load_script("benchmarks/check_steady_state.py")


def test_the_child_hashes_every_iterations_weights_and_times_its_phases(script, tmp_path, capsys):
    import quantum_train.experiments.comparison as comparison
    from quantum_train.core.costs import CostLedger

    before = (comparison.train, CostLedger.measure, CostLedger.new_iteration)
    out = tmp_path / "child.json"
    script.child(["compare", "--finders", "dense,drift", "--n", "48", "--m", "512", "--d", "6", "--iters", "7",
                  "--seed", "3", "--quiet", "--json", str(tmp_path / "c.json")], str(out))
    assert (comparison.train, CostLedger.measure, CostLedger.new_iteration) == before  # restored
    runs = {r["finder"]: r for r in json.loads(out.read_text())["runs"] if r["rows"] == 48}
    assert set(runs) == {"dense", "drift"}
    for r in runs.values():
        assert len(r["weight_hashes"]) == 8 and len(r["cpu_seconds_by_iteration"]) == 7
        assert all(s >= 0 for s in r["cpu_seconds_by_iteration"]) and sum(r["cpu_seconds_by_iteration"]) > 0
    assert len(set(runs["dense"]["weight_hashes"])) == 8  # W(0), ..., W(7): each step moves the weights
    assert runs["drift"]["weight_hashes"] == runs["dense"]["weight_hashes"]


def test_check_runs_compare_in_a_child_and_reports_ratios_from_the_steady_iteration(script, tmp_path):
    problem = script.Problem(48, "2^9", 6, 12, 1e-9)
    r = script.check(problem, 5, Namespace(steady_from=4, threads=1), str(tmp_path))
    assert r["weights_identical"] and r["iterations_hashed"] == 13 and r["passed"]
    dense, drift = r["series"]["dense"], r["series"]["drift"]
    assert r["ops_ratio"] == pytest.approx(sum(dense["ops"][4:]) / sum(drift["ops"][4:]))
    assert r["wall_ratio"] == pytest.approx(sum(dense["seconds"][4:]) / sum(drift["seconds"][4:]))
    assert r["cpu_ratio"] == pytest.approx(sum(dense["cpu_seconds"][4:]) / sum(drift["cpu_seconds"][4:]))
    assert len(dense["seconds"]) == len(drift["cpu_seconds"]) == 12


def test_seed_list(script):
    assert script.seed_list("11,12") == (11, 12)
    for bad in ("", "a", "-1", "3,3"):
        with pytest.raises(ArgumentTypeError):
            script.seed_list(bad)
