"""``quantum-train compare``: train one network with several finders, side by side."""

from __future__ import annotations

import argparse
import sys

from quantum_train.commands.common import add_run_options, add_search_options, check_outputs
from quantum_train.commands.oracle_options import add_oracle_options
from quantum_train.comparison import (
    AER_DEFAULT_MAX_M,
    AER_DEFAULT_MAX_SEARCHES,
    DEFAULT_FINDERS,
    CompareConfig,
    run_comparison,
)
from quantum_train.errors import TrainingDiverged
from quantum_train.io import write_json


def register(sub) -> None:
    c = sub.add_parser(
        "compare",
        help="train one network with several fired-set finders and compare costs",
        description="Train copies of one initial network with each finder, side by side; "
        "with no options, a built-in default instance.",
    )
    d = CompareConfig()
    add_run_options(c, m=d.m, iters=d.iters, seed=d.seed,
                    finders_help=f"comma list of finders (default: {','.join(DEFAULT_FINDERS)}, and grover-aer when "
                    f"m <= {AER_DEFAULT_MAX_M} and n x iters <= {AER_DEFAULT_MAX_SEARCHES})")
    add_search_options(c, d.strategy, d.delta)
    add_oracle_options(c)
    c.set_defaults(handler=run)


def run(args: argparse.Namespace) -> int:
    config = CompareConfig(data=args.data, n=args.n, m=args.m, d=args.d, iters=args.iters, lr=args.lr,
                           b=args.b, seed=args.seed, finders=args.finders, strategy=args.strategy, delta=args.delta,
                           target=args.target, oracle=args.oracle, bits=args.bits, memory=args.memory,
                           uncompute=args.uncompute, adder=args.adder)
    check_outputs(json=args.json, plot=args.plot)
    config.validate()
    comparison = run_comparison(config, progress=not args.quiet and sys.stderr.isatty())
    print(comparison.table())
    if args.json:
        write_json(args.json, comparison.as_dict())
        print(f"wrote {args.json}")
    if args.plot:
        from quantum_train.plots import save_comparison_plot

        save_comparison_plot(comparison, args.plot)
        print(f"wrote {args.plot}")
    if comparison.diverged():
        names = ", ".join(r.finder for r in comparison.diverged())
        raise TrainingDiverged(f"training diverged for {names} (see the notes); lower --lr")
    return 0
