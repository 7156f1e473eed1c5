"""Per-iteration cost of every finder against the dense finder, side by side in one run.

    python benchmarks/bench_finders.py                         # n=1024, m=2^20, d in {4, 16}, 30 iterations
    python benchmarks/bench_finders.py --m 2^16 --dims 8 --iters 100 --finders dense,drift
    python benchmarks/bench_finders.py --m 2^16 --dims 4 --iters 12   # quick
    python benchmarks/bench_finders.py --finders dense,drift-unfused,drift --rounds 3
    python benchmarks/bench_finders.py --dims 16 --finders dense,drift --rounds 3 --against 19bcace

Each (finder, d) runs in its own subprocess so that its peak resident memory is
its own; ``--rounds`` runs every finder that many times, the finders taking
turns (dense, drift, dense, drift, ...), and keeps each finder's fastest run:
on a machine whose speed drifts, turns put every finder through the same
conditions.

Every subprocess trains the same initial network on the same data
(seeded), so all finders do the same steps. Printed per finder: preprocessing
seconds and ops, mean per-iteration seconds, of which ``find`` and ``pairs``
(forward + backward + update + fused: the work on fired pairs that every finder does
alike, plus, in update, the finder's own structure maintenance; a fused finder's one
pass also holds its next find), ops, the ratio ``dense seconds / finder seconds`` per iteration, the
``ceiling`` ``dense seconds / pairs seconds`` that no finder can pass even with a
free find, ``pair/MAC``: the pair phases' seconds per multiply-add (``2 n k d``
of them, ``k`` fired neurons per input) over the dense find's (``n m d``), and
peak RSS. The dense row also times a plain blocked ``X @ W.T`` scan in the same
process, the yardstick that the tuned dense find must not fall behind.

**Steady state.** Training's first iterations are not its typical ones
(dense warms up; drift's re-checks and refreshes grow as the weights move
from their anchors), so a second table splits every run at ``--steady-from``
(10): *warm-up* (iterations before it) and *steady state* (from it on; the
default run is 30 iterations). Per finder: medians of seconds (wall, and the
process's CPU seconds over all its threads, which a busy shared machine
disturbs less) and of ops per iteration, with their spread (25th-75th
percentile), and the ratio to dense on the same iterations (summed seconds or
ops of dense over the finder's, iterations ``--steady-from`` on: the issue-24
check). With ``--rounds``, each iteration's seconds are the minimum over the
rounds (every round does the same work: same seeds). ``--json PATH`` writes
every run's per-iteration series.

``--against REV`` also runs every finder but dense from git revision ``REV``
(checked out in a temporary worktree, removed afterwards, each worker
importing that tree's packages), taking turns with this tree's: rows
``finder@REV``, and a line per finder with this tree's speed-up over REV's,
measured side by side (on the steady-state iterations when the run is long
enough). The REV workers run this file's worker code on REV's package, so
that both report the same per-iteration series.
"""

from __future__ import annotations

import argparse
import contextlib
import json
import os
import resource
import subprocess
import sys
from pathlib import Path

import numpy as np
from _revision import is_commit, project_module, revision_tree, tree_env  # noqa: E402 (beside this script)

DEFAULT_FINDERS = "dense,weights-hsr,data-hsr,drift"
#: What ``--threads`` sets in each worker's environment.
THREAD_VARIABLES = ("NUMBA_NUM_THREADS", "OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS")


def worker(args) -> None:
    from quantum_train.finders import make_finder

    ShiftedReLUNet = project_module("quantum_train.core.model", "quantum_train.model").ShiftedReLUNet
    training = project_module("quantum_train.core.train", "quantum_train.train")
    default_learning_rate, train = training.default_learning_rate, training.train
    synthetic = project_module("quantum_train.data.datasets", "quantum_train.data").synthetic
    warm_up = project_module("quantum_train.experiments.comparison", "quantum_train.comparison").warm_up

    warm_up(args.finder, args.d, 0)
    data = synthetic(args.n, args.d, seed=args.seed)
    net = ShiftedReLUNet.initialize(args.m, args.d, seed=args.seed)
    plain = plain_scan_seconds(net, data.X) if args.finder == "dense" else None
    with cpu_seconds_by_iteration() as cpu:
        result = train(net, data.X, data.y, make_finder(args.finder), args.iters,
                       default_learning_rate(args.n, net.b))
    per = result.ledger.per_iteration()
    print(json.dumps({
        "finder": args.finder, "d": args.d,
        "preprocess": result.ledger.preprocess.to_dict(),
        "per_iteration": per,
        "final_loss": result.final_loss,
        "fired_per_input": float(np.mean(result.fired_mean)),
        "peak_rss_gib": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 2**20,
        "extras": result.extras,
        "plain_scan_seconds": plain,
        "seconds_by_iteration": result.ledger.series(what="seconds"),
        "cpu_seconds_by_iteration": cpu[: len(result.ledger.iterations)],
        "ops_by_iteration": result.ledger.series(what="ops"),
    }))


