"""Phase oracles ``S_f |x> = (-1)^{f(x)} |x>`` over ``q`` index qubits.

Qiskit is little-endian: basis state ``|x>`` has qubit ``i`` equal to bit ``i``
of ``x``, and entry ``x`` of a :class:`~qiskit.circuit.library.DiagonalGate`
multiplies ``|x>``. So item ``x`` is basis state ``|x>`` and the measured
bitstring, read as a binary integer, is the item index.

- :func:`diagonal_oracle`: one ``DiagonalGate`` (Aer runs it natively as
  ``diagonal``; exact, but ``2^q`` parameters: a simulation oracle).
- A hardware-sized oracle (multi-controlled Z per marked item, or a compiled
  Boolean predicate) can be added with the same signature
  ``(num_qubits, marked) -> QuantumCircuit``; the rest of the package only
  needs a ``q``-qubit phase-oracle circuit.
"""

from __future__ import annotations

import numpy as np
from qiskit import QuantumCircuit
from qiskit.circuit import Gate
from qiskit.circuit.library import DiagonalGate


def _check_qubits(num_qubits: int) -> int:
    if isinstance(num_qubits, bool) or not isinstance(num_qubits, (int, np.integer)) or num_qubits < 1:
        raise ValueError(f"num_qubits must be an integer >= 1, got {num_qubits!r}")
    return int(num_qubits)


def oracle_diagonal(num_qubits: int, marked) -> np.ndarray:
    """The ``2^q`` diagonal of the phase oracle: ``-1`` at marked indices, ``+1`` elsewhere."""
    q = _check_qubits(num_qubits)
    idx = np.asarray(marked, dtype=np.int64).reshape(-1)
    n = 1 << q
    if idx.size and (idx.min() < 0 or idx.max() >= n):
        raise ValueError(f"marked index out of range [0, {n}) for {q} qubits")
    diag = np.ones(n, dtype=float)
    diag[idx] = -1.0
    return diag


def sign_diagonal_gate(diag: np.ndarray) -> DiagonalGate:
    """``DiagonalGate(diag)`` for entries in ``{+1, -1}``, checked once with numpy.

    The result is an ordinary :class:`~qiskit.circuit.library.DiagonalGate`
    (same name, parameters and definition); only the construction differs:
    ``DiagonalGate.__init__`` validates its ``2^q`` entries one Python call at a
    time (about 2 ms at ``q = 10``), a cost paid again for every new marked set
    in a find-all run. Here the entries are checked as one array and the
    parameter list is set directly.
    """
    d = np.asarray(diag, dtype=float).reshape(-1)
    q = int(d.size).bit_length() - 1
    if d.size < 2 or d.size != 1 << q:
        raise ValueError(f"a diagonal needs 2^q >= 2 entries, got {d.size}")
    if not np.all(np.abs(d) == 1.0):
        raise ValueError("sign_diagonal_gate needs entries +1 or -1")
    gate = DiagonalGate.__new__(DiagonalGate)
    Gate.__init__(gate, "diagonal", q, [])
    gate._params = d.astype(complex).tolist()  # what DiagonalGate's validation would store
    return gate


def diagonal_oracle(num_qubits: int, marked) -> QuantumCircuit:
    """Phase oracle on ``num_qubits`` qubits marking ``marked``, as one ``DiagonalGate``."""
    diag = oracle_diagonal(num_qubits, marked)
    qc = QuantumCircuit(int(num_qubits), name="oracle")
    qc.append(sign_diagonal_gate(diag), qc.qubits, copy=False)
    return qc


def controlled_diagonal_oracle(num_qubits: int, marked) -> QuantumCircuit:
    """Controlled phase oracle on ``q + 1`` qubits (qubits ``0..q-1`` index, qubit ``q`` control).

    A controlled diagonal is diagonal: entry ``x + 2^q c`` is ``(-1)^{c f(x)}``.
    One ``DiagonalGate`` on ``q + 1`` qubits, so Aer runs it natively.
    """
    diag = oracle_diagonal(num_qubits, marked)
    full = np.concatenate([np.ones_like(diag), diag])
    qc = QuantumCircuit(int(num_qubits) + 1, name="c-oracle")
    qc.append(sign_diagonal_gate(full), qc.qubits, copy=False)
    return qc
