"""The gate-level fired-neuron oracle: quantization, QROM, oracle action on Aer, find-all with it."""

from __future__ import annotations

import numpy as np
import pytest
from qiskit import QuantumCircuit
from qiskit.quantum_info import Statevector
from qiskit_aer import AerSimulator

from circuits import SearchProblem, find_all_many
from circuits.arithmetic_oracle import ALL_COORDINATES, LAYOUTS, PER_COORDINATE, arithmetic_oracle
from circuits.arithmetic_search import ArithmeticAerExecutor, grover_iteration
from circuits.fixed_point import FixedPointInstance, check_bits, fixed_point_instance, flips_by_bits, quantization_flips
from circuits.marked import MarkedSets
from circuits.qrom import lookup, lookup_toffolis
from circuits.reversible import ORACLE_BASIS

MPS = AerSimulator(method="matrix_product_state")


# ----------------------------------------------------------------------------- quantization

def test_quantized_marks_match_the_stated_rounding(rng):
    for _ in range(50):
        m, d, p = int(rng.integers(1, 40)), int(rng.integers(1, 6)), int(rng.integers(2, 12))
        W, x, b = rng.normal(size=(m, d)), rng.normal(size=d), float(rng.normal())
        inst = fixed_point_instance(W, x, b, p)
        top = 2 ** (p - 1) - 1
        assert np.abs(inst.W).max() <= top and np.abs(inst.X).max() <= top
        # no scale could be one step finer without overflowing p bits
        assert np.abs(W).max() * 2.0 ** (inst.weight_exponent + 1) > top
        S = 2.0 ** (inst.weight_exponent + inst.input_exponent)
        qw, qx = inst.W / 2.0 ** inst.weight_exponent, inst.X / 2.0 ** inst.input_exponent
        expected = np.flatnonzero(qw @ qx > b)  # Q(<w, x>) > b, b itself unrounded
        np.testing.assert_array_equal(inst.marked(), expected)
        assert inst.B == np.floor(b * S)
        np.testing.assert_array_equal(inst.words - inst.offset, inst.W)
        assert inst.words.min() >= 1 and inst.words.max() <= 2 ** p - 1


def test_flips_count_the_pairs_rounding_moves_and_shrink_with_bits(rng):
    W, X = rng.normal(size=(400, 4)), rng.normal(size=(5, 4))
    X /= np.linalg.norm(X, axis=1, keepdims=True)
    b = 0.5
    for x in X[:2]:
        exact = set(np.flatnonzero(W @ x > b))
        quant = set(fixed_point_instance(W, x, b, 4).marked())
        assert quantization_flips(W, x, b, 4) == len(exact ^ quant)
    flips = flips_by_bits(W, X, b, [2, 4, 8, 16, 24])
    assert flips[2] > flips[8] >= flips[16] >= flips[24] and flips[24] == 0


def test_bits_out_of_range_and_bad_shapes_are_refused():
    for bad in (1, 33, 2.5, True):
        with pytest.raises(ValueError, match="bits"):
            check_bits(bad)
    with pytest.raises(ValueError, match="components"):
        fixed_point_instance(np.ones((3, 2)), np.ones(3), 0.0, 4)
    with pytest.raises(ValueError, match="finite"):
        fixed_point_instance(np.ones((3, 2)), np.array([np.nan, 1.0]), 0.0, 4)


# ----------------------------------------------------------------------------- QROM

@pytest.mark.parametrize("q", [1, 2, 3, 4])
def test_lookup_loads_each_entry_and_nothing_past_the_table(q, rng):
    width = 3
    for L in sorted({1, 2 ** q, *rng.integers(1, 2 ** q + 1, 3).tolist()}):
        data = rng.integers(0, 2 ** width, L)
        n = q + (q - 1) + width
        qc = QuantumCircuit(n)
        lookup(qc, qc.qubits[:q], qc.qubits[q:2 * q - 1], qc.qubits[2 * q - 1:], data)
        assert qc.count_ops().get("ccx", 0) == lookup_toffolis(L, q)
        assert qc.depth(lambda ins: ins.operation.name == "ccx") == lookup_toffolis(L, q)
        for i in range(2 ** q):
            out = Statevector.from_int(i, 2 ** n).evolve(qc).probabilities().argmax()
            assert out == i | (int(data[i]) if i < L else 0) << (2 * q - 1)


