"""Grover circuits assembled straight into Aer circuits give exactly the shots of ``AerSimulator.run``."""

import numpy as np
import pytest

from circuits import AerExecutor, SearchProblem, find_all_many
from circuits.aer_direct import aer_ops, grover_aer_circuit, run_measured
from circuits.executors import GROVER, make_batch
from circuits.grover import grover_circuit_from, grover_iteration, uniform_layer
from circuits.marked import MarkedSets
from circuits.oracles import oracle_diagonal, sign_diagonal_gate


@pytest.mark.parametrize("q", [3, 6, 10])
def test_direct_circuits_give_the_shots_of_aer_run(q):
    rng = np.random.default_rng(q)
    ex = AerExecutor()
    iterations = [grover_iteration(sign_diagonal_gate(oracle_diagonal(q, np.sort(rng.choice(2**q, 3, replace=False)))))
                  for _ in range(6)]
    js = [int(j) for j in rng.integers(0, 5, len(iterations))]
    reference = ex.simulator.run([grover_circuit_from(it, j) for it, j in zip(iterations, js)], shots=40, memory=True,
                                 seed_simulator=17).result()
    start = aer_ops(uniform_layer(q), q)
    direct = run_measured(ex.simulator, [grover_aer_circuit(start, aer_ops(it.instructions, it.register), q, j,
                                                            j * it.global_phase, c)
                                         for c, (it, j) in enumerate(zip(iterations, js))], q, 40, 17)
    for c in range(len(iterations)):
        assert direct[c].tolist() == [int(b, 2) for b in reference.get_memory(c)]


def test_aer_ops_refuses_what_it_cannot_assemble():
    from qiskit.circuit import CircuitInstruction, QuantumCircuit
    from qiskit.circuit.library import SwapGate

    qc = QuantumCircuit(2)
    with pytest.raises(ValueError, match="no direct assembly for 'swap'"):
        aer_ops([CircuitInstruction(SwapGate(), (qc.qubits[0], qc.qubits[1]))], 2)


def test_direct_and_plain_executors_agree_on_a_batch_and_a_find_all():
    ms = MarkedSets([SearchProblem(64, [1, 5, 9]), SearchProblem(256, [7])])
    batch = make_batch(ms, [0, 1, 0], iterations=[1, 3, 2], shots=25)
    assert (batch.kinds == GROVER).all()
    a, off_a = AerExecutor(direct=True).run(batch, np.random.default_rng(3))
    b, off_b = AerExecutor(direct=False).run(batch, np.random.default_rng(3))
    assert np.array_equal(off_a, off_b) and np.array_equal(a, b)
    probs = [SearchProblem(128, [3, 40, 99, 100]), SearchProblem(64, [0, 63])]
    found = find_all_many(probs, AerExecutor(direct=True), strategy="counting", delta=1e-3, seed=4)
    assert all(np.array_equal(r.found, p.marked) for r, p in zip(found, probs))


def test_a_changed_aer_internal_api_falls_back_to_aer_run(monkeypatch):
    import circuits.aer_direct as direct

    def broken(*args, **kwargs):
        raise AttributeError("AerCircuit has no attribute 'diagonal'")

    monkeypatch.setattr(direct, "grover_aer_circuit", broken)
    ms = MarkedSets([SearchProblem(32, [2, 9])])
    batch = make_batch(ms, [0, 0], iterations=[1, 2], shots=10)
    ex = AerExecutor()
    with pytest.warns(RuntimeWarning, match="running through AerSimulator.run"):
        got, _ = ex.run(batch, np.random.default_rng(1))
    assert not ex.direct and got.shape == (20,)
