"""Where the fused drift step's time goes, iteration by iteration (issue 24's profile).

    python benchmarks/profile_fused.py                                  # n=1024, m=2^20, d=16, 30 iterations
    NUMBA_NUM_THREADS=1 python benchmarks/profile_fused.py             # one thread: CPU seconds are cleaner
    PYTHONPATH=/path/to/other/tree python benchmarks/profile_fused.py  # another checkout's finder

Per fused step: its wall and CPU seconds (process CPU time, all threads),
and of them the visiting kernel's, the refreshes' (``_refresh``), and a
retaken forward pass's (``forward_from_state`` called inside the step: the
code before issue 24 took the whole forward pass again after any refresh);
the neurons refreshed, the re-check's inner products (``work``: one per
neuron re-checked plus the re-decisions), and the neurons that cannot take
the quiet path at the next step (``near > 0``: they read their anchor
weights and compute the reach). Counts are exact; seconds move with the
machine (perf counters are not available in this VM), so compare
iterations of one run, or runs taken in turns.
"""

from __future__ import annotations

import argparse
import time

import numpy as np
from _problem import add_problem_options, problem  # beside this script

from quantum_train.core.train import train
from quantum_train.experiments.comparison import warm_up
from quantum_train.finders import drift as D


def clocks() -> tuple[float, float]:
    return time.perf_counter(), time.process_time()


def timed(log: dict, name: str, method):
    """``method`` wrapped to add its wall and CPU seconds to ``log[name]``."""

    def wrapper(self, *args, **kwargs):
        w0, c0 = clocks()
        out = method(self, *args, **kwargs)
        w1, c1 = clocks()
        wall, cpu = log.get(name, (0.0, 0.0))
        log[name] = (wall + w1 - w0, cpu + c1 - c0)
        if name == "visit":
            log["work"] = log.get("work", 0) + int(out[2])
        if name == "refresh":
            log["refreshed"] = log.get("refreshed", 0) + len(args[2])
        return out

    return wrapper


def main() -> None:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    add_problem_options(p, m=2**20, d=16, iters=30, seed_default=0)
    args = p.parse_args()
    warm_up("drift", args.d, 0)
    print(f"{D.__file__}: n={args.n} m={args.m} d={args.d} iters={args.iters} seed={args.seed}")
    data, net, lr = problem(args)
    finder = D.DriftFinder()
    steps: list[dict] = []
    log: dict = {}
    finder._visit = timed(log, "visit", D.DriftFinder._visit).__get__(finder)
    finder._refresh = timed(log, "refresh", D.DriftFinder._refresh).__get__(finder)
    finder.forward_from_state = timed(log, "forward again", D.DriftFinder.forward_from_state).__get__(finder)
    step = D.DriftFinder.fused_step

    def fused_step(net, X, err, lr, next_forward):
        log.clear()
        w0, c0 = clocks()
        out = step(finder, net, X, err, lr, next_forward)
        w1, c1 = clocks()
        steps.append({**log, "step": (w1 - w0, c1 - c0), "near>0": int((finder.near > 0).sum())})
        return out

    finder.fused_step = fused_step
    train(net, data.X, data.y, finder, args.iters, lr)
    print(f"{'step':>4s} {'wall s':>8s} {'CPU s':>8s} {'kernel CPU':>10s} {'refresh CPU':>11s} {'fwd again':>9s} "
          f"{'refreshed':>9s} {'work':>9s} {'near>0':>8s}")
    for t, s in enumerate(steps):
        print(f"{t:4d} {s['step'][0]:8.4f} {s['step'][1]:8.4f} {s['visit'][1]:10.4f} "
              f"{s.get('refresh', (0, 0))[1]:11.4f} {s.get('forward again', (0, 0))[1]:9.4f} "
              f"{s.get('refreshed', 0):9d} {s.get('work', 0):9d} {s['near>0']:8d}")
    full = [s for s in steps[:-1]]  # the last step re-checks nothing
    for lo, hi in ((0, 4), (10, 20), (2 * len(full) // 3, len(full))):
        part = full[lo:hi]
        if part:
            print(f"steps {lo}-{hi - 1}: median CPU s {np.median([s['step'][1] for s in part]):.4f}, median wall s "
                  f"{np.median([s['step'][0] for s in part]):.4f}, median work {np.median([s['work'] for s in part]):.0f}")


if __name__ == "__main__":
    main()
