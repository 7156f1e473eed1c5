"""Grover find-all of the fired neurons of random inputs: one search per input, every oracle query counted.

For ``inputs`` random unit inputs and a fresh network (``m`` neurons in
``R^d``, seeded), every input's fired set ``{r : <w_r, x> > b}`` is the marked
set of one find-all search over the ``m`` neuron indices. Queries assume
coherent (QRAM) access to the weights: one oracle query evaluates
``<w_r, x> > b`` on a superposition of ``r``.
"""

from __future__ import annotations

import math
import numbers
import os
import time
from dataclasses import asdict, dataclass

import numpy as np

from circuits import find_all_many
from circuits.resources import DEFAULT_ADDER, DEFAULT_UNCOMPUTE, input_cost, query_cost
from quantum_train.core.grover_options import (
    DEFAULT_BITS,
    DEFAULT_DELTA,
    DEFAULT_MEMORY,
    DEFAULT_STRATEGY,
    check_oracle_options,
    check_search_options,
    executor_for,
    ran_layout,
)
from quantum_train.core.model import ShiftedReLUNet, default_threshold
from quantum_train.data.datasets import synthetic
from quantum_train.errors import ConfigError
from quantum_train.experiments.ram_guard import check_fits
from quantum_train.finders.grover_oracles import ORACLE_KINDS, SearchTally
from quantum_train.seeds import SeedError, check_seed, stream


@dataclass(frozen=True)
class InputSearch:
    """One input's search: its fired count ``k``, what was found, and the oracle queries it took."""

    input: int
    k: int
    found: int
    queries: int
    queries_by_kind: dict
    queries_over_sqrt_mk: float
    certified: bool


@dataclass(frozen=True)
class FiredSearch:
    """Every input's search and the summary (recall, queries against ``sqrt(m k)`` and the classical scan)."""

    m: int
    d: int
    b: float
    seed: int
    backend: str
    executor: str
    strategy: str
    delta: float
    inputs: tuple[InputSearch, ...]
    simulation_seconds: float
    oracle: str = "table"
    bits: int = DEFAULT_BITS
    memory: str = DEFAULT_MEMORY
    uncompute: str = DEFAULT_UNCOMPUTE
    adder: str = DEFAULT_ADDER
    #: arithmetic oracle: fired pairs found that are in the exact sets, and pairs the rounding flips
    found_exact: int | None = None
    exact_pairs: int | None = None
    quantization_flips: int | None = None

    @property
    def recall(self) -> float:
        """Found / fired pairs against the exact sets (the ``k`` of each input: exact, or quantized for the
        arithmetic oracle, whose recall against the exact sets is computed apart)."""
        if self.found_exact is not None:
            return self.found_exact / self.exact_pairs if self.exact_pairs else 1.0
        return self.quantized_recall

    @property
    def quantized_recall(self) -> float:
        k = sum(s.k for s in self.inputs)
        return sum(s.found for s in self.inputs) / k if k else 1.0

    def gate_cost(self) -> dict:
        """Toffolis of the quantum queries (Grover and counting iterations), per query and per input."""
        layout = ran_layout(self.oracle, self.uncompute)
        cost = query_cost(self.m, self.d, self.bits, self.memory, layout, uncompute=self.uncompute, adder=self.adder)
        kinds = {kind: sum(s.queries_by_kind.get(kind, 0) for s in self.inputs) for kind in ("grover", "counting", "check")}
        total = input_cost(cost, kinds["grover"], kinds["counting"], kinds["check"])
        return {"oracle": self.oracle, "bits": self.bits, "gate_cost_memory": self.memory,
                "gate_cost_layout": layout, "uncompute": self.uncompute, "adder": self.adder,
                "toffoli_per_query": cost.toffoli, "mean_gate_cost_toffoli": total.toffoli / len(self.inputs)}

    def summary(self) -> dict:
        """The JSON ``summary`` of ``quantum-train find-fired``."""
        ks = [s.k for s in self.inputs if s.k]
        return {
            "m": self.m, "d": self.d, "inputs": len(self.inputs), "b": self.b, "seed": self.seed,
            "backend": self.backend, "executor": self.executor, "strategy": self.strategy, "delta": self.delta,
            "mean_k": sum(s.k for s in self.inputs) / len(self.inputs),
            "mean_queries": float(np.mean([s.queries for s in self.inputs])),
            "mean_queries_over_sqrt_mk": float(np.mean([s.queries_over_sqrt_mk for s in self.inputs if s.k]))
            if ks else math.nan,
            "recall": self.recall,
            "classical_scan_per_input": self.m,
            "classical_scan_over_sqrt_mk": float(np.mean([self.m / math.sqrt(self.m * k) for k in ks])) if ks else math.nan,
            "simulation_seconds": self.simulation_seconds,
        } | self.gate_cost() | ({} if self.quantization_flips is None else {
            "quantized_recall": self.quantized_recall, "quantization_flips": self.quantization_flips,
            "found_exact": self.found_exact, "exact_pairs": self.exact_pairs})

    def to_dict(self) -> dict:
        """Exactly the document ``quantum-train find-fired --json`` writes."""
        return {"summary": self.summary(), "inputs": [asdict(s) for s in self.inputs]}

    def to_json(self, path: str | os.PathLike | None = None) -> str:
        """:meth:`to_dict` as standard JSON text; with ``path``, also written there as ``find-fired --json`` would
        (checked first: it replaces only a missing or empty file or an earlier ``find-fired`` document)."""
        from quantum_train.output.io import result_json

        return result_json(self.to_dict(), path, "find-fired")


