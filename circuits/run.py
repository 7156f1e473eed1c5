"""Run ONE Grover search circuit on a backend: its counts and its success probability.

``m`` items on ``q = max(1, ceil(log2 m))`` index qubits, a marked set, ``j``
Grover iterations (``"auto"``: the optimal ``floor(pi / (4 theta))``,
``sin^2 theta = k / 2^q``), ``shots`` shots. The ideal success probability is
``sin^2((2j+1) theta)`` (BBHT 1998, eq. 5); the uniform guess is ``k / 2^q``.

Backends (names as in :mod:`circuits.backends`):

- ``aer``: the statevector circuit ``H^q``, ``j`` x (``DiagonalGate`` oracle,
  diffusion), measure; run natively on Aer (not transpiled);
- ``emulator``: the same counts drawn exactly from the ideal output law
  (:class:`~circuits.executors.EmulatedExecutor`; no circuit runs; depth and
  gates are those of the ``aer`` circuit);
- device backends (``aer-noisy:<fake>``, ``<fake>``, ``ibm:<device>``): the
  hardware oracle with the fewest two-qubit gates for the device, transpiled
  to its ISA (:mod:`circuits.ibm`), sent as one sampler job.

:func:`run_search_circuit` does it all; :func:`prepare_search_circuit` then
:meth:`SearchCircuit.submit` and :meth:`SearchCircuitJob.result` split it, so
that a caller can record an IBM job id before waiting (or not wait at all).
"""

from __future__ import annotations

from dataclasses import dataclass, field, fields

import numpy as np
from qiskit import QuantumCircuit

from circuits.backends import make_executor
from circuits.executors import GROVER, AerExecutor, EmulatedExecutor, Executor, make_batch
from circuits.grover import grover_circuit, optimal_iterations, success_probability
from circuits.hardware_oracles import two_qubit_count
from circuits.marked import MarkedSets
from circuits.oracles import diagonal_oracle
from circuits.problem import SearchProblem, num_qubits_for

#: Shots of one circuit run: every shot's outcome is kept in memory.
MAX_SHOTS = 2**20


@dataclass(frozen=True)
class OutcomeStats:
    """What the measured outcomes of one Grover circuit say.

    ``counts``: outcome -> shots, by outcome.
    ``success_probability``: the fraction of shots on a marked item, with its
    one-sided binomial standard error ``stderr = sqrt(p (1 - p) / shots)``;
    ``ideal_success_probability = sin^2((2j+1) theta)``; ``uniform_guess = k / 2^q``.
    """

    shots: int
    counts: dict[int, int]
    success_probability: float
    stderr: float
    ideal_success_probability: float
    uniform_guess: float

    def to_dict(self) -> dict:
        """The outcome keys of ``quantum-train circuit --json`` (and ``job --json``)."""
        return {"shots": self.shots, "counts": {str(v): c for v, c in self.counts.items()},
                "success_probability_measured": self.success_probability,
                "success_probability_stderr": self.stderr,
                "success_probability_ideal": self.ideal_success_probability,
                "uniform_guess": self.uniform_guess}


def outcome_stats(outcomes, marked, num_qubits: int, iterations: int) -> OutcomeStats:
    """Counts and success probabilities of measured ``outcomes`` (item indices, one per shot)."""
    outcomes = np.asarray(outcomes, dtype=np.int64)
    marked = np.asarray(marked, dtype=np.int64)
    shots = int(outcomes.size)
    values, counts = np.unique(outcomes, return_counts=True)
    measured = float(counts[np.isin(values, marked)].sum() / shots) if shots else float("nan")
    n = 1 << int(num_qubits)
    ideal = float(success_probability(len(marked), n, int(iterations))) if len(marked) else 0.0
    stderr = float(np.sqrt(max(measured * (1 - measured), 1e-12) / shots)) if shots else float("nan")
    return OutcomeStats(shots=shots, counts=dict(zip(values.tolist(), counts.tolist())),
                        success_probability=measured, stderr=stderr, ideal_success_probability=ideal,
                        uniform_guess=len(marked) / n)


@dataclass(frozen=True)
class CircuitFacts:
    """What is known of a Grover search circuit before it runs.

    ``depth`` and ``two_qubit_gates`` are those of the circuit that runs (the
    ISA circuit on a device backend); ``oracle`` is the hardware oracle chosen
    (``None`` off devices) with ``oracle_candidates`` the two-qubit gates of
    each candidate; ``circuit`` is the logical circuit (oracle and diffusion as
    boxes), for drawing.
    """

    m: int
    num_qubits: int
    marked: tuple[int, ...]
    iterations: int
    backend: str
    backend_label: str
    seed: int
    depth: int
    two_qubit_gates: int
    oracle: str | None
    oracle_candidates: dict[str, int] | None
    transpiled_for: str
    backend_name: str | None
    circuit: QuantumCircuit = field(repr=False)

    def describe(self) -> dict:
        """JSON-ready, in the key order of ``quantum-train circuit --json``."""
        out = {"m": self.m, "num_qubits": self.num_qubits, "marked": list(self.marked),
               "iterations": self.iterations, "backend": self.backend, "backend_label": self.backend_label,
               "seed": self.seed}
        if self.backend_name is not None:
            out["backend_name"] = self.backend_name
        out.update(depth=self.depth, two_qubit_gates=self.two_qubit_gates, oracle=self.oracle)
        if self.oracle_candidates is not None:
            out["oracle_candidates"] = dict(self.oracle_candidates)
        out["transpiled_for"] = self.transpiled_for
        return out


