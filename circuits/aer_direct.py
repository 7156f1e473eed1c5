"""Grover circuits assembled straight into Aer's own circuit type, and run by Aer's C++ controller.

``AerSimulator.run`` spends most of a find-all round in Python before it
simulates anything: per circuit it scans for control flow and variables, and
per instruction it converts the Qiskit operation (about 40-60 us each; Aer then
simulates a 10-qubit Grover circuit in well under a millisecond). A Grover
circuit here is always the same few instructions (``circuits.grover``: a
``UnitaryGate`` layer, then ``j`` times the oracle's ``DiagonalGate``, two
layers and one multi-controlled phase, then measurements), so its
``AerCircuit`` is built directly: each instruction is converted once per
Grover iteration (:func:`aer_ops`) and appended ``j`` times.

This uses Aer's internal, undocumented circuit API
(``qiskit_aer.backends.controller_wrappers.AerCircuit``, the same calls as
``qiskit_aer.backends.aer_compiler.assemble_circuit``) and Aer's controller,
so the simulation is Aer's own; ``tests/circuits/test_aer_direct.py`` checks
that a batch gives exactly the shots that ``AerSimulator.run`` gives for the
same circuits and seed. Circuits with classical control (counting) still go
through ``AerSimulator.run``.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache
from typing import Sequence

import numpy as np
from qiskit.circuit import CircuitInstruction, QuantumCircuit

from circuits.grover import uniform_layer

#: One Aer operation: (kind, qubits, payload, label, gate name).
AerOp = tuple
#: Standard gates passed to Aer by name (a subset of those ``aer_compiler`` passes; no open controls).
AER_GATES = frozenset({"h", "x", "y", "z", "s", "sdg", "t", "tdg", "p", "cp", "cx", "cz", "ccx", "mcx", "mcz",
                       "mcp", "mcphase"})


def aer_ops(instructions: Sequence[CircuitInstruction], num_qubits: int) -> tuple[AerOp, ...]:
    """The Aer operations of instructions on the qubits of ``QuantumCircuit(num_qubits)``.

    Only the kinds that Grover iterations use are accepted (``unitary``,
    ``diagonal`` and the standard gates of :data:`AER_GATES`, such as the
    multi-controlled phase, or ``z`` when it has no controls); anything else is a ``ValueError``.
    """
    index = {qubit: k for k, qubit in enumerate(QuantumCircuit(num_qubits).qubits)}
    ops = []
    for inst in instructions:
        op = inst.operation
        qubits = [index[q] for q in inst.qubits]
        if op.name == "unitary":
            ops.append(("unitary", qubits, np.asarray(op.params[0], dtype=complex), op.label or "unitary", ""))
        elif op.name == "diagonal":
            ops.append(("diagonal", qubits, list(op.params), op.label or "diagonal", ""))
        elif op.name in AER_GATES and getattr(op, "ctrl_state", None) in (None, 2 ** getattr(op, "num_ctrl_qubits", 0) - 1):
            ops.append(("gate", qubits, [float(p) for p in op.params], op.label or op.name, op.name))
        else:
            raise ValueError(f"aer_ops: no direct assembly for {op.name!r}")
    return tuple(ops)


@lru_cache(maxsize=64)
def start_ops(num_qubits: int) -> tuple[AerOp, ...]:
    """The Aer operations of the uniform start ``H^q`` (:func:`circuits.grover.uniform_layer`), converted once."""
    return aer_ops(uniform_layer(num_qubits), num_qubits)


def _emit(circuit, op: AerOp) -> None:
    kind, qubits, payload, label, name = op
    if kind == "unitary":
        circuit.unitary(qubits, payload, -1, None, label)
    elif kind == "diagonal":
        circuit.diagonal(qubits, payload, -1, label)
    else:
        circuit.gate(name, qubits, payload, [], -1, None, label)


def grover_aer_circuit(start: Sequence[AerOp], iteration: Sequence[AerOp], num_qubits: int, iterations: int,
                       global_phase: float, circ_id: int):
    """``start``, then ``iteration`` ``iterations`` times, then qubit ``i`` measured into bit ``i``: an ``AerCircuit``."""
    from qiskit_aer.backends.backend_utils import CircuitHeader
    from qiskit_aer.backends.controller_wrappers import AerCircuit

    q = int(num_qubits)
    circuit = AerCircuit()
    circuit.set_header(CircuitHeader(n_qubits=q, qreg_sizes=[["q", q]], memory_slots=q, creg_sizes=[["c", q]],
                                     name=f"grover_j{iterations}", global_phase=float(global_phase)))
    circuit.num_qubits = q
    circuit.num_memory = q
    circuit.global_phase_angle = float(global_phase)
    for op in start:
        _emit(circuit, op)
    for _ in range(int(iterations)):
        for op in iteration:
            _emit(circuit, op)
    for i in range(q):
        circuit.measure([i], [i], [])
    circuit.circ_id = int(circ_id)
    return circuit


@dataclass(frozen=True)
class _Shape:
    """What Aer's config builder reads of a circuit."""

    num_qubits: int
    num_clbits: int


def run_measured(simulator, circuits: list, num_qubits: int, shots: int, seed: int) -> list[np.ndarray]:
    """Run ``AerCircuit`` s (all measuring ``num_qubits`` bits) as one job; each circuit's shots as integers."""
    from qiskit_aer.backends.aer_compiler import generate_aer_config

    config = generate_aer_config([_Shape(num_qubits, num_qubits)], simulator.options, shots=int(shots),
                                 memory=True, seed_simulator=int(seed))
    output = simulator._execute_circuits(circuits, None, config)
    if not isinstance(output, dict) or not output.get("success", False):
        status = output.get("status", output) if isinstance(output, dict) else output
        raise RuntimeError(f"Aer simulation failed: {status}")
    results = sorted(output["results"], key=lambda r: r.get("circ_id", 0))
    return [np.array([int(h, 16) for h in r["data"]["memory"]], dtype=np.int64) for r in results]
