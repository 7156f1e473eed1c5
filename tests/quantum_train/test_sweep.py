"""Sweeps: list parsing, exponent fits, the resumable JSON-lines store, serial vs Dask, the CLI."""

import argparse
import json
import math
import os
import signal
import subprocess
import sys
import time

import numpy as np
import pytest
from scipy import stats

from quantum_train.cli import main
from quantum_train.commands.sweep import expand_list, seed_list
from quantum_train.model import default_threshold, fire_probability
from quantum_train.sweep import (SweepConfig, SweepStore, deterministic_part, exponent_rows, fired_exponent_theory,
                                 fit_exponent, format_exponents, key_id, run_point, run_sweep)

SMALL = dict(n=48, d=6, iters=3)
FINDERS = ("dense", "weights-hsr", "data-hsr", "drift", "grover-emulator")


def small_config(**kw) -> SweepConfig:
    base = dict(finders=FINDERS, ms=(2**9, 2**10), seeds=(0, 1), **SMALL)
    base.update(kw)
    return SweepConfig(**base).validate()


# --------------------------------------------------------------------------- parsing

def test_expand_list_ellipsis_geometric_and_arithmetic():
    assert expand_list("2^10,2^12,...,2^20") == tuple(2**k for k in range(10, 21, 2))
    assert expand_list("2^10,2^11,...,2^13") == (1024, 2048, 4096, 8192)
    assert expand_list("0,1,...,4") == (0, 1, 2, 3, 4)
    assert expand_list("4096, 2**13") == (4096, 8192)
    assert seed_list("0-3") == (0, 1, 2, 3) and seed_list("5") == (5,)
    for bad in ("2^10,...,2^20", "2^10,2^12,...,2^19", "2^12,2^10,...,2^2", "x", "", "1,2,...", "0,2,...,5"):
        with pytest.raises(argparse.ArgumentTypeError):
            expand_list(bad)


# --------------------------------------------------------------------------- fits

def test_fit_exact_power_law_has_zero_width_interval():
    ms = np.repeat([2**10, 2**12, 2**14], 2)
    fit = fit_exponent(ms, 3.0 * ms**0.8)
    assert fit.slope == pytest.approx(0.8, abs=1e-12)
    assert fit.hi - fit.lo == pytest.approx(0, abs=1e-6)
    assert fit.predict(2**16) == pytest.approx(3.0 * 2**(16 * 0.8))
    assert (fit.points, fit.m_min, fit.m_max) == (6, 2**10, 2**14)


def test_fit_interval_is_the_t_interval_and_covers_at_its_level():
    rng = np.random.default_rng(7)
    ms = np.repeat(2.0 ** np.arange(10, 17), 3)
    fit = fit_exponent(ms, ms**0.9 * np.exp(0.1 * rng.standard_normal(ms.size)))
    res = stats.linregress(np.log(ms), np.log(ms**0.9 * np.exp(0.1 * np.random.default_rng(7).standard_normal(ms.size))))
    half = stats.t.ppf(0.975, ms.size - 2) * res.stderr
    assert fit.lo == pytest.approx(res.slope - half) and fit.hi == pytest.approx(res.slope + half)
    # coverage: 400 replicates, 95 % intervals; binomial(400, 0.95) lies in [365, 394] with prob > 0.999
    covered = 0
    for _ in range(400):
        f = fit_exponent(ms, ms**0.9 * np.exp(0.1 * rng.standard_normal(ms.size)))
        covered += f.lo <= 0.9 <= f.hi
    assert 365 <= covered <= 394


def test_fit_needs_two_widths_and_positive_costs():
    one = fit_exponent([1024, 1024], [5.0, 6.0])
    assert math.isnan(one.slope) and one.format() == "-"
    two = fit_exponent([1024, 4096], [5.0, 20.0])
    assert two.slope == pytest.approx(1.0) and math.isnan(two.lo)  # no degrees of freedom for an interval
    with pytest.raises(ValueError):
        fit_exponent([1024, 4096], [0.0, 1.0])


