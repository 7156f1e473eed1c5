"""``quantum-train circuit`` / ``job`` and the device limits of ``compare``; offline (IBM mocked)."""

from __future__ import annotations

import json

import pytest
import qiskit_ibm_runtime  # noqa: E402,F401  (the test extra installs it: these tests must run, not skip)

from circuits import ibm  # noqa: E402
from quantum_train.face.cli import main  # noqa: E402
from tests.circuits.test_ibm import FakeService  # noqa: E402


@pytest.fixture
def offline(monkeypatch, tmp_path):
    from qiskit_ibm_runtime.accounts import management

    for var in ("QISKIT_IBM_TOKEN", "QISKIT_IBM_INSTANCE", "QISKIT_IBM_CHANNEL", "QISKIT_IBM_URL"):
        monkeypatch.delenv(var, raising=False)
    monkeypatch.setattr(management, "_DEFAULT_ACCOUNT_CONFIG_JSON_FILE", str(tmp_path / "none.json"))
    monkeypatch.setenv("QUANTUM_TRAIN_JOBS", str(tmp_path / "jobs"))

    def refuse(*a, **k):
        raise AssertionError("tried to contact IBM Quantum")

    monkeypatch.setattr(ibm, "connect_service", refuse)
    return tmp_path


def _one_error_line(capsys) -> str:
    err = capsys.readouterr().err.strip()
    assert err.count("\n") == 0 and err.startswith("quantum-train: error:"), err
    return err


def test_circuit_on_noisy_fake_device_writes_json_and_png(offline, capsys):
    out, png = offline / "c.json", offline / "c.png"
    assert main(["circuit", "--m", "16", "--marked", "3,9", "--backend", "aer-noisy:fake_torino", "--shots", "500",
                 "--json", str(out), "--draw", str(png)]) == 0
    text = capsys.readouterr().out
    assert "success probability: measured" in text and "two-qubit gates" in text and "fake_torino" in text
    doc = json.loads(out.read_text())
    assert doc["iterations"] == 2 and doc["shots"] == 500 and sum(doc["counts"].values()) == 500
    assert doc["success_probability_ideal"] == pytest.approx(0.9453125)
    assert doc["uniform_guess"] < doc["success_probability_measured"] < doc["success_probability_ideal"]
    assert doc["oracle"] in ("anf", "mcz", "diagonal") and doc["two_qubit_gates"] > 0
    assert "job_id" not in doc and "no job to fetch" in text  # a local run prints no id that `job` cannot fetch
    assert png.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"


def test_circuit_on_ideal_aer_with_random_marked(offline, capsys):
    out = offline / "a.json"
    assert main(["circuit", "--m", "8", "--k", "1", "--backend", "aer", "--shots", "200", "--json", str(out)]) == 0
    doc = json.loads(out.read_text())
    assert doc["iterations"] == 2 and len(doc["marked"]) == 1 and doc["success_probability_measured"] > 0.8


@pytest.mark.parametrize("argv, fragment", [
    (["--m", "16", "--k", "2", "--backend", "ibm:least_busy"], "argument --backend: no IBM Quantum account"),
    (["--m", "16", "--k", "2", "--backend", "fake_nope"], "unknown fake backend 'fake_nope'"),
    (["--m", "16", "--k", "2", "--backend", "warp_drive"], "unknown backend 'warp_drive'"),
    (["--m", "64", "--k", "2", "--backend", "fake_torino"], "argument --m: hardware Grover circuits are built for at most 5"),
    (["--m", "8", "--k", "1", "--backend", "aer-noisy:fake_armonk"], "does not fit on fake_armonk"),
    (["--m", "8", "--k", "1", "--backend", "fake_torino", "--no-wait"], "argument --no-wait"),
    (["--m", "8", "--marked", "9", "--backend", "aer"], "argument --marked"),
    (["--m", "8", "--k", "1", "--backend", "emulator"], "argument --backend"),
])
def test_circuit_errors_are_one_line_exit_2_nothing_written(offline, capsys, argv, fragment):
    out = offline / "x.json"
    assert main(["circuit", *argv, "--shots", "10", "--json", str(out), "--draw", str(offline / "x.png")]) == 2
    assert fragment in _one_error_line(capsys)
    assert not out.exists() and not (offline / "x.png").exists()


def test_ibm_no_wait_then_job_fetches_the_result(offline, monkeypatch, capsys):
    monkeypatch.setenv("QISKIT_IBM_TOKEN", "tok")
    service = FakeService()
    monkeypatch.setattr(ibm, "connect_service", lambda account=None: service)
    real_submit = ibm.DeviceExecutor.submit

    def submit(self, circuits, shots, seed):  # keep the (local) job so the mocked service can return it
        job = real_submit(self, circuits, shots, seed)
        service.jobs[str(job.job_id())] = job
        return job

    monkeypatch.setattr(ibm.DeviceExecutor, "submit", submit)
    assert main(["circuit", "--m", "8", "--marked", "5", "--backend", "ibm:ibm_torino", "--shots", "300",
                 "--no-wait"]) == 0
    text = capsys.readouterr().out
    job_id = text.split("submitted job ")[1].split()[0]
    assert f"quantum-train job {job_id}" in text and "success probability" not in text
    out = offline / "j.json"
    service.jobs[job_id].result()  # let the (local) job finish
    assert main(["job", job_id, "--json", str(out)]) == 0
    text = capsys.readouterr().out
    assert "DONE" in text and "success probability: measured" in text
    doc = json.loads(out.read_text())
    assert doc["marked"] == [5] and doc["shots"] == 300 and doc["success_probability_measured"] > 1 / 8