@contextlib.contextmanager
def cpu_seconds_by_iteration():
    """Process CPU seconds (all threads) of the ledger's measured phases, per iteration, into the yielded list.

    Wraps ``CostLedger.measure`` for the duration (the phases train times); the
    ledger's own seconds stay wall seconds.
    """
    import time

    CostLedger = project_module("quantum_train.core.costs", "quantum_train.costs").CostLedger

    cpu: list[float] = []
    measure = CostLedger.measure

    @contextlib.contextmanager
    def measured(self, phase, ops_counter=None):
        start = time.process_time()
        with measure(self, phase, ops_counter) as slot:
            yield slot
        at = len(self.iterations) - 1
        cpu.extend([0.0] * (at + 1 - len(cpu)))
        cpu[at] += time.process_time() - start

    CostLedger.measure = measured
    try:
        yield cpu
    finally:
        CostLedger.measure = measure


def plain_scan_seconds(net, X, block: int = 2048, repeats: int = 2) -> float:
    """Best of ``repeats``: the plain blocked scan ``W[blk] @ X.T > b`` then ``nonzero``, per block of neurons.

    The yardstick for the tuned dense find (same pairs, no guard band, no CSR).
    """
    import time

    best = float("inf")
    for _ in range(repeats):
        t = time.perf_counter()
        for lo in range(0, net.m, block):
            np.nonzero(net.W[lo:lo + block] @ X.T > net.b)
        best = min(best, time.perf_counter() - t)
    return best


def main() -> None:
    from _problem import positive_size  # beside this script

    from quantum_train.experiments.cost_curve import STEADY_FROM  # the project's one steady-state rule
    from quantum_train.face.commands.common import size  # 2^20 or 1048576, checked (this tree's parser)
    from quantum_train.face.commands.sweep import expand_list  # the sweep's comma lists

    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--n", type=int, default=1024)
    p.add_argument("--m", type=size, default=2**20)
    p.add_argument("--dims", type=lambda text: expand_list(text, item=positive_size), default=(4, 16),
                   help="comma list of dimensions (default 4,16)")
    p.add_argument("--iters", type=int, default=30, help="training iterations per run (default 30)")
    p.add_argument("--steady-from", type=int, default=STEADY_FROM,
                   help="first iteration of the steady state (default 10); the earlier ones are warm-up")
    p.add_argument("--seed", type=int, default=0, help="seed of the data and the initial network (default 0)")
    p.add_argument("--json", metavar="PATH", help="write every run's per-iteration series to PATH (a new file)")
    p.add_argument("--threads", type=int, help="threads per worker (numba, OpenMP, BLAS); default: the machine's. "
                   "One thread is steadier on a busy shared machine: no thread waits at a barrier for a descheduled one")
    p.add_argument("--finders", default=DEFAULT_FINDERS)
    p.add_argument("--rounds", type=int, default=1, help="runs per finder, taking turns; the fastest is kept")
    p.add_argument("--against", metavar="REV", help="also run each finder but dense from git revision REV")
    p.add_argument("--worker", action="store_true", help=argparse.SUPPRESS)
    p.add_argument("--finder", help=argparse.SUPPRESS)
    p.add_argument("--d", type=int, help=argparse.SUPPRESS)
    args = p.parse_args()
    if args.rounds < 1:
        print("bench_finders: --rounds must be at least 1 (runs per finder)", file=sys.stderr)
        raise SystemExit(2)
    if args.iters < 1 or args.steady_from < 1 or args.seed < 0 or (args.threads is not None and args.threads < 1):
        print("bench_finders: --iters, --steady-from and --threads must be at least 1, --seed at least 0",
              file=sys.stderr)
        raise SystemExit(2)
    if args.worker:
        return worker(args)
    if args.json is not None and os.path.exists(args.json):
        print(f"bench_finders: --json {args.json}: the file exists (give a new path)", file=sys.stderr)
        raise SystemExit(2)
    if args.against is not None and not is_commit(args.against):
        print(f"bench_finders: --against {args.against}: no such commit in this repository (give a commit, tag or "
              "branch)", file=sys.stderr)
        raise SystemExit(2)
    print("command:", " ".join(["python", *sys.argv]))
    print(f"n={args.n} m={args.m} iters={args.iters} rounds={args.rounds} seed={args.seed} "
          f"threads={args.threads or 'default'}; seconds are wall time "
          "on this machine, ratio = dense s/iter / finder s/iter")
    saved = {}
    with revision_tree(args.against) as old_tree:
        for d in args.dims:
            saved[d] = run_dimension(args, d, old_tree)
    if args.json is not None:
        with open(args.json, "x") as out:
            json.dump({"command": " ".join(["python", *sys.argv]), "runs": saved}, out)


