"""Side-by-side runs: one data set, one initial network, every finder, one report.

Every finder trains a copy of the same initial network on the same data with
the same learning rate, so their loss curves must coincide (exact finders) and
their costs are directly comparable (one unit, :mod:`quantum_train.core.costs`).

The problem (:class:`CompareConfig`, frozen: what the user asked for) is kept
apart from its resolution (:meth:`CompareConfig.resolve`, a new
:class:`CompareConfig` with every ``None`` filled in from the data and the
defaults) and from the result (:class:`~quantum_train.experiments.results.Comparison`).
The input config is never mutated. Finders supply their own facts (notes,
limits, warm-up, memory): this module never branches on a finder's kind.
"""

from __future__ import annotations

import math
import numbers
from dataclasses import asdict, dataclass, replace

import numpy as np

from circuits.backends import BackendError
from circuits.resources import DEFAULT_ADDER, DEFAULT_UNCOMPUTE
from quantum_train.core.grover_options import (
    AER_DEFAULT_MAX_M,
    AER_DEFAULT_MAX_SEARCHES,
    DEFAULT_BITS,
    DEFAULT_MEMORY,
    DEFAULT_STRATEGY,
    backend_of,
    check_oracle_options,
    check_search_options,
    executor_for,
    is_device_finder,
)
from quantum_train.core.model import ShiftedReLUNet, default_threshold, fire_probability
from quantum_train.core.train import default_learning_rate, train
from quantum_train.data.datasets import DATASETS, SYNTHETIC_D, SYNTHETIC_N, DataError, Dataset, is_data_file, load_dataset
from quantum_train.errors import ConfigError, UsageError, option
from quantum_train.experiments.ram_guard import check_fits
from quantum_train.experiments.results import Comparison, FinderResult
from quantum_train.finders import finder_class, make_finder, parse_finders
from quantum_train.seeds import SeedError, check_seed

DEFAULT_FINDERS = ("dense", "weights-hsr", "data-hsr", "drift", "grover-emulator")
#: The rule behind the default learning rate, as reported.
LR_RULE = "1 / max(n Q(b), 1): inverse trace of the expected NTK Gram matrix, capped at 1"


def default_finders(m: int, n: int, iters: int) -> tuple[str, ...]:
    """The default comparison: every exact finder, the emulated Grover search, and Aer where small.

    ``grover-aer`` (real statevector circuits) joins when ``m <= AER_DEFAULT_MAX_M`` and
    ``n * iters <= AER_DEFAULT_MAX_SEARCHES``; name it in ``finders`` to run it on anything larger.
    """
    aer = m <= AER_DEFAULT_MAX_M and n * iters <= AER_DEFAULT_MAX_SEARCHES
    return DEFAULT_FINDERS + (("grover-aer",) if aer else ())


def _shape_of(data: str, target: str | None) -> tuple[int, int]:
    """``(n, d)`` of a data set at its defaults (loads a file or a bundled set; both are small)."""
    if data == "synthetic":
        return SYNTHETIC_N, SYNTHETIC_D
    try:
        ds = load_dataset(data, target=target)
    except DataError as err:
        raise ConfigError(err.argument, str(err)) from None
    return ds.n, ds.d


