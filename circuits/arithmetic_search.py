"""Grover and counting circuits over the gate-level arithmetic oracle, and their Aer executor.

The search layer (:mod:`circuits.search`) is unchanged: it asks an executor for
Grover or counting requests over a :class:`~circuits.marked.MarkedSets`, and
checks each measured index classically. :class:`ArithmeticAerExecutor` builds
those circuits from :func:`circuits.arithmetic_oracle.arithmetic_oracle`: the
table, the query and the threshold of each problem, and the indices the search
has *found so far* (the entries of ``MarkedSets`` already removed, which the
algorithm knows). It never reads the marked set that remains: the circuit
decides what is marked. (The classical check of a measured index, one
quantized inner product, is done by the search layer from ``MarkedSets``.)

**Grover iteration** ``Q = (2|s><s| - I) S_f``: the oracle on all its qubits,
then ``H^q X^q``, a multi-controlled ``Z`` on the index by a CCX ladder in the
(clean) unary-iteration ancillas, ``X^q H^q``; the global phase ``-1`` is
dropped (it is unobservable). The controlled iteration (counting) controls
the oracle's flip (CCX), adds the control to the ladder, and restores the
phase ``-1`` with ``Z`` on the control.

**Simulation**: Aer's ``matrix_product_state`` method. Every ancilla is a
function of the index (and, in counting, of the precision register), so the
state's Schmidt rank across any cut is at most ``2^(q + t)``: the MPS is exact
at bond dimension ``2^(q + t)`` whatever the number of ancillas, where a
statevector would need ``2^(all qubits)``. (Aer 0.18's ``save_amplitudes`` is
unreliable under this method; sampled outcomes are used, which is all a
search needs.)
"""

from __future__ import annotations

from typing import Sequence

import numpy as np
from qiskit import ClassicalRegister, QuantumCircuit, QuantumRegister

from circuits.arithmetic_oracle import PER_COORDINATE, ArithmeticOracle, arithmetic_oracle, oracle_shape
from circuits.counting import _check_precision, _inverse_qft
from circuits.executors import GROVER, Batch, CircuitExecutor, InsufficientMemoryError, available_memory_bytes
from circuits.fixed_point import FixedPointInstance
from circuits.marked import MarkedSets
from circuits.reversible import multi_controlled_z


def grover_iteration(oracle: ArithmeticOracle, controlled: bool = False) -> QuantumCircuit:
    """One (optionally controlled) Grover iteration; the control is the last qubit."""
    n, q = oracle.num_qubits, oracle.num_index
    qc = oracle.circuit(control=controlled)
    index = qc.qubits[:q]
    scratch = [qc.qubits[i] for i in oracle.registers["unary"]]
    qc.h(index)
    qc.x(index)
    multi_controlled_z(qc, list(index) + ([qc.qubits[n]] if controlled else []), scratch)
    qc.x(index)
    qc.h(index)
    if controlled:
        qc.z(qc.qubits[n])
    qc.name = "c-Q-arith" if controlled else "Q-arith"
    return qc


def _repeat(qc: QuantumCircuit, op: QuantumCircuit, times: int, qubits) -> None:
    """Append ``op`` ``times`` times on ``qc``'s ``qubits`` (cheaper than ``compose`` in a loop)."""
    to = dict(zip(op.qubits, (qc.qubits[i] for i in qubits)))
    data = [inst.replace(qubits=tuple(to[b] for b in inst.qubits)) for inst in op.data]
    for _ in range(times):
        for inst in data:
            qc._append(inst)


def search_circuit(oracle: ArithmeticOracle, iterations: int, operator: QuantumCircuit | None = None) -> QuantumCircuit:
    """``H^q``, ``iterations`` Grover iterations, measure the index (bit ``i`` = qubit ``i``)."""
    n, q = oracle.num_qubits, oracle.num_index
    op = grover_iteration(oracle) if operator is None else operator
    qc = QuantumCircuit(n, q, name=f"grover_arith_j{iterations}")
    qc.h(range(q))
    _repeat(qc, op, int(iterations), range(n))
    qc.measure(range(q), range(q))
    return qc


