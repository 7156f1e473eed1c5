"""Sweeps over the width ``m``: cost per iteration against ``m``, fitted exponents, resumable.

A *sweep point* is one training run: one finder, one width ``m``, one seed,
and the sweep's shared configuration (data, ``n``, ``d``, iterations, ``lr``,
``b``, and for Grover finders the find-all strategy and ``delta``). Each point
trains the network of its seed (:func:`quantum_train.comparison.prepare_run`)
and records, per iteration on average:

- ``ops_per_iter``: the cost in the theory's unit, d-dimensional inner
  products (oracle queries for quantum finders; :mod:`quantum_train.costs`),
  and ``find_ops_per_iter``, the fired-set discovery alone;
- ``seconds_per_iter``: wall seconds (classical simulation seconds for
  quantum finders, labelled by ``seconds_label``);
- ``fired_per_input``: neurons fired per input ``k``, next to the expectation
  ``m Q(b)`` at initialisation.

Everything except the seconds is a deterministic function of the point's key,
so the serial and the Dask paths produce identical records (seconds aside).

**Store.** Records are appended to a JSON-lines file, one whole line per point
written with one ``write`` then ``flush`` and ``fsync``. On start the file is
read; a point whose key is already there is skipped, so an interrupted sweep
resumes where it stopped. A truncated last line (a kill during a write) is cut
off and its point redone; any other unreadable line is ignored and reported.

**Exponents.** Per finder, the least-squares slope of ``log cost`` on
``log m`` over every (m, seed) point (seeds are replicate points), with a
two-sided t confidence interval (``n_points - 2`` degrees of freedom).
:func:`theory_exponents` says what the theory predicts *at the measured
range*: the fired count ``m Q(b)`` with ``b = sqrt(0.4 ln m)`` grows like
``m^0.8`` only asymptotically (its local slope is below 0.8 at finite ``m``),
so the table shows the nominal exponent and the one implied by the fired
count's slope over the measured ``m``.
"""

from __future__ import annotations

import json
import math
import os
import socket
import time
from dataclasses import asdict, dataclass, field
from typing import Callable, Iterable, Sequence

import numpy as np
from scipy import stats

from quantum_train.comparison import CompareConfig, finder_for, load_data, prepare_run, warm_up
from quantum_train.results import FinderResult
from quantum_train.errors import ConfigError
from quantum_train.model import default_threshold, fire_probability
from quantum_train.train import train

SCHEMA = 1
DEFAULT_SWEEP_FINDERS = ("dense", "data-hsr", "drift", "grover-emulator")
DEFAULT_MS = tuple(2**k for k in range(10, 17, 2))
DEFAULT_SEEDS = (0, 1, 2)
#: Nominal exponents of the per-iteration cost in m (docs/design.md, section 1) at the default b.
NOMINAL_EXPONENT = {"dense": "1", "weights-hsr": "1 - Theta(1/d)", "data-hsr": "0.8", "drift": "-",
                    "grover": "0.9"}
#: Record fields that are measured times or provenance, not functions of the key.
NONDETERMINISTIC = ("seconds", "host", "finished_at", "structure_reason")


def is_quantum(finder: str) -> bool:
    return finder.startswith("grover-")


# --------------------------------------------------------------------------- configuration

@dataclass(frozen=True)
class PointSpec:
    """One sweep point: everything that determines its result."""

    finder: str
    m: int
    seed: int
    data: str
    n: int
    d: int
    iters: int
    lr: float | None = None
    b: float | None = None
    strategy: str = "counting"
    delta: float = 1e-3

    def key(self) -> dict:
        """The resume key: the point and the configuration it depends on."""
        out = {"finder": self.finder, "m": self.m, "seed": self.seed, "data": self.data, "n": self.n,
               "d": self.d, "iters": self.iters, "lr": self.lr, "b": self.b}
        if is_quantum(self.finder):
            out |= {"strategy": self.strategy, "delta": self.delta}
        return out

    def key_id(self) -> str:
        return key_id(self.key())

    def compare_config(self) -> CompareConfig:
        return CompareConfig(data=self.data, n=self.n, m=self.m, d=self.d, iters=self.iters, lr=self.lr,
                             b=self.b, seed=self.seed, finders=(self.finder,), strategy=self.strategy,
                             delta=self.delta)


def key_id(key: dict) -> str:
    """Canonical text of a key (the store's identity of a point)."""
    return json.dumps(key, sort_keys=True, separators=(",", ":"))


