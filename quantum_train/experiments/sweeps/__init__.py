"""Sweeps of cost per iteration over the width ``m``, the dimension ``d`` and the inputs ``n``.

One function, :func:`sweep`, runs (or resumes) a sweep and returns a frozen
:class:`Sweep`: its points, the fitted exponents next to the theory, the
break-even iterations ``T*`` and the crossover widths ``m*``, with
``.to_dict()``, ``.table()`` and ``.plot()``. The modules, one job each:

- :mod:`~quantum_train.experiments.sweeps.config`: the points and their keys;
- :mod:`~quantum_train.experiments.sweeps.runner`: running one point (the only user of
  :mod:`quantum_train.experiments.comparison`);
- :mod:`~quantum_train.experiments.sweeps.store`: the resumable JSON-lines store;
- :mod:`~quantum_train.experiments.sweeps.dask_runner`: points on a Dask cluster;
- :mod:`~quantum_train.experiments.sweeps.fit`: exponents, ``T*``, ``m*``;
- :mod:`~quantum_train.experiments.sweeps.report`: text and markdown tables;
- :mod:`~quantum_train.experiments.sweeps.plot`: the sweep figure and the phase diagram.
"""

from __future__ import annotations

import os
from dataclasses import dataclass, field, replace
from typing import Callable, Sequence

from circuits.resources import DEFAULT_ADDER, DEFAULT_UNCOMPUTE
from quantum_train.errors import ConfigError
from quantum_train.experiments.sweeps.config import (
    DEFAULT_FINDERS,
    DEFAULT_ITERS,
    DEFAULT_MS,
    DEFAULT_SEEDS,
    PointSpec,
    SweepConfig,
    b_order,
)
from quantum_train.experiments.sweeps.dask_runner import check_dask, dask_client, run_on_dask
from quantum_train.experiments.sweeps.fit import (
    BreakEven,
    Crossover,
    Exponent,
    break_evens,
    crossovers,
    exponents,
)
from quantum_train.experiments.sweeps.record import SweepPoint
from quantum_train.experiments.sweeps.runner import PointRunner, resolve, run_point
from quantum_train.experiments.sweeps.store import StoreVersionError, SweepStore

#: ``progress(done, total, spec, record, ran)`` after each point (``ran`` False for a stored one)
Progress = Callable[[int, int, PointSpec, dict, bool], None]


