"""Side-by-side runs: one data set, one initial network, every finder, one report.

Every finder trains a copy of the same initial network on the same data with
the same learning rate, so their loss curves must coincide (exact finders) and
their costs are directly comparable (one unit, :mod:`quantum_train.costs`).
"""

from __future__ import annotations

import math
import os
import tempfile
from dataclasses import asdict, dataclass, field

import numpy as np

from quantum_train.data import DATASETS, SYNTHETIC_N, DataError, Dataset, load_dataset
from quantum_train.errors import ConfigError, UsageError
from circuits import num_qubits_for
from circuits.backends import BackendError
from quantum_train.finders import FINDERS, is_finder, make_finder
from quantum_train.finders.grover import (DEFAULT_BITS, DEFAULT_MEMORY, check_oracle_options, check_search_options,
                                         executor_for)
from quantum_train.model import ShiftedReLUNet, default_threshold, fire_probability
from quantum_train.seeds import SeedError, check_seed
from quantum_train.train import TrainResult, default_learning_rate, train

DEFAULT_FINDERS = ("dense", "weights-hsr", "data-hsr", "drift", "grover-emulator")
#: ``grover-aer`` joins the default finders up to this many neurons (statevector simulation time).
AER_DEFAULT_MAX_M = 2**10
#: ... and while ``n * iters`` stays within this many find-all searches (about half a second each on Aer
#: at ``m = 2^10``), so that a default run stays within about a minute.
AER_DEFAULT_MAX_SEARCHES = 64
#: device finders (``grover-aer-noisy:...``, ``grover-fake_...``, ``grover-ibm:...``) need tiny instances:
#: hardware oracles reach 5 index qubits (m <= 32), and every lockstep round of the n searches is one
#: device job (about 2-5 s on a fake backend, a queue wait on hardware), for each of dozens of rounds.
DEVICE_MAX_M = 32
DEVICE_MAX_N = 4


def _device_finders(finders) -> list[str]:
    from circuits.backends import is_device_backend

    return [f for f in finders if f.startswith("grover-") and is_device_backend(f.removeprefix("grover-"))]


def default_finders(m: int, n: int, iters: int) -> tuple[str, ...]:
    """The default comparison: every exact finder, the emulated Grover search, and Aer where small.

    ``grover-aer`` (real statevector circuits) joins when ``m <= AER_DEFAULT_MAX_M`` and
    ``n * iters <= AER_DEFAULT_MAX_SEARCHES``; name it in ``--finders`` to run it on anything larger.
    """
    aer = m <= AER_DEFAULT_MAX_M and n * iters <= AER_DEFAULT_MAX_SEARCHES
    return DEFAULT_FINDERS + (("grover-aer",) if aer else ())


def expected_n(data: str, n: int | None) -> int:
    """The number of inputs a run will use (``n``, or the data set's default)."""
    if n is not None:
        return n
    return SYNTHETIC_N if data == "synthetic" else load_dataset(data).n


@dataclass
class CompareConfig:
    """What to compare; ``None`` fields are resolved by :meth:`resolve`."""

    data: str = "synthetic"
    n: int | None = None
    m: int = 4096
    d: int | None = None
    iters: int = 20
    lr: float | None = None
    b: float | None = None
    seed: int = 0
    finders: tuple[str, ...] | None = None
    strategy: str = "counting"
    delta: float = 1e-3
    oracle: str = "table"
    bits: int = DEFAULT_BITS
    memory: str = DEFAULT_MEMORY
    lr_rule: str = field(default="", init=False)
    aer_left_out: bool = field(default=False, init=False)

    def validate(self) -> None:
        try:
            check_seed(self.seed)
        except SeedError as err:
            raise ConfigError("--seed", str(err)) from None
        if self.data not in DATASETS:
            raise ConfigError("--data", f"unknown dataset {self.data!r}; choose one of {', '.join(DATASETS)}")
        for name in ("n", "m", "d", "iters"):
            value = getattr(self, name)
            if value is not None and value <= 0:
                raise ConfigError(f"--{name}", f"must be a positive integer, got {value}")
        if self.lr is not None and not (self.lr > 0 and math.isfinite(self.lr)):
            raise ConfigError("--lr", f"must be positive and finite, got {self.lr}")
        if self.b is not None and not math.isfinite(self.b):
            raise ConfigError("--b", f"must be finite, got {self.b}")
        if self.finders is None:
            self.finders = default_finders(self.m, expected_n(self.data, self.n), self.iters)
            self.aer_left_out = self.m <= AER_DEFAULT_MAX_M and "grover-aer" not in self.finders
        if not self.finders:
            raise ConfigError("--finders", "name at least one finder")
        for name in self.finders:
            if not is_finder(name):
                raise ConfigError("--finders", f"unknown finder {name!r}; choose from {', '.join(FINDERS)}, "
                                  "grover-emulator, grover-aer, grover-aer-noisy:<fake>, grover-fake_<name>, grover-ibm:<device>")
        check_search_options(self.strategy, self.delta)
        check_oracle_options(self.oracle, self.bits, self.memory, self.finders, self.m)
        self._validate_devices()
        for name in self.finders:  # every backend can be set up here; statevectors fit (before allocating)
            if name.startswith("grover-"):
                qubits = None if _device_finders([name]) else num_qubits_for(self.m)
                executor_for(name.removeprefix("grover-"), qubits, option="--finders", label=name)
        if len(set(self.finders)) != len(self.finders):
            raise ConfigError("--finders", "a finder is listed twice")

    def _validate_devices(self) -> None:
        """Device finders: tiny instances, BBHT only, and a backend that can be set up here."""
        devices = _device_finders(self.finders)
        if not devices:
            return
        names = ", ".join(devices)
        if self.m > DEVICE_MAX_M:
            raise ConfigError("--m", f"{names} runs on a device backend, limited to m <= {DEVICE_MAX_M} "
                              f"(5 index qubits); got {self.m}")
        if self.n is not None and self.n > DEVICE_MAX_N:
            raise ConfigError("--n", f"{names} runs on a device backend, limited to n <= {DEVICE_MAX_N} inputs "
                              f"(one device job per search round); got {self.n}")
        if self.n is None:
            if self.data != "synthetic":
                raise ConfigError("--n", f"{names} runs on a device backend: give --n <= {DEVICE_MAX_N} "
                                  f"(a subset of {self.data})")
            self.n = DEVICE_MAX_N
        if self.strategy == "counting":
            raise ConfigError("--strategy", f"{names}: quantum counting needs up to 2^(q+2) - 1 controlled "
                              "Grover operators, far beyond device depth; use --strategy bbht or bbht_warm")

    def as_dict(self) -> dict:
        out = asdict(self)
        out["finders"] = list(self.finders)
        return out


