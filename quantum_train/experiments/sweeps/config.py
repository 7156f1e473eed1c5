"""What a sweep runs: its points and the options they share.

A *sweep point* is one training run: one finder, one input dimension ``d``,
one number of inputs ``n``, one width ``m`` and one seed, plus the options all
points share (data set, iterations, ``lr``, ``b`` and, for Grover finders, the
find-all strategy and ``delta``). Its *key* is every one of these coordinates:
the resumable store (:mod:`quantum_train.experiments.sweeps.store`) identifies a point by
it, so points of different ``d`` or ``n`` never collide.

Library errors name the *field* at fault (``ConfigError("d", ...)``, the
keyword of :func:`quantum_train.experiments.sweeps.sweep`); ``quantum_train.face.commands``
maps fields to command-line flags.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, replace

import numpy as np

from circuits.resources import DEFAULT_ADDER, DEFAULT_UNCOMPUTE
from quantum_train.data.datasets import SYNTHETIC_D, SYNTHETIC_N
from quantum_train.errors import ConfigError
from quantum_train.finders import is_quantum, parse_finders

DEFAULT_FINDERS = ("dense", "weights-hsr:kdtree", "data-hsr:kdtree", "drift", "grover-emulator")
DEFAULT_MS = tuple(2**k for k in range(10, 17, 2))
DEFAULT_SEEDS = (0, 1, 2)
DEFAULT_ITERS = 5


def key_id(key: dict) -> str:
    """Canonical text of a key (the store's identity of a point)."""
    return json.dumps(key, sort_keys=True, separators=(",", ":"))


@dataclass(frozen=True)
class PointSpec:
    """One sweep point: everything that determines its result."""

    finder: str
    d: int
    n: int
    m: int
    seed: int
    data: str
    iters: int
    lr: float | None = None
    b: float | None = None
    strategy: str = "counting"
    delta: float = 1e-3
    uncompute: str = DEFAULT_UNCOMPUTE
    adder: str = DEFAULT_ADDER

    def key(self) -> dict:
        """The resume key: every coordinate of the point and the options it depends on."""
        out = {"finder": self.finder, "d": self.d, "n": self.n, "m": self.m, "seed": self.seed, "data": self.data,
               "iters": self.iters, "lr": self.lr, "b": self.b}
        if is_quantum(self.finder):
            out |= {"strategy": self.strategy, "delta": self.delta}
            # the gate-cost convention joins the key only off its default, so stores made before it still resume
            out |= {k: v for k, v, default in (("uncompute", self.uncompute, DEFAULT_UNCOMPUTE),
                                               ("adder", self.adder, DEFAULT_ADDER)) if v != default}
        return out

    def key_id(self) -> str:
        return key_id(self.key())


def distinct_integers(values, field: str, one: str, minimum: int) -> tuple[int, ...]:
    """``values`` as ints, or a :class:`ConfigError` naming ``field``: empty, not integers >= minimum, repeated."""
    values = tuple(values)
    if not values:
        raise ConfigError(field, f"name at least one {one}")
    for v in values:
        if isinstance(v, bool) or not isinstance(v, (int, np.integer)) or v < minimum:
            raise ConfigError(field, f"each {one} must be an integer >= {minimum}, got {v!r}")
    seen = set()
    for v in values:
        if v in seen:
            raise ConfigError(field, f"{one} {v} is listed twice")
        seen.add(v)
    return tuple(int(v) for v in values)


def distinct_thresholds(values, field: str = "b") -> tuple[float | None, ...]:
    """Thresholds ``b`` as a tuple (``None``: the default ``sqrt(0.4 ln m)`` of each width), or a
    :class:`ConfigError` naming ``field``: empty, not finite numbers, repeated. A single value is a list of one."""
    values = (values,) if values is None or isinstance(values, (int, float, np.number)) else tuple(values)
    if not values:
        raise ConfigError(field, "name at least one threshold (or leave b out for the default sqrt(0.4 ln m))")
    out: list[float | None] = []
    for v in values:
        if v is not None and (isinstance(v, bool) or not isinstance(v, (int, float, np.number))
                              or not np.isfinite(v)):
            raise ConfigError(field, f"each threshold must be a finite number (or None/default), got {v!r}")
        v = None if v is None else float(v)
        if v in out:
            raise ConfigError(field, f"threshold {'default' if v is None else v} is listed twice")
        out.append(v)
    return tuple(out)


def b_order(b: float | None) -> tuple[bool, float]:
    """Sort key of thresholds: the default first, then increasing."""
    return (b is not None, 0.0 if b is None else b)


@dataclass(frozen=True)
class SweepConfig:
    """What to sweep. ``ds``/``ns`` of ``None`` mean the data's own (synthetic: 16 and 256).

    ``b`` is one threshold or a list of them (an axis beside ``d``, ``n``, ``m``);
    ``None`` in it is the default ``sqrt(0.4 ln m)`` of each width.

    :func:`resolve` returns the validated copy with sorted, distinct lists and
    ``ds``, ``ns`` filled in; only a resolved config makes points.
    """

    finders: tuple[str, ...] = DEFAULT_FINDERS
    ms: tuple[int, ...] = DEFAULT_MS
    ds: tuple[int, ...] | None = None
    ns: tuple[int, ...] | None = None
    seeds: tuple[int, ...] = DEFAULT_SEEDS
    data: str = "synthetic"
    iters: int = DEFAULT_ITERS
    lr: float | None = None
    b: float | None | tuple[float | None, ...] = None
    strategy: str = "counting"
    delta: float = 1e-3
    uncompute: str = DEFAULT_UNCOMPUTE
    adder: str = DEFAULT_ADDER

    @property
    def bs(self) -> tuple[float | None, ...]:
        """The thresholds swept, as a tuple (one entry when ``b`` is a single value)."""
        return self.b if isinstance(self.b, tuple) else (self.b,)

    def points(self) -> list[PointSpec]:
        """All points: widths ascending, so an interrupted sweep leaves whole small widths."""
        if self.ds is None or self.ns is None:
            raise ValueError("resolve the config first (quantum_train.experiments.sweeps.runner.resolve)")
        return [PointSpec(f, d, n, m, s, self.data, self.iters, self.lr, b, self.strategy, self.delta,
                          self.uncompute, self.adder)
                for m in self.ms for b in self.bs for d in self.ds for n in self.ns for f in self.finders
                for s in self.seeds]

    def checked_lists(self) -> SweepConfig:
        """Lists validated (one :class:`ConfigError` naming the field) and sorted; data-dependent checks aside."""
        ms = tuple(sorted(distinct_integers(self.ms, "m", "width", minimum=2)))
        ds = None if self.ds is None else tuple(sorted(distinct_integers(self.ds, "d", "dimension", minimum=1)))
        ns = None if self.ns is None else tuple(sorted(distinct_integers(self.ns, "n", "input count", minimum=1)))
        seeds = distinct_integers(self.seeds, "seeds", "seed", minimum=0)
        if isinstance(self.iters, bool) or not isinstance(self.iters, (int, np.integer)) or self.iters < 1:
            raise ConfigError("iters", f"must be a positive integer, got {self.iters!r}")
        bs = tuple(sorted(distinct_thresholds(self.b), key=b_order))
        return replace(self, finders=parse_finders(self.finders), ms=ms, ds=ds, ns=ns, seeds=seeds,
                       b=bs[0] if len(bs) == 1 else bs)

    def synthetic_defaults(self) -> SweepConfig:
        """Synthetic data's default ``d`` and ``n`` where none are given."""
        if self.data != "synthetic":
            return self
        return replace(self, ds=self.ds or (SYNTHETIC_D,), ns=self.ns or (SYNTHETIC_N,))

    def to_dict(self) -> dict:
        return {"finders": list(self.finders), "m": list(self.ms), "d": None if self.ds is None else list(self.ds),
                "n": None if self.ns is None else list(self.ns), "seeds": list(self.seeds), "data": self.data,
                "iters": self.iters, "lr": self.lr, "b": list(self.b) if isinstance(self.b, tuple) else self.b,
                "strategy": self.strategy, "delta": self.delta, "uncompute": self.uncompute, "adder": self.adder}
