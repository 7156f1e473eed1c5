"""The threshold ``b`` as a sweep axis: parsed lists, points and keys per ``b``, fits kept apart per ``b``."""

import argparse
import json

import pytest

from quantum_train.core.model import default_threshold
from quantum_train.errors import ConfigError
from quantum_train.experiments.sweeps import Sweep, plan, sweep
from quantum_train.face.cli import main
from quantum_train.face.commands.sweep import threshold_list


def test_threshold_list_parses_default_and_numbers():
    assert threshold_list("default,3,4") == (None, 3.0, 4.0)
    assert threshold_list("2.5") == (2.5,)
    for bad in ("3,nan", "inf", "3,,4", "3,3.0", "x"):
        with pytest.raises(argparse.ArgumentTypeError):
            threshold_list(bad)


def test_plan_validates_and_sorts_thresholds():
    config = plan(finders="dense", m=(2**8,), d=2, n=8, seeds=(0,), iters=1, b=(4, None, 3))
    assert config.bs == (None, 3.0, 4.0)
    assert {p.b for p in config.points()} == {None, 3.0, 4.0}
    assert plan(finders="dense", m=(2**8,), d=2, n=8, seeds=(0,), iters=1, b=3).b == 3.0  # one value stays scalar
    for bad in ((), (3, float("nan")), (3, 3.0), ("3",)):
        with pytest.raises(ConfigError) as err:
            plan(finders="dense", m=(2**8,), d=2, n=8, seeds=(0,), iters=1, b=bad)
        assert err.value.field == "b"


def test_sweep_over_b_keeps_records_and_fits_apart(tmp_path):
    store = tmp_path / "points.jsonl"
    result = sweep(finders="dense,corr-dtree", m=(2**8, 2**9), d=4, n=32, seeds=(0,), iters=2, b=(None, 3.0),
                   json=str(store))
    assert isinstance(result, Sweep) and [b for b, _ in result.slices] == [None, 3.0]
    records = [json.loads(line) for line in store.read_text().splitlines()]
    assert len(records) == 2 * 2 * 2
    for r in records:  # each record carries its threshold: the key's (None: default) and the one used
        assert r["key"]["b"] in (None, 3.0)
        assert r["b"] == (default_threshold(r["m"]) if r["key"]["b"] is None else 3.0)
    for b, part in result.slices:
        assert {p.b_fixed for p in part.points} == {b}
        assert len(part.exponents) == 2  # dense and corr-dtree, fitted on this b's two widths only
    assert len(result.exponents) == 4 and len(result.to_dict()["slices"]) == 2
    text = result.table()
    assert "== b = default" in text and "== b = 3" in text
    # at b = 3 few pairs fire, and the trees do fewer ops per iteration than dense
    at3 = {(p.finder, p.m): p.ops_per_iter for p in dict(result.slices)[3.0].points}
    assert at3[("corr-dtree", 2**9)] < at3[("dense", 2**9)]
    # the CLI resumes from the store: nothing runs again
    assert main(["sweep", "--finders", "dense,corr-dtree", "--m", "2^8,2^9", "--d", "4", "--n", "32", "--seeds", "0",
                 "--iters", "2", "--b", "default,3", "--json", str(store), "--quiet"]) == 0
    assert len(store.read_text().splitlines()) == 8



def test_sweep_takes_the_gate_cost_convention_and_keeps_old_keys():
    """--uncompute/--adder reach the Grover finders' gate cost; at their defaults the keys are as before (resume)."""
    from quantum_train.experiments.sweeps.config import PointSpec

    assert "uncompute" not in PointSpec("grover-emulator", 4, 8, 64, 0, "synthetic", 1).key()
    assert PointSpec("grover-emulator", 4, 8, 64, 0, "synthetic", 1, uncompute="unitary").key()["uncompute"] == "unitary"
    result = sweep(finders="grover-emulator", m=64, n=8, d=4, seeds=0, iters=1, uncompute="unitary", adder="cdkm",
                      progress=False)
    record = result.records[0]
    assert record["key"]["uncompute"] == "unitary" and record["extras"]["uncompute"] == "unitary"
    assert record["extras"]["adder"] == "cdkm"
