"""``quantum-train find-fired``: Grover find-all of the fired neurons of random inputs.

For ``N`` random unit inputs and a fresh network (``m`` neurons in ``R^d``,
seeded), every input's fired set ``{r : <w_r, x> > b}`` is the marked set of
one find-all search over the ``m`` neuron indices. Printed per input: ``k``
(fired), ``found``, oracle ``queries`` and ``queries / sqrt(m k)``; then a
summary with recall and the classical scan's ``m`` inner products per input.
"""

from __future__ import annotations

import argparse

from quantum_train.core.grover_options import check_mid_circuit
from quantum_train.experiments.fired_search import find_fired
from quantum_train.face.commands.common import add_search_options, check_output_path, given, mark_defaults, size
from quantum_train.face.commands.oracle_options import add_oracle_options
from quantum_train.output.io import write_json


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
    mark_defaults(p, "uncompute")
    p.set_defaults(handler=run)


def run(args: argparse.Namespace) -> int:
    check_output_path("--json", args.json, command="find-fired")
    if given(args, "uncompute"):
        check_mid_circuit(args.uncompute, args.oracle, [args.backend])
    result = find_fired(m=args.m, d=args.d, inputs=args.inputs, b=args.b, seed=args.seed, backend=args.backend,
                        strategy=args.strategy, delta=args.delta, oracle=args.oracle, bits=args.bits,
                        memory=args.memory, uncompute=args.uncompute, adder=args.adder)
    print(f"{'input':>5s} {'k':>7s} {'found':>7s} {'queries':>9s} {'q/sqrt(mk)':>10s}")
    for s in result.inputs:  # k = 0: nothing to find, and q / sqrt(m k) has no value
        ratio = f"{s.queries_over_sqrt_mk:10.3f}" if s.k else "  no fired neuron"
        print(f"{s.input:5d} {s.k:7d} {s.found:7d} {s.queries:9d} {ratio}")
    summary = result.summary()
    print(f"m={result.m} d={result.d} b={result.b:.4f} backend={result.backend} ({result.executor}), "
          f"strategy={result.strategy}")
    if any(s.k for s in result.inputs):
        print(f"mean k {summary['mean_k']:.1f}; mean queries {summary['mean_queries']:.1f} = "
              f"{summary['mean_queries_over_sqrt_mk']:.3f} sqrt(m k) (inputs with a fired neuron); "
              f"recall {summary['recall']:.5f}")
        print(f"classical scan: {result.m} inner products per input = "
              f"{summary['classical_scan_over_sqrt_mk']:.2f} sqrt(m k); simulation time "
              f"{result.simulation_seconds:.2f} s (classical seconds, not quantum run time)")
    else:
        print(f"no fired neuron: k = 0 for every input at b = {result.b:.4f} (nothing to find; mean queries "
              f"{summary['mean_queries']:.1f}, spent confirming that); lower --b or raise --m")
        print(f"classical scan: {result.m} inner products per input; simulation time "
              f"{result.simulation_seconds:.2f} s (classical seconds, not quantum run time)")
    if result.quantization_flips is not None:
        print(f"arithmetic oracle at p={result.bits} bits (k above: quantized fired sets): quantized recall "
              f"{summary['quantized_recall']:.5f}, recall vs exact {summary['recall']:.5f}, "
              f"{summary['quantization_flips']} pairs flipped by the rounding")
    print(f"gate cost per input {summary['mean_gate_cost_toffoli']:.3g} Toffolis ({result.memory}, "
          f"{summary['gate_cost_layout']}, uncompute {result.uncompute}, adder {result.adder}, p={result.bits}: "
          f"{summary['toffoli_per_query']:.3g} per query, worst-case x; T = 4 per Toffoli)")
    print("queries assume coherent (QRAM) access to the weights: one oracle query evaluates <w_r, x> > b on a "
          "superposition of r.")
    if args.json:
        write_json(args.json, result.to_dict())
        print(f"wrote {args.json}")
    return 0
