"""The copy-free circuit builders equal the reference constructions exactly (operators, no sampling)."""

from __future__ import annotations

import numpy as np
import pytest
from qiskit.circuit.library import DiagonalGate
from qiskit.quantum_info import Operator

from circuits.counting import controlled_grover_op, counting_circuit
from circuits.grover import grover_circuit, grover_circuit_from, grover_iteration, grover_op
from circuits.oracles import diagonal_oracle, oracle_diagonal, sign_diagonal_gate


def test_sign_diagonal_gate_is_the_diagonal_gate():
    rng = np.random.default_rng(3)
    for q in (1, 3, 6):
        d = rng.choice([-1.0, 1.0], 1 << q)
        fast, ref = sign_diagonal_gate(d), DiagonalGate(d.tolist())
        assert type(fast) is DiagonalGate and fast.name == ref.name == "diagonal"
        assert fast.params == ref.params and fast.num_qubits == ref.num_qubits == q
        assert Operator(fast) == Operator(ref)
    with pytest.raises(ValueError, match=r"\+1 or -1"):
        sign_diagonal_gate(np.array([1.0, 0.5]))
    with pytest.raises(ValueError, match="2\\^q"):
        sign_diagonal_gate(np.ones(3))


@pytest.mark.parametrize("q", [1, 2, 5, 6, 7])
@pytest.mark.parametrize("fused", [True, False])
def test_grover_iteration_equals_grover_operator(q, fused):
    rng = np.random.default_rng(q)
    marked = rng.choice(1 << q, max(1, (1 << q) // 5), replace=False)
    ref_oracle = diagonal_oracle(q, marked)
    it = grover_iteration(sign_diagonal_gate(oracle_diagonal(q, marked)), fused=fused)
    for j in range(4):
        ours = Operator(grover_circuit_from(it, j, measure=False, fused=fused))
        ref = Operator(grover_circuit(ref_oracle, j, measure=False))
        np.testing.assert_allclose(ours.data, ref.data, atol=1e-10)


@pytest.mark.parametrize("q", [1, 3, 6])
@pytest.mark.parametrize("fused", [True, False])
def test_controlled_iteration_is_controlled_grover(q, fused):
    marked = [0, (1 << q) - 1] if q > 1 else [1]
    ours = Operator(controlled_grover_op(q, marked, fused=fused)).data
    g = Operator(grover_op(diagonal_oracle(q, marked))).data
    n = 1 << q  # basis index x + n c (control = top qubit): |0><0| (x) I + |1><1| (x) G
    ref = np.block([[np.eye(n), np.zeros((n, n))], [np.zeros((n, n)), g]])
    np.testing.assert_allclose(ours, ref, atol=1e-10)


def test_fused_counting_circuit_equals_plain():
    q, t, marked = 3, 3, [1, 6]
    plain = counting_circuit(q, marked, t, measure=False)
    fused = counting_circuit(q, None, t, measure=False, controlled=controlled_grover_op(q, marked, fused=True))
    np.testing.assert_allclose(Operator(fused).data, Operator(plain).data, atol=1e-10)
