"""Argument types and checks shared by the subcommands."""

from __future__ import annotations

import argparse
import re

from quantum_train.errors import ConfigError
from quantum_train.experiments.ram_guard import MAX_SIZE
from quantum_train.output.io import InputPath, OutputPath, OutputPathError, check_output_paths
from quantum_train.seeds import SeedError, check_seed


def size(text: str) -> int:
    """An integer, also written as ``2^k`` or ``2**k``, at most ``2^40`` (no machine holds more rows)."""
    match = re.fullmatch(r"\s*(\d+)\s*(?:(?:\^|\*\*)\s*(\d+))?\s*", text)
    if not match:
        raise argparse.ArgumentTypeError(f"expected an integer or 2^k, got {text!r}")
    base, exp = match.groups()
    if exp and int(base) > 1 and int(exp) > 64:
        raise argparse.ArgumentTypeError(f"{text!r} is above 2^40, more than any machine can hold")
    value = int(base) ** int(exp) if exp else int(base)
    if value > MAX_SIZE:
        raise argparse.ArgumentTypeError(f"{text!r} is above 2^40, more than any machine can hold")
    return value


def name_list(text: str) -> tuple[str, ...]:
    """A comma-separated list of names; an empty list, an empty entry and a repeated name are refused."""
    names = [s.strip() for s in text.split(",")]
    if not any(names):
        raise argparse.ArgumentTypeError("expected a comma-separated list, got nothing")
    if not all(names):
        raise argparse.ArgumentTypeError(f"empty entry in {text!r}; separate the names by single commas")
    for k, name in enumerate(names):
        if name in names[:k]:
            raise argparse.ArgumentTypeError(f"{name!r} is listed twice in {text!r}; list each once")
    return tuple(names)


def finder_list(text: str) -> tuple[str, ...]:
    """``--finders`` of every command: :func:`quantum_train.finders.parse_finders` (the one parser)."""
    from quantum_train.finders import parse_finders

    try:
        return parse_finders(text)
    except ConfigError as err:
        raise argparse.ArgumentTypeError(err.command_line_message) from None


class _Default:
    """Marks a value as argparse's default, not given on the command line (see :func:`mark_defaults`)."""


def mark_defaults(parser, *dests: str) -> None:
    """Let :func:`given` tell the defaults of ``dests`` from values typed on the command line (help unchanged)."""
    for action in parser._actions:
        if action.dest in dests and action.default is not None:
            value = action.default
            action.default = type(f"Default{type(value).__name__}", (type(value), _Default), {})(value)


def given(args: argparse.Namespace, dest: str) -> bool:
    """Whether option ``dest`` was given on the command line (its default marked by :func:`mark_defaults`)."""
    return not isinstance(getattr(args, dest), _Default)


def check_outputs(json: str | None = None, plot: str | None = None, figures: dict[str, str | None] | None = None,
                  *, command: str | None = None, data: str | None = None, store: bool = False,
                  **png: str | None) -> None:
    """Refuse, before any work, outputs that cannot be written or would destroy an input or a foreign file.

    ``json`` is ``command``'s JSON document (or, with ``store``, the sweep's
    JSON-lines store); ``plot`` and each of ``figures`` (option -> path) are
    written as PNG/PDF/SVG by extension; each keyword in ``png`` (e.g.
    ``draw=...``) as PNG. ``data``: the ``--data`` input, which no output may
    resolve to. See :func:`quantum_train.output.io.check_output_paths`.
    """
    outputs = [OutputPath("json", json, "store" if store else "json", command), OutputPath("plot", plot, "plot")]
    outputs += [OutputPath(name, path, "plot") for name, path in (figures or {}).items()]
    outputs += [OutputPath(name, path, "png") for name, path in png.items()]
    try:
        check_output_paths(outputs, [InputPath("data", data)])
    except OutputPathError as err:
        raise ConfigError(err.field, str(err)) from None


def check_output_path(option: str, path: str | None, command: str | None = None) -> None:
    """Refuse, before any work, one JSON output path of ``command`` that cannot be written."""
    check_outputs(**{option.removeprefix("--"): path}, command=command)


def seed_option(option: str, value: int) -> int:
    """A seed: an integer >= 0 (the root of the run's independent streams)."""
    try:
        return check_seed(value)
    except SeedError as err:
        raise ConfigError(option, str(err)) from None


def positive(option: str, value: int | float | None) -> None:
    if value is not None and value <= 0:
        raise ConfigError(option, f"must be positive, got {value}")


def add_data_options(parser, default_data: str) -> None:
    """``--data``, ``--target``, ``--n``, ``--d``: which inputs to train on."""
    from quantum_train.data.datasets import DATASETS

    parser.add_argument("--data", default=default_data,
                        help=f"one of {', '.join(DATASETS)}, or a file: .npz (arrays X, y), .npy or .csv (target in "
                        "the last column) (default: %(default)s)")
    parser.add_argument("--target", default=None, metavar="NAME",
                        help="the target column of a .csv file with a header (default: the last column)")
    parser.add_argument("--n", type=size, default=None, help="inputs (default: 256 synthetic; all rows of a data set)")
    parser.add_argument("--d", type=size, default=None,
                        help="input dimension (default: 16 synthetic; a data set's own, PCA below it)")


def add_run_options(parser, *, m: int, iters: int, seed: int, finders_help: str, sizes=None) -> None:
    """The options every training command shares: data, sizes, step, seed, finders, outputs, quiet.

    ``sizes`` parses ``--m`` (one size by default; a sweep passes a list parser).
    """
    add_data_options(parser, "synthetic")
    parser.add_argument("--m", type=sizes or size, default=m, help="neurons, e.g. 4096 or 2^12 (default: %(default)s)")
    parser.add_argument("--iters", type=size, default=iters, help="gradient steps (default: %(default)s)")
    parser.add_argument("--lr", type=float, default=None, help="learning rate (default: 1/max(n Q(b), 1))")
    parser.add_argument("--b", type=float, default=None, help="threshold (default: sqrt(0.4 ln m))")
    parser.add_argument("--seed", type=int, default=seed,
                        help="root seed of the data, network, subsample and search streams (default: %(default)s)")
    parser.add_argument("--finders", type=finder_list, default=None, help=finders_help)
    parser.add_argument("--json", metavar="PATH", help="write the results as JSON (atomically)")
    parser.add_argument("--plot", metavar="PATH", help="write the plots (PNG, PDF or SVG, by extension)")
    parser.add_argument("--quiet", action="store_true", help="no progress bars")


def add_search_options(parser, strategy: str, delta: float) -> None:
    """``--strategy``, ``--delta``: how the Grover finders search."""
    from circuits.search import STRATEGIES

    parser.add_argument("--strategy", default=strategy,
                        help=f"Grover find-all strategy: {', '.join(STRATEGIES)} (default: "
                        + (f"{strategy})" if strategy else "counting; bbht for device finders)"))
    parser.add_argument("--delta", type=float, default=delta,
                        help="per-input bound on the probability that a search stops with a fired neuron left "
                        "(default: %(default)s)")
