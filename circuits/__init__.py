"""Quantum search over "m items, a marked set": oracles, Grover circuits,
find-all strategies with query accounting, and executors (Aer, an exact
emulator of ideal Grover statistics, IBM), and one search circuit run on a
backend (:func:`run_search_circuit`). Knows nothing of neural networks."""

import qt_kernel_cache  # noqa: F401  (drops stale numba caches before any kernel loads)
from circuits.errors import BackendError
from circuits.executors import AerExecutor, Batch, EmulatedExecutor, Executor, InsufficientMemoryError
from circuits.problem import SearchProblem, num_qubits_for
from circuits.run import (
    CircuitFacts,
    SearchCircuit,
    SearchCircuitJob,
    SearchCircuitRun,
    prepare_search_circuit,
    run_search_circuit,
)
from circuits.search import STRATEGIES, FindAllResult, FindAllStrategy, find_all, find_all_many

__all__ = ["SearchProblem", "num_qubits_for", "AerExecutor", "EmulatedExecutor", "Executor",
           "Batch", "InsufficientMemoryError", "FindAllResult", "FindAllStrategy", "STRATEGIES",
           "find_all", "find_all_many", "CircuitFacts", "SearchCircuit", "SearchCircuitJob", "SearchCircuitRun",
           "prepare_search_circuit", "run_search_circuit", "BackendError"]
