"""``quantum-train sweep``: cost per iteration against m, d and n, exponents against theory, T* and m*, resumable."""

from __future__ import annotations

import argparse
import math
import re
import sys

from quantum_train.data.datasets import DATASETS
from quantum_train.errors import ConfigError
from quantum_train.face.commands import common
from quantum_train.face.commands.common import (
    add_search_options,
    finder_list,
    size,
)
from quantum_train.face.commands.oracle_options import add_convention_options

#: formats a figure can be written in, by extension
PLOT_FORMATS = ("png", "pdf", "svg")


def expand_list(text: str, item=size) -> tuple[int, ...]:
    """A comma list of integers (``2^k`` allowed) with an optional ``...``.

    ``2^10,2^12,...,2^20`` continues the ratio of the two items before the
    ellipsis (geometric when the second is a multiple of the first, else
    arithmetic, as in ``0,1,...,9``) and must land exactly on the item after it.
    Empty entries (``2,,4``) and repeated ones (``2,2``) are refused.
    """
    parts = [p.strip() for p in text.split(",")]
    if not any(parts):
        raise argparse.ArgumentTypeError("expected a comma-separated list, got nothing")
    if not all(parts):
        raise argparse.ArgumentTypeError(f"empty entry in {text!r}; separate the items by single commas")
    out: list[int] = []
    k = 0
    while k < len(parts):
        if parts[k] in ("...", "\u2026"):
            if len(out) < 2 or k + 1 >= len(parts) or parts[k + 1] in ("...", "\u2026"):
                raise argparse.ArgumentTypeError(f"'...' needs two items before it and one after, in {text!r}")
            a, b, last = out[-2], out[-1], item(parts[k + 1])
            if b <= a:
                raise argparse.ArgumentTypeError(f"'...' needs increasing items, got {a}, {b} in {text!r}")
            step = (lambda x: x * (b // a)) if a > 0 and b % a == 0 else (lambda x: x + (b - a))  # noqa: B023 - used at once, in this iteration
            x = step(b)
            while x < last:
                out.append(x)
                x = step(x)
            if x != last:
                raise argparse.ArgumentTypeError(f"'...' from {a}, {b} does not reach {last} in {text!r}")
            out.append(last)
            k += 2
            continue
        out.append(item(parts[k]))
        k += 1
    repeated = sorted({x for x in out if out.count(x) > 1})
    if repeated:
        raise argparse.ArgumentTypeError(f"{repeated[0]} is listed twice in {text!r}")
    return tuple(out)


def seed_list(text: str) -> tuple[int, ...]:
    """Seeds: a comma list (``0,1,2``), with ``...`` (``0,1,...,9``) or a range ``0-4``."""
    match = re.fullmatch(r"\s*(\d+)\s*-\s*(\d+)\s*", text)
    if match:
        lo, hi = map(int, match.groups())
        if hi < lo:
            raise argparse.ArgumentTypeError(f"empty seed range {text!r}")
        return tuple(range(lo, hi + 1))
    return expand_list(text)


def threshold_list(text: str) -> tuple[float | None, ...]:
    """Thresholds ``b``: a comma list of finite numbers, ``default`` meaning ``sqrt(0.4 ln m)`` (``default,3,4``)."""
    parts = [p.strip() for p in text.split(",")]
    if not all(parts):
        raise argparse.ArgumentTypeError(f"empty entry in {text!r}; separate the thresholds by single commas")
    out: list[float | None] = []
    for part in parts:
        if part == "default":
            value = None
        else:
            try:
                value = float(part)
            except ValueError:
                raise argparse.ArgumentTypeError(f"{part!r} is not a number (nor 'default')") from None
            if not math.isfinite(value):
                raise argparse.ArgumentTypeError(f"each threshold must be finite, got {part!r}")
        if value in out:
            raise argparse.ArgumentTypeError(f"{part} is listed twice in {text!r}")
        out.append(value)
    return tuple(out)


def register(sub) -> None:
    from quantum_train.experiments.sweeps.config import (
        DEFAULT_FINDERS,
        DEFAULT_ITERS,
        DEFAULT_MS,
        DEFAULT_SEEDS,
    )
    from quantum_train.finders import pinned_forms

    c = sub.add_parser(
        "sweep",
        help="cost per iteration against m (and d, n) for several finders: exponents, T*, m*",
        description="Train one point per (finder, d, n, m, seed); print per-point costs, the exponent of cost "
        "against m per (finder, d, n) with a 95% interval next to the theory, the break-even iterations T* and "
        "the crossover widths m* against dense. With --json, points are appended to a JSON-lines file as they "
        "finish and a re-run skips the points already there.",
    )
    c.add_argument("--finders", type=finder_list, default=DEFAULT_FINDERS,
                   help=f"comma list of finders; {pinned_forms()} pin a structure "
                   f"(default: {','.join(DEFAULT_FINDERS)})")
    c.add_argument("--m", type=expand_list, default=DEFAULT_MS, dest="ms",
                   help="widths, e.g. 2^10,2^12,...,2^20 (default: %s)" % ",".join(f"2^{m.bit_length() - 1}" for m in DEFAULT_MS))
    c.add_argument("--d", type=expand_list, default=None, dest="ds",
                   help="input dimensions, e.g. 2,3,4,6,8,12,16 (default: 16 synthetic; a real set's own, "
                   "smaller values are PCA projections)")
    c.add_argument("--n", type=expand_list, default=None, dest="ns",
                   help="numbers of inputs, e.g. 256,1024 (default: 256 synthetic; all of a real set)")
    c.add_argument("--seeds", type=seed_list, default=DEFAULT_SEEDS,
                   help="seeds as replicate points: 0,1,2 or 0-4 or 0,1,...,9 (default: %s)" % ",".join(map(str, DEFAULT_SEEDS)))
    c.add_argument("--data", default="synthetic",
                   help=f"one of {', '.join(DATASETS)}, or a file: .npz (arrays X, y), .npy or .csv (target in the last "
                   "column) (default: %(default)s)")
    c.add_argument("--iters", type=size, default=DEFAULT_ITERS, help="gradient steps per point (default: %(default)s)")
    c.add_argument("--lr", type=float, default=None, help="learning rate (default: 1/max(n Q(b), 1) at each point)")
    c.add_argument("--b", type=threshold_list, default=None,
                   help="thresholds, each fixed for every m: one value or a list, an axis beside d, n and m "
                   "(e.g. default,3,4; 'default' is sqrt(0.4 ln m), also the default)")
    add_search_options(c, "counting", 1e-3)
    add_convention_options(c)
    common.mark_defaults(c, "uncompute", "adder")
    c.add_argument("--json", metavar="PATH", help="JSON-lines store: points are appended as they finish; "
                   "points already in it are skipped (resume)")
    c.add_argument("--plot", metavar="PATH", help="write the log-log plot of cost against m (png, pdf or svg)")
    c.add_argument("--map", metavar="PATH", help="write the phase diagram on the (d, m) grid (png, pdf or svg)")
    c.add_argument("--markdown", action="store_true", help="print the tables as markdown")
    c.add_argument("--workers", type=int, default=None, help="run points on a local Dask cluster of N processes")
    c.add_argument("--scheduler", metavar="ADDRESS", default=None, help="run points on an existing Dask scheduler")
    c.add_argument("--quiet", action="store_true", help="no line per point")
    c.set_defaults(handler=run)


def check_outputs(args: argparse.Namespace) -> None:
    """Output paths: writable, figures of a known format by extension, no two the same file."""
    common.check_outputs(json=args.json, plot=args.plot, figures={"map": args.map}, store=True, data=args.data)


def run(args: argparse.Namespace) -> int:
    from quantum_train.experiments.sweeps import SweepStore, plan
    from quantum_train.experiments.sweeps import run as run_sweep
    from quantum_train.experiments.sweeps.dask_runner import check_dask, dask_client

    # library errors name fields; ConfigError renders them as flags (errors.flag_for)
    config = plan(finders=args.finders, m=args.ms, d=args.ds, n=args.ns, seeds=args.seeds, data=args.data,
                  iters=args.iters, lr=args.lr, b=args.b, strategy=args.strategy, delta=args.delta,
                  uncompute=args.uncompute, adder=args.adder)
    from quantum_train.finders import refuse_options_no_finder_takes

    refuse_options_no_finder_takes([o for o in ("uncompute", "adder") if common.given(args, o)], config.finders)
    check_dask(args.workers, args.scheduler)
    check_outputs(args)
    for option in ("plot", "map"):
        if getattr(args, option) and len(config.bs) > 1:
            raise ConfigError(option, "a figure shows one threshold; give one --b value (the points of several "
                              "are kept apart in --json and in the tables)")
    store = SweepStore(args.json)
    if store.truncated_tail:
        print(f"{args.json}: a truncated last line (an interrupted write) will be cut off; its point is redone",
              file=sys.stderr)
    if store.bad_lines:
        print(f"{args.json}: ignored {store.bad_lines} unreadable line(s)", file=sys.stderr)

    def report(done, total, spec, record, ran):
        if args.quiet:
            return
        what = "ran" if ran else "stored"
        secs = f"{record['seconds_per_iter']:.4f}" + ("*" if record["seconds_label"] != "wall" else "")
        print(f"[{done}/{total}] {spec.finder} d={spec.d} n={spec.n} m={spec.m} seed={spec.seed}"
              + ("" if spec.b is None else f" b={spec.b:g}") + ": "
              f"{record['ops_per_iter']:.4g} ops/iter, {secs} s/iter, {record['fired_per_input']:.1f} fired/input "
              f"({what})", flush=True)

    c = config
    print(f"quantum-train sweep: data={c.data} d={','.join(map(str, c.ds))} n={','.join(map(str, c.ns))} "
          + ("" if c.bs == (None,) else f"b={','.join('default' if b is None else f'{b:g}' for b in c.bs)} ")
          +
          f"iters={c.iters} m={','.join(map(str, c.ms))} seeds={','.join(map(str, c.seeds))} "
          f"finders={','.join(c.finders)}", flush=True)
    try:
        with dask_client(args.workers, args.scheduler) as client:
            result = run_sweep(config, store, client=client, progress=report)
    except KeyboardInterrupt:
        where = (f"; {len(store)} points are stored in {args.json}, re-run the same command to resume"
                 if args.json else "; nothing was written")
        print(f"quantum-train: interrupted{where}", file=sys.stderr)
        return 130
    print(result.table(markdown=args.markdown))
    if args.json:
        print(f"points in {args.json}")
    for option, kind in (("plot", "sweep"), ("map", "map")):
        path = getattr(args, option)
        if path:
            result.plot(path, kind=kind)
            print(f"wrote {path}")
    return 0