def counting_circuit(oracle: ArithmeticOracle, precision: int,
                     controlled: QuantumCircuit | None = None) -> QuantumCircuit:
    """Quantum counting over the arithmetic oracle: precision qubits are the last ``t``; read ``y``."""
    t = _check_precision(precision)
    n, q = oracle.num_qubits, oracle.num_index
    cg = grover_iteration(oracle, controlled=True) if controlled is None else controlled
    qc = QuantumCircuit(n + t, t, name=f"count_arith_t{t}")
    qc.h(list(range(q)) + list(range(n, n + t)))
    for i in range(t):
        _repeat(qc, cg, 1 << i, list(range(n)) + [n + i])
    qc.compose(_inverse_qft(t), qubits=list(range(n, n + t)), inplace=True)
    qc.measure(range(n, n + t), range(t))
    return qc


def measured_search_circuit(op: QuantumCircuit, num_index: int, iterations: int) -> QuantumCircuit:
    """:func:`search_circuit` for a measurement-convention iteration
    (:func:`circuits.measured_oracle.measured_grover_iteration`): the index is read into the first register."""
    out = ClassicalRegister(num_index, "out")
    qc = QuantumCircuit(out, *op.qregs, *op.cregs, name=f"grover_arith_measured_j{iterations}")
    qc.h(qc.qubits[:num_index])
    for _ in range(int(iterations)):
        qc.compose(op, qubits=qc.qubits, clbits=qc.clbits[num_index:], inplace=True)
    qc.measure(qc.qubits[:num_index], out)
    return qc


def measured_counting_circuit(op: QuantumCircuit, num_index: int, precision: int) -> QuantumCircuit:
    """:func:`counting_circuit` for a controlled measurement-convention iteration (its ``control`` register
    is mapped to each precision qubit in turn)."""
    t = _check_precision(precision)
    regs = [r for r in op.qregs if r.name != "control"]
    prec = QuantumRegister(t, "precision")
    out = ClassicalRegister(t, "out")
    qc = QuantumCircuit(out, *regs, prec, *op.cregs, name=f"count_arith_measured_t{t}")
    body = qc.qubits[:sum(r.size for r in regs)]
    qc.h(qc.qubits[:num_index])
    qc.h(prec)
    for i in range(t):
        for _ in range(1 << i):
            qc.compose(op, qubits=body + [prec[i]], clbits=qc.clbits[t:], inplace=True)
    qc.compose(_inverse_qft(t), qubits=list(prec), inplace=True)
    qc.measure(prec, out)
    return qc


def mps_bytes(num_qubits: int, entangled: int) -> int:
    """Upper bound on an exact MPS: ``num_qubits`` sites of ``2 chi^2`` complex128, ``chi = 2^entangled``."""
    chi = 1 << int(entangled)
    return int(num_qubits) * 2 * chi * chi * 16


