"""The quantum finder: Grover find-all per input, no preprocessing.

For every input ``x_i``, a find-all search over the ``m`` neurons marks those
with ``<w_r, x_i> > b`` (the oracle evaluates the firing predicate on a
superposition of neuron indices; with coherent query access to the weights, one
oracle application is one query, the cost unit). :mod:`circuits.search` counts
every query, whatever executes the circuits (Aer, the emulator, IBM).

**Simulation note.** To *simulate* the oracle classically, its truth table
(the exact fired set of ``x_i``) is computed by the reference scan each
iteration. That scan is simulation overhead, outside the ledger's ops; its
seconds are part of the finder's (labelled) simulation seconds and reported
apart as ``oracle_table_seconds``. The searches are randomised: a neuron can be
missed with probability at most ``delta`` per input; ``recall`` and ``missed``
(computed against the exact fired sets, outside the ledger) say how often it
happened, and a miss makes the weights deviate from the dense run.

**Arithmetic oracle** (``oracle="arithmetic"``, backend ``aer`` only): the
circuits are built from the weights, the input and the threshold at ``bits``
bits (:mod:`circuits.arithmetic_oracle`: QROM, shift-and-add, comparison) and
simulated on Aer's matrix-product-state method; the simulation never sees the
fired sets. It marks the *quantized* fired set
(:mod:`circuits.fixed_point`), which is what the search finds and what the
network trains on; ``quantized_recall`` is found / quantized fired pairs and
``quantization_flips`` the pairs whose state the rounding changes against the
exact dense sets (``recall`` stays against the exact sets).

**Gate cost.** Beside the query count, the report gives the Toffolis of the
quantum queries (Grover and counting iterations; classical checks excluded)
at ``bits`` bits under memory model ``memory`` (:mod:`circuits.resources`,
worst-case query vector), in the convention ``uncompute``/``adder``
(measurement/gidney by default, the literature's), both named in the result.
With the arithmetic oracle the figure charges the layout that ran on Aer (one
coordinate at a time, ``per_coordinate``), and names the convention of the
circuit that ran (unitary, CDKM) beside the one costed.
"""

from __future__ import annotations

import math
import time
from typing import Callable

import numpy as np

from circuits import find_all_many
from circuits.resources import DEFAULT_ADDER, DEFAULT_UNCOMPUTE, input_cost, query_cost
from quantum_train.core.finder_contract import FiredSetFinder
from quantum_train.core.fired import FiredSets
from quantum_train.core.grover_options import (
    DEFAULT_BITS,
    DEFAULT_DELTA,
    DEFAULT_MEMORY,
    DEFAULT_STRATEGY,
    DEVICE_MAX_M,
    DEVICE_MAX_N,
    GROVER_PREFIX,
    RAN_NOTE,
    is_device_finder,
    ran_layout,
)
from quantum_train.core.model import ShiftedReLUNet
from quantum_train.finders.dense import scan_bytes
from quantum_train.finders.grover_oracles import ORACLE_KINDS, SearchTally
from quantum_train.seeds import stream