@dataclass(frozen=True)
class SearchCircuitRun(CircuitFacts):
    """One Grover search circuit, run: its :class:`OutcomeStats` fields, the outcomes, and ``job_id``
    (only for remote IBM Quantum jobs; local runs have none to fetch)."""

    shots: int = 0
    counts: dict[int, int] = field(default_factory=dict)
    outcomes: np.ndarray = field(default=None, repr=False)
    success_probability: float = float("nan")
    stderr: float = float("nan")
    ideal_success_probability: float = float("nan")
    uniform_guess: float = float("nan")
    job_id: str | None = None

    def describe(self) -> dict:
        return super().describe() | ({"job_id": self.job_id} if self.job_id else {})

    def to_dict(self) -> dict:
        """The JSON document of ``quantum-train circuit --json`` (without its ``seconds``)."""
        return self.describe() | self.stats.to_dict()

    @property
    def stats(self) -> OutcomeStats:
        return OutcomeStats(self.shots, self.counts, self.success_probability, self.stderr,
                            self.ideal_success_probability, self.uniform_guess)


def logical_circuit(oracle: QuantumCircuit, zero_reflection: QuantumCircuit, iterations: int) -> QuantumCircuit:
    """The diagram: ``H^q``, ``j`` x (oracle, diffusion ``H^q S_0 H^q``) as boxes, measure.

    ``S_0`` is the phase oracle of ``{0}`` (up to a global phase), as on devices
    (:meth:`circuits.ibm.DeviceExecutor.zero_reflection`).
    """
    q = oracle.num_qubits
    qc = QuantumCircuit(q, q, name="grover")
    qc.h(range(q))
    o = oracle.to_gate(label="oracle")
    dif = QuantumCircuit(q, name="diffusion")
    dif.h(range(q))
    dif.compose(zero_reflection, range(q), inplace=True)
    dif.h(range(q))
    d = dif.to_gate(label="diffusion")
    for _ in range(int(iterations)):
        qc.append(o, range(q))
        qc.append(d, range(q))
    qc.measure(range(q), range(q))
    return qc


def search_iterations(iterations: int | str, num_marked: int, num_qubits: int) -> int:
    """``"auto"``: the optimal ``floor(pi / (4 theta))`` (0 with nothing marked); else an integer ``>= 0``."""
    if isinstance(iterations, str):
        if iterations == "auto":
            return optimal_iterations(num_marked, 1 << num_qubits) if num_marked else 0
        try:
            iterations = int(iterations)
        except ValueError:
            raise ValueError(f"iterations: expected auto or an integer >= 0, got {iterations!r}") from None
    if isinstance(iterations, bool) or not isinstance(iterations, (int, np.integer)):
        raise ValueError(f"iterations: expected auto or an integer >= 0, got {iterations!r}")
    if iterations < 0:
        raise ValueError(f"iterations must be >= 0, got {iterations}")
    return int(iterations)


def check_shots(shots: int) -> int:
    """``1 <= shots <= MAX_SHOTS`` (each shot is kept as one outcome)."""
    if isinstance(shots, bool) or not isinstance(shots, (int, np.integer)) or shots < 1:
        raise ValueError(f"shots must be an integer >= 1, got {shots!r}")
    if shots > MAX_SHOTS:
        raise ValueError(f"at most {MAX_SHOTS} (2^20) shots; each is kept as one outcome, got {shots}")
    return int(shots)


@dataclass(frozen=True)
class SearchCircuit(CircuitFacts):
    """A Grover search circuit built (and transpiled, on a device) for a backend, not yet run."""

    executor: Executor | None = field(default=None, repr=False)
    #: the circuit that runs (the ISA circuit on a device; ``None`` for the emulator)
    runnable: QuantumCircuit | None = field(default=None, repr=False)

    def submit(self, shots: int = 1024) -> SearchCircuitJob:
        """Start the run (one sampler job on a device backend); :meth:`SearchCircuitJob.result` waits for it."""
        shots = check_shots(shots)
        ex = self.executor
        if self.runnable is None:  # emulator: exact ideal statistics
            batch = make_batch(MarkedSets([SearchProblem(self.m, list(self.marked))]), [0],
                               iterations=self.iterations, shots=shots)
            outcomes, _ = ex.run(batch, np.random.default_rng(self.seed))
            return SearchCircuitJob(self, shots, None, outcomes=outcomes)
        if isinstance(ex, AerExecutor):
            result = ex.simulator.run(self.runnable, shots=shots, memory=True, seed_simulator=self.seed).result()
            outcomes = np.array([int(b, 2) for b in result.get_memory(0)], dtype=np.int64)
            return SearchCircuitJob(self, shots, None, outcomes=outcomes)
        ex.on_submit = None
        job = ex.submit([self.runnable], shots, self.seed)
        return SearchCircuitJob(self, shots, ex.job_ids[-1] if ex.remote else None, job=job)