def test_fired_exponent_theory_is_below_0_8_and_matches_m_q_b():
    ms = [2**10, 2**14, 2**18]
    kappa = fired_exponent_theory(ms)
    k = [m * fire_probability(default_threshold(m)) for m in ms]
    assert kappa == pytest.approx(stats.linregress(np.log(ms), np.log(k)).slope)
    assert 0.7 < kappa < 0.8
    assert fired_exponent_theory([2**40, 2**60]) > kappa  # the slope creeps up towards 0.8
    assert fired_exponent_theory(ms, b=1.5) == pytest.approx(1.0)  # fixed b: k proportional to m


# --------------------------------------------------------------------------- points and store

def test_sweep_records_and_exponent_table():
    config = small_config(finders=("dense", "grover-emulator"), ms=(2**9, 2**10, 2**11), seeds=(0, 1))
    result = run_sweep(config)
    assert (result.ran, result.skipped) == (12, 0)
    for r in result.records:
        assert r["key"]["m"] == r["m"] and r["n"] == 48 and r["d"] == 6
        assert len(r["loss"]) == 4 and len(r["fired_per_input_by_iteration"]) == 3
        assert r["ops_per_iter"] >= r["find_ops_per_iter"] > 0
        if r["finder"] == "dense":
            assert r["find_ops_per_iter"] == 48 * r["m"]
        else:
            assert r["seconds_label"] == "simulation" and r["extras"]["oracle_queries"]
    rows = {row["finder"]: row for row in exponent_rows(result.records)}
    assert rows["dense"]["find"].slope == pytest.approx(1.0)
    assert rows["dense"]["theory"] == "1" and rows["grover-emulator"]["theory"] == "0.9"
    assert set(rows["grover-emulator"]["queries_over_sqrt_mk"]) == {512, 1024, 2048}
    assert rows["grover-emulator"]["seconds"] is None  # simulation seconds are not fitted
    text = format_exponents(result.records)
    assert "fired/input k" in text and "0.9" in text
    md = format_exponents(result.records, markdown=True)
    assert md.startswith("| finder | theory |")


def test_store_resumes_and_redoes_a_truncated_last_line(tmp_path):
    path = str(tmp_path / "s.jsonl")
    config = small_config(finders=("dense", "drift"), ms=(2**9,), seeds=(0, 1, 2))
    points = config.points()
    store = SweepStore(path)
    for spec in points[:3]:
        store.append(run_point(spec))
    with open(path, "ab") as fh:  # a kill in the middle of writing the fourth line
        fh.write(json.dumps(run_point(points[3]))[:57].encode())
    again = SweepStore(path)
    assert again.truncated_tail and again.bad_lines == 0 and len(again.records) == 3
    result = run_sweep(config, again)
    assert (result.ran, result.skipped) == (3, 3)
    lines = open(path).read().splitlines()
    assert len(lines) == 6
    keys = [key_id(json.loads(line)["key"]) for line in lines]
    assert sorted(keys) == sorted(p.key_id() for p in points)
    third = run_sweep(config, SweepStore(path))
    assert (third.ran, third.skipped) == (0, 6)


def test_store_key_includes_the_config(tmp_path):
    path = str(tmp_path / "s.jsonl")
    run_sweep(small_config(finders=("dense",), ms=(2**9,), seeds=(0,)), SweepStore(path))
    other = run_sweep(small_config(finders=("dense",), ms=(2**9,), seeds=(0,), iters=2), SweepStore(path))
    assert other.ran == 1  # different iterations: a different point
    same = run_sweep(small_config(finders=("dense",), ms=(2**9,), seeds=(0,)), SweepStore(path))
    assert same.ran == 0


