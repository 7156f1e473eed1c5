"""Cold start: the default ``quantum-train compare`` with an empty numba cache against a warm one.

    PYTHONPATH=. python benchmarks/bench_cold_start.py               # 2 rounds of (cold, warm), default compare
    PYTHONPATH=. python benchmarks/bench_cold_start.py --rounds 1 -- --finders dense,drift

Each round runs the command in a fresh process with ``NUMBA_CACHE_DIR`` pointing at a new empty folder
(cold: every kernel compiles), then again with the same folder (warm: every kernel loads), so cold and
warm take turns under the same machine load. Printed: the wall seconds of each run, the median cold /
warm ratio, and, from the last cold run, the seconds numba spent compiling each kernel (top-level
compiles, from numba's ``numba:compile`` events; nested compiles are inside their caller's time), wall and
CPU seconds of the compiling thread (the figure a busy machine disturbs least).
CPU seconds (user + system) of each process are printed beside its wall seconds. Also times
``quantum-train --help`` (CPU seconds of the process, which a loaded machine inflates less
than wall seconds). On a shared machine, compare ratios measured side by side, not wall seconds.
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

REPO = Path(__file__).resolve().parent.parent

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
from quantum_train.cli import main
code = main(sys.argv[2:])
json.dump(rows, open(sys.argv[1], "w"))
sys.exit(code)
"""


def run_once(cache: Path, argv: list[str]) -> tuple[float, float, list[tuple[str, float, float]]]:
    """Wall and CPU seconds (user + system) of one CLI run in a fresh process with ``NUMBA_CACHE_DIR=cache``,
    and its compiles."""
    with tempfile.NamedTemporaryFile(suffix=".json") as log:
        env = {**os.environ, "NUMBA_CACHE_DIR": str(cache), "PYTHONPATH": str(REPO)}
        before = resource.getrusage(resource.RUSAGE_CHILDREN)
        start = time.perf_counter()
        subprocess.run([sys.executable, "-c", CHILD, log.name, *argv], env=env, check=True, stdout=subprocess.DEVNULL)
        wall = time.perf_counter() - start
        after = resource.getrusage(resource.RUSAGE_CHILDREN)
        cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
        return wall, cpu, [tuple(r) for r in json.load(open(log.name))]


def help_cpu_seconds() -> float:
    """CPU seconds (user + system) of one ``python -m quantum_train.cli --help`` process."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    subprocess.run([sys.executable, "-m", "quantum_train.cli", "--help"], env={**os.environ, "PYTHONPATH": str(REPO)},
                   check=True, stdout=subprocess.DEVNULL)
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    return (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=2)
    parser.add_argument("compare_args", nargs="*", help="options after -- go to quantum-train compare")
    args = parser.parse_args()
    argv = ["compare", "--quiet", *args.compare_args]
    cold, warm, cold_cpu, warm_cpu, compiles = [], [], [], [], []
    for k in range(args.rounds):
        with tempfile.TemporaryDirectory(prefix="numba-cold-") as cache:
            seconds, cpu, compiles = run_once(Path(cache), argv)
            cold.append(seconds)
            cold_cpu.append(cpu)
            seconds, cpu, warm_compiles = run_once(Path(cache), argv)
            warm.append(seconds)
            warm_cpu.append(cpu)
        print(f"round {k + 1}: cold {cold[-1]:.1f} s wall, {cold_cpu[-1]:.1f} CPU s ({len(compiles)} top-level "
              f"compiles, {sum(r[1] for r in compiles):.1f} s wall, {sum(r[2] for r in compiles):.1f} CPU s "
              f"compiling), warm {warm[-1]:.1f} s wall, "
              f"{warm_cpu[-1]:.1f} CPU s ({len(warm_compiles)} compiles)", flush=True)
    print(f"quantum-train {' '.join(argv)}: cold median {statistics.median(cold):.1f} s wall "
          f"({statistics.median(cold_cpu):.1f} CPU s), warm median {statistics.median(warm):.1f} s wall "
          f"({statistics.median(warm_cpu):.1f} CPU s), cold / warm "
          f"{statistics.median(c / w for c, w in zip(cold, warm)):.2f}")
    print("compile seconds by kernel (last cold run): wall, CPU of the compiling thread")
    for name, seconds, cpu in sorted(compiles, key=lambda r: -r[2]):
        print(f"  {seconds:7.2f}  {cpu:7.2f}  {name}")
    helps = [help_cpu_seconds() for _ in range(5)]
    print(f"quantum-train --help: median {statistics.median(helps):.3f} CPU s over 5 processes")


if __name__ == "__main__":
    main()
