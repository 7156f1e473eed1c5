"""Issue 21: outputs never destroy inputs or foreign files, and every fault found by trying ends in one line.

The table (:data:`CASES`) runs each bad command line in-process in a folder
holding the user's files (data sets, foreign documents, a FIFO, symlinks, a
hard link). A case passes when the exit status is 2, stderr is exactly one
line ``quantum-train: error: argument X: ...`` naming the argument, there is
no traceback, and the folder holds afterwards exactly what it held before,
byte for byte (links and the FIFO by kind and target). Then one test per
fault that is not a refusal: what is written, and where.
"""

from __future__ import annotations

import bz2
import gzip
import json
import os
import stat
import threading

import numpy as np
import pytest

import quantum_train as qt
from quantum_train.data.datasets import DataError, user_dataset
from quantum_train.errors import ConfigError
from quantum_train.face import cli
from quantum_train.face.cli import main

TINY = ["--n", "8", "--m", "64", "--iters", "1", "--quiet", "--finders", "dense"]
SWEEP = ["sweep", "--finders", "dense", "--m", "64", "--seeds", "0", "--n", "8", "--iters", "1", "--quiet"]
AER = ["--m", "8", "--k", "1", "--backend", "aer"]
#: A compare document, a find-fired document and a sweep record, as the tool writes them (keys only matter).
COMPARE_DOC = {"config": {"data": "synthetic", "finders": ["dense"]}, "results": []}
FIRED_DOC = {"summary": {"m": 64}, "inputs": []}
STORE_LINE = {"schema": 2, "key": {"finder": "dense", "m": 64}, "finder": "dense"}


def user_files(root) -> None:
    """The files a user has around: data, documents of other commands, a FIFO, links."""
    rng = np.random.default_rng(0)
    X, y = rng.standard_normal((20, 3)), rng.standard_normal(20)
    np.savez(root / "data.npz", X=X, y=y)
    csv = "a,b,c,y\n" + "".join(",".join(f"{v:.6f}" for v in row) + "\n" for row in np.c_[X, y])
    (root / "data.csv").write_text(csv)
    (root / "gz.csv").write_bytes(gzip.compress(csv.encode()))
    (root / "gz.npy").write_bytes(gzip.compress(b"\x93NUMPY fake"))
    (root / "bz.csv").write_bytes(bz2.compress(csv.encode()))
    rows = csv.split("\n", 1)[1]  # good rows: each file below has exactly one fault
    (root / "latin1.csv").write_bytes(("caf\u00e9,b,c,y\n" + rows).encode("latin-1"))
    (root / "dup.csv").write_text("a,a,c,y\n" + rows)
    (root / "compare.json").write_text(json.dumps(COMPARE_DOC, indent=1))
    (root / "fired.json").write_text(json.dumps(FIRED_DOC, indent=1))
    (root / "store.jsonl").write_text(json.dumps(STORE_LINE) + "\n")
    (root / "note.txt").write_text("my notes\n")
    (root / "foreign.png").write_bytes(b"\x89PNG\r\n\x1a\n a photo")
    (root / "foreign.svg").write_text("<svg>hand drawn</svg>\n")
    (root / "dir.csv").mkdir()
    os.mkfifo(root / "fifo")
    os.symlink("data.csv", root / "link-to-data.json")
    os.symlink("note.txt", root / "link-to-note.json")
    os.symlink("missing/target.json", root / "dangling.json")
    os.link(root / "data.csv", root / "hardlink.jsonl")