@dataclass(frozen=True)
class CompareConfig:
    """What to compare. ``None`` fields are filled by :meth:`resolve` into a new config.

    ``data`` is ``synthetic``, a bundled data set's name, or a ``.npz``/
    ``.npy``/``.csv`` path (``target`` names a CSV column); arrays are passed
    to :func:`run_comparison` as a :class:`~quantum_train.data.datasets.Dataset`.
    """

    data: str = "synthetic"
    n: int | None = None
    m: int = 4096
    d: int | None = None
    iters: int = 20
    lr: float | None = None
    b: float | None = None
    seed: int = 0
    finders: tuple[str, ...] | None = None
    strategy: str | None = None
    delta: float = 1e-3
    lr_rule: str = ""
    aer_left_out: bool = False
    target: str | None = None
    oracle: str = "table"
    bits: int = DEFAULT_BITS
    memory: str = DEFAULT_MEMORY
    uncompute: str = DEFAULT_UNCOMPUTE
    adder: str = DEFAULT_ADDER

    def validate(self, data: Dataset | None = None) -> "CompareConfig":
        """Check every field (a :class:`ConfigError` naming it) and return the resolved finders and strategy.

        Nothing is allocated: the memory a run needs is estimated and refused
        here (:mod:`quantum_train.experiments.ram_guard`). ``data``: the arrays of a run on the
        user's own data (their size replaces the data set's).
        """
        try:
            check_seed(self.seed)
        except SeedError as err:
            raise ConfigError("seed", str(err)) from None
        if not isinstance(self.data, str):
            raise ConfigError("data", f"expected a data set name or a file path, got {self.data!r}")
        if data is None and self.data not in DATASETS and not is_data_file(self.data):
            raise ConfigError("data", f"unknown dataset {self.data!r}; choose one of {', '.join(DATASETS)}, "
                              "or a .npz, .npy or .csv file")
        if self.target is not None and not (data is None and self.data.lower().endswith(".csv")):
            raise ConfigError("target", "names a column of a .csv file given as data")
        for name in ("n", "m", "d", "iters"):
            value = getattr(self, name)
            if value is not None and (isinstance(value, bool) or not isinstance(value, (int, np.integer)) or value <= 0):
                raise ConfigError(name, f"must be a positive integer, got {value!r}")
        for name in ("lr", "b", "delta"):
            value = getattr(self, name)
            if value is not None and (isinstance(value, bool) or not isinstance(value, numbers.Real)):
                raise ConfigError(name, f"must be a number, got {value!r} ({type(value).__name__})")
        for name in ("strategy", "target"):
            value = getattr(self, name)
            if value is not None and not isinstance(value, str):
                raise ConfigError(name, f"must be a string, got {value!r} ({type(value).__name__})")
        if self.lr is not None and not (self.lr > 0 and math.isfinite(self.lr)):
            raise ConfigError("lr", f"must be positive and finite, got {self.lr}")
        if self.b is not None and not math.isfinite(self.b):
            raise ConfigError("b", f"must be finite, got {self.b}")
        shape_n, shape_d = (data.n, data.d) if data is not None else _shape_of(self.data, self.target)
        n = self.n if self.n is not None else shape_n
        finders = parse_finders(self.finders) if self.finders is not None else default_finders(self.m, n, self.iters)
        aer_left_out = self.finders is None and self.m <= AER_DEFAULT_MAX_M and "grover-aer" not in finders
        if self.strategy is not None:
            check_search_options(self.strategy, self.delta)
        check_oracle_options(self.oracle, self.bits, self.memory, finders, self.m, self.uncompute, self.adder)
        for name in finders:  # every backend can be set up here; statevectors fit (before allocating)
            if (backend := backend_of(name)) is not None:
                executor_for(backend, None if is_device_finder(name) else self.m,
                             self.strategy, option="finders", label=name, instead=f"grover-emulator in {option('finders')}")
        strategy = self.strategy
        if strategy is None:
            preferred = {finder_class(f).preferred_strategy(f) for f in finders} - {None}
            strategy = preferred.pop() if len(preferred) == 1 else DEFAULT_STRATEGY
        if self.n is None and self.data == "synthetic":  # the default n shrinks to what every finder accepts
            n = _largest_n_allowed(finders, self.m, strategy, n)
        self._check_limits(finders, n, strategy)
        check_search_options(strategy, self.delta)
        d = self.d if self.d is not None else shape_d
        b = self.b if self.b is not None else default_threshold(self.m)
        check_fits(n, self.m, d, b, finders, b_follows_m=self.b is None)
        return replace(self, finders=finders, strategy=strategy, aer_left_out=aer_left_out,
                       n=self.n if self.n is not None or n == shape_n else n)

    def _check_limits(self, finders: tuple[str, ...], n: int, strategy: str) -> None:
        """Every finder's limits, every fault at once in one line (named after the first field)."""
        faults: list[str] = []
        who: list[str] = []
        for name in finders:
            mine = finder_class(name).limits(name, self.m, n, strategy)
            if mine:
                who.append(name)
                faults += [f for f in mine if f not in faults]
        if faults:
            field = faults[0].split(":", 1)[0]
            raise ConfigError(field, f"{', '.join(who)} runs on a device backend and needs "
                              + "; ".join(f.split(": ", 1)[1] for f in faults))

    def resolve(self, data: Dataset, net: ShiftedReLUNet) -> "CompareConfig":
        """A new config with every field as run: sizes from ``data``, ``b`` from ``net``, ``lr`` by its rule."""
        lr, rule = (self.lr, "given") if self.lr is not None else (default_learning_rate(data.n, net.b), LR_RULE)
        return replace(self, n=data.n, d=data.d, b=net.b, lr=lr, lr_rule=rule)

    def to_dict(self) -> dict:
        out = asdict(self)
        out["finders"] = None if self.finders is None else list(self.finders)
        return out