class GroverFinder(FiredSetFinder):
    """Find-all Grover search per input on a named backend (``grover-<backend>``).

    Its options are checked where the run is set up (:mod:`quantum_train.core.grover_options`); its counters are
    one :class:`~quantum_train.finders.grover_oracles.SearchTally`; the oracle kind is an object
    (:data:`~quantum_train.finders.grover_oracles.ORACLE_KINDS`).
    """

    exact = False
    seconds_label = "simulation"

    def __init__(self, backend: str = "emulator", strategy: str = DEFAULT_STRATEGY,
                 delta: float = DEFAULT_DELTA, seed: int | np.random.Generator = 0,
                 oracle: str = "table", bits: int = DEFAULT_BITS, memory: str = DEFAULT_MEMORY,
                 uncompute: str = DEFAULT_UNCOMPUTE, adder: str = DEFAULT_ADDER):
        super().__init__()
        self.oracle_kind = ORACLE_KINDS.get(oracle)
        if self.oracle_kind is None:
            raise ValueError(f"oracle must be one of {tuple(ORACLE_KINDS)}, got {oracle!r}")
        self.executor = self.oracle_kind.executor(backend, uncompute)
        self.oracle, self.bits, self.memory, self.uncompute, self.adder = oracle, bits, memory, uncompute, adder
        self.backend = backend
        self.name = GROVER_PREFIX + backend
        self.strategy = strategy
        self.delta = delta
        self.rng = stream(seed, "search")
        self.tally = SearchTally()
        self._shape: tuple[int, int] | None = None

    @classmethod
    def note(cls, report: dict) -> str:
        found = report["fired_pairs"] - report["missed"]
        return (f"recall {found}/{report['fired_pairs']} fired pairs ({report['missed']} missed), queries/sqrt(m k) "
                f"{report['queries_over_sqrt_mk']:.2f} (the classical scan's m inner products per input are "
                f"{report['scan_over_sqrt_mk']:.2f} sqrt(m k)), strategy {report['strategy']}, {report['executor']}"
                + "".join(f"; {report[k]}" for k in ("oracle_note", "gate_cost_note") if k in report))

    @classmethod
    def limits(cls, name: str, m: int, n: int, strategy: str | None) -> list[str]:
        """Device finders: ``m <= DEVICE_MAX_M``, ``n <= DEVICE_MAX_N`` and a BBHT strategy."""
        if not is_device_finder(name):
            return []
        faults = []
        if m > DEVICE_MAX_M:
            faults.append(f"m: m <= {DEVICE_MAX_M} (5 index qubits; got {m})")
        if n > DEVICE_MAX_N:
            faults.append(f"n: n <= {DEVICE_MAX_N} inputs (one device job per search round; got {n})")
        if strategy == "counting":
            faults.append("strategy: strategy bbht or bbht_warm (quantum counting needs up to 2^(q+2) - 1 "
                          "controlled Grover operators, far beyond device depth)")
        return faults

    @classmethod
    def preferred_strategy(cls, name: str) -> str | None:
        return "bbht" if is_device_finder(name) else None

    @classmethod
    def warm_up(cls, name: str, d: int, seed: int, train_tiny: Callable[[str, int, int], None]) -> None:
        """Device finders warm up on the emulator: the same search-layer kernels, no device jobs."""
        super().warm_up("grover-emulator" if is_device_finder(name) else name, d, seed, train_tiny)

    @classmethod
    def memory_bytes(cls, n: int, m: int, d: int, b: float, pairs: float) -> float:
        """The simulated oracle's truth table (a dense scan) and the searches' marked and found sets.

        A statevector (Aer) is guarded apart, by the executor, before it is allocated.
        """
        return scan_bytes(pairs) + 4 * 8.0 * pairs + 64.0 * n

    def find(self, net: ShiftedReLUNet, X: np.ndarray) -> FiredSets:
        t = self.tally
        start = time.perf_counter()
        truth = net.fired_sets(X)  # table oracle: its truth table; arithmetic: recall and flips only
        indptr, indices = truth.by_input
        t.table_seconds += time.perf_counter() - start
        exact = [indices[indptr[i]:indptr[i + 1]] for i in range(X.shape[0])]
        problems = self.oracle_kind.problems(self.executor, net.W, X, net.b, self.bits, exact, t)
        results = find_all_many(problems, self.executor, strategy=self.strategy, delta=self.delta, seed=self.rng)
        for res in results:
            t.add_queries(res.queries_by_kind)
        self._shape = (net.m, net.d)
        found = [res.found for res in results]
        queries = np.array([res.queries for res in results])
        k = np.diff(indptr)
        self.ops += int(queries.sum())
        t.oracle_queries.append(int(queries.sum()))
        has = k > 0
        if has.any():
            t.ratios.append(float(np.mean(queries[has] / np.sqrt(net.m * k[has]))))
            t.scan_ratios.append(float(np.mean(np.sqrt(net.m / k[has]))))
        t.marked_total += int(k.sum())
        t.searched_found += int(sum(len(f) for f in found))
        t.found_total += self.oracle_kind.found_in_exact(found, exact)  # arithmetic: outside them are flips
        counts = np.array([len(f) for f in found], dtype=np.int64)
        ptr = np.concatenate(([0], np.cumsum(counts))).astype(np.int64)
        flat = np.concatenate(found).astype(np.int64) if found else np.empty(0, dtype=np.int64)
        return FiredSets.from_input_major(ptr, flat, net.m)

    def report(self) -> dict:
        t = self.tally
        recall = t.found_total / t.marked_total if t.marked_total else 1.0
        return {
            "backend": self.backend,
            "executor": self.executor.label,
            "strategy": self.strategy,
            "delta": self.delta,
            "oracle_queries": t.oracle_queries,
            "queries_over_sqrt_mk": float(np.mean(t.ratios)) if t.ratios else math.nan,
            "scan_over_sqrt_mk": float(np.mean(t.scan_ratios)) if t.scan_ratios else math.nan,
            "recall": recall,
            "fired_pairs": int(t.marked_total),
            "missed": int(t.marked_total - t.found_total),
            "oracle_table_seconds": t.table_seconds,
            "oracle": self.oracle,
            "bits": self.bits,
            **self._gate_cost(),
            **self.oracle_kind.report(t, self.bits),
        }

    def _gate_cost(self) -> dict:
        """Toffolis of the quantum queries run so far, at ``bits`` bits under ``memory`` (module docstring)."""
        if self._shape is None:
            return {}
        m, d = self._shape
        layout = ran_layout(self.oracle, self.uncompute)
        cost = query_cost(m, d, self.bits, self.memory, layout, uncompute=self.uncompute, adder=self.adder)
        q = self.tally.quantum_queries
        total = input_cost(cost, q["grover"], q["counting"], q["check"])
        ran = f"; {RAN_NOTE[self.uncompute]}" if self.oracle == "arithmetic" else ""
        note = (f"gate cost {total.toffoli:.3g} Toffolis = {q['grover'] + q['counting']} quantum queries x "
                f"{cost.toffoli:.3g} per query ({self.memory}, {layout}, uncompute {self.uncompute}, adder "
                f"{self.adder}, p={self.bits}, worst-case x; T = 4 per Toffoli{ran})")
        return {"gate_cost_memory": self.memory, "gate_cost_layout": layout, "uncompute": self.uncompute,
                "adder": self.adder, "toffoli_per_query": cost.toffoli,
                "quantum_queries": q["grover"] + q["counting"], "gate_cost_toffoli": total.toffoli,
                "gate_cost_note": note}
