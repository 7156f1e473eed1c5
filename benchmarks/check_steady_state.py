"""Issue 24's check: drift against dense at steady state, over whole training runs, on seeds given here.

    python benchmarks/check_steady_state.py                 # one fresh random seed, printed
    python benchmarks/check_steady_state.py --seeds 11,12
    python benchmarks/check_steady_state.py --seeds 5 --threads 1

For each seed and each problem below, runs ``quantum-train compare --finders
dense,drift --data synthetic`` (the CLI's own ``main``, in a child process that
imports this tree) and takes, from iteration ``--steady-from`` (10) on, the
ratio of dense's summed seconds to drift's, beside the issue's target:

- ``n = 1024, m = 2^20, d = 16``, 30 iterations: 20x (stretch 30x);
- ``n = 1024, m = 2^16, d = 8``, 100 iterations: 8x.

Seconds are the per-iteration wall seconds that ``compare`` reports. The child
also measures the process's CPU seconds (all threads) over the same timed
phases, iteration by iteration (a wrapper of ``CostLedger.measure``, as in
``bench_finders.py``): on a machine shared with other work, CPU seconds are
disturbed less than wall seconds, so their ratio is printed too, and the ops
ratio, which the machine does not move.

**Exactness.** The child hashes each run's weights ``W(t)`` at the start of
every iteration (when the ledger opens it, outside the timed phases) and after
the last; drift passes only if every hash equals dense's, its loss curve equals
dense's, and ``compare``'s ``max_abs_weight_diff_vs_dense`` is 0.

Exit status 0 if every (seed, problem) meets its target with identical
weights, 1 if not, 2 on a bad argument. ``--json PATH`` (a new file) keeps
every series.
"""

from __future__ import annotations

import argparse
import contextlib
import hashlib
import json
import os
import secrets
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

import numpy as np

REPO = Path(__file__).resolve().parent.parent
THREAD_VARIABLES = ("NUMBA_NUM_THREADS", "OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS")


@dataclass(frozen=True)
class Problem:
    """One of the issue's two check instances."""

    n: int
    m_text: str
    d: int
    iters: int
    target: float

    def label(self) -> str:
        return f"n={self.n} m={self.m_text} d={self.d}, {self.iters} iterations"


PROBLEMS = (Problem(1024, "2^20", 16, 30, 20.0), Problem(1024, "2^16", 8, 100, 8.0))
STRETCH = {PROBLEMS[0]: 30.0}


# --------------------------------------------------------------------------- child: compare, instrumented

def child(argv: list[str], out_path: str) -> None:
    """Run ``compare`` (argv) with per-iteration CPU seconds and weight hashes recorded, into ``out_path``."""
    import quantum_train.experiments.comparison as comparison
    from quantum_train.core.costs import CostLedger
    from quantum_train.face.cli import main

    runs: list[dict] = []
    active: dict = {}
    plain_train, measure, new_iteration = comparison.train, CostLedger.measure, CostLedger.new_iteration

    def digest(W) -> str:
        return hashlib.blake2b(np.ascontiguousarray(W).tobytes(), digest_size=16).hexdigest()

    def train(net, X, y, finder, iters, lr, **options):
        active.clear()
        active.update(net=net, cpu=[], hashes=[], ledger=None)
        try:
            result = plain_train(net, X, y, finder, iters, lr, **options)
        finally:
            record = dict(active)
            active.clear()
        runs.append({"finder": result.finder, "rows": int(X.shape[0]), "cpu_seconds_by_iteration": record["cpu"],
                     "weight_hashes": [*record["hashes"], digest(net.W)]})
        return result

    def opened(self) -> None:
        if active and active["ledger"] in (None, id(self)):
            active["ledger"] = id(self)
            active["hashes"].append(digest(active["net"].W))
            active["cpu"].append(0.0)
        new_iteration(self)

    @contextlib.contextmanager
    def measured(self, phase, ops_counter=None):
        start = time.process_time()
        with measure(self, phase, ops_counter) as slot:
            yield slot
        if active and active["ledger"] == id(self) and phase != "preprocess":
            active["cpu"][-1] += time.process_time() - start

    comparison.train, CostLedger.measure, CostLedger.new_iteration = train, measured, opened
    try:
        status = main(argv)
    finally:
        comparison.train, CostLedger.measure, CostLedger.new_iteration = plain_train, measure, new_iteration
    with open(out_path, "w") as out:
        json.dump({"status": status, "runs": runs}, out)