def _largest_n_allowed(finders, m: int, strategy: str, n: int) -> int:
    """The largest ``n / 2^k`` whose limits concern at most ``m`` and the strategy (device finders: 4)."""
    def n_fault(k: int) -> bool:
        return any(f.startswith("n:") for name in finders for f in finder_class(name).limits(name, m, k, strategy))

    while n > 1 and n_fault(n):
        n //= 2
    return n


@dataclass(frozen=True)
class PreparedRun:
    """A validated and resolved run: its config, data, initial network and data facts."""

    config: CompareConfig
    data: Dataset
    net: ShiftedReLUNet
    data_info: dict


def load_data(config: CompareConfig) -> Dataset:
    """The run's data set; a bad request is a :class:`ConfigError` naming the field."""
    try:
        return load_dataset(config.data, config.n, config.d, seed=config.seed, target=config.target)
    except DataError as err:
        raise ConfigError(err.argument, str(err)) from None


def prepare_run(config: CompareConfig, data: Dataset | None = None) -> PreparedRun:
    """Validate, load (or take) the data, build the initial network, resolve ``n``, ``d``, ``b`` and ``lr``."""
    checked = config.validate(data)
    if data is None:
        data = load_data(checked)
    net = ShiftedReLUNet.initialize(checked.m, data.d, seed=checked.seed, b=checked.b)
    resolved = checked.resolve(data, net)
    info = {"name": data.name, **data.info, "fire_probability_Q(b)": fire_probability(net.b),
            "default_b": default_threshold(checked.m)}
    return PreparedRun(resolved, data, net, info)


def finder_for(config: CompareConfig, name: str):
    """A fresh finder configured from the comparison's options."""
    options = {"strategy": config.strategy, "delta": config.delta, "oracle": config.oracle, "bits": config.bits,
               "memory": config.memory, "uncompute": config.uncompute, "adder": config.adder}  # each takes its spec's
    return make_finder(name, config.seed, **options)


def _train_tiny(finder_name: str, d: int, seed: int) -> None:
    """Two training steps of the named finder on a tiny instance (4 inputs, 64 neurons): compiles its kernels."""
    rng = np.random.default_rng(seed)
    X = rng.standard_normal((4, d))
    X /= np.linalg.norm(X, axis=1, keepdims=True)
    net = ShiftedReLUNet.initialize(64, d, seed=seed, b=0.5)
    train(net, X, np.ones(4), make_finder(finder_name, seed), 2, 0.1)


def warm_up(finder_name: str, d: int, seed: int) -> None:
    """Compile a finder's numba kernels on a tiny instance so timings exclude JIT (the finder knows how)."""
    finder_class(finder_name).warm_up(finder_name, d, seed, _train_tiny)


def interactive() -> bool:
    """Whether someone is likely watching: Jupyter or IPython, a Python prompt, or stderr on a terminal."""
    import sys

    ipython = sys.modules.get("IPython")
    if ipython is not None and getattr(ipython, "get_ipython", lambda: None)() is not None:
        return True
    if hasattr(sys, "ps1") or sys.flags.interactive:
        return True
    return sys.stderr is not None and sys.stderr.isatty()


def run_comparison(config: CompareConfig, progress: bool = False, data: Dataset | None = None,
                   announce: bool | None = None) -> Comparison:
    """Train one copy of the same initial network with each finder; ``data`` overrides ``config.data``.

    ``announce`` (by default, as ``progress``): a run estimated above ``LONG_RUN_SECONDS`` says so on
    stderr before it starts, with the finder that dominates (:mod:`quantum_train.experiments.run_time`).
    """
    run = prepare_run(config, data)
    cfg = run.config
    if progress if announce is None else announce:
        import sys

        from quantum_train.experiments.run_time import LONG_RUN_SECONDS, estimate_run

        estimate = estimate_run(cfg.finders, cfg.n, cfg.m, cfg.d, fire_probability(cfg.b), cfg.iters)
        if estimate.total > LONG_RUN_SECONDS:
            print(estimate.line(), file=sys.stderr, flush=True)
    trained = []
    for name in cfg.finders:
        warm_up(name, run.data.d, cfg.seed)
        try:
            trained.append(train(run.net.copy(), run.data.X, run.data.y, finder_for(cfg, name), cfg.iters, cfg.lr,
                                 progress=progress))
        except BackendError as err:  # device backends: account, qubits, failed or timed-out jobs
            raise UsageError(f"{name}: {err}") from None
    reference = next((t for t in trained if t.finder == "dense"), None)
    results = tuple(FinderResult.from_training(t, cfg, reference) for t in trained)
    return Comparison(cfg, run.data_info, results)