class SearchCircuitJob:
    """A submitted :class:`SearchCircuit`. ``job_id``: the IBM Quantum job id (``None`` for local runs)."""

    def __init__(self, circuit: SearchCircuit, shots: int, job_id: str | None, *, outcomes=None, job=None):
        self.search = circuit
        self.shots = shots
        self.job_id = job_id
        self._outcomes = outcomes
        self._job = job

    def result(self) -> SearchCircuitRun:
        """Wait for the outcomes (a :class:`~circuits.errors.JobFailedError` if the job fails or times out)."""
        c = self.search
        if self._outcomes is None:
            from circuits.ibm import outcomes_of

            self._outcomes = outcomes_of(c.executor.wait(self._job)[0], c.runnable)
        stats = outcome_stats(self._outcomes, c.marked, c.num_qubits, c.iterations)
        facts = {f.name: getattr(c, f.name) for f in fields(CircuitFacts)}
        return SearchCircuitRun(**facts, **vars(stats), outcomes=self._outcomes, job_id=self.job_id)


def prepare_search_circuit(m: int, marked, backend: str | Executor = "aer", iterations: int | str = "auto",
                           seed: int = 0, timeout: float | None = 3600.0) -> SearchCircuit:
    """Build (and on a device, transpile) the circuit of ``m`` items with ``marked`` found by ``iterations``.

    ``backend``: a name (:func:`circuits.backends.make_executor`) or an executor.
    ``seed`` drives the simulators and the transpiler; ``timeout``: seconds to
    wait for an IBM Quantum job. Raises ``ValueError`` for a bad argument,
    :class:`~circuits.errors.BackendError` subclasses for the backend
    (:class:`~circuits.errors.UnknownBackendError`,
    :class:`~circuits.errors.TooManyQubitsError`, ...) and
    :class:`~circuits.executors.InsufficientMemoryError` when Aer cannot hold the statevector.
    """
    problem = SearchProblem(m, marked)
    if isinstance(seed, bool) or not isinstance(seed, (int, np.integer)) or seed < 0:
        raise ValueError(f"seed must be an integer >= 0, got {seed!r}")
    q = num_qubits_for(problem.num_items)
    marked_t = tuple(int(x) for x in problem.marked)
    j = search_iterations(iterations, len(marked_t), q)
    executor = make_executor(backend) if isinstance(backend, str) else backend
    name = backend if isinstance(backend, str) else getattr(executor, "name", type(executor).__name__)
    common = dict(m=problem.num_items, num_qubits=q, marked=marked_t, iterations=j, backend=name,
                  backend_label=executor.label, seed=int(seed), executor=executor)
    if isinstance(executor, (AerExecutor, EmulatedExecutor)):
        if isinstance(executor, AerExecutor):
            executor.check_memory(q)
        oracle = diagonal_oracle(q, list(marked_t))
        circuit = grover_circuit(oracle, j)
        aer = isinstance(executor, AerExecutor)
        return SearchCircuit(**common, depth=circuit.depth(), two_qubit_gates=two_qubit_count(circuit), oracle=None,
                             oracle_candidates=None,
                             transpiled_for=("aer (DiagonalGate oracle run natively, not transpiled)" if aer else
                                             "emulator (ideal statistics sampled exactly; the aer circuit's counts)"),
                             backend_name=None, circuit=logical_circuit(oracle, diagonal_oracle(q, [0]), j),
                             runnable=circuit if aer else None)
    from circuits.ibm import DeviceExecutor

    if not isinstance(executor, DeviceExecutor):
        raise ValueError(f"backend {name!r} runs no circuits; choose aer, emulator, aer-noisy:<fake name>, "
                         "<fake name> or ibm:<device>")
    executor.seed_transpiler = int(seed)
    if executor.remote:
        executor.timeout = timeout
    executor.check_qubits(q)
    kind, oracle, cands = executor.choose_oracle(q, list(marked_t))
    zero = executor.zero_reflection(q)
    isa = executor.isa_circuit(q, list(marked_t), GROVER, j)
    return SearchCircuit(**common, depth=isa.depth(), two_qubit_gates=two_qubit_count(isa), oracle=kind,
                         oracle_candidates=dict(cands), transpiled_for=executor.backend_name,
                         backend_name=executor.backend_name, circuit=logical_circuit(oracle, zero, j), runnable=isa)


def run_search_circuit(m: int, marked, backend: str | Executor = "aer", iterations: int | str = "auto",
                       shots: int = 1024, seed: int = 0, timeout: float | None = 3600.0) -> SearchCircuitRun:
    """Run one Grover search circuit and return its counts and success probability (module docstring).

    >>> run = run_search_circuit(16, [3, 9], backend="aer", shots=500)   # doctest: +SKIP
    >>> run.success_probability, run.ideal_success_probability           # doctest: +SKIP
    """
    shots = check_shots(shots)
    return prepare_search_circuit(m, marked, backend, iterations, seed, timeout).submit(shots).result()
