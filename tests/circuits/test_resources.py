"""Closed-form query costs against the circuits actually built, and the models' shapes."""

from __future__ import annotations

import math

import numpy as np
import pytest

from circuits.arithmetic_oracle import ALL_COORDINATES, LAYOUTS, arithmetic_oracle, oracle_shape
from circuits.arithmetic_search import grover_iteration
from circuits.fixed_point import fixed_point_instance
from circuits.qrom import lookup_toffolis
from circuits.resources import (
    MEMORY_MODELS,
    T_PER_TOFFOLI,
    best_block,
    input_cost,
    qrom_cost,
    query_cost,
    scan_cost,
    selectswap_lookup_toffolis,
)


def _built(m, d, p, layout, x=None, seed=0):
    rng = np.random.default_rng(seed)
    top = 2.0 ** (p - 1) - 1
    x = np.full(d, top) if x is None else x  # |X_j| = 2^(p-1) - 1: the closed form's worst case
    inst = fixed_point_instance(rng.normal(size=(m, d)), x, 0.2, p)
    return inst, arithmetic_oracle(inst, [], layout)


def _ccx(circ):
    return circ.count_ops().get("ccx", 0)


@pytest.mark.parametrize("m", [1, 2, 3, 5, 8, 13, 16, 33, 64, 100,
                               pytest.param(256, marks=pytest.mark.slow),
                               pytest.param(1024, marks=pytest.mark.slow)])
def test_qrom_formula_equals_the_built_circuit(m):
    grid = [(d, p) for d in (1, 2, 3) for p in (2, 3, 5)] if m < 256 else [(1, 5), (3, 2), (2, 3)]
    for d, p in grid:
        for layout in LAYOUTS:
            _, oracle = _built(m, d, p, layout)
            cost = query_cost(m, d, p, "qrom", layout)
            it, cit = grover_iteration(oracle), grover_iteration(oracle, controlled=True)
            assert _ccx(it) == cost.toffoli
            assert _ccx(cit) == cost.controlled_toffoli
            assert it.num_qubits == cost.logical_qubits
            depth = it.depth(lambda ins: ins.operation.name == "ccx")
            assert 0.8 * cost.toffoli_depth <= depth <= cost.toffoli_depth
            if m >= 256:
                assert depth >= 0.98 * cost.toffoli_depth
            assert cost.t_count == T_PER_TOFFOLI * cost.toffoli


def test_exact_shape_counts_for_any_query_vector():
    rng = np.random.default_rng(3)
    for _ in range(12):
        m, d, p = int(rng.integers(1, 40)), int(rng.integers(1, 4)), int(rng.integers(2, 7))
        x = rng.normal(size=d)
        x[rng.random(d) < 0.3] = 0.0
        layout = LAYOUTS[int(rng.integers(0, 2))]
        inst, oracle = _built(m, d, p, layout, x=x)
        cost = qrom_cost(oracle_shape(inst, layout))
        assert _ccx(grover_iteration(oracle)) == cost.toffoli
        assert oracle.num_qubits == cost.logical_qubits
        worst = query_cost(m, d, p, "qrom", layout)
        assert cost.toffoli <= worst.toffoli and cost.logical_qubits <= worst.logical_qubits


def test_lookup_dominates_qrom_and_scales_linearly():
    for m in (2 ** 10, 2 ** 20, 2 ** 30):
        c = query_cost(m, 16, 16, "qrom")
        assert c.memory_toffoli == 2 * lookup_toffolis(m, int(math.log2(m))) == 4 * (m - 2)
    a, b = query_cost(2 ** 20, 16, 16, "qrom"), query_cost(2 ** 24, 16, 16, "qrom")
    assert 15 < b.toffoli / a.toffoli < 16.1


def test_selectswap_block_is_optimal_and_near_sqrt_m_over_b():
    for m in (2 ** 10, 2 ** 16, 2 ** 20, 2 ** 26):
        b = 16 * 16 + 1
        lam = best_block(m, b)
        brute = min(selectswap_lookup_toffolis(m, b, 1 << e) for e in range(int(math.log2(m)) + 1))
        assert selectswap_lookup_toffolis(m, b, lam) == brute
        assert math.sqrt(m / b) / 2.5 <= lam <= 2.5 * math.sqrt(m / b)
        c = query_cost(m, 16, 16, "selectswap")
        assert c.block_size == lam and c.logical_qubits >= lam * b
        # within a small factor of 4 sqrt(m b) (two lookups of ~2 sqrt(m b)) plus the arithmetic
        assert c.memory_toffoli <= 2 * 2.2 * math.sqrt(m * b) * 1.5


def test_qram_charges_arithmetic_only_and_states_routers():
    c = query_cost(2 ** 20, 16, 16, "qram")
    q = query_cost(2 ** 20, 16, 16, "qrom")
    assert c.memory_toffoli == 0 and c.qram_routers == 2 ** 20 - 1
    assert c.toffoli == q.arithmetic_toffoli + q.diffusion_toffoli
    assert query_cost(2 ** 10, 16, 16, "qram").arithmetic_toffoli == c.arithmetic_toffoli


def test_models_order_and_input_and_scan_costs():
    costs = {model: query_cost(2 ** 20, 16, 16, model) for model in MEMORY_MODELS}
    assert costs["qram"].toffoli < costs["selectswap"].toffoli < costs["qrom"].toffoli
    ic = input_cost(costs["qrom"], grover_queries=100, counting_queries=15, check_queries=20)
    assert ic.toffoli == 100 * costs["qrom"].toffoli + 15 * costs["qrom"].controlled_toffoli
    assert ic.queries == 135 and ic.check_multiply_adds == 20 * 16
    scan = scan_cost(2 ** 20, 16, 16)
    assert scan.multiply_adds == 2 ** 24 and scan.toffoli == 2 ** 20 * costs["qram"].arithmetic_toffoli // 2


def test_bad_cost_inputs():
    with pytest.raises(ValueError, match="memory model"):
        query_cost(8, 2, 4, "bucket")
    with pytest.raises(ValueError, match="bits"):
        query_cost(8, 2, 1)
    with pytest.raises(ValueError, match="m >= 1"):
        query_cost(0, 2, 4)
    assert query_cost(8, 2, 4, "selectswap", ALL_COORDINATES).toffoli > 0