# --------------------------------------------------------------------------- parent

def steady_sum(series, start: int) -> float:
    return float(np.sum(np.asarray(series[start:], dtype=float)))


def ratio(dense: float, finder: float) -> float:
    return dense / finder if finder > 0 else float("inf")


def check(problem: Problem, seed: int, args, workdir: str) -> dict:
    """Run one compare and return its figures (ratios from ``args.steady_from`` on, exactness)."""
    result_json = os.path.join(workdir, f"compare_{problem.m_text.replace('^', '')}_{seed}.json")
    child_json = os.path.join(workdir, f"child_{problem.m_text.replace('^', '')}_{seed}.json")
    argv = ["compare", "--finders", "dense,drift", "--data", "synthetic", "--n", str(problem.n), "--m",
            problem.m_text, "--d", str(problem.d), "--iters", str(problem.iters), "--seed", str(seed), "--quiet",
            "--json", result_json]
    env = dict(os.environ, PYTHONPATH=os.pathsep.join([str(REPO), os.environ.get("PYTHONPATH", "")]).rstrip(os.pathsep))
    if args.threads is not None:
        env.update({v: str(args.threads) for v in THREAD_VARIABLES})
    print(f"  running: python -m quantum_train.face.cli {' '.join(argv[:-2])}", flush=True)
    proc = subprocess.run([sys.executable, __file__, "--child", child_json, "--", *argv], env=env, cwd=REPO,
                          capture_output=True, text=True)
    if proc.returncode != 0:
        raise SystemExit(f"check_steady_state: compare failed (exit {proc.returncode}):\n{proc.stderr.strip()}")
    rows = {r["finder"]: r for r in json.load(open(result_json))["results"]}
    runs = {r["finder"]: r for r in json.load(open(child_json))["runs"] if r["rows"] == problem.n}
    dense, drift = rows["dense"], rows["drift"]
    start = args.steady_from
    wall = ratio(steady_sum(dense["seconds_by_iteration"], start), steady_sum(drift["seconds_by_iteration"], start))
    cpu = ratio(steady_sum(runs["dense"]["cpu_seconds_by_iteration"], start),
                steady_sum(runs["drift"]["cpu_seconds_by_iteration"], start))
    ops = ratio(steady_sum(dense["ops_by_iteration"], start), steady_sum(drift["ops_by_iteration"], start))
    warm = ratio(steady_sum(dense["seconds_by_iteration"][:start], 0), steady_sum(drift["seconds_by_iteration"][:start], 0))
    hashes_equal = runs["dense"]["weight_hashes"] == runs["drift"]["weight_hashes"]
    identical = (hashes_equal and drift["max_abs_weight_diff_vs_dense"] == 0.0 and drift["loss"] == dense["loss"]
                 and len(runs["drift"]["weight_hashes"]) == problem.iters + 1)
    return {"problem": problem.label(), "seed": seed, "target": problem.target, "wall_ratio": wall, "cpu_ratio": cpu,
            "ops_ratio": ops, "warm_up_wall_ratio": warm,
            "dense_steady_median_s": float(np.median(dense["seconds_by_iteration"][start:])),
            "drift_steady_median_s": float(np.median(drift["seconds_by_iteration"][start:])),
            "weights_identical": identical, "iterations_hashed": len(runs["drift"]["weight_hashes"]),
            "passed": identical and wall >= problem.target,
            "series": {f: {"seconds": rows[f]["seconds_by_iteration"], "ops": rows[f]["ops_by_iteration"],
                           "cpu_seconds": runs[f]["cpu_seconds_by_iteration"]} for f in ("dense", "drift")}}


