"""Run sweep points: the one module of the sweep that uses :mod:`quantum_train.experiments.comparison`.

Each point trains the network of its seed exactly as ``quantum-train compare``
would (same data, initial weights, ``b`` and ``lr``) with one finder, and
returns its *record*, a JSON-serialisable dict; per iteration, on average:

- ``ops_per_iter``: the cost in the theory's unit, d-dimensional inner
  products (oracle queries for quantum finders; :mod:`quantum_train.core.costs`),
  and ``find_ops_per_iter``, the fired-set discovery alone;
- ``seconds_per_iter``: wall seconds (classical simulation seconds for
  quantum finders, labelled by ``seconds_label``);
- ``preprocess``: ``{"ops", "seconds"}`` spent before the first iteration;
- ``fired_per_input``: neurons fired per input ``k``, beside the expectation
  ``m Q(b)`` at initialisation.

Everything except seconds and provenance is a deterministic function of the
point's key, so the serial and the Dask paths give identical records.
"""

from __future__ import annotations

import socket
import time
from dataclasses import replace

from quantum_train.core.model import fire_probability
from quantum_train.core.train import train
from quantum_train.errors import ConfigError
from quantum_train.experiments.comparison import CompareConfig, finder_for, load_data, prepare_run, warm_up
from quantum_train.experiments.results import FinderResult
from quantum_train.experiments.sweeps.config import PointSpec, SweepConfig

#: Version of the record format. 1: before the independent seed streams (every synthetic point differs) and
#: before d and n were swept; 2: keys carry finder, d, n, m, seed and the shared options.
SCHEMA = 2
#: Record fields that are measured times or provenance, not functions of the key.
NONDETERMINISTIC = ("seconds", "host", "finished_at", "structure_reason")


def _compare_config(spec: PointSpec) -> CompareConfig:
    return CompareConfig(data=spec.data, n=spec.n, m=spec.m, d=spec.d, iters=spec.iters, lr=spec.lr, b=spec.b,
                         seed=spec.seed, finders=(spec.finder,), strategy=spec.strategy, delta=spec.delta,
                         uncompute=spec.uncompute, adder=spec.adder)


def _field(err: ConfigError) -> ConfigError:
    """A compare error as a sweep field error (both name the field, ``m``)."""
    return ConfigError(err.field, str(err))


def resolve(config: SweepConfig) -> SweepConfig:
    """Validate every option and resolve ``ds``, ``ns`` from the data (one :class:`ConfigError` naming the field).

    Real data sets are swept over their PCA dimensions: each ``d`` must be at
    most the set's feature count; ``n`` defaults to the whole set. Every
    ``(d, n)`` is checked at the largest width (memory guards, device limits).
    """
    config = config.checked_lists().synthetic_defaults()
    ds, ns = config.ds or (None,), config.ns or (None,)
    shapes = set()
    loaded = set()  # the data depend on (d, n), not on b: each shape is loaded once, every b still checked
    for b in config.bs:
        for d in ds:
            for n in ns:
                probe = CompareConfig(data=config.data, n=n, m=max(config.ms), d=d, iters=config.iters,
                                      lr=config.lr, b=b, seed=config.seeds[0], finders=config.finders,
                                      strategy=config.strategy, delta=config.delta,
                                      uncompute=config.uncompute, adder=config.adder)
                try:
                    checked = probe.validate()
                    if (checked.d, checked.n) not in loaded:
                        data = load_data(checked)
                        loaded.add((checked.d, checked.n))
                        shapes.add((data.d, data.n))
                except ConfigError as err:
                    raise _field(err) from None
    return replace(config, ds=tuple(sorted({d for d, _ in shapes})), ns=tuple(sorted({n for _, n in shapes})))


class PointRunner:
    """Trains points; compiles each (finder, d)'s numba kernels once, outside the timings."""

    def __init__(self) -> None:
        self._warm: set[tuple[str, int]] = set()

    def __call__(self, spec: PointSpec) -> dict:
        return run_point(spec, self._warm)


def run_point(spec: PointSpec, warm: set[tuple[str, int]] | None = None) -> dict:
    """Train one point and return its record. ``warm``: (finder, d) pairs already compiled (updated)."""
    run = prepare_run(_compare_config(spec))
    config, X, y, net = run.config, run.data.X, run.data.y, run.net
    if warm is None or (spec.finder, spec.d) not in warm:
        warm_up(spec.finder, X.shape[1], spec.seed)
        if warm is not None:
            warm.add((spec.finder, spec.d))
    finder = finder_for(config, spec.finder)
    start = time.perf_counter()
    result = train(net, X, y, finder, config.iters, config.lr)
    elapsed = time.perf_counter() - start
    row = FinderResult.from_training(result, config, None).to_dict()
    per_it = row["per_iteration"]
    core = {"finder", "initial_loss", "diverged", "final_loss", "loss", "preprocess", "per_iteration", "seconds_label", "fired_per_input",
            "fired_per_input_max", "fired_per_input_by_iteration", "max_abs_weight_diff_vs_dense",
            "ops_by_iteration", "seconds_by_iteration"}
    return {
        "schema": SCHEMA,
        "key": spec.key(),
        "finder": spec.finder,
        "d": config.d,
        "n": config.n,
        "m": spec.m,
        "seed": spec.seed,
        "b": config.b,
        "lr": config.lr,
        "ops_per_iter": per_it["ops"],
        "find_ops_per_iter": per_it["phases"]["find"]["ops"],
        "phases": per_it["phases"],
        "seconds_per_iter": per_it["seconds"],
        # the find phase's own seconds: 0 for a fused finder, whose find runs inside phases["fused"]
        "find_seconds_per_iter": per_it["phases"]["find"]["seconds"],
        "seconds_label": row["seconds_label"],
        "preprocess": row["preprocess"],
        "fired_per_input": row["fired_per_input"],
        "fired_per_input_max": row["fired_per_input_max"],
        "fired_per_input_by_iteration": row["fired_per_input_by_iteration"],
        "expected_fired_per_input": spec.m * fire_probability(config.b),
        "loss": row["loss"],
        "final_loss": row["final_loss"],
        "ops_by_iteration": row["ops_by_iteration"],
        "seconds_by_iteration": row["seconds_by_iteration"],
        "extras": {k: v for k, v in row.items() if k not in core},
        "total_seconds": elapsed,
        "host": socket.gethostname(),
        "finished_at": time.strftime("%Y-%m-%dT%H:%M:%S"),
    }


def deterministic_part(record: dict) -> dict:
    """A record without its measured seconds and provenance (what serial and Dask runs share)."""
    def keep(k: str) -> bool:
        return not any(tag in k for tag in NONDETERMINISTIC)

    def strip(obj):
        if isinstance(obj, dict):
            return {k: strip(v) for k, v in obj.items() if keep(k)}
        if isinstance(obj, list):
            return [strip(v) for v in obj]
        return obj

    return strip(record)
