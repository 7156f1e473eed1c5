"""``--oracle arithmetic`` / ``--bits`` / ``--memory`` in compare and find-fired, and the gate-cost figure."""

import json

import numpy as np
import pytest

from circuits.fixed_point import fixed_point_instance
from circuits.resources import query_cost
from quantum_train.core.model import ShiftedReLUNet
from quantum_train.data.datasets import synthetic
from quantum_train.face.cli import main


def _row(doc, finder):
    return next(r for r in doc["results"] if r["finder"] == finder)


def test_compare_trains_with_the_arithmetic_oracle(tmp_path, capsys):
    out = tmp_path / "c.json"
    assert main(["compare", "--oracle", "arithmetic", "--bits", "3", "--finders", "dense,grover-aer", "--m", "6",
                 "--n", "2", "--d", "2", "--iters", "1", "--strategy", "bbht_warm", "--quiet", "--json", str(out)]) == 0
    text = capsys.readouterr().out
    assert "quantized recall 1.0000" in text and "gate cost" in text
    doc = json.loads(out.read_text())
    row = _row(doc, "grover-aer")
    assert row["oracle"] == "arithmetic" and row["bits"] == 3
    assert row["quantized_recall"] == 1.0
    assert "matrix-product-state" in row["executor"]
    # flips recomputed independently from the same initial network and data
    cfg = doc["config"]
    net = ShiftedReLUNet.initialize(6, 2, seed=0, b=cfg["b"])
    X = synthetic(2, 2, seed=0).X
    flips = 0
    for x in X:
        exact = np.flatnonzero(net.W @ x > net.b)
        flips += np.setxor1d(fixed_point_instance(net.W, x, net.b, 3).marked(), exact).size
    assert row["quantization_flips"] == flips
    assert 0 <= row["recall"] <= 1 and row["missed"] >= 0
    cost = query_cost(6, 2, 3, "qrom", "all_coordinates")  # the layout of the measured circuit that ran on Aer
    assert row["toffoli_per_query"] == cost.toffoli and row["gate_cost_memory"] == "qrom"
    assert row["uncompute"] == "measurement" and row["adder"] == "gidney"
    assert row["gate_cost_layout"] == "all_coordinates" and "measured ANDs" in row["gate_cost_note"]
    assert row["gate_cost_toffoli"] >= row["quantum_queries"] * cost.toffoli > 0


def test_table_oracle_reports_gate_cost_under_the_chosen_memory(tmp_path):
    out = tmp_path / "c.json"
    assert main(["compare", "--finders", "dense,grover-emulator", "--m", "256", "--n", "4", "--d", "4",
                 "--iters", "2", "--memory", "selectswap", "--bits", "8", "--uncompute", "unitary", "--adder", "cdkm",
                 "--quiet", "--json", str(out)]) == 0
    row = _row(json.loads(out.read_text()), "grover-emulator")
    assert row["oracle"] == "table" and "quantized_recall" not in row
    assert row["uncompute"] == "unitary" and row["adder"] == "cdkm"
    cost = query_cost(256, 4, 8, "selectswap", uncompute="unitary", adder="cdkm")
    assert row["toffoli_per_query"] == cost.toffoli and row["gate_cost_memory"] == "selectswap"
    assert row["quantum_queries"] < sum(row["oracle_queries"])  # classical checks are not gates
    assert row["gate_cost_toffoli"] >= row["quantum_queries"] * cost.toffoli


def test_find_fired_with_the_arithmetic_oracle(tmp_path, capsys):
    out = tmp_path / "f.json"
    assert main(["find-fired", "--m", "8", "--d", "2", "--inputs", "2", "--backend", "aer", "--oracle", "arithmetic",
                 "--bits", "3", "--strategy", "bbht_warm", "--uncompute", "unitary", "--adder", "cdkm",
                 "--json", str(out)]) == 0
    summary = json.loads(out.read_text())["summary"]
    assert summary["oracle"] == "arithmetic" and summary["quantized_recall"] == 1.0
    assert summary["quantization_flips"] >= 0 and summary["toffoli_per_query"] == query_cost(8, 2, 3, "qrom", "per_coordinate",
                                                                   uncompute="unitary", adder="cdkm").toffoli
    assert summary["uncompute"] == "unitary" and summary["adder"] == "cdkm"
    assert summary["gate_cost_layout"] == "per_coordinate"  # the unitary circuit loads one coordinate at a time
    assert "quantized recall 1.00000" in capsys.readouterr().out


@pytest.mark.parametrize("args, needle", [
    (["--oracle", "magic"], "--oracle"),
    (["--oracle", "arithmetic", "--finders", "dense,grover-emulator"], "--oracle"),
    (["--oracle", "arithmetic", "--finders", "dense,grover-aer", "--m", "128"], "--m"),
    (["--bits", "1"], "--bits"), (["--bits", "33"], "--bits"), (["--memory", "tape"], "--memory"),
    (["--uncompute", "magic"], "--uncompute"), (["--adder", "ripple"], "--adder"),
])
def test_compare_bad_oracle_options(args, needle, tmp_path, capsys):
    out = tmp_path / "c.json"
    base = ["compare", "--m", "16", "--n", "2", "--d", "2", "--iters", "1", "--finders", "dense,grover-aer"]
    assert main(base + args + ["--json", str(out)]) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and err.startswith(f"quantum-train: error: argument {needle}")
    assert not out.exists()


def test_find_fired_arithmetic_needs_aer(capsys):
    assert main(["find-fired", "--m", "8", "--oracle", "arithmetic"]) == 2
    assert "argument --oracle" in capsys.readouterr().err


@pytest.mark.slow
def test_the_issue_check_command(tmp_path):
    """Issue 9's check, as written: quantized recall 1 with the gate-level oracle on Aer."""
    out = tmp_path / "c.json"
    assert main(["compare", "--oracle", "arithmetic", "--bits", "4", "--finders", "dense,grover-aer", "--m", "8",
                 "--n", "2", "--d", "2", "--iters", "1", "--quiet", "--json", str(out)]) == 0
    row = _row(json.loads(out.read_text()), "grover-aer")
    assert row["oracle"] == "arithmetic" and row["bits"] == 4 and row["quantized_recall"] == 1.0


def test_find_fired_runs_the_measurement_convention_circuit(tmp_path, capsys):
    """``--uncompute measurement`` runs the measured oracle on Aer (mid-circuit measurement, if_test)."""
    out = tmp_path / "f.json"
    assert main(["find-fired", "--m", "4", "--d", "1", "--inputs", "2", "--backend", "aer", "--oracle", "arithmetic",
                 "--bits", "3", "--uncompute", "measurement", "--strategy", "bbht_warm", "--json", str(out)]) == 0
    summary = json.loads(out.read_text())["summary"]
    assert summary["quantized_recall"] == 1.0 and summary["uncompute"] == "measurement"
    assert summary["gate_cost_layout"] == "all_coordinates"
    assert summary["toffoli_per_query"] == query_cost(4, 1, 3, "qrom", "all_coordinates").toffoli