def test_lookup_count_is_twice_babbush_for_full_tables():
    for q in range(1, 12):
        L = 2 ** q
        assert lookup_toffolis(L, q) == 2 * max(0, L - 2)


# ----------------------------------------------------------------------------- the oracle on Aer

def _phases_on_basis_states(oracle) -> np.ndarray:
    """Run the controlled oracle on ``|r>|+>`` for every index ``r`` (MPS, one shot each).

    A basis state stays a product state through reversible logic, so each run
    is deterministic: after ``H`` on the control, the readout must be exactly
    ``r`` on the index, the phase bit on the control, and 0 on every ancilla.
    Returns the phase bits; fails if any ancilla is dirty.
    """
    n, q = oracle.num_qubits, oracle.num_index
    cor = oracle.circuit(control=True)
    circuits = []
    for r in range(2 ** q):
        qc = QuantumCircuit(n + 1, n + 1)
        for i in range(q):
            if r >> i & 1:
                qc.x(i)
        qc.h(n)
        qc.compose(cor, inplace=True)
        qc.h(n)
        qc.measure(range(n + 1), range(n + 1))
        circuits.append(qc)
    result = MPS.run(circuits, shots=1, seed_simulator=1).result()
    phases = np.zeros(2 ** q, dtype=bool)
    for r in range(2 ** q):
        out = int(next(iter(result.get_counts(r))), 2)
        assert out & ((1 << n) - 1) == r, f"index {r}: ancillas not clean or index changed ({out:b})"
        phases[r] = bool(out >> n)
    return phases


def _expected(inst: FixedPointInstance, found, q: int) -> np.ndarray:
    truth = np.zeros(2 ** q, dtype=bool)
    truth[np.setdiff1d(inst.marked(), np.asarray(found, dtype=np.int64))] = True
    return truth


def _random_instances(seed: int, count: int):
    rng = np.random.default_rng(seed)
    for _ in range(count):
        m, d, p = int(rng.integers(1, 17)), int(rng.integers(1, 4)), int(rng.integers(2, 6))
        W = rng.normal(size=(m, d)) * rng.choice([0.3, 1.0, 5.0])
        x = rng.normal(size=d)
        x[rng.random(d) < 0.2] = 0.0  # zero components
        b = float(rng.normal())  # either sign
        found = rng.choice(m, int(rng.integers(0, m)), replace=False) if m > 1 else []
        yield fixed_point_instance(W, x, b, p), found, LAYOUTS[int(rng.integers(0, 2))]


@pytest.mark.parametrize("seed", range(6))
def test_oracle_flips_exactly_the_quantized_fired_set_with_clean_ancillas(seed):
    for inst, found, layout in _random_instances(seed, 3):
        oracle = arithmetic_oracle(inst, found, layout)
        assert oracle.num_qubits <= 40  # <= 33 one coordinate at a time
        np.testing.assert_array_equal(_phases_on_basis_states(oracle), _expected(inst, found, oracle.num_index))


def test_oracle_at_ties_zero_inputs_and_extreme_thresholds():
    rng = np.random.default_rng(7)
    W = rng.normal(size=(7, 2))
    x = np.array([0.6, -0.8])
    inst = fixed_point_instance(W, x, 0.0, 4)
    S = 2.0 ** (inst.weight_exponent + inst.input_exponent)
    scores = inst.scores()
    for tie, layout in zip(np.unique(scores)[[0, -1]], LAYOUTS):
        b = tie / S  # exactly at a quantized score: that entry ties, is not marked
        tied = fixed_point_instance(W, x, b, 4)
        assert tied.B == tie and np.any(tied.scores() == tied.B)
        oracle = arithmetic_oracle(tied, [], layout)
        np.testing.assert_array_equal(_phases_on_basis_states(oracle), _expected(tied, [], oracle.num_index))
    for xv, b in [(np.zeros(2), -0.1), (np.zeros(2), 0.0), (x, -100.0)]:
        inst = fixed_point_instance(W, xv, b, 3)
        oracle = arithmetic_oracle(inst, [1, 2], PER_COORDINATE)
        expected = _expected(inst, [1, 2], oracle.num_index)
        np.testing.assert_array_equal(_phases_on_basis_states(oracle), expected)


