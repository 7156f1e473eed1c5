"""Cold start: the default ``quantum-train compare`` with an empty numba cache against a warm one.

    PYTHONPATH=. python benchmarks/bench_cold_start.py               # 2 rounds of (cold, warm), default compare
    PYTHONPATH=. python benchmarks/bench_cold_start.py --rounds 1 -- --finders dense,drift
    PYTHONPATH=. python benchmarks/bench_cold_start.py --against 2513c7d   # and the tree of a git revision

Each round runs the command in a fresh process with ``NUMBA_CACHE_DIR`` pointing at a new empty folder
(cold: every kernel compiles), then again with the same folder (warm: every kernel loads), so cold and
warm take turns under the same machine load. Printed: the wall seconds of each run, the median cold /
warm ratio, and, from the last cold run, the seconds numba spent compiling each kernel (top-level
compiles, from numba's ``numba:compile`` events; nested compiles are inside their caller's time), wall and
CPU seconds of the compiling thread (the figure a busy machine disturbs least).
CPU seconds (user + system) of each process are printed beside its wall seconds. Also times
``quantum-train --help`` (CPU seconds of the process, which a loaded machine inflates less
than wall seconds). On a shared machine, compare ratios measured side by side, not wall seconds.
``--against REV`` runs the same rounds in a temporary git worktree of ``REV`` too, the two trees taking turns
(this tree cold and warm, then ``REV``'s), and prints both summaries.
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from _revision import REPO, is_commit, revision_tree  # noqa: E402 (beside this script)

#: Runs the CLI in this process and writes each top-level compile (kernel, wall seconds, CPU seconds of the
#: compiling thread) as JSON to argv[1].
CHILD = """
import json, sys, time
from numba.core import event
stack, rows = [], []
class Timing(event.Listener):
    def on_start(self, ev):
        f = ev.data["dispatcher"].py_func
        stack.append((time.perf_counter(), time.thread_time(), f"{f.__module__}.{f.__qualname__}"))
    def on_end(self, ev):
        start, cpu, name = stack.pop()
        if not stack:
            rows.append((name, time.perf_counter() - start, time.thread_time() - cpu))
event.register("numba:compile", Timing())
import os, quantum_train
if os.path.exists(os.path.join(os.path.dirname(quantum_train.__file__), "face", "cli.py")):
    from quantum_train.face.cli import main
else:  # a revision from before the layered folders (--against)
    from quantum_train.cli import main
code = main(sys.argv[2:])
json.dump(rows, open(sys.argv[1], "w"))
sys.exit(code)
"""


def run_once(cache: Path, argv: list[str], tree: Path = REPO) -> tuple[float, float, list[tuple[str, float, float]]]:
    """Wall and CPU seconds (user + system) of one CLI run in a fresh process with ``NUMBA_CACHE_DIR=cache``,
    and its compiles."""
    with tempfile.NamedTemporaryFile(suffix=".json") as log:
        env = {**os.environ, "NUMBA_CACHE_DIR": str(cache), "PYTHONPATH": str(tree)}
        before = resource.getrusage(resource.RUSAGE_CHILDREN)
        start = time.perf_counter()
        subprocess.run([sys.executable, "-c", CHILD, log.name, *argv], env=env, check=True, stdout=subprocess.DEVNULL,
                       cwd=tree)  # python -c puts the working folder first on sys.path
        wall = time.perf_counter() - start
        after = resource.getrusage(resource.RUSAGE_CHILDREN)
        cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
        return wall, cpu, [tuple(r) for r in json.load(open(log.name))]


def help_cpu_seconds() -> float:
    """CPU seconds (user + system) of one ``python -m quantum_train.face.cli --help`` process."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    subprocess.run([sys.executable, "-m", "quantum_train.face.cli", "--help"], env={**os.environ, "PYTHONPATH": str(REPO)},
                   check=True, stdout=subprocess.DEVNULL)
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    return (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=2)
    parser.add_argument("--against", metavar="REV", help="also measure the tree of git revision REV, taking turns")
    parser.add_argument("compare_args", nargs="*", help="options after -- go to quantum-train compare")
    args = parser.parse_args()
    if args.rounds < 1:
        parser.error("argument --rounds: must be at least 1")
    if args.against is not None and not is_commit(args.against):
        parser.error(f"argument --against: {args.against} is no commit of this repository (give a commit, tag or "
                     "branch)")
    argv = ["compare", "--quiet", *args.compare_args]
    with revision_tree(args.against, prefix="cold-rev-") as old_tree:
        trees = [("this tree", REPO)] + ([(args.against, old_tree)] if old_tree is not None else [])
        runs = {label: {"cold": [], "warm": [], "cold_cpu": [], "warm_cpu": [], "compiles": []} for label, _ in trees}
        for k in range(args.rounds):
            for label, tree in trees:
                got = runs[label]
                with tempfile.TemporaryDirectory(prefix="numba-cold-") as cache:
                    seconds, cpu, compiles = run_once(Path(cache), argv, tree)
                    got["cold"].append(seconds)
                    got["cold_cpu"].append(cpu)
                    got["compiles"] = compiles
                    seconds, cpu, warm_compiles = run_once(Path(cache), argv, tree)
                    got["warm"].append(seconds)
                    got["warm_cpu"].append(cpu)
                print(f"round {k + 1}, {label}: cold {got['cold'][-1]:.1f} s wall, {got['cold_cpu'][-1]:.1f} CPU s "
                      f"({len(compiles)} top-level compiles, {sum(r[1] for r in compiles):.1f} s wall, "
                      f"{sum(r[2] for r in compiles):.1f} CPU s compiling), warm {got['warm'][-1]:.1f} s wall, "
                      f"{got['warm_cpu'][-1]:.1f} CPU s ({len(warm_compiles)} compiles)", flush=True)
    for label, _ in trees:
        got = runs[label]
        print(f"{label}: quantum-train {' '.join(argv)}: cold median {statistics.median(got['cold']):.1f} s wall "
              f"({statistics.median(got['cold_cpu']):.1f} CPU s), warm median {statistics.median(got['warm']):.1f} s "
              f"wall ({statistics.median(got['warm_cpu']):.1f} CPU s), cold / warm "
              f"{statistics.median(c / w for c, w in zip(got['cold'], got['warm'])):.2f} wall, "
              f"{statistics.median(c / w for c, w in zip(got['cold_cpu'], got['warm_cpu'])):.2f} CPU")
        print(f"{label}: compile seconds by kernel (last cold run): wall, CPU of the compiling thread")
        for name, seconds, cpu in sorted(got["compiles"], key=lambda r: -r[2]):
            print(f"  {seconds:7.2f}  {cpu:7.2f}  {name}")
    helps = [help_cpu_seconds() for _ in range(5)]
    print(f"quantum-train --help: median {statistics.median(helps):.3f} CPU s over 5 processes")


if __name__ == "__main__":
    main()
