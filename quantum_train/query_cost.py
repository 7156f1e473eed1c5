"""What a query costs, for one input of a fresh network: the report behind ``quantum-train resources``.

For ``m`` Gaussian neurons in ``R^d`` (``w_r ~ N(0, I_d)``), one random unit
input ``x`` and the default threshold ``b = sqrt(0.4 ln m)``:

1. the **classical scan**: ``m d`` multiply-adds, timed on this machine (best
   of 3 on the first ``2^20`` rows, scaled linearly beyond), and its reversible
   cost in the oracle's gate set (:func:`circuits.resources.scan_cost`);
2. the **find-all** of the fired set on the exact emulator of ideal Grover
   statistics (:class:`circuits.EmulatedExecutor`), which measures the
   queries per input for the chosen strategy (Grover iterations, counting
   iterations, classical checks);
3. per **memory model** (``qrom``, ``selectswap``, ``qram``), the closed-form
   cost of one query at ``p`` bits (:mod:`circuits.resources`: worst-case
   query vector, 4 T per Toffoli) and of the input's find-all (queries run
   one after another);
4. optionally, **fault-tolerant** estimates of that find-all from its logical
   counts (:mod:`circuits.ft_estimate`, QDK resource estimator; the qubit
   model and error budget are named).
"""

from __future__ import annotations

import math
import time
from dataclasses import asdict, dataclass, field

import numpy as np

from circuits import EmulatedExecutor, SearchProblem, find_all
from circuits.fixed_point import MAX_BITS, MIN_BITS
from circuits.problem import num_qubits_for
from circuits.resources import (
    MEMORY_MODELS,
    T_PER_TOFFOLI,
    InputCost,
    QueryCost,
    ScanCost,
    input_cost,
    query_cost,
    scan_cost,
)
from quantum_train.data import synthetic
from quantum_train.errors import ConfigError
from quantum_train.model import default_threshold
from quantum_train.seeds import stream

#: the find-all is measured on the emulator, one found item per round: at most this many neurons
MAX_SEARCH_M = 1 << 22
#: rows of the table built and scanned per block (the scan is timed on the first block)
SCAN_BLOCK = 1 << 20


def check_cost_options(m: int, d: int, bits: int, memory, physical: bool = False) -> tuple[str, ...]:
    """Validate ``--m``, ``--d``, ``--bits``, ``--memory``, ``--physical`` (ConfigError); returns the models."""
    if m <= 0:
        raise ConfigError("--m", f"must be positive, got {m}")
    if m > MAX_SEARCH_M:
        raise ConfigError("--m", f"at most 2^{MAX_SEARCH_M.bit_length() - 1} (the find-all is measured on the "
                          f"emulator), got {m}; larger sizes: circuits.resources formulas (notebook 04)")
    if d <= 0:
        raise ConfigError("--d", f"must be positive, got {d}")
    if not MIN_BITS <= bits <= MAX_BITS:
        raise ConfigError("--bits", f"must be in [{MIN_BITS}, {MAX_BITS}], got {bits}")
    models = tuple(memory)
    if not models:
        raise ConfigError("--memory", f"name at least one of {', '.join(MEMORY_MODELS)}")
    for model in models:
        if model not in MEMORY_MODELS:
            raise ConfigError("--memory", f"unknown memory model {model!r}; choose from {', '.join(MEMORY_MODELS)}")
    if physical:
        from circuits.ft_estimate import INSTALL_HINT, qdk_available

        if not qdk_available():
            raise ConfigError("--physical", INSTALL_HINT)
    return models


@dataclass(frozen=True)
class ScanTiming:
    """The fired set of the input and the scan's measured seconds (``measured_rows`` timed, scaled to ``m``)."""

    fired: np.ndarray = field(repr=False)
    seconds: float
    measured_rows: int


