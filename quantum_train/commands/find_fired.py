"""``quantum-train find-fired``: Grover find-all of the fired neurons of random inputs.

For ``N`` random unit inputs and a fresh network (``m`` neurons in ``R^d``,
seeded), every input's fired set ``{r : <w_r, x> > b}`` is the marked set of
one find-all search over the ``m`` neuron indices. Printed per input: ``k``
(fired), ``found``, oracle ``queries`` and ``queries / sqrt(m k)``; then a
summary with recall and the classical scan's ``m`` inner products per input.
"""

from __future__ import annotations

import argparse
import math
import time

import numpy as np

from circuits import SearchProblem, find_all_many
from quantum_train.commands.common import add_search_options, check_output_path, positive, seed_option, size
from quantum_train.io import write_json
from quantum_train.data import synthetic
from quantum_train.errors import ConfigError
from quantum_train.finders.grover import check_search_options, executor_for
from quantum_train.memory import check_fits
from quantum_train.model import ShiftedReLUNet, default_threshold
from quantum_train.seeds import stream


def register(sub) -> None:
    p = sub.add_parser("find-fired", help="find the fired neurons of random inputs by Grover search",
                       description="Grover find-all of the fired neurons of random unit inputs, "
                       "with every oracle query counted.")
    p.add_argument("--m", type=size, default=2**10, help="neurons (default: %(default)s)")
    p.add_argument("--d", type=size, default=16, help="input dimension (default: %(default)s)")
    p.add_argument("--inputs", type=size, default=8, help="number of random unit inputs (default: %(default)s)")
    p.add_argument("--b", type=float, default=None, help="threshold (default: sqrt(0.4 ln m))")
    p.add_argument("--seed", type=int, default=0, help="seed of network, inputs and searches (default: %(default)s)")
    p.add_argument("--backend", default="emulator", help="emulator (exact ideal statistics) or aer (statevector), "
                   "or another executor name (default: %(default)s)")
    add_search_options(p, "counting", 1e-3)
    p.add_argument("--json", metavar="PATH", help="write per-input results and the summary as JSON (atomically)")
    p.set_defaults(handler=run)


def run(args: argparse.Namespace) -> int:
    for option in ("m", "d", "inputs"):
        positive(f"--{option}", getattr(args, option))
    seed_option("--seed", args.seed)
    check_search_options(args.strategy, args.delta)
    if args.b is not None and not math.isfinite(args.b):
        raise ConfigError("--b", f"must be finite, got {args.b}")
    check_output_path("--json", args.json)
    check_fits(args.inputs, args.m, args.d, args.b if args.b is not None else default_threshold(args.m),
               ["grover-emulator"], b_follows_m=args.b is None)
    executor = executor_for(args.backend, args.m, args.strategy)

    net = ShiftedReLUNet.initialize(args.m, args.d, seed=args.seed, b=args.b)
    X = synthetic(args.inputs, args.d, seed=args.seed).X  # the data stream: independent of the network's
    indptr, indices = net.fired_sets(X).by_input
    problems = [SearchProblem(args.m, indices[indptr[i]:indptr[i + 1]]) for i in range(args.inputs)]
    start = time.perf_counter()
    results = find_all_many(problems, executor, strategy=args.strategy, delta=args.delta, seed=stream(args.seed, "search"))
    seconds = time.perf_counter() - start

    rows = []
    print(f"{'input':>5s} {'k':>7s} {'found':>7s} {'queries':>9s} {'q/sqrt(mk)':>10s}")
    for i, res in enumerate(results):
        k = len(problems[i].marked)
        ratio = res.queries / math.sqrt(args.m * k) if k else math.nan
        rows.append({"input": i, "k": k, "found": int(len(res.found)), "queries": int(res.queries),
                     "queries_by_kind": {kind: int(v) for kind, v in res.queries_by_kind.items()},
                     "queries_over_sqrt_mk": ratio, "certified": bool(res.certified)})
        print(f"{i:5d} {k:7d} {len(res.found):7d} {res.queries:9d} {ratio:10.3f}")
    k_total = sum(r["k"] for r in rows)
    found_total = sum(r["found"] for r in rows)
    ratios = [r["queries_over_sqrt_mk"] for r in rows if r["k"]]
    summary = {
        "m": args.m, "d": args.d, "inputs": args.inputs, "b": net.b, "seed": args.seed,
        "backend": args.backend, "executor": executor.label, "strategy": args.strategy, "delta": args.delta,
        "mean_k": k_total / args.inputs,
        "mean_queries": float(np.mean([r["queries"] for r in rows])),
        "mean_queries_over_sqrt_mk": float(np.mean(ratios)) if ratios else math.nan,
        "recall": found_total / k_total if k_total else 1.0,
        "classical_scan_per_input": args.m,
        "classical_scan_over_sqrt_mk": float(np.mean([args.m / math.sqrt(args.m * r["k"]) for r in rows if r["k"]]))
        if ratios else math.nan,
        "simulation_seconds": seconds,
    }
    print(f"m={args.m} d={args.d} b={net.b:.4f} backend={args.backend} ({executor.label}), strategy={args.strategy}")
    print(f"mean k {summary['mean_k']:.1f}; mean queries {summary['mean_queries']:.1f} = "
          f"{summary['mean_queries_over_sqrt_mk']:.3f} sqrt(m k); recall {summary['recall']:.5f}")
    print(f"classical scan: {args.m} inner products per input = {summary['classical_scan_over_sqrt_mk']:.2f} sqrt(m k); "
          f"simulation time {seconds:.2f} s (classical seconds, not quantum run time)")
    print("queries assume coherent (QRAM) access to the weights: one oracle query evaluates <w_r, x> > b on a superposition of r.")
    if args.json:
        write_json(args.json, {"summary": summary, "inputs": rows})
        print(f"wrote {args.json}")
    return 0
