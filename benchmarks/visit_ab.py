"""One trained drift state, visited in turns by this checkout's fused pass and by an earlier commit's.

The whole-run benchmarks (``bench_finders.py --against REV``) measure a change over whole training runs, in
which this machine's speed drifts by 10-30 % between minutes. A change of a few per cent to the visiting pass
shows better on one state: the drift finder is trained here for ``--warm`` iterations, then the same
state (copied afresh each time) is visited by :func:`quantum_train.finders._drift_kernels.visit_neurons` of
this checkout and of ``--against REV`` in turns, ``--reps`` times each, and the medians compared. The
earlier commit's ``_drift_kernels``, ``classical._lanes`` and ``core.threads`` are loaded from git as private
modules (compiled afresh, not cached) and given this checkout's state, so the comparison holds only while
the drift state's layout is the same (refused otherwise). Both visits' outputs (weights, forward sums, count
changes, candidates) are compared: a change that is meant to be exact must leave them identical.

``--modes`` instead visits the state with the pass's parts switched on in turn: the step alone (gradient and
update), then with the re-check (and refreshes), then with the next forward (the whole pass).

    python benchmarks/visit_ab.py --m 2^16 --d 8 --warm 40 --reps 15 --against 30102a7
    python benchmarks/visit_ab.py --m 2^20 --d 16 --warm 15 --reps 7 --modes --threads 1
"""

from __future__ import annotations

import argparse
import copy
import inspect
import sys
import time
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent))
from _problem import add_problem_options, positive_size, problem  # noqa: E402
from _revision import drift_kernels_of, is_commit  # noqa: E402

MODES = {"step": (True, False, False, True), "step+re-check": (True, True, False, True),
         "whole pass": (True, True, True, True)}


def visit(kernels, finder, net, X, err, lr, modes, threads):
    """One fused pass of ``kernels`` over a copy of the trained state: (wall s, CPU s, outputs to compare)."""
    import numba

    from quantum_train.finders import _drift_kernels as K

    g, n2 = copy.deepcopy(finder), net.copy()
    m = n2.m
    every = np.arange(m, dtype=np.int64)
    partial, deltas = g._chunk_buffers(X.shape[0])
    outputs = (np.zeros(m, bool), np.zeros(m, bool), np.zeros(m, bool), partial, deltas)
    takes_data = "data" in inspect.signature(kernels.visit_neurons).parameters
    numba.set_num_threads(threads)
    args = (every, K.chunk_bounds(every, m), modes, (n2.W, n2.a, g.A, g.P, n2.b, g.tau, g.x_norm_max),
            g._data(X) if takes_data else X, (err, lr, 1 / np.sqrt(m)), kernels.drift_state(g), outputs)
    cpu, wall = time.process_time(), time.perf_counter()
    stats = kernels.visit_neurons(*args)
    wall, cpu = time.perf_counter() - wall, time.process_time() - cpu
    return wall, cpu, (np.array(stats), n2.W, partial.copy(), deltas.copy(), g.idx[: g.top].copy(), g.z[: g.top].copy())


def main() -> None:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    add_problem_options(p, m=2**16, d=8, iters=40, seed_default=7, iters_option="--warm",
                        iters_help="training iterations before the visits")
    p.add_argument("--reps", type=positive_size, default=15, help="visits of each variant, in turns (default 15; "
                                                                  "the first of each is dropped)")
    p.add_argument("--threads", type=positive_size, default=2, help="threads of the visits (default 2)")
    which = p.add_mutually_exclusive_group(required=True)
    which.add_argument("--against", metavar="REV", help="an earlier commit to visit the same state with")
    which.add_argument("--modes", action="store_true", help="the pass's parts switched on in turn")
    args = p.parse_args()
    if args.reps < 2:
        p.error(f"argument --reps: at least 2 (the first visit of each is dropped), got {args.reps}")
    if args.against is not None and not is_commit(args.against):
        p.error(f"argument --against: {args.against!r} is not a commit of this repository")

    from quantum_train.core.train import train
    from quantum_train.finders import _drift_kernels as K
    from quantum_train.finders.drift import DriftFinder

    if args.against is not None:
        earlier = drift_kernels_of(args.against)
        if tuple(earlier.STATE_ARRAYS) != tuple(K.STATE_ARRAYS):
            p.error(f"argument --against: {args.against}'s drift state differs from this checkout's; "
                    "compare whole runs with bench_finders.py --against instead")
        variants = {"this checkout": (K, MODES["whole pass"]), args.against: (earlier, MODES["whole pass"])}
    else:
        variants = {name: (K, modes) for name, modes in MODES.items()}
    data, net, lr = problem(args)
    finder = DriftFinder()
    train(net, data.X, data.y, finder, args.warm, lr)
    err = finder.forward_from_state(net, data.X).outputs - data.y
    print(f"n={args.n} m={args.m} d={args.d}: the state after {args.warm} iterations, visited {args.reps} times "
          f"by each variant in turns (first visit dropped), {args.threads} thread(s)")
    times: dict[str, list] = {name: [] for name in variants}
    seen: dict[str, tuple] = {}
    for _ in range(args.reps):
        for name, (kernels, modes) in variants.items():
            wall, cpu, outputs = visit(kernels, finder, net, data.X, err, lr, modes, args.threads)
            times[name].append((wall, cpu))
            seen[name] = outputs
    medians = {}
    for name, rows in times.items():
        t = np.array(rows[1:])
        medians[name] = np.median(t, axis=0)
        print(f"  {name:16s} wall median {medians[name][0] * 1e3:8.2f} ms (min {t[:, 0].min() * 1e3:8.2f})  "
              f"CPU median {medians[name][1] * 1e3:8.2f} ms (min {t[:, 1].min() * 1e3:8.2f})")
    if args.against is not None:
        a, b = seen.values()
        same = all(np.array_equal(x, y) for x, y in zip(a, b))
        here, there = medians["this checkout"], medians[args.against]
        print(f"  this checkout against {args.against}: {there[0] / here[0]:.2f}x faster in wall seconds, "
              f"{there[1] / here[1]:.2f}x in CPU seconds (medians)")
        print(f"  outputs (counts, weights, forward sums, count changes, candidates) identical: {'yes' if same else 'NO'}")


if __name__ == "__main__":
    main()