CASES = [
    # outputs onto inputs (--data), through any spelling, symlink or hard link
    ("compare json onto its data", ["compare", "--data", "data.csv", *TINY, "--json", "data.csv"], "--json"),
    ("compare json onto its data spelled ./", ["compare", "--data", "data.csv", *TINY, "--json", "./data.csv"],
     "--json"),
    ("compare json through a symlink onto its data",
     ["compare", "--data", "data.csv", *TINY, "--json", "link-to-data.json"], "--json"),
    ("compare json onto its data with a plot too",
     ["compare", "--data", "data.csv", *TINY, "--json", "data.csv", "--plot", "r.png"], "--json"),
    ("sweep json onto its npz data", [*SWEEP, "--data", "data.npz", "--json", "data.npz"], "--json"),
    ("sweep json onto a hard link of its data", [*SWEEP, "--data", "data.csv", "--json", "hardlink.jsonl"],
     "--json"),
    # --json replaces only the same command's document; the store appends only to a store
    ("compare json onto a text file", ["compare", *TINY, "--json", "note.txt"], "--json"),
    ("compare json onto an npz", ["compare", *TINY, "--json", "data.npz"], "--json"),
    ("compare json onto a sweep store", ["compare", *TINY, "--json", "store.jsonl"], "--json"),
    ("compare json onto a find-fired document", ["compare", *TINY, "--json", "fired.json"], "--json"),
    ("compare json through a symlink onto a text file", ["compare", *TINY, "--json", "link-to-note.json"],
     "--json"),
    ("compare json through a dangling symlink", ["compare", *TINY, "--json", "dangling.json"], "--json"),
    ("find-fired json onto a compare document", ["find-fired", "--m", "64", "--json", "compare.json"], "--json"),
    ("resources json onto a compare document", ["resources", "--m", "64", "--json", "compare.json"], "--json"),
    ("circuit json onto a compare document", ["circuit", *AER, "--json", "compare.json"], "--json"),
    ("job json onto a compare document", ["job", "corrupt", "--json", "compare.json"], "--json"),
    ("sweep json onto a compare document", [*SWEEP, "--json", "compare.json"], "--json"),
    ("sweep json onto an npz", [*SWEEP, "--json", "data.npz"], "--json"),
    ("sweep json onto a text file", [*SWEEP, "--json", "note.txt"], "--json"),
    ("sweep json onto a FIFO", [*SWEEP, "--json", "fifo"], "--json"),
    # figures replace only figures
    ("compare plot onto a foreign png", ["compare", *TINY, "--plot", "foreign.png"], "--plot"),
    ("sweep map onto a foreign svg", [*SWEEP, "--map", "foreign.svg"], "--map"),
    ("circuit draw onto a foreign png", ["circuit", *AER, "--draw", "foreign.png"], "--draw"),
    # folders
    ("compare json into a new folder ending in slash", ["compare", *TINY, "--json", "out/newdir/"], "--json"),
    ("compare json onto an existing folder with slash", ["compare", *TINY, "--json", "dir.csv/"], "--json"),
    ("sweep json ending in slash", [*SWEEP, "--json", "newdir/"], "--json"),
    ("compare plot ending in slash", ["compare", *TINY, "--plot", "newdir/"], "--plot"),
    # the data reader
    ("gzip csv", ["compare", "--data", "gz.csv", *TINY], "--data"),
    ("gzip npy", ["compare", "--data", "gz.npy", *TINY], "--data"),
    ("bzip2 csv", ["compare", "--data", "bz.csv", *TINY], "--data"),
    ("latin-1 csv", ["compare", "--data", "latin1.csv", *TINY], "--data"),
    ("duplicate csv header", ["compare", "--data", "dup.csv", *TINY], "--data"),
    ("duplicate csv header with a target", ["compare", "--data", "dup.csv", "--target", "a", *TINY], "--data"),
    ("a folder named like a csv", ["compare", "--data", "dir.csv", *TINY], "--data"),
    ("sweep gzip csv", [*SWEEP, "--data", "gz.csv"], "--data"),
    # one finder-list parser, one rule for repeated entries
    ("compare empty finder entry", ["compare", "--finders", "dense,,drift"], "--finders"),
    ("compare trailing comma in finders", ["compare", "--finders", "dense,"], "--finders"),
    ("compare finder repeated with a space", ["compare", "--finders", "dense, dense"], "--finders"),
    ("compare unknown structure", ["compare", "--finders", "weights-hsr:faiss"], "--finders"),
    ("compare structure on dense", ["compare", "--finders", "dense:kdtree"], "--finders"),
    ("sweep leading comma in finders", [*SWEEP[:1], "--finders", ",dense"], "--finders"),
    ("circuit marked with an empty entry", ["circuit", "--m", "8", "--marked", "3,,5", "--backend", "aer"],
     "--marked"),
    ("resources memory repeated", ["resources", "--memory", "qram,qram"], "--memory"),
    ("resources memory empty entry", ["resources", "--memory", "qram,,qrom"], "--memory"),
    # Grover-only options with no Grover finder
    ("oracle without a grover finder", ["compare", *TINY, "--oracle", "arithmetic"], "--oracle"),
    ("memory without a grover finder", ["compare", *TINY, "--memory", "qram"], "--memory"),
    ("bits without a grover finder", ["compare", *TINY, "--bits", "8"], "--bits"),
    ("oracle table named without a grover finder", ["compare", *TINY, "--oracle", "table"], "--oracle"),
]


