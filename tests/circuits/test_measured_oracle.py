"""The measurement-convention oracle on Aer: -1 exactly on the quantized fired set, ancillas back to |0>,
for every measurement outcome that occurs; its CCX and measurement counts equal the closed forms."""

from __future__ import annotations

import numpy as np
import pytest
from qiskit import QuantumCircuit, transpile
from qiskit_aer import AerSimulator

from circuits.arithmetic_oracle import ALL_COORDINATES, oracle_shape
from circuits.fixed_point import fixed_point_instance
from circuits.measured_oracle import and_uncompute, gidney_add, measured_oracle
from circuits.resources import qrom_cost

SIM = AerSimulator(method="statevector")


def _instance(rng, m, d, p):
    x = rng.normal(size=d)
    x[rng.random(d) < 0.2] = 0.0
    return fixed_point_instance(rng.normal(size=(m, d)), x, float(rng.normal(0.2, 0.3)), p)


def _final_states(circuit: QuantumCircuit, prepare, seeds):
    """The final statevector and the mid-circuit outcomes of one shot per seed."""
    qc = QuantumCircuit(*circuit.qregs, *circuit.cregs)
    prepare(qc)
    qc.compose(circuit, inplace=True)
    qc.save_statevector()
    qc = transpile(qc, SIM, optimization_level=0)
    out = []
    for seed in seeds:
        res = SIM.run(qc, shots=1, seed_simulator=int(seed), memory=True).result()
        out.append((np.asarray(res.get_statevector()), res.get_memory()[0]))
    return out


def _check_oracle(inst, found, seeds):
    oracle = measured_oracle(inst, found)
    idx = oracle.registers["index"]
    q = len(idx)
    marked = set(int(r) for r in inst.marked()) - set(found)
    expect = np.zeros(2 ** oracle.num_qubits, dtype=complex)
    for r in range(2 ** q):  # index qubits come first: little-endian, so the basis number is r
        expect[r] = (-1 if r in marked else 1) / np.sqrt(2 ** q)
    outcomes = set()
    for state, memory in _final_states(oracle.circuit, lambda qc: qc.h(list(idx)), seeds):
        assert np.allclose(state, expect, atol=1e-9), memory
        outcomes.add(memory)
    return outcomes


@pytest.mark.parametrize("seed", [pytest.param(0, marks=pytest.mark.slow), pytest.param(1, marks=pytest.mark.slow), 2, 3])
def test_measured_oracle_marks_the_quantized_fired_set_for_every_outcome(seed):
    rng = np.random.default_rng(100 + seed)
    m, d, p = int(rng.integers(2, 5)), 1, int(rng.integers(2, 4))
    inst = _instance(rng, m, d, p)
    found = [int(r) for r in inst.marked()[:1]] if seed % 2 else []
    outcomes = _check_oracle(inst, found, seeds=range(12))
    assert len(outcomes) > 1  # several measurement outcomes occurred, and each was checked


def test_measured_oracle_two_coordinates():
    rng = np.random.default_rng(7)
    inst = fixed_point_instance(rng.normal(size=(2, 2)), np.array([0.9, -0.5]), 0.1, 2)
    assert len(_check_oracle(inst, [], seeds=range(8))) > 1


def test_gidney_adder_and_measured_and_on_basis_states():
    rng = np.random.default_rng(5)
    for w in (1, 2, 3, 4):
        for a, b in {(int(a), int(b)) for a, b in rng.integers(0, 2 ** w, size=(12, 2))}:
                qc = QuantumCircuit(3 * w, 1)
                A, B, C = list(range(w)), list(range(w, 2 * w)), list(range(2 * w, 3 * w))
                prep = [i for i in A if a >> i & 1] + [B[i] for i in range(w) if b >> i & 1]
                gidney_add(qc, [qc.qubits[i] for i in A], [qc.qubits[i] for i in B],
                           [qc.qubits[i] for i in C], qc.clbits[0])
                assert qc.count_ops().get("ccx", 0) == max(0, w - 1) == qc.count_ops().get("measure", 0)
                for state, _ in _final_states(qc, lambda c, prep=prep: [c.x(i) for i in prep], seeds=(1,)):
                    want = a | ((a + b) % 2 ** w) << w
                    assert abs(state[want]) == pytest.approx(1.0)
    # the AND uncomputed by measurement leaves the inputs' superposition intact, with no phase error
    qc = QuantumCircuit(3, 1)
    qc.ccx(0, 1, 2)
    and_uncompute(qc, qc.qubits[0], qc.qubits[1], qc.qubits[2], qc.clbits[0])
    outcomes = set()
    for state, memory in _final_states(qc, lambda c: (c.h(0), c.h(1)), seeds=range(8)):
        assert np.allclose(state[:4], 0.5) and np.allclose(state[4:], 0)
        outcomes.add(memory)
    assert outcomes == {"0", "1"}


@pytest.mark.parametrize("m", [1, 2, 3, 4, 5, 7, 8, 13, 16, 33])
def test_closed_form_equals_the_built_measured_oracle(m):
    rng = np.random.default_rng(m)
    for d, p in ((1, 2), (2, 3), (3, 2)):
        inst = _instance(rng, m, d, p)
        oracle = measured_oracle(inst)
        ops = oracle.circuit.count_ops()
        cost = qrom_cost(oracle_shape(inst, ALL_COORDINATES), "measurement", "gidney", unlookup_block=1)
        oracle_toffoli = cost.toffoli - cost.diffusion_toffoli
        assert ops.get("ccx", 0) == oracle_toffoli == cost.lookup_toffoli + cost.unlookup_toffoli + cost.arithmetic_toffoli
        assert ops.get("measure", 0) == cost.measurements - cost.diffusion_toffoli  # the MCZ's ANDs are not here
        assert oracle.num_qubits == cost.logical_qubits
