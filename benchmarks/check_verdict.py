"""The checks of issue 26 on ``quantum-train verdict``, through the command line.

    python benchmarks/check_verdict.py            # about 3-6 minutes on 2 cores

For each problem below, ``verdict --iters 3 --json`` (3 iterations: the stored points' own run length, so the
long-run shape plays no part) is set against ``compare --iters 3 --json`` of the same problem (same seed 0,
synthetic data, the four stored finders). It reports, per problem and finder, the verdict's source label and the
relative error of its total ops and of its total seconds against the run made now. Problems: grid points of the
stored map, points between them (in m, d and n), and points beyond them (m below 2^10, m above 2^20, n above 1024).

Checks (exit 1 naming the failure, else 0):

1. a grid point is labelled ``measured``, a point between grid points ``interpolated``, one beyond
   ``extrapolated``, and every extrapolated row carries ``total.ops_range`` and ``total.seconds_range``;
2. the relative error of total ops is at most :data:`OPS_TOLERANCE` on grid points (the same run: the same seed
   gives the same counts, so it should be 0) and at most :data:`INTERPOLATION_TOLERANCE` between them; beyond the
   grid, the figure is reported with whether the measured total falls inside the labelled range (not a check:
   a 95 % range of a fitted exponent does not bound a single run);
3. ``winner.ops`` is the argmin of ``methods.*.total.ops`` over the classical rows.

Seconds are reported, not checked: the stored seconds were measured on another machine (the verdict says so).
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import tempfile
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
FINDERS = ("dense", "weights-hsr:kdtree", "data-hsr:kdtree", "drift")
OPS_TOLERANCE = 1e-9
INTERPOLATION_TOLERANCE = 0.25
#: (label expected, m, d, n)
PROBLEMS = [
    ("measured", 2**12, 4, 256),
    ("measured", 2**13, 8, 1024),
    ("measured", 2**11, 16, 256),
    ("interpolated", 3 * 2**11, 4, 256),        # between widths
    ("interpolated", 2**12, 5, 256),            # between dimensions
    ("interpolated", 2**12, 8, 512),            # between input counts
    ("interpolated", 5000, 7, 700),             # between on every axis
    ("extrapolated", 2**8, 4, 256),             # below the grid's widths
    ("extrapolated", 2**21, 4, 256),            # above them
    ("extrapolated", 2**12, 6, 2048),           # more inputs than the grid
]


def cli(*args: str) -> subprocess.CompletedProcess:
    env = {**os.environ, "PYTHONPATH": str(REPO)}
    return subprocess.run([sys.executable, "-m", "quantum_train.face.cli", *args], capture_output=True, text=True,
                          env=env, timeout=3600)


def size_args(m: int, d: int, n: int) -> list[str]:
    return ["--m", str(m), "--d", str(d), "--n", str(n), "--iters", "3"]


def main() -> int:
    failures: list[str] = []
    lines = [f"{'expected':<13} {'m':>8} {'d':>3} {'n':>5}  {'finder':<19} {'source':<13} {'ops err':>9} "
             f"{'s ratio':>8}  in range"]
    worst = {"measured": 0.0, "interpolated": 0.0}
    with tempfile.TemporaryDirectory() as tmp:
        for k, (label, m, d, n) in enumerate(PROBLEMS):
            vpath, cpath = os.path.join(tmp, f"v{k}.json"), os.path.join(tmp, f"c{k}.json")
            done = cli("verdict", *size_args(m, d, n), "--memory", "qram", "--json", vpath)
            if done.returncode != 0:
                failures.append(f"verdict at m={m} d={d} n={n} failed: {done.stderr.strip()}")
                continue
            done = cli("compare", *size_args(m, d, n), "--finders", ",".join(FINDERS), "--quiet", "--json", cpath)
            if done.returncode != 0:
                failures.append(f"compare at m={m} d={d} n={n} failed: {done.stderr.strip()}")
                continue
            verdict = json.load(open(vpath))
            runs = {r["finder"]: r for r in json.load(open(cpath))["results"]}
            classical = {k2: v for k2, v in verdict["methods"].items() if v["kind"] == "classical" and v["source"]}
            best = min(classical, key=lambda name: classical[name]["total"]["ops"])
            if verdict["winner"]["ops"] != best:
                failures.append(f"m={m} d={d} n={n}: winner.ops {verdict['winner']['ops']} is not the argmin {best}")
            for finder in FINDERS:
                row, run = verdict["methods"][finder], runs[finder]
                ops_now = run["preprocess"]["ops"] + sum(run["ops_by_iteration"])
                s_now = run["preprocess"]["seconds"] + sum(run["seconds_by_iteration"])
                err = abs(row["total"]["ops"] - ops_now) / ops_now
                ratio = row["total"]["seconds"] / s_now
                inside = "-"
                if row["source"] != label:
                    failures.append(f"m={m} d={d} n={n} {finder}: labelled {row['source']}, expected {label}")
                if row["source"] == "extrapolated":
                    if "ops_range" not in row["total"] or "seconds_range" not in row["total"]:
                        failures.append(f"m={m} d={d} n={n} {finder}: extrapolated without its ranges")
                    else:
                        lo, hi = row["total"]["ops_range"]
                        inside = "yes" if lo <= ops_now <= hi else f"no [{lo:.3g}, {hi:.3g}] vs {ops_now:.3g}"
                elif label in worst:
                    worst[label] = max(worst[label], err)
                lines.append(f"{label:<13} {m:>8} {d:>3} {n:>5}  {finder:<19} {row['source']:<13} {err:>9.2%} "
                             f"{ratio:>8.2f}  {inside}")
    print("\n".join(lines))
    print("ops err: |verdict total ops - compare total ops| / compare's, over 3 iterations; s ratio: verdict "
          "seconds (stored map's machine) / seconds measured here now (machine shared with other work)")
    print(f"largest ops error: grid points {worst['measured']:.2e}, interpolated {worst['interpolated']:.2%}")
    if worst["measured"] > OPS_TOLERANCE:
        failures.append(f"a grid point's ops differ from the run made now by {worst['measured']:.2e}")
    if worst["interpolated"] > INTERPOLATION_TOLERANCE:
        failures.append(f"interpolation is off by {worst['interpolated']:.1%} (> {INTERPOLATION_TOLERANCE:.0%})")
    for f in failures:
        print(f"FAILED: {f}")
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