def run_dimension(args, d: int, old_tree: Path | None) -> None:
    """Every finder (and its REV twin) at dimension ``d``, taking turns; prints the table."""
    runs = [(finder, finder, None) for finder in args.finders.split(",")]
    if old_tree is not None:
        runs += [(f"{finder}@{args.against}", finder, old_tree) for finder, _, _ in runs if finder != "dense"]
    best: dict[str, dict] = {}
    every: dict[str, list[dict]] = {label: [] for label, _, _ in runs}
    for _ in range(args.rounds):
        for label, finder, tree in runs:
            cmd = [sys.executable, __file__, "--worker", "--finder", finder, "--d", str(d), "--n", str(args.n),
                   "--m", str(args.m), "--iters", str(args.iters), "--seed", str(args.seed)]
            env = tree_env(tree) if tree else dict(os.environ)
            if args.threads is not None:
                env.update({name: str(args.threads) for name in THREAD_VARIABLES})
            out = subprocess.run(cmd, capture_output=True, text=True, cwd=tree, env=env)
            if out.returncode:
                print(out.stderr, file=sys.stderr)
                raise SystemExit(f"worker for {label} failed")
            row = json.loads(out.stdout.strip().splitlines()[-1])
            row["finder"] = label
            every[label].append(row)
            if label not in best or row["per_iteration"]["seconds"] < best[label]["per_iteration"]["seconds"]:
                best[label] = row
    rows = list(best.values())
    dense = next((r for r in rows if r["finder"] == "dense"), None)
    print(f"\nd = {d}")
    print(f"{'finder':14s} {'preproc s':>9s} {'preproc ops':>11s} {'s/iter':>8s} {'find s':>8s} {'pairs s':>8s} "
          f"{'ops/iter':>9s} {'speedup':>8s} {'ceiling':>8s} {'pair/MAC':>8s} {'peak GiB':>8s} {'final loss':>11s}  notes")
    if dense:
        find_s = dense["per_iteration"]["phases"]["find"]["seconds"]
        print(f"dense find {find_s:.4f} s/iter against a plain blocked X @ W.T scan "
              f"{dense['plain_scan_seconds']:.4f} s (same run): {dense['plain_scan_seconds'] / find_s:.2f}x")
    for r in rows:
        per = r["per_iteration"]
        ratio = dense["per_iteration"]["seconds"] / per["seconds"] if dense else float("nan")
        notes = ", ".join(f"{k}={v}" for k, v in r["extras"].items())
        # the work on fired pairs that every finder does alike: forward, backward, weight update
        pairs = sum(per["phases"][p]["seconds"] for p in ("forward", "backward", "update", "fused"))
        ceiling = dense["per_iteration"]["seconds"] / pairs if dense else float("nan")
        # seconds per multiply-add: pairs (forward + backward: 2 n k d) over the dense scan (n m d)
        per_mac = (pairs / (2 * args.n * r["fired_per_input"] * d)) / (find_s / (args.n * args.m * d)) if dense else float("nan")
        print(f"{r['finder']:14s} {r['preprocess']['seconds']:9.3f} {r['preprocess']['ops']:11.3g} {per['seconds']:8.4f} "
              f"{per['phases']['find']['seconds']:8.4f} {pairs:8.4f} {per['ops']:9.3g} {ratio:7.1f}x {ceiling:7.1f}x "
              f"{per_mac:7.2f}x {r['peak_rss_gib']:8.2f} {r['final_loss']:11.6g}  {notes}")
    steady = steady_state_table(args, d, every)
    for label, finder, tree in runs:
        if tree is not None:
            if steady is not None:
                new_s, old_s = steady[finder]["steady_sum_seconds"], steady[label]["steady_sum_seconds"]
                new_c, old_c = steady[finder]["steady_sum_cpu"], steady[label]["steady_sum_cpu"]
                print(f"{finder}: steady state (iterations {args.steady_from}-{args.iters - 1}) {old_s / new_s:.2f}x "
                      f"faster in wall seconds, {old_c / new_c:.2f}x in CPU seconds than at {args.against} (same run)")
            else:
                new_s, old_s = best[finder]["per_iteration"]["seconds"], best[label]["per_iteration"]["seconds"]
                print(f"{finder}: {new_s:.4f} s/iter against {old_s:.4f} at {args.against} (same run): "
                      f"{old_s / new_s:.2f}x faster")
    return {"rounds": every, "steady": steady}


