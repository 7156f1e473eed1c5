"""The ``quantum-train`` command.

Errors in the options print one line, ``quantum-train: error: argument --X: ...``,
and exit with status 2, before anything is written.
"""

from __future__ import annotations

import argparse
import json
import os
import re
import sys
from typing import Sequence

from quantum_train.compare import CompareConfig, ConfigError, atomic_write, format_table, run_comparison
from quantum_train.data import DATASETS

DEFAULT_COMPARE = CompareConfig()


class UsageError(Exception):
    """An error in the command line, reported as one line with exit status 2."""


class _Parser(argparse.ArgumentParser):
    def error(self, message: str):  # one line, no usage dump
        raise UsageError(message)


def size(text: str) -> int:
    """An integer, also written as ``2^k`` or ``2**k``."""
    match = re.fullmatch(r"\s*(\d+)\s*(?:(?:\^|\*\*)\s*(\d+))?\s*", text)
    if not match:
        raise argparse.ArgumentTypeError(f"expected an integer or 2^k, got {text!r}")
    base, exp = match.groups()
    return int(base) ** int(exp) if exp else int(base)


def finder_list(text: str) -> tuple[str, ...]:
    return tuple(s.strip() for s in text.split(",") if s.strip())


def _check_output_path(option: str, path: str | None) -> None:
    if path is None:
        return
    directory = os.path.dirname(os.path.abspath(path))
    if not os.path.isdir(directory):
        raise ConfigError(option, f"directory {directory!r} does not exist")
    if os.path.isdir(path):
        raise ConfigError(option, f"{path!r} is a directory")


def build_parser() -> argparse.ArgumentParser:
    parser = _Parser(prog="quantum-train", description=__doc__.splitlines()[0])
    sub = parser.add_subparsers(dest="command", required=True, parser_class=_Parser)
    c = sub.add_parser(
        "compare",
        help="train one network with several fired-set finders and compare costs",
        description="Train copies of one initial network with each finder, side by side; "
        "with no options, a built-in default instance.",
    )
    d = DEFAULT_COMPARE
    c.add_argument("--data", default=d.data, help=f"one of {', '.join(DATASETS)} (default: %(default)s)")
    c.add_argument("--n", type=size, default=None, help="inputs (default: 256 synthetic; all points of a real dataset)")
    c.add_argument("--m", type=size, default=d.m, help="neurons, e.g. 4096 or 2^12 (default: %(default)s)")
    c.add_argument("--d", type=size, default=None, help="input dimension (default: 16 synthetic; a real dataset's own, PCA below it)")
    c.add_argument("--iters", type=size, default=d.iters, help="gradient steps (default: %(default)s)")
    c.add_argument("--lr", type=float, default=None, help="learning rate (default: 1/(n Q(b)))")
    c.add_argument("--b", type=float, default=None, help="threshold (default: sqrt(0.4 ln m))")
    c.add_argument("--seed", type=int, default=d.seed, help="seed of data and network (default: %(default)s)")
    c.add_argument("--finders", type=finder_list, default=d.finders,
                   help=f"comma list of finders (default: {','.join(d.finders)})")
    c.add_argument("--json", metavar="PATH", help="write the results as JSON (atomically)")
    c.add_argument("--plot", metavar="PATH", help="write loss and cost plots as PNG")
    c.add_argument("--quiet", action="store_true", help="no progress bars")
    return parser


def cmd_compare(args: argparse.Namespace) -> int:
    config = CompareConfig(data=args.data, n=args.n, m=args.m, d=args.d, iters=args.iters, lr=args.lr,
                           b=args.b, seed=args.seed, finders=args.finders)
    config.validate()
    _check_output_path("--json", args.json)
    _check_output_path("--plot", args.plot)
    comparison = run_comparison(config, progress=not args.quiet)
    print(format_table(comparison))
    if args.json:
        atomic_write(args.json, json.dumps(comparison.as_dict(), indent=1).encode())
        print(f"wrote {args.json}")
    if args.plot:
        from quantum_train.plots import save_comparison_plot

        save_comparison_plot(comparison, args.plot)
        print(f"wrote {args.plot}")
    return 0


COMMANDS = {"compare": cmd_compare}


def main(argv: Sequence[str] | None = None) -> int:
    parser = build_parser()
    try:
        args = parser.parse_args(argv)
        return COMMANDS[args.command](args)
    except UsageError as err:
        print(f"quantum-train: error: {err}", file=sys.stderr)
    except ConfigError as err:
        print(f"quantum-train: error: argument {err.argument}: {err}", file=sys.stderr)
    return 2


if __name__ == "__main__":
    sys.exit(main())
