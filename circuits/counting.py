"""Quantum counting: phase estimation on the Grover operator.

Brassard, Hoyer, Mosca, Tapp, "Quantum amplitude amplification and
estimation", AMS Contemp. Math. 305, 2002 (arXiv:quant-ph/0005055), sec. 4;
first in Brassard, Hoyer, Tapp, "Quantum counting", ICALP 1998.

On the plane of the good and bad states, ``G = (2|s><s| - I) S_f`` has
eigenvalues ``e^{+- 2i theta}`` (``sin^2 theta = k / N``) and the uniform start
``|s>`` has weight exactly 1/2 on each eigenvector when ``0 < k < N`` (for
``k = 0`` or ``k = N``, ``|s>`` is itself an eigenvector with phase 0 or pi,
which the same formulas give). Phase estimation with ``t`` precision qubits
(``T = 2^t``): control qubit ``i`` applies ``G^(2^i)``, then the inverse QFT,
then measure ``y`` in ``[0, T)``. For an eigenphase ``omega = 2 pi phi``
(``phi`` in turns) the readout law is the Fejer kernel

    P(y | phi) = sin^2(pi T d) / (T^2 sin^2(pi d)),   d = phi - y / T,

(``= 1`` when ``d`` is an integer), and from ``|s>`` the law is the mixture

    P(y) = 1/2 P(y | theta/pi) + 1/2 P(y | 1 - theta/pi).

The estimate is ``k~ = N sin^2(pi y / T)`` (the two branches give the same
value). BHMT Theorem 12: with probability at least ``8 / pi^2``,

    |k~ - k| <= 2 pi sqrt(k (N - k)) / T + pi^2 N / T^2.

A counting circuit costs ``T - 1`` controlled Grover operators, i.e. ``T - 1``
oracle queries per shot.
"""

from __future__ import annotations

import math
from functools import lru_cache

import numpy as np
from numba import njit
from qiskit import QuantumCircuit
from qiskit.circuit.library import QFTGate

from circuits.grover import grover_iteration
from circuits.oracles import controlled_diagonal_oracle

#: Probability that one counting shot is within :func:`count_error_bound` (BHMT Thm 12).
COUNT_CONFIDENCE = 8.0 / np.pi**2


def _check_precision(precision: int) -> int:
    if isinstance(precision, bool) or not isinstance(precision, (int, np.integer)) or precision < 1:
        raise ValueError(f"precision (counting qubits t) must be an integer >= 1, got {precision!r}")
    return int(precision)


def counting_queries(precision: int) -> int:
    """Oracle queries of one counting shot: ``2^t - 1`` controlled Grover applications."""
    return (1 << _check_precision(precision)) - 1


def estimate_count(outcome, precision: int, num_states: int):
    """``k~ = N sin^2(pi y / 2^t)`` (vectorised over ``y``)."""
    t = _check_precision(precision)
    y = np.asarray(outcome, dtype=float)
    return num_states * np.sin(np.pi * y / (1 << t)) ** 2


def count_error_bound(num_marked, precision: int, num_states: int):
    """BHMT Theorem 12: ``2 pi sqrt(k (N-k)) / T + pi^2 N / T^2`` (holds w.p. >= 8/pi^2)."""
    t = _check_precision(precision)
    T = float(1 << t)
    k = np.asarray(num_marked, dtype=float)
    return 2 * np.pi * np.sqrt(k * (num_states - k)) / T + np.pi**2 * num_states / T**2


@njit(cache=True, nogil=True)
def count_estimate(y, t, n):
    """``k~ = n sin^2(pi y / 2^t)`` for one readout (the numba search core's copy of :func:`estimate_count`,
    held to it by ``tests/circuits/test_formulas.py``)."""
    return n * math.sin(math.pi * y / 2.0 ** t) ** 2


@njit(cache=True, nogil=True)
def count_error_bound_at(k, t, n):
    """:func:`count_error_bound` for one ``k`` (the search core's copy; ``tests/circuits/test_formulas.py``)."""
    T = 2.0 ** t
    return 2 * math.pi * math.sqrt(k * max(n - k, 0.0)) / T + math.pi ** 2 * n / (T * T)


@njit(cache=True, nogil=True)
def fejer_at(d, T):
    """``sin^2(pi T d) / (T^2 sin^2(pi d))``, 1 at integer ``d``: the phase-estimation readout law.

    The one implementation: :func:`fejer` (arrays) and the search core's posterior call it.
    """
    d = d - math.floor(d + 0.5)
    s = math.sin(math.pi * d)
    if abs(s) < 1e-12:
        return 1.0
    return math.sin(math.pi * T * d) ** 2 / (T * T * s * s)


@njit(cache=True, nogil=True)
def _fejer_all(d, T, out):
    for i in range(d.shape[0]):
        out[i] = fejer_at(d[i], T)


def fejer(delta, size: int):
    """:func:`fejer_at` elementwise over ``delta`` (any shape), for ``T = size``."""
    d = np.asarray(delta, dtype=float)
    out = np.empty(d.size)
    _fejer_all(np.ascontiguousarray(d).reshape(-1), float(size), out)
    return out.reshape(d.shape)