class ArithmeticAerExecutor(CircuitExecutor):
    """Grover / counting circuits of the arithmetic oracle on ``AerSimulator(method="matrix_product_state")``.

    ``instances[p]`` is problem ``p``'s quantized instance (the search's
    ``SearchProblem`` ``p`` must mark exactly ``instances[p].marked()``, which
    only the classical check uses). Set them with :meth:`set_instances` before
    each search. Memory guard: a request whose exact MPS bound
    (:func:`mps_bytes`) exceeds ``memory_fraction`` of available memory is
    refused with :class:`InsufficientMemoryError` before anything is built.
    """

    name = "aer-arithmetic"
    label = ("qiskit-aer matrix-product-state simulation of the gate-level arithmetic oracle "
             "(QROM by unary iteration + ripple-carry adders, X/CX/CCX only)")

    def __init__(self, instances: Sequence[FixedPointInstance] = (), layout: str = PER_COORDINATE,
                 memory_fraction: float = 0.5, uncompute: str = "unitary"):
        from qiskit_aer import AerSimulator

        if not 0 < memory_fraction <= 1:
            raise ValueError(f"memory_fraction must be in (0, 1], got {memory_fraction}")
        if uncompute not in ("unitary", "measurement"):
            raise ValueError(f"uncompute must be 'unitary' or 'measurement', got {uncompute!r}")
        self.memory_fraction = float(memory_fraction)
        self.uncompute = uncompute
        self.layout = layout if uncompute == "unitary" else "all_coordinates"
        if uncompute == "measurement":
            self.label = ("qiskit-aer matrix-product-state simulation of the gate-level arithmetic oracle in the "
                          "measurement convention (QROM by unary iteration, Gidney adders, ANDs and the table "
                          "uncomputed by mid-circuit X-basis measurement and if_test)")
        self.simulator = AerSimulator(method="matrix_product_state")
        self.instances: list[FixedPointInstance] = []
        self._ops: dict[tuple[int, bool], tuple[int, ArithmeticOracle, QuantumCircuit]] = {}
        self._owner: int | None = None
        self.circuits_run = 0
        self.set_instances(instances)

    def set_instances(self, instances: Sequence[FixedPointInstance]) -> None:
        """The problems' instances (clears the circuit cache)."""
        self.instances = list(instances)
        self._ops.clear()
        self._owner = None

    def check_memory(self, num_qubits: int, entangled: int) -> None:
        """Raise :class:`InsufficientMemoryError` if the exact MPS bound does not fit."""
        need = mps_bytes(num_qubits, entangled)
        avail = available_memory_bytes()
        if need > self.memory_fraction * avail:
            raise InsufficientMemoryError(
                f"an exact matrix-product state of {num_qubits} qubits at bond dimension 2^{entangled} "
                f"needs up to {need / 2**30:.3g} GiB but only {self.memory_fraction:g} x "
                f"{avail / 2**30:.3g} GiB available memory may be used; use fewer items")

    @staticmethod
    def found_so_far(ms: MarkedSets, p: int) -> np.ndarray:
        """Indices of problem ``p`` the search has found and removed (what the algorithm knows)."""
        seg = slice(ms.offsets[p], ms.offsets[p + 1])
        return ms.items[seg][~ms.alive[seg]]

    def _operator(self, ms: MarkedSets, p: int, controlled: bool) -> tuple[ArithmeticOracle, QuantumCircuit]:
        v = int(ms.version[p])
        hit = self._ops.get((p, controlled))
        if hit is None or hit[0] != v:
            if self.uncompute == "measurement":
                from circuits.measured_oracle import measured_grover_iteration, measured_oracle

                oracle = measured_oracle(self.instances[p], self.found_so_far(ms, p), controlled)
                hit = self._ops[(p, controlled)] = (v, oracle, measured_grover_iteration(oracle))
            else:
                oracle = arithmetic_oracle(self.instances[p], self.found_so_far(ms, p), self.layout)
                hit = self._ops[(p, controlled)] = (v, oracle, grover_iteration(oracle, controlled))
        return hit[1], hit[2]

    def circuits_for(self, batch: Batch) -> list[QuantumCircuit]:
        ms = batch.marked
        if len(self.instances) != len(ms):
            raise ValueError(f"{len(ms)} problems but {len(self.instances)} instances; call set_instances")
        if id(ms) != self._owner:
            self._ops.clear()
            self._owner = id(ms)
        circuits = []
        for p, kind, param in zip(batch.problems.tolist(), batch.kinds.tolist(), batch.params.tolist()):
            grover = kind == GROVER
            extra = 0 if grover else _check_precision(param)
            shape = oracle_shape(self.instances[p], self.layout)
            self.check_memory(shape.num_qubits + extra, shape.num_index + extra)
            oracle, op = self._operator(ms, p, controlled=not grover)
            if self.uncompute == "measurement":
                circuits.append(measured_search_circuit(op, shape.num_index, param) if grover
                                else measured_counting_circuit(op, shape.num_index, param))
            else:
                circuits.append(search_circuit(oracle, param, op) if grover
                                else counting_circuit(oracle, param, op))
        return circuits

    def execute(self, circuits: list[QuantumCircuit], shots: int, seed: int):
        return self.simulator.run(circuits, shots=shots, memory=True, seed_simulator=seed).result()

    def shot_outcomes(self, result, i: int, circuit: QuantumCircuit) -> np.ndarray:
        # several classical registers print as "last ... first"; the outcome is the first register
        return np.array([int(bits.split()[-1], 2) for bits in result.get_memory(i)], dtype=np.int64)
