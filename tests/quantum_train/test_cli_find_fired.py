import json

from circuits import executors
from quantum_train.core.model import ShiftedReLUNet
from quantum_train.data.datasets import synthetic
from quantum_train.experiments import ram_guard as memory
from quantum_train.face.cli import main


def test_find_fired_emulator_writes_per_input_results(tmp_path, capsys):
    out = tmp_path / "f.json"
    assert main(["find-fired", "--m", "2^12", "--d", "8", "--inputs", "6", "--seed", "3", "--json", str(out)]) == 0
    text = capsys.readouterr().out
    assert "recall" in text and "classical scan" in text
    doc = json.loads(out.read_text())
    summary, rows = doc["summary"], doc["inputs"]
    assert len(rows) == 6 and summary["classical_scan_per_input"] == 4096
    # the k of each input is the true fired count of the same seeded network and inputs
    net = ShiftedReLUNet.initialize(4096, 8, seed=3)
    X = synthetic(6, 8, seed=3).X
    assert [r["k"] for r in rows] == list(net.fired_sets(X).per_input())
    for r in rows:
        assert r["queries"] == sum(r["queries_by_kind"].values()) > 0
        assert r["found"] <= r["k"]
    assert summary["recall"] == sum(r["found"] for r in rows) / sum(r["k"] for r in rows)
    assert 1.0 < summary["mean_queries_over_sqrt_mk"] < summary["classical_scan_over_sqrt_mk"]


def test_find_fired_on_aer_finds_every_fired_neuron(tmp_path):
    out = tmp_path / "f.json"
    assert main(["find-fired", "--m", "64", "--d", "4", "--inputs", "3", "--backend", "aer", "--b", "0.5",
                 "--strategy", "bbht", "--json", str(out)]) == 0
    rows = json.loads(out.read_text())["inputs"]
    assert all(r["found"] == r["k"] for r in rows) and sum(r["k"] for r in rows) > 0


def test_statevector_too_large_is_refused_before_allocating(monkeypatch, capsys, tmp_path):
    monkeypatch.setattr(executors, "available_memory_bytes", lambda: 2**20)  # 1 MiB "free" for the statevector
    monkeypatch.setattr(memory, "available_memory_bytes", lambda: 2**40)  # ... the run's own estimate passes
    out = tmp_path / "f.json"
    assert main(["find-fired", "--m", "2^16", "--backend", "aer", "--json", str(out)]) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "use --backend emulator" in err and "--m" in err
    # Aer counts on q + 1 qubits (iterative counting), not the q + t of textbook counting
    assert "16 index qubits and the widest circuit of the counting strategy on it adds 1 qubit:" in err
    assert "a 17-qubit statevector" in err
    assert not out.exists()
    assert main(["compare", "--m", "2^16", "--finders", "dense,grover-aer", "--quiet"]) == 2
    assert "use grover-emulator in --finders" in capsys.readouterr().err


def test_find_fired_bad_options(capsys):
    for args, needle in [(["--m", "0"], "--m"), (["--inputs", "0"], "--inputs"), (["--backend", "qpu9"], "--backend"),
                         (["--strategy", "x"], "--strategy"), (["--delta", "0"], "--delta")]:
        assert main(["find-fired", *args]) == 2
        err = capsys.readouterr().err
        assert needle in err and err.count("\n") == 1
