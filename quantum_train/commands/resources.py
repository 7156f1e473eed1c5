"""``quantum-train resources``: what one query, and one input's find-all, cost in gates and qubits.

Per memory model (``--memory``, default all of
:data:`circuits.resources.MEMORY_MODELS`), in the convention ``--uncompute`` /
``--adder`` (default measurement / gidney, the literature's): the itemised
Toffolis, depth, logical qubits, measurements and classical control work per
query, per input (the find-all's measured queries), per training iteration
(``--n``) and per run (``--iters``), beside the classical scan of the same
input (``m d`` multiply-adds, its reversible Toffolis with the same adder, its
median measured seconds) and the ratios; the crossover in ``m``; with
``--physical``, the fault-tolerant physical qubits and runtimes (QDK resource
estimator; ``pip install 'quantum-train[resources]'``). See
:mod:`quantum_train.query_cost`, :mod:`quantum_train.crossover` and
:mod:`circuits.resources`.
"""

from __future__ import annotations

import argparse
import os

from circuits.resources import ADDERS, DEFAULT_ADDER, DEFAULT_UNCOMPUTE, MEMORY_MODELS, UNCOMPUTE_MODES
from quantum_train.commands.common import add_search_options, check_output_path, name_list, size
from quantum_train.finders.grover import check_search_options
from quantum_train.io import write_json
from quantum_train.query_cost import (
    DEFAULT_ERROR_BUDGET,
    DEFAULT_QUBIT_MODEL,
    FT_PROGRAMS,
    CostReport,
    RunOptions,
    assumptions,
    check_cost_options,
    check_run_options,
    cost_report,
)


def register(sub) -> None:
    p = sub.add_parser("resources", help="gates, qubits and fault-tolerant cost of a query and of one input's find-all",
                       description="What a query costs: Toffolis and logical qubits per query and per input "
                       "under five memory models, in a named convention (--uncompute, --adder), per input and per training "
                       "run, beside the classical scan of the same input, with the crossover in m.")
    p.add_argument("--m", type=size, default=2**16, help="neurons (default: 2^16)")
    p.add_argument("--d", type=size, default=16, help="input dimension (default: %(default)s)")
    p.add_argument("--bits", type=int, default=16, help="fixed-point bits p of weights and input, 2..32 "
                   "(default: %(default)s)")
    p.add_argument("--memory", type=name_list, default=MEMORY_MODELS,
                   help=f"memory models, comma-separated: {','.join(MEMORY_MODELS)} (default: all)")
    p.add_argument("--uncompute", default=DEFAULT_UNCOMPUTE,
                   help=f"how ANDs and tables are uncomputed: {', '.join(UNCOMPUTE_MODES)} (measurement: the "
                   "literature's convention, Gidney 2018 and Berry et al. 2019; unitary: a second Toffoli or lookup, "
                   "as the built circuits) (default: %(default)s)")
    p.add_argument("--adder", default=DEFAULT_ADDER,
                   help=f"adder of the inner product and of the reversible scan: {', '.join(ADDERS)} "
                   "(gidney: w - 1 Toffolis per w-bit add; cdkm: 2w) (default: %(default)s)")
    p.add_argument("--max-logical-qubits", type=int, default=None, metavar="Q",
                   help="qubit budget: caps the select-swap block and the unlookup's one-hot register "
                   "(default: none)")
    p.add_argument("--n", type=int, default=1, help="inputs per training iteration (default: %(default)s)")
    p.add_argument("--iters", type=int, default=1, help="training iterations T (default: %(default)s)")
    p.add_argument("--k", type=size, default=None,
                   help="marked items per input, replacing the fired count m Q(b) (k = 1: the one-solution view "
                   "of Babbush et al. 2021) (default: the fired set)")
    p.add_argument("--physical", action="store_true", help="fault-tolerant estimates (needs the resources extra)")
    p.add_argument("--error-budget", type=float, default=DEFAULT_ERROR_BUDGET,
                   help="total error budget of one fault-tolerant program, in (0, 1) (default: %(default)s)")
    p.add_argument("--qubit-model", default=DEFAULT_QUBIT_MODEL,
                   help="the QDK's predefined qubit model (default: %(default)s)")
    p.add_argument("--ft-program", default="find-all",
                   help=f"what one fault-tolerant program is: {', '.join(FT_PROGRAMS)} (find-all: one input's "
                   "whole find-all; round: each search round, checked classically) (default: %(default)s)")
    p.add_argument("--classical-cores", type=int, default=os.cpu_count() or 1,
                   help="cores of the classical machine in the wall-time crossover (default: this machine's, "
                   "%(default)s)")
    p.add_argument("--seed", type=int, default=0, help="seed of network, input and search (default: %(default)s)")
    add_search_options(p, "counting", 1e-3)
    p.add_argument("--json", metavar="PATH", help="write the report as JSON (atomically)")
    p.set_defaults(handler=run)


