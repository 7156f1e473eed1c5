"""The public API: typed results, the CLI's JSON, your own data, configs that are never mutated."""

from __future__ import annotations

import dataclasses
import json

import numpy as np
import pytest

import quantum_train as qt
from quantum_train.experiments.comparison import CompareConfig, run_comparison
from quantum_train.face.cli import main
from quantum_train.output.io import dumps_json

SMALL = dict(m=256, iters=3, finders="dense,drift,grover-emulator")
CLI_SMALL = ["--m", "256", "--iters", "3", "--finders", "dense,drift,grover-emulator", "--quiet"]


def own_data(n=60, d=5, seed=3):
    rng = np.random.default_rng(seed)
    X = rng.standard_normal((n, d)) * np.arange(1, d + 1) + 2.0
    y = np.sign(X[:, 0] - 2.0) + 0.1 * X[:, 1]
    return X, y


def deterministic(doc: dict) -> dict:
    """A results document without measured seconds and the data's name (which says how it was passed)."""
    def strip(obj):
        if isinstance(obj, dict):
            return {k: strip(v) for k, v in obj.items() if "seconds" not in k and k not in ("name", "data")}
        if isinstance(obj, list):
            return [strip(v) for v in obj]
        return obj
    return strip(doc)


def test_compare_returns_typed_frozen_results_and_the_cli_document(tmp_path, capsys):
    result = qt.compare(n=24, d=4, **SMALL)
    assert isinstance(result, qt.Comparison) and result.finders == ("dense", "drift", "grover-emulator")
    dense = result["dense"]
    assert isinstance(dense, qt.FinderResult)
    with pytest.raises(dataclasses.FrozenInstanceError):
        dense.finder = "x"
    assert dense.per_iteration.phases["find"].ops == 24 * 256
    assert result["drift"].loss == dense.loss  # exact finders coincide
    out = tmp_path / "r.json"
    assert main(["compare", "--n", "24", "--d", "4", *CLI_SMALL, "--json", str(out)]) == 0
    capsys.readouterr()
    from_cli = json.loads(out.read_text())
    from_api = json.loads(dumps_json(result.to_dict()))
    assert set(from_api) == {"config", "results"}
    assert deterministic(from_api) == deterministic(from_cli)
    assert "finder" in result.table() and "notes:" in result.table()


def test_finders_as_list_or_comma_string_are_the_same():
    a = qt.compare(n=16, d=3, m=128, iters=2, finders="dense,drift")
    b = qt.compare(n=16, d=3, m=128, iters=2, finders=["dense", "drift"])
    assert a.finders == b.finders and [r.loss for r in a.results] == [r.loss for r in b.results]


def test_input_config_is_never_mutated():
    config = CompareConfig(n=16, m=128, d=3, iters=2, finders=("dense",))
    before = dataclasses.asdict(config)
    result = run_comparison(config)
    assert dataclasses.asdict(config) == before
    assert config.lr is None and config.b is None
    assert result.config.lr > 0 and result.config.b > 0 and result.config.lr_rule


@pytest.mark.parametrize("fmt", ["csv", "npz", "npy"])
def test_own_data_file_and_arrays_give_the_same_results(fmt, tmp_path, capsys):
    X, y = own_data()
    path = tmp_path / f"my.{fmt}"
    if fmt == "csv":
        np.savetxt(path, np.c_[X, y], delimiter=",", header="a,b,c,d,e,t", comments="")
    elif fmt == "npz":
        np.savez(path, X=X, y=y)
    else:
        np.save(path, np.c_[X, y])
    out = tmp_path / "r.json"
    assert main(["compare", "--data", str(path), "--d", "4", *CLI_SMALL, "--json", str(out)]) == 0
    capsys.readouterr()
    from_file = json.loads(out.read_text())
    from_arrays = qt.compare(X=X, y=y, d=4, **SMALL)

    assert deterministic(json.loads(dumps_json(from_arrays.to_dict()))) == deterministic(from_file)
    assert from_file["config"]["n"] == 60 and from_file["config"]["d"] == 4


