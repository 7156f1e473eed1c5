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

#: today's convention, that of the circuits built from X/CX/CCX
UNI = dict(uncompute="unitary", adder="cdkm")


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
            cost = query_cost(m, d, p, "qrom", layout, **UNI)
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
        cost = qrom_cost(oracle_shape(inst, layout), **UNI)
        assert _ccx(grover_iteration(oracle)) == cost.toffoli
        assert oracle.num_qubits == cost.logical_qubits
        worst = query_cost(m, d, p, "qrom", layout, **UNI)
        assert cost.toffoli <= worst.toffoli and cost.logical_qubits <= worst.logical_qubits


def test_lookup_dominates_qrom_and_scales_linearly():
    for m in (2 ** 10, 2 ** 20, 2 ** 30):
        c = query_cost(m, 16, 16, "qrom", **UNI)
        assert c.memory_toffoli == 2 * lookup_toffolis(m, int(math.log2(m))) == 4 * (m - 2)
    a, b = query_cost(2 ** 20, 16, 16, "qrom", **UNI), query_cost(2 ** 24, 16, 16, "qrom", **UNI)
    assert 15 < b.toffoli / a.toffoli < 16.1


def test_selectswap_block_is_optimal_and_near_sqrt_m_over_b():
    for m in (2 ** 10, 2 ** 16, 2 ** 20, 2 ** 26):
        b = 16 * 16 + 1
        lam = best_block(m, b)
        brute = min(selectswap_lookup_toffolis(m, b, 1 << e) for e in range(int(math.log2(m)) + 1))
        assert selectswap_lookup_toffolis(m, b, lam) == brute
        assert math.sqrt(m / b) / 2.5 <= lam <= 2.5 * math.sqrt(m / b)
        c = query_cost(m, 16, 16, "selectswap", **UNI)
        assert c.block_size == lam and c.logical_qubits >= lam * b
        # within a small factor of 4 sqrt(m b) (two lookups of ~2 sqrt(m b)) plus the arithmetic
        assert c.memory_toffoli <= 2 * 2.2 * math.sqrt(m * b) * 1.5


def test_qram_charges_arithmetic_only_and_states_routers():
    c = query_cost(2 ** 20, 16, 16, "qram", **UNI)
    q = query_cost(2 ** 20, 16, 16, "qrom", **UNI)
    assert c.memory_toffoli == 0 and c.qram_routers == 2 ** 20 - 1
    assert c.toffoli == q.arithmetic_toffoli + q.diffusion_toffoli
    assert query_cost(2 ** 10, 16, 16, "qram", **UNI).arithmetic_toffoli == c.arithmetic_toffoli


def test_models_order_and_input_and_scan_costs():
    costs = {model: query_cost(2 ** 20, 16, 16, model, **UNI) for model in ("qrom", "selectswap", "qram")}
    assert costs["qram"].toffoli < costs["selectswap"].toffoli < costs["qrom"].toffoli
    ic = input_cost(costs["qrom"], grover_queries=100, counting_queries=15, check_queries=20)
    assert ic.toffoli == 100 * costs["qrom"].toffoli + 15 * costs["qrom"].controlled_toffoli
    assert ic.queries == 135 and ic.check_multiply_adds == 20 * 16
    scan = scan_cost(2 ** 20, 16, 16, "cdkm", "unitary")
    assert scan.multiply_adds == 2 ** 24 and scan.toffoli == 2 ** 20 * costs["qram"].arithmetic_toffoli // 2


def test_bad_cost_inputs():
    with pytest.raises(ValueError, match="memory model"):
        query_cost(8, 2, 4, "bucket")
    with pytest.raises(ValueError, match="bits"):
        query_cost(8, 2, 1)
    with pytest.raises(ValueError, match="m >= 1"):
        query_cost(0, 2, 4)
    assert query_cost(8, 2, 4, "selectswap", ALL_COORDINATES).toffoli > 0


def test_unitary_cdkm_reproduces_the_figures_printed_before_the_two_conventions():
    """``resources --m 2^20 --d 16 --bits 16`` printed these before issue 23 (commit 2baf318)."""
    before = {"qrom": (353, 4222172, 4222172, 4222175, 4194296, 27840, 36),
              "selectswap": (16543, 125786, 96488, 125789, 97910, 27840, 36),
              "qram": (352, 27876, 27876, 27879, 0, 27840, 36)}
    for model, figures in before.items():
        c = query_cost(2 ** 20, 16, 16, model, **UNI)
        assert (c.logical_qubits, c.toffoli, c.toffoli_depth, c.controlled_toffoli, c.memory_toffoli,
                c.arithmetic_toffoli, c.diffusion_toffoli) == figures
        assert c.measurements == 0 and c.uncompute == "unitary" and c.adder == "cdkm"
    assert query_cost(2 ** 20, 16, 16, "selectswap", **UNI).block_size == 64
    assert scan_cost(2 ** 20, 16, 16, "cdkm", "unitary").toffoli == 14596177920