def _g(x: float) -> str:
    return f"{x:.3g}" if abs(x) >= 1e4 or (x and abs(x) < 1e-2) else f"{x:,.0f}" if x == int(x) else f"{x:.3g}"


def _intervals(iv) -> str:
    if not iv:
        return "never"
    return ", ".join(f"2^{i['from_m_log2']:g}.." + ("" if i["to_m_log2"] is None else f"2^{i['to_m_log2']:g}")
                     for i in iv)


def print_report(rep: CostReport) -> None:
    o = rep.options
    first = next(iter(rep.per_input.values()))
    what = f"k = {o.k} marked items (--k)" if o.k is not None else f"one input fires {rep.fired} neurons"
    print(f"m={rep.m} d={rep.d} p={rep.bits} bits, b={rep.b:.4f}, seed {rep.seed}: {what}; find-all "
          f"({rep.strategy}, delta {rep.delta:g}, exact emulator) found {rep.found}")
    print(f"convention: uncompute = {o.uncompute}, adder = {o.adder}"
          + (f", at most {o.max_logical_qubits} logical qubits" if o.max_logical_qubits else ""))
    print(f"queries per input: {first.queries} = {first.grover_queries} Grover iterations + "
          f"{first.counting_queries} controlled (counting) + {first.check_queries} classical checks")
    print(f"{'per query':<16s} {'lookup':>9s} {'unlookup':>9s} {'arith':>9s} {'diffusion':>9s} {'Toffoli':>9s} "
          f"{'depth':>9s} {'qubits':>9s} {'meas.':>9s} {'ctrl ops':>9s}")
    for model, qc in rep.per_query.items():
        flag = "" if qc.within_budget else " (over the qubit budget)"
        print(f"{model:<16s} {_g(qc.lookup_toffoli):>9s} {_g(qc.unlookup_toffoli):>9s} {_g(qc.arithmetic_toffoli):>9s} "
              f"{_g(qc.diffusion_toffoli):>9s} {_g(qc.toffoli):>9s} {_g(qc.toffoli_depth):>9s} "
              f"{_g(qc.logical_qubits):>9s} {_g(qc.measurements):>9s} {_g(qc.classical_control_ops):>9s}{flag}")
    head = (f"{'per input':<16s} {'Toffoli':>9s} {'/ scan':>9s} {'ctrl ops':>9s} {'/ scan':>9s} "
            f"{'volume':>9s} {'run Tof.':>9s}")
    if rep.physical:
        head += f" {'phys. q':>9s} {'QDK s':>9s} {'depth s':>9s} {'/ scan s':>9s}"
    print(head)
    rounds = rep.rounds if o.ft_program == "round" else 1
    for model, ic in rep.per_input.items():
        control = rep.classical_control_per_input(model)
        line = (f"{model:<16s} {_g(ic.toffoli):>9s} {_g(ic.toffoli / rep.scan.toffoli):>9s} {_g(control):>9s} "
                f"{_g(control / rep.scan.toffoli):>9s} {_g(ic.logical_qubits * ic.toffoli_depth):>9s} "
                f"{_g(o.n * o.iters * ic.toffoli):>9s}")
        if rep.physical:
            est, dl = rep.physical[model], rep.depth_limited[model]
            best = min(est.runtime_seconds * rounds, dl.runtime_seconds)
            line += (f" {_g(est.physical_qubits):>9s} {_g(est.runtime_seconds * rounds):>9s} "
                     f"{_g(dl.runtime_seconds):>9s} {_g(best / rep.scan_seconds):>9s}")
        print(line)
    print(f"classical scan  {rep.scan.multiply_adds} multiply-adds = {_g(rep.scan.toffoli)} Toffolis reversibly "
          f"({o.adder} adders); {rep.scan_seconds:.3g} s measured here (numpy, median of {rep.scan_repeats} repeats, "
          f"{rep.scan_seconds_min:.3g}..{rep.scan_seconds_max:.3g} s, {rep.scan_measured_rows} rows timed)")
    print(f"training run: n = {o.n} inputs x T = {o.iters} iterations: 'run Tof.' is the quantum Toffolis; the scan "
          f"takes {_g(o.n * o.iters * rep.scan.toffoli)} Toffolis, {o.n * o.iters * rep.scan_seconds:.3g} s")
    notes = []
    for model in ("selectswap", "selectswap-dirty"):
        if model in rep.per_query:
            notes.append(f"{model} block {rep.per_query[model].block_size}")
    unl = {m: c.unlookup_block for m, c in rep.per_query.items() if c.unlookup_block}
    if unl:
        notes.append("unlookup one-hot register " + ", ".join(f"{m} k={k}" for m, k in unl.items()))
    if "qram" in rep.per_query:
        notes.append(f"qram: {rep.per_query['qram'].qram_routers} routers not charged")
    if "bucket-brigade" in rep.per_query:
        notes.append(f"bucket-brigade: {rep.per_query['bucket-brigade'].variant}")
    if rep.physical:
        est = next(iter(rep.physical.values()))
        notes.append(est.assumptions + f"; one program = {o.ft_program}; 'depth s': Toffoli depth x max(3 logical "
                     f"cycles, {next(iter(rep.depth_limited.values())).reaction_seconds:g} s reaction), factories "
                     "for the widest layer")
    print("; ".join(notes))
    print("ctrl ops: " + "classical bit operations of the control system (lookup streaming, unlookup fix-up "
          "parities); not charged in the Toffoli ratios, compared with the scan's reversible Toffolis")
    if rep.crossover:
        print(f"crossover in m (2^10..2^64): {'model':<16s} {'Toffolis':<24s} wall")
        for model, row in rep.crossover.items():
            wall = _intervals(row["wall"]) if rep.physical else "(needs --physical)"
            print(f"{'':<28s} {model:<16s} {_intervals(row['toffoli']):<24s} {wall}")
    print(assumptions(o.uncompute, o.adder))


def run(args: argparse.Namespace) -> int:
    opts = RunOptions(uncompute=args.uncompute, adder=args.adder, max_logical_qubits=args.max_logical_qubits,
                      n=args.n, iters=args.iters, k=args.k, error_budget=args.error_budget,
                      qubit_model=args.qubit_model, ft_program=args.ft_program,
                      classical_cores=args.classical_cores)
    check_cost_options(args.m, args.d, args.bits, args.memory, args.physical)
    check_run_options(args.m, opts, args.physical)
    check_search_options(args.strategy, args.delta)
    check_output_path("--json", args.json, command="resources")
    rep = cost_report(args.m, args.d, args.bits, args.memory, args.strategy, args.delta, args.seed, args.physical,
                      options=opts, crossover=True)
    print_report(rep)
    if args.json:
        write_json(args.json, rep.to_json())
        print(f"wrote {args.json}")
    return 0
