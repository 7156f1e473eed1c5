"""``quantum-train resources``: what one query, and one input's find-all, cost in gates and qubits.

Per memory model (``--memory qrom,selectswap,qram``): logical qubits and
Toffolis per query and per input (the find-all's measured queries), beside the
classical scan of the same input (``m d`` multiply-adds, its reversible
Toffolis, its measured seconds) and the ratios; with ``--physical``, the
fault-tolerant physical qubits and runtime of the input's find-all (QDK
resource estimator; ``pip install 'quantum-train[resources]'``). See
:mod:`quantum_train.query_cost` and :mod:`circuits.resources`.
"""

from __future__ import annotations

import argparse

from circuits.resources import MEMORY_MODELS
from quantum_train.commands.common import add_search_options, check_output_path, name_list, size
from quantum_train.finders.grover import check_search_options
from quantum_train.io import write_json
from quantum_train.query_cost import ASSUMPTIONS, CostReport, check_cost_options, cost_report


def register(sub) -> None:
    p = sub.add_parser("resources", help="gates, qubits and fault-tolerant cost of a query and of one input's find-all",
                       description="What a query costs: Toffolis and logical qubits per query and per input "
                       "under three memory models, beside the classical scan of the same input.")
    p.add_argument("--m", type=size, default=2**16, help="neurons (default: 2^16)")
    p.add_argument("--d", type=size, default=16, help="input dimension (default: %(default)s)")
    p.add_argument("--bits", type=int, default=16, help="fixed-point bits p of weights and input, 2..32 "
                   "(default: %(default)s)")
    p.add_argument("--memory", type=name_list, default=MEMORY_MODELS,
                   help=f"memory models, comma-separated: {','.join(MEMORY_MODELS)} (default: all)")
    p.add_argument("--physical", action="store_true", help="fault-tolerant estimates (needs the resources extra)")
    p.add_argument("--seed", type=int, default=0, help="seed of network, input and search (default: %(default)s)")
    add_search_options(p, "counting", 1e-3)
    p.add_argument("--json", metavar="PATH", help="write the report as JSON (atomically)")
    p.set_defaults(handler=run)


def _g(x: float) -> str:
    return f"{x:.3g}" if abs(x) >= 1e4 or (x and abs(x) < 1e-2) else f"{x:,.0f}" if x == int(x) else f"{x:.3g}"


def print_report(rep: CostReport) -> None:
    first = next(iter(rep.per_input.values()))
    print(f"m={rep.m} d={rep.d} p={rep.bits} bits, b={rep.b:.4f}, seed {rep.seed}: one input fires {rep.fired} "
          f"neurons; find-all ({rep.strategy}, delta {rep.delta:g}, exact emulator) found {rep.found}")
    print(f"queries per input: {first.queries} = {first.grover_queries} Grover iterations + "
          f"{first.counting_queries} controlled (counting) + {first.check_queries} classical checks")
    head = f"{'model':<11s} {'qubits':>8s} {'Toffoli/query':>14s} {'Toffoli/input':>14s} {'/ scan Toffoli':>14s}"
    if rep.physical:
        head += f" {'phys. qubits':>13s} {'runtime s':>10s} {'/ scan s':>10s}"
    print(head)
    for model, qc in rep.per_query.items():
        ic = rep.per_input[model]
        line = (f"{model:<11s} {qc.logical_qubits:>8d} {_g(qc.toffoli):>14s} {_g(ic.toffoli):>14s} "
                f"{_g(ic.toffoli / rep.scan.toffoli):>14s}")
        if rep.physical:
            est = rep.physical[model]
            line += (f" {_g(est.physical_qubits):>13s} {_g(est.runtime_seconds):>10s} "
                     f"{_g(est.runtime_seconds / rep.scan_seconds):>10s}")
        print(line)
    print(f"classical scan  {rep.scan.multiply_adds} multiply-adds = {_g(rep.scan.toffoli)} Toffolis reversibly; "
          f"{rep.scan_seconds:.3g} s measured here (numpy, {rep.scan_measured_rows} rows timed)")
    notes = []
    if "selectswap" in rep.per_query:
        notes.append(f"selectswap block {rep.per_query['selectswap'].block_size}")
    if "qram" in rep.per_query:
        notes.append(f"qram: {rep.per_query['qram'].qram_routers} routers not charged")
    if rep.physical:
        notes.append(next(iter(rep.physical.values())).assumptions)
    print("; ".join(notes))
    print(ASSUMPTIONS)


def run(args: argparse.Namespace) -> int:
    check_cost_options(args.m, args.d, args.bits, args.memory, args.physical)
    check_search_options(args.strategy, args.delta)
    check_output_path("--json", args.json, command="resources")
    rep = cost_report(args.m, args.d, args.bits, args.memory, args.strategy, args.delta, args.seed, args.physical)
    print_report(rep)
    if args.json:
        write_json(args.json, rep.to_json())
        print(f"wrote {args.json}")
    return 0