def test_literature_convention_matches_the_published_and_qualtran_counts():
    """Issue 23's figures at m = 2^20, d = p = 16 (b = 257): Qualtran 0.7's QROM, QROAMClean, its adjoint."""
    qrom = query_cost(2 ** 20, 16, 16, "qrom")
    assert qrom.lookup_toffoli == 2 ** 20 - 2 == 1048574
    assert qrom.unlookup_block == 1024 and qrom.unlookup_toffoli == 2044
    assert qrom.arithmetic_toffoli == 13440 and qrom.diffusion_toffoli == 18
    ss = query_cost(2 ** 20, 16, 16, "selectswap")
    assert ss.block_size == 64 and ss.lookup_toffoli == 32573 and ss.unlookup_toffoli == 2044
    assert ss.lookup_toffoli + ss.unlookup_toffoli == 34617
    assert query_cost(2 ** 20, 16, 16, "qrom", adder="cdkm").arithmetic_toffoli == 27840
    # a qrom query costs about a quarter of the unitary one
    assert 0.24 < qrom.toffoli / query_cost(2 ** 20, 16, 16, "qrom", **UNI).toffoli < 0.26
    for model in MEMORY_MODELS:
        c = query_cost(2 ** 20, 16, 16, model)
        assert c.toffoli == c.lookup_toffoli + c.unlookup_toffoli + c.arithmetic_toffoli + c.diffusion_toffoli
        assert c.spacetime_volume == c.logical_qubits * c.toffoli_depth and c.measurements > 0


def test_unlookup_block_under_the_qubit_budget():
    """k = 256 reuses the freed 257-bit output register (issue: 4,352 rounded; exactly 4,094 + 254)."""
    free = query_cost(2 ** 20, 16, 16, "qrom")
    base = query_cost(2 ** 20, 16, 16, "qrom", max_logical_qubits=free.logical_qubits - 767)
    assert base.unlookup_block == 256 and base.unlookup_toffoli == 4094 + 254
    assert base.logical_qubits == free.logical_qubits - 767 and base.within_budget
    tight = query_cost(2 ** 20, 16, 16, "selectswap", max_logical_qubits=5000)
    assert tight.block_size < 64 and tight.logical_qubits <= 5000 and tight.within_budget
    assert tight.toffoli > query_cost(2 ** 20, 16, 16, "selectswap").toffoli
    assert not query_cost(2 ** 20, 16, 16, "bucket-brigade", max_logical_qubits=10 ** 5).within_budget


def test_bucket_brigade_charges_its_routers_at_log_depth():
    for m in (2 ** 10, 2 ** 20):
        c = query_cost(m, 16, 16, "bucket-brigade")
        q = int(math.log2(m))
        assert c.lookup_toffoli == c.unlookup_toffoli == m - 1 and c.qram_routers == m - 1
        assert c.toffoli_depth == 4 * q + c.arithmetic_toffoli + c.diffusion_toffoli
        assert c.logical_qubits >= 2 * m + 257 + q and "fan-out" in c.variant
        assert c.literal_bucket_brigade_cswaps == 2 * m * 258
        assert query_cost(m, 16, 16, "bucket-brigade", **UNI).lookup_toffoli == 2 * (m - 1)


def test_classical_control_is_theta_m_b_per_lookup_and_unlookup():
    for model in ("qrom", "selectswap", "selectswap-dirty", "bucket-brigade"):
        for conv in (UNI, {}):
            c = query_cost(2 ** 20, 16, 16, model, **conv)
            assert c.classical_control_ops == 2 * 2 ** 20 * 257
    assert query_cost(2 ** 20, 16, 16, "qram").classical_control_ops == 0


def test_gidney_adder_and_measured_ands():
    from circuits.resources import adder_cost, unlookup_toffolis

    assert adder_cost(16, "gidney", "measurement") == 15 and adder_cost(16, "gidney", "unitary") == 30
    assert adder_cost(16, "cdkm", "measurement") == adder_cost(16, "cdkm", "unitary") == 32
    assert unlookup_toffolis(2 ** 20, 1) == 2 ** 20 - 2  # k = 1: a plain phase lookup
    assert scan_cost(2 ** 20, 16, 16).toffoli == 2 ** 20 * 13440 // 2
    with pytest.raises(ValueError, match="uncompute"):
        query_cost(8, 2, 4, uncompute="magic")
    with pytest.raises(ValueError, match="adder"):
        query_cost(8, 2, 4, adder="magic")
