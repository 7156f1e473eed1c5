"""The refresh's scan of every input (``_drift_kernels.band_scan``), per input: this checkout's against an earlier
commit's, side by side in one process.

    python benchmarks/bench_band_scan.py --against 30102a7      # the scan by rows (four products in flight)
    python benchmarks/bench_band_scan.py --against 3a02b7d      # by columns, with an append per input

A refresh of the drift finder decides every input of one neuron: ``z_i = exact_dot(w, x_i) > b - tau``, with
the values of those selected. This times that kernel alone on the weights of an initial network (``--neurons``
rows, each scanned ``--reps`` times by a compiled loop, the two commits in turns, ``--rounds`` times) over the
synthetic inputs, at each dimension of ``--dims``, and checks that both select the same inputs with the same
values bit for bit. The earlier commit's kernels are loaded from git (``_revision.drift_kernels_of``); a
commit whose ``band_scan`` takes the rows (``X``) is given them, one that takes the columns is given
``input_columns(X)``.
"""

from __future__ import annotations

import argparse
import inspect
import sys
import time
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent))
from _problem import positive_size, seed  # noqa: E402
from _revision import drift_kernels_of, is_commit  # noqa: E402


def scanner(kernels):
    """A compiled loop that scans every row of ``W`` ``reps`` times with ``kernels.band_scan``, and one call."""
    from numba import njit

    band_scan = kernels.band_scan
    by_rows = "X" in inspect.signature(band_scan.py_func).parameters

    if by_rows:
        @njit(cache=False)
        def loop(W, X, XT, low, ids, values, reps):
            total = 0
            for _ in range(reps):
                for r in range(W.shape[0]):
                    total += band_scan(W[r], X, low, ids, values)
            return total

        def once(w, X, XT, low, ids, values):
            return band_scan(w, X, low, ids, values)
    else:
        @njit(cache=False)
        def loop(W, X, XT, low, ids, values, reps):
            total = 0
            for _ in range(reps):
                for r in range(W.shape[0]):
                    total += band_scan(W[r], XT, X.shape[0], low, ids, values)
            return total

        def once(w, X, XT, low, ids, values):
            return band_scan(w, XT, X.shape[0], low, ids, values)
    return loop, once


def main() -> None:
    from quantum_train.core.model import ShiftedReLUNet
    from quantum_train.data.datasets import synthetic
    from quantum_train.experiments.comparison import warm_up
    from quantum_train.face.commands.sweep import expand_list
    from quantum_train.finders import _drift_kernels as K
    from quantum_train.finders.drift import DEFAULT_TAU

    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--against", metavar="REV", required=True, help="the earlier commit to time beside this checkout")
    p.add_argument("--n", type=positive_size, default=1024, help="inputs (default 1024)")
    p.add_argument("--dims", type=lambda text: expand_list(text, item=positive_size), default=(8, 16),
                   help="comma list of dimensions (default 8,16)")
    p.add_argument("--neurons", type=positive_size, default=64, help="weight rows scanned (default 64)")
    p.add_argument("--reps", type=positive_size, default=100, help="scans of each row per timing (default 100)")
    p.add_argument("--rounds", type=positive_size, default=3, help="timings of each commit, in turns (default 3)")
    p.add_argument("--seed", type=seed, default=0, help="seed of the inputs and the weights (default 0)")
    args = p.parse_args()
    if not is_commit(args.against):
        p.error(f"argument --against: {args.against!r} is not a commit of this repository")

    variants = {"this checkout": scanner(K), args.against: scanner(drift_kernels_of(args.against))}
    print(f"band_scan per input, n={args.n}, {args.neurons} weight rows x {args.reps} scans, {args.rounds} rounds "
          f"in turns (median); against {args.against}")
    for d in args.dims:
        warm_up("drift", d, args.seed)
        X = synthetic(args.n, d, seed=args.seed).X
        XT = K.input_columns(X)
        net = ShiftedReLUNet.initialize(args.neurons, d, seed=args.seed)
        low = net.b - DEFAULT_TAU
        scratch = K.band_scratch(args.n)
        ids, values = scratch[0], scratch[1]
        seen = []
        for _name, (loop, once) in variants.items():
            loop(net.W, X, XT, low, ids, values, 1)  # compile
            picks = []
            for w in net.W:
                k = once(w, X, XT, low, ids, values)
                picks.append((ids[:k].copy(), values[:k].copy()))
            seen.append(picks)
        same = all(np.array_equal(a[0], b[0]) and np.array_equal(a[1].view(np.int64), b[1].view(np.int64))
                   for a, b in zip(*seen))
        times: dict[str, list[float]] = {name: [] for name in variants}
        for _ in range(args.rounds):
            for name, (loop, _once) in variants.items():
                start = time.perf_counter()
                loop(net.W, X, XT, low, ids, values, args.reps)
                times[name].append((time.perf_counter() - start) / (args.reps * args.neurons * args.n) * 1e9)
        here, there = (float(np.median(times[name])) for name in variants)
        print(f"  d={d:3d}: this checkout {here:.2f} ns, {args.against} {there:.2f} ns per input: {there / here:.2f}x "
              f"faster; selections and values identical: {'yes' if same else 'NO'}")


if __name__ == "__main__":
    main()