@dataclass(frozen=True)
class Sweep:
    """A finished sweep: its config (resolved), points, and the statistics derived from them."""

    config: SweepConfig
    points: tuple[SweepPoint, ...]
    ran: int
    skipped: int
    exponents: tuple[Exponent, ...] = field(repr=False)
    break_evens: tuple[BreakEven, ...] = field(repr=False)
    crossovers: tuple[Crossover, ...] = field(repr=False)
    #: with several thresholds ``b``: ``(b, the sweep of that b's points)``, the default first; else empty.
    #: The statistics above are then those of the slices, in the same order (a fit never mixes two b).
    slices: tuple[tuple[float | None, Sweep], ...] = field(default=(), repr=False)

    @classmethod
    def from_records(cls, config: SweepConfig, records: Sequence[dict], ran: int = 0, skipped: int = 0) -> Sweep:
        points = tuple(SweepPoint.from_record(r) for r in records)
        thresholds = sorted({p.b_fixed for p in points}, key=b_order)
        if len(thresholds) > 1:
            slices = tuple((b, cls.from_records(replace(config, b=b), [p.record for p in points if p.b_fixed == b]))
                           for b in thresholds)
            return cls(config, points, ran, skipped, *(tuple(x for _, part in slices for x in getattr(part, name))
                                                       for name in ("exponents", "break_evens", "crossovers")),
                       slices=slices)
        return cls(config, points, ran, skipped, tuple(exponents(points)), tuple(break_evens(points)),
                   tuple(crossovers(points)))

    @property
    def records(self) -> list[dict]:
        """The stored JSON-lines records of the points, in sweep order."""
        return [p.record for p in self.points]

    def to_dict(self) -> dict:
        """The whole result as JSON-ready data: config, records, exponents, ``T*`` and ``m*``.

        With several thresholds, ``"slices"`` holds each ``b``'s exponents, ``T*`` and ``m*`` apart
        (the top-level lists are their concatenation, in the same order).
        """
        out = {"config": self.config.to_dict(), "points": self.records,
               "exponents": [e.to_dict() for e in self.exponents],
               "break_even": [b.to_dict() for b in self.break_evens],
               "crossovers": [c.to_dict() for c in self.crossovers]}
        if self.slices:
            out["slices"] = [{"b": b, **{k: part.to_dict()[k] for k in ("exponents", "break_even", "crossovers")}}
                             for b, part in self.slices]
        return out

    def to_json(self, path: str | os.PathLike | None = None) -> str:
        """The points as a store of sweep records (JSON lines, what ``sweep --json`` writes); with ``path``, also
        written there. Only a missing or empty file is written: an existing store grows by ``sweep(json=...)``."""
        from quantum_train.output.io import OutputPathError, atomic_write, check_output, dumps_json

        text = "".join(dumps_json(r, indent=None) + "\n" for r in self.records)
        if path is not None:
            check_output("json", path, "store", data=self.config.data)
            if os.path.exists(path) and os.path.getsize(path) > 0:
                raise OutputPathError("json", f"{os.fspath(path)!r} is not empty; Sweep.to_json writes a new store "
                                      "only (to add points to a store, run qt.sweep(json=...) on it)")
            atomic_write(path, text.encode())
        return text

    def table(self, markdown: bool = False) -> str:
        """Per-point costs, the exponents against theory, and ``T*``/``m*`` (text or markdown)."""
        from quantum_train.experiments.sweeps.report import format_sweep

        return format_sweep(self, markdown=markdown)

    def plot(self, path: str | None = None, kind: str = "sweep"):
        """The matplotlib figure: ``kind="sweep"`` (cost against m) or ``"map"`` (the phase diagram on (d, m)).

        With ``path``, also write it; the format follows the extension (png, pdf, svg).
        """
        from quantum_train.experiments.sweeps.plot import map_figure, save_figure, sweep_figure
        from quantum_train.output.io import check_output

        if kind not in ("sweep", "map"):
            raise ValueError(f"kind must be 'sweep' or 'map', got {kind!r}")
        if self.slices:
            raise ValueError("a figure shows one threshold b; plot each b's slice (sweep.slices) on its own")
        check_output("plot", path, "plot", data=self.config.data)
        fig = sweep_figure(self) if kind == "sweep" else map_figure(self)
        if path is not None:
            save_figure(fig, path)
        return fig


def plan(finders=DEFAULT_FINDERS, m=DEFAULT_MS, d=None, n=None, seeds=DEFAULT_SEEDS, data="synthetic",
         iters=DEFAULT_ITERS, lr=None, b=None, strategy="counting", delta=1e-3, uncompute=DEFAULT_UNCOMPUTE,
         adder=DEFAULT_ADDER) -> SweepConfig:
    """The validated, resolved :class:`SweepConfig` of :func:`sweep`'s arguments (nothing is run)."""
    def listed(x):
        return (x,) if isinstance(x, int) else x

    data = os.fspath(data) if isinstance(data, os.PathLike) else data  # a pathlib.Path names a file, as a str does

    return resolve(SweepConfig(finders=finders, ms=tuple(listed(m)), ds=None if d is None else tuple(listed(d)),
                               ns=None if n is None else tuple(listed(n)), seeds=tuple(listed(seeds)), data=data,
                               iters=iters, lr=lr, b=b, strategy=strategy, delta=delta, uncompute=uncompute,
                               adder=adder))


