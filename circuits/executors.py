"""Executors: run batches of Grover searches and counting circuits, return measured outcomes.

The contract (:class:`Executor`): given a :class:`Batch` of requests over a
:class:`~circuits.marked.MarkedSets` (each request: a problem, its kind,
``j`` Grover iterations or ``t`` counting qubits, and a number of shots), return
one outcome per shot: the measured item index for a Grover request, the
precision-register readout ``y`` for a counting request. Executors do *no*
query accounting: the search layer (:mod:`circuits.search`) counts queries
the same way whatever ran the circuits.

- :class:`AerExecutor`: real statevector circuits on ``qiskit_aer.AerSimulator``
  (one ``run`` call per batch, seeded), with a memory guard.
- :class:`EmulatedExecutor`: an *emulator of ideal statistics*: it samples the
  exact ideal output law (BBHT 1998 for Grover, BHMT 2002 / Fejer kernel for
  counting) without any statevector. Not a simulation.

Device executors (:mod:`circuits.ibm`: ISA circuits from
``generate_preset_pass_manager``, ``SamplerV2``) share the batch loop of
:class:`CircuitExecutor`.
"""

from __future__ import annotations

import math
import os
import warnings
from abc import ABC, abstractmethod
from dataclasses import dataclass

import numpy as np
from numba import njit
from qiskit import QuantumCircuit

from circuits.counting import _check_precision, controlled_grover_op, counting_distribution, iterative_counting_circuit
from circuits.grover import GroverIteration, grover_circuit_from, grover_iteration
from circuits.marked import MarkedSets, _sample_marked, _sample_unmarked
from circuits.oracles import oracle_diagonal, sign_diagonal_gate

GROVER = 0
COUNTING = 1


@dataclass(frozen=True)
class Batch:
    """Requests over ``marked``: arrays of equal length, one entry per request.

    ``kinds[i]`` is :data:`GROVER` (``params[i]`` = iterations ``j >= 0``) or
    :data:`COUNTING` (``params[i]`` = precision qubits ``t >= 1``);
    ``shots[i] >= 1``.
    """

    marked: MarkedSets
    problems: np.ndarray
    kinds: np.ndarray
    params: np.ndarray
    shots: np.ndarray

    def __post_init__(self) -> None:
        n = len(self.problems)
        for name in ("kinds", "params", "shots"):
            if len(getattr(self, name)) != n:
                raise ValueError(f"Batch.{name} must have one entry per request ({n})")
        if n and (np.min(self.problems) < 0 or np.max(self.problems) >= len(self.marked)):
            raise ValueError("Batch.problems holds an id outside the MarkedSets")
        if n and np.min(self.shots) < 1:
            raise ValueError(f"shots must be >= 1 per request, got {int(np.min(self.shots))}")
        if np.any((self.kinds != GROVER) & (self.kinds != COUNTING)):
            raise ValueError("Batch.kinds must be GROVER (0) or COUNTING (1)")
        if np.any(self.params[self.kinds == GROVER] < 0):
            raise ValueError("Grover iterations must be >= 0")
        if np.any(self.params[self.kinds == COUNTING] < 1):
            raise ValueError("counting precision t must be >= 1")

    @property
    def shot_offsets(self) -> np.ndarray:
        off = np.zeros(len(self.problems) + 1, dtype=np.int64)
        np.cumsum(self.shots, out=off[1:])
        return off

    def num_qubits(self) -> np.ndarray:
        """Total qubits of each request's circuit (``q``, or ``q + t`` for counting)."""
        q = self.marked.num_qubits[self.problems]
        return np.where(self.kinds == COUNTING, q + self.params, q)