@dataclass
class Comparison:
    config: CompareConfig
    data_info: dict
    results: list[TrainResult]

    def reference(self) -> TrainResult | None:
        return next((r for r in self.results if r.finder == "dense"), None)

    def rows(self) -> list[dict]:
        """The JSON ``results`` entries."""
        ref = self.reference()
        out = []
        for r in self.results:
            per_it = r.ledger.per_iteration()
            row = {
                "finder": r.finder,
                "final_loss": r.final_loss,
                "loss": r.loss,
                "preprocess": r.ledger.preprocess.as_dict(),
                "per_iteration": per_it,
                "seconds_label": r.seconds_label,
                "fired_per_input": float(np.mean(r.fired_mean)),
                "fired_per_input_max": int(max(r.fired_max)),
                "fired_per_input_by_iteration": r.fired_mean,
                "max_abs_weight_diff_vs_dense": None if ref is None else float(np.max(np.abs(r.W - ref.W))),
                "ops_by_iteration": r.ledger.series(),
                "seconds_by_iteration": r.ledger.series(what="seconds"),
            }
            row.update(r.extras)
            out.append(row)
        return out

    def as_dict(self) -> dict:
        return {"config": self.config.as_dict() | {"data_info": self.data_info}, "results": self.rows()}


def load_data(config: CompareConfig) -> Dataset:
    """The run's data set; a bad request is a :class:`ConfigError` naming the option."""
    try:
        return load_dataset(config.data, config.n, config.d, seed=config.seed)
    except DataError as err:
        raise ConfigError(f"--{err.argument}", str(err)) from None


def prepare_run(config: CompareConfig) -> tuple[np.ndarray, np.ndarray, ShiftedReLUNet, dict]:
    """Validate, load data, build the initial network and resolve ``b`` and ``lr`` in place."""
    config.validate()
    data = load_data(config)
    config.n, config.d = data.n, data.d
    net = ShiftedReLUNet.initialize(config.m, data.d, seed=config.seed, b=config.b)
    config.b = net.b
    if config.lr is None:
        config.lr = default_learning_rate(data.n, net.b)
        config.lr_rule = "1 / (n Q(b)): inverse trace of the expected NTK Gram matrix"
    else:
        config.lr_rule = "given"
    info = {"name": data.name, **data.info, "fire_probability_Q(b)": fire_probability(net.b),
            "default_b": default_threshold(config.m)}
    return data.X, data.y, net, info


def finder_for(config: CompareConfig, name: str):
    """A fresh finder configured from the comparison's options."""
    options = ({"strategy": config.strategy, "delta": config.delta, "oracle": config.oracle, "bits": config.bits,
                "memory": config.memory} if name.startswith("grover-") else {})
    return make_finder(name, config.seed, **options)


def warm_up(finder_name: str, d: int, seed: int) -> None:
    """Compile a finder's numba kernels on a tiny instance so timings exclude JIT."""
    if _device_finders([finder_name]):
        finder_name = "grover-emulator"  # same search-layer kernels, no device jobs
    rng = np.random.default_rng(seed)
    X = rng.standard_normal((4, d))
    X /= np.linalg.norm(X, axis=1, keepdims=True)
    net = ShiftedReLUNet.initialize(64, d, seed=seed, b=0.5)
    train(net, X, np.ones(4), make_finder(finder_name, seed), 2, 0.1)
    if finder_name in ("weights-hsr", "data-hsr"):  # the tiny run used the scan; compile the tree too
        from classical import KDTreeHSR

        tree = KDTreeHSR().build(rng.standard_normal((256, d)))
        tree.query_many(X, 0.5)
        tree.move(np.arange(8), rng.standard_normal((8, d)))