def listing(root) -> dict[str, object]:
    """Every entry under ``root``: a regular file's bytes, a link's target, or the kind of anything else."""
    out: dict[str, object] = {}
    for dirpath, dirs, files in os.walk(root):
        for name in dirs + files:
            path = os.path.join(dirpath, name)
            mode = os.lstat(path).st_mode
            key = os.path.relpath(path, root)
            if stat.S_ISLNK(mode):
                out[key] = ("link", os.readlink(path))
            elif stat.S_ISREG(mode):
                with open(path, "rb") as fh:
                    out[key] = fh.read()
            else:
                out[key] = ("dir" if stat.S_ISDIR(mode) else "fifo" if stat.S_ISFIFO(mode) else "other",
                            stat.S_IMODE(mode))
    return out


@pytest.fixture
def home(tmp_path, monkeypatch):
    root = tmp_path / "home"
    root.mkdir()
    user_files(root)
    jobs = tmp_path / "jobs"
    jobs.mkdir()
    (jobs / "corrupt.json").write_text("{not json")
    monkeypatch.setenv("QUANTUM_TRAIN_JOBS", str(jobs))
    monkeypatch.chdir(root)
    return root


def test_there_are_at_least_forty_cases():
    assert len(CASES) >= 40


@pytest.mark.parametrize("argv,argument", [c[1:] for c in CASES], ids=[c[0] for c in CASES])
def test_refused_in_one_line_and_nothing_changed(argv, argument, home, capsys):
    before = listing(home)
    code = main(argv)
    captured = capsys.readouterr()
    lines = captured.err.strip().splitlines()
    assert code == 2, captured.err
    assert len(lines) == 1, captured.err
    assert lines[0].startswith(f"quantum-train: error: argument {argument}:"), lines[0]
    assert "Traceback" not in captured.err + captured.out
    assert listing(home) == before, "a file was created or changed"


# --- what is written, and where ---------------------------------------------------------------------------


def test_json_replaces_its_own_earlier_document_and_an_empty_file(home, capsys):
    (home / "empty.json").write_text("")
    for _ in range(2):
        assert main(["compare", *TINY, "--json", "r.json"]) == 0
    assert main(["compare", *TINY, "--json", "empty.json"]) == 0
    assert json.loads((home / "r.json").read_text())["config"]["m"] == 64
    assert json.loads((home / "empty.json").read_text())["results"][0]["finder"] == "dense"


def test_json_through_a_symlink_writes_the_target_and_keeps_the_link(home, capsys):
    (home / "real.json").write_text(json.dumps(COMPARE_DOC))
    os.symlink("real.json", home / "link.json")
    assert main(["compare", *TINY, "--json", "link.json"]) == 0
    assert os.path.islink(home / "link.json") and os.readlink(home / "link.json") == "real.json"
    assert json.loads((home / "real.json").read_text())["config"]["m"] == 64


def test_json_onto_a_fifo_is_written_in_place_never_replaced(home, capsys):
    got: list[bytes] = []
    reader = threading.Thread(target=lambda: got.append(open(home / "fifo", "rb").read()), daemon=True)
    reader.start()
    try:
        assert main(["compare", *TINY, "--json", "fifo"]) == 0
    finally:
        if reader.is_alive():  # the write failed before opening the FIFO: unblock the reader
            open(home / "fifo", "wb").close()
        reader.join(timeout=30)
    assert stat.S_ISFIFO(os.lstat(home / "fifo").st_mode)
    assert json.loads(got[0])["config"]["m"] == 64


def test_sweep_store_appends_to_an_empty_file_and_to_its_own_store(home, capsys):
    (home / "s.jsonl").write_text("")
    assert main([*SWEEP, "--json", "s.jsonl"]) == 0
    assert main([*SWEEP, "--m", "64,128", "--json", "s.jsonl"]) == 0
    lines = (home / "s.jsonl").read_text().splitlines()
    assert [json.loads(x)["key"]["m"] for x in lines] == [64, 128]


