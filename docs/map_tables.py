"""The README's tables of "Does preprocessing help?", from a stored map run.

    python docs/map_tables.py quantum_train/experiments/stored/map.jsonl

Prints, per ``n``, the exponents of Algorithm 1 and 2 (pinned kd-tree) and of
drift against theory with ``T*``, then the crossover widths ``m*``, as markdown.
Every number comes from :class:`quantum_train.Sweep` (the same fits as
``quantum-train sweep --markdown``), rearranged one row per ``d``.
"""

from __future__ import annotations

import json
import sys

from quantum_train.sweeps import Sweep
from quantum_train.sweeps.config import SweepConfig

ALG1, ALG2, DRIFT = "weights-hsr:kdtree", "data-hsr:kdtree", "drift"


def times(x: float | None) -> str:
    return "never" if x is None else f"{x:.2g}"


def main(path: str) -> None:
    records = [json.loads(line) for line in open(path) if line.strip()]
    sweep = Sweep.from_records(SweepConfig(), [r for r in records if r["finder"] in ("dense", ALG1, ALG2, DRIFT)])
    exponents = {(e.finder, e.d, e.n): e for e in sweep.exponents}
    crossovers = {(c.finder, c.d, c.n, c.metric): c for c in sweep.crossovers}
    largest = {}  # the break-even at the largest measured m, per (finder, d, n)
    for b in sweep.break_evens:
        key = (b.finder, b.d, b.n)
        if key not in largest or b.m > largest[key].m:
            largest[key] = b
    ds = sorted({p.d for p in sweep.points})
    for n in sorted({p.n for p in sweep.points}):
        print(f"\n`n = {n}`:\n")
        print("| d | Alg 1 kd-tree: find ops exponent [95% CI] | theory 1 - 1/d | paper 1 - 1/floor(d/2) "
              "| Alg 1 total ops exponent | Alg 2 kd-tree: find ops exponent | Alg 2 theory at measured m "
              "| drift: find / total | Alg 1 ops vs dense at largest m | Alg 2 ops vs dense | drift ops vs dense "
              "| T* (ops) Alg 1 / Alg 2 / drift |")
        print("|---|---|---|---|---|---|---|---|---|---|---|---|")
        for d in ds:
            a, b2, dr = (exponents[(f, d, n)] for f in (ALG1, ALG2, DRIFT))
            ba, bb, bd = (largest[(f, d, n)] for f in (ALG1, ALG2, DRIFT))
            dominated = " (output k dominates the total)" if a.theory.output_dominates else ""
            print(f"| {d} | {a.find.format()} | {a.theory.at_range:.2f}{dominated} | {a.theory.paper} | {a.ops.format()} "
                  f"| {b2.find.format()} | {b2.theory.at_range:.2f} | {dr.find.format()} / {dr.ops.format()} "
                  f"| {ba.ratio_ops:.3g} (m = 2^{ba.m.bit_length() - 1}) | {bb.ratio_ops:.3g} | {bd.ratio_ops:.3g} "
                  f"| {times(ba.t_star_ops)} / {times(bb.t_star_ops)} / {times(bd.t_star_ops)} |")
        print(f"\nCrossover widths, `n = {n}`:\n")
        print("| d | m* (ops) Alg 1 | m* (ops) Alg 2 | m* (wall s) Alg 1 | m* (wall s) Alg 2 | m* (wall s) drift |")
        print("|---|---|---|---|---|---|")
        for d in ds:
            cells = [crossovers[(f, d, n, metric)].describe()
                     for f, metric in ((ALG1, "ops"), (ALG2, "ops"), (ALG1, "seconds"), (ALG2, "seconds"),
                                       (DRIFT, "seconds"))]
            print(f"| {d} | " + " | ".join(cells) + " |")


if __name__ == "__main__":
    if len(sys.argv) != 2:
        raise SystemExit("usage: python docs/map_tables.py PATH.jsonl")
    main(sys.argv[1])
