import json

import pytest

from quantum_train.face.cli import main

SMALL = ["--n", "40", "--m", "2^9", "--d", "4", "--iters", "3", "--quiet"]


def test_compare_writes_table_json_and_plot(tmp_path, capsys):
    out, png = tmp_path / "r.json", tmp_path / "r.png"
    finders = ["dense", "weights-hsr", "data-hsr", "drift", "grover-emulator"]
    assert main(["compare", *SMALL, "--finders", ",".join(finders), "--json", str(out), "--plot", str(png)]) == 0
    text = capsys.readouterr().out
    assert "final loss" in text and all(f in text for f in finders)
    doc = json.loads(out.read_text())
    assert set(doc) == {"config", "results"}
    cfg = doc["config"]
    assert (cfg["n"], cfg["m"], cfg["d"], cfg["iters"]) == (40, 512, 4, 3)
    assert cfg["lr"] > 0 and cfg["b"] > 0
    assert [r["finder"] for r in doc["results"]] == finders
    for row in doc["results"]:
        for key in ("finder", "final_loss", "loss", "preprocess", "per_iteration", "fired_per_input", "max_abs_weight_diff_vs_dense"):
            assert key in row
        assert set(row["preprocess"]) == {"ops", "seconds"}
        assert {"ops", "seconds", "phases"} <= set(row["per_iteration"])
        assert set(row["per_iteration"]["phases"]) == {"find", "forward", "backward", "update", "fused"}
        assert len(row["loss"]) == 4 and row["final_loss"] == row["loss"][-1]
    dense, *_, grover = doc["results"]
    assert dense["max_abs_weight_diff_vs_dense"] == 0.0
    assert dense["per_iteration"]["phases"]["find"]["ops"] == 40 * 512
    assert len(grover["oracle_queries"]) == 3 and grover["queries_over_sqrt_mk"] > 1
    assert 0.99 <= grover["recall"] <= 1 and grover["missed"] >= 0
    if grover["missed"] == 0:
        assert grover["max_abs_weight_diff_vs_dense"] <= 1e-9
    assert grover["seconds_label"] == "simulation"
    assert png.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"


def test_default_finders_follow_m():
    from quantum_train.experiments.comparison import CompareConfig

    small = CompareConfig(m=2**10, n=8, iters=8)
    large = CompareConfig(m=2**11, n=8, iters=8)
    long_run = CompareConfig(m=2**10)  # n = 256 x 20 iterations: Aer would take many minutes
    small, large, long_run = (config.validate() for config in (small, large, long_run))
    assert "grover-aer" in small.finders and "grover-aer" not in large.finders
    assert "grover-aer" not in long_run.finders and long_run.aer_left_out and not large.aer_left_out
    assert {"dense", "weights-hsr", "data-hsr", "drift", "grover-emulator"} <= set(large.finders)
    iris = CompareConfig(data="iris", m=2**10, iters=1).validate()  # n = 150 from the data set
    assert "grover-aer" not in iris.finders


@pytest.mark.parametrize(
    "args,needle",
    [
        (["--n", "0"], "--n"),
        (["--m", "-4"], "--m"),
        (["--m", "0"], "--m"),
        (["--d", "0"], "--d"),
        (["--iters", "0"], "--iters"),
        (["--data", "mnist"], "--data"),
        (["--finders", "dense,magic"], "--finders"),
        (["--data", "iris", "--d", "5"], "--d"),
        (["--data", "iris", "--n", "1000"], "--n"),
        (["--lr", "nan"], "--lr"),
        (["--lr", "-1"], "--lr"),
        (["--b", "inf"], "--b"),
        (["--m", "lots"], "--m"),
        (["--finders", "grover-nowhere"], "--finders"),
        (["--strategy", "guess"], "--strategy"),
        (["--delta", "1.5"], "--delta"),
    ],
)
def test_bad_input_is_one_line_exit_2_and_no_file(tmp_path, capsys, args, needle):
    out = tmp_path / "r.json"
    assert main(["compare", "--quiet", "--iters", "2", "--m", "256", "--finders", "dense", "--json", str(out), *args]) == 2
    err = capsys.readouterr().err.strip()
    assert err.count("\n") == 0 and needle in err and "Traceback" not in err
    assert not out.exists() and list(tmp_path.iterdir()) == []


def test_missing_output_directory_is_refused_before_running(tmp_path, capsys):
    assert main(["compare", *SMALL, "--finders", "dense", "--json", str(tmp_path / "no" / "r.json")]) == 2
    assert "--json" in capsys.readouterr().err


def test_console_script_is_installed():
    import shutil
    import subprocess

    exe = shutil.which("quantum-train")
    assert exe, "pip install -e . must put the quantum-train command on PATH"
    proc = subprocess.run([exe, "compare", "--m", "0"], capture_output=True, text=True)
    assert proc.returncode == 2 and proc.stderr.startswith("quantum-train: error: argument --m")
