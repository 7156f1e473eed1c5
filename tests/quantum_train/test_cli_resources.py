"""``quantum-train resources``: the JSON contract, its figures against the library, and bad inputs."""

import json
import sys

import numpy as np
import pytest

from circuits.resources import input_cost, query_cost, scan_cost
from quantum_train.core.model import default_threshold
from quantum_train.data.datasets import synthetic
from quantum_train.face.cli import main
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
    (["--uncompute", "magic"], "--uncompute"), (["--adder", "ripple"], "--adder"),
    (["--ft-program", "all"], "--ft-program"), (["--error-budget", "0"], "--error-budget"),
    (["--error-budget", "1"], "--error-budget"), (["--k", "0"], "--k"), (["--m", "64", "--k", "65"], "--k"),
    (["--max-logical-qubits", "0"], "--max-logical-qubits"), (["--classical-cores", "0"], "--classical-cores"),
    (["--n", "0"], "--n"), (["--iters", "0"], "--iters"),
    (["--physical", "--qubit-model", "qubit_magic"], "--qubit-model"),
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


QUERY_KEYS = ("lookup_toffoli", "unlookup_toffoli", "arithmetic_toffoli", "diffusion_toffoli", "toffoli",
              "toffoli_depth", "logical_qubits", "measurements", "classical_control_ops")


def _run(tmp_path, *args):
    out = tmp_path / "r.json"
    assert main(["resources", *args, "--json", str(out)]) == 0
    return json.loads(out.read_text())


def test_resources_names_its_convention_and_itemises_every_model(tmp_path, capsys):
    doc = _run(tmp_path, "--m", "2^10", "--d", "4", "--bits", "8", "--n", "3", "--iters", "5")
    text = capsys.readouterr().out
    assert "uncompute = measurement, adder = gidney" in text and "crossover in m" in text
    assert doc["uncompute"] == "measurement" and doc["adder"] == "gidney" and doc["n"] == 3 and doc["iters"] == 5
    assert set(doc["per_query"]) == {"qrom", "selectswap", "selectswap-dirty", "qram", "bucket-brigade"}
    for model, pq in doc["per_query"].items():
        for key in QUERY_KEYS:
            assert isinstance(pq[key], int), (model, key)
        assert pq["toffoli"] == sum(pq[k] for k in QUERY_KEYS[:4])
        assert pq["spacetime_volume"] == pq["logical_qubits"] * pq["toffoli_depth"]
        assert pq["uncompute"] == "measurement" and pq["adder"] == "gidney"
        pi = doc["per_input"][model]
        assert doc["per_iteration"][model]["toffoli"] == 3 * pi["toffoli"]
        assert doc["per_run"][model]["toffoli"] == 15 * pi["toffoli"]
        quantum = doc["per_input"]["grover_queries"] + doc["per_input"]["counting_queries"]
        assert pi["classical_control_ops"] == quantum * pq["classical_control_ops"]
        assert set(doc["crossover"][model]) >= {"toffoli", "wall", "toffoli_band", "queries_over_sqrt_mk"}
    assert doc["per_query"]["bucket-brigade"]["variant"].startswith("fan-out")
    scan = doc["classical_scan"]
    assert scan["repeats"] >= 5 and scan["seconds_min"] <= scan["seconds"] <= scan["seconds_max"]
    assert scan["per_run"]["toffoli"] == 15 * scan["toffoli"] == 15 * scan_cost(1024, 4, 8).toffoli
    assert doc["crossover"]["qram"]["wall"] is None and "physical" in doc["crossover"]["qram"]["reason"]


def test_resources_unitary_cdkm_is_the_old_model(tmp_path):
    doc = _run(tmp_path, "--m", "2^10", "--d", "4", "--bits", "8", "--uncompute", "unitary", "--adder", "cdkm",
               "--memory", "qrom,selectswap,qram")
    assert doc["uncompute"] == "unitary" and doc["adder"] == "cdkm"
    for model in ("qrom", "selectswap", "qram"):
        cost = query_cost(1024, 4, 8, model, uncompute="unitary", adder="cdkm")
        assert doc["per_query"][model]["toffoli"] == cost.toffoli and doc["per_query"][model]["measurements"] == 0
    assert doc["classical_scan"]["toffoli"] == scan_cost(1024, 4, 8, "cdkm", "unitary").toffoli


def test_crossover_holds_the_point_values(tmp_path):
    """Where one input's quantum Toffolis are below the scan's at the run's m, the crossover contains that m."""
    from quantum_train.experiments.crossover import intervals

    assert intervals([(10, True), (11, True), (12, False), (13, True)]) == [
        {"from_m_log2": 10, "to_m_log2": 11}, {"from_m_log2": 13, "to_m_log2": None}]
    assert intervals([(10, False)]) is None
    for m_log2, extra in ((10, ()), (12, ("--adder", "cdkm")), (11, ("--k", "1"))):
        doc = _run(tmp_path, "--m", f"2^{m_log2}", "--d", "4", "--bits", "8", *extra)
        for model, row in doc["crossover"].items():
            wins = doc["per_input"][model]["toffoli"] < doc["classical_scan"]["toffoli"]
            inside = any(iv["from_m_log2"] <= m_log2 and (iv["to_m_log2"] is None or m_log2 <= iv["to_m_log2"])
                         for iv in row["toffoli"] or [])
            assert wins == inside, (m_log2, extra, model)
            if row["toffoli"] is None:
                assert "toffoli" in row["reason"]


def test_resources_k_replaces_the_fired_count(tmp_path):
    doc = _run(tmp_path, "--m", "2^10", "--d", "4", "--bits", "8", "--k", "1", "--memory", "qrom")
    assert doc["k"] == 1 and doc["per_input"]["fired"] == 1 and doc["per_input"]["found"] == 1


def test_resources_fault_tolerant_figures_state_their_scope(tmp_path):
    import qdk  # noqa: F401 - the test extra installs the resources extra: this runs, never skips
    base = ["--m", "256", "--d", "2", "--bits", "4", "--memory", "qrom,selectswap", "--physical"]
    doc = _run(tmp_path, *base, "--error-budget", "0.01", "--qubit-model", "qubit_gate_ns_e4")
    assert doc["error_budget"] == 0.01 and doc["qubit_model"] == "qubit_gate_ns_e4" and doc["ft_program"] == "find-all"
    for model, est in doc["physical"].items():
        assert est["code_distance"] >= 3 and 0 < est["factory_fraction"] < 1
        assert 0 < est["depth_limited_runtime_seconds"] and est["qubit_model"] == "qubit_gate_ns_e4"
        assert est["depth_limited_physical_qubits"] >= est["physical_qubits"] - est["num_factories"] * est[
            "factory_physical_qubits"]
        assert doc["per_run"][model]["runtime_seconds"] == est["runtime_seconds_per_input"]
    rounds = _run(tmp_path, *base, "--ft-program", "round")
    assert rounds["ft_program"] == "round"
    for model, est in rounds["physical"].items():
        assert est["runtime_seconds_per_input"] == pytest.approx(est["runtime_seconds"] * rounds["per_input"]["rounds"])
        assert est["ccz_count"] < rounds["per_input"][model]["toffoli"]
