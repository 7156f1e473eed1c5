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

from circuits import InsufficientMemoryError, SearchProblem, find_all_many, num_qubits_for
from circuits.arithmetic_oracle import ALL_COORDINATES, PER_COORDINATE
from circuits.backends import BackendError, make_executor
from circuits.executors import Executor
from circuits.fixed_point import MAX_BITS, MIN_BITS, fixed_point_instance
from circuits.resources import (
    ADDERS,
    DEFAULT_ADDER,
    DEFAULT_UNCOMPUTE,
    MEMORY_MODELS,
    UNCOMPUTE_MODES,
    input_cost,
    query_cost,
)
from circuits.search import STRATEGIES, as_strategy
from quantum_train.errors import ConfigError
from quantum_train.finders.base import FiredSetFinder
from quantum_train.finders.dense import scan_bytes
from quantum_train.fired import FiredSets
from quantum_train.model import ShiftedReLUNet
from quantum_train.seeds import stream

#: ``grover-aer`` joins the default finders up to this many neurons (statevector simulation time).
AER_DEFAULT_MAX_M = 2**10
#: ... and while ``n * iters`` stays within this many find-all searches (about half a second each on Aer
#: at ``m = 2^10``), so that a default run stays within about a minute.
AER_DEFAULT_MAX_SEARCHES = 64
DEFAULT_STRATEGY = "counting"
DEFAULT_DELTA = 1e-3
#: Device finders (``grover-aer-noisy:...``, ``grover-fake_...``, ``grover-ibm:...``) need tiny instances:
#: hardware oracles reach 5 index qubits (m <= 32), and every lockstep round of the n searches is one
#: device job (about 2-5 s on a fake backend, a queue wait on hardware), for each of dozens of rounds.
DEVICE_MAX_M = 32
DEVICE_MAX_N = 4


#: The Grover family's names are ``grover-<backend>``.
GROVER_PREFIX = "grover-"


def backend_of(name: str) -> str | None:
    """The backend of a ``grover-<backend>`` finder name, else None (the family's only name parsing)."""
    return name[len(GROVER_PREFIX):] if name.startswith(GROVER_PREFIX) else None


def is_device_finder(name: str) -> bool:
    """``grover-<backend>`` on a device backend (noisy simulation of, or a real, IBM device)."""
    from circuits.backends import is_device_backend

    backend = backend_of(name)
    return backend is not None and is_device_backend(backend)
ORACLES = ("table", "arithmetic")
DEFAULT_BITS = 16
DEFAULT_MEMORY = "qrom"
#: the arithmetic oracle runs on Aer's MPS method, bond dimension up to 2^(q + t); beyond this many
#: neurons a search takes minutes per input
ARITHMETIC_MAX_M = 64


#: the arithmetic oracle's circuit that runs on Aer, by convention
RAN_NOTE = {"unitary": "the circuit that ran on Aer: per_coordinate layout, unitary uncompute, cdkm adders",
            "measurement": "the circuit that ran on Aer: all_coordinates layout, measured ANDs, gidney adders, "
                           "measurement-based unlookup (k = 1)"}


def ran_layout(oracle: str, uncompute: str) -> str:
    """The layout charged: that of the circuit which ran (the arithmetic oracle), else all coordinates at once."""
    if oracle != "arithmetic":
        return ALL_COORDINATES
    return PER_COORDINATE if uncompute == "unitary" else ALL_COORDINATES


def check_search_options(strategy: str, delta: float) -> None:
    """``--strategy`` names a find-all strategy and ``--delta`` lies in (0, 1)."""
    if strategy not in STRATEGIES:
        raise ConfigError("strategy", f"unknown strategy {strategy!r}; choose one of {', '.join(STRATEGIES)}")
    if not 0 < delta < 1:
        raise ConfigError("delta", f"must be in (0, 1), got {delta}")