def _distinct_integers(values, option: str, one: str, many: str, minimum: int) -> tuple[int, ...]:
    """``values`` as ints, or a :class:`ConfigError` for ``option``: empty, not integers >= minimum, repeated."""
    if not values:
        raise ConfigError(option, f"name at least one {one}")
    for v in values:
        if isinstance(v, bool) or not isinstance(v, (int, np.integer)) or v < minimum:
            raise ConfigError(option, f"{many} must be integers >= {minimum}, got {v!r}")
    if len(set(values)) != len(values):
        raise ConfigError(option, f"a {one} is listed twice")
    return tuple(int(v) for v in values)


@dataclass
class SweepConfig:
    """What to sweep; ``n`` and ``d`` are resolved from the data by :meth:`validate`."""

    finders: tuple[str, ...] = DEFAULT_SWEEP_FINDERS
    ms: tuple[int, ...] = DEFAULT_MS
    seeds: tuple[int, ...] = DEFAULT_SEEDS
    data: str = "synthetic"
    n: int | None = None
    d: int | None = None
    iters: int = 5
    lr: float | None = None
    b: float | None = None
    strategy: str = "counting"
    delta: float = 1e-3

    def validate(self) -> "SweepConfig":
        """Check every option (one :class:`ConfigError` naming the option) and resolve ``n``, ``d``."""
        self.finders, self.ms, self.seeds = tuple(self.finders), tuple(self.ms), tuple(self.seeds)
        self.ms = tuple(sorted(_distinct_integers(self.ms, "--m", "width", "widths", minimum=2)))
        self.seeds = _distinct_integers(self.seeds, "--seeds", "seed", "seeds", minimum=0)
        probe = CompareConfig(data=self.data, n=self.n, m=self.ms[0], d=self.d, iters=self.iters, lr=self.lr,
                              b=self.b, seed=self.seeds[0], finders=self.finders, strategy=self.strategy,
                              delta=self.delta)
        data = load_data(probe.validate())  # data name, sizes, lr, b, finders, strategy, delta
        self.n, self.d = data.n, data.d
        return self

    def points(self) -> list[PointSpec]:
        """All points, widths ascending (an interrupted sweep leaves whole small widths)."""
        return [PointSpec(f, m, s, self.data, self.n, self.d, self.iters, self.lr, self.b, self.strategy, self.delta)
                for m in self.ms for f in self.finders for s in self.seeds]

    def as_dict(self) -> dict:
        out = asdict(self)
        for k in ("finders", "ms", "seeds"):
            out[k] = list(out[k])
        return out


# --------------------------------------------------------------------------- one point

_WARM: set[tuple[str, int]] = set()


def run_point(spec: PointSpec) -> dict:
    """Train one point and return its record (a JSON-serialisable dict)."""
    run = prepare_run(spec.compare_config())
    config = run.config
    X, y, net = run.data.X, run.data.y, run.net
    if (spec.finder, X.shape[1]) not in _WARM:  # compile numba kernels outside the timings
        warm_up(spec.finder, X.shape[1], spec.seed)
        _WARM.add((spec.finder, X.shape[1]))
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
        "m": spec.m,
        "seed": spec.seed,
        "n": config.n,
        "d": config.d,
        "b": config.b,
        "lr": config.lr,
        "ops_per_iter": per_it["ops"],
        "find_ops_per_iter": per_it["phases"]["find"]["ops"],
        "phases": per_it["phases"],
        "seconds_per_iter": per_it["seconds"],
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


# --------------------------------------------------------------------------- the store

class SweepStore:
    """JSON-lines records keyed by :meth:`PointSpec.key_id`; ``path=None`` keeps them in memory."""

    def __init__(self, path: str | None = None):
        self.path = path
        self.records: dict[str, dict] = {}
        #: lines that could not be read when loading (excluding a truncated tail)
        self.bad_lines = 0
        #: True when a truncated last line was found (and cut off) when loading
        self.truncated_tail = False
        if path is not None:
            self._load()

    def _load(self) -> None:
        if not os.path.exists(self.path):
            return
        with open(self.path, "rb") as fh:
            raw = fh.read()
        end = raw.rfind(b"\n") + 1
        if end < len(raw):  # a partial last line: a write was interrupted; cut it off, redo its point
            self.truncated_tail = True
            with open(self.path, "r+b") as fh:
                fh.truncate(end)
                fh.flush()
                os.fsync(fh.fileno())
            raw = raw[:end]
        for line in raw.splitlines():
            if not line.strip():
                continue
            try:
                rec = json.loads(line)
                kid = key_id(rec["key"])
            except (ValueError, KeyError, TypeError):
                self.bad_lines += 1
                continue
            self.records.setdefault(kid, rec)

    def __contains__(self, spec: PointSpec) -> bool:
        return spec.key_id() in self.records

    def get(self, spec: PointSpec) -> dict | None:
        return self.records.get(spec.key_id())

    def append(self, record: dict) -> None:
        """Add a record; on disk, one whole line, flushed and fsynced before returning."""
        kid = key_id(record["key"])
        if self.path is not None:
            line = (json.dumps(record, sort_keys=True) + "\n").encode()
            fd = os.open(self.path, os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o644)
            try:
                view = memoryview(line)
                while view:  # one write in practice; loop in case the kernel writes less
                    view = view[os.write(fd, view):]
                os.fsync(fd)
            finally:
                os.close(fd)
        self.records.setdefault(kid, record)


