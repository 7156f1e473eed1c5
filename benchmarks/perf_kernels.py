"""Where a drift training run's CPU time goes, by numba kernel and by instruction (Linux ``perf``).

    python benchmarks/perf_kernels.py                                   # n=1024, m=2^20, d=16, 30 iterations
    python benchmarks/perf_kernels.py --m 2^16 --d 8 --iters 100 --annotate visit_chunks
    NUMBA_NUM_THREADS=1 python benchmarks/perf_kernels.py              # one thread: samples are cleaner

``perf`` cannot name numba's compiled code: it has no symbols. This script
checks its arguments, then profiles in a fresh process that compiles the
kernels afresh (an empty ``NUMBA_CACHE_DIR``, so that every kernel has its LLVM
module), trains a warm-up instance, prepares the finder, then samples only
the training steps (``perf record -e cpu-clock -p`` on this
process, started after the preprocessing and stopped before the final loss),
and writes ``/tmp/perf-<pid>.map`` (each compiled function's address and
name), which ``perf report`` reads. It prints the share of samples per
function; with ``--annotate NAME`` it also disassembles that function from
memory (``objdump``) and prints its hottest instructions with their sample
counts: a load that misses the cache shows as samples on the instruction just
after it. Inlined helpers are part of their caller, so the instruction view is
the way into ``visit_chunks``. Needs ``perf`` (software clock: this VM has no
hardware counters) and ``objdump``.

How issue 24's profile was taken (one thread, ``m = 2^20``, ``d = 16``, and
``m = 2^16``, ``d = 8``): it showed the loads of the weights, anchors and
first candidates of data-chosen neurons (now prefetched, ``_drift_kernels.AHEAD``)
and, at ``2^16``, the merge sort of a refreshed neuron's candidates and the
scan after the pass (both replaced) as the largest items.
"""

from __future__ import annotations

import argparse
import ctypes
import gc
import os
import re
import shutil
import signal
import subprocess
import sys
import tempfile
import time


def perf_map_path() -> str:
    """Where ``perf`` looks for this process's symbols (its fixed convention: ``/tmp/perf-<pid>.map``)."""
    return f"/tmp/perf-{os.getpid()}.map"


def write_perf_map() -> dict[int, tuple[int, str]]:
    """``/tmp/perf-<pid>.map`` for every function numba compiled in this process; returns ``{address: (size,
    name)}``. Sizes are the gaps between consecutive addresses (capped), which is what ``perf`` needs."""
    from numba.core.dispatcher import Dispatcher

    entries: dict[int, str] = {}
    for obj in gc.get_objects():
        if not isinstance(obj, Dispatcher):
            continue
        for result in obj.overloads.values():
            library = result.library
            module = getattr(library, "_final_module", None)
            if module is None:  # loaded from a cache: no LLVM module to list
                continue
            for function in module.functions:
                if function.is_declaration:
                    continue
                address = library.get_pointer_to_function(function.name)
                if address:
                    entries[address] = function.name
    addresses = sorted(entries)
    table = {}
    with open(perf_map_path(), "x") as out:  # a new file: main() refused one left by another process
        for address, following in zip(addresses, addresses[1:] + [addresses[-1] + 4096] if addresses else []):
            size = min(following - address, 1 << 16)
            out.write(f"{address:x} {size:x} {entries[address]}\n")
            table[address] = (size, entries[address])
    return table