def make_batch(marked: MarkedSets, problems, iterations=None, shots=1, kinds=None) -> Batch:
    """Convenience: a batch of Grover requests (or mixed, with ``kinds``)."""
    problems = np.atleast_1d(np.asarray(problems, dtype=np.int64))
    n = problems.size
    params = np.broadcast_to(np.asarray(iterations, dtype=np.int64), (n,)).copy()
    if isinstance(shots, (int, np.integer)) and not isinstance(shots, bool):
        if shots < 1:
            raise ValueError(f"shots must be >= 1, got {shots}")
    sh = np.broadcast_to(np.asarray(shots, dtype=np.int64), (n,)).copy()
    k = (np.zeros(n, dtype=np.int64) if kinds is None
         else np.broadcast_to(np.asarray(kinds, dtype=np.int64), (n,)).copy())
    return Batch(marked, problems, k, params, sh)


class Executor(ABC):
    """Runs a :class:`Batch`; returns ``(outcomes, shot_offsets)`` (flat int64, CSR by request)."""

    #: short identifier, recorded in results
    name: str = "executor"
    #: human-readable description, recorded in reports
    label: str = ""

    @abstractmethod
    def run(self, batch: Batch, rng: np.random.Generator) -> tuple[np.ndarray, np.ndarray]:
        ...


class CircuitExecutor(Executor):
    """An executor that runs real circuits: build them, run a batch as one job, decode each shot.

    Subclasses say how to build (:meth:`circuits_for`), run (:meth:`execute`) and
    read one circuit's per-shot outcomes (:meth:`shot_outcomes`); the batch
    bookkeeping lives here once. Every request runs at the batch's largest shot
    count and keeps its first ``s`` shots, which are i.i.d., so a sample of ``s``.
    """

    circuits_run: int = 0

    @abstractmethod
    def circuits_for(self, batch: Batch) -> list[QuantumCircuit]:
        """The measured circuits of a batch, one per request."""

    @abstractmethod
    def execute(self, circuits: list[QuantumCircuit], shots: int, seed: int):
        """Run the circuits as one job; return its result."""

    @abstractmethod
    def shot_outcomes(self, result, i: int, circuit: QuantumCircuit) -> np.ndarray:
        """Per-shot item indices (or counting readouts) of request ``i``."""

    def run(self, batch: Batch, rng: np.random.Generator) -> tuple[np.ndarray, np.ndarray]:
        off = batch.shot_offsets
        if len(batch.problems) == 0:
            return np.zeros(0, dtype=np.int64), off
        circuits = self.circuits_for(batch)
        out = np.empty(off[-1], dtype=np.int64)
        self._run_into(out, batch, range(len(circuits)), circuits, int(rng.integers(0, 2**31 - 1)))
        return out, off

    def _run_into(self, out: np.ndarray, batch: Batch, requests, circuits: list, seed: int) -> None:
        """Run ``circuits`` (one per request index in ``requests``) as one job; write each request's shots."""
        off = batch.shot_offsets
        result = self.execute(circuits, int(batch.shots.max()), seed)
        self.circuits_run += len(circuits)
        for c, i in enumerate(requests):
            out[off[i]:off[i + 1]] = self.shot_outcomes(result, c, circuits[c])[:int(batch.shots[i])]


# --------------------------------------------------------------------------- emulator

@njit(cache=True, nogil=True)
def _emulate_grover(items, alive, pool, offsets, remaining, num_states,
                    problem_ids, iterations, shot_offsets, out, rng):
    for i in range(problem_ids.shape[0]):
        p = problem_ids[i]
        r = remaining[p]
        n = num_states[p]
        if r >= n:
            prob = 1.0
        else:
            theta = math.asin(math.sqrt(r / n))
            prob = math.sin((2 * iterations[i] + 1) * theta) ** 2
        for s in range(shot_offsets[i], shot_offsets[i + 1]):
            if r > 0 and (r >= n or rng.random() < prob):
                out[s] = _sample_marked(items, pool, offsets, remaining, p, rng.random())
            else:
                out[s] = _sample_unmarked(items, alive, pool, offsets, remaining, p, n, rng)


