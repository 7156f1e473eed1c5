"""The checks of issue 25 on the correlation trees, through the command line, on instances the tests do not use.

    python benchmarks/check_corr_trees.py

1. ``compare --finders dense,corr-dtree,corr-wtree`` on synthetic data and on two
   bundled data sets (seeds, sizes and thresholds no test uses) must give
   bit-identical weights: ``max_abs_weight_diff_vs_dense`` 0 and equal losses.
2. At ``b = 4``, where ``n Q(b)`` is small, ``corr-dtree`` must do fewer ops per
   iteration than dense.
3. A size whose trees cannot fit (``n = 1024``, ``m = 2^26``: 1 TiB of trees) must be
   refused by the memory guard, one line naming ``--m`` with a width that fits,
   exit 2, before anything is allocated (the child's peak resident set stays
   far below the trees' size).

Exits 1 and says which check failed, else prints the figures and exits 0.
Each run is a child process importing this tree's packages.
"""

from __future__ import annotations

import json
import os
import resource
import subprocess
import sys
import tempfile
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
TRIO = "dense,corr-dtree,corr-wtree"
IDENTICAL = [
    ["--data", "synthetic", "--n", "333", "--d", "7", "--m", "3000", "--seed", "4242", "--iters", "6"],
    ["--data", "wine", "--d", "9", "--m", "2^11", "--seed", "77", "--iters", "5"],
    ["--data", "breast_cancer", "--n", "400", "--d", "5", "--m", "1500", "--seed", "31", "--iters", "5",
     "--b", "1.1"],
]
SPARSE = ["--data", "synthetic", "--n", "1024", "--d", "16", "--m", "2^14", "--b", "4", "--seed", "909",
          "--iters", "5"]
TOO_BIG = ["--n", "1024", "--d", "16", "--m", "2^26", "--finders", "dense,corr-dtree"]


def cli(args: list[str]) -> subprocess.CompletedProcess:
    env = dict(os.environ, PYTHONPATH=str(REPO))
    return subprocess.run([sys.executable, "-m", "quantum_train.face.cli", *args], cwd=REPO, env=env,
                          capture_output=True, text=True)


def compare(args: list[str], finders: str) -> dict:
    with tempfile.TemporaryDirectory() as tmp:
        out = Path(tmp) / "c.json"
        proc = cli(["compare", *args, "--finders", finders, "--quiet", "--json", str(out)])
        if proc.returncode != 0:
            sys.exit(f"compare {' '.join(args)} failed ({proc.returncode}): {proc.stderr.strip()}")
        return {r["finder"]: r for r in json.loads(out.read_text())["results"]}


def main() -> int:
    failures = []
    for args in IDENTICAL:
        rows = compare(args, TRIO)
        for name in ("corr-dtree", "corr-wtree"):
            diff, same_loss = rows[name]["max_abs_weight_diff_vs_dense"], rows[name]["loss"] == rows["dense"]["loss"]
            print(f"{' '.join(args)}: {name} max_abs_weight_diff_vs_dense = {diff}, losses identical: {same_loss}")
            if diff != 0 or not same_loss:
                failures.append(f"{name} differs from dense on {' '.join(args)}")
    rows = compare(SPARSE, TRIO)
    ops = {name: rows[name]["per_iteration"]["ops"] for name in rows}
    print(f"{' '.join(SPARSE)}: ops/iter " + ", ".join(f"{k} {v:.4g}" for k, v in ops.items())
          + f"; corr-dtree / dense = {ops['corr-dtree'] / ops['dense']:.4f}")
    if not ops["corr-dtree"] < ops["dense"]:
        failures.append("corr-dtree does not use fewer ops per iteration than dense at b = 4")
    before = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
    proc = cli(["compare", *TOO_BIG, "--quiet"])
    peak_mib = max(resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss, before) / 1024
    line = proc.stderr.strip()
    print(f"{' '.join(TOO_BIG)}: exit {proc.returncode}, child peak RSS <= {peak_mib:.0f} MiB: {line}")
    if (proc.returncode != 2 or len(line.splitlines()) != 1 or not line.startswith("quantum-train: error: argument --m:")
            or "fits" not in line or peak_mib > 2048):
        failures.append("the memory guard did not refuse the trees that cannot fit, in one line, before allocating")
    for f in failures:
        print("FAILED:", f)
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