def counting_distribution(num_marked: int, num_states: int, precision: int) -> np.ndarray:
    """Exact law of the readout ``y in [0, 2^t)`` from the uniform start (module docstring)."""
    t = _check_precision(precision)
    if not 0 <= num_marked <= num_states:
        raise ValueError("need 0 <= num_marked <= num_states")
    T = 1 << t
    phi = np.arcsin(np.sqrt(num_marked / num_states)) / np.pi
    y = np.arange(T) / T
    pmf = 0.5 * fejer(phi - y, T) + 0.5 * fejer(1.0 - phi - y, T)
    return pmf / pmf.sum()  # sums to 1 up to rounding


def controlled_grover_op(num_qubits: int, marked, fused: bool = False) -> QuantumCircuit:
    """Controlled ``G`` on ``q + 1`` qubits (index qubits ``0..q-1``, control qubit ``q``).

    :func:`~circuits.grover.grover_iteration` with the controlled oracle
    (:func:`controlled_diagonal_oracle`, one ``DiagonalGate``): equal to
    ``|0><0| (x) I + |1><1| (x) G`` exactly, with no global phase and no
    controlled ``H``. ``fused``: single-qubit layers as ``UnitaryGate`` blocks
    (for Aer; leave ``False`` for circuits to transpile).
    """
    q = int(num_qubits)
    c_oracle = controlled_diagonal_oracle(q, marked).data[0].operation
    it = grover_iteration(c_oracle, controlled=True, fused=fused)
    qc = QuantumCircuit(q + 1, name="c-Q")
    for inst in it.instructions:
        qc._append(inst)
    qc.global_phase = it.global_phase
    return qc


@lru_cache(maxsize=32)
def _inverse_qft(t: int) -> QuantumCircuit:
    """Inverse QFT on ``t`` qubits, decomposed once into ``h``/``cp``/``swap`` (Aer-native)."""
    return QFTGate(t).definition.inverse()


def counting_circuit(num_qubits: int, marked, precision: int, measure: bool = True,
                     controlled: QuantumCircuit | None = None) -> QuantumCircuit:
    """Quantum counting circuit on ``t + q`` qubits.

    Qubits ``0..t-1`` are the precision register (qubit ``i`` controls
    ``G^(2^i)``), qubits ``t..t+q-1`` the index register. ``H`` on all, the
    controlled powers, inverse QFT on the precision register, measure it:
    classical bits read as a binary integer give ``y``. ``controlled`` may pass
    a prebuilt :func:`controlled_grover_op` for reuse.
    """
    t = _check_precision(precision)
    q = int(num_qubits)
    cg = controlled_grover_op(q, marked) if controlled is None else controlled
    qc = QuantumCircuit(t + q, t if measure else 0, name=f"count_t{t}")
    qc.h(range(t + q))
    for i in range(t):
        # cg's instructions remapped once onto (index register, control i), then appended 2^i times
        # without copying a gate (compose would deep-copy every DiagonalGate each time)
        where = qc.qubits[t:t + q] + [qc.qubits[i]]
        body = [inst.replace(qubits=tuple(where[cg.find_bit(b).index] for b in inst.qubits))
                for inst in cg.data]
        for _ in range(1 << i):
            for inst in body:
                qc._append(inst)
        qc.global_phase += (1 << i) * cg.global_phase
    qc.compose(_inverse_qft(t), qubits=list(range(t)), inplace=True)
    if measure:
        qc.measure(range(t), range(t))
    return qc


def iterative_counting_circuit(num_qubits: int, marked, precision: int,
                               controlled: QuantumCircuit | None = None) -> QuantumCircuit:
    """Quantum counting on ``q + 1`` qubits: one control qubit, reused ``t`` times (semiclassical QFT).

    Griffiths and Niu, "Semiclassical Fourier transform for quantum
    computation", PRL 76, 1996: in phase estimation, each precision qubit can
    be measured as soon as the inverse QFT is done with it, and the controlled
    phases it would apply to later qubits become classically controlled
    phases (deferred measurement, read backwards). The controlled powers on
    different precision qubits commute, so each can be applied just before
    its qubit is read, and one qubit serves them all after a reset. Least
    significant bit first, for ``k = 0..t-1``:

        control in |+>;  controlled G^(2^(t-1-k));
        phase P(-2 pi sum_{l<k} y_l 2^(l-k-1)) (one classically controlled P per earlier bit);
        H; measure into clbit k.

    The readout ``y = sum_k y_k 2^k`` has exactly the law of
    :func:`counting_circuit` (:func:`counting_distribution`), on ``q + 1``
    qubits instead of ``q + t``: a ``2^(t-1)`` times smaller statevector for
    the same ``2^t - 1`` controlled Grover operators. Qubits ``0..q-1`` index,
    qubit ``q`` control (the layout of :func:`controlled_grover_op`, so its
    instructions are appended as they are).
    """
    t = _check_precision(precision)
    q = int(num_qubits)
    cg = controlled_grover_op(q, marked) if controlled is None else controlled
    qc = QuantumCircuit(q + 1, t, name=f"count_t{t}")
    ctrl = qc.qubits[q]
    qc.h(range(q))
    for k in range(t):
        if k:
            qc.reset(ctrl)
        qc.h(ctrl)
        for _ in range(1 << (t - 1 - k)):
            for inst in cg.data:
                qc._append(inst)
        qc.global_phase += (1 << (t - 1 - k)) * cg.global_phase
        for lo in range(k):
            with qc.if_test((qc.clbits[lo], 1)):
                qc.p(-2.0 * np.pi * 2.0 ** (lo - k - 1), ctrl)
        qc.h(ctrl)
        qc.measure(ctrl, qc.clbits[k])
    return qc
