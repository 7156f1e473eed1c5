"""Sweeps: list parsing, exponent fits, T* and m*, the resumable store keyed by (finder, d, n, m, seed), Dask, the CLI."""

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

from quantum_train.core.model import default_threshold, fire_probability
from quantum_train.errors import ConfigError
from quantum_train.experiments.sweeps import StoreVersionError, Sweep, SweepStore, plan, run, sweep
from quantum_train.experiments.sweeps.config import key_id
from quantum_train.experiments.sweeps.fit import (
    break_even_iterations,
    break_evens,
    crossover_width,
    crossovers,
    fired_exponent_theory,
    fit_exponent,
    theory_for,
)
from quantum_train.experiments.sweeps.record import SweepPoint
from quantum_train.experiments.sweeps.report import format_exponents
from quantum_train.experiments.sweeps.runner import SCHEMA, PointRunner, deterministic_part
from quantum_train.face.cli import main
from quantum_train.face.commands.sweep import expand_list, seed_list

SMALL = dict(n=48, d=6, iters=3)
FINDERS = ("dense", "weights-hsr", "data-hsr:kdtree", "drift", "grover-emulator")


def small_plan(**kw):
    base = dict(finders=FINDERS, m=(2**9, 2**10), seeds=(0, 1), **SMALL)
    base.update(kw)
    return plan(**base)


# --------------------------------------------------------------------------- parsing

def test_expand_list_ellipsis_geometric_and_arithmetic():
    assert expand_list("2^10,2^12,...,2^20") == tuple(2**k for k in range(10, 21, 2))
    assert expand_list("2^10,2^11,...,2^13") == (1024, 2048, 4096, 8192)
    assert expand_list("0,1,...,4") == (0, 1, 2, 3, 4)
    assert expand_list("4096, 2**13") == (4096, 8192)
    assert expand_list("2,3,4,6,8,12,16") == (2, 3, 4, 6, 8, 12, 16)
    assert seed_list("0-3") == (0, 1, 2, 3) and seed_list("5") == (5,)
    for bad in ("2^10,...,2^20", "2^10,2^12,...,2^19", "2^12,2^10,...,2^2", "x", "", "1,2,...", "0,2,...,5",
                "2,,4", "2,4,", ",2", "2,2", "2^10,1024", "2,4,...,16,8"):
        with pytest.raises(argparse.ArgumentTypeError):
            expand_list(bad)


def test_plan_lists_sorted_and_checked():
    config = plan(finders="dense,weights-hsr:kdtree", m=[4096, 1024], d=[16, 2], n=[64, 32], seeds=0, iters=1)
    assert (config.ms, config.ds, config.ns, config.seeds) == ((1024, 4096), (2, 16), (32, 64), (0,))
    assert config.finders == ("dense", "weights-hsr:kdtree")
    assert len(config.points()) == 2 * 2 * 2 * 2
    cases = [(dict(d=[]), "d"), (dict(d=[2, 2]), "d"), (dict(n=[8, 0]), "n"), (dict(m=[1]), "m"),
             (dict(seeds=[-1]), "seeds"), (dict(finders="dense,,drift"), "finders"),
             (dict(finders="dense,dense"), "finders"), (dict(finders="weights-hsr:faiss"), "finders"),
             (dict(finders="dense:kdtree"), "finders"), (dict(finders="drift:brute"), "finders"),
             (dict(data="iris", d=[4, 5]), "d"), (dict(data="iris", n=[151]), "n"), (dict(iters=0), "iters")]
    for kw, field in cases:
        args = dict(finders="dense", m=[512], seeds=0, iters=1) | kw
        with pytest.raises(ConfigError) as info:
            plan(**args)
        assert info.value.field == field, (kw, info.value.field, str(info.value))
    with pytest.raises(ConfigError, match="faiss.*weights-hsr:kdtree"):
        plan(finders="weights-hsr:faiss", m=[512], seeds=0)


