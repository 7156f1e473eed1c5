"""What a query costs, for one input of a fresh network: the report behind ``quantum-train resources``.

For ``m`` Gaussian neurons in ``R^d`` (``w_r ~ N(0, I_d)``), one random unit
input ``x`` and the default threshold ``b = sqrt(0.4 ln m)``:

1. the **classical scan**: ``m d`` multiply-adds, timed on this machine (the
   median of :data:`SCAN_REPEATS` timed repeats on the first ``2^20`` rows,
   with their spread, scaled linearly beyond), and its reversible cost in the
   oracle's gate set with the same adder (:func:`circuits.resources.scan_cost`);
2. the **find-all** of the fired set on the exact emulator of ideal Grover
   statistics (:class:`circuits.EmulatedExecutor`), which measures the
   queries per input for the chosen strategy (Grover iterations, counting
   iterations, classical checks);
3. per **memory model** (:data:`circuits.resources.MEMORY_MODELS`), the
   closed-form cost of one query at ``p`` bits in a named convention
   (``uncompute`` measurement/unitary, ``adder`` gidney/cdkm;
   :mod:`circuits.resources`: worst-case query vector, 4 T per Toffoli), of
   the input's find-all (queries run one after another), of one training
   iteration (``n`` inputs) and of a run (``T`` iterations); the classical
   control work a query hides (:attr:`QueryCost.classical_control_ops`) is
   set beside the scan's, in its own column;
4. optionally, **fault-tolerant** estimates from logical counts
   (:mod:`circuits.ft_estimate`, QDK resource estimator; the qubit model and
   error budget are named), with the project's depth-limited runtime beside
   the QDK's sequential one; ``ft_program`` says whether one input's find-all
   (``find-all``) or each search round (``round``) is one program with that
   budget;
5. the **crossover** in ``m`` (:mod:`quantum_train.experiments.crossover`).
"""

from __future__ import annotations

import math
import os
import time
from dataclasses import asdict, dataclass, field, fields

import numpy as np

from circuits import EmulatedExecutor, SearchProblem, find_all
from circuits.fixed_point import MAX_BITS, MIN_BITS
from circuits.problem import num_qubits_for
from circuits.resources import (
    ADDERS,
    DEFAULT_ADDER,
    DEFAULT_UNCOMPUTE,
    MEMORY_MODELS,
    T_PER_TOFFOLI,
    UNCOMPUTE_MODES,
    InputCost,
    QueryCost,
    ScanCost,
    input_cost,
    query_cost,
    scan_cost,
    widest_layer,
)
from quantum_train.core.model import default_threshold
from quantum_train.data.datasets import synthetic
from quantum_train.errors import ConfigError
from quantum_train.seeds import stream

#: the find-all is measured on the emulator, one found item per round: at most this many neurons
MAX_SEARCH_M = 1 << 22
#: rows of the table built and scanned per block (the scan is timed on the first block)
SCAN_BLOCK = 1 << 20
#: timed repeats of the scan; its seconds are their median
SCAN_REPEATS = 7
FT_PROGRAMS = ("find-all", "round")
DEFAULT_ERROR_BUDGET = 1e-3
DEFAULT_QUBIT_MODEL = "qubit_gate_ns_e3"


def check_convention_options(uncompute: str, adder: str) -> None:
    """``--uncompute`` and ``--adder`` name a convention of :mod:`circuits.resources` (ConfigError)."""
    if uncompute not in UNCOMPUTE_MODES:
        raise ConfigError("uncompute", f"unknown convention {uncompute!r}; choose one of {', '.join(UNCOMPUTE_MODES)}")
    if adder not in ADDERS:
        raise ConfigError("adder", f"unknown adder {adder!r}; choose one of {', '.join(ADDERS)}")


