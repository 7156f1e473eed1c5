"""circuits.run: one Grover search circuit on a backend, its counts and success probability."""

import numpy as np
import pytest

import circuits
from circuits import run_search_circuit
from circuits.errors import UnknownBackendError
from circuits.grover import optimal_iterations, success_probability


@pytest.mark.parametrize("backend", ["aer", "emulator"])
def test_run_matches_the_ideal_law(backend):
    run = run_search_circuit(16, [3, 9], backend=backend, iterations=1, shots=2000, seed=3)
    assert run.iterations == 1 and run.num_qubits == 4 and run.shots == 2000 and run.marked == (3, 9)
    assert sum(run.counts.values()) == 2000 == run.outcomes.size
    assert set(run.counts) <= set(range(16))
    ideal = float(success_probability(2, 16, 1))
    assert run.ideal_success_probability == pytest.approx(ideal)
    assert run.success_probability == pytest.approx(np.isin(run.outcomes, [3, 9]).mean())
    assert abs(run.success_probability - ideal) < 5 * run.stderr + 1e-9
    assert run.uniform_guess == 2 / 16 and run.job_id is None and run.oracle is None
    assert run.depth > 0 and run.circuit.num_qubits == 4 and run.backend == backend


def test_auto_iterations_padding_and_seed():
    run = run_search_circuit(5, [4], backend="aer", shots=300, seed=1)  # 5 items on 3 qubits
    assert run.iterations == optimal_iterations(1, 8) and run.uniform_guess == 1 / 8
    again = run_search_circuit(5, [4], backend="aer", shots=300, seed=1)
    assert np.array_equal(run.outcomes, again.outcomes)  # the seed fixes the simulator


def test_prepare_submit_result_is_run_search_circuit():
    search = circuits.prepare_search_circuit(8, [2, 6], "emulator", iterations=1, seed=4)
    assert search.describe()["iterations"] == 1 and "shots" not in search.describe()
    job = search.submit(500)
    assert job.job_id is None
    a = job.result()
    b = run_search_circuit(8, [2, 6], "emulator", iterations=1, shots=500, seed=4)
    assert np.array_equal(a.outcomes, b.outcomes) and a.to_dict() == b.to_dict()


def test_to_dict_has_the_cli_keys():
    doc = run_search_circuit(8, [5], "aer", shots=50).to_dict()
    assert list(doc) == ["m", "num_qubits", "marked", "iterations", "backend", "backend_label", "seed", "depth",
                         "two_qubit_gates", "oracle", "transpiled_for", "shots", "counts",
                         "success_probability_measured", "success_probability_stderr",
                         "success_probability_ideal", "uniform_guess"]
    assert all(isinstance(k, str) for k in doc["counts"]) and sum(doc["counts"].values()) == 50


@pytest.mark.parametrize("kwargs, fragment", [
    (dict(m=8, marked=[9]), "out of range"),
    (dict(m=8, marked=[1], iterations=-1), "iterations must be >= 0"),
    (dict(m=8, marked=[1], iterations="x"), "auto or an integer"),
    (dict(m=8, marked=[1], shots=0), "shots must be an integer >= 1"),
    (dict(m=8, marked=[1], shots=2**21), "at most"),
    (dict(m=8, marked=[1], seed=-1), "seed must be"),
])
def test_bad_arguments_are_value_errors(kwargs, fragment):
    with pytest.raises(ValueError, match=fragment):
        run_search_circuit(backend="aer", **kwargs)


def test_unknown_backend():
    with pytest.raises(UnknownBackendError, match="unknown backend"):
        run_search_circuit(8, [1], backend="nope")
