"""``quantum-train resources``: the JSON contract, its figures against the library, and bad inputs."""

import json
import sys

import numpy as np
import pytest

from circuits.resources import input_cost, query_cost, scan_cost
from quantum_train.cli import main
from quantum_train.data import synthetic
from quantum_train.model import default_threshold
from quantum_train.seeds import stream


def test_resources_json_keys_and_figures(tmp_path, capsys):
    out = tmp_path / "r.json"
    assert main(["resources", "--m", "2^10", "--d", "4", "--bits", "8", "--seed", "2", "--json", str(out)]) == 0
    text = capsys.readouterr().out
    assert "qrom" in text and "classical scan" in text and "T = 4 per Toffoli" in text
    doc = json.loads(out.read_text())
    for model in ("qrom", "selectswap", "qram"):
        pq, pi = doc["per_query"][model], doc["per_input"][model]
        cost = query_cost(1024, 4, 8, model)
        assert pq["toffoli"] == cost.toffoli and pq["logical_qubits"] == cost.logical_qubits
        ref = input_cost(cost, doc["per_input"]["grover_queries"], doc["per_input"]["counting_queries"],
                         doc["per_input"]["check_queries"])
        assert pi["toffoli"] == ref.toffoli
    assert doc["per_input"]["queries"] == ref.queries > 0
    assert doc["classical_scan"]["multiply_adds"] == 1024 * 4
    assert doc["classical_scan"]["toffoli"] == scan_cost(1024, 4, 8).toffoli
    assert doc["classical_scan"]["seconds"] > 0
    # the fired set is that of the seeded table and input
    W = stream(2, "network").standard_normal((1024, 4))
    x = synthetic(1, 4, seed=2).X[0]
    assert doc["per_input"]["fired"] == int(np.count_nonzero(W @ x > default_threshold(1024)))
    assert doc["per_input"]["found"] <= doc["per_input"]["fired"]
    assert "physical" not in doc


def test_resources_physical(tmp_path):
    import qdk  # noqa: F401 - the test extra installs the resources extra: this runs, never skips
    out = tmp_path / "r.json"
    assert main(["resources", "--m", "256", "--d", "2", "--bits", "4", "--memory", "qrom,qram",
                 "--physical", "--json", str(out)]) == 0
    doc = json.loads(out.read_text())
    assert set(doc["physical"]) == {"qrom", "qram"}
    for model, est in doc["physical"].items():
        assert est["physical_qubits"] > est["logical_qubits"] > 0 and est["runtime_seconds"] > 0
        assert est["qubit_model"] == "qubit_gate_ns_e3" and est["error_budget"] == 1e-3
        assert est["ccz_count"] == doc["per_input"][model]["toffoli"]
    assert doc["physical"]["qrom"]["runtime_seconds"] > doc["physical"]["qram"]["runtime_seconds"]


@pytest.mark.parametrize("args, needle", [
    (["--bits", "1"], "--bits"), (["--bits", "33"], "--bits"), (["--memory", "qrom,bucket"], "--memory"),
    (["--m", "0"], "--m"), (["--d", "0"], "--d"), (["--m", "2^23"], "--m"), (["--strategy", "magic"], "--strategy"),
])
def test_resources_bad_inputs(args, needle, tmp_path, capsys):
    out = tmp_path / "r.json"
    assert main(["resources", *args, "--json", str(out)]) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and err.startswith(f"quantum-train: error: argument {needle}")
    assert not out.exists()


def test_resources_physical_without_the_extra(monkeypatch, tmp_path, capsys):
    monkeypatch.setitem(sys.modules, "qdk", None)
    out = tmp_path / "r.json"
    assert main(["resources", "--m", "64", "--physical", "--json", str(out)]) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "argument --physical" in err and "pip install 'quantum-train[resources]'" in err
    assert not out.exists()
