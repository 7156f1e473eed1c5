"""Small instances: does an iteration at m = 4096, n = 256 cost close to its arithmetic?

    PYTHONPATH=. python benchmarks/bench_small.py            # dense, m = 4096, n = 256, d = 16, 20 iterations

For each situation ("as found": whatever else runs on the machine; "busy":
plus a process we start that keeps both cores busy with BLAS), trains the
dense finder with the threading policy of :mod:`quantum_train.core.threads`
(serial below ``SERIAL_WORK``) and without it (``SERIAL_WORK = 0``: numba's
pool, BLAS and the scan's worker threads as before), interleaved, and prints
the median seconds per iteration against the arithmetic: one single-threaded
``X @ W.T`` of the same ``n m d`` multiply-adds, timed in the same process.
"""

from __future__ import annotations

import argparse
import subprocess
import sys
import time

import numpy as np

BUSY = "import numpy as np\na = np.random.rand(1500, 1500)\nwhile True:\n    a @ a\n"


def per_iteration(m: int, n: int, d: int, iters: int, serial_work: int | None) -> float:
    import quantum_train.core.threads as T
    from quantum_train.core.model import ShiftedReLUNet
    from quantum_train.core.train import default_learning_rate, train
    from quantum_train.data.datasets import synthetic
    from quantum_train.finders import make_finder

    saved = T.SERIAL_WORK
    T.SERIAL_WORK = saved if serial_work is None else serial_work
    try:
        data = synthetic(n, d, seed=0)
        net = ShiftedReLUNet.initialize(m, d, seed=0)
        res = train(net, data.X, data.y, make_finder("dense"), iters, default_learning_rate(n, net.b))
        return float(np.median(res.ledger.series(what="seconds")))
    finally:
        T.SERIAL_WORK = saved


def arithmetic_seconds(m: int, n: int, d: int) -> float:
    from threadpoolctl import threadpool_limits

    rng = np.random.default_rng(0)
    X, W = rng.standard_normal((n, d)), rng.standard_normal((m, d))
    with threadpool_limits(1, user_api="blas"):
        best = float("inf")
        for _ in range(20):
            t = time.perf_counter()
            X @ W.T
            best = min(best, time.perf_counter() - t)
    return best


def main() -> None:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--m", type=int, default=4096)
    p.add_argument("--n", type=int, default=256)
    p.add_argument("--d", type=int, default=16)
    p.add_argument("--iters", type=int, default=20)
    p.add_argument("--repeats", type=int, default=3)
    a = p.parse_args()
    print("command:", " ".join(["python", *sys.argv]))
    from quantum_train.core.threads import SERIAL_WORK
    from quantum_train.experiments.comparison import warm_up

    warm_up("dense", a.d, 0)
    per_iteration(a.m, a.n, a.d, 2, None)
    per_iteration(a.m, a.n, a.d, 2, 0)
    arith = arithmetic_seconds(a.m, a.n, a.d)
    print(f"m={a.m} n={a.n} d={a.d}: n m d = {a.n * a.m * a.d:.3g} multiply-adds "
          f"(SERIAL_WORK = {SERIAL_WORK:.3g}); arithmetic (one-thread X @ W.T) {arith * 1e3:.3f} ms; "
          f"medians of {a.iters} iterations, best of {a.repeats} runs; the machine is shared")
    for situation in ("as found", "busy"):
        busy = subprocess.Popen([sys.executable, "-c", BUSY]) if situation == "busy" else None
        try:
            if busy:
                time.sleep(1.0)
            best = {"policy": float("inf"), "no policy": float("inf")}
            for _ in range(a.repeats):
                best["policy"] = min(best["policy"], per_iteration(a.m, a.n, a.d, a.iters, None))
                best["no policy"] = min(best["no policy"], per_iteration(a.m, a.n, a.d, a.iters, 0))
        finally:
            if busy:
                busy.kill()
                busy.wait()
        for k, v in best.items():
            print(f"  {situation:9s} {k:10s}: {v * 1e3:8.3f} ms / iteration = {v / arith:6.1f}x the arithmetic")
        print(f"  {situation:9s} policy is {best['no policy'] / best['policy']:.1f}x faster")


if __name__ == "__main__":
    main()
