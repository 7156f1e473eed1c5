"""Results round-trip: ``qt.load`` reads back what ``--json`` wrote, and results pickle."""

import json
import pickle
import subprocess
import sys

import pytest

import quantum_train as qt
from quantum_train.experiments.load_results import UnknownDocumentError


@pytest.fixture(scope="module")
def comparison():
    return qt.compare(m=256, n=32, iters=3, finders="dense,drift,grover-emulator", progress=False)


def test_a_comparison_pickles(comparison):
    again = pickle.loads(pickle.dumps(comparison))
    assert again.to_dict() == comparison.to_dict()
    assert again["drift"].per_iteration.phases["find"] == comparison["drift"].per_iteration.phases["find"]


def test_load_reads_back_what_compare_json_wrote(tmp_path):
    out = tmp_path / "run.json"
    done = subprocess.run([sys.executable, "-m", "quantum_train.face.cli", "compare", "--finders", "dense,drift",
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


def _as_json(obj):
    from quantum_train.output.io import dumps_json

    return json.loads(dumps_json(obj))


def test_load_reads_back_a_find_fired_document(tmp_path):
    search = qt.find_fired(m=256, d=4, inputs=3, seed=2)
    path = tmp_path / "f.json"
    search.to_json(path)
    loaded = qt.load(path)
    assert isinstance(loaded, type(search))
    assert _as_json(loaded.to_dict()) == json.loads(path.read_text())
    assert loaded.inputs == search.inputs and loaded.recall == search.recall


def test_load_reads_back_a_sweep_store(tmp_path):
    store = tmp_path / "s.jsonl"
    sweep = qt.sweep(finders="dense,drift", m=(128, 256), n=16, d=4, seeds=(0, 1), iters=2, json=store,
                     progress=False)
    loaded = qt.load(store)
    assert isinstance(loaded, type(sweep))
    assert _as_json(loaded.to_dict()) == _as_json(sweep.to_dict())
    again = tmp_path / "again.jsonl"
    assert loaded.to_json(again) == store.read_text() == again.read_text()
    with pytest.raises(ValueError, match="not empty"):
        sweep.to_json(store)  # an existing store grows only through qt.sweep(json=...)


@pytest.mark.parametrize("options", [dict(), dict(memory="qrom,selectswap", uncompute="unitary", adder="cdkm", n=8,
                                                  iters=3, k=2)])
def test_load_reads_back_a_resources_report(tmp_path, options):
    report = qt.resources(m=2**12, d=4, **options)
    path = tmp_path / "r.json"
    report.to_json(path)
    loaded = qt.load(path)
    assert isinstance(loaded, qt.CostReport)
    assert _as_json(loaded.to_dict()) == json.loads(path.read_text())
    assert loaded.table() == report.table() and loaded.per_query == report.per_query and loaded.scan == report.scan


def test_load_reads_back_a_physical_resources_report(tmp_path):
    report = qt.resources(m=2**10, d=4, memory="qrom", physical=True)
    path = tmp_path / "r.json"
    report.to_json(path)
    loaded = qt.load(path)
    assert _as_json(loaded.to_dict()) == json.loads(path.read_text())
    assert loaded.physical == report.physical and loaded.depth_limited == report.depth_limited