@dataclass(frozen=True)
class RunOptions:
    """The options of one report beyond the size: convention, budget, training run, fault-tolerant program."""

    uncompute: str = DEFAULT_UNCOMPUTE
    adder: str = DEFAULT_ADDER
    max_logical_qubits: int | None = None
    n: int = 1
    iters: int = 1
    k: int | None = None
    error_budget: float = DEFAULT_ERROR_BUDGET
    qubit_model: str = DEFAULT_QUBIT_MODEL
    ft_program: str = "find-all"
    classical_cores: int = 1


def check_run_options(m: int, opts: RunOptions, physical: bool = False) -> None:
    """Every option of :class:`RunOptions` (ConfigError naming it), before any work."""
    check_convention_options(opts.uncompute, opts.adder)
    if opts.max_logical_qubits is not None and opts.max_logical_qubits < 1:
        raise ConfigError("max_logical_qubits", f"must be >= 1, got {opts.max_logical_qubits}")
    if opts.n < 1:
        raise ConfigError("n", f"must be >= 1 (inputs per training iteration), got {opts.n}")
    if opts.iters < 1:
        raise ConfigError("iters", f"must be >= 1 (training iterations), got {opts.iters}")
    if opts.k is not None and not 1 <= opts.k <= m:
        raise ConfigError("k", f"must be in [1, m = {m}] (solutions per input), got {opts.k}")
    if not 0 < opts.error_budget < 1:
        raise ConfigError("error_budget", f"must be in (0, 1), got {opts.error_budget}")
    if opts.ft_program not in FT_PROGRAMS:
        raise ConfigError("ft_program", f"unknown program {opts.ft_program!r}; choose one of {', '.join(FT_PROGRAMS)}")
    if opts.classical_cores < 1:
        raise ConfigError("classical_cores", f"must be >= 1, got {opts.classical_cores}")
    if physical:
        from circuits.ft_estimate import qubit_models

        if opts.qubit_model not in qubit_models():
            raise ConfigError("qubit_model", f"unknown qubit model {opts.qubit_model!r}; choose one of "
                              f"{', '.join(qubit_models())}")


def check_cost_options(m: int, d: int, bits: int, memory, physical: bool = False) -> tuple[str, ...]:
    """Validate ``--m``, ``--d``, ``--bits``, ``--memory``, ``--physical`` (ConfigError); returns the models."""
    if m <= 0:
        raise ConfigError("m", f"must be positive, got {m}")
    if m > MAX_SEARCH_M:
        raise ConfigError("m", f"at most 2^{MAX_SEARCH_M.bit_length() - 1} (the find-all is measured on the "
                          f"emulator), got {m}; larger sizes: circuits.resources formulas (notebook 04)")
    if d <= 0:
        raise ConfigError("d", f"must be positive, got {d}")
    if not MIN_BITS <= bits <= MAX_BITS:
        raise ConfigError("bits", f"must be in [{MIN_BITS}, {MAX_BITS}], got {bits}")
    models = tuple(memory)
    if not models:
        raise ConfigError("memory", f"name at least one of {', '.join(MEMORY_MODELS)}")
    for model in models:
        if model not in MEMORY_MODELS:
            raise ConfigError("memory", f"unknown memory model {model!r}; choose from {', '.join(MEMORY_MODELS)}")
    if physical:
        from circuits.ft_estimate import INSTALL_HINT, qdk_available

        if not qdk_available():
            raise ConfigError("physical", INSTALL_HINT)
    return models


@dataclass(frozen=True)
class ScanTiming:
    """The fired set of the input and the scan's measured seconds (``measured_rows`` timed, scaled to ``m``).

    ``seconds`` is the median of ``repeats`` timed scans of the first block;
    ``seconds_min`` and ``seconds_max`` their spread, scaled alike.
    """

    fired: np.ndarray = field(repr=False)
    seconds: float
    measured_rows: int
    seconds_min: float = math.nan
    seconds_max: float = math.nan
    repeats: int = 1


