"""``quantum-train sweep``: cost per iteration against the width m, fitted exponents, resumable."""

from __future__ import annotations

import argparse
import re
import sys

from quantum_train.commands.common import add_data_options, add_search_options, check_output_path, name_list, size
from quantum_train.errors import ConfigError
from quantum_train.sweep import (DEFAULT_MS, DEFAULT_SEEDS, DEFAULT_SWEEP_FINDERS, SweepConfig, SweepStore,
                                 format_exponents, format_points, run_sweep)


def expand_list(text: str, item=size) -> tuple[int, ...]:
    """A comma list of integers (``2^k`` allowed) with an optional ``...``.

    ``2^10,2^12,...,2^20`` continues the ratio of the two items before the
    ellipsis (geometric when the second is a multiple of the first, else
    arithmetic, as in ``0,1,...,9``) and must land exactly on the item after it.
    """
    parts = [p.strip() for p in text.split(",") if p.strip()]
    if not parts:
        raise argparse.ArgumentTypeError("expected a comma-separated list, got nothing")
    out: list[int] = []
    k = 0
    while k < len(parts):
        if parts[k] in ("...", "\u2026"):
            if len(out) < 2 or k + 1 >= len(parts) or parts[k + 1] in ("...", "\u2026"):
                raise argparse.ArgumentTypeError(f"'...' needs two items before it and one after, in {text!r}")
            a, b, last = out[-2], out[-1], item(parts[k + 1])
            if b <= a:
                raise argparse.ArgumentTypeError(f"'...' needs increasing items, got {a}, {b} in {text!r}")
            step = (lambda x: x * (b // a)) if a > 0 and b % a == 0 else (lambda x: x + (b - a))
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


def register(sub) -> None:
    c = sub.add_parser(
        "sweep",
        help="cost per iteration against the width m for several finders, with fitted exponents",
        description="Train one point per (finder, m, seed); print per-point costs and the exponent of "
        "cost against m per finder with a confidence interval, next to the theory. With --json, points "
        "are appended to a JSON-lines file as they finish and a re-run skips the points already there.",
    )
    d = SweepConfig()
    c.add_argument("--finders", type=name_list, default=DEFAULT_SWEEP_FINDERS,
                   help=f"comma list of finders (default: {','.join(DEFAULT_SWEEP_FINDERS)})")
    c.add_argument("--m", type=expand_list, default=DEFAULT_MS, dest="ms",
                   help="widths, e.g. 2^10,2^12,...,2^20 (default: %s)" % ",".join(f"2^{m.bit_length() - 1}" for m in DEFAULT_MS))
    c.add_argument("--seeds", type=seed_list, default=DEFAULT_SEEDS,
                   help="seeds as replicate points: 0,1,2 or 0-4 or 0,1,...,9 (default: %s)" % ",".join(map(str, DEFAULT_SEEDS)))
    add_data_options(c, d.data)
    c.add_argument("--iters", type=size, default=d.iters, help="gradient steps per point (default: %(default)s)")
    c.add_argument("--lr", type=float, default=None, help="learning rate (default: 1/(n Q(b)) at each m)")
    c.add_argument("--b", type=float, default=None, help="threshold, fixed for every m (default: sqrt(0.4 ln m))")
    add_search_options(c, d.strategy, d.delta)
    c.add_argument("--json", metavar="PATH", help="JSON-lines store: points are appended as they finish; "
                   "points already in it are skipped (resume)")
    c.add_argument("--plot", metavar="PATH", help="write the log-log plot of cost against m as PNG")
    c.add_argument("--markdown", action="store_true", help="print the exponents table as markdown")
    c.add_argument("--workers", type=int, default=None, help="run points on a local Dask cluster of N processes")
    c.add_argument("--scheduler", metavar="ADDRESS", default=None, help="run points on an existing Dask scheduler")
    c.add_argument("--quiet", action="store_true", help="no line per point")
    c.set_defaults(handler=run)


def run(args: argparse.Namespace) -> int:
    config = SweepConfig(finders=args.finders, ms=args.ms, seeds=args.seeds, data=args.data, n=args.n, d=args.d,
                         iters=args.iters, lr=args.lr, b=args.b, strategy=args.strategy, delta=args.delta)
    config.validate()
    if args.workers is not None and args.scheduler is not None:
        raise ConfigError("--scheduler", "give either --workers or --scheduler, not both")
    if args.workers is not None and args.workers < 1:
        raise ConfigError("--workers", f"must be a positive integer, got {args.workers}")
    check_output_path("--json", args.json)
    check_output_path("--plot", args.plot)
    if args.workers is not None or args.scheduler is not None:
        try:
            import dask.distributed  # noqa: F401
        except ImportError:
            raise ConfigError("--scheduler" if args.scheduler else "--workers",
                              "distributed sweeps need dask.distributed: pip install 'quantum-train[dask]'") from None
    store = SweepStore(args.json)
    if store.truncated_tail:
        print(f"{args.json}: cut off a truncated last line (an interrupted write); its point is redone", file=sys.stderr)
    if store.bad_lines:
        print(f"{args.json}: ignored {store.bad_lines} unreadable line(s)", file=sys.stderr)

    def report(done, total, spec, record, ran):
        if args.quiet:
            return
        what = "ran" if ran else "stored"
        secs = f"{record['seconds_per_iter']:.4f}" + ("*" if record["seconds_label"] != "wall" else "")
        print(f"[{done}/{total}] {spec.finder} m={spec.m} seed={spec.seed}: {record['ops_per_iter']:.4g} ops/iter, "
              f"{secs} s/iter, {record['fired_per_input']:.1f} fired/input ({what})", flush=True)

    c = config
    print(f"quantum-train sweep: data={c.data} n={c.n} d={c.d} iters={c.iters} m={','.join(map(str, c.ms))} "
          f"seeds={','.join(map(str, c.seeds))} finders={','.join(c.finders)}", flush=True)
    try:
        result = run_sweep(config, store, workers=args.workers, scheduler=args.scheduler, on_point=report)
    except KeyboardInterrupt:
        where = f"; {len(store.records)} points are stored in {args.json}, re-run the same command to resume" if args.json else ""
        print(f"quantum-train: interrupted{where}", file=sys.stderr)
        return 130
    print(format_points(result.records))
    print()
    print(f"exponent of cost against m ({result.ran} points run, {result.skipped} taken from the store):")
    print(format_exponents(result.records, markdown=args.markdown))
    if args.json:
        print(f"points in {args.json}")
    if args.plot:
        from quantum_train.plots import save_sweep_plot

        save_sweep_plot(result.records, args.plot)
        print(f"wrote {args.plot}")
    return 0
