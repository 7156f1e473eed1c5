"""Grover find-all benchmark: queries / sqrt(m k) per strategy, recall, and timings.

Queries are oracle queries (Grover iterations x shots + classical checks +
counting controlled-Grover applications), which presume coherent (QRAM) access
to the items: a query is not a gate. Emulator figures are exact samples of
ideal statistics; Aer figures are statevector-simulation wall time.

    python benchmarks/bench_grover.py                 # full (200 problems, 2^16 and 2^20)
    python benchmarks/bench_grover.py --quick         # small and fast
    python benchmarks/bench_grover.py --aer-only      # Aer timing only: new path against the old one

The Aer section times the executor (Grover circuits assembled straight into Aer
circuits, :mod:`circuits.aer_direct`; and the same circuits through
``AerSimulator.run``) against the construction it replaced
(``_legacy_aer.LegacyAerExecutor``: commit a1e6158's circuits with Aer's default
threads, and the same with one thread) on the same problems in the same run.
"""

from __future__ import annotations

import argparse
import shlex
import sys
import time

import numpy as np
from _legacy_aer import LegacyAerExecutor

from circuits import AerExecutor, EmulatedExecutor, SearchProblem, find_all_many


def make_problems(m: int, n: int, frac: float, rng: np.random.Generator) -> list[SearchProblem]:
    k = max(1, int(round(frac * m)))
    return [SearchProblem(m, rng.choice(m, k, replace=False)) for _ in range(n)]


def run(problems, executor, strategy, delta, seed):
    t = time.perf_counter()
    res = find_all_many(problems, executor, strategy=strategy, delta=delta, seed=seed)
    dt = time.perf_counter() - t
    k = np.array([p.num_marked for p in problems], dtype=float)
    m = np.array([p.num_items for p in problems], dtype=float)
    q = np.array([r.queries for r in res], dtype=float)
    ratio = q / np.sqrt(m * k)
    recall = sum(r.num_found for r in res) / k.sum()
    exact = all(np.array_equal(r.found, p.marked) for r, p in zip(res, problems))
    by = {kind: np.mean([r.queries_by_kind[kind] for r in res] / np.sqrt(m * k))
          for kind in ("grover", "check", "counting")}
    return dict(ratio=ratio.mean(), sem=ratio.std(ddof=1) / np.sqrt(len(res)) if len(res) > 1 else 0.0,
                recall=recall, exact=exact, time=dt, by=by, scan=float(np.mean(m / np.sqrt(m * k))))


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--problems", type=int, default=200, help="problems per size (emulator)")
    ap.add_argument("--log2m", type=int, nargs="+", default=[16, 20], help="sizes m = 2^x")
    ap.add_argument("--frac", type=float, default=0.01, help="k / m")
    ap.add_argument("--delta", type=float, default=1e-3)
    ap.add_argument("--strategies", nargs="+", default=["bbht", "bbht_warm", "counting"])
    ap.add_argument("--aer-problems", type=int, default=32)
    ap.add_argument("--aer-log2m", type=int, default=10)
    ap.add_argument("--aer-k", type=int, default=50)
    ap.add_argument("--timing-problems", type=int, default=100)
    ap.add_argument("--timing-log2m", type=int, default=20)
    ap.add_argument("--seed", type=int, default=2024)
    ap.add_argument("--quick", action="store_true", help="20 problems at 2^12 and 2^14, 8 Aer problems")
    ap.add_argument("--aer-strategies", nargs="+", default=["counting"])
    ap.add_argument("--no-aer", action="store_true")
    ap.add_argument("--no-legacy", action="store_true", help="skip the old Aer path")
    ap.add_argument("--aer-only", action="store_true", help="only the Aer timing")
    a = ap.parse_args(argv)
    if a.quick:
        a.problems, a.log2m, a.aer_problems, a.timing_problems, a.timing_log2m = 20, [12, 14], 8, 20, 16
    print("command:", " ".join(shlex.quote(x) for x in [sys.executable] + sys.argv))
    print(f"queries / sqrt(m k); k = {a.frac:g} m; delta = {a.delta:g}; "
          f"queries presume QRAM access (a query is not a gate)")
    if not a.aer_only:
        emulator_tables(a, np.random.default_rng(a.seed))
    if not a.no_aer:
        aer_timing(a, np.random.default_rng(a.seed + 1))
    return 0


def emulator_tables(a, rng: np.random.Generator) -> None:
    emu = EmulatedExecutor()
    # warm the numba caches so timings measure the search, not compilation
    find_all_many(make_problems(256, 2, 0.05, rng), emu, strategy="counting", seed=0)
    print(f"\n[emulator: {emu.label}]")
    print(f"{'m':>8} {'strategy':>10} {'queries/sqrt(mk)':>18} {'grover':>7} {'check':>6} "
          f"{'count':>6} {'recall':>8} {'scan m/sqrt(mk)':>16} {'time s':>7}")
    for x in a.log2m:
        m = 1 << x
        probs = make_problems(m, a.problems, a.frac, rng)
        for s in a.strategies:
            r = run(probs, emu, s, a.delta, a.seed + x)
            print(f"{'2^%d' % x:>8} {s:>10} {r['ratio']:>11.3f} +- {r['sem']:.3f} "
                  f"{r['by']['grover']:>7.3f} {r['by']['check']:>6.3f} {r['by']['counting']:>6.3f} "
                  f"{r['recall']:>8.5f} {r['scan']:>16.2f} {r['time']:>7.2f}")
    print(f"\n[timing] emulator, {a.timing_problems} problems at m = 2^{a.timing_log2m}, k = {a.frac:g} m")
    probs = make_problems(1 << a.timing_log2m, a.timing_problems, a.frac, rng)
    for s in a.strategies:
        r = run(probs, emu, s, a.delta, a.seed)
        print(f"  {s:>10}: {r['time']:.2f} s  (queries/sqrt(mk) {r['ratio']:.3f}, recall {r['recall']:.5f})")


def aer_timing(a, rng: np.random.Generator) -> None:
    """The Aer executor against the old construction: same problems, same seeds, one run."""
    m = 1 << a.aer_log2m
    print(f"\n[timing] Aer statevector, {a.aer_problems} problems at m = 2^{a.aer_log2m}, "
          f"k = {a.aer_k} (one AerSimulator.run per round)")
    probs = [SearchProblem(m, rng.choice(m, a.aer_k, replace=False)) for _ in range(a.aer_problems)]
    paths = [("new", AerExecutor), ("new, via run()", lambda: AerExecutor(direct=False))]
    if not a.no_legacy:
        paths += [("old", LegacyAerExecutor), ("old, 1 thread", lambda: LegacyAerExecutor(max_parallel_threads=1))]
    for s in a.aer_strategies:
        times = {}
        for label, make in paths:
            ex = make()
            r = run(probs, ex, s, a.delta, a.seed)
            times[label] = r["time"]
            print(f"  {s:>10} {label:>15}: {r['time']:7.2f} s, {ex.circuits_run} circuits, "
                  f"exact sets: {r['exact']}, queries/sqrt(mk) {r['ratio']:.3f}")
        if len(times) > 1:
            print(f"  {s:>10} new is {times['old'] / times['new']:.1f}x faster than old "
                  f"({times['old, 1 thread'] / times['new']:.1f}x than old with one Aer thread; "
                  f"{times['new, via run()'] / times['new']:.1f}x than the new circuits through AerSimulator.run)")


if __name__ == "__main__":
    raise SystemExit(main())
