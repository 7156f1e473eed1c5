"""Regenerate every table of docs/results.md from the stored runs: one command (issue 22).

    python docs/make_results.py           # rewrite the generated blocks of docs/results.md in place
    python docs/make_results.py --check   # exit 1, naming the blocks that differ, if the file is stale

``docs/results.md`` is prose written by hand around tables made here. Each table
sits between the lines ``<!-- generated: NAME -->`` and ``<!-- end generated: NAME -->``;
this script replaces what lies between them with what ``BLOCKS[NAME]`` makes
from the stores and leaves every other line alone. Nothing is measured again:
every figure comes from the JSON-lines stores named in :data:`STORES` (the one
place their paths are written), through :class:`quantum_train.Sweep`, i.e. the
same fits as ``quantum-train sweep --markdown``. The test
``tests/quantum_train/test_results_doc.py`` holds the committed file to what
this script makes from the committed stores, so the two cannot diverge.

The blocks:

- ``map-exponents``, ``map-crossovers`` (section 2): per ``n``, the exponents of
  Algorithm 1 and 2 (pinned kd-tree) and of drift against theory with ``T*``,
  and the crossover widths ``m*``, rearranged one row per ``d``;
- ``map-grover`` (section 2): Grover find-all's oracle queries against dense's
  ops per width, ``queries / sqrt(m k)`` and the fitted exponent;
- ``sweep-exponents``, ``sweep-break-even`` (section 3): the tables that
  ``quantum-train sweep --markdown`` prints for ``docs/sweep.jsonl``;
- ``corr-b`` (section 6): per threshold ``b``, the correlation trees' exponents,
  their costs at the largest widths, ``m*`` against dense and drift with the
  extrapolated meeting point of the fitted power laws, and the neurons moved per
  iteration against ``n m^(4/5)`` and ``m``, with its fitted exponent in ``m``.
"""

from __future__ import annotations

import argparse
import functools
import json
import math
import re
import sys
from collections import defaultdict
from pathlib import Path
from typing import Callable

import numpy as np

from quantum_train.core.model import default_threshold, fire_probability
from quantum_train.experiments.sweeps import Sweep
from quantum_train.experiments.sweeps.config import SweepConfig
from quantum_train.experiments.sweeps.fit import Fit, crossovers, fit_or_undefined
from quantum_train.experiments.sweeps.report import format_crossovers, format_exponents
from quantum_train.output.io import atomic_write

DOCS = Path(__file__).resolve().parent
RESULTS = DOCS / "results.md"

#: The stored runs, by name: the only place this script names their paths.
STORED = DOCS.parent / "quantum_train" / "experiments" / "stored"  # package data (the verdict reads it too)
STORES: dict[str, Path] = {
    "map": STORED / "map.jsonl",
    "map_grover": STORED / "map_grover.jsonl",
    "sweep": DOCS / "sweep.jsonl",
    "corr_b": STORED / "corr_b.jsonl",
}

ALG1, ALG2, DRIFT = "weights-hsr:kdtree", "data-hsr:kdtree", "drift"
TREES = ("corr-dtree", "corr-wtree")
REFERENCES = ("dense", "drift")


def records(name: str) -> list[dict]:
    """The records of the store ``STORES[name]``, in stored order."""
    return list(_records(STORES[name]))


@functools.lru_cache(maxsize=None)
def _records(path: Path) -> tuple[dict, ...]:
    with open(path) as f:
        return tuple(json.loads(line) for line in f if line.strip())


def table(head: list[str], rows: list[str]) -> list[str]:
    return ["| " + " | ".join(head) + " |", "|" + "---|" * len(head), *rows]


# ---- section 2: the map ----------------------------------------------------------------------------------------

@functools.lru_cache(maxsize=None)
def map_sweep() -> Sweep:
    recs = [r for r in records("map") if r["finder"] in ("dense", ALG1, ALG2, DRIFT)]
    return Sweep.from_records(SweepConfig(), recs)


def times(x: float | None) -> str:
    return "never" if x is None else f"{x:.2g}"


