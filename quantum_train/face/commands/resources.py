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
:mod:`quantum_train.experiments.query_cost`, :mod:`quantum_train.experiments.crossover` and
:mod:`circuits.resources`.
"""

from __future__ import annotations

import argparse
import os

from circuits.resources import ADDERS, DEFAULT_ADDER, DEFAULT_UNCOMPUTE, MEMORY_MODELS, UNCOMPUTE_MODES
from quantum_train.core.grover_options import DEFAULT_BITS, check_search_options
from quantum_train.experiments.query_cost import (
    DEFAULT_ERROR_BUDGET,
    DEFAULT_QUBIT_MODEL,
    FT_PROGRAMS,
    RunOptions,
    check_cost_options,
    check_run_options,
    cost_report,
)
from quantum_train.face.commands.common import add_search_options, check_output_path, name_list, size
from quantum_train.output.io import write_json


def register(sub) -> None:
    p = sub.add_parser("resources", help="gates, qubits and fault-tolerant cost of a query and of one input's find-all",
                       description="What a query costs: Toffolis and logical qubits per query and per input "
                       "under five memory models, in a named convention (--uncompute, --adder), per input and per training "
                       "run, beside the classical scan of the same input, with the crossover in m.")
    p.add_argument("--m", type=size, default=2**16, help="neurons (default: 2^16)")
    p.add_argument("--d", type=size, default=16, help="input dimension (default: %(default)s)")
    p.add_argument("--bits", type=int, default=DEFAULT_BITS, help="fixed-point bits p of weights and input, 2..32 "
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
    print(rep.table(command_line=True))
    if args.json:
        write_json(args.json, rep.to_dict())
        print(f"wrote {args.json}")
    return 0