def check_oracle_options(oracle: str, bits: int, memory: str, finders, m: int,
                         uncompute: str = DEFAULT_UNCOMPUTE, adder: str = DEFAULT_ADDER) -> None:
    """``--oracle``, ``--bits``, ``--memory``, ``--uncompute``, ``--adder`` (ConfigError): the arithmetic oracle
    runs on ``grover-aer``, small ``m``."""
    if uncompute not in UNCOMPUTE_MODES:
        raise ConfigError("uncompute", f"unknown convention {uncompute!r}; choose one of {', '.join(UNCOMPUTE_MODES)}")
    if adder not in ADDERS:
        raise ConfigError("adder", f"unknown adder {adder!r}; choose one of {', '.join(ADDERS)}")
    if oracle not in ORACLES:
        raise ConfigError("oracle", f"unknown oracle {oracle!r}; choose one of {', '.join(ORACLES)}")
    if not MIN_BITS <= bits <= MAX_BITS:
        raise ConfigError("bits", f"must be in [{MIN_BITS}, {MAX_BITS}], got {bits}")
    if memory not in MEMORY_MODELS:
        raise ConfigError("memory", f"unknown memory model {memory!r}; choose one of {', '.join(MEMORY_MODELS)}")
    if oracle == "arithmetic":
        other = [f for f in finders if backend_of(f) not in (None, "aer")]
        if other:
            raise ConfigError("oracle", f"the arithmetic oracle runs on grover-aer only (gate-level circuits on "
                              f"Aer), not {', '.join(other)}; drop them or use --oracle table")
        if m > ARITHMETIC_MAX_M:
            raise ConfigError("m", f"the arithmetic oracle on Aer serves m <= {ARITHMETIC_MAX_M} "
                              f"(matrix-product-state simulation of every gate), got {m}")


def executor_for(backend: str, num_items: int | None = None, strategy: str | None = None, *,
                 option: str = "backend", label: str = "", instead: str = "--backend emulator") -> Executor:
    """The executor of a backend name, or a :class:`ConfigError` before anything is allocated.

    An unknown or unusable backend is charged to ``option``. With
    ``num_items``, the widest circuit the ``strategy`` will build must fit a
    statevector in memory, else the error names ``m``, says how many qubits
    and why, and suggests ``instead`` (how to ask for the emulator where the
    error is read). ``label`` (e.g. the finder's name) prefixes the message.
    """
    prefix = f"{label}: " if label else ""
    try:
        executor = make_executor(backend)
    except BackendError as err:
        raise ConfigError(option, prefix + str(err)) from None
    if num_items is not None and hasattr(executor, "check_memory"):
        q = num_qubits_for(num_items)
        plan = as_strategy(strategy or DEFAULT_STRATEGY)
        widest = (executor.widest_circuit_qubits(q, plan) if hasattr(executor, "widest_circuit_qubits")
                  else plan.widest_circuit_qubits(q))  # the qubits the executor's circuits really have
        why = f"m = {num_items} needs {q} index qubits" + (
            f" and the widest circuit of the {strategy or DEFAULT_STRATEGY} strategy on it adds {widest - q} "
            f"qubit{'s' if widest - q > 1 else ''}"
            if widest > q else "")
        try:
            executor.check_memory(widest)
        except InsufficientMemoryError as err:
            raise ConfigError("m", f"{prefix}{why}: {err}; use {instead} (exact ideal statistics without a "
                              "statevector) for larger problems") from None
    return executor