def spread(values) -> str:
    """``median [25th-75th percentile]``."""
    q25, q50, q75 = np.percentile(values, [25, 50, 75])
    return f"{q50:.4g} [{q25:.4g}-{q75:.4g}]"


def steady_state_table(args, d: int, every: dict[str, list[dict]]) -> dict | None:
    """Warm-up and steady-state medians per finder, and ratios to dense on the same iterations; None (and a
    line saying so) if the run has no steady state."""
    cut = args.steady_from
    if args.iters <= cut:
        print(f"(no steady-state table: the run has {args.iters} iterations, the steady state starts at {cut})")
        return None
    series = {}
    for label, rows in every.items():
        # every round does the same work: each iteration's seconds are the least any round took
        wall = np.min([r["seconds_by_iteration"] for r in rows], axis=0)
        cpu = np.min([r["cpu_seconds_by_iteration"] for r in rows], axis=0)
        series[label] = (wall, cpu, np.asarray(rows[0]["ops_by_iteration"], dtype=float))
    if any(len(w) <= cut for w, _, _ in series.values()):
        print("(no steady-state table: a run stopped early)")
        return None
    dense = series.get("dense")
    print(f"\nsteady state, d = {d}: iterations {cut}-{args.iters - 1} of {args.iters} (warm-up: 0-{cut - 1}); "
          "medians [25th-75th percentile] per iteration; 'vs dense' = dense's summed seconds (ops) over the "
          "finder's on the same iterations")
    print(f"{'finder':16s} {'warm-up s':>10s} {'steady s/iter (wall)':>28s} {'steady CPU s/iter':>28s} "
          f"{'steady ops/iter':>30s} {'vs dense wall':>13s} {'cpu':>7s} {'ops':>7s} {'warm-up':>8s}")
    out = {}
    for label, (wall, cpu, ops) in series.items():
        warm, stead = slice(0, cut), slice(cut, None)
        ratio = {}
        if dense is not None:
            ratio = {"wall": dense[0][stead].sum() / wall[stead].sum(), "cpu": dense[1][stead].sum() / cpu[stead].sum(),
                     "ops": dense[2][stead].sum() / ops[stead].sum(), "warm_up": dense[0][warm].sum() / wall[warm].sum()}
        print(f"{label:16s} {np.median(wall[warm]):10.4g} {spread(wall[stead]):>28s} {spread(cpu[stead]):>28s} "
              f"{spread(ops[stead]):>30s} {ratio.get('wall', np.nan):12.1f}x {ratio.get('cpu', np.nan):6.1f}x "
              f"{ratio.get('ops', np.nan):6.1f}x {ratio.get('warm_up', np.nan):7.1f}x")
        out[label] = {"warm_up_median_seconds": float(np.median(wall[warm])),
                      "steady_median_seconds": float(np.median(wall[stead])),
                      "steady_median_cpu": float(np.median(cpu[stead])),
                      "steady_median_ops": float(np.median(ops[stead])),
                      "steady_sum_seconds": float(wall[stead].sum()), "steady_sum_cpu": float(cpu[stead].sum()),
                      "vs_dense": ratio}
    return out


if __name__ == "__main__":
    main()
