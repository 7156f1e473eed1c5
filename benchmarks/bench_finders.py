"""Per-iteration cost of every finder against the dense finder, side by side in one run.

    python benchmarks/bench_finders.py                         # n=1024, m=2^20, d in {4, 16}
    python benchmarks/bench_finders.py --m 2^16 --dims 4       # quick
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

``--against REV`` also runs every finder but dense from git revision ``REV``
(checked out in a temporary worktree, removed afterwards, each worker
importing that tree's packages), taking turns with this tree's: rows
``finder@REV``, and a line per finder with this tree's speed-up over REV's,
measured side by side.
"""

from __future__ import annotations

import argparse
import contextlib
import json
import os
import resource
import subprocess
import sys
import tempfile
from pathlib import Path

import numpy as np

REPO = Path(__file__).resolve().parent.parent

DEFAULT_FINDERS = "dense,weights-hsr,data-hsr,drift"


def worker(args) -> None:
    from quantum_train.comparison import warm_up
    from quantum_train.data import synthetic
    from quantum_train.finders import make_finder
    from quantum_train.model import ShiftedReLUNet
    from quantum_train.train import default_learning_rate, train

    warm_up(args.finder, args.d, 0)
    data = synthetic(args.n, args.d, seed=0)
    net = ShiftedReLUNet.initialize(args.m, args.d, seed=0)
    plain = plain_scan_seconds(net, data.X) if args.finder == "dense" else None
    result = train(net, data.X, data.y, make_finder(args.finder), args.iters, default_learning_rate(args.n, net.b))
    per = result.ledger.per_iteration()
    print(json.dumps({
        "finder": args.finder, "d": args.d,
        "preprocess": result.ledger.preprocess.as_dict(),
        "per_iteration": per,
        "final_loss": result.final_loss,
        "fired_per_input": float(np.mean(result.fired_mean)),
        "peak_rss_gib": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 2**20,
        "extras": result.extras,
        "plain_scan_seconds": plain,
    }))


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
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--n", type=int, default=1024)
    p.add_argument("--m", type=lambda s: int(eval(s.replace("^", "**"), {})), default=2**20)
    p.add_argument("--dims", default="4,16")
    p.add_argument("--iters", type=int, default=4)
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
    if args.worker:
        return worker(args)
    if args.against is not None and not is_commit(args.against):
        print(f"bench_finders: --against {args.against}: no such commit in this repository (give a commit, tag or "
              "branch)", file=sys.stderr)
        raise SystemExit(2)
    print("command:", " ".join(["python", *sys.argv]))
    print(f"n={args.n} m={args.m} iters={args.iters} rounds={args.rounds}; seconds are wall time on this machine, "
          "ratio = dense s/iter / finder s/iter")
    with revision_tree(args.against) as old_tree:
        for d in [int(x) for x in args.dims.split(",")]:
            run_dimension(args, d, old_tree)


@contextlib.contextmanager
def revision_tree(rev: str | None):
    """A temporary git worktree of ``rev`` (None: no tree), removed on exit."""
    if rev is None:
        yield None
        return
    with tempfile.TemporaryDirectory(prefix="bench-rev-") as tmp:
        tree = Path(tmp) / "tree"
        subprocess.run(["git", "-C", str(REPO), "worktree", "add", "--detach", str(tree), rev], check=True,
                       capture_output=True)
        try:
            imported = subprocess.run([sys.executable, "-c", "import quantum_train; print(quantum_train.__file__)"],
                                      cwd=tree, env=tree_env(tree), capture_output=True, text=True, check=True)
            if not imported.stdout.strip().startswith(str(tree)):
                raise SystemExit(f"bench_finders: a worker in {tree} imports {imported.stdout.strip()}")
            print(f"against {rev} (worktree {tree})")
            yield tree
        finally:
            subprocess.run(["git", "-C", str(REPO), "worktree", "remove", "--force", str(tree)], capture_output=True)


def is_commit(rev: str) -> bool:
    return subprocess.run(["git", "-C", str(REPO), "rev-parse", "--verify", "--quiet", f"{rev}^{{commit}}"],
                          capture_output=True).returncode == 0


def tree_env(tree: Path) -> dict:
    return {**os.environ, "PYTHONPATH": str(tree)}


def run_dimension(args, d: int, old_tree: Path | None) -> None:
    """Every finder (and its REV twin) at dimension ``d``, taking turns; prints the table."""
    runs = [(finder, finder, None) for finder in args.finders.split(",")]
    if old_tree is not None:
        runs += [(f"{finder}@{args.against}", finder, old_tree) for finder, _, _ in runs if finder != "dense"]
    best: dict[str, dict] = {}
    for _ in range(args.rounds):
        for label, finder, tree in runs:
            script = str(tree / "benchmarks" / "bench_finders.py") if tree else __file__
            cmd = [sys.executable, script, "--worker", "--finder", finder, "--d", str(d), "--n", str(args.n),
                   "--m", str(args.m), "--iters", str(args.iters)]
            out = subprocess.run(cmd, capture_output=True, text=True, cwd=tree, env=tree_env(tree) if tree else None)
            if out.returncode:
                print(out.stderr, file=sys.stderr)
                raise SystemExit(f"worker for {label} failed")
            row = json.loads(out.stdout.strip().splitlines()[-1])
            row["finder"] = label
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
    for label, finder, tree in runs:
        if tree is not None:
            new_s, old_s = best[finder]["per_iteration"]["seconds"], best[label]["per_iteration"]["seconds"]
            print(f"{finder}: {new_s:.4f} s/iter against {old_s:.4f} at {args.against} (same run): "
                  f"{old_s / new_s:.2f}x faster")


if __name__ == "__main__":
    main()