@pytest.mark.slow
def test_real_data_swept_over_pca_dimensions():
    config = plan(finders="dense", data="wine", d=[2, 5, 13], m=[256, 512], seeds=0, iters=1)
    assert config.ds == (2, 5, 13) and config.ns == (178,)  # n: the whole set
    result = run(config, SweepStore())
    assert {(p.d, p.n) for p in result.points} == {(2, 178), (5, 178), (13, 178)}
    with pytest.raises(ConfigError, match="13") as info:
        plan(finders="dense", data="wine", d=[14], m=[512], seeds=0)
    assert info.value.field == "d"


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
    noise = np.exp(0.1 * rng.standard_normal(ms.size))
    fit = fit_exponent(ms, ms**0.9 * noise)
    res = stats.linregress(np.log(ms), np.log(ms**0.9 * noise))
    half = stats.t.ppf(0.975, ms.size - 2) * res.stderr
    assert fit.lo == pytest.approx(res.slope - half) and fit.hi == pytest.approx(res.slope + half)
    covered = 0  # 400 replicates at 95 %: binomial(400, 0.95) lies in [365, 394] with probability > 0.999
    for _ in range(400):
        f = fit_exponent(ms, ms**0.9 * np.exp(0.1 * rng.standard_normal(ms.size)))
        covered += f.lo <= 0.9 <= f.hi
    assert 365 <= covered <= 394


def test_fit_needs_two_widths_and_positive_costs():
    one = fit_exponent([1024, 1024], [5.0, 6.0])
    assert math.isnan(one.slope) and one.format() == "-" and (one.m_min, one.m_max) == (1024, 1024)
    two = fit_exponent([1024, 4096], [5.0, 20.0])
    assert two.slope == pytest.approx(1.0) and math.isnan(two.lo)
    with pytest.raises(ValueError):
        fit_exponent([1024, 4096], [0.0, 1.0])


def test_fired_exponent_theory_is_below_0_8_and_matches_m_q_b():
    ms = [2**10, 2**14, 2**18]
    kappa = fired_exponent_theory(ms)
    k = [m * fire_probability(default_threshold(m)) for m in ms]
    assert kappa == pytest.approx(stats.linregress(np.log(ms), np.log(k)).slope)
    assert 0.7 < kappa < 0.8
    assert fired_exponent_theory([2**40, 2**60]) > kappa
    assert fired_exponent_theory(ms, b=1.5) == pytest.approx(1.0)
    assert math.isnan(fired_exponent_theory([1024]))


def test_theory_per_finder_and_dimension():
    ms = [2**10, 2**14, 2**18]
    kappa = fired_exponent_theory(ms)
    assert theory_for("dense", 16, 256, ms).at_range == 1.0
    t2 = theory_for("weights-hsr:kdtree", 2, 256, ms)
    assert t2.at_range == pytest.approx(0.5) and t2.output_dominates and t2.total == pytest.approx(kappa)
    t16 = theory_for("weights-hsr:kdtree", 16, 256, ms)
    assert t16.at_range == pytest.approx(15 / 16) and not t16.output_dominates and t16.total == pytest.approx(15 / 16)
    assert t16.paper == f"{1 - 1 / 8:.2f}" and theory_for("weights-hsr:kdtree", 3, 256, ms).paper == "0.00"
    assert theory_for("weights-hsr:brute", 2, 256, ms).at_range == 1.0
    assert theory_for("grover-emulator", 16, 256, ms).at_range == pytest.approx((1 + kappa) / 2)
    assert theory_for("drift", 16, 256, ms).at_range is None
    # Algorithm 2: with n Q(b) >> 1 nearly every neuron moves, so the exponent is near 1, not 4/5
    assert theory_for("data-hsr:kdtree", 16, 1024, ms).at_range > 0.9


# --------------------------------------------------------------------------- T* and m*

def point(finder, m, ops, pre=0.0, secs=None, d=4, n=64, seed=0):
    rec = {"finder": finder, "d": d, "n": n, "m": m, "seed": seed, "ops_per_iter": ops, "find_ops_per_iter": ops,
           "seconds_per_iter": ops * 1e-6 if secs is None else secs, "find_seconds_per_iter": 0.0,
           "preprocess": {"ops": pre, "seconds": pre * 1e-6}, "fired_per_input": 1.0,
           "expected_fired_per_input": 1.0, "final_loss": 1.0, "seconds_label": "wall", "key": {"b": None}}
    return SweepPoint.from_record(rec)