class GroverFinder(FiredSetFinder):
    """Find-all Grover search per input on a named backend (``grover-<backend>``)."""

    exact = False
    seconds_label = "simulation"

    def __init__(self, backend: str = "emulator", strategy: str = DEFAULT_STRATEGY,
                 delta: float = DEFAULT_DELTA, seed: int | np.random.Generator = 0,
                 oracle: str = "table", bits: int = DEFAULT_BITS, memory: str = DEFAULT_MEMORY,
                 uncompute: str = DEFAULT_UNCOMPUTE, adder: str = DEFAULT_ADDER):
        super().__init__()
        if oracle not in ORACLES:
            raise ValueError(f"oracle must be one of {ORACLES}, got {oracle!r}")
        if oracle == "arithmetic":
            if backend != "aer":
                raise ValueError(f"the arithmetic oracle runs on backend 'aer' only, got {backend!r}")
            from circuits.arithmetic_search import ArithmeticAerExecutor

            self.executor = ArithmeticAerExecutor(uncompute=uncompute)
        else:
            self.executor = make_executor(backend)
        self.oracle = oracle
        self.bits = bits
        self.memory = memory
        self.uncompute = uncompute
        self.adder = adder
        self.quantum_queries = {"grover": 0, "counting": 0, "check": 0}
        self.quantized_total = 0
        self.flips = 0
        self.backend = backend
        self.name = GROVER_PREFIX + backend
        self.strategy = strategy
        self.delta = delta
        self.rng = stream(seed, "search")
        self.queries: list[int] = []
        self.ratios: list[float] = []
        self.scan_ratios: list[float] = []
        self.marked_total = 0
        self.found_total = 0
        self.table_seconds = 0.0
        self.searched_found = 0
        self._shape: tuple[int, int] | None = None

    def _arithmetic_problems(self, net: ShiftedReLUNet, X: np.ndarray, indptr, indices) -> list[SearchProblem]:
        """Quantized instances to the executor; the problems' marked sets serve the classical checks only."""
        insts = [fixed_point_instance(net.W, x, net.b, self.bits) for x in X]
        self.executor.set_instances(insts)
        problems = []
        for i, inst in enumerate(insts):
            marked = inst.marked()
            exact = indices[indptr[i]:indptr[i + 1]]
            self.flips += int(np.setxor1d(marked, exact).size)
            self.quantized_total += int(marked.size)
            problems.append(SearchProblem(net.m, marked))
        return problems

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
        start = time.perf_counter()
        truth = net.fired_sets(X)  # table oracle: its truth table; arithmetic: recall and flips only
        indptr, indices = truth.by_input
        self.table_seconds += time.perf_counter() - start
        if self.oracle == "arithmetic":
            problems = self._arithmetic_problems(net, X, indptr, indices)
        else:
            problems = [SearchProblem(net.m, indices[indptr[i]:indptr[i + 1]]) for i in range(X.shape[0])]
        results = find_all_many(problems, self.executor, strategy=self.strategy, delta=self.delta, seed=self.rng)
        for res in results:
            for kind, v in res.queries_by_kind.items():
                self.quantum_queries[kind] += v
        self._shape = (net.m, net.d)
        found = [res.found for res in results]
        queries = np.array([res.queries for res in results])
        k = np.diff(indptr)
        self.ops += int(queries.sum())
        self.queries.append(int(queries.sum()))
        has = k > 0
        if has.any():
            self.ratios.append(float(np.mean(queries[has] / np.sqrt(net.m * k[has]))))
            self.scan_ratios.append(float(np.mean(np.sqrt(net.m / k[has]))))
        self.marked_total += int(k.sum())
        self.searched_found += int(sum(len(f) for f in found))
        if self.oracle == "arithmetic":  # found items outside the exact sets are quantization flips
            self.found_total += int(sum(np.isin(f, indices[indptr[i]:indptr[i + 1]]).sum() for i, f in enumerate(found)))
        else:
            self.found_total = self.searched_found
        counts = np.array([len(f) for f in found], dtype=np.int64)
        ptr = np.concatenate(([0], np.cumsum(counts))).astype(np.int64)
        flat = np.concatenate(found).astype(np.int64) if found else np.empty(0, dtype=np.int64)
        return FiredSets.from_input_major(ptr, flat, net.m)

    def report(self) -> dict:
        recall = self.found_total / self.marked_total if self.marked_total else 1.0
        return {
            "backend": self.backend,
            "executor": self.executor.label,
            "strategy": self.strategy,
            "delta": self.delta,
            "oracle_queries": self.queries,
            "queries_over_sqrt_mk": float(np.mean(self.ratios)) if self.ratios else math.nan,
            "scan_over_sqrt_mk": float(np.mean(self.scan_ratios)) if self.scan_ratios else math.nan,
            "recall": recall,
            "fired_pairs": int(self.marked_total),
            "missed": int(self.marked_total - self.found_total),
            "oracle_table_seconds": self.table_seconds,
            "oracle": self.oracle,
            "bits": self.bits,
            **self._gate_cost(),
            **self._quantized(),
        }

    def _quantized(self) -> dict:
        if self.oracle != "arithmetic":
            return {}
        qr = self.searched_found / self.quantized_total if self.quantized_total else 1.0
        note = (f"arithmetic oracle at p={self.bits} bits: quantized recall {qr:.4f}, "
                f"{self.flips} pairs flipped by the rounding")
        return {"quantized_recall": qr, "quantization_flips": self.flips, "oracle_note": note}

    def _gate_cost(self) -> dict:
        """Toffolis of the quantum queries run so far, at ``bits`` bits under ``memory`` (module docstring)."""
        if self._shape is None:
            return {}
        m, d = self._shape
        layout = ran_layout(self.oracle, self.uncompute)
        cost = query_cost(m, d, self.bits, self.memory, layout, uncompute=self.uncompute, adder=self.adder)
        q = self.quantum_queries
        total = input_cost(cost, q["grover"], q["counting"], q["check"])
        ran = f"; {RAN_NOTE[self.uncompute]}" if self.oracle == "arithmetic" else ""
        note = (f"gate cost {total.toffoli:.3g} Toffolis = {q['grover'] + q['counting']} quantum queries x "
                f"{cost.toffoli:.3g} per query ({self.memory}, {layout}, uncompute {self.uncompute}, adder "
                f"{self.adder}, p={self.bits}, worst-case x; T = 4 per Toffoli{ran})")
        return {"gate_cost_memory": self.memory, "gate_cost_layout": layout, "uncompute": self.uncompute,
                "adder": self.adder, "toffoli_per_query": cost.toffoli,
                "quantum_queries": q["grover"] + q["counting"], "gate_cost_toffoli": total.toffoli,
                "gate_cost_note": note}