def seed_list(text: str) -> tuple[int, ...]:
    try:
        seeds = tuple(int(s) for s in text.split(","))
    except ValueError:
        seeds = ()
    if not seeds or any(s < 0 for s in seeds) or len(set(seeds)) != len(seeds):
        raise argparse.ArgumentTypeError(f"{text!r}: give distinct non-negative integers, e.g. 11,12")
    return seeds


def main() -> int:
    if len(sys.argv) > 2 and sys.argv[1] == "--child":
        child(sys.argv[4:] if sys.argv[3] == "--" else sys.argv[3:], sys.argv[2])
        return 0
    from quantum_train.experiments.cost_curve import STEADY_FROM  # the project's one steady-state rule

    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--seeds", type=seed_list, help="comma list of seeds (default: one fresh random seed, printed)")
    p.add_argument("--steady-from", type=int, default=STEADY_FROM,
                   help=f"first steady-state iteration (default {STEADY_FROM})")
    p.add_argument("--threads", type=int, help="threads of the compare process (numba, OpenMP, BLAS); default: all")
    p.add_argument("--problems", default="0,1", help="which problems: 0 (m=2^20, d=16), 1 (m=2^16, d=8); default both")
    p.add_argument("--json", metavar="PATH", help="write every figure and series to PATH (a new file)")
    args = p.parse_args()
    if args.threads is not None and args.threads < 1:
        p.error("argument --threads: must be at least 1")
    if args.json is not None and os.path.exists(args.json):
        p.error(f"argument --json: {args.json} exists (give a new path)")
    picks = args.problems.split(",")
    if not set(picks) <= {"0", "1"} or len(set(picks)) != len(picks):
        p.error("argument --problems: a comma list of 0 and 1, each at most once")
    chosen = [PROBLEMS[int(i)] for i in picks]
    if not 1 <= args.steady_from < min(pr.iters for pr in chosen):
        p.error(f"argument --steady-from: must be 1..{min(pr.iters for pr in chosen) - 1}")
    seeds = args.seeds or (secrets.randbelow(2**31),)
    print("command:", " ".join(["python", *sys.argv]))
    print(f"seeds: {','.join(map(str, seeds))}{'' if args.seeds else ' (fresh random)'}; steady state from "
          f"iteration {args.steady_from}; threads: {args.threads or 'default'}; load average at start: "
          f"{' '.join(f'{x:.1f}' for x in os.getloadavg())}")
    results = []
    with tempfile.TemporaryDirectory(prefix="check_steady_") as workdir:
        for seed in seeds:
            for problem in chosen:
                print(f"seed {seed}, {problem.label()}:", flush=True)
                r = check(problem, seed, args, workdir)
                results.append(r)
                stretch = STRETCH.get(problem)
                print(f"  drift vs dense, iterations {args.steady_from}+: {r['wall_ratio']:.1f}x wall "
                      f"(target {problem.target:g}x{f', stretch {stretch:g}x' if stretch else ''}: "
                      f"{'met' if r['wall_ratio'] >= problem.target else 'NOT met'}), {r['cpu_ratio']:.1f}x CPU, "
                      f"{r['ops_ratio']:.1f}x ops; warm-up (0-{args.steady_from - 1}) {r['warm_up_wall_ratio']:.1f}x "
                      f"wall; steady medians dense {r['dense_steady_median_s']:.4f} s, drift "
                      f"{r['drift_steady_median_s']:.4f} s", flush=True)
                print(f"  weights identical to dense at all {r['iterations_hashed']} points (W(0)..W(T)), loss "
                      f"curve equal: {'yes' if r['weights_identical'] else 'NO'}; load average now "
                      f"{os.getloadavg()[0]:.1f}", flush=True)
    passed = all(r["passed"] for r in results)
    print(f"{'PASS' if passed else 'FAIL'}: {sum(r['passed'] for r in results)} of {len(results)} checks meet "
          "their target with identical weights (wall seconds, as the issue states)")
    if args.json is not None:
        with open(args.json, "x") as out:
            json.dump({"command": " ".join(["python", *sys.argv]), "results": results}, out)
    return 0 if passed else 1


if __name__ == "__main__":
    raise SystemExit(main())