def map_exponents() -> str:
    """Per ``n``: Algorithm 1 and 2 (pinned kd-tree) and drift, exponents against theory, ratios and ``T*``."""
    sweep = map_sweep()
    exps = {(e.finder, e.d, e.n): e for e in sweep.exponents}
    largest = {}  # the break-even at the largest measured m, per (finder, d, n)
    for b in sweep.break_evens:
        key = (b.finder, b.d, b.n)
        if key not in largest or b.m > largest[key].m:
            largest[key] = b
    out = []
    for n in sorted({p.n for p in sweep.points}):
        rows = []
        for d in sorted({p.d for p in sweep.points}):
            a, b2, dr = (exps[(f, d, n)] for f in (ALG1, ALG2, DRIFT))
            ba, bb, bd = (largest[(f, d, n)] for f in (ALG1, ALG2, DRIFT))
            dominated = " (output k dominates the total)" if a.theory.output_dominates else ""
            rows.append(f"| {d} | {a.find.format()} | {a.theory.at_range:.2f}{dominated} | {a.theory.paper} "
                        f"| {a.ops.format()} | {b2.find.format()} | {b2.theory.at_range:.2f} "
                        f"| {dr.find.format()} / {dr.ops.format()} | {ba.ratio_ops:.3g} (m = 2^{ba.m.bit_length() - 1}) "
                        f"| {bb.ratio_ops:.3g} | {bd.ratio_ops:.3g} "
                        f"| {times(ba.t_star_ops)} / {times(bb.t_star_ops)} / {times(bd.t_star_ops)} |")
        head = ["d", "Alg 1 kd-tree: find ops exponent [95% CI]", "theory 1 - 1/d", "paper 1 - 1/floor(d/2)",
                "Alg 1 total ops exponent", "Alg 2 kd-tree: find ops exponent", "Alg 2 theory at measured m",
                "drift: find / total", "Alg 1 ops vs dense at largest m", "Alg 2 ops vs dense", "drift ops vs dense",
                "T* (ops) Alg 1 / Alg 2 / drift"]
        out.append(f"`n = {n}`:\n\n" + "\n".join(table(head, rows)))
    return "\n\n".join(out)


def map_crossovers() -> str:
    """Per ``n``: the crossover widths ``m*`` of Algorithm 1 and 2 (ops, seconds) and drift (seconds)."""
    sweep = map_sweep()
    cross = {(c.finder, c.d, c.n, c.metric): c for c in sweep.crossovers}
    head = ["d", "m* (ops) Alg 1", "m* (ops) Alg 2", "m* (wall s) Alg 1", "m* (wall s) Alg 2", "m* (wall s) drift"]
    out = []
    for n in sorted({p.n for p in sweep.points}):
        rows = []
        for d in sorted({p.d for p in sweep.points}):
            cells = [cross[(f, d, n, metric)].describe()
                     for f, metric in ((ALG1, "ops"), (ALG2, "ops"), (ALG1, "seconds"), (ALG2, "seconds"),
                                       (DRIFT, "seconds"))]
            rows.append(f"| {d} | " + " | ".join(cells) + " |")
        out.append(f"`n = {n}`:\n\n" + "\n".join(table(head, rows)))
    return "\n\n".join(out)


def map_grover() -> str:
    """Grover find-all on the map's problem: queries per iteration over dense's ops, ``queries / sqrt(m k)``."""
    sweep = Sweep.from_records(SweepConfig(), records("map_grover"))
    ds = sorted({p.d for p in sweep.points})
    ratio = {(b.d, b.m): b.ratio_ops for b in sweep.break_evens if b.finder == "grover-emulator"}
    per_root = defaultdict(list)  # (d, m) -> queries per input / sqrt(m k), k the fired count per input
    for p in sweep.points:
        if p.finder == "grover-emulator":
            per_root[(p.d, p.m)].append(p.find_ops_per_iter / p.n / math.sqrt(p.m * p.record["fired_per_input"]))
    pair = " / ".join(f"d = {d}" for d in ds)
    head = ["m", f"queries / dense ops, {pair}", f"queries per input / sqrt(m k), {pair}"]
    rows = [f"| 2^{m.bit_length() - 1} | " + " / ".join(f"{ratio[(d, m)]:.2f}" for d in ds) + " | "
            + " / ".join(f"{np.mean(per_root[(d, m)]):.2f}" for d in ds) + " |"
            for m in sorted({p.m for p in sweep.points})]
    exps = [e for e in sweep.exponents if e.finder == "grover-emulator"]
    fits = "; ".join(f"{e.find.format()} at d = {e.d}" for e in exps)
    n = sorted({p.n for p in sweep.points})
    return ("\n".join(table(head, rows)) + f"\n\n- `n = {', '.join(map(str, n))}`; queries per iteration, exponent in"
            f" `m` [95% CI]: {fits}; theory `(1 + kappa)/2` = {exps[0].theory.at_range:.2f} at the measured widths.")


