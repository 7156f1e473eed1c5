"""First contact (issue 21): version, help, negative values, the numba cache, progress, and reports that
say what they count. Each test is named after its case; the bad inputs are one parametrized table."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from importlib.metadata import version
from pathlib import Path

import pytest

from quantum_train.face.cli import build_parser, main
from quantum_train.face.commands import SUMMARIES

ROOT = Path(__file__).resolve().parents[2]
TINY = ["--n", "8", "--m", "64", "--d", "2", "--iters", "1", "--quiet"]


def child_env(**extra: str) -> dict[str, str]:
    """The environment of a child process that imports this tree."""
    return {**os.environ, "PYTHONPATH": str(ROOT), **extra}


def test_negative_number_is_read_as_a_value_not_an_option():
    args = build_parser("compare").parse_args(["compare", "--b", "-0.5", "--lr", "1e-3"])
    assert args.b == -0.5 and args.lr == 1e-3
    args = build_parser("compare").parse_args(["compare", "--b", "-2.5e-1"])
    assert args.b == -0.25


# ----------------------------------------------------------------------------- version and help


def test_version_prints_the_installed_version(capsys):
    with pytest.raises(SystemExit) as stop:
        main(["--version"])
    assert stop.value.code == 0
    assert capsys.readouterr().out.strip() == f"quantum-train {version('quantum-train')}"


def test_top_level_help_imports_no_command_and_no_numerical_library():
    script = ("import sys\nfrom quantum_train.face.cli import main\ntry:\n    main(['--help'])\nexcept SystemExit:\n    pass\n"
              "heavy = ['numpy', 'numba', 'scipy', 'qiskit', 'matplotlib', 'quantum_train.face.commands.compare']\n"
              "print([m for m in heavy if m in sys.modules])")
    out = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, env=child_env(), timeout=60)
    assert out.returncode == 0, out.stderr
    assert out.stdout.strip().splitlines()[-1] == "[]"
    assert "compare" in out.stdout and "sweep" in out.stdout


def test_every_command_summary_matches_its_module():
    parser = build_parser("all")
    sub = next(a for a in parser._actions if a.dest == "command")
    registered = {a.dest: a.help for a in sub._choices_actions}
    assert registered == SUMMARIES


def test_each_command_alone_parses_its_own_options():
    for name in SUMMARIES:
        parser = build_parser(name)
        sub = next(a for a in parser._actions if a.dest == "command")
        assert sub.choices[name]._actions[1:], name  # registered in full: more than --help


@pytest.mark.parametrize("command", sorted(SUMMARIES))
def test_help_has_no_doubled_percent_and_no_markup(command, capsys):
    with pytest.raises(SystemExit):
        main([command, "--help"])
    text = capsys.readouterr().out
    assert "%%" not in text
    assert "`" not in text
    assert ":func:" not in text and ":class:" not in text


def test_sweep_data_help_names_data_files(capsys):
    with pytest.raises(SystemExit):
        main(["sweep", "--help"])
    text = " ".join(capsys.readouterr().out.split())
    assert "or a file: .npz (arrays X, y), .npy or .csv" in text


# ----------------------------------------------------------------------------- the numba cache


def test_no_writable_kernel_cache_is_detected(monkeypatch):
    import qt_kernel_cache as kc

    monkeypatch.setattr(kc, "_writable", lambda directory: False)
    assert not kc.kernel_cache_is_writable(ROOT)
    monkeypatch.setattr(kc, "_writable", lambda directory: True)
    assert kc.kernel_cache_is_writable(ROOT)


def test_no_writable_kernel_cache_falls_back_to_a_temporary_one_with_one_warning(monkeypatch, capsys):
    from numba.core import config

    import qt_kernel_cache as kc

    monkeypatch.setattr(config, "CACHE_DIR", config.CACHE_DIR)
    monkeypatch.setenv("NUMBA_CACHE_DIR", os.environ.get("NUMBA_CACHE_DIR", ""))
    monkeypatch.setattr(kc, "kernel_cache_is_writable", lambda root, packages=kc.PACKAGES: False)
    temporary = kc.use_temporary_cache_if_unwritable(ROOT)
    try:
        assert temporary is not None and temporary.is_dir()
        assert config.CACHE_DIR == os.environ["NUMBA_CACHE_DIR"] == str(temporary)
        lines = capsys.readouterr().err.strip().splitlines()
        assert len(lines) == 1 and lines[0].startswith("quantum-train: warning: no writable numba cache")
        assert "NUMBA_CACHE_DIR" in lines[0]
    finally:
        shutil.rmtree(temporary, ignore_errors=True)


def unwritable_copy(tmp_path: Path) -> tuple[Path, dict[str, str]]:
    """A copy of the packages whose every ``__pycache__`` is a file, and a HOME that is a file: no cache can be
    made anywhere numba looks (even for root, who may write into read-only folders)."""
    tree = tmp_path / "tree"
    for package in ("classical", "circuits", "quantum_train", "qt_kernel_cache"):
        shutil.copytree(ROOT / package, tree / package, ignore=shutil.ignore_patterns("__pycache__"))
    for directory in [tree, *[p for p in tree.rglob("*") if p.is_dir()]]:
        (directory / "__pycache__").write_text("")
    home = tmp_path / "home-is-a-file"
    home.write_text("")
    env = {k: v for k, v in os.environ.items() if k not in ("NUMBA_CACHE_DIR", "XDG_CACHE_HOME")}
    return tree, {**env, "HOME": str(home), "PYTHONPATH": str(tree)}


@pytest.mark.slow
def test_unwritable_cache_runs_uncached_with_one_warning_line(tmp_path):
    tree, env = unwritable_copy(tmp_path)
    helped = subprocess.run([sys.executable, "-m", "quantum_train.face.cli", "compare", "--help"], capture_output=True,
                            text=True, env=env, cwd=tmp_path, timeout=300)
    assert helped.returncode == 0, helped.stderr
    assert helped.stderr.strip().splitlines() == [helped.stderr.strip()]  # one line
    assert helped.stderr.startswith("quantum-train: warning: no writable numba cache")
    ran = subprocess.run([sys.executable, "-m", "quantum_train.face.cli", "compare", *TINY, "--finders", "dense"],
                         capture_output=True, text=True, env=env, cwd=tmp_path, timeout=600)
    assert ran.returncode == 0, ran.stderr
    assert "Traceback" not in ran.stderr and "cannot cache" not in ran.stderr
    warnings = [line for line in ran.stderr.splitlines() if "warning" in line]
    assert len(warnings) == 1
    assert "final loss" in ran.stdout


@pytest.mark.slow
def test_a_cold_cache_says_it_compiles_and_a_warm_one_does_not(tmp_path):
    argv = [sys.executable, "-m", "quantum_train.face.cli", "compare", *TINY, "--finders", "dense"]
    env = child_env(NUMBA_CACHE_DIR=str(tmp_path / "numba"))
    cold = subprocess.run(argv, capture_output=True, text=True, env=env, cwd=tmp_path, timeout=600)
    assert cold.returncode == 0, cold.stderr
    said = [line for line in cold.stderr.splitlines() if line.startswith("compiling numerical kernels")]
    assert len(said) == 1, cold.stderr
    assert "first run only, about" in said[0]
    warm = subprocess.run(argv, capture_output=True, text=True, env=env, cwd=tmp_path, timeout=600)
    assert warm.returncode == 0, warm.stderr
    assert "compiling" not in warm.stderr


# ----------------------------------------------------------------------------- progress in the API


@pytest.mark.parametrize("interactive,progress,shown", [(False, None, False), (True, None, True), (True, False, False),
                                                        (False, True, True)],
                         ids=["script_default_hides", "interactive_default_shows", "interactive_told_not_to",
                              "script_asks_for_it"])
def test_api_shows_progress_when_interactive_unless_told_not_to(interactive, progress, shown, monkeypatch):
    import quantum_train.face.api as api

    seen = {}
    monkeypatch.setattr(api, "interactive", lambda: interactive)
    monkeypatch.setattr(api, "run_comparison", lambda config, progress, data: seen.setdefault("progress", progress))
    api.compare(m=64, n=8, d=2, iters=1, finders="dense", progress=progress)
    assert seen["progress"] is shown


def test_interactive_follows_ipython_and_the_terminal(monkeypatch):
    import io

    from quantum_train.experiments.comparison import interactive

    monkeypatch.delattr(sys, "ps1", raising=False)
    monkeypatch.setitem(sys.modules, "IPython", None)
    monkeypatch.setattr(sys, "stderr", io.StringIO())
    assert not interactive()
    monkeypatch.setattr(sys, "ps1", ">>> ", raising=False)
    assert interactive()


# ----------------------------------------------------------------------------- reports say what they count


def test_circuit_on_aer_says_it_is_not_transpiled(capsys):
    assert main(["circuit", "--m", "16", "--marked", "3,9", "--backend", "aer", "--shots", "64"]) == 0
    out = capsys.readouterr().out
    assert "after transpilation" not in out
    assert "circuit not transpiled (aer runs the DiagonalGate oracle natively)" in out


def test_circuit_on_a_device_says_it_is_transpiled():
    from quantum_train.face.commands.circuit import gate_report

    line = gate_report({"oracle": "diagonal", "transpiled_for": "fake_torino", "depth": 261, "two_qubit_gates": 79,
                        "oracle_candidates": {"diagonal": 14}})
    assert line.startswith("circuit transpiled for fake_torino: depth 261, two-qubit gates 79")


@pytest.fixture(scope="module")
def grover_comparison():
    import quantum_train as qt

    return qt.compare(m=256, n=16, d=4, iters=2, finders="dense,grover-emulator", progress=False)


def test_compare_table_says_grover_ops_include_the_classical_checks(grover_comparison):
    table = grover_comparison.table()
    assert "A Grover row's ops add its oracle queries to its classical inner products" in table
    assert "the notes' gate cost counts the quantum queries alone" in table


def test_work_split_separates_oracle_queries_from_inner_products(grover_comparison):
    from quantum_train.output.plots import work_per_iteration

    dense, grover = grover_comparison.rows()
    assert work_per_iteration(dense) == (dense["per_iteration"]["ops"], 0.0)
    classical, queries = work_per_iteration(grover)
    assert queries == grover["quantum_queries"] / len(grover["ops_by_iteration"]) > 0
    assert classical > 0
    assert classical + queries == pytest.approx(grover["per_iteration"]["ops"])


def test_plot_keeps_oracle_queries_apart_from_inner_products(grover_comparison):
    from quantum_train.output.plots import comparison_figure

    work_axis = comparison_figure(grover_comparison).axes[1]
    labels = [t.get_text() for t in work_axis.get_legend().get_texts()]
    assert labels == ["d-dim inner products (classical)", "oracle queries (quantum, QRAM access)"]
    queries, = [c for c in work_axis.containers if c.get_label().startswith("oracle")]
    inner, = [c for c in work_axis.containers if c.get_label().startswith("d-dim")]
    assert len(queries.patches) == 1 and len(inner.patches) == 2
    assert queries.patches[0].get_facecolor() != inner.patches[0].get_facecolor()
    assert queries.patches[0].get_hatch() == "//"


# ----------------------------------------------------------------------------- the documented drawing


def test_documented_mpl_drawing_works_after_the_base_install():
    import matplotlib

    matplotlib.use("Agg")
    from circuits import run_search_circuit

    run = run_search_circuit(16, [3, 9], backend="aer", shots=16)
    figure = run.circuit.draw("mpl")  # needs pylatexenc, a base dependency
    assert figure.axes


# ----------------------------------------------------------------------------- a long run says so first


def test_long_run_says_its_estimate_and_dominant_finder_before_it_starts(monkeypatch, capsys):
    import quantum_train.experiments.comparison as comparison

    def not_started(*args, **kwargs):
        raise KeyboardInterrupt  # stands in for the training that would follow

    monkeypatch.setattr(comparison, "warm_up", not_started)
    code = main(["compare", "--m", "2^15", "--n", "256", "--iters", "20", "--finders", "dense,grover-emulator",
                 "--quiet"])
    lines = capsys.readouterr().err.strip().splitlines()
    assert code == 130
    estimate = [line for line in lines if "may take about" in line]
    assert len(estimate) == 1 and lines.index(estimate[0]) < lines.index(lines[-1])
    assert "grover-emulator dominates" in estimate[0]


def test_short_run_gives_no_estimate(capsys, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    assert main(["compare", *TINY, "--finders", "dense"]) == 0
    assert "may take" not in capsys.readouterr().err


def test_estimate_follows_the_cost_model():
    from quantum_train.experiments.run_time import (
        AER_SECONDS_PER_SEARCH,
        LONG_RUN_SECONDS,
        SECONDS_PER_MULTIPLY_ADD,
        duration,
        estimate_run,
    )

    run = estimate_run(("dense", "grover-aer"), n=64, m=2**11, d=16, fire_probability=0.01, iters=10)
    assert run.seconds["dense"] == pytest.approx(10 * 64 * 2**11 * 16 * SECONDS_PER_MULTIPLY_ADD)
    assert run.seconds["grover-aer"] == pytest.approx(10 * 64 * AER_SECONDS_PER_SEARCH * 2)
    assert run.dominant == "grover-aer" and run.total > LONG_RUN_SECONDS
    assert [duration(s) for s in (40, 600, 9000)] == ["40 s", "10 min", "2.5 h"]


@pytest.mark.parametrize("interactive,progress,bar", [(False, None, False), (True, None, True), (True, False, False),
                                                      (False, True, True)],
                         ids=["script_default_hides", "interactive_default_shows", "interactive_told_not_to",
                              "script_asks_for_it"])
def test_sweep_api_shows_a_bar_when_interactive_unless_told_not_to(interactive, progress, bar, monkeypatch):
    import quantum_train.experiments.comparison as comparison
    from quantum_train.experiments.sweeps import _progress

    monkeypatch.setattr(comparison, "interactive", lambda: interactive)
    shown, callback = _progress(progress, 3)
    assert (shown is not None) is bar and (callback is not None) is bar
    if shown is not None:
        shown.close()


def test_sweep_bar_counts_the_points(monkeypatch):
    import quantum_train as qt
    import quantum_train.experiments.sweeps as sweeps

    bars = []
    real = sweeps._progress

    def keep(progress, total):
        bar, callback = real(progress, total)
        bars.append(bar)
        return bar, callback

    monkeypatch.setattr(sweeps, "_progress", keep)
    result = qt.sweep(finders="dense", m=[64, 128], d=2, n=8, iters=1, seeds=0, progress=True)
    assert len(result.points) == 2
    assert bars[0].n == bars[0].total == 2


def test_sweep_keeps_a_callback(monkeypatch):
    import quantum_train as qt

    calls = []
    qt.sweep(finders="dense", m=[64], d=2, n=8, iters=1, seeds=0, progress=lambda *a: calls.append(a[:2]))
    assert calls == [(1, 1)]
