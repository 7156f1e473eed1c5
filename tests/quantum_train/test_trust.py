"""Runs a user can trust: divergence is caught, the default step is stable at every b, memory is guarded,
outputs are standard JSON with usual permissions, Ctrl-C leaves nothing half-written."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time

import numpy as np
import pytest

from quantum_train.core.model import ShiftedReLUNet
from quantum_train.core.train import DIVERGENCE_FACTOR, default_learning_rate, train
from quantum_train.data.datasets import load_dataset
from quantum_train.experiments.ram_guard import estimate_run
from quantum_train.face.cli import EXIT_DIVERGED, main
from quantum_train.finders import DenseFinder
from quantum_train.output.io import dumps_json

TINY = ["--n", "16", "--m", "256", "--d", "4", "--iters", "4", "--quiet"]


# ----------------------------------------------------------------------------- divergence

@pytest.mark.parametrize("lr", [1e3, 1e300])
def test_divergence_stops_the_run_and_names_the_iteration(lr):
    ds = load_dataset("synthetic", n=64, d=8, seed=0)
    net = ShiftedReLUNet.initialize(1024, 8, seed=0)
    result = train(net, ds.X, ds.y, DenseFinder(), 10, lr)
    assert result.diverged is not None and result.final_loss is None
    assert 1 <= result.diverged.iteration < 10
    bad = result.loss[-1]
    assert not np.isfinite(bad) or bad > DIVERGENCE_FACTOR * result.loss[0]
    assert "lower the learning rate lr" in result.diverged.message("dense")


def test_a_converging_run_is_not_flagged():
    ds = load_dataset("synthetic", n=64, d=8, seed=0)
    net = ShiftedReLUNet.initialize(1024, 8, seed=0)
    result = train(net, ds.X, ds.y, DenseFinder(), 5, default_learning_rate(64, net.b))
    assert result.diverged is None and result.final_loss == result.loss[-1]


def test_cli_reports_divergence_writes_standard_json_and_exits_3(tmp_path, capsys):
    out = tmp_path / "r.json"
    code = main(["compare", *TINY, "--lr", "1e300", "--finders", "dense,drift,weights-hsr,grover-emulator",
                 "--json", str(out)])
    captured = capsys.readouterr()
    assert code == EXIT_DIVERGED == 3
    assert "diverged at iteration" in captured.out and "initial loss" in captured.out
    text = out.read_text()
    assert "NaN" not in text and "Infinity" not in text
    doc = json.loads(text)
    for row in doc["results"]:
        assert row["diverged"]["iteration"] >= 1 and row["final_loss"] is None
        assert row["initial_loss"] > 0


def test_table_shows_initial_and_final_loss(capsys):
    assert main(["compare", *TINY, "--finders", "dense"]) == 0
    out = capsys.readouterr().out
    header = next(line for line in out.splitlines() if line.startswith("finder"))
    assert header.index("initial loss") < header.index("final loss")


@pytest.mark.parametrize("b", [-3.0, -1.0, 0.0, 1.0, 2.0, 3.0, 4.0, 6.0, 1e9])
def test_default_learning_rate_descends_at_every_threshold(b):
    # the CLI accepts any finite b; the capped rule 1/max(n Q(b), 1) must descend at each
    ds = load_dataset("synthetic", n=128, d=16, seed=0)
    net = ShiftedReLUNet.initialize(2048, 16, seed=0, b=b)
    lr = default_learning_rate(ds.n, b)
    assert np.isfinite(lr) and lr > 0
    result = train(net, ds.X, ds.y, DenseFinder(), 12, lr)
    loss = np.array(result.loss)
    assert result.diverged is None
    assert np.all(np.diff(loss) <= 1e-12 * loss[:-1]), f"loss rose at b = {b}: {loss}"


# ----------------------------------------------------------------------------- JSON and files

def test_json_is_standard():
    text = dumps_json({"a": float("nan"), "b": [float("inf"), 1.5, np.float64("-inf")], "c": np.int64(3)})
    assert json.loads(text) == {"a": None, "b": [None, 1.5, None], "c": 3}


@pytest.mark.parametrize("ext,magic", [("png", b"\x89PNG"), ("pdf", b"%PDF"), ("svg", b"<?xml")])
def test_plot_format_follows_extension_and_files_get_usual_permissions(ext, magic, tmp_path):
    out = tmp_path / f"p.{ext}"
    json_out = tmp_path / "r.json"
    old = os.umask(0o022)
    try:
        assert main(["compare", *TINY, "--finders", "dense", "--plot", str(out), "--json", str(json_out)]) == 0
    finally:
        os.umask(old)
    assert out.read_bytes()[:len(magic)] == magic
    for path in (out, json_out):
        assert (path.stat().st_mode & 0o777) == 0o644
    assert sorted(p.name for p in tmp_path.iterdir()) == sorted([out.name, json_out.name])


# ----------------------------------------------------------------------------- Ctrl-C

def test_ctrl_c_leaves_no_traceback_and_no_file(tmp_path):
    out = tmp_path / "r.json"
    proc = subprocess.Popen(
        [sys.executable, "-m", "quantum_train.face.cli", "compare", "--m", "2^14", "--n", "512", "--iters", "100000",
         "--finders", "dense", "--quiet", "--json", str(out)],
        stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, cwd=tmp_path,
        # a background job inherits SIGINT ignored; restore the default so Python raises KeyboardInterrupt
        preexec_fn=lambda: signal.signal(signal.SIGINT, signal.SIG_DFL))
    time.sleep(10)  # imports, JIT warm-up, then training (any moment is fine: none may leave a file)
    proc.send_signal(signal.SIGINT)
    stdout, stderr = proc.communicate(timeout=120)
    assert proc.returncode == 130, stderr
    lines = stderr.strip().splitlines()
    assert "may take about" in lines[0]  # 100000 iterations: the run said so before it started
    lines = [line for line in lines[1:] if not line.startswith("compiling numerical kernels")]  # (a cold cache)
    assert lines == ["quantum-train: interrupted; nothing was written"]
    assert "Traceback" not in stdout + stderr
    assert list(tmp_path.iterdir()) == []


# ----------------------------------------------------------------------------- memory

PEAK_SCRIPT = """
import resource, sys
from quantum_train.experiments.comparison import CompareConfig, run_comparison
m, n, finders = int(sys.argv[1]), int(sys.argv[2]), tuple(sys.argv[3].split(","))
run_comparison(CompareConfig(m=m, n=n, d=16, iters=3, finders=finders))
print(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024)
"""


@pytest.mark.slow
def test_memory_estimate_covers_the_measured_peak_of_a_comparison():
    # the guard's estimate for the whole default comparison, against its measured peak (one process)
    m, n, d = 2**17, 512, 16
    finders = ["dense", "weights-hsr", "data-hsr", "drift", "grover-emulator"]
    out = subprocess.run([sys.executable, "-c", PEAK_SCRIPT, str(m), str(n), ",".join(finders)],
                         capture_output=True, text=True, check=True, timeout=900)
    peak = int(out.stdout.split()[-1])
    from quantum_train.core.model import default_threshold

    estimate = estimate_run(n, m, d, default_threshold(m), finders).total
    assert peak <= estimate, f"measured {peak / 2**20:.0f} MiB > estimated {estimate / 2**20:.0f} MiB"
    assert estimate <= 4 * peak, f"estimate {estimate / 2**20:.0f} MiB is far above {peak / 2**20:.0f} MiB"


def test_guard_suggests_a_size_that_fits():
    from quantum_train.errors import ConfigError
    from quantum_train.experiments.ram_guard import check_fits

    with pytest.raises(ConfigError) as err:
        check_fits(256, 2**30, 16, 3.0, ["dense"], available=8 * 2**30)
    assert err.value.field == "m" and "fits" in str(err.value)
    suggested = int(str(err.value).rsplit("m = ", 1)[1].split()[0])
    check_fits(256, suggested, 16, 3.0, ["dense"], available=8 * 2**30)  # the suggestion passes
    with pytest.raises(ConfigError) as err:
        check_fits(10**9, 64, 16, 3.0, ["dense"], available=8 * 2**30)  # the data alone cannot fit
    assert err.value.field == "n"


def test_a_lost_ctrl_c_is_raised_again():
    """A KeyboardInterrupt that Python swallows (raised inside a weakref callback, say) is raised again by the
    command's SIGINT handler's watchdog, until it is caught."""
    from quantum_train.face.cli import _CtrlC

    ctrl_c = _CtrlC(retry=0.05)
    before = signal.signal(signal.SIGINT, ctrl_c.handler)
    try:
        with pytest.raises(KeyboardInterrupt):
            try:
                ctrl_c.handler(signal.SIGINT, None)
            except KeyboardInterrupt:
                pass  # lost, as "Exception ignored in ..." loses it
            time.sleep(10)  # the watchdog interrupts again long before this ends
        ctrl_c.caught.set()
        ctrl_c.handler(signal.SIGINT, None)  # once caught, a late retry changes nothing
    finally:
        ctrl_c.caught.set()
        signal.signal(signal.SIGINT, before)