def test_csv_target_column_by_name(tmp_path, capsys):
    X, y = own_data()
    path = tmp_path / "t.csv"
    np.savetxt(path, np.c_[y, X], delimiter=",", header="label,a,b,c,d,e", comments="")
    by_name = qt.compare(str(path), target="label", **SMALL)
    by_arrays = qt.compare(X=X, y=y, **SMALL)
    assert [r.loss for r in by_name.results][0] == [r.loss for r in by_arrays.results][0]


BAD_FILES = {
    "nan.csv": ("1,2,3\n4,nan,6\n7,8,9\n", "NaN or inf"),
    "ragged.csv": ("1,2,3\n4,5\n7,8,9\n", "cells"),
    "single.csv": ("1,2,3\n", "single row"),
    "text.csv": ("a,b,c\n1,2,3\n4,x,6\n", "not a number"),
    "empty.csv": ("", "empty"),
    "header_only.csv": ("a,b,c\n", "no rows"),
    "one_column.csv": ("1\n2\n3\n", "one column"),
    "constant.csv": ("1,1,0\n1,1,1\n1,1,0\n", "constant"),
    "zero_row.csv": ("1,2,0\n3,4,1\n2,3,0\n", "zero after standardisation"),
}


@pytest.mark.parametrize("name", sorted(BAD_FILES))
def test_bad_data_files_give_one_line_naming_data(name, tmp_path, capsys, monkeypatch):
    text, needle = BAD_FILES[name]
    path = tmp_path / name
    path.write_text(text)
    out = tmp_path / "out"
    out.mkdir()
    monkeypatch.chdir(out)
    assert main(["compare", "--data", str(path), "--m", "64", "--quiet", "--json", str(out / "r.json")]) == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and "argument --data" in err[0] and needle in err[0], err
    assert list(out.iterdir()) == []
    with pytest.raises(ValueError, match=needle):
        qt.compare(str(path), m=64)


def test_missing_y_and_bad_arrays(tmp_path, capsys):
    path = tmp_path / "noy.npz"
    np.savez(path, X=np.ones((4, 2)))
    assert main(["compare", "--data", str(path), "--quiet"]) == 2
    assert "no array y" in capsys.readouterr().err
    X, y = own_data()
    for bad_X, bad_y, needle in [(X, None, "both X and y"), (X, y[:-1], "shape"), (X[:1], y[:1], "single row"),
                                 (np.where(X > 3, np.nan, X), y, "NaN or inf")]:
        with pytest.raises(ValueError, match=needle):
            qt.compare(X=bad_X, y=bad_y, m=64)
    with pytest.raises(ValueError, match="--target|csv"):
        qt.compare("iris", target="x", m=64)


def test_find_fired_api_matches_the_command(tmp_path, capsys):
    result = qt.find_fired(m=512, d=8, inputs=3, seed=2)
    out = tmp_path / "f.json"
    assert main(["find-fired", "--m", "512", "--d", "8", "--inputs", "3", "--seed", "2", "--json", str(out)]) == 0
    capsys.readouterr()
    doc = json.loads(out.read_text())
    assert [s["k"] for s in doc["inputs"]] == [s.k for s in result.inputs]
    assert [s["queries"] for s in doc["inputs"]] == [s.queries for s in result.inputs]
    assert result.recall == 1.0


def test_to_frame_and_plot(tmp_path):
    import pandas as pd  # the test extra installs the pandas extra
    result = qt.compare(n=16, d=3, m=128, iters=2, finders="dense,drift")
    frame = result.to_frame()
    assert isinstance(frame, pd.DataFrame) and len(frame) == 4 and set(frame.finder) == {"dense", "drift"}
    fig = result.plot(str(tmp_path / "c.svg"))
    assert (tmp_path / "c.svg").read_bytes().startswith(b"<?xml") and fig is not None
    assert result["drift"].plot() is not None
