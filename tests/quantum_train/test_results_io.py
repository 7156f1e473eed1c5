"""Results round-trip: ``qt.load`` reads back what ``--json`` wrote, and results pickle."""

import json
import pickle
import subprocess
import sys

import pytest

import quantum_train as qt
from quantum_train.load_results import UnknownDocumentError


@pytest.fixture(scope="module")
def comparison():
    return qt.compare(m=256, n=32, iters=3, finders="dense,drift,grover-emulator", progress=False)


def test_a_comparison_pickles(comparison):
    again = pickle.loads(pickle.dumps(comparison))
    assert again.to_dict() == comparison.to_dict()
    assert again["drift"].per_iteration.phases["find"] == comparison["drift"].per_iteration.phases["find"]


def test_load_reads_back_what_compare_json_wrote(tmp_path):
    out = tmp_path / "run.json"
    done = subprocess.run([sys.executable, "-m", "quantum_train.cli", "compare", "--finders", "dense,drift",
                           "--m", "256", "--n", "32", "--iters", "3", "--json", str(out)],
                          capture_output=True, text=True, timeout=600)
    assert done.returncode == 0, done.stderr
    loaded = qt.load(out)
    assert isinstance(loaded, qt.Comparison)
    assert loaded.to_dict() == json.loads(out.read_text())
    assert loaded["drift"].max_abs_weight_diff_vs_dense == 0.0 and loaded.table() == loaded.table()


def test_load_round_trips_a_comparison_with_its_report(tmp_path, comparison):
    path = tmp_path / "c.json"
    path.write_text(json.dumps(comparison.to_dict()))
    loaded = qt.load(path)
    assert loaded.to_dict() == json.loads(path.read_text())
    assert loaded["grover-emulator"].report == comparison["grover-emulator"].report


@pytest.mark.parametrize("text", ["not json", "[1, 2]", '{"summary": {}, "points": []}'])
def test_load_refuses_what_it_cannot_read(tmp_path, text):
    path = tmp_path / "x.json"
    path.write_text(text)
    with pytest.raises(UnknownDocumentError):
        qt.load(path)