# --------------------------------------------------------------------------- running

@dataclass
class SweepResult:
    config: SweepConfig
    records: list[dict]
    ran: int
    skipped: int
    store: SweepStore = field(repr=False)

    def fits(self, metric: str = "ops_per_iter") -> dict[str, "Fit"]:
        return fit_all(self.records, metric)


def _dask_client(workers: int | None, scheduler: str | None):
    try:
        from dask.distributed import Client, LocalCluster
    except ImportError:
        option = "--scheduler" if scheduler else "--workers"
        raise ConfigError(option, "distributed sweeps need dask.distributed: pip install 'quantum-train[dask]'") from None
    if scheduler:
        return Client(scheduler), None
    cluster = LocalCluster(n_workers=workers, threads_per_worker=1, processes=True, dashboard_address=None)
    return Client(cluster), cluster


def run_sweep(config: SweepConfig, store: SweepStore | None = None, *, workers: int | None = None,
              scheduler: str | None = None,
              on_point: Callable[[int, int, PointSpec, dict, bool], None] | None = None) -> SweepResult:
    """Run every point of ``config`` missing from ``store``; serial unless ``workers``/``scheduler``.

    ``workers``: that many single-threaded worker processes of a local Dask
    cluster. ``scheduler``: the address of an existing Dask scheduler. Each
    finished point is appended to the store at once, so a killed sweep loses at
    most the points being computed. ``on_point(done, total, spec, record, ran)``
    is called after each point (``ran`` False for a point found in the store).
    """
    config.validate()
    if workers is not None and scheduler is not None:
        raise ConfigError("--scheduler", "give either --workers or --scheduler, not both")
    if workers is not None and workers < 1:
        raise ConfigError("--workers", f"must be a positive integer, got {workers}")
    store = store if store is not None else SweepStore()
    points = config.points()
    todo = [p for p in points if p not in store]
    total, done = len(points), 0
    for p in points:
        if p in store:
            done += 1
            if on_point:
                on_point(done, total, p, store.get(p), False)

    def finish(spec: PointSpec, record: dict) -> None:
        nonlocal done
        store.append(record)
        done += 1
        if on_point:
            on_point(done, total, spec, record, True)

    if todo and (workers is not None or scheduler is not None):
        client, cluster = _dask_client(workers, scheduler)
        try:
            from dask.distributed import as_completed

            futures = {}
            for spec in todo:
                # big widths first, so the slowest points do not start last
                fut = client.submit(run_point, spec, pure=False, priority=spec.m)
                futures[fut] = spec
            try:
                for fut in as_completed(list(futures)):
                    finish(futures[fut], fut.result())
            except BaseException:
                client.cancel(list(futures))
                raise
        finally:
            client.close()
            if cluster is not None:
                cluster.close()
    else:
        for spec in todo:
            finish(spec, run_point(spec))
    records = [store.get(p) for p in points]
    return SweepResult(config, records, ran=len(todo), skipped=total - len(todo), store=store)


# --------------------------------------------------------------------------- exponents

@dataclass
class Fit:
    """``log y = intercept + slope log m``, least squares, with a t confidence interval of the slope."""

    slope: float
    lo: float
    hi: float
    intercept: float
    stderr: float
    points: int
    m_min: int
    m_max: int
    level: float = 0.95

    def predict(self, m) -> np.ndarray:
        return np.exp(self.intercept) * np.asarray(m, dtype=float) ** self.slope

    def format(self, digits: int = 3) -> str:
        if not math.isfinite(self.slope):
            return "-"
        if not math.isfinite(self.lo):
            return f"{self.slope:.{digits}f}"
        return f"{self.slope:.{digits}f} [{self.lo:.{digits}f}, {self.hi:.{digits}f}]"


