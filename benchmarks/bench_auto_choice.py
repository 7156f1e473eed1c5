"""Does AutoHSR pick the faster structure? Algorithm 1 pinned to each structure, side by side with the automatic one.

For each ``d`` and ``m`` one network is trained (same data, weights and seed)
by ``weights-hsr:kdtree``, ``weights-hsr:brute`` and ``weights-hsr``
(automatic). Printed per point: the structure work (find + update phases,
the part a structure changes) in ops and wall seconds per iteration for both
pinned runs, their ratio tree/scan, and what the automatic run chose and what
it cost. A choice is flagged ``WRONG`` when it picked the structure that was
more than 1.3x slower in wall seconds in this very run.

    python benchmarks/bench_auto_choice.py [--d 2,4,8,16] [--m 2^10,2^12,...,2^16] [--n 128] [--iters 3]
        [--probe workload|random]
"""

from __future__ import annotations

import argparse

from quantum_train.experiments.comparison import CompareConfig, run_comparison
from quantum_train.face.commands.sweep import expand_list


def structure_cost(row: dict) -> tuple[float, float]:
    """Find + update ops and seconds per iteration (where the structure does its work)."""
    ph = row["per_iteration"]["phases"]
    return ph["find"]["ops"] + ph["update"]["ops"], ph["find"]["seconds"] + ph["update"]["seconds"]


def main() -> None:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--d", type=expand_list, default=(2, 4, 8, 16))
    p.add_argument("--m", type=expand_list, default=tuple(2**k for k in range(10, 17, 2)))
    p.add_argument("--n", type=int, default=128)
    p.add_argument("--iters", type=int, default=3)
    p.add_argument("--probe", choices=("workload", "random"), default="workload",
                   help="what AutoHSR times: the run's own queries at its b (the finders' default), or 32 random "
                   "directions at the 99th-percentile threshold (the probe before issue 10)")
    args = p.parse_args()
    if args.probe == "random":
        from classical import AutoHSR
        from quantum_train.finders import hsr

        pinned = hsr.make_structure
        hsr.make_structure = lambda structure, queries, b: pinned(structure, queries, b) if structure else AutoHSR()
    names = ("weights-hsr:kdtree", "weights-hsr:brute", "weights-hsr")
    print(f"n = {args.n}, {args.iters} iterations; structure work = find + update phases per iteration")
    print(f"{'d':>3} {'m':>7}  {'tree ops':>10} {'scan ops':>10} {'tree s':>9} {'scan s':>9} {'tree/scan s':>11}"
          f"  {'auto chose':>10} {'auto s':>9}  verdict")
    wrong = 0
    for d in args.d:
        for m in args.m:
            config = CompareConfig(n=args.n, m=m, d=d, iters=args.iters, seed=0, finders=names)
            rows = {r["finder"]: r for r in run_comparison(config).rows()}
            (t_ops, t_s), (s_ops, s_s), (_, a_s) = (structure_cost(rows[n]) for n in names)
            chose = rows["weights-hsr"].get("structure_chosen", "?")
            faster = "kdtree" if t_s < s_s else "brute"
            slower_ratio = max(t_s, s_s) / min(t_s, s_s)
            bad = chose != faster and slower_ratio > 1.3
            wrong += bad
            print(f"{d:>3} {m:>7}  {t_ops:>10.4g} {s_ops:>10.4g} {t_s:>9.4f} {s_s:>9.4f} {t_s / s_s:>11.2f}"
                  f"  {chose:>10} {a_s:>9.4f}  {'WRONG' if bad else 'ok'}", flush=True)
    print(f"{wrong} wrong choice(s) (picked the structure > 1.3x slower in this run)")


if __name__ == "__main__":
    main()