def test_job_without_account_or_record(offline, capsys):
    assert main(["job", "no-such-job"]) == 2
    assert "no record of job" in _one_error_line(capsys)


def test_compare_refuses_device_finders_beyond_limits(offline, capsys):
    base = ["compare", "--d", "4", "--iters", "1", "--quiet", "--strategy", "bbht_warm"]
    assert main([*base, "--m", "64", "--n", "2", "--finders", "dense,grover-fake_torino"]) == 2
    assert "argument --m: grover-fake_torino runs on a device backend and needs m <= 32" in _one_error_line(capsys)
    assert main([*base, "--m", "16", "--n", "8", "--finders", "dense,grover-fake_torino"]) == 2
    assert "argument --n" in _one_error_line(capsys)
    assert main(["compare", "--d", "4", "--m", "16", "--n", "2", "--strategy", "counting",
                 "--finders", "dense,grover-fake_torino"]) == 2
    assert "argument --strategy" in _one_error_line(capsys)
    assert main(["compare", "--d", "4", "--m", "64", "--n", "8", "--strategy", "counting",
                 "--finders", "dense,grover-fake_torino"]) == 2
    every = _one_error_line(capsys)  # every fault at once, not one per attempt
    assert "m <= 32" in every and "n <= 4" in every and "bbht" in every
    assert main([*base, "--m", "16", "--n", "2", "--finders", "dense,grover-ibm:least_busy"]) == 2
    assert "no IBM Quantum account" in _one_error_line(capsys)


def test_compare_with_a_noisy_finder_reports_recall_and_weight_deviation(offline, capsys):
    out = offline / "r.json"
    assert main(["compare", "--m", "8", "--n", "2", "--d", "4", "--iters", "1", "--quiet", "--strategy", "bbht_warm",
                 "--finders", "dense,grover-aer-noisy:fake_torino", "--json", str(out)]) == 0
    assert "recall" in capsys.readouterr().out
    dense, noisy = json.loads(out.read_text())["results"]
    assert 0 <= noisy["recall"] <= 1 and noisy["max_abs_weight_diff_vs_dense"] >= 0
    assert noisy["backend"] == "aer-noisy:fake_torino"


@pytest.mark.parametrize("uncompute", ["measurement", "unitary"])
def test_circuit_builds_runs_and_draws_the_arithmetic_oracle(uncompute, tmp_path, capsys):
    out, png = tmp_path / "c.json", tmp_path / "q.png"
    assert main(["circuit", "--oracle", "arithmetic", "--uncompute", uncompute, "--m", "6", "--d", "1", "--bits", "3",
                 "--backend", "aer", "--shots", "200", "--json", str(out), "--draw", str(png)]) == 0
    doc = json.loads(out.read_text())
    assert doc["uncompute"] == uncompute and png.stat().st_size > 0
    assert doc["query_ccx"] == doc["closed_form_toffoli"] and doc["query_qubits"] == doc["closed_form_logical_qubits"]
    assert doc["query_measurements"] == (doc["closed_form_measurements"] if uncompute == "measurement" else 0)
    if doc["marked"] and doc["iterations"]:
        assert doc["success_probability_measured"] > doc["uniform_guess"]
    assert "closed form" in capsys.readouterr().out


@pytest.mark.parametrize("args, needle", [
    (["--oracle", "arithmetic", "--m", "64", "--backend", "aer"], "argument --m"),
    (["--oracle", "arithmetic", "--m", "4", "--backend", "fake_torino"], "argument --backend"),
    (["--oracle", "arithmetic", "--m", "4", "--k", "1", "--backend", "aer"], "argument --oracle"),
    (["--oracle", "arithmetic", "--m", "4", "--bits", "9", "--backend", "aer"], "argument --bits"),
    (["--oracle", "arithmetic", "--m", "4", "--uncompute", "magic", "--backend", "aer"], "argument --uncompute"),
    (["--oracle", "magic", "--m", "4", "--k", "1", "--backend", "aer"], "argument --oracle"),
    (["--m", "4", "--backend", "aer"], "argument --marked"),
])
def test_circuit_arithmetic_bad_inputs(args, needle, tmp_path, capsys):
    out = tmp_path / "c.json"
    assert main(["circuit", *args, "--json", str(out)]) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and err.startswith(f"quantum-train: error: {needle}")
    assert not out.exists()