def test_figure_replaces_a_figure_it_wrote(home, capsys):
    for _ in range(2):
        assert main(["compare", *TINY, "--plot", "r.svg"]) == 0
    assert b"matplotlib" in (home / "r.svg").read_bytes().lower()


def test_api_outputs_follow_the_same_rules(home, tmp_path):
    import pathlib

    result = qt.compare(data=pathlib.Path("data.csv"), m=64, iters=1, finders="dense")
    before = listing(home)
    for path in ("data.csv", "note.txt", "store.jsonl", "newdir/"):
        with pytest.raises(ConfigError) as err:
            result.to_json(path)
        assert err.value.field == "json"
    with pytest.raises(ConfigError):
        result.plot("foreign.png")
    with pytest.raises(ConfigError) as err:
        qt.sweep(finders="dense", m=64, n=8, seeds=0, iters=1, json=tmp_path / "missing" / "s.jsonl")
    assert err.value.field == "json" and "does not exist" in str(err.value)
    with pytest.raises(ConfigError) as err:
        qt.sweep(finders="dense", m=64, seeds=0, iters=1, data="data.csv", json="data.csv")
    assert err.value.field == "json"
    with pytest.raises(ConfigError) as err:  # a Path names the same file
        qt.sweep(finders="dense", m=64, seeds=0, iters=1, data=pathlib.Path("data.csv"), json="data.csv")
    assert err.value.field == "json"
    assert listing(home) == before
    text = result.to_json(pathlib.Path("api.json"))
    assert json.loads((home / "api.json").read_text()) == json.loads(text)
    swept = qt.sweep(finders="dense", m=64, seeds=0, iters=1, data=pathlib.Path("data.csv"),
                     json=pathlib.Path("s.jsonl"))
    assert len(swept.points) == 1 and len((home / "s.jsonl").read_text().splitlines()) == 1


# --- divergence at every recorded loss, the last one included -----------------------------------------------


@pytest.mark.parametrize("lr", ["1e6", "1e160"])
def test_divergence_on_the_last_step_exits_3_without_warnings(lr, home, capsys):
    assert main(["compare", *TINY, "--lr", lr, "--json", "d.json"]) == 3
    captured = capsys.readouterr()
    assert "RuntimeWarning" not in captured.err and "Traceback" not in captured.err
    assert captured.err.strip().splitlines() == [captured.err.strip()]  # one line
    row = json.loads((home / "d.json").read_text())["results"][0]
    assert row["diverged"]["iteration"] == 1 and row["final_loss"] is None
    assert "diverged at iteration 1" in captured.out


# --- the data reader ------------------------------------------------------------------------------------------


def test_unreadable_data_file_names_data(home, capsys, monkeypatch):
    path = home / "data.csv"
    if os.geteuid() == 0:  # root reads any file: make the open fail as it does for a user without permission
        real_open = open

        def deny(file, *args, **kwargs):
            if os.fspath(file) == "data.csv":
                raise PermissionError(13, "Permission denied", file)
            return real_open(file, *args, **kwargs)

        monkeypatch.setattr("builtins.open", deny)
    else:
        path.chmod(0)
    code = main(["compare", "--data", "data.csv", *TINY])
    err = capsys.readouterr().err
    assert code == 2 and err.count("\n") == 1
    assert err.startswith("quantum-train: error: argument --data: cannot read data.csv (Permission denied)")


# --- the Python API -------------------------------------------------------------------------------------------


@pytest.mark.parametrize("kwargs,field", [
    (dict(lr="0.1"), "lr"), (dict(b="1.0"), "b"), (dict(finders=5), "finders"), (dict(data=None), "data"),
    (dict(finders=["dense", 3]), "finders"), (dict(delta="small"), "delta"), (dict(finders="dense,,drift"), "finders"),
    (dict(finders="dense,dense"), "finders"), (dict(lr=True), "lr"),
], ids=lambda v: str(v))
def test_api_type_errors_raise_the_documented_value_error(kwargs, field):
    with pytest.raises(ConfigError) as err:
        qt.compare(**{"m": 64, "iters": 1, "finders": "dense", **kwargs})
    assert err.value.field == field


