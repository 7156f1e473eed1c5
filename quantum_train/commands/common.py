"""Argument types and checks shared by the subcommands."""

from __future__ import annotations

import argparse
import os
import re
from contextlib import contextmanager
from typing import Iterator

from quantum_train.errors import ConfigError


def size(text: str) -> int:
    """An integer, also written as ``2^k`` or ``2**k``."""
    match = re.fullmatch(r"\s*(\d+)\s*(?:(?:\^|\*\*)\s*(\d+))?\s*", text)
    if not match:
        raise argparse.ArgumentTypeError(f"expected an integer or 2^k, got {text!r}")
    base, exp = match.groups()
    return int(base) ** int(exp) if exp else int(base)


def name_list(text: str) -> tuple[str, ...]:
    """A comma-separated list of names."""
    return tuple(s.strip() for s in text.split(",") if s.strip())


def check_output_path(option: str, path: str | None) -> None:
    """Refuse, before any work, an output path whose directory is missing."""
    if path is None:
        return
    directory = os.path.dirname(os.path.abspath(path))
    if not os.path.isdir(directory):
        raise ConfigError(option, f"directory {directory!r} does not exist")
    if os.path.isdir(path):
        raise ConfigError(option, f"{path!r} is a directory")


def positive(option: str, value: int | float | None) -> None:
    if value is not None and value <= 0:
        raise ConfigError(option, f"must be positive, got {value}")


def add_data_options(parser, default_data: str) -> None:
    """``--data``, ``--n``, ``--d``: which inputs to train on."""
    from quantum_train.data import DATASETS

    parser.add_argument("--data", default=default_data, help=f"one of {', '.join(DATASETS)} (default: %(default)s)")
    parser.add_argument("--n", type=size, default=None, help="inputs (default: 256 synthetic; all points of a real dataset)")
    parser.add_argument("--d", type=size, default=None,
                        help="input dimension (default: 16 synthetic; a real dataset's own, PCA below it)")


def add_search_options(parser, strategy: str, delta: float) -> None:
    """``--strategy``, ``--delta``: how the Grover finders search."""
    from circuits.search import STRATEGIES

    parser.add_argument("--strategy", default=strategy,
                        help=f"Grover find-all strategy: {', '.join(STRATEGIES)} (default: %(default)s)")
    parser.add_argument("--delta", type=float, default=delta,
                        help="per-input bound on the probability that a search stops with a fired neuron left "
                        "(default: %(default)s)")


@contextmanager
def flag_errors() -> Iterator[None]:
    """Map a library :class:`ConfigError` naming a field (``m``) to the command-line flag (``--m``)."""
    try:
        yield
    except ConfigError as err:
        if err.argument.startswith("--"):
            raise
        raise type(err)("--" + err.argument.replace("_", "-"), str(err)) from None