def test_break_even_arithmetic():
    assert break_even_iterations(1000.0, 60.0, 100.0) == pytest.approx(25.0)  # 1000 + 25 * 60 = 25 * 100
    assert break_even_iterations(0.0, 60.0, 100.0) == 0.0
    assert break_even_iterations(1000.0, 100.0, 100.0) is None and break_even_iterations(5.0, 120.0, 100.0) is None
    pts = [point("dense", 1024, 100.0), point("dense", 1024, 300.0, seed=1), point("tree", 1024, 50.0, pre=3000.0),
           point("tree", 1024, 150.0, pre=5000.0, seed=1), point("dense", 4096, 400.0), point("tree", 4096, 500.0, pre=1.0)]
    evens = {(e.finder, e.m): e for e in break_evens(pts)}
    assert set(evens) == {("tree", 1024), ("tree", 4096)}
    e = evens[("tree", 1024)]  # means over seeds: dense 200, tree 100, preprocessing 4000 -> 4000 / 100
    assert e.t_star_ops == pytest.approx(40.0) and e.ratio_ops == pytest.approx(0.5)
    assert e.t_star_seconds == pytest.approx(40.0)
    assert evens[("tree", 4096)].t_star_ops is None


def test_crossover_width_interpolates_in_log_m():
    ms = [2**10, 2**12, 2**14, 2**16]
    # ratio 2 at 2^12, 1/2 at 2^14: log ratio crosses zero half way in log m
    assert crossover_width(ms, [4.0, 2.0, 0.5, 0.25]) == ("crossed", pytest.approx(2.0**13))
    status, m = crossover_width(ms, [4.0, 1.0, 0.25, 0.1])  # exactly 1 at 2^12 counts as not cheaper
    assert status == "crossed" and m == pytest.approx(2.0**12)
    assert crossover_width(ms, [0.5, 0.4, 0.3, 0.2]) == ("always", 2.0**10)
    assert crossover_width(ms, [0.5, 0.4, 0.3, 1.2]) == ("never", None)
    # cheaper in the middle, dearer, then cheaper again: m* is where it stays cheaper
    assert crossover_width(ms, [0.5, 2.0, 0.5, 0.4])[1] == pytest.approx(2.0**13)
    pts = [point("dense", m, 100.0 * m) for m in ms] + [point("tree", m, r * 100.0 * m)
                                                       for m, r in zip(ms, [4.0, 2.0, 0.5, 0.25])]
    (ops, secs) = crossovers(pts)
    assert (ops.metric, ops.status, secs.metric) == ("ops", "crossed", "seconds")
    assert ops.m_star == pytest.approx(2.0**13) and ops.describe() == "2^13.0"
    assert "never" in crossover_width(ms, [2, 2, 2, 2])[0]


# --------------------------------------------------------------------------- points and store

def test_sweep_records_exponents_and_json(tmp_path):
    result = sweep(finders=("dense", "grover-emulator"), m=(2**9, 2**10, 2**11), seeds=(0, 1), **SMALL)
    assert isinstance(result, Sweep) and (result.ran, result.skipped) == (12, 0)
    for p in result.points:
        r = p.record
        assert r["schema"] == SCHEMA and r["key"]["m"] == r["m"] and (r["n"], r["d"]) == (48, 6)
        assert {"finder", "d", "n", "m", "find_ops_per_iter", "ops_per_iter"} <= set(r) and "ops" in r["preprocess"]
        assert len(r["loss"]) == 4 and r["ops_per_iter"] >= r["find_ops_per_iter"] > 0
        if r["finder"] == "dense":
            assert r["find_ops_per_iter"] == 48 * r["m"]
        else:
            assert r["seconds_label"] == "simulation" and r["extras"]["oracle_queries"]
    exps = {e.finder: e for e in result.exponents}
    assert exps["dense"].find.slope == pytest.approx(1.0) and exps["grover-emulator"].seconds is None
    doc = json.loads(json.dumps(result.to_dict()))
    assert {"config", "points", "exponents", "break_even", "crossovers"} <= set(doc)
    assert doc["exponents"][0]["find_ops_per_iter"]["exponent"] == pytest.approx(1.0)
    assert "theory (find)" in result.table() and result.table(markdown=True).startswith("| finder |")


def test_one_width_prints_no_range_and_no_nan():
    result = sweep(finders="dense", m=256, seeds=0, n=8, d=2, iters=1)
    text = result.table()
    assert "0..256" not in text and "nan" not in text and "at least two widths" in text