def scan_input(m: int, d: int, b: float, x: np.ndarray, seed: int) -> ScanTiming:
    """Draw ``W`` block by block (``N(0, 1)`` entries), find ``{r : <w_r, x> > b}``, time the first block."""
    rng = stream(seed, "network")
    fired, seconds, timed = [], 0.0, 0
    for start in range(0, m, SCAN_BLOCK):
        W = rng.standard_normal((min(SCAN_BLOCK, m - start), d))
        if start == 0:
            best = math.inf
            for _ in range(3):
                t0 = time.perf_counter()
                hit = np.flatnonzero(W @ x > b)
                best = min(best, time.perf_counter() - t0)
            seconds, timed = best, W.shape[0]
        else:
            hit = np.flatnonzero(W @ x > b)
        fired.append(hit + start)
    return ScanTiming(np.concatenate(fired).astype(np.int64), seconds * m / timed, timed)


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

    @property
    def queries(self) -> int:
        return next(iter(self.per_input.values())).queries

    def to_json(self) -> dict:
        """The JSON of the issue's contract: ``per_query.<model>.toffoli``, ``per_input.queries``, ..."""
        first = next(iter(self.per_input.values()))
        per_input: dict = {"queries": first.queries, "grover_queries": first.grover_queries,
                           "counting_queries": first.counting_queries, "check_queries": first.check_queries,
                           "check_multiply_adds": first.check_multiply_adds, "fired": self.fired,
                           "found": self.found}
        for model, ic in self.per_input.items():
            per_input[model] = {"toffoli": ic.toffoli, "t_count": ic.t_count, "toffoli_depth": ic.toffoli_depth,
                                "logical_qubits": ic.logical_qubits}
        out = {
            "m": self.m, "d": self.d, "bits": self.bits, "b": self.b, "seed": self.seed,
            "strategy": self.strategy, "delta": self.delta,
            "assumptions": ASSUMPTIONS,
            "per_query": {model: {k: v for k, v in asdict(c).items() if k not in ("m", "d", "bits")}
                          | {"t_count": c.t_count} for model, c in self.per_query.items()},
            "per_input": per_input,
            "classical_scan": {"multiply_adds": self.scan.multiply_adds, "toffoli": self.scan.toffoli,
                               "seconds": self.scan_seconds, "measured_rows": self.scan_measured_rows},
            "ratios": {model: {"toffoli_over_scan_toffoli": ic.toffoli / self.scan.toffoli,
                               "toffoli_over_scan_multiply_adds": ic.toffoli / self.scan.multiply_adds}
                       for model, ic in self.per_input.items()},
        }
        if self.physical:
            out["physical"] = {model: asdict(est) | {"assumptions": est.assumptions}
                               for model, est in self.physical.items()}
            for model, est in self.physical.items():
                out["ratios"][model]["runtime_over_scan_seconds"] = est.runtime_seconds / self.scan_seconds
        return out


ASSUMPTIONS = (f"one query = one Grover iteration over the gate-level oracle (worst-case p-bit query vector); "
               f"Toffolis counted as CCX, T = {T_PER_TOFFOLI} per Toffoli; qrom: unary iteration (Babbush et al. "
               f"2018), selectswap: Low-Kliuchnikov-Schaeffer 2018 with optimal block, qram: arithmetic only "
               f"(the QRAM's m - 1 routers not charged); per input: the measured queries run one after another; "
               f"classical checks are classical multiply-adds")


def cost_report(m: int, d: int, bits: int, memory=MEMORY_MODELS, strategy: str = "counting",
                delta: float = 1e-3, seed: int = 0, physical: bool = False) -> CostReport:
    """Build the report (module docstring). Options are checked first (``ConfigError``)."""
    models = check_cost_options(m, d, bits, memory, physical)
    b = default_threshold(m) if m > 1 else 0.0
    x = synthetic(1, d, seed=seed).X[0]
    scan_t = scan_input(m, d, b, x, seed)
    res = find_all(SearchProblem(m, scan_t.fired), EmulatedExecutor(), strategy=strategy, delta=delta,
                   seed=stream(seed, "search"))
    by_kind = res.queries_by_kind
    per_query = {model: query_cost(m, d, bits, model) for model in models}
    per_input = {model: input_cost(c, by_kind["grover"], by_kind["counting"], by_kind["check"])
                 for model, c in per_query.items()}
    est = {}
    if physical:
        from circuits.ft_estimate import estimate_counts

        measurements = res.rounds * num_qubits_for(m)
        est = {model: estimate_counts(ic.logical_qubits, ic.toffoli, measurements)
               for model, ic in per_input.items()}
    return CostReport(m=m, d=d, bits=bits, b=b, seed=seed, strategy=strategy, delta=delta,
                      fired=int(scan_t.fired.size), found=res.num_found, per_query=per_query,
                      per_input=per_input, scan=scan_cost(m, d, bits), scan_seconds=scan_t.seconds,
                      scan_measured_rows=scan_t.measured_rows, physical=est)
