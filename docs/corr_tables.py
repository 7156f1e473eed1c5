"""The tables of docs/results.md ("Correlation trees"), from a stored sweep over b.

    python docs/corr_tables.py quantum_train/experiments/stored/corr_b.jsonl

Prints, per threshold ``b`` (markdown): the fitted exponents of ops and wall
seconds per iteration against ``m`` of the correlation trees, dense and drift;
the crossover widths ``m*`` of the trees against dense and against drift (in
ops and in seconds), with an extrapolation of the fitted power laws where the
measured range holds no crossover; and the neurons moved per iteration, set
against the paper's ``n m^(4/5)`` and against ``m``. Every exponent and ``m*``
comes from :class:`quantum_train.Sweep` (the same fits as ``quantum-train
sweep --markdown``).
"""

from __future__ import annotations

import json
import math
import sys
from collections import defaultdict

import numpy as np

from quantum_train.sweeps import Sweep
from quantum_train.sweeps.config import SweepConfig, b_order
from quantum_train.sweeps.fit import crossovers

TREES = ("corr-dtree", "corr-wtree")
REFERENCES = ("dense", "drift")


def b_text(b: float | None) -> str:
    return "default sqrt(0.4 ln m)" if b is None else f"{b:g}"


def extrapolated_crossover(tree, ref) -> str:
    """Where the fitted power laws ``C m^a`` (two :class:`Fit`) meet: an extrapolation, unless it falls in range.

    When the two exponents' 95 % intervals overlap, the fits do not tell the
    laws apart and no crossover is predicted.
    """
    values = (tree.slope, tree.intercept, ref.slope, ref.intercept, tree.lo, tree.hi, ref.lo, ref.hi)
    if not all(math.isfinite(v) for v in values):
        return "no fit"
    if tree.lo <= ref.hi and ref.lo <= tree.hi:
        return "exponents equal within 95 % CI: none predicted"
    x = (tree.intercept - ref.intercept) / (ref.slope - tree.slope) / math.log(2)  # log2 of the meeting width
    lo, hi = math.log2(tree.m_min), math.log2(tree.m_max)
    if tree.slope < ref.slope:  # the tree is cheaper above x
        if x < lo:
            return "tree cheaper at every m (the fits meet below the range)"
        return f"2^{x:.1f} ({'in range' if x <= hi else 'extrapolated'}; tree cheaper above)"
    if x < lo:
        return "tree never cheaper (the fits meet below the range)"
    return f"2^{x:.1f} ({'in range' if x <= hi else 'extrapolated'}; tree cheaper below)"


def at_largest_width(points) -> list[str]:
    """Per ``(d, n)`` at its largest width: each finder's ops and seconds per iteration over dense's."""
    cells = defaultdict(dict)
    top = defaultdict(int)
    for p in points:
        top[(p.d, p.n)] = max(top[(p.d, p.n)], p.m)
    for p in points:
        if p.m == top[(p.d, p.n)]:
            cells[(p.d, p.n)].setdefault(p.finder, []).append(p)
    rows = []
    for (d, n), by in sorted(cells.items()):
        dense = by.get("dense")
        if not dense:
            continue
        ops0 = np.mean([p.ops_per_iter for p in dense])
        sec0 = np.mean([p.seconds_per_iter for p in dense])
        for finder in ("weights-hsr:kdtree", "data-hsr:kdtree", "drift") + TREES:
            if finder in by:
                ops = np.mean([p.ops_per_iter for p in by[finder]])
                sec = np.mean([p.seconds_per_iter for p in by[finder]])
                rows.append(f"| {d} | {n} | 2^{int(math.log2(top[(d, n)]))} | {finder} | {ops:.3g} | {ops / ops0:.3f} | "
                            f"{sec:.3g} | {sec / sec0:.2f} |")
    return rows


def moved_rows(points) -> list[str]:
    """Neurons moved per iteration (mean over seeds) against ``n m^(4/5)`` and ``m``."""
    cells = defaultdict(list)
    for p in points:
        if p.finder == "corr-dtree":
            extras = p.record.get("extras", {})
            moves = max(int(extras.get("moves", 0)), 1)
            cells[(p.d, p.n, p.m)].append(extras.get("neurons_moved", 0) / moves)
    rows = []
    for (d, n, m), vals in sorted(cells.items()):
        moved = float(np.mean(vals))
        rows.append(f"| {d} | {n} | 2^{int(math.log2(m))} | {moved:.4g} | {moved / m:.3f} | "
                    f"{n * m ** 0.8:.3g} | {moved / (n * m ** 0.8):.2e} |")
    return rows


def main(path: str) -> None:
    records = [json.loads(line) for line in open(path) if line.strip()]
    by_b = defaultdict(list)
    for r in records:
        by_b[r["key"]["b"]].append(r)
    for b in sorted(by_b, key=b_order):
        sweep = Sweep.from_records(SweepConfig(), by_b[b])
        print(f"\n### b = {b_text(b)}\n")
        print("| finder | d | n | ops/iter exponent [95% CI] | wall s exponent [95% CI] | fired k exponent |")
        print("|---|---|---|---|---|---|")
        for e in sweep.exponents:
            if e.finder in TREES + REFERENCES:
                secs = "-" if e.seconds is None else e.seconds.format()
                print(f"| {e.finder} | {e.d} | {e.n} | {e.ops.format()} | {secs} | {e.kappa_measured.format()} |")
        fits = {(e.finder, e.d, e.n): e for e in sweep.exponents}
        print("\n| d | n | m | finder | ops/iter | / dense | s/iter | / dense |")
        print("|---|---|---|---|---|---|---|---|")
        print("\n".join(at_largest_width(sweep.points)))
        print("\n| tree | against | d | n | m* (ops) | m* (wall s) | fitted power laws meet, ops | the same, wall s |")
        print("|---|---|---|---|---|---|---|---|")
        for ref in REFERENCES:
            by = defaultdict(dict)
            for c in crossovers(list(sweep.points), reference=ref):
                if c.finder in TREES:
                    by[(c.finder, c.d, c.n)][c.metric] = c
            for (finder, d, n), cs in by.items():
                mine, theirs = fits[(finder, d, n)], fits.get((ref, d, n))
                meet = "-" if theirs is None else extrapolated_crossover(mine.ops, theirs.ops)
                meet_s = "-" if theirs is None else extrapolated_crossover(mine.seconds, theirs.seconds)
                secs = cs["seconds"].describe() if "seconds" in cs else "-"
                print(f"| {finder} | {ref} | {d} | {n} | {cs['ops'].describe()} | {secs} | {meet} | {meet_s} |")
        print("\n| d | n | m | neurons moved per iteration | / m | n m^(4/5) | / (n m^(4/5)) |")
        print("|---|---|---|---|---|---|---|")
        print("\n".join(moved_rows(sweep.points)))


if __name__ == "__main__":
    main(sys.argv[1] if len(sys.argv) > 1 else "quantum_train/experiments/stored/corr_b.jsonl")