def scan_input(m: int, d: int, b: float, x: np.ndarray, seed: int, repeats: int = SCAN_REPEATS) -> ScanTiming:
    """Draw ``W`` block by block (``N(0, 1)`` entries), find ``{r : <w_r, x> > b}``, time the first block."""
    rng = stream(seed, "network")
    fired, times, timed = [], [], 0
    for start in range(0, m, SCAN_BLOCK):
        W = rng.standard_normal((min(SCAN_BLOCK, m - start), d))
        if start == 0:
            for _ in range(max(5, repeats)):
                t0 = time.perf_counter()
                hit = np.flatnonzero(W @ x > b)
                times.append(time.perf_counter() - t0)
            timed = W.shape[0]
        else:
            hit = np.flatnonzero(W @ x > b)
        fired.append(hit + start)
    scale = m / timed
    return ScanTiming(np.concatenate(fired).astype(np.int64), float(np.median(times)) * scale, timed,
                      min(times) * scale, max(times) * scale, len(times))


@dataclass(frozen=True)
class CostReport:
    """Everything ``quantum-train resources`` prints and writes."""

    m: int
    d: int
    bits: int
    b: float
    seed: int
    strategy: str
    delta: float
    fired: int
    found: int
    per_query: dict[str, QueryCost]
    per_input: dict[str, InputCost]
    scan: ScanCost
    scan_seconds: float
    scan_measured_rows: int
    physical: dict = field(default_factory=dict)
    options: RunOptions = field(default_factory=RunOptions)
    rounds: int = 0
    scan_seconds_min: float = math.nan
    scan_seconds_max: float = math.nan
    scan_repeats: int = 1
    depth_limited: dict = field(default_factory=dict)
    crossover: dict = field(default_factory=dict)

    @property
    def queries(self) -> int:
        return next(iter(self.per_input.values())).queries

    @property
    def quantum_queries(self) -> int:
        first = next(iter(self.per_input.values()))
        return first.grover_queries + first.counting_queries

    def classical_control_per_input(self, model: str) -> int:
        """The control system's bit operations over one input's quantum queries."""
        return self.quantum_queries * self.per_query[model].classical_control_ops

    @property
    def assumptions_text(self) -> str:
        """What the figures assume, naming the convention (:func:`assumptions`)."""
        return assumptions(self.options.uncompute, self.options.adder)

    def table(self, command_line: bool = False) -> str:
        """The text ``quantum-train resources`` prints (``command_line=True``: the options it suggests as flags,
        else as Python keywords)."""
        from quantum_train.experiments.resources_report import format_report

        return format_report(self, command_line)

    def to_json(self, path: str | os.PathLike | None = None) -> str:
        """:meth:`to_dict` as standard JSON text; with ``path``, also written there as ``resources --json`` would
        (the path is checked first: it replaces only a missing or empty file or an earlier ``resources`` report)."""
        from quantum_train.output.io import result_json

        return result_json(self.to_dict(), path, "resources")

    @classmethod
    def from_dict(cls, doc: dict) -> "CostReport":
        """The report that wrote ``doc`` (:meth:`to_dict`, ``resources --json``), for :func:`quantum_train.load`.

        Every figure is read back as written; the scan's bit width, which the document does not hold, is
        recomputed from the closed form (:func:`circuits.resources.scan_cost`) and checked against the written
        Toffolis. ``classical_cores`` is not in the document (only the crossover it shaped): it reads back as 1.
        """
        m, d, bits = int(doc["m"]), int(doc["d"]), int(doc["bits"])
        opts = RunOptions(uncompute=doc["uncompute"], adder=doc["adder"], max_logical_qubits=doc["max_logical_qubits"],
                          n=int(doc["n"]), iters=int(doc["iters"]), k=doc["k"],
                          **{key: doc[key] for key in ("error_budget", "qubit_model", "ft_program") if key in doc})
        derived = ("t_count", "spacetime_volume")
        per_query = {model: QueryCost(model=model, m=m, d=d, bits=bits,
                                      **{k: v for k, v in c.items() if k not in derived and k != "model"})
                     for model, c in doc["per_query"].items()}
        pi = doc["per_input"]
        per_input = {model: InputCost(model, int(pi["grover_queries"]), int(pi["counting_queries"]),
                                      int(pi["check_queries"]), int(c["toffoli"]), int(c["toffoli_depth"]),
                                      int(c["logical_qubits"]), int(pi["check_multiply_adds"]))
                     for model, c in pi.items() if isinstance(c, dict)}
        sc = doc["classical_scan"]
        scan = scan_cost(m, d, bits, opts.adder, opts.uncompute)
        if (scan.multiply_adds, scan.toffoli) != (sc["multiply_adds"], sc["toffoli"]):
            raise ValueError("the document's classical scan does not match its size and convention")
        from circuits.ft_estimate import DepthLimited, PhysicalEstimate

        physical, limited = {}, {}
        names = {f.name for f in fields(PhysicalEstimate)}
        for model, est in doc.get("physical", {}).items():
            physical[model] = PhysicalEstimate(**{k: v for k, v in est.items() if k in names})
            limited[model] = DepthLimited(runtime_seconds=est["depth_limited_runtime_seconds"],
                                          layer_seconds=est["depth_limited_layer_seconds"],
                                          factories=est["depth_limited_factories"],
                                          physical_qubits=est["depth_limited_physical_qubits"],
                                          reaction_seconds=est["reaction_seconds"])
        return cls(m=m, d=d, bits=bits, b=float(doc["b"]), seed=int(doc["seed"]), strategy=doc["strategy"],
                   delta=float(doc["delta"]), fired=int(pi["fired"]), found=int(pi["found"]), per_query=per_query,
                   per_input=per_input, scan=scan, scan_seconds=float(sc["seconds"]),
                   scan_measured_rows=int(sc["measured_rows"]), physical=physical, options=opts,
                   rounds=int(pi["rounds"]), scan_seconds_min=float(sc["seconds_min"]),
                   scan_seconds_max=float(sc["seconds_max"]), scan_repeats=int(sc["repeats"]),
                   depth_limited=limited, crossover=doc.get("crossover", {}))

    def to_dict(self) -> dict:
        """The JSON of the issues' contract: ``per_query.<model>.toffoli``, ``per_input.queries``, ...
        (exactly the document ``quantum-train resources --json`` writes)."""
        o = self.options
        n, iters = o.n, o.iters
        first = next(iter(self.per_input.values()))
        per_input: dict = {"queries": first.queries, "grover_queries": first.grover_queries,
                           "counting_queries": first.counting_queries, "check_queries": first.check_queries,
                           "check_multiply_adds": first.check_multiply_adds, "fired": self.fired,
                           "found": self.found, "rounds": self.rounds}
        per_iteration: dict = {"inputs": n}
        per_run: dict = {"inputs": n, "iterations": iters}
        for model, ic in self.per_input.items():
            control = self.classical_control_per_input(model)
            per_input[model] = {"toffoli": ic.toffoli, "t_count": ic.t_count, "toffoli_depth": ic.toffoli_depth,
                                "logical_qubits": ic.logical_qubits,
                                "spacetime_volume": ic.logical_qubits * ic.toffoli_depth,
                                "classical_control_ops": control}
            per_iteration[model] = {"toffoli": n * ic.toffoli, "t_count": n * ic.t_count,
                                    "classical_control_ops": n * control}
            per_run[model] = {"toffoli": n * iters * ic.toffoli, "t_count": n * iters * ic.t_count,
                              "classical_control_ops": n * iters * control}
        scan = {"multiply_adds": self.scan.multiply_adds, "toffoli": self.scan.toffoli,
                "seconds": self.scan_seconds, "seconds_min": self.scan_seconds_min,
                "seconds_max": self.scan_seconds_max, "repeats": self.scan_repeats,
                "measured_rows": self.scan_measured_rows,
                "per_iteration": {"multiply_adds": n * self.scan.multiply_adds, "toffoli": n * self.scan.toffoli,
                                  "seconds": n * self.scan_seconds},
                "per_run": {"multiply_adds": n * iters * self.scan.multiply_adds,
                            "toffoli": n * iters * self.scan.toffoli, "seconds": n * iters * self.scan_seconds}}
        out = {
            "m": self.m, "d": self.d, "bits": self.bits, "b": self.b, "seed": self.seed,
            "strategy": self.strategy, "delta": self.delta,
            "uncompute": o.uncompute, "adder": o.adder, "max_logical_qubits": o.max_logical_qubits,
            "n": n, "iters": iters, "k": o.k,
            "assumptions": assumptions(o.uncompute, o.adder),
            "per_query": {model: {k: v for k, v in asdict(c).items() if k not in ("m", "d", "bits")}
                          | {"t_count": c.t_count, "spacetime_volume": c.spacetime_volume}
                          for model, c in self.per_query.items()},
            "per_input": per_input,
            "per_iteration": per_iteration,
            "per_run": per_run,
            "classical_scan": scan,
            "classical_control_note": CLASSICAL_CONTROL_NOTE,
            "ratios": {model: {"toffoli_over_scan_toffoli": ic.toffoli / self.scan.toffoli,
                               "toffoli_over_scan_multiply_adds": ic.toffoli / self.scan.multiply_adds,
                               "classical_control_over_scan_toffoli":
                                   self.classical_control_per_input(model) / self.scan.toffoli}
                       for model, ic in self.per_input.items()},
        }
        if self.physical:
            out["error_budget"] = o.error_budget
            out["qubit_model"] = o.qubit_model
            out["ft_program"] = o.ft_program
            out["physical"] = {}
            for model, est in self.physical.items():
                dl = self.depth_limited[model]
                seconds = est.runtime_seconds * (self.rounds if o.ft_program == "round" else 1)
                out["physical"][model] = asdict(est) | {
                    "assumptions": est.assumptions, "ft_program": o.ft_program,
                    "runtime_seconds_per_input": seconds,
                    "depth_limited_runtime_seconds": dl.runtime_seconds,
                    "depth_limited_physical_qubits": dl.physical_qubits,
                    "depth_limited_factories": dl.factories,
                    "depth_limited_layer_seconds": dl.layer_seconds,
                    "reaction_seconds": dl.reaction_seconds}
                per_iteration[model]["runtime_seconds"] = n * seconds
                per_iteration[model]["depth_limited_runtime_seconds"] = n * dl.runtime_seconds
                per_run[model]["runtime_seconds"] = n * iters * seconds
                per_run[model]["depth_limited_runtime_seconds"] = n * iters * dl.runtime_seconds
                out["ratios"][model]["runtime_over_scan_seconds"] = seconds / self.scan_seconds
                out["ratios"][model]["depth_limited_runtime_over_scan_seconds"] = dl.runtime_seconds / self.scan_seconds
        if self.crossover:
            out["crossover"] = self.crossover
        return out