def test_store_keys_points_by_d_and_n_and_resumes(tmp_path):
    path = str(tmp_path / "s.jsonl")
    first = sweep(finders="dense", m=[256, 512], d=[2], n=[16], seeds=0, iters=1, json=path)
    assert first.ran == 2
    wider = sweep(finders="dense", m=[256, 512], d=[2, 3], n=[16, 24], seeds=0, iters=1, json=path)
    assert (wider.ran, wider.skipped) == (6, 2)  # only (d, n) = (2, 16) was stored
    keys = [json.loads(line)["key"] for line in open(path)]
    assert len(keys) == 8 and len({key_id(k) for k in keys}) == 8
    assert {(k["d"], k["n"]) for k in keys} == {(2, 16), (2, 24), (3, 16), (3, 24)}
    for p in wider.points:  # each stored point is the one of its own coordinates
        assert (p.record["key"]["d"], p.record["key"]["n"]) == (p.d, p.n) and p.record["d"] == p.d
    again = sweep(finders="dense", m=[512], d=[3], n=[24], seeds=0, iters=1, json=path)
    assert (again.ran, again.skipped) == (0, 1)
    other = sweep(finders="dense", m=[512], d=[3], n=[24], seeds=0, iters=2, json=path)
    assert other.ran == 1  # a different iteration count is a different point


def test_store_redoes_a_truncated_last_line(tmp_path):
    path = str(tmp_path / "s.jsonl")
    config = small_plan(finders=("dense", "drift"), m=(2**9,), seeds=(0, 1, 2))
    points = config.points()
    store, runner = SweepStore(path), PointRunner()
    for spec in points[:3]:
        store.append(runner(spec))
    with open(path, "ab") as fh:
        fh.write(json.dumps(runner(points[3]))[:57].encode())
    again = SweepStore(path)
    assert again.truncated_tail and again.bad_lines == 0 and len(again) == 3
    result = run(config, again)
    assert (result.ran, result.skipped) == (3, 3)
    lines = open(path).read().splitlines()
    assert len(lines) == 6 and sorted(key_id(json.loads(x)["key"]) for x in lines) == sorted(p.key_id() for p in points)


def test_store_of_an_older_schema_is_refused_untouched(tmp_path):
    path = tmp_path / "old.jsonl"
    old = {"schema": 1, "key": {"finder": "dense", "m": 256, "seed": 0, "data": "synthetic", "n": 8, "d": 2,
                                "iters": 1, "lr": None, "b": None}, "finder": "dense"}
    path.write_text(json.dumps(old) + "\n")
    before = path.read_bytes()
    with pytest.raises(StoreVersionError, match="schema 1") as info:
        sweep(finders="dense", m=256, d=2, n=8, seeds=0, iters=1, json=str(path))
    assert info.value.field == "json" and path.read_bytes() == before
    assert main(["sweep", "--finders", "dense", "--m", "256", "--d", "2", "--n", "8", "--seeds", "0", "--iters", "1",
                 "--json", str(path)]) == 2
    assert path.read_bytes() == before


@pytest.mark.slow
def test_killed_sweep_reruns_only_the_missing_points(tmp_path):
    path = tmp_path / "kill.jsonl"
    args = ["--finders", "dense,data-hsr,drift", "--m", "2^8,2^9", "--seeds", "0-19",
            "--n", "32", "--d", "4", "--iters", "2", "--json", str(path), "--quiet"]
    env = dict(os.environ, PYTHONPATH=os.getcwd())
    proc = subprocess.Popen([sys.executable, "-m", "quantum_train.face.cli", "sweep", *args],
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, env=env)
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
    assert 3 <= len(stored) < total
    config = plan(finders=("dense", "data-hsr", "drift"), m=(2**8, 2**9), seeds=tuple(range(20)), n=32, d=4, iters=2)
    result = run(config, stored)
    assert result.skipped == len(stored) - result.ran and result.ran == total - result.skipped
    lines = path.read_text().splitlines()
    assert len(lines) == total and len({key_id(json.loads(x)["key"]) for x in lines}) == total