def find_fired(m: int = 2**10, d: int = 16, inputs: int = 8, b: float | None = None, seed: int = 0,
               backend: str = "emulator", strategy: str = DEFAULT_STRATEGY, delta: float = DEFAULT_DELTA,
               oracle: str = "table", bits: int = DEFAULT_BITS, memory: str = DEFAULT_MEMORY,
               uncompute: str = DEFAULT_UNCOMPUTE, adder: str = DEFAULT_ADDER) -> FiredSearch:
    """Find every fired neuron of ``inputs`` random unit inputs by Grover find-all on ``backend``.

    ``oracle="arithmetic"`` (backend ``aer``): gate-level circuits built from the
    weights at ``bits`` bits (:mod:`circuits.arithmetic_oracle`), which mark the
    quantized fired sets; the simulation never sees the fired sets.

    Errors are :class:`~quantum_train.errors.ConfigError` (a ``ValueError``) naming the field.
    """
    for name, value in (("m", m), ("d", d), ("inputs", inputs)):
        if isinstance(value, bool) or not isinstance(value, (int, np.integer)) or value <= 0:
            raise ConfigError(name, f"must be a positive integer, got {value!r}")
    try:
        check_seed(seed)
    except SeedError as err:
        raise ConfigError("seed", str(err)) from None
    for name, value in (("b", b), ("delta", delta)):
        if value is not None and (isinstance(value, bool) or not isinstance(value, numbers.Real)):
            raise ConfigError(name, f"must be a number, got {value!r} ({type(value).__name__})")
    for name, value in (("backend", backend), ("strategy", strategy), ("oracle", oracle), ("memory", memory)):
        if not isinstance(value, str):
            raise ConfigError(name, f"must be a string, got {value!r} ({type(value).__name__})")
    check_search_options(strategy, delta)
    if b is not None and not math.isfinite(b):
        raise ConfigError("b", f"must be finite, got {b}")
    check_oracle_options(oracle, bits, memory, [f"grover-{backend}"], m, uncompute, adder)
    check_fits(inputs, m, d, b if b is not None else default_threshold(m), ["grover-emulator"], b_follows_m=b is None)
    executor_for(backend, m, strategy)  # the backend can be set up, its statevectors fit (before allocating)
    kind = ORACLE_KINDS[oracle]
    executor = kind.executor(backend, uncompute)

    net = ShiftedReLUNet.initialize(m, d, seed=seed, b=b)
    X = synthetic(inputs, d, seed=seed).X  # the data stream: independent of the network's
    indptr, indices = net.fired_sets(X).by_input
    exact = [indices[indptr[i]:indptr[i + 1]] for i in range(inputs)]
    tally = SearchTally()
    problems = kind.problems(executor, net.W, X, net.b, bits, exact, tally)
    start = time.perf_counter()
    results = find_all_many(problems, executor, strategy=strategy, delta=delta, seed=stream(seed, "search"))
    seconds = time.perf_counter() - start
    searches = []
    for i, res in enumerate(results):
        k = len(problems[i].marked)
        searches.append(InputSearch(i, k, int(len(res.found)), int(res.queries),
                                    {kind: int(v) for kind, v in res.queries_by_kind.items()},
                                    res.queries / math.sqrt(m * k) if k else math.nan, bool(res.certified)))
    quantized = {}
    if kind.quantized:  # the oracle marks the quantized sets: recall against the exact ones apart
        quantized = dict(found_exact=kind.found_in_exact([res.found for res in results], exact),
                         exact_pairs=int(sum(len(e) for e in exact)), quantization_flips=tally.flips)
    return FiredSearch(m, d, net.b, seed, backend, executor.label, strategy, delta, tuple(searches), seconds,
                       oracle, bits, memory, uncompute, adder, **quantized)