CLASSICAL_CONTROL_NOTE = (
    "classical_control_ops: classical bit operations of the control system per query (the data-dependent "
    "Cliffords a lookup streams, L b per lookup, and the fix-up parities s . T[x] of a measurement-based unlookup, "
    "L b per unlookup); shown in its own column against the scan's reversible Toffolis, not charged in the "
    "Toffoli ratios, because it runs on classical hardware; per input it is queries x per query")


def assumptions(uncompute: str = DEFAULT_UNCOMPUTE, adder: str = DEFAULT_ADDER) -> str:
    """The one-paragraph statement of what the figures assume, naming the convention."""
    unc = ("ANDs uncomputed by X-basis measurement and a classically controlled CZ (Gidney 2018), tables unloaded "
           "by measurement-based uncomputation (Berry et al. 2019, app. C)" if uncompute == "measurement" else
           "every AND uncomputed by a second Toffoli, tables unloaded by a second lookup")
    add = ("Gidney adders (w - 1 Toffolis per w-bit add)" if adder == "gidney" else
           "CDKM adders (2w Toffolis per w-bit add)")
    return (f"one query = one Grover iteration over the gate-level oracle (worst-case p-bit query vector); "
            f"uncompute = {uncompute}: {unc}; adder = {adder}: {add}; T = {T_PER_TOFFOLI} per Toffoli; "
            f"qrom: unary iteration (Babbush et al. 2018), selectswap: Berry et al. 2019 with optimal block, "
            f"qram: arithmetic only (the QRAM's m - 1 routers not charged), bucket-brigade: fan-out QRAM with "
            f"its routers charged; per input: the measured queries run one after another; classical checks are "
            f"classical multiply-adds; the classical scan is costed with the same adder")




