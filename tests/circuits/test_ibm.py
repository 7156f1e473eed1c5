"""Device backends offline: hardware oracles, ISA circuits on two fake devices of different
gate sets (FakeTorino: CZ; FakeSherbrooke: ECR), success above the uniform guess, noisy vs ideal,
noisy find-all, and the ``ibm:`` path up to the network (account resolution, circuit preparation,
job failure), with the service mocked.

Statistical tests use fixed seeds and one-sided binomial / two-proportion tests at ``ALPHA``.
"""

from __future__ import annotations

import subprocess
import sys

import numpy as np
import pytest
import qiskit_ibm_runtime  # noqa: E402,F401  (the test extra installs it: these tests must run, not skip)
from qiskit.quantum_info import Operator
from scipy import stats

from circuits import (  # noqa: E402
    SearchProblem,
    find_all_many,
    ibm,  # noqa: E402
)
from circuits.backends import UnknownBackendError, is_device_backend, make_executor  # noqa: E402
from circuits.executors import AerExecutor, make_batch  # noqa: E402
from circuits.grover import optimal_iterations, success_probability  # noqa: E402
from circuits.hardware_oracles import ORACLES, anf_monomials, hardware_grover_circuit, zero_reflection  # noqa: E402
from circuits.marked import MarkedSets  # noqa: E402
from circuits.oracles import diagonal_oracle  # noqa: E402
from tests.circuits._stats import ALPHA  # noqa: E402

FAKES = ("fake_torino", "fake_sherbrooke")  # CZ and ECR gate sets
CASES = {2: [1], 3: [5], 4: [3, 9]}  # q -> marked
SHOTS = 1000


# --------------------------------------------------------------------------- oracles

