"""The training problem of the drift benchmarks that train in their own process (``perf_kernels``,
``visit_ab``, ``profile_fused``, ``drift_refreshes``): its options, each checked by ``argparse`` (one line and
exit 2 before any work), and its data, initial network and learning rate, built one way for all of them."""

from __future__ import annotations

import argparse

from quantum_train.face.commands.common import size  # 2^20 or 1048576, checked
from quantum_train.seeds import SeedError, check_seed


def positive_size(text: str) -> int:
    """A positive integer, also written as ``2^k``."""
    value = size(text)
    if value < 1:
        raise argparse.ArgumentTypeError(f"must be positive, got {value}")
    return value


def seed(text: str) -> int:
    """A seed: an integer >= 0."""
    try:
        return check_seed(int(text))
    except (ValueError, SeedError):
        raise argparse.ArgumentTypeError(f"expected an integer >= 0, got {text!r}") from None


def add_problem_options(parser: argparse.ArgumentParser, *, m: int, d: int, iters: int, seed_default: int,
                        iters_option: str = "--iters", iters_help: str = "training iterations") -> None:
    """``--n`` (1024), ``--m``, ``--d``, the iterations (``iters_option``) and ``--seed``, with these defaults."""
    parser.add_argument("--n", type=positive_size, default=1024, help="inputs (default 1024)")
    parser.add_argument("--m", type=positive_size, default=m, help=f"neurons, e.g. 2^16 (default {m})")
    parser.add_argument("--d", type=positive_size, default=d, help=f"input dimension (default {d})")
    parser.add_argument(iters_option, type=positive_size, default=iters, help=f"{iters_help} (default {iters})")
    parser.add_argument("--seed", type=seed, default=seed_default,
                        help=f"seed of the data and the initial network (default {seed_default})")


def problem(args: argparse.Namespace):
    """``(data, net, lr)``: the synthetic data of ``args.n``, ``args.d``, ``args.seed``, the initial network of
    ``args.m`` neurons and the default learning rate."""
    from quantum_train.core.model import ShiftedReLUNet
    from quantum_train.core.train import default_learning_rate
    from quantum_train.data.datasets import synthetic

    data = synthetic(args.n, args.d, seed=args.seed)
    net = ShiftedReLUNet.initialize(args.m, args.d, seed=args.seed)
    return data, net, default_learning_rate(args.n, net.b)