def cost_report(m: int, d: int, bits: int, memory=MEMORY_MODELS, strategy: str = "counting",
                delta: float = 1e-3, seed: int = 0, physical: bool = False,
                options: RunOptions | None = None, crossover: bool = False) -> CostReport:
    """Build the report (module docstring). Options are checked first (``ConfigError``)."""
    o = options or RunOptions()
    models = check_cost_options(m, d, bits, memory, physical)
    check_run_options(m, o, physical)
    b = default_threshold(m) if m > 1 else 0.0
    x = synthetic(1, d, seed=seed).X[0]
    scan_t = scan_input(m, d, b, x, seed)
    marked = scan_t.fired
    if o.k is not None:  # the one-solution (or k-solution) view: k marked items at random
        marked = np.sort(np.random.default_rng([seed, 23]).choice(m, size=o.k, replace=False))
    res = find_all(SearchProblem(m, marked), EmulatedExecutor(), strategy=strategy, delta=delta,
                   seed=stream(seed, "search"))
    by_kind = res.queries_by_kind
    per_query = {model: query_cost(m, d, bits, model, uncompute=o.uncompute, adder=o.adder,
                                   max_logical_qubits=o.max_logical_qubits) for model in models}
    per_input = {model: input_cost(c, by_kind["grover"], by_kind["counting"], by_kind["check"])
                 for model, c in per_query.items()}
    est, limited = {}, {}
    if physical:
        from circuits.ft_estimate import depth_limited, estimate_counts

        for model, ic in per_input.items():
            qc = per_query[model]
            rounds = max(1, res.rounds)
            per_round = o.ft_program == "round"
            toffoli = -(-ic.toffoli // rounds) if per_round else ic.toffoli
            queries = by_kind["grover"] + by_kind["counting"]
            measurements = (qc.measurements * queries + res.rounds * num_qubits_for(m))
            measurements = -(-measurements // rounds) if per_round else measurements
            est[model] = estimate_counts(ic.logical_qubits, max(1, toffoli), measurements,
                                         qubit_model=o.qubit_model, error_budget=o.error_budget)
            limited[model] = depth_limited(est[model], ic.toffoli_depth, widest_layer(qc))
    report = CostReport(m=m, d=d, bits=bits, b=b, seed=seed, strategy=strategy, delta=delta,
                        fired=int(marked.size), found=res.num_found, per_query=per_query,
                        per_input=per_input, scan=scan_cost(m, d, bits, o.adder, o.uncompute),
                        scan_seconds=scan_t.seconds, scan_measured_rows=scan_t.measured_rows, physical=est,
                        options=o, rounds=res.rounds, scan_seconds_min=scan_t.seconds_min,
                        scan_seconds_max=scan_t.seconds_max, scan_repeats=scan_t.repeats, depth_limited=limited)
    if crossover:
        from dataclasses import replace

        from quantum_train.experiments.crossover import crossover_table

        report = replace(report, crossover=crossover_table(report))
    return report
