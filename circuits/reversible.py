"""Reversible building blocks from X, CX, CCX (and H/Z for phases).

- :func:`ripple_adder`: Qiskit's CDKM ripple-carry adder
  (:func:`qiskit.synthesis.arithmetic.adder_ripple_c04`, ``kind="fixed"``;
  Cuccaro, Draper, Kutin, Moulton, arXiv:quant-ph/0410184), flattened to
  X/CX/CCX: ``|a>_w |b>_w |0> -> |a> |a + b mod 2^w> |0>`` with ``2w`` CCX at
  Toffoli depth ``2w`` (:func:`adder_toffolis`).
- :func:`multi_controlled_z`: ``-1`` when every qubit is 1, by a CCX ladder
  into scratch qubits: ``2 (n - 2)`` CCX for ``n >= 3`` qubits
  (:func:`mcz_toffolis`), none for ``n <= 2`` (``Z`` or ``H CX H``).
- :func:`flatten`: expand a circuit's composite gates down to a basis.
"""

from __future__ import annotations

from functools import lru_cache
from typing import Sequence

from qiskit import QuantumCircuit
from qiskit.circuit import Qubit
from qiskit.synthesis.arithmetic import adder_ripple_c04

#: the gates a built oracle may contain (so that its CCX count is its Toffoli count)
ORACLE_BASIS = frozenset({"x", "cx", "ccx", "h", "z"})


def flatten(circuit: QuantumCircuit, basis=ORACLE_BASIS) -> QuantumCircuit:
    """``circuit`` with every gate outside ``basis`` replaced by its definition, recursively."""
    out = circuit
    for _ in range(16):
        outside = {inst.operation.name for inst in out.data} - set(basis)
        if not outside:
            return out
        out = out.decompose(gates_to_decompose=sorted(outside))
    raise ValueError(f"could not flatten to {sorted(basis)}: {sorted(outside)} remain")


@lru_cache(maxsize=128)
def ripple_adder(width: int) -> QuantumCircuit:
    """CDKM adder on ``2 width + 1`` qubits (``a``, ``b``, one helper), flattened to X/CX/CCX."""
    if width < 1:
        raise ValueError(f"adder width must be >= 1, got {width}")
    return flatten(adder_ripple_c04(int(width), kind="fixed"))


def adder_toffolis(width: int) -> int:
    """CCX count (and Toffoli depth) of :func:`ripple_adder`: ``2 width``."""
    return 2 * int(width)


def mcz_toffolis(num_qubits: int) -> int:
    """CCX count of :func:`multi_controlled_z` on ``n`` qubits: ``2 max(0, n - 2)``."""
    return 2 * max(0, int(num_qubits) - 2)


def multi_controlled_z(circuit: QuantumCircuit, qubits: Sequence[Qubit], scratch: Sequence[Qubit]) -> None:
    """Append ``-1`` on ``|1...1>`` of ``qubits``; ``scratch`` needs ``n - 2`` clean qubits (left clean)."""
    n = len(qubits)
    if n == 0:
        raise ValueError("multi_controlled_z needs at least one qubit")
    if n == 1:
        circuit.z(qubits[0])
        return
    if len(scratch) < n - 2:
        raise ValueError(f"multi_controlled_z on {n} qubits needs {n - 2} scratch qubits, got {len(scratch)}")
    chain = []
    prev = qubits[0]
    for i in range(1, n - 1):
        circuit.ccx(prev, qubits[i], scratch[i - 1])
        chain.append((prev, qubits[i], scratch[i - 1]))
        prev = scratch[i - 1]
    target = qubits[n - 1]
    circuit.h(target)
    circuit.cx(prev, target)
    circuit.h(target)
    for a, b, t in reversed(chain):
        circuit.ccx(a, b, t)