def test_killed_sweep_reruns_only_the_missing_points(tmp_path):
    path = tmp_path / "kill.jsonl"
    args = ["--finders", "dense,data-hsr,drift", "--m", "2^8,2^9", "--seeds", "0-19",
            "--n", "32", "--d", "4", "--iters", "2", "--json", str(path), "--quiet"]
    proc = subprocess.Popen([sys.executable, "-m", "quantum_train.cli", "sweep", *args],
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        deadline = time.monotonic() + 120
        while time.monotonic() < deadline and proc.poll() is None:
            if path.exists() and path.read_bytes().count(b"\n") >= 3:
                break
            time.sleep(0.02)
        assert proc.poll() is None, "the sweep finished before it could be killed"
        os.kill(proc.pid, signal.SIGKILL)
        proc.wait()
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait()
    stored = SweepStore(str(path))
    total = 3 * 2 * 20
    assert 3 <= len(stored.records) < total
    config = SweepConfig(finders=("dense", "data-hsr", "drift"), ms=(2**8, 2**9), seeds=tuple(range(20)),
                         n=32, d=4, iters=2)
    result = run_sweep(config, stored)
    assert result.skipped == len(stored.records) - result.ran and result.ran == total - result.skipped
    lines = path.read_text().splitlines()
    assert len(lines) == total and len({key_id(json.loads(x)["key"]) for x in lines}) == total


# --------------------------------------------------------------------------- Dask

def test_dask_local_cluster_matches_serial(tmp_path):
    import dask.distributed  # noqa: F401  (the test extra installs it)
    config = small_config()
    serial = run_sweep(config)
    path = str(tmp_path / "d.jsonl")
    # half of the points already stored: the cluster runs only the others
    run_sweep(small_config(seeds=(0,)), SweepStore(path))
    dist = run_sweep(small_config(), SweepStore(path), workers=2)
    assert (dist.ran, dist.skipped) == (10, 10)
    assert len(open(path).read().splitlines()) == 20
    for a, b in zip(serial.records, dist.records):
        assert a["key"] == b["key"]
        assert deterministic_part(a) == deterministic_part(b), a["key"]
    # the comparison is not vacuous: seeds differ, and the grover finder is randomised
    assert serial.records[0]["loss"] != serial.records[1]["loss"]


# --------------------------------------------------------------------------- CLI

def test_cli_sweep_writes_store_plot_and_table(tmp_path, capsys):
    store, png = tmp_path / "s.jsonl", tmp_path / "s.png"
    argv = ["sweep", "--finders", "dense,grover-emulator", "--m", "2^9,2^10,2^11", "--seeds", "0,1",
            "--n", "40", "--d", "4", "--iters", "2", "--json", str(store), "--plot", str(png)]
    assert main(argv) == 0
    out = capsys.readouterr().out
    assert "[12/12]" in out and "ops/iter exponent" in out and "12 points run, 0 taken from the store" in out
    assert png.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    assert len(store.read_text().splitlines()) == 12
    assert main([*argv, "--quiet", "--markdown"]) == 0
    out = capsys.readouterr().out
    assert "0 points run, 12 taken from the store" in out and "| dense | 1 | 1 |" in out


@pytest.mark.parametrize("args,needle", [
    (["--m", "2^10,...,2^12"], "--m"),
    (["--m", "1"], "--m"),
    (["--m", "512,512"], "--m"),
    (["--seeds", "3-1"], "--seeds"),
    (["--finders", "dense,magic"], "--finders"),
    (["--n", "0"], "--n"),
    (["--workers", "0"], "--workers"),
    (["--workers", "2", "--scheduler", "tcp://127.0.0.1:1"], "--scheduler"),
    (["--json", "/nonexistent/dir/s.jsonl"], "--json"),
])
def test_cli_sweep_errors_are_one_line(args, needle, capsys, tmp_path):
    assert main(["sweep", "--m", "2^9", "--seeds", "0", "--n", "8", "--d", "2", "--iters", "1", *args]) == 2
    err = capsys.readouterr().err.strip()
    assert err.startswith("quantum-train: error: argument") and needle in err and "\n" not in err


def test_cli_sweep_without_dask_says_how_to_install(monkeypatch, capsys):
    monkeypatch.setitem(sys.modules, "dask.distributed", None)  # import fails
    assert main(["sweep", "--m", "2^9", "--seeds", "0", "--n", "8", "--d", "2", "--iters", "1", "--workers", "2"]) == 2
    err = capsys.readouterr().err
    assert "--workers" in err and "pip install 'quantum-train[dask]'" in err