@pytest.mark.parametrize("q", [1, 2, 3, 4, 5])
def test_hardware_oracles_equal_the_diagonal_oracle(q):
    rng = np.random.default_rng(q)
    n = 1 << q
    for k in sorted({0, 1, 2, n // 2, n // 2 + 1, n - 1, n}):
        marked = rng.choice(n, size=k, replace=False)
        ref = Operator(diagonal_oracle(q, marked))
        for kind, build in ORACLES.items():
            assert Operator(build(q, marked)).equiv(ref), (kind, q, sorted(marked))


def test_anf_of_a_single_minterm_and_of_a_literal():
    assert anf_monomials(3, [7]) == [7]  # x0 x1 x2
    assert anf_monomials(3, [1, 3, 5, 7]) == [1]  # f = x0
    assert len(anf_monomials(3, [0])) == 8  # prod (1 + x_i): every monomial


def test_zero_reflection_and_grover_circuit_match_theory():
    from qiskit.quantum_info import Statevector

    q, marked = 3, [5]
    diag = np.ones(1 << q)
    diag[0] = -1
    assert Operator(zero_reflection(q)).equiv(Operator(diagonal_oracle(q, [0])))
    for j in range(3):
        qc = hardware_grover_circuit(ORACLES["anf"](q, marked), j, measure=False)
        p = Statevector(qc).probabilities()[marked].sum()
        assert p == pytest.approx(float(success_probability(1, 1 << q, j)), abs=1e-9)


def test_oracles_refuse_more_than_five_qubits():
    with pytest.raises(ValueError, match="at most 5 index qubits"):
        ORACLES["mcz"](6, [1])


# --------------------------------------------------------------------------- fake devices

@pytest.fixture(scope="module")
def noisy():
    """``aer-noisy:<fake>`` executors (compact noise model), shared across tests."""
    return {name: make_executor(f"aer-noisy:{name}") for name in FAKES}


@pytest.fixture(scope="module")
def local_runs():
    """One Runtime local-mode job per fake device: q = 2, 3, 4 in one batch; success counts."""
    out = {}
    for name in FAKES:
        ex = make_executor(name)
        problems = [SearchProblem(1 << q, marked) for q, marked in CASES.items()]
        ms = MarkedSets(problems)
        js = [optimal_iterations(len(m), 1 << q) for q, m in CASES.items()]
        outcomes, off = ex.run(make_batch(ms, np.arange(3), js, shots=SHOTS), np.random.default_rng(7))
        hits = [int(np.isin(outcomes[off[i]:off[i + 1]], m).sum()) for i, m in enumerate(CASES.values())]
        out[name] = (ex, js, hits)
    return out


def test_backend_names_resolve():
    assert isinstance(make_executor("fake_torino"), ibm.FakeLocalExecutor)
    assert isinstance(make_executor("aer-noisy:fake_sherbrooke"), ibm.AerNoisyExecutor)
    assert is_device_backend("ibm:least_busy") and not is_device_backend("aer")
    assert "fake_torino" in ibm.fake_backend_names() and "fake_athens" in ibm.fake_backend_names()
    for bad in ("fake_nope", "aer-noisy:fake_nope", "nope"):
        with pytest.raises(UnknownBackendError):
            make_executor(bad)


@pytest.mark.parametrize("name", FAKES)
def test_isa_circuits_are_valid_for_the_device(noisy, name):
    ex = noisy[name]
    target = ex.backend.target
    two_qubit = {"cz", "ecr"} & set(target.operation_names)
    assert len(two_qubit) == 1  # the two devices differ in their entangling gate
    for q, marked in CASES.items():
        for j in (0, 1, 2):
            isa = ex.isa_circuit(q, marked, 0, j)
            assert isa.num_qubits == target.num_qubits
            for inst in isa.data:
                qargs = tuple(isa.find_bit(b).index for b in inst.qubits)
                assert target.instruction_supported(inst.operation.name, qargs), (name, inst.operation.name, qargs)
            assert set(isa.count_ops()) - {"measure", "barrier"} <= set(target.operation_names)


@pytest.mark.parametrize("name", FAKES)
def test_oracle_choice_is_the_fewest_two_qubit_gates(noisy, name):
    for q, marked in CASES.items():
        kind, _, counts = noisy[name].choose_oracle(q, marked)
        assert set(counts) == set(ORACLES)
        assert counts[kind] == min(counts.values())


@pytest.mark.parametrize("name", FAKES)
def test_local_mode_success_above_uniform_guess(local_runs, name):
    """One-sided binomial test of H0: success <= k/2^q, rejected at ALPHA for q = 2, 3, 4."""
    _, js, hits = local_runs[name]
    for (q, marked), h in zip(CASES.items(), hits):
        uniform = len(marked) / (1 << q)
        p = stats.binomtest(h, SHOTS, uniform, alternative="greater").pvalue
        assert p < ALPHA, (name, q, h / SHOTS, uniform)


@pytest.mark.parametrize("name", FAKES)
def test_noisy_below_ideal_and_ideal_matches_theory(local_runs, name):
    """Ideal Aer matches sin^2((2j+1) theta) (two-sided binomial, not rejected at ALPHA); the noisy
    device is worse than ideal at q = 4 (two-proportion test, one-sided, rejected at ALPHA)."""
    _, js, hits = local_runs[name]
    aer = AerExecutor()
    ms = MarkedSets([SearchProblem(1 << q, m) for q, m in CASES.items()])
    outcomes, off = aer.run(make_batch(ms, np.arange(3), js, shots=SHOTS), np.random.default_rng(3))
    for i, (q, marked) in enumerate(CASES.items()):
        ideal_p = float(success_probability(len(marked), 1 << q, js[i]))
        ideal_h = int(np.isin(outcomes[off[i]:off[i + 1]], marked).sum())
        if ideal_p < 1:
            assert stats.binomtest(ideal_h, SHOTS, ideal_p).pvalue > ALPHA
        else:
            assert ideal_h == SHOTS
    ideal_h = int(np.isin(outcomes[off[2]:off[3]], CASES[4]).sum())
    noisy_h = hits[2]
    table = [[ideal_h, SHOTS - ideal_h], [noisy_h, SHOTS - noisy_h]]
    assert stats.fisher_exact(table, alternative="greater").pvalue < ALPHA, (ideal_h, noisy_h)


def test_aer_noisy_compact_equals_full_noise_model(noisy):
    """Restricting the noise model to the active qubits changes nothing: same seed, same outcomes."""
    full = ibm.AerNoisyExecutor("fake_torino", compact=False)
    ms = MarkedSets([SearchProblem(16, CASES[4])])
    batch = make_batch(ms, [0], 2, shots=300)
    a, _ = noisy["fake_torino"].run(batch, np.random.default_rng(11))
    b, _ = full.run(batch, np.random.default_rng(11))
    pa, pb = np.isin(a, CASES[4]).mean(), np.isin(b, CASES[4]).mean()
    table = [[int(pa * 300), 300 - int(pa * 300)], [int(pb * 300), 300 - int(pb * 300)]]
    assert stats.fisher_exact(table).pvalue > ALPHA


def test_noisy_find_all_accounts_queries_and_never_reports_a_wrong_item(noisy):
    rng = np.random.default_rng(5)
    problems = [SearchProblem(8, rng.choice(8, size=k, replace=False)) for k in (1, 2)]
    res = find_all_many(problems, noisy["fake_sherbrooke"], strategy="bbht_warm", delta=0.05, seed=1)
    for p, r in zip(problems, res):
        assert set(r.found.tolist()) <= set(p.marked.tolist())  # the classical check rejects noise
        assert r.queries == sum(r.queries_by_kind.values()) and r.queries_by_kind["check"] <= r.rounds  # one shot per round
        assert r.executor == "aer-noisy:fake_sherbrooke"


def test_too_many_qubits_for_device_or_oracle():
    small = make_executor("aer-noisy:fake_armonk")  # 1 qubit
    ms = MarkedSets([SearchProblem(4, [1])])
    with pytest.raises(ibm.TooManyQubitsError, match="does not fit on fake_armonk"):
        small.run(make_batch(ms, [0], 1), np.random.default_rng(0))
    big = make_executor("aer-noisy:fake_torino")
    with pytest.raises(ibm.TooManyQubitsError, match="at most 5 index qubits"):
        big.run(make_batch(MarkedSets([SearchProblem(64, [1])]), [0], 1), np.random.default_rng(0))


# --------------------------------------------------------------------------- ibm: without network

@pytest.fixture
def no_account(monkeypatch, tmp_path):
    from qiskit_ibm_runtime.accounts import management

    for var in ("QISKIT_IBM_TOKEN", "QISKIT_IBM_INSTANCE", "QISKIT_IBM_CHANNEL", "QISKIT_IBM_URL"):
        monkeypatch.delenv(var, raising=False)
    monkeypatch.setattr(management, "_DEFAULT_ACCOUNT_CONFIG_JSON_FILE", str(tmp_path / "none.json"))

    def refuse(*a, **k):  # no test may reach IBM
        raise AssertionError("tried to contact IBM Quantum")

    monkeypatch.setattr(ibm, "connect_service", refuse)


class FakeService:
    """Stands in for QiskitRuntimeService: devices are fake backends (local mode), jobs kept in memory."""

    def __init__(self):
        from qiskit_ibm_runtime.fake_provider import FakeSherbrooke, FakeTorino

        self.devices = {"ibm_torino": FakeTorino(), "ibm_sherbrooke": FakeSherbrooke()}
        self.jobs = {}

    def backend(self, name):
        if name not in self.devices:
            raise KeyError(f"No backend matches the criteria: {name}")
        return self.devices[name]

    def least_busy(self, **kwargs):
        return self.devices["ibm_sherbrooke"]

    def job(self, job_id):
        return self.jobs[job_id]


def test_no_account_is_one_clear_error(no_account):
    with pytest.raises(ibm.IBMAccountError, match="QISKIT_IBM_TOKEN") as info:
        make_executor("ibm:least_busy")
    assert "\n" not in str(info.value)


def test_account_from_environment_and_from_saved_file(no_account, monkeypatch, tmp_path):
    monkeypatch.setenv("QISKIT_IBM_TOKEN", "tok-from-env")
    assert ibm.resolve_account().token == "tok-from-env"
    monkeypatch.delenv("QISKIT_IBM_TOKEN")
    from qiskit_ibm_runtime.accounts import Account, AccountManager

    path = str(tmp_path / "saved.json")
    AccountManager.save(token="tok-saved", channel="ibm_quantum_platform", filename=path, set_as_default=True,
                        instance="crn:v1:test")
    account = ibm.resolve_account(filename=path)
    assert isinstance(account, Account) and account.token == "tok-saved"


def test_ibm_executor_prepares_isa_circuits_and_runs_through_the_service(no_account, monkeypatch):
    monkeypatch.setenv("QISKIT_IBM_TOKEN", "tok")
    service = FakeService()
    monkeypatch.setattr(ibm, "connect_service", lambda account=None: service)
    submitted = []
    ex = make_executor("ibm:least_busy")
    ex.on_submit = lambda job_id, backend: submitted.append((job_id, backend))
    assert ex.backend_name == "fake_sherbrooke"
    ms = MarkedSets([SearchProblem(8, [5]), SearchProblem(4, [2])])
    outcomes, off = ex.run(make_batch(ms, [0, 1], [2, 1], shots=200), np.random.default_rng(0))
    assert len(submitted) == 1 and submitted[0][1] == "fake_sherbrooke"  # two circuits, one job
    assert np.isin(outcomes[:200], [5]).mean() > 1 / 8 and np.isin(outcomes[200:], [2]).mean() > 1 / 4
    with pytest.raises(UnknownBackendError, match="ibm_nope"):
        _ = make_executor("ibm:ibm_nope").backend


def test_failed_and_timed_out_jobs_are_one_line(no_account, monkeypatch):
    from qiskit_ibm_runtime.exceptions import RuntimeJobFailureError, RuntimeJobTimeoutError

    monkeypatch.setenv("QISKIT_IBM_TOKEN", "tok")
    monkeypatch.setattr(ibm, "connect_service", lambda account=None: FakeService())
    ex = make_executor("ibm:ibm_torino")
    ex.on_submit = None

    class Job:
        def __init__(self, err):
            self.err = err

        def job_id(self):
            return "job-123"

        def result(self, timeout=None):
            raise self.err

    class Sampler:
        def __init__(self, err):
            self.err = err

        def run(self, circuits, shots):
            return Job(self.err)

    ms = MarkedSets([SearchProblem(4, [1])])
    for err, pattern in ((RuntimeJobTimeoutError("slow"), "did not finish within .* quantum-train job job-123"),
                         (RuntimeJobFailureError("boom\ntraceback"), "job job-123 on fake_torino failed: RuntimeJobFailureError: .*boom")):
        monkeypatch.setattr(ex, "_sampler", lambda seed, e=err: Sampler(e))
        with pytest.raises(ibm.JobFailedError, match=pattern) as info:
            ex.run(make_batch(ms, [0], 1), np.random.default_rng(0))
        assert "\n" not in str(info.value)


def test_core_imports_without_qiskit_ibm_runtime():
    code = (
        "import sys; sys.modules['qiskit_ibm_runtime'] = None\n"
        "import circuits, circuits.ibm, quantum_train.face.cli, quantum_train.experiments.comparison\n"
        "from circuits.backends import make_executor\n"
        "make_executor('aer'); make_executor('emulator')\n"
        "from circuits.ibm import MissingExtraError\n"
        "for name in ('fake_torino', 'aer-noisy:fake_torino', 'ibm:least_busy'):\n"
        "    try:\n"
        "        make_executor(name)\n"
        "    except MissingExtraError as err:\n"
        "        assert \"pip install 'quantum-train[ibm]'\" in str(err), err\n"
        "    else:\n"
        "        raise SystemExit('no error for ' + name)\n"
        "print('ok')\n"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120)
    assert out.returncode == 0, out.stderr
    assert out.stdout.strip() == "ok"