def test_uncontrolled_oracle_and_grover_iteration_on_superpositions():
    """Statevector check of ``S_f`` itself (and of ``Q``) on the uniform superposition, small sizes."""
    sim = AerSimulator(method="statevector")
    rng = np.random.default_rng(11)
    for m, d, p in [(4, 1, 3), (4, 2, 2), (3, 1, 2)]:
        inst = fixed_point_instance(rng.normal(size=(m, d)), rng.normal(size=d), 0.1, p)
        oracle = arithmetic_oracle(inst, [0], ALL_COORDINATES)
        q, n = oracle.num_index, oracle.num_qubits
        assert n <= 21
        sign = np.where(_expected(inst, [0], q), -1.0, 1.0)
        qc = QuantumCircuit(n)
        qc.h(range(q))
        qc.compose(oracle.circuit(), inplace=True)
        qc.save_amplitudes(list(range(2 ** q)))
        amps = np.asarray(sim.run(qc).result().data()["amplitudes"])
        np.testing.assert_allclose(amps, sign / np.sqrt(2 ** q), atol=1e-9)
        qc = QuantumCircuit(n)
        qc.h(range(q))
        qc.compose(grover_iteration(oracle), inplace=True)
        qc.save_amplitudes(list(range(2 ** q)))
        amps = np.asarray(sim.run(qc).result().data()["amplitudes"])
        s = np.full(2 ** q, 1 / np.sqrt(2 ** q))
        psi = sign * s
        expected = 2 * s * (s @ psi) - psi  # (2|s><s| - I) S_f |s>
        np.testing.assert_allclose(amps, -expected, atol=1e-9)  # the iteration drops the global phase -1


def test_built_circuits_hold_only_x_cx_ccx_h_z():
    inst = fixed_point_instance(np.array([[0.5, -1.0], [0.25, 0.75], [-0.3, 0.1]]), np.array([0.6, -0.8]), 0.1, 4)
    for layout in LAYOUTS:
        oracle = arithmetic_oracle(inst, [1], layout)
        for circ in (oracle.circuit(), oracle.circuit(control=True), grover_iteration(oracle),
                     grover_iteration(oracle, controlled=True)):
            assert set(circ.count_ops()) <= ORACLE_BASIS


# ----------------------------------------------------------------------------- find-all with it

def _network_like(seed: int, m: int, d: int, n: int, p: int):
    rng = np.random.default_rng(seed)
    W = rng.normal(size=(m, d))
    X = rng.normal(size=(n, d))
    X /= np.linalg.norm(X, axis=1, keepdims=True)
    return [fixed_point_instance(W, x, 0.3, p) for x in X]


@pytest.mark.parametrize("strategy", ["bbht_warm", "counting"])
def test_find_all_with_the_arithmetic_oracle_returns_the_quantized_fired_set(strategy, monkeypatch):
    insts = _network_like(3, 6, 2, 2, 3)
    # the executor must build its circuits without reading the marked sets that remain
    monkeypatch.setattr(MarkedSets, "current", lambda self, p: pytest.fail("executor read the marked set"))
    ex = ArithmeticAerExecutor(insts)
    res = find_all_many([SearchProblem(6, i.marked()) for i in insts], ex, strategy=strategy, delta=1e-3, seed=4)
    for inst, r in zip(insts, res):
        assert r.certified and r.executor == "aer-arithmetic"
        np.testing.assert_array_equal(r.found, inst.marked())
    assert ex.circuits_run > 0


def test_executor_refuses_what_does_not_fit_before_building():
    inst = _network_like(1, 8, 2, 1, 3)[0]
    ex = ArithmeticAerExecutor([inst], memory_fraction=1e-12)
    with pytest.raises(MemoryError, match="matrix-product state"):
        find_all_many([SearchProblem(8, inst.marked())], ex, strategy="bbht", seed=0)
