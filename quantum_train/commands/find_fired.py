"""``quantum-train find-fired``: Grover find-all of the fired neurons of random inputs.

For ``N`` random unit inputs and a fresh network (``m`` neurons in ``R^d``,
seeded), every input's fired set ``{r : <w_r, x> > b}`` is the marked set of
one find-all search over the ``m`` neuron indices. Printed per input: ``k``
(fired), ``found``, oracle ``queries`` and ``queries / sqrt(m k)``; then a
summary with recall and the classical scan's ``m`` inner products per input.
"""

from __future__ import annotations

import argparse
import json
import math
import time

import numpy as np

from circuits import SearchProblem, find_all_many, num_qubits_for
from circuits.arithmetic_search import ArithmeticAerExecutor
from circuits.fixed_point import fixed_point_instance
from circuits.resources import input_cost, query_cost
from quantum_train.commands.common import add_search_options, check_output_path, positive, size
from quantum_train.commands.oracle_options import add_oracle_options
from quantum_train.compare import atomic_write
from quantum_train.data import synthetic
from quantum_train.errors import ConfigError
from quantum_train.finders.grover import check_oracle_options, check_search_options, executor_for
from quantum_train.model import ShiftedReLUNet
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
    add_oracle_options(p)
    p.add_argument("--json", metavar="PATH", help="write per-input results and the summary as JSON (atomically)")
    p.set_defaults(handler=run)


def run(args: argparse.Namespace) -> int:
    for option in ("m", "d", "inputs"):
        positive(f"--{option}", getattr(args, option))
    check_search_options(args.strategy, args.delta)
    if args.b is not None and not math.isfinite(args.b):
        raise ConfigError("--b", f"must be finite, got {args.b}")
    check_oracle_options(args.oracle, args.bits, args.memory, [f"grover-{args.backend}"], args.m)
    check_output_path("--json", args.json)
    executor = executor_for(args.backend, num_qubits_for(args.m))

    net = ShiftedReLUNet.initialize(args.m, args.d, seed=args.seed, b=args.b)
    X = synthetic(args.inputs, args.d, seed=args.seed).X  # the data stream: independent of the network's
    indptr, indices = net.fired_sets(X).by_input
    exact = [indices[indptr[i]:indptr[i + 1]] for i in range(args.inputs)]
    quantized = None
    if args.oracle == "arithmetic":  # circuits from the weights; the marked sets serve the classical checks
        insts = [fixed_point_instance(net.W, x, net.b, args.bits) for x in X]
        executor = ArithmeticAerExecutor(insts)
        quantized = [inst.marked() for inst in insts]
    problems = [SearchProblem(args.m, s) for s in (quantized or exact)]
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
    q = {kind: sum(r["queries_by_kind"][kind] for r in rows) for kind in ("grover", "counting", "check")}
    cost = query_cost(args.m, args.d, args.bits, args.memory)
    gate = input_cost(cost, q["grover"], q["counting"], q["check"])
    summary |= {"oracle": args.oracle, "bits": args.bits, "gate_cost_memory": args.memory,
                "toffoli_per_query": cost.toffoli, "mean_gate_cost_toffoli": gate.toffoli / args.inputs}
    if quantized is not None:
        summary["recall"] = sum(int(np.isin(res.found, e).sum()) for res, e in zip(results, exact)) / k_total \
            if k_total else 1.0
        summary["quantized_recall"] = found_total / k_total if k_total else 1.0
        summary["quantization_flips"] = int(sum(np.setxor1d(qs, e).size for qs, e in zip(quantized, exact)))
    print(f"m={args.m} d={args.d} b={net.b:.4f} backend={args.backend} ({executor.label}), strategy={args.strategy}")
    print(f"mean k {summary['mean_k']:.1f}; mean queries {summary['mean_queries']:.1f} = "
          f"{summary['mean_queries_over_sqrt_mk']:.3f} sqrt(m k); recall {summary['recall']:.5f}")
    print(f"classical scan: {args.m} inner products per input = {summary['classical_scan_over_sqrt_mk']:.2f} sqrt(m k); "
          f"simulation time {seconds:.2f} s (classical seconds, not quantum run time)")
    if quantized is not None:
        print(f"arithmetic oracle at p={args.bits} bits (k above: quantized fired sets): quantized recall "
              f"{summary['quantized_recall']:.5f}, recall vs exact {summary['recall']:.5f}, "
              f"{summary['quantization_flips']} pairs flipped by the rounding")
    print(f"gate cost per input {summary['mean_gate_cost_toffoli']:.3g} Toffolis "
          f"({args.memory}, p={args.bits}: {cost.toffoli:.3g} per query, worst-case x; T = 4 per Toffoli)")
    print("queries assume coherent (QRAM) access to the weights: one oracle query evaluates <w_r, x> > b on a superposition of r.")
    if args.json:
        atomic_write(args.json, json.dumps({"summary": summary, "inputs": rows}, indent=1).encode())
        print(f"wrote {args.json}")
    return 0
