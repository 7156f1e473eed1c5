"""Bad input to ``quantum-train sweep``: exit 2, one stderr line naming the argument, no traceback, nothing written.

Each case runs the command in-process on a tiny base instance, in an empty
directory; a case passes when the exit code is 2, stderr is exactly one line
``quantum-train: error: argument --X: ...`` naming the expected argument, and
the directory holds afterwards exactly what it held before.
"""

from __future__ import annotations

import json
import os
import time

import pytest

from quantum_train.face.cli import main

BASE = ["sweep", "--finders", "dense", "--m", "2^8", "--seeds", "0", "--n", "8", "--d", "2", "--iters", "1", "--quiet"]
OLD_RECORD = {"schema": 1, "key": {"finder": "dense", "m": 256, "seed": 0, "data": "synthetic", "n": 8, "d": 2,
                                   "iters": 1, "lr": None, "b": None}, "finder": "dense"}

CASES = [
    # lists
    ("empty d list", ["--d", ""], "--d"),
    ("empty d entry", ["--d", "2,,4"], "--d"),
    ("trailing comma", ["--d", "2,4,"], "--d"),
    ("duplicate d", ["--d", "2,2"], "--d"),
    ("duplicate n", ["--n", "8,8"], "--n"),
    ("duplicate m written two ways", ["--m", "2^8,256"], "--m"),
    ("empty m entry", ["--m", "2^8,,2^9"], "--m"),
    ("m below 2", ["--m", "1"], "--m"),
    ("m not a number", ["--m", "lots"], "--m"),
    ("zero d", ["--d", "0"], "--d"),
    ("zero n", ["--n", "0,8"], "--n"),
    ("ellipsis that misses", ["--m", "2^8,2^10,...,2^13"], "--m"),
    ("empty seed range", ["--seeds", "3-1"], "--seeds"),
    ("duplicate seed", ["--seeds", "0,0"], "--seeds"),
    # finders and structures
    ("unknown finder", ["--finders", "dense,magic"], "--finders"),
    ("unknown structure", ["--finders", "weights-hsr:faiss"], "--finders"),
    ("structure on dense", ["--finders", "dense:kdtree"], "--finders"),
    ("structure on drift", ["--finders", "drift:brute"], "--finders"),
    ("structure on a missing finder", ["--finders", "nothing:kdtree"], "--finders"),
    ("empty finder entry", ["--finders", "dense,,drift"], "--finders"),
    ("duplicate finder", ["--finders", "dense,dense"], "--finders"),
    # data
    ("unknown data", ["--data", "mnist"], "--data"),
    ("d above iris features", ["--data", "iris", "--n", "100", "--d", "2,5"], "--d"),
    ("d above wine features", ["--data", "wine", "--n", "100", "--d", "14"], "--d"),
    ("n above iris size", ["--data", "iris", "--n", "151", "--d", "2"], "--n"),
    # options
    ("zero iters", ["--iters", "0"], "--iters"),
    ("nan lr", ["--lr", "nan"], "--lr"),
    ("infinite b", ["--b", "inf"], "--b"),
    ("nan b in a list", ["--b", "3,nan"], "--b"),
    ("infinite b in a list", ["--b", "default,-inf"], "--b"),
    ("duplicate b", ["--b", "3,3.0"], "--b"),
    ("duplicate default b", ["--b", "default,default"], "--b"),
    ("empty b entry", ["--b", "3,,4"], "--b"),
    ("b not a number", ["--b", "3,high"], "--b"),
    ("one figure of several b", ["--b", "3,4", "--plot", "cost.png"], "--plot"),
    ("one map of several b", ["--b", "default,4", "--map", "map.png"], "--map"),
    ("strategy", ["--finders", "grover-emulator", "--strategy", "guess"], "--strategy"),
    ("delta", ["--finders", "grover-emulator", "--delta", "1.5"], "--delta"),
    ("zero workers", ["--workers", "0"], "--workers"),
    ("workers and scheduler", ["--workers", "2", "--scheduler", "tcp://127.0.0.1:1"], "--scheduler"),
    # output paths
    ("json in a missing directory", ["--json", "missing/s.jsonl"], "--json"),
    ("json is a directory", ["--json", "."], "--json"),
    ("plot in a missing directory", ["--plot", "missing/s.png"], "--plot"),
    ("plot of unknown format", ["--plot", "s.gif"], "--plot"),
    ("plot without extension", ["--plot", "figure"], "--plot"),
    ("map of unknown format", ["--map", "m.jpg"], "--map"),
    ("json and plot the same file", ["--json", "s.png", "--plot", "s.png"], "--plot"),
    ("plot and map the same file", ["--plot", "f.svg", "--map", "./f.svg"], "--map"),
    ("store of an older version", ["--json", "old.jsonl"], "--json"),
]


def listing(root) -> dict[str, bytes]:
    out = {}
    for dirpath, _, files in os.walk(root):
        for f in files:
            path = os.path.join(dirpath, f)
            out[os.path.relpath(path, root)] = open(path, "rb").read()
    return out


def check_contract(capsys, argv, needle, cwd) -> str:
    before = listing(cwd)
    code = main(argv)
    captured = capsys.readouterr()
    err = captured.err
    assert code == 2, (argv, code, err)
    lines = err.strip().splitlines()
    assert len(lines) == 1, err
    assert lines[0].startswith(f"quantum-train: error: argument {needle}"), lines[0]
    assert "Traceback" not in err + captured.out
    assert listing(cwd) == before, "a file was written or changed"
    return lines[0]


@pytest.mark.parametrize("args,needle", [c[1:] for c in CASES], ids=[c[0] for c in CASES])
def test_bad_sweep_input(args, needle, tmp_path, monkeypatch, capsys):
    monkeypatch.chdir(tmp_path)
    (tmp_path / "old.jsonl").write_text(json.dumps(OLD_RECORD) + "\n")
    check_contract(capsys, [*BASE, *args], needle, tmp_path)


def test_unreachable_scheduler_fails_fast(tmp_path, monkeypatch, capsys):
    import dask.distributed  # noqa: F401 - in the test extra: this runs, never skips
    monkeypatch.chdir(tmp_path)
    start = time.monotonic()
    line = check_contract(capsys, [*BASE, "--scheduler", "tcp://127.0.0.1:9", "--json", "s.jsonl"], "--scheduler",
                          tmp_path)
    assert time.monotonic() - start < 15 and "cannot reach" in line