def run_comparison(config: CompareConfig, progress: bool = False) -> Comparison:
    """Train one copy of the same initial network with each finder."""
    X, y, net0, info = prepare_run(config)
    results = []
    for name in config.finders:
        warm_up(name, X.shape[1], config.seed)
        try:
            finder = finder_for(config, name)
            results.append(train(net0.copy(), X, y, finder, config.iters, config.lr, progress=progress))
        except BackendError as err:  # device backends: account, qubits, failed or timed-out jobs
            raise UsageError(f"{name}: {err}") from None
    return Comparison(config, info, results)


def _fmt_count(x: float) -> str:
    if x == 0:
        return "0"
    if abs(x) >= 1e4:
        return f"{x:.3g}"
    return f"{x:.0f}" if float(x).is_integer() else f"{x:.1f}"


def format_table(comparison: Comparison) -> str:
    """The side-by-side text table."""
    rows = comparison.rows()
    c = comparison.config
    head = ["finder", "preproc ops", "preproc s", "ops/iter", "s/iter", "final loss", "fired/input", "max|W-W_dense|"]
    body = []
    for r in rows:
        diff = r["max_abs_weight_diff_vs_dense"]
        secs = f"{r['per_iteration']['seconds']:.4f}" + ("*" if r["seconds_label"] != "wall" else "")
        body.append([
            r["finder"], _fmt_count(r["preprocess"]["ops"]), f"{r['preprocess']['seconds']:.3f}",
            _fmt_count(r["per_iteration"]["ops"]), secs, f"{r['final_loss']:.6g}",
            f"{r['fired_per_input']:.1f}", "-" if diff is None else f"{diff:.1e}",
        ])
    widths = [max(len(h), *(len(b[k]) for b in body)) for k, h in enumerate(head)]
    line = lambda cells: "  ".join(s.rjust(w) if k else s.ljust(w) for k, (s, w) in enumerate(zip(cells, widths)))  # noqa: E731
    lines = [
        f"quantum-train compare: data={c.data} n={c.n} m={c.m} d={c.d} iters={c.iters} "
        f"b={c.b:.4f} lr={c.lr:.4g} seed={c.seed}",
        line(head),
        line(["-" * w for w in widths]),
        *(line(b) for b in body),
        "ops = d-dimensional inner products (a tree bound test or an oracle query counts as one); "
        "per-iteration figures are means over iterations.",
    ]
    if any(r["seconds_label"] != "wall" for r in rows):
        lines.append("* classical simulation seconds of a quantum algorithm, not quantum run time.")
        lines.append("  Quantum ops are oracle queries, assuming coherent (QRAM) query access to the weights: a query is not a gate.")
    notes = [f"  {r['finder']}: {note}" for r in rows if (note := finder_note(r))]
    if c.aer_left_out:
        notes.append(f"  grover-aer left out of the defaults: n x iters = {c.n * c.iters} searches exceeds "
                     f"{AER_DEFAULT_MAX_SEARCHES} (about half a second each on Aer); add it with --finders")
    if notes:
        lines += ["notes:", *notes]
    return "\n".join(lines)


def finder_note(row: dict) -> str:
    """One line of finder-specific facts for the table's notes."""
    if "recall" in row:
        return (f"recall {row['recall']:.4f} ({row['missed']} missed), queries/sqrt(m k) "
                f"{row['queries_over_sqrt_mk']:.2f} (classical scan: sqrt(m/k)), strategy {row['strategy']}, "
                f"{row['executor']}" + "".join(f"; {row[k]}" for k in ("oracle_note", "gate_cost_note") if k in row))
    if "structure_chosen" in row:
        return f"structure {row['structure_chosen']}" + (f" ({row['structure_reason']})" if row.get("structure_reason") else "")
    if "neurons_refreshed" in row:
        return (f"tau {row['tau']}, {row['candidates_stored']} candidate pairs stored, "
                f"{row['pairs_rechecked']} re-checked, {row['neurons_refreshed']} neuron refreshes")
    return ""


def atomic_write(path: str, data: bytes) -> None:
    """Write ``data`` to ``path`` via a temporary file and ``os.replace``."""
    directory = os.path.dirname(os.path.abspath(path))
    fd, tmp = tempfile.mkstemp(dir=directory, prefix=".tmp-", suffix=os.path.basename(path))
    try:
        umask = os.umask(0)
        os.umask(umask)
        os.fchmod(fd, 0o666 & ~umask)  # mkstemp makes 0600; give the file ordinary permissions
        with os.fdopen(fd, "wb") as fh:
            fh.write(data)
        os.replace(tmp, path)
    except BaseException:
        if os.path.exists(tmp):
            os.unlink(tmp)
        raise