def fit_exponent(ms: Sequence[float], ys: Sequence[float], level: float = 0.95) -> Fit:
    """Slope of ``log y`` on ``log m`` with a ``level`` two-sided t interval (needs 3+ points for it).

    Replicates (several seeds at one ``m``) are separate points. Non-positive
    ``y`` cannot be logged and are refused.
    """
    ms = np.asarray(ms, dtype=float)
    ys = np.asarray(ys, dtype=float)
    if ms.shape != ys.shape or ms.ndim != 1:
        raise ValueError("ms and ys must be 1-D of the same length")
    if np.any(ys <= 0) or np.any(ms <= 0) or not np.all(np.isfinite(ys)):
        raise ValueError("fit_exponent needs positive, finite m and cost")
    nan = math.nan
    if ms.size < 2 or np.unique(ms).size < 2:
        return Fit(nan, nan, nan, nan, nan, int(ms.size), int(ms.min(initial=0)), int(ms.max(initial=0)), level)
    res = stats.linregress(np.log(ms), np.log(ys))
    dof = ms.size - 2
    if dof >= 1:
        half = float(stats.t.ppf(0.5 + level / 2, dof) * res.stderr)
        lo, hi = res.slope - half, res.slope + half
    else:
        lo = hi = nan
    return Fit(float(res.slope), float(lo), float(hi), float(res.intercept), float(res.stderr),
               int(ms.size), int(ms.min()), int(ms.max()), level)


def fit_all(records: Iterable[dict], metric: str = "ops_per_iter", level: float = 0.95) -> dict[str, Fit]:
    """One :class:`Fit` of ``metric`` against ``m`` per finder (in order of first appearance)."""
    by: dict[str, tuple[list, list]] = {}
    for r in records:
        ms, ys = by.setdefault(r["finder"], ([], []))
        ms.append(r["m"])
        ys.append(r[metric])
    return {f: fit_exponent(ms, ys, level) for f, (ms, ys) in by.items()}


def fired_exponent_theory(ms: Sequence[int], b: float | None = None) -> float:
    """Slope of ``log(m Q(b_m))`` on ``log m`` over ``ms`` (``b_m = sqrt(0.4 ln m)`` unless ``b`` is fixed).

    The expected fired count per input at initialisation; it tends to ``m^0.8``
    (times a slowly varying factor) but its slope over finite ``m`` is smaller.
    """
    ms = np.asarray(sorted(set(int(m) for m in ms)), dtype=float)
    if ms.size < 2:
        return math.nan
    k = [m * fire_probability(default_threshold(int(m)) if b is None else b) for m in ms]
    return float(stats.linregress(np.log(ms), np.log(k)).slope)


def theory_exponents(finder: str, kappa: float) -> tuple[str, str]:
    """(nominal exponent, exponent implied at the measured range by the fired-count slope ``kappa``)."""
    if finder == "dense":
        return NOMINAL_EXPONENT["dense"], "1"
    if finder == "data-hsr":
        return NOMINAL_EXPONENT["data-hsr"], f"{kappa:.3f}"
    if is_quantum(finder):
        return NOMINAL_EXPONENT["grover"], f"{(1 + kappa) / 2:.3f}"
    return NOMINAL_EXPONENT.get(finder, "-"), "-"


def exponent_rows(records: Sequence[dict], level: float = 0.95) -> list[dict]:
    """The exponents table as dicts: one row per finder, then one for the fired count ``k``."""
    records = list(records)
    if not records:
        return []
    ms = sorted({r["m"] for r in records})
    fixed_b = records[0]["key"].get("b")
    kappa = fired_exponent_theory(ms, fixed_b)
    ops = fit_all(records, "ops_per_iter", level)
    find = fit_all(records, "find_ops_per_iter", level)
    secs = fit_all(records, "seconds_per_iter", level)
    fired = fit_all(records, "fired_per_input", level)
    rows = []
    for finder, fit in ops.items():
        nominal, at_range = theory_exponents(finder, kappa)
        sub = [r for r in records if r["finder"] == finder]
        row = {"finder": finder, "theory": nominal, "theory_at_range": at_range, "ops": fit, "find": find[finder],
               "seconds": None if is_quantum(finder) else secs[finder],
               "points": fit.points, "m_min": fit.m_min, "m_max": fit.m_max}
        ratios = [r["extras"].get("queries_over_sqrt_mk") for r in sub if is_quantum(finder)]
        ratios = [x for x in ratios if x is not None and math.isfinite(x)]
        if ratios:
            by_m = {}
            for r in sub:
                by_m.setdefault(r["m"], []).append(r["extras"]["queries_over_sqrt_mk"])
            row["queries_over_sqrt_mk"] = {m: float(np.mean(v)) for m, v in sorted(by_m.items())}
        rows.append(row)
    first = next(iter(fired))
    rows.append({"finder": "fired/input k", "theory": "0.8 (bound m^(4/5))",
                 "theory_at_range": f"{kappa:.3f}", "ops": fired[first], "find": None, "seconds": None,
                 "points": fired[first].points, "m_min": fired[first].m_min, "m_max": fired[first].m_max})
    return rows


