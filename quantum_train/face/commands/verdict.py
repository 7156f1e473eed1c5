"""``quantum-train verdict``: the cheapest way to train one ``(m, d, n, T)``, in every currency, each figure
labelled with where it comes from (:mod:`quantum_train.experiments.verdict`)."""

from __future__ import annotations

import argparse

from quantum_train.core.grover_options import DEFAULT_BITS
from quantum_train.face.commands.common import check_outputs, name_list, size


def register(sub) -> None:
    from circuits.resources import ADDERS, DEFAULT_ADDER, DEFAULT_UNCOMPUTE, MEMORY_MODELS, UNCOMPUTE_MODES
    from quantum_train.data.datasets import DATASETS

    p = sub.add_parser("verdict", help="the cheapest way to train a given (m, d, n, T), in every currency",
                       description="One table: per method (dense, Algorithms 1 and 2 on kd-trees, drift, the "
                       "correlation trees, Grover under each memory model) its preprocessing, per-iteration and "
                       "total cost over T iterations in inner products and seconds (Toffolis and fault-tolerant "
                       "seconds for the quantum rows), where each figure comes from (measured, interpolated, "
                       "extrapolated, model), the winner in each currency, the break-even iterations, the "
                       "crossover widths and a one-sentence answer. Figures come from the stored map shipped "
                       "with the package, or from a run made now (--measure).")
    p.add_argument("--m", type=size, required=True, help="neurons, e.g. 262144 or 2^18")
    p.add_argument("--d", type=size, required=True, help="input dimension")
    p.add_argument("--n", type=size, required=True, help="inputs")
    p.add_argument("--iters", type=size, required=True, help="training iterations T")
    p.add_argument("--b", type=float, default=None, help="threshold (default: b(m) = sqrt(0.4 ln m), the stored "
                   "map's; another b needs --measure)")
    p.add_argument("--data", default="synthetic",
                   help=f"synthetic, one of {', '.join(DATASETS)}, or a file: the fired fractions depend on the "
                   "data, so a data set's point is run here (default: %(default)s)")
    p.add_argument("--memory", type=name_list, default=MEMORY_MODELS,
                   help=f"memory models of the quantum rows, comma-separated: {','.join(MEMORY_MODELS)} "
                   "(default: all)")
    p.add_argument("--bits", type=int, default=DEFAULT_BITS, help="fixed-point bits of the quantum oracle, 2..32 "
                   "(default: %(default)s)")
    p.add_argument("--uncompute", default=DEFAULT_UNCOMPUTE,
                   help=f"quantum uncomputation convention: {', '.join(UNCOMPUTE_MODES)} (default: %(default)s)")
    p.add_argument("--adder", default=DEFAULT_ADDER,
                   help=f"adder of the quantum inner product: {', '.join(ADDERS)} (default: %(default)s)")
    p.add_argument("--physical", action="store_true",
                   help="fault-tolerant seconds of the quantum rows (needs the resources extra); they then "
                   "compete in seconds")
    p.add_argument("--measure", action="store_true",
                   help="run the point here when its estimated time and memory fit (the rows become measured), "
                   "else time dense at one small size here and rescale the stored seconds")
    p.add_argument("--json", metavar="PATH", help="write the verdict as JSON (atomically)")
    p.add_argument("--plot", metavar="PATH", help="write the figure (PNG, PDF or SVG, by extension)")
    p.set_defaults(handler=run)


def run(args: argparse.Namespace) -> int:
    from quantum_train.experiments.verdict import build_verdict
    from quantum_train.face.api import verdict_problem
    from quantum_train.output.io import write_json

    problem = verdict_problem(m=args.m, d=args.d, n=args.n, iters=args.iters, b=args.b, data=args.data,
                              memory=args.memory, bits=args.bits, uncompute=args.uncompute, adder=args.adder,
                              physical=args.physical, measure=args.measure)
    check_outputs(args.json, args.plot, command="verdict",
                  data=None if args.data == "synthetic" else args.data)
    result = build_verdict(problem)
    print(result.table(command_line=True))
    if args.json:
        write_json(args.json, result.to_dict())
        print(f"wrote {args.json}")
    if args.plot:
        result.plot(args.plot)
        print(f"wrote {args.plot}")
    return 0
