"""Fault-tolerant estimates through the QDK (the ``resources`` extra, part of the ``test`` extra)."""

from __future__ import annotations

import os
import sys

import numpy as np
import pytest
import qdk  # noqa: E402, F401 - the test extra installs the resources extra: these tests run, never skip

from circuits.arithmetic_oracle import ALL_COORDINATES, arithmetic_oracle
from circuits.arithmetic_search import grover_iteration
from circuits.fixed_point import fixed_point_instance
from circuits.ft_estimate import DEFAULT_QUBIT_MODEL, INSTALL_HINT, MissingExtraError, estimate_circuit, estimate_counts


def _iteration():
    inst = fixed_point_instance(np.random.default_rng(0).normal(size=(16, 2)), np.array([3.0, -3.0]), 0.2, 3)
    return grover_iteration(arithmetic_oracle(inst, [], ALL_COORDINATES))


def test_built_circuit_is_estimated_as_built_and_names_its_assumptions():
    it = _iteration()
    est = estimate_circuit(it)
    assert os.environ["QDK_PYTHON_TELEMETRY"] == "none"
    assert est.logical_qubits == it.num_qubits
    assert est.ccz_count == it.count_ops()["ccx"]  # transpilation skipped: one CCZ per CCX
    assert est.physical_qubits > 2 * est.logical_qubits * est.code_distance ** 2 // 2
    assert est.runtime_seconds > 0 and est.code_distance >= 3
    assert est.qubit_model == DEFAULT_QUBIT_MODEL and est.error_budget == 1e-3
    assert DEFAULT_QUBIT_MODEL in est.assumptions and "error budget 0.001" in est.assumptions


def test_logical_counts_scale_and_models_differ():
    small = estimate_counts(100, 10 ** 6)
    big = estimate_counts(100, 10 ** 12)
    assert big.runtime_seconds > 1e5 * small.runtime_seconds
    assert big.code_distance > small.code_distance
    other = estimate_counts(100, 10 ** 6, qubit_model="qubit_gate_ns_e4")
    assert other.qubit_model == "qubit_gate_ns_e4" and other.physical_qubits < small.physical_qubits
    with pytest.raises(ValueError, match="error_budget"):
        estimate_counts(10, 10, error_budget=2.0)


def test_without_the_extra_a_one_line_install_hint(monkeypatch):
    monkeypatch.setitem(sys.modules, "qdk", None)
    with pytest.raises(MissingExtraError) as err:
        estimate_counts(10, 10)
    assert str(err.value) == INSTALL_HINT and "\n" not in INSTALL_HINT
    assert "pip install 'quantum-train[resources]'" in INSTALL_HINT


def test_built_circuit_and_formula_counts_give_the_same_estimate():
    """The two paths agree where both exist: a built qrom query and its closed-form logical counts."""
    from circuits.resources import query_cost

    m, d, p = 256, 4, 6
    inst = fixed_point_instance(np.random.default_rng(0).normal(size=(m, d)), np.full(d, 2.0 ** (p - 1) - 1), 0.2, p)
    built = estimate_circuit(grover_iteration(arithmetic_oracle(inst, [], ALL_COORDINATES)))
    cost = query_cost(m, d, p, "qrom", uncompute="unitary", adder="cdkm")  # the built circuit's convention
    assert built == estimate_counts(cost.logical_qubits, cost.toffoli)