class EmulatedExecutor(Executor):
    """Emulator of ideal Grover statistics: exact sampling, no statevector, not a simulation.

    Grover request (``r`` marked remaining, ``N = 2^q``, ``j`` iterations): each
    shot is marked with probability ``sin^2((2j+1) theta)``, ``sin^2 theta = r/N``
    (BBHT 1998), then uniform within the marked set, or within the unmarked set
    (padding included). Counting request: ``y`` sampled from the exact
    phase-estimation law :func:`circuits.counting.counting_distribution`
    (BHMT 2002; Fejer kernel). Cost is independent of ``q``, so it scales to
    ``m = 2^20`` and beyond; the tests check it against :class:`AerExecutor`.
    """

    name = "emulator"
    label = "emulator of ideal Grover statistics (exact sampling, no statevector; not a simulation)"

    def run(self, batch: Batch, rng: np.random.Generator) -> tuple[np.ndarray, np.ndarray]:
        ms = batch.marked
        off = batch.shot_offsets
        out = np.empty(off[-1], dtype=np.int64)
        g = batch.kinds == GROVER
        if np.all(g):
            _emulate_grover(ms.items, ms.alive, ms.pool, ms.offsets, ms.remaining, ms.num_states,
                            batch.problems, batch.params, off, out, rng)
            return out, off
        gi = np.flatnonzero(g)
        if gi.size:
            sub_off = np.zeros(gi.size + 1, dtype=np.int64)
            np.cumsum(batch.shots[gi], out=sub_off[1:])
            sub = np.empty(sub_off[-1], dtype=np.int64)
            _emulate_grover(ms.items, ms.alive, ms.pool, ms.offsets, ms.remaining, ms.num_states,
                            batch.problems[gi], batch.params[gi], sub_off, sub, rng)
            for a, i in enumerate(gi):
                out[off[i]:off[i + 1]] = sub[sub_off[a]:sub_off[a + 1]]
        for i in np.flatnonzero(~g):
            p = int(batch.problems[i])
            t = int(batch.params[i])
            pmf = counting_distribution(int(ms.remaining[p]), int(ms.num_states[p]), t)
            cdf = np.cumsum(pmf)
            y = np.searchsorted(cdf, rng.random(int(batch.shots[i])) * cdf[-1], side="right")
            out[off[i]:off[i + 1]] = np.minimum(y, pmf.size - 1)
        return out, off


# --------------------------------------------------------------------------- Aer

class InsufficientMemoryError(MemoryError):
    """A statevector request does not fit in available memory (raised before allocating)."""


def available_memory_bytes() -> int:
    """``MemAvailable`` from ``/proc/meminfo``, else free pages via ``os.sysconf``."""
    try:
        with open("/proc/meminfo") as fh:
            for line in fh:
                if line.startswith("MemAvailable:"):
                    return int(line.split()[1]) * 1024
    except OSError:
        pass
    return int(os.sysconf("SC_AVPHYS_PAGES") * os.sysconf("SC_PAGE_SIZE"))


def statevector_bytes(num_qubits: int) -> int:
    """``16 * 2^n`` bytes (complex128 amplitudes)."""
    return 16 * (1 << int(num_qubits))


