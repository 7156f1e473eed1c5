"""Fired-set discovery alone: brute force vs kd-tree vs AutoHSR vs FAISS, side by side.

Setting (defaults): ``m = 2^20`` standard Gaussian points (the initial weights),
512 unit-norm Gaussian queries (the inputs), ``b = sqrt(0.4 ln m)``, ``d`` in
{4, 8, 16}. For each ``d``, every structure answers ``query_many(Q, b)``; the
best of ``--repeats`` timings is reported (build times apart), every exact
result is checked identical to brute force, and FAISS (float32, optional) gets
its recall against the exact answer instead.

    python benchmarks/bench_discovery.py                 # full size
    python benchmarks/bench_discovery.py --m 65536 --queries 64 --dims 4,8
"""

from __future__ import annotations

import argparse
import shlex
import sys
import time

import numpy as np

from classical.auto import AutoHSR
from classical.brute import BruteForceHSR
from classical.kdtree import KDTreeHSR


def best_time(fn, repeats: int):
    """``(best wall seconds, last result)`` over ``repeats`` calls."""
    best, out = float("inf"), None
    for _ in range(repeats):
        t0 = time.perf_counter()
        out = fn()
        best = min(best, time.perf_counter() - t0)
    return best, out


def faiss_range(P: np.ndarray, Q: np.ndarray, b: float, repeats: int):
    """FAISS IndexFlatIP.range_search (reports inner product > b, float32); None if absent."""
    try:
        import faiss
    except ImportError:
        return None
    index = faiss.IndexFlatIP(P.shape[1])
    index.add(P.astype(np.float32))
    Qf = Q.astype(np.float32)
    t, (lims, _, ids) = best_time(lambda: index.range_search(Qf, float(b)), repeats)
    return t, lims.astype(np.int64), ids.astype(np.int64)


def recall(ref: tuple[np.ndarray, np.ndarray], got_lims: np.ndarray, got_ids: np.ndarray) -> tuple[float, int]:
    """``(recall, exact pairs found)`` of an approximate CSR answer."""
    hit = tot = 0
    for i in range(len(ref[0]) - 1):
        r = ref[1][ref[0][i] : ref[0][i + 1]]
        g = got_ids[got_lims[i] : got_lims[i + 1]]
        hit += np.intersect1d(r, g, assume_unique=True).size
        tot += r.size
    return hit / max(tot, 1), hit


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--m", type=int, default=2**20, help="number of points (weights)")
    ap.add_argument("--queries", type=int, default=512, help="number of unit-norm queries (inputs)")
    ap.add_argument("--dims", type=str, default="4,8,16", help="comma-separated dimensions")
    ap.add_argument("--b", type=float, default=None, help="threshold (default sqrt(0.4 ln m))")
    ap.add_argument("--repeats", type=int, default=3, help="timings per structure (best is kept)")
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--no-faiss", action="store_true", help="skip FAISS even if it imports")
    args = ap.parse_args(argv)
    if args.m < 1 or args.queries < 1 or args.repeats < 1:
        ap.error("--m, --queries and --repeats must be positive")
    dims = [int(x) for x in args.dims.split(",") if x.strip()]
    b = args.b if args.b is not None else float(np.sqrt(0.4 * np.log(args.m)))
    rng = np.random.default_rng(args.seed)
    print("command:", shlex.join([sys.executable, *sys.argv]) if argv is None else shlex.join(argv))
    print(f"m = {args.m}, queries = {args.queries}, b = {b:.4f}, repeats = {args.repeats} (best kept)\n")
    header = f"{'d':>3} {'structure':<22} {'build s':>8} {'query s':>9} {'vs brute':>9} {'ops/query':>11} {'check':>14}"
    rows = [header, "-" * len(header)]
    notes = []
    for d in dims:
        P = rng.standard_normal((args.m, d))
        Q = rng.standard_normal((args.queries, d))
        Q /= np.linalg.norm(Q, axis=1, keepdims=True)

        brute = BruteForceHSR().build(P)
        brute.query_many(Q, b)  # warm-up (first calls pay for thread pools and threadpoolctl)
        brute.stats.reset()
        t_brute, ref = best_time(lambda: brute.query_many(Q, b), args.repeats)
        ops = brute.stats.ops / (args.repeats * len(Q))
        fired = len(ref[1]) / len(Q)
        rows.append(f"{d:>3} {'BruteForceHSR':<22} {'-':>8} {t_brute:>9.4f} {1.0:>9.2f} {ops:>11.0f} {'reference':>14}")

        def exact_row(name: str, hsr, t_build: float) -> None:
            hsr.query_many(Q, b)  # warm-up
            hsr.stats.reset()
            t, res = best_time(lambda: hsr.query_many(Q, b), args.repeats)
            same = np.array_equal(res[0], ref[0]) and np.array_equal(res[1], ref[1])
            ops_q = hsr.stats.ops / (args.repeats * len(Q))
            check = "identical" if same else "MISMATCH"
            rows.append(f"{d:>3} {name:<22} {t_build:>8.3f} {t:>9.4f} {t_brute / t:>9.2f} {ops_q:>11.0f} {check:>14}")
            if not same:
                notes.append(f"d={d}: {name} differs from brute force")

        t0 = time.perf_counter()
        tree = KDTreeHSR().build(P)
        exact_row("KDTreeHSR", tree, time.perf_counter() - t0)
        del tree
        t0 = time.perf_counter()
        auto = AutoHSR(seed=args.seed).build(P)
        exact_row(f"AutoHSR -> {auto.chosen}", auto, time.perf_counter() - t0)
        notes.append(f"d={d}: AutoHSR chose {auto.chosen}: {auto.reason}")
        del auto
        fa = None if args.no_faiss else faiss_range(P, Q, b, args.repeats)
        if fa is not None:
            t, lims, ids = fa
            rec, hit = recall(ref, lims, ids)
            fp = len(ids) - hit
            rows.append(
                f"{d:>3} {'FAISS IndexFlatIP f32':<22} {'-':>8} {t:>9.4f} {t_brute / t:>9.2f} {args.m:>11} "
                f"{'recall ' + format(rec, '.5f'):>14}"
            )
            notes.append(f"d={d}: FAISS reported {len(ids)} pairs vs {len(ref[1])} exact ({fp} not in the exact answer, float32)")
        notes.append(f"d={d}: {fired:.0f} fired per query ({100 * fired / args.m:.2f} % of m)")
        rows.append("")
    print("\n".join(rows))
    print("ratios: brute-force seconds / structure seconds, measured in this run (> 1 is faster than brute)")
    print("ops/query: inner products + node bound tests per query (HSRStats.ops)")
    for n in notes:
        print("-", n)
    return 1 if any("differs" in n for n in notes) else 0


if __name__ == "__main__":
    raise SystemExit(main())
