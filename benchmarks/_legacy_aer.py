"""The Aer circuit construction as it was before issue 12 (commit a1e6158), kept only so that
``bench_grover.py`` can time the old path and the new one side by side in one run.

Old path: every new marked set builds ``DiagonalGate(list)`` (per-entry validation) and
``grover_operator`` (deep copies through ``compose``); counting circuits ``compose`` the
controlled operator ``2^t - 1`` times (a deep copy of its ``DiagonalGate`` s each time);
Aer runs with its default OpenMP threads. Do not use it for anything else.
"""

from __future__ import annotations

import numpy as np
from qiskit import QuantumCircuit
from qiskit.circuit.library import DiagonalGate, QFTGate, grover_operator

from circuits.executors import GROVER, AerExecutor, Batch
from circuits.oracles import oracle_diagonal


def _diag_circuit(diag: np.ndarray, name: str) -> QuantumCircuit:
    qc = QuantumCircuit(int(diag.size).bit_length() - 1, name=name)
    qc.append(DiagonalGate(diag.tolist()), qc.qubits)
    return qc


def _zero_reflection(q: int) -> QuantumCircuit:
    zr = QuantumCircuit(q, name="S0")
    zr.x(range(q))
    if q == 1:
        zr.z(0)
    else:
        zr.h(q - 1)
        zr.mcx(list(range(q - 1)), q - 1)
        zr.h(q - 1)
    zr.x(range(q))
    return zr


def _grover_circuit(op: QuantumCircuit, q: int, j: int) -> QuantumCircuit:
    qc = QuantumCircuit(q, q, name=f"grover_j{j}")
    qc.h(range(q))
    for _ in range(j):
        for inst in op.data:
            qc._append(inst)
    qc.global_phase = float(j) * op.global_phase
    qc.measure(range(q), range(q))
    return qc


def _controlled_op(q: int, marked: np.ndarray) -> QuantumCircuit:
    n = 1 << q
    diag = oracle_diagonal(q, marked)
    czr = np.concatenate([-np.ones(n), np.ones(n)])
    czr[n] = -1.0
    return grover_operator(_diag_circuit(np.concatenate([np.ones_like(diag), diag]), "c-oracle"),
                           zero_reflection=_diag_circuit(czr, "c-S0"),
                           reflection_qubits=list(range(q)), name="c-Q")


def _counting_circuit(cg: QuantumCircuit, q: int, t: int) -> QuantumCircuit:
    qc = QuantumCircuit(t + q, t, name=f"count_t{t}")
    qc.h(range(t + q))
    index = list(range(t, t + q))
    for i in range(t):
        for _ in range(1 << i):
            qc.compose(cg, qubits=index + [i], inplace=True)
    qc.compose(QFTGate(t).definition.inverse(), qubits=list(range(t)), inplace=True)
    qc.measure(range(t), range(t))
    return qc


class LegacyAerExecutor(AerExecutor):
    """:class:`~circuits.executors.AerExecutor` with the pre-issue-12 circuit construction and threads."""

    name = "aer-legacy"

    def __init__(self, max_parallel_threads: int = 0):
        super().__init__(max_parallel_threads=max_parallel_threads, direct=False)  # 0: Aer default, all cores
        self._old_ops: dict[int, tuple[int, QuantumCircuit]] = {}
        self._old_cops: dict[int, tuple[int, QuantumCircuit]] = {}

    def circuits_for(self, batch: Batch) -> list[QuantumCircuit]:
        """Old construction; use one executor per ``find_all_many`` call (caches keyed on problem ids)."""
        ms = batch.marked
        self.check_memory(int(batch.num_qubits().max()))
        out = []
        for p, kind, param in zip(batch.problems.tolist(), batch.kinds.tolist(), batch.params.tolist()):
            q = int(ms.num_qubits[p])
            if kind == GROVER:
                op = self._cached(self._old_ops, ms, p, lambda: grover_operator(
                    _diag_circuit(oracle_diagonal(q, ms.current(p)), "oracle"),
                    zero_reflection=_zero_reflection(q)))
                out.append(_grover_circuit(op, q, param))
            else:
                cg = self._cached(self._old_cops, ms, p, lambda: _controlled_op(q, ms.current(p)))
                out.append(_counting_circuit(cg, q, param))
        return out