class AerExecutor(CircuitExecutor):
    """Real statevector circuits on ``AerSimulator(method="statevector")``.

    Each batch (every search of a find-all round) becomes a list of circuits
    sent in ONE ``run`` call (seeded from the caller's generator),
    ``memory=True`` so each shot's index is read back. Oracles are
    ``DiagonalGate`` s, the reflection a multi-controlled phase and the
    single-qubit layers ``UnitaryGate`` blocks, all Aer native, so nothing is
    transpiled (counting circuits carry classically controlled phases, which
    Aer compiles itself). Reuse, with no gate ever copied: the layers of each
    size are built once (:func:`~circuits.grover.grover_iteration`); a problem's oracle, its
    iteration (and its controlled operator) are built once per marked set
    (keyed on ``MarkedSets.version``) and the same instruction objects are
    appended ``j`` times (:func:`~circuits.grover.grover_circuit_from`).
    Counting requests run as :func:`~circuits.counting.iterative_counting_circuit`:
    the same readout law on ``q + 1`` qubits instead of ``q + t``.

    ``direct`` (default): the Grover requests of a batch are assembled straight
    into Aer's own circuits from the cached iteration (:mod:`circuits.aer_direct`)
    and run by Aer's controller in one job, skipping ``AerSimulator.run``'s
    per-instruction Python preparation (1.9-2.1x faster end to end, same shots for
    the same seed); counting requests, which carry classical control, go
    through ``AerSimulator.run``. ``direct=False`` runs everything through it.

    Memory guard: a request on ``n`` qubits needs ``16 * 2^n`` bytes; when that
    exceeds ``memory_fraction`` of available memory the batch is refused with
    :class:`InsufficientMemoryError` before anything is built.

    Threads: one OpenMP thread unless ``max_parallel_threads`` is passed. Aer's
    threads spin while they wait; on this project's shared 2-core machine one
    thread was faster at every size measured (a 15-qubit counting circuit
    0.25 s against 4.0 s; 20-qubit Grover circuits 2.7 s against 4.4 s).
    """

    name = "aer"
    label = "qiskit-aer statevector simulation"

    def __init__(self, memory_fraction: float = 0.5, max_parallel_experiments: int = 1, direct: bool = True,
                 **simulator_options):
        from qiskit_aer import AerSimulator

        if not 0 < memory_fraction <= 1:
            raise ValueError(f"memory_fraction must be in (0, 1], got {memory_fraction}")
        self.memory_fraction = float(memory_fraction)
        simulator_options.setdefault("max_parallel_threads", 1)
        self.simulator = AerSimulator(method="statevector",
                                      max_parallel_experiments=max_parallel_experiments,
                                      **simulator_options)
        self._ops: dict[int, tuple[int, GroverIteration]] = {}
        self._cops: dict[int, tuple[int, QuantumCircuit]] = {}
        self._direct_ops: dict[int, tuple[int, tuple]] = {}
        self._cache_owner: int | None = None
        #: Grover requests assembled straight into Aer circuits (:mod:`circuits.aer_direct`)
        self.direct = bool(direct)
        #: circuits run so far (diagnostics)
        self.circuits_run = 0

    def widest_circuit_qubits(self, num_qubits: int, strategy) -> int:
        """Qubits of the widest circuit this executor runs for ``num_qubits`` index qubits and a strategy.

        Counting runs as :func:`~circuits.counting.iterative_counting_circuit`
        on ``q + 1`` qubits (not the ``q + t`` of textbook counting); Grover
        requests on the ``q`` index qubits.
        """
        return int(num_qubits) + (1 if strategy.name == "counting" else 0)

    def check_memory(self, num_qubits: int) -> None:
        """Raise :class:`InsufficientMemoryError` if ``num_qubits`` cannot be simulated."""
        need = statevector_bytes(num_qubits)
        avail = available_memory_bytes()
        if need > self.memory_fraction * avail:
            raise InsufficientMemoryError(
                f"a {num_qubits}-qubit statevector needs {need / 2**30:.3g} GiB but only "
                f"{self.memory_fraction:g} x {avail / 2**30:.3g} GiB available memory may be used")

    @staticmethod
    def _cached(cache: dict, ms: MarkedSets, p: int, build) -> QuantumCircuit:
        """``build()`` once per version of problem ``p``'s marked set (it changes as items are found)."""
        v = int(ms.version[p])
        hit = cache.get(p)
        if hit is None or hit[0] != v:
            hit = cache[p] = (v, build())
        return hit[1]

    def _iteration(self, ms: MarkedSets, p: int) -> GroverIteration:
        q = int(ms.num_qubits[p])
        return self._cached(self._ops, ms, p, lambda: grover_iteration(
            sign_diagonal_gate(oracle_diagonal(q, ms.current(p)))))

    def _controlled(self, ms: MarkedSets, p: int) -> QuantumCircuit:
        return self._cached(self._cops, ms, p, lambda: controlled_grover_op(int(ms.num_qubits[p]), ms.current(p),
                                                                            fused=True))

    def _prepare(self, batch: Batch) -> None:
        """Reset the caches for a new ``MarkedSets`` and apply the memory guard to the batch."""
        ms = batch.marked
        if id(ms) != self._cache_owner:  # a new MarkedSets: problem ids mean something else
            self._ops.clear()
            self._cops.clear()
            self._direct_ops.clear()
            self._cache_owner = id(ms)
        if batch.problems.size:  # counting runs on q + 1 qubits here (iterative_counting_circuit)
            q = ms.num_qubits[batch.problems]
            self.check_memory(int(np.max(np.where(batch.kinds == COUNTING, q + 1, q))))

    def _circuit(self, ms: MarkedSets, p: int, kind: int, param: int) -> QuantumCircuit:
        if kind == GROVER:
            return grover_circuit_from(self._iteration(ms, p), param)
        _check_precision(param)
        return iterative_counting_circuit(int(ms.num_qubits[p]), None, param, controlled=self._controlled(ms, p))

    def circuits_for(self, batch: Batch) -> list[QuantumCircuit]:
        """The measured circuits of a batch (after the memory guard)."""
        self._prepare(batch)
        return [self._circuit(batch.marked, p, kind, param)
                for p, kind, param in zip(batch.problems.tolist(), batch.kinds.tolist(), batch.params.tolist())]

    def run(self, batch: Batch, rng: np.random.Generator) -> tuple[np.ndarray, np.ndarray]:
        """With ``direct``, Grover requests run as Aer circuits built directly (:mod:`circuits.aer_direct`) in one
        job, and counting requests as Qiskit circuits in another; else every request through ``AerSimulator.run``."""
        if not self.direct or len(batch.problems) == 0:
            return super().run(batch, rng)
        try:
            return self._run_direct(batch, rng)
        except (ImportError, AttributeError, TypeError) as err:  # Aer's internal API changed: the public path
            warnings.warn(f"direct assembly of Aer circuits failed ({err!r}); running through AerSimulator.run",
                          RuntimeWarning, stacklevel=2)
            self.direct = False
            return super().run(batch, rng)

    def _run_direct(self, batch: Batch, rng: np.random.Generator) -> tuple[np.ndarray, np.ndarray]:
        from circuits.aer_direct import aer_ops, grover_aer_circuit, run_measured, start_ops

        self._prepare(batch)
        ms, off = batch.marked, batch.shot_offsets
        seed = int(rng.integers(0, 2**31 - 1))
        out = np.empty(off[-1], dtype=np.int64)
        grover = np.flatnonzero(batch.kinds == GROVER).tolist()
        if grover:
            circuits = []
            for c, i in enumerate(grover):
                p = int(batch.problems[i])
                iteration = self._iteration(ms, p)
                ops = self._cached(self._direct_ops, ms, p, lambda it=iteration: aer_ops(it.instructions, it.register))
                j = int(batch.params[i])
                circuits.append(grover_aer_circuit(start_ops(iteration.register), ops, iteration.register, j,
                                                   j * iteration.global_phase, c))
            q_max = int(ms.num_qubits[batch.problems[grover]].max())
            for i, shots_i in zip(grover, run_measured(self.simulator, circuits, q_max, int(batch.shots.max()), seed)):
                out[off[i]:off[i + 1]] = shots_i[:int(batch.shots[i])]
            self.circuits_run += len(grover)
        counting = np.flatnonzero(batch.kinds != GROVER).tolist()
        if counting:
            circuits = [self._circuit(ms, int(batch.problems[i]), COUNTING, int(batch.params[i])) for i in counting]
            self._run_into(out, batch, counting, circuits, seed + 1 if grover else seed)
        return out, off

    def execute(self, circuits: list[QuantumCircuit], shots: int, seed: int):
        return self.simulator.run(circuits, shots=shots, memory=True, seed_simulator=seed).result()

    def shot_outcomes(self, result, i: int, circuit: QuantumCircuit) -> np.ndarray:
        return np.array([int(bits, 2) for bits in result.get_memory(i)], dtype=np.int64)