def format_exponents(records: Sequence[dict], markdown: bool = False, level: float = 0.95) -> str:
    """The exponents table next to the theory, as text or markdown."""
    rows = exponent_rows(records, level)
    if not rows:
        return "(no points)"
    pct = f"{level:.0%}"
    head = ["finder", "theory", "theory at measured m", f"ops/iter exponent [{pct} CI]",
            f"find ops/iter exponent [{pct} CI]", f"wall s/iter exponent [{pct} CI]"]
    body = []
    for r in rows:
        if r["seconds"] is None:
            sec = "- (fired count)" if r["finder"].startswith("fired") else "- (simulation time)"
        else:
            sec = r["seconds"].format()
        body.append([r["finder"], r["theory"], r["theory_at_range"], r["ops"].format(),
                     "-" if r["find"] is None else r["find"].format(), sec])
    r0 = rows[0]
    nseeds = len({x["seed"] for x in records})
    foot = [f"least squares of log cost on log m over m = {r0['m_min']}..{r0['m_max']} "
            f"({len({x['m'] for x in records})} widths x {nseeds} seeds as replicate points); "
            f"t interval with n_points - 2 degrees of freedom.",
            "ops = d-dimensional inner products per iteration (find + forward + backward + update); quantum find ops "
            "are oracle queries (coherent QRAM access assumed); the fired/input row fits k itself.",
            "theory at measured m: the nominal exponent with 0.8 replaced by the slope of m Q(b) over the measured m "
            "(the fired count; its local slope approaches 0.8 only as m grows)."]
    quantum = [r for r in rows if "queries_over_sqrt_mk" in r]
    for r in quantum:
        q = r["queries_over_sqrt_mk"]
        foot.append(f"{r['finder']}: queries / sqrt(m k) per input = "
                    + ", ".join(f"{v:.2f} (m={m})" for m, v in q.items())
                    + " - a falling constant lowers the measured exponent below (1 + slope of k) / 2.")
    if markdown:
        lines = ["| " + " | ".join(head) + " |", "|" + "---|" * len(head)]
        lines += ["| " + " | ".join(b) + " |" for b in body]
        return "\n".join(lines + [""] + [f"- {f}" for f in foot])
    widths = [max(len(h), *(len(b[k]) for b in body)) for k, h in enumerate(head)]
    fmt = lambda cells: "  ".join(s.ljust(w) for s, w in zip(cells, widths)).rstrip()  # noqa: E731
    return "\n".join([fmt(head), fmt(["-" * w for w in widths]), *(fmt(b) for b in body), *foot])


def format_points(records: Sequence[dict]) -> str:
    """Per finder and m: mean over seeds of ops/iter, seconds/iter, fired per input."""
    head = ["finder", "m", "seeds", "ops/iter", "find ops/iter", "s/iter", "fired/input", "m Q(b)", "final loss"]
    groups: dict[tuple[str, int], list[dict]] = {}
    for r in records:
        groups.setdefault((r["finder"], r["m"]), []).append(r)
    body = []
    for (finder, m), rs in groups.items():
        mean = lambda k: float(np.mean([r[k] for r in rs]))  # noqa: E731
        secs = f"{mean('seconds_per_iter'):.4f}" + ("*" if rs[0]["seconds_label"] != "wall" else "")
        body.append([finder, str(m), str(len(rs)), f"{mean('ops_per_iter'):.4g}", f"{mean('find_ops_per_iter'):.4g}",
                     secs, f"{mean('fired_per_input'):.1f}", f"{mean('expected_fired_per_input'):.1f}",
                     f"{mean('final_loss'):.5g}"])
    widths = [max(len(h), *(len(b[k]) for b in body)) for k, h in enumerate(head)]
    fmt = lambda cells: "  ".join(s.rjust(w) if k else s.ljust(w) for k, (s, w) in enumerate(zip(cells, widths)))  # noqa: E731
    lines = [fmt(head), fmt(["-" * w for w in widths]), *(fmt(b) for b in body)]
    if any(r["seconds_label"] != "wall" for r in records):
        lines.append("* classical simulation seconds of a quantum algorithm, not quantum run time.")
    return "\n".join(lines)