def test_api_find_fired_and_sweep_type_errors():
    with pytest.raises(ConfigError) as err:
        qt.find_fired(m=64, b="1.0")
    assert err.value.field == "b"
    with pytest.raises(ConfigError) as err:
        qt.sweep(finders=5, m=64, n=8, seeds=0, iters=1)
    assert err.value.field == "finders"


def test_masked_arrays_are_refused():
    rng = np.random.default_rng(0)
    X, y = rng.standard_normal((20, 3)), rng.standard_normal(20)
    with pytest.raises(DataError, match="masked array"):
        qt.compare(X=np.ma.masked_array(X, mask=X > 1), y=y, m=64, iters=1, finders="dense")
    with pytest.raises(DataError, match="masked array"):
        user_dataset(X, np.ma.masked_array(y, mask=y > 1))


def test_fortran_ordered_inputs_give_bit_identical_data_and_loss():
    rng = np.random.default_rng(1)
    X, y = rng.standard_normal((200, 20)), rng.standard_normal(200)
    for d in (None, 8):  # PCA projection and plain standardisation
        a, b = user_dataset(X, y, None, d), user_dataset(np.asfortranarray(X), y, None, d)
        assert np.array_equal(a.X, b.X)
    a = qt.compare(X=X, y=y, m=64, iters=2, finders="dense")
    b = qt.compare(X=np.asfortranarray(X), y=y, m=64, iters=2, finders="dense")
    c = qt.compare(X=X[::-1][::-1], y=y, m=64, iters=2, finders="dense")  # a strided view
    assert a["dense"].loss == b["dense"].loss == c["dense"].loss


# --- one parser, one message ----------------------------------------------------------------------------------


@pytest.mark.parametrize("text", ["dense,,drift", "dense,dense", "weights-hsr:faiss"])
def test_one_finder_list_parser_gives_one_message_everywhere(text, capsys):
    lines = []
    for argv in (["compare", "--finders", text], ["sweep", "--finders", text]):
        assert main(argv) == 2
        lines.append(capsys.readouterr().err.strip().removeprefix("quantum-train: error: argument --finders: "))
    with pytest.raises(ConfigError) as err:
        qt.compare(finders=text)
    assert lines[0] == lines[1] == str(err.value)


def test_pinned_structures_in_help_and_in_the_unknown_finder_message(capsys):
    for command in ("compare", "sweep"):
        with pytest.raises(SystemExit):
            main([command, "--help"])
        assert "weights-hsr:kdtree" in " ".join(capsys.readouterr().out.split())
    assert main(["compare", "--finders", "nope"]) == 2
    assert "weights-hsr:kdtree, weights-hsr:brute, data-hsr:kdtree" in capsys.readouterr().err


# --- reports that said nan or too little ----------------------------------------------------------------------


def test_find_fired_with_no_fired_neuron_says_so_not_nan(capsys):
    assert main(["find-fired", "--m", "64", "--inputs", "2", "--b", "10"]) == 0
    out = capsys.readouterr().out
    assert "no fired neuron" in out and "nan" not in out


def test_aer_memory_check_counts_the_qubits_the_circuit_has():
    from quantum_train.core.grover_options import executor_for
    from quantum_train.experiments.comparison import CompareConfig

    assert CompareConfig(m=2**20, finders=("grover-aer",)).validate().finders == ("grover-aer",)
    with pytest.raises(ConfigError, match="32-qubit statevector"):  # 31 index qubits + 1 counting control
        executor_for("aer", 2**31, "counting")


def test_interrupt_during_plot_names_the_json_that_exists(home, capsys, monkeypatch):
    import quantum_train.output.plots

    def interrupted(*args, **kwargs):
        raise KeyboardInterrupt

    monkeypatch.setattr(quantum_train.output.plots, "save_comparison_plot", interrupted)
    assert main(["compare", *TINY, "--json", "r.json", "--plot", "r.png"]) == cli.EXIT_INTERRUPTED
    err = capsys.readouterr().err
    assert err.strip() == ("quantum-train: interrupted; written before the interrupt: r.json (whole); "
                           "nothing else was written")
    assert (home / "r.json").exists() and not (home / "r.png").exists()