def annotate(table: dict[int, tuple[int, str]], name: str, data: str, top: int) -> None:
    """The ``top`` hottest instructions of the compiled function whose name contains ``name``."""
    samples: dict[int, int] = {}
    listing = subprocess.run(["perf", "script", "-i", data, "-F", "ip"], capture_output=True, text=True).stdout
    for line in listing.split():
        samples[int(line, 16)] = samples.get(int(line, 16), 0) + 1
    candidates = [(sum(c for a, c in samples.items() if base <= a < base + size), base, size, full)
                  for base, (size, full) in table.items() if name in full]
    if not candidates:
        print(f"no compiled function matches {name!r}")
        return
    count, base, size, full = max(candidates)
    with tempfile.NamedTemporaryFile(suffix=".bin") as code:
        code.write(ctypes.string_at(base, size))
        code.flush()
        asm = subprocess.run(["objdump", "-D", "-b", "binary", "-m", "i386:x86-64", f"--adjust-vma={base:#x}",
                              code.name], capture_output=True, text=True).stdout.splitlines()
    rows = []
    for line in asm:
        match = re.match(r"\s*([0-9a-f]+):", line)
        if match:
            rows.append((samples.get(int(match.group(1), 16), 0), line.strip()))
    print(f"\n{full[:100]}: {count} samples; hottest instructions (samples, address, bytes, instruction):")
    for hits, line in sorted(rows, key=lambda row: -row[0])[:top]:
        print(f"{hits:7d}  {line[:120]}")


#: Set in the process that profiles (see :func:`main`).
CHILD = "QT_PERF_KERNELS_PROFILING"


def main() -> None:
    from _problem import add_problem_options, positive_size, problem  # beside this script

    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    add_problem_options(p, m=2**20, d=16, iters=30, seed_default=7)
    p.add_argument("--annotate", metavar="NAME", help="also list the hottest instructions of this kernel")
    p.add_argument("--top", type=positive_size, default=20, help="functions and instructions to list (default 20)")
    args = p.parse_args()
    for tool in ("perf", "objdump"):
        if shutil.which(tool) is None:
            p.error(f"needs {tool} on the PATH")
    if CHILD not in os.environ:
        # profile in a fresh process whose kernels all compile afresh, with their modules (see write_perf_map):
        # numba reads NUMBA_CACHE_DIR when it loads, and this one has loaded to check the arguments
        env = {**os.environ, CHILD: "1", "NUMBA_CACHE_DIR": tempfile.mkdtemp(prefix="perf-kernels-numba-")}
        os.execve(sys.executable, [sys.executable, os.path.abspath(__file__), *sys.argv[1:]], env)
    if os.path.exists(perf_map_path()):  # left by an earlier process of this pid: not ours to replace
        p.error(f"{perf_map_path()} exists (left by another process); remove it or run again")
    from quantum_train.core.train import train
    from quantum_train.experiments.comparison import warm_up
    from quantum_train.finders.drift import DriftFinder

    warm_up("drift", args.d, 1)  # compiles every kernel a step can reach
    data, net, lr = problem(args)
    finder = DriftFinder()
    recorder: list[subprocess.Popen] = []
    data_file = os.path.join(tempfile.mkdtemp(prefix="perf-kernels-"), "perf.data")
    prepare, step = finder.prepare, finder.fused_step
    steps = [0]

    def prepare_then_record(*a):
        prepare(*a)
        recorder.append(subprocess.Popen(["perf", "record", "-e", "cpu-clock", "-F", "4000", "-o", data_file,
                                          "-p", str(os.getpid())], stdout=subprocess.DEVNULL,
                                         stderr=subprocess.DEVNULL))
        time.sleep(1.0)  # perf attaches

    def counted_step(*a, **k):
        out = step(*a, **k)
        steps[0] += 1
        if steps[0] == args.iters and recorder:  # the last step: stop before the final loss (a dense scan)
            recorder[0].send_signal(signal.SIGINT)
            recorder[0].wait()
        return out

    finder.prepare, finder.fused_step = prepare_then_record, counted_step
    train(net, data.X, data.y, finder, args.iters, lr)
    table = write_perf_map()
    print(f"n={args.n} m={args.m} d={args.d} iters={args.iters} seed={args.seed}; samples in {data_file}")
    report = subprocess.run(["perf", "report", "-i", data_file, "--sort", "symbol", "--stdio"],
                            capture_output=True, text=True).stdout
    shown = 0
    for line in report.splitlines():
        if line.strip() and not line.startswith("#") and shown < args.top:
            print(re.sub(r"\s+-\s+-\s*$", "", line.rstrip())[:140])
            shown += 1
    if args.annotate:
        annotate(table, args.annotate, data_file, args.top)


if __name__ == "__main__":
    main()
