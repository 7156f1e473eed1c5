"""``quantum-train compare``: train one network with several finders, side by side."""

from __future__ import annotations

import argparse
import sys

from quantum_train.core.grover_options import backend_of, check_mid_circuit
from quantum_train.errors import TrainingDiverged
from quantum_train.experiments.comparison import (
    AER_DEFAULT_MAX_M,
    AER_DEFAULT_MAX_SEARCHES,
    DEFAULT_FINDERS,
    CompareConfig,
    run_comparison,
)
from quantum_train.face.commands.common import add_run_options, add_search_options, check_outputs, given, mark_defaults
from quantum_train.face.commands.oracle_options import add_oracle_options
from quantum_train.finders import pinned_forms, refuse_options_no_finder_takes
from quantum_train.output.io import write_json


def register(sub) -> None:
    c = sub.add_parser(
        "compare",
        help="train one network with several fired-set finders and compare costs",
        description="Train copies of one initial network with each finder, side by side; "
        "with no options, a built-in default instance.",
    )
    d = CompareConfig()
    add_run_options(c, m=d.m, iters=d.iters, seed=d.seed,
                    finders_help=f"comma list of finders; {pinned_forms()} pin a structure (default: "
                    f"{','.join(DEFAULT_FINDERS)}, and grover-aer when m <= {AER_DEFAULT_MAX_M} and n x iters <= "
                    f"{AER_DEFAULT_MAX_SEARCHES})")
    add_search_options(c, d.strategy, d.delta)
    add_oracle_options(c)
    mark_defaults(c, *GROVER_ONLY)
    c.set_defaults(handler=run)


#: Options that shape the Grover finders only: given when no finder in ``--finders`` takes them, they are refused.
GROVER_ONLY = ("oracle", "bits", "memory", "uncompute", "adder")


def run(args: argparse.Namespace) -> int:
    config = CompareConfig(data=args.data, n=args.n, m=args.m, d=args.d, iters=args.iters, lr=args.lr,
                           b=args.b, seed=args.seed, finders=args.finders, strategy=args.strategy, delta=args.delta,
                           target=args.target, oracle=args.oracle, bits=args.bits, memory=args.memory,
                           uncompute=args.uncompute, adder=args.adder)
    check_outputs(json=args.json, plot=args.plot, command="compare", data=args.data)
    if given(args, "uncompute"):
        check_mid_circuit(args.uncompute, args.oracle, [b for f in args.finders or () if (b := backend_of(f))])
    refuse_options_no_finder_takes([o for o in GROVER_ONLY if given(args, o)], config.validate().finders)
    comparison = run_comparison(config, progress=not args.quiet and sys.stderr.isatty(), announce=True)
    print(comparison.table())
    if args.json:
        write_json(args.json, comparison.to_dict())
        print(f"wrote {args.json}")
    if args.plot:
        from quantum_train.output.plots import save_comparison_plot

        save_comparison_plot(comparison, args.plot)
        print(f"wrote {args.plot}")
    if comparison.diverged():
        names = ", ".join(r.finder for r in comparison.diverged())
        raise TrainingDiverged(f"training diverged for {names} (see the notes); lower --lr")
    return 0