def sweep(finders=DEFAULT_FINDERS, m=DEFAULT_MS, d=None, n=None, seeds=DEFAULT_SEEDS, data="synthetic",
          iters=DEFAULT_ITERS, lr=None, b=None, strategy="counting", delta=1e-3, json: str | None = None,
          workers: int | None = None, scheduler: str | None = None, progress: Progress | bool | None = None,
          uncompute: str = DEFAULT_UNCOMPUTE, adder: str = DEFAULT_ADDER) -> Sweep:
    """Train every point of ``finders x d x n x m x seeds`` and return the :class:`Sweep`.

    ``finders``: names (a list, or a comma string as on the command line),
    e.g. ``"dense,weights-hsr:kdtree"``. ``m``, ``d``, ``n``, ``seeds``: an
    integer or a list; ``d``/``n`` of ``None`` mean the data's own (synthetic:
    16 and 256; a real set: its feature count and size, and a smaller ``d`` is a
    PCA projection). ``b``: a threshold or a list of them, an axis like ``m``
    (``None`` in it: the default ``sqrt(0.4 ln m)``); each ``b``'s points are
    fitted apart (:attr:`Sweep.slices`). ``json``: a JSON-lines store; points already in it are
    taken from it, and each new point is appended as soon as it finishes.
    ``workers``: a local Dask cluster of that many processes; ``scheduler``: an
    existing Dask scheduler's address. ``progress``: a callback
    ``progress(done, total, spec, record, ran)``, ``True`` for a bar
    (``tqdm.auto``), ``False`` for nothing; by default a bar when run
    interactively (Jupyter, IPython, a terminal). Bad arguments raise
    :class:`ConfigError` naming the argument, before anything runs or is written.
    """
    from quantum_train.output.io import check_output

    check_output("json", json, "store", data=data)  # before any work: never onto the data or a foreign file
    config = plan(finders, m, d, n, seeds, data, iters, lr, b, strategy, delta, uncompute, adder)
    check_dask(workers, scheduler)
    store = SweepStore(json)
    bar, callback = _progress(progress, len(config.points()))
    try:
        with dask_client(workers, scheduler) as client:
            return run(config, store, client=client, progress=callback)
    finally:
        if bar is not None:
            bar.close()


def _progress(progress: Progress | bool | None, total: int):
    """(the bar or None, the callback or None) of :func:`sweep`'s ``progress`` argument."""
    from quantum_train.experiments.comparison import interactive

    if callable(progress):
        return None, progress
    if not (progress or (progress is None and interactive())):
        return None, None
    from tqdm.auto import tqdm

    bar = tqdm(total=total, desc="sweep", unit="point")

    def advance(done: int, total: int, spec: PointSpec, record: dict, ran: bool) -> None:
        bar.set_postfix_str(f"{spec.finder} d={spec.d} n={spec.n} m={spec.m}", refresh=False)
        bar.update(done - bar.n)

    return bar, advance


def run(config: SweepConfig, store: SweepStore, *, client=None, progress: Progress | None = None) -> Sweep:
    """Run the points of a resolved ``config`` missing from ``store``, on a Dask ``client`` or serially."""
    points = config.points()
    todo = [p for p in points if p not in store]
    total, done = len(points), 0
    for p in points:
        if p in store:
            done += 1
            if progress:
                progress(done, total, p, store.get(p), False)

    def finish(spec: PointSpec, record: dict) -> None:
        nonlocal done
        store.append(record)
        done += 1
        if progress:
            progress(done, total, spec, record, True)

    if todo and client is not None:
        run_on_dask(client, todo, run_point, finish)
    else:
        runner = PointRunner()
        for spec in todo:
            finish(spec, runner(spec))
    return Sweep.from_records(config, [store.get(p) for p in points], ran=len(todo), skipped=total - len(todo))


__all__ = ["sweep", "plan", "run", "Sweep", "SweepPoint", "SweepConfig", "SweepStore", "StoreVersionError",
           "PointSpec", "Exponent", "BreakEven", "Crossover", "ConfigError"]
