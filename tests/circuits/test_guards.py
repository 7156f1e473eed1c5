"""Memory guard and input validation."""

from __future__ import annotations

import numpy as np
import pytest

import circuits.executors as exmod
from circuits import AerExecutor, EmulatedExecutor, InsufficientMemoryError, SearchProblem, find_all_many
from circuits.executors import COUNTING, make_batch
from circuits.marked import MarkedSets


def test_memory_guard_refuses_before_building(monkeypatch):
    monkeypatch.setattr(exmod, "available_memory_bytes", lambda: 1 << 20)  # 1 MiB
    ex = AerExecutor()

    def boom(*a, **k):
        raise AssertionError("simulator must not be called")

    monkeypatch.setattr(ex.simulator, "run", boom)
    built = []
    monkeypatch.setattr(exmod, "grover_circuit_from", lambda *a, **k: built.append(1))
    ms = MarkedSets([SearchProblem(1 << 16, [1, 2]), SearchProblem(8, [1])])  # 16 qubits: 1 MiB
    with pytest.raises(InsufficientMemoryError, match="16-qubit statevector needs"):
        ex.run(make_batch(ms, [1, 0], [1, 1]), np.random.default_rng(0))
    assert built == [] and not ex._ops
    assert isinstance(InsufficientMemoryError("x"), MemoryError)
    # counting runs on q + 1 qubits (one reused control): 16 + 1 = 17 qubits also refused ...
    ms2 = MarkedSets([SearchProblem(1 << 16, [1])])
    with pytest.raises(InsufficientMemoryError):
        ex.run(make_batch(ms2, [0], [3], kinds=COUNTING), np.random.default_rng(0))
    # the emulator has no such limit
    o, _ = EmulatedExecutor().run(make_batch(ms, [0], [3]), np.random.default_rng(0))
    assert 0 <= o[0] < 1 << 16


def test_memory_guard_allows_small(monkeypatch):
    monkeypatch.setattr(exmod, "available_memory_bytes", lambda: 1 << 20)
    ms = MarkedSets([SearchProblem(1 << 10, [1])])  # 16 KiB statevector
    o, _ = AerExecutor().run(make_batch(ms, [0], [3]), np.random.default_rng(0))
    assert o.shape == (1,)
    # ... while counting on 3 index qubits fits (4 qubits)
    o, _ = AerExecutor().run(make_batch(MarkedSets([SearchProblem(8, [1])]), [0], [5], kinds=COUNTING),
                             np.random.default_rng(0))
    assert 0 <= o[0] < 1 << 5


def test_available_memory_is_positive():
    assert exmod.available_memory_bytes() > 0


@pytest.mark.parametrize("m", [0, -3])
def test_bad_num_items(m):
    with pytest.raises(ValueError, match="num_items"):
        SearchProblem(m, [])


def test_bad_types():
    with pytest.raises(TypeError, match="num_items"):
        SearchProblem(4.0, [1])
    with pytest.raises(TypeError, match="marked"):
        SearchProblem(4, ["a"])
    with pytest.raises(ValueError, match="non-integer"):
        SearchProblem(4, [1.5])


@pytest.mark.parametrize("marked", [[4], [-1], [0, 7]])
def test_marked_out_of_range(marked):
    with pytest.raises(ValueError, match="out of range"):
        SearchProblem(4, marked)


def test_duplicate_marked():
    with pytest.raises(ValueError, match="duplicate"):
        SearchProblem(4, [1, 1])


@pytest.mark.parametrize("shots", [0, -1])
def test_bad_shots(shots):
    pr = [SearchProblem(8, [1])]
    with pytest.raises(ValueError, match="shots"):
        find_all_many(pr, EmulatedExecutor(), shots=shots)
    with pytest.raises(ValueError, match="shots"):
        make_batch(MarkedSets(pr), [0], [1], shots=shots)


@pytest.mark.parametrize("delta", [0, 1, -0.1, 1.5, float("nan")])
def test_bad_delta(delta):
    with pytest.raises(ValueError, match="delta"):
        find_all_many([SearchProblem(8, [1])], EmulatedExecutor(), delta=delta)


def test_bad_strategy_and_executor_and_problems():
    pr = [SearchProblem(8, [1])]
    with pytest.raises(ValueError, match="strategy"):
        find_all_many(pr, EmulatedExecutor(), strategy="grover9000")
    with pytest.raises(TypeError, match="Executor"):
        find_all_many(pr, object())
    with pytest.raises(ValueError, match="empty"):
        find_all_many([], EmulatedExecutor())
    with pytest.raises(TypeError, match="SearchProblem"):
        find_all_many([(8, [1])], EmulatedExecutor())


def test_bad_iterations_and_precision():
    ms = MarkedSets([SearchProblem(8, [1])])
    with pytest.raises(ValueError, match="iterations"):
        make_batch(ms, [0], [-1])
    with pytest.raises(ValueError, match="precision"):
        make_batch(ms, [0], [0], kinds=COUNTING)