# ---- section 3: cost against m at d = 16 ------------------------------------------------------------------------

@functools.lru_cache(maxsize=None)
def sweep_d16() -> Sweep:
    return Sweep.from_records(SweepConfig(), records("sweep"))


def sweep_exponents() -> str:
    sweep = sweep_d16()
    return format_exponents(list(sweep.exponents), list(sweep.points), markdown=True)


def sweep_break_even() -> str:
    sweep = sweep_d16()
    return format_crossovers(list(sweep.break_evens), list(sweep.crossovers), markdown=True)


# ---- section 6: correlation trees over b ------------------------------------------------------------------------

def b_text(b: float | None) -> str:
    return "default sqrt(0.4 ln m)" if b is None else f"{b:g}"


def extrapolated_crossover(tree: Fit, ref: Fit) -> str:
    """Where the fitted power laws ``C m^a`` of two fits meet: an extrapolation, unless it falls in range.

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
        for finder in (ALG1, ALG2, DRIFT) + TREES:
            if finder in by:
                ops = np.mean([p.ops_per_iter for p in by[finder]])
                sec = np.mean([p.seconds_per_iter for p in by[finder]])
                rows.append(f"| {d} | {n} | 2^{int(math.log2(top[(d, n)]))} | {finder} | {ops:.3g} | "
                            f"{ops / ops0:.3f} | {sec:.3g} | {sec / sec0:.2f} |")
    return rows


def moved_per_iteration(points) -> dict[tuple[int, int, int], float]:
    """``(d, n, m)`` -> neurons moved per iteration (``corr-dtree``'s count, mean over seeds)."""
    cells = defaultdict(list)
    for p in points:
        if p.finder == "corr-dtree":
            extras = p.record.get("extras", {})
            cells[(p.d, p.n, p.m)].append(extras.get("neurons_moved", 0) / max(int(extras.get("moves", 0)), 1))
    return {key: float(np.mean(vals)) for key, vals in sorted(cells.items())}


def moved_rows(points) -> list[str]:
    """Neurons moved per iteration against ``n m^(4/5)`` and ``m``."""
    return [f"| {d} | {n} | 2^{int(math.log2(m))} | {moved:.4g} | {moved / m:.3f} | {n * m ** 0.8:.3g} | "
            f"{moved / (n * m ** 0.8):.2e} |" for (d, n, m), moved in moved_per_iteration(points).items()]


def moved_theory(ms: list[int], n: int, b: float | None) -> float:
    """The slope in ``log m`` of ``m (1 - (1 - Q(b))^n)`` over ``ms``: the neurons that fire on some input (and so
    move), if every neuron fired on each unit input with probability ``Q(b)`` independently (``w_r ~ N(0, I)``)."""
    def moving(m: int) -> float:
        q = fire_probability(default_threshold(m) if b is None else b)
        return m * -math.expm1(n * math.log1p(-q))

    return float(np.polyfit(np.log(ms), np.log([moving(m) for m in ms]), 1)[0])


def moved_fit_rows(points, b: float | None) -> list[str]:
    """Per ``(d, n)``: the fitted exponent in ``m`` of the neurons moved per iteration, beside the independent-firing
    prediction and the paper's bound ``n m^(4/5)`` (exponent 0.8; the count can never exceed ``m``, exponent 1)."""
    by = defaultdict(lambda: ([], []))
    for (d, n, m), moved in moved_per_iteration(points).items():
        by[(d, n)][0].append(m)
        by[(d, n)][1].append(moved)
    rows = []
    for (d, n), (ms, ys) in sorted(by.items()):
        fit = fit_or_undefined(ms, ys)
        rows.append(f"| {d} | {n} | 2^{int(math.log2(min(ms)))}..2^{int(math.log2(max(ms)))} | {fit.format()} | "
                    f"{moved_theory(ms, n, b):.2f} | 0.80 |")
    return rows


@functools.lru_cache(maxsize=None)
def corr_sweeps() -> tuple[tuple, ...]:
    """The correlation-tree slice as one :class:`Sweep` per threshold ``b``, in ``b``'s order (built once: the
    tables and the summary both read them)."""
    return Sweep.from_records(SweepConfig(), records("corr_b")).slices


def corr_b() -> str:
    """Per threshold ``b``: the correlation trees against dense and drift (``quantum_train/experiments/stored/corr_b.jsonl``)."""
    out = []
    for b, sweep in corr_sweeps():
        lines = [f"### b = {b_text(b)}", ""]
        lines += table(["finder", "d", "n", "ops/iter exponent [95% CI]", "wall s exponent [95% CI]",
                        "fired k exponent"],
                       [f"| {e.finder} | {e.d} | {e.n} | {e.ops.format()} | "
                        f"{'-' if e.seconds is None else e.seconds.format()} | {e.kappa_measured.format()} |"
                        for e in sweep.exponents if e.finder in TREES + REFERENCES])
        lines += [""] + table(["d", "n", "m", "finder", "ops/iter", "/ dense", "s/iter", "/ dense"],
                              at_largest_width(sweep.points))
        fits = {(e.finder, e.d, e.n): e for e in sweep.exponents}
        rows = []
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
                rows.append(f"| {finder} | {ref} | {d} | {n} | {cs['ops'].describe()} | {secs} | {meet} | {meet_s} |")
        lines += [""] + table(["tree", "against", "d", "n", "m* (ops)", "m* (wall s)", "fitted power laws meet, ops",
                               "the same, wall s"], rows)
        lines += [""] + table(["d", "n", "m", "neurons moved per iteration", "/ m", "n m^(4/5)", "/ (n m^(4/5))"],
                              moved_rows(sweep.points))
        lines += [""] + table(["d", "n", "widths", "neurons moved per iteration: exponent in m [95% CI]",
                               "independent firing: m (1 - (1 - Q(b))^n)", "paper: n m^(4/5)"],
                              moved_fit_rows(sweep.points, b))
        out.append("\n".join(lines))
    return "\n\n".join(out)


def span(values, fmt: str = ".2f", scale: float = 1.0) -> str:
    """``lo-hi`` of ``values`` (one value if they agree to the format)."""
    lo, hi = (format(min(values) * scale, fmt), format(max(values) * scale, fmt))
    return lo if lo == hi else f"{lo}-{hi}"


def corr_summary() -> str:
    """Per threshold ``b``: the ranges that section 6's text reads, each from the tables below it."""
    out = []
    for b, sweep in corr_sweeps():
        points = sweep.points
        ds = sorted({p.d for p in points})
        exps = [e for e in sweep.exponents if e.finder in TREES]
        moved = moved_per_iteration(points)
        top = {(d, n): max(p.m for p in points if (p.d, p.n) == (d, n)) for d, n in {(p.d, p.n) for p in points}}
        cells = defaultdict(list)
        for p in points:
            cells[(p.finder, p.d, p.n, p.m)].append(p)

        def cost(finder, d, n, m, attr, cells=cells):
            return float(np.mean([getattr(p, attr) for p in cells[(finder, d, n, m)]]))

        at_top = [(cost(f, d, n, m, "ops_per_iter") / cost("dense", d, n, m, "ops_per_iter"),
                   cost(f, d, n, m, "seconds_per_iter") / cost("dense", d, n, m, "seconds_per_iter"))
                  for (d, n), m in top.items() for f in TREES]
        vs_drift = [cost(f, d, n, m, "ops_per_iter") / cost("drift", d, n, m, "ops_per_iter")
                    for (f, d, n, m) in cells if f in TREES]
        cross = [c for c in sweep.crossovers if c.finder in TREES]
        walls = [c for c in cross if c.metric == "seconds" and c.status != "never"]
        widths = {n: sorted({p.m for p in points if p.n == n}) for n in sorted({p.n for p in points})}
        lines = [f"- **b = {b_text(b)}** (`d` in {{{', '.join(map(str, ds))}}}; " + ", ".join(
                     f"`n = {n}`: `m = 2^{int(math.log2(ms[0]))} .. 2^{int(math.log2(ms[-1]))}`"
                     for n, ms in widths.items()) + "):",
                 "  - the trees' ops per iteration grow like `m^a`, `a` = " + "; ".join(
                     f"{span([e.ops.slope for e in exps if e.d == d])} at `d = {d}`" for d in ds) + ";",
                 "  - neurons moved per iteration: " + "; ".join(
                     f"{span([v / m for (dd, _, m), v in moved.items() if dd == d], '.1f', 100)} % of `m` at "
                     f"`d = {d}`" for d in ds)
                 + f"; {span([v / (n * m ** 0.8) for (_, n, m), v in moved.items()], '.1e')} of `n m^(4/5)`;",
                 f"  - at the largest widths the trees do {span([o for o, _ in at_top], '.3f')} of dense's ops and take "
                 f"{span([s for _, s in at_top])} of its seconds per iteration;",
                 "  - `m*` against dense, ops: " + ", ".join(sorted({c.describe() for c in cross
                                                                     if c.metric == "ops"})) + ";",
                 f"  - `m*` against dense, wall seconds: the trees pass dense in {len(walls)} of "
                 f"{sum(c.metric == 'seconds' for c in cross)} `(tree, d, n)` cells"
                 + (" (" + ", ".join(f"{c.finder} `d = {c.d}, n = {c.n}`: {c.describe()}" for c in walls) + ")"
                    if walls else "") + ";",
                 f"  - `drift` does {span(vs_drift, '.3g')} times fewer ops than a tree, point by point"
                 + ("." if min(vs_drift) > 1 else f" (the tree fewer at {sum(v < 1 for v in vs_drift)} points).")]
        out.append("\n".join(lines))
    return "\n".join(out)


#: name -> the markdown that goes between the block's markers
BLOCKS: dict[str, Callable[[], str]] = {
    "map-exponents": map_exponents,
    "map-crossovers": map_crossovers,
    "map-grover": map_grover,
    "sweep-exponents": sweep_exponents,
    "sweep-break-even": sweep_break_even,
    "corr-summary": corr_summary,
    "corr-b": corr_b,
}

BLOCK = re.compile(r"(<!-- generated: (?P<name>[\w-]+) -->\n)(?P<body>.*?)(<!-- end generated: (?P=name) -->)",
                   re.DOTALL)


def render(text: str) -> str:
    """``text`` with every generated block made afresh from the stores; a block name not in BLOCKS is an error."""
    names = [m["name"] for m in BLOCK.finditer(text)]
    unknown = sorted(set(names) - set(BLOCKS))
    missing = sorted(set(BLOCKS) - set(names))
    if unknown or missing:
        raise ValueError(f"generated blocks unknown: {unknown}, missing: {missing}")
    made = {name: BLOCKS[name]() for name in set(names)}
    return BLOCK.sub(lambda m: m.group(1) + "\n" + made[m["name"]] + "\n\n" + m.group(4), text)


def stale_blocks(text: str, fresh: str) -> list[str]:
    """The names of the blocks whose body differs between ``text`` and ``fresh``."""
    old = {m["name"]: m["body"] for m in BLOCK.finditer(text)}
    return [m["name"] for m in BLOCK.finditer(fresh) if old.get(m["name"]) != m["body"]]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--check", action="store_true", help="do not write; exit 1 if docs/results.md is stale")
    args = parser.parse_args(argv)
    try:  # before anything is written: the page's markers and the stored records
        text = RESULTS.read_text()
        fresh = render(text)
    except (OSError, ValueError) as error:
        print(f"make_results.py: {error}", file=sys.stderr)
        return 2
    if args.check:
        stale = stale_blocks(text, fresh)
        if stale:
            print(f"docs/results.md is stale in: {', '.join(stale)} (run python docs/make_results.py)")
            return 1
        return 0
    if fresh != text:  # the page is also this script's input: replaced whole, never left half-written
        atomic_write(RESULTS, fresh.encode())
    return 0


if __name__ == "__main__":
    sys.exit(main())
