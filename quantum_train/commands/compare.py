"""``quantum-train compare``: train one network with several finders, side by side."""

from __future__ import annotations

import argparse
import json
import sys

from quantum_train.commands.common import add_data_options, add_search_options, check_output_path, name_list, size
from quantum_train.commands.oracle_options import add_oracle_options
from quantum_train.compare import (AER_DEFAULT_MAX_M, AER_DEFAULT_MAX_SEARCHES, DEFAULT_FINDERS, CompareConfig, atomic_write, format_table,
                                   run_comparison)


def register(sub) -> None:
    c = sub.add_parser(
        "compare",
        help="train one network with several fired-set finders and compare costs",
        description="Train copies of one initial network with each finder, side by side; "
        "with no options, a built-in default instance.",
    )
    d = CompareConfig()
    add_data_options(c, d.data)
    c.add_argument("--m", type=size, default=d.m, help="neurons, e.g. 4096 or 2^12 (default: %(default)s)")
    c.add_argument("--iters", type=size, default=d.iters, help="gradient steps (default: %(default)s)")
    c.add_argument("--lr", type=float, default=None, help="learning rate (default: 1/(n Q(b)))")
    c.add_argument("--b", type=float, default=None, help="threshold (default: sqrt(0.4 ln m))")
    c.add_argument("--seed", type=int, default=d.seed, help="seed of data, network and searches (default: %(default)s)")
    c.add_argument("--finders", type=name_list, default=None,
                   help=f"comma list of finders (default: {','.join(DEFAULT_FINDERS)}, "
                   f"and grover-aer when m <= {AER_DEFAULT_MAX_M} and n x iters <= {AER_DEFAULT_MAX_SEARCHES})")
    add_search_options(c, d.strategy, d.delta)
    add_oracle_options(c)
    c.add_argument("--json", metavar="PATH", help="write the results as JSON (atomically)")
    c.add_argument("--plot", metavar="PATH", help="write loss and cost plots as PNG")
    c.add_argument("--quiet", action="store_true", help="no progress bars")
    c.set_defaults(handler=run)


def run(args: argparse.Namespace) -> int:
    config = CompareConfig(data=args.data, n=args.n, m=args.m, d=args.d, iters=args.iters, lr=args.lr,
                           b=args.b, seed=args.seed, finders=args.finders, strategy=args.strategy, delta=args.delta,
                           oracle=args.oracle, bits=args.bits, memory=args.memory)
    config.validate()
    check_output_path("--json", args.json)
    check_output_path("--plot", args.plot)
    comparison = run_comparison(config, progress=not args.quiet and sys.stderr.isatty())
    print(format_table(comparison))
    if args.json:
        atomic_write(args.json, json.dumps(comparison.as_dict(), indent=1).encode())
        print(f"wrote {args.json}")
    if args.plot:
        from quantum_train.plots import save_comparison_plot

        save_comparison_plot(comparison, args.plot)
        print(f"wrote {args.plot}")
    return 0