@pytest.mark.slow
def test_ctrl_c_leaves_one_line_and_no_file(tmp_path):
    path = tmp_path / "int.jsonl"
    args = ["--finders", "dense", "--m", "2^18", "--seeds", "0", "--n", "512", "--d", "16", "--iters", "50",
            "--json", str(path), "--quiet"]
    env = dict(os.environ, PYTHONPATH=os.getcwd())
    # a shell's background job inherits SIGINT ignored; restore the default so Python raises KeyboardInterrupt
    proc = subprocess.Popen([sys.executable, "-m", "quantum_train.face.cli", "sweep", *args],
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, env=env,
                            preexec_fn=lambda: signal.signal(signal.SIGINT, signal.SIG_DFL))
    try:
        time.sleep(0.2)
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline and b"quantum-train sweep" not in proc.stdout.read1(4096):
            pass
        time.sleep(1.0)
        proc.send_signal(signal.SIGINT)
        _, err = proc.communicate(timeout=60)
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait()
    text = err.decode().strip()
    assert proc.returncode == 130 and "Traceback" not in text and len(text.splitlines()) == 1, text
    assert "interrupted" in text and not path.exists()


# --------------------------------------------------------------------------- Dask

@pytest.mark.slow
def test_dask_local_cluster_matches_serial(tmp_path):
    import dask.distributed  # noqa: F401  (the test extra installs it)
    serial = run(small_plan(), SweepStore())
    path = str(tmp_path / "d.jsonl")
    run(small_plan(seeds=(0,)), SweepStore(path))  # half of the points stored: the cluster runs only the others
    dist = sweep(**(dict(finders=FINDERS, m=(2**9, 2**10), seeds=(0, 1)) | SMALL), json=path, workers=2)
    assert (dist.ran, dist.skipped) == (10, 10)
    assert len(open(path).read().splitlines()) == 20
    for a, b in zip(serial.records, dist.records):
        assert a["key"] == b["key"]
        assert deterministic_part(a) == deterministic_part(b), a["key"]
    assert serial.records[0]["loss"] != serial.records[1]["loss"]


# --------------------------------------------------------------------------- CLI

@pytest.mark.slow
def test_cli_sweep_writes_store_plot_map_and_tables(tmp_path, capsys):
    store, png, svg = tmp_path / "s.jsonl", tmp_path / "s.png", tmp_path / "map.svg"
    argv = ["sweep", "--finders", "dense,weights-hsr:kdtree,grover-emulator", "--m", "2^9,2^10,2^11", "--seeds", "0",
            "--d", "2,4", "--n", "40", "--iters", "2", "--json", str(store), "--plot", str(png), "--map", str(svg)]
    assert main(argv) == 0
    out = capsys.readouterr().out
    assert "[18/18]" in out and "find ops exponent" in out and "18 points run, 0 taken from the store" in out
    assert "m* (ops)" in out and "T* (ops)" in out
    assert png.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n" and svg.read_text().lstrip().startswith("<?xml")
    assert len(store.read_text().splitlines()) == 18
    assert main([*argv, "--quiet", "--markdown"]) == 0
    out = capsys.readouterr().out
    assert "0 points run, 18 taken from the store" in out and "| dense | 2 | 40 | 1 |" in out


@pytest.mark.slow
def test_issue_check_exponent_of_the_pinned_tree_falls_with_d(tmp_path):
    """The issue's check, at a smaller n: the kd-tree's find-ops exponent is below 1 at d = 2, near 1 at d = 16."""
    path = tmp_path / "c.jsonl"
    assert main(["sweep", "--finders", "dense,weights-hsr:kdtree", "--d", "2,16", "--m", "2^10,2^12,2^14",
                 "--n", "32", "--iters", "2", "--seeds", "0", "--json", str(path), "--quiet"]) == 0
    records = [json.loads(x) for x in path.read_text().splitlines()]
    assert all({"finder", "d", "n", "m", "find_ops_per_iter", "ops_per_iter"} <= set(r) and "ops" in r["preprocess"]
               for r in records)
    tree = {d: fit_exponent(*zip(*[(r["m"], r["find_ops_per_iter"]) for r in records
                                   if r["finder"] == "weights-hsr:kdtree" and r["d"] == d])) for d in (2, 16)}
    assert tree[2].hi < 0.7 and tree[16].lo > 0.9


def test_format_exponents_marks_where_the_output_dominates():
    ms = [2**10, 2**12, 2**14]
    pts = [point("weights-hsr:kdtree", m, m**0.5, d=2) for m in ms] + [point("dense", m, m, d=2) for m in ms]
    sweep_ = Sweep.from_records(None, [p.record for p in pts])
    text = format_exponents(list(sweep_.exponents), list(sweep_.points))
    assert "output dominates" in text and "(output)" in text
