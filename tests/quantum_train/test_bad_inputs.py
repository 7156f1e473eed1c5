"""The one-line error contract, held command by command.

Every case is a bad or impossible input. Each must end with exit status 2,
exactly one line on stderr that names the argument at fault, no traceback,
and no file left behind (outputs point into an empty folder). Cases whose
honest outcome would be a long run or an out-of-memory kill (``--m 2^26``,
``--n 10^8``) are refused by their guards before any allocation, so they
return at once.
"""

from __future__ import annotations

import pytest

from quantum_train.face.cli import main

TINY = ["--n", "8", "--m", "64", "--d", "2", "--iters", "1", "--quiet"]
AER = ["--m", "8", "--k", "1", "--backend", "aer"]

# (command line with {out} for the output folder, the argument the error must name)
CASES = [
    # compare: sizes and numbers
    (["compare", "--n", "0"], "--n"),
    (["compare", "--m", "-4"], "--m"),
    (["compare", "--m", "abc"], "--m"),
    (["compare", "--m", "2^63"], "--m"),
    (["compare", "--n", "2^41"], "--n"),
    (["compare", "--m", "2^40"], "--m"),
    (["compare", "--m", "2^26", "--finders", "dense"], "--m"),
    (["compare", "--n", "100000000"], "--n"),
    (["compare", "--d", "0"], "--d"),
    (["compare", "--iters", "0"], "--iters"),
    (["compare", "--lr", "0"], "--lr"),
    (["compare", "--lr", "-1"], "--lr"),
    (["compare", "--lr", "nan"], "--lr"),
    (["compare", "--lr", "inf"], "--lr"),
    (["compare", "--lr", "fast"], "--lr"),
    (["compare", "--b", "nan"], "--b"),
    (["compare", "--b", "inf"], "--b"),
    (["compare", "--seed", "-1"], "--seed"),
    (["compare", "--seed", "1.5"], "--seed"),
    # compare: data
    (["compare", "--data", "nope"], "--data"),
    (["compare", "--data", "iris", "--d", "10"], "--d"),
    (["compare", "--data", "iris", "--n", "1000"], "--n"),
    (["compare", "--data", "wine", "--d", "0"], "--d"),
    # compare: finders and searches
    (["compare", "--finders", ""], "--finders"),
    (["compare", "--finders", "dense,dense"], "--finders"),
    (["compare", "--finders", "nope"], "--finders"),
    (["compare", "--finders", "grover-nope"], "--finders"),
    (["compare", "--finders", "grover-aer-noisy:fake_nope"], "--finders"),
    (["compare", "--strategy", "nope"], "--strategy"),
    (["compare", "--delta", "0"], "--delta"),
    (["compare", "--delta", "1"], "--delta"),
    (["compare", "--finders", "grover-aer", "--m", "2^31"], "--m"),
    (["compare", "--finders", "grover-fake_manila"], "--m"),
    (["compare", "--finders", "grover-fake_manila", "--m", "16", "--n", "8"], "--n"),
    (["compare", "--finders", "grover-fake_manila", "--m", "16", "--strategy", "counting"], "--strategy"),
    # compare: outputs, checked before any work
    (["compare", *TINY, "--json", "{out}/missing/r.json"], "--json"),
    (["compare", *TINY, "--json", "{out}"], "--json"),
    (["compare", *TINY, "--json", ""], "--json"),
    (["compare", *TINY, "--plot", "{out}/r.jpg"], "--plot"),
    (["compare", *TINY, "--plot", "{out}/r"], "--plot"),
    (["compare", *TINY, "--plot", "/proc/r.png"], "--plot"),
    (["compare", *TINY, "--json", "{out}/r.png", "--plot", "{out}/r.png"], "--plot"),
    (["compare", "--bogus"], "--bogus"),
    # find-fired
    (["find-fired", "--m", "0"], "--m"),
    (["find-fired", "--m", "2^41"], "--m"),
    (["find-fired", "--d", "0"], "--d"),
    (["find-fired", "--inputs", "0"], "--inputs"),
    (["find-fired", "--backend", "nope"], "--backend"),
    (["find-fired", "--m", "2^31", "--backend", "aer"], "--m"),
    (["find-fired", "--strategy", "nope"], "--strategy"),
    (["find-fired", "--delta", "2"], "--delta"),
    (["find-fired", "--b", "nan"], "--b"),
    (["find-fired", "--seed", "-1"], "--seed"),
    (["find-fired", "--json", "{out}/missing/f.json"], "--json"),
    # circuit
    (["circuit", "--m", "8", "--marked", "", "--backend", "aer"], "--marked"),
    (["circuit", "--m", "8", "--marked", "9", "--backend", "aer"], "--marked"),
    (["circuit", "--m", "8", "--marked", "a", "--backend", "aer"], "--marked"),
    (["circuit", "--m", "8", "--k", "0", "--backend", "aer"], "--k"),
    (["circuit", "--m", "8", "--k", "9", "--backend", "aer"], "--k"),
    (["circuit", "--m", "0", "--k", "1", "--backend", "aer"], "--m"),
    (["circuit", "--m", "2^40", "--k", "1", "--backend", "aer"], "--m"),
    (["circuit", *AER, "--shots", "2^40"], "--shots"),
    (["circuit", *AER, "--shots", "0"], "--shots"),
    (["circuit", *AER, "--iterations", "-1"], "--iterations"),
    (["circuit", *AER, "--iterations", "x"], "--iterations"),
    (["circuit", *AER, "--seed", "-1"], "--seed"),
    (["circuit", *AER, "--timeout", "0"], "--timeout"),
    (["circuit", *AER, "--no-wait"], "--no-wait"),
    (["circuit", *AER, "--draw", "{out}/c.svg"], "--draw"),
    (["circuit", *AER, "--json", "{out}/c.png", "--draw", "{out}/c.png"], "--draw"),
    (["circuit", "--m", "8", "--k", "1", "--backend", "emulator"], "--backend"),
    (["circuit", "--m", "8", "--k", "1", "--backend", "nope"], "--backend"),
    (["circuit", "--m", "8", "--k", "1"], "--backend"),
    # job
    (["job", "no-such-job"], "job_id"),
    (["job", "corrupt"], "job_id"),
    (["job", "corrupt", "--json", "{out}/missing/j.json"], "--json"),
    # sweep
    (["sweep", "--m", ""], "--m"),
    (["sweep", "--seeds", "3-1"], "--seeds"),
    (["sweep", "--m", "2^9", "--seeds", "0", "--workers", "0"], "--workers"),
    (["sweep", "--m", "2^9", "--seeds", "0", "--finders", "nope"], "--finders"),
    (["sweep", "--m", "2^9", "--seeds", "0", "--plot", "{out}/s.gif"], "--plot"),
    # the gate-cost convention (issue 23)
    (["sweep", "--m", "2^9", "--seeds", "0", "--finders", "grover-emulator", "--uncompute", "sometimes"], "--uncompute"),
    (["sweep", "--m", "2^9", "--seeds", "0", "--finders", "dense", "--adder", "cdkm"], "--adder"),
    (["compare", *TINY, "--m", "8", "--finders", "dense,grover-emulator", "--oracle", "arithmetic", "--uncompute",
      "measurement"], "--uncompute"),
    (["find-fired", "--m", "8", "--inputs", "1", "--oracle", "arithmetic", "--uncompute", "measurement"], "--uncompute"),
    (["circuit", "--oracle", "arithmetic", "--m", "4", "--d", "1", "--bits", "2", "--backend", "emulator",
      "--uncompute", "measurement"], "--uncompute"),
    # first contact (issue 21): negative values read as values, not options; no command
    (["compare", *TINY, "--b", "-inf"], "--b"),  # compare_b_minus_inf_as_a_separate_value
    (["compare", *TINY, "--b=-inf"], "--b"),  # compare_b_equals_minus_inf
    (["compare", *TINY, "--b", "-nan"], "--b"),  # compare_b_minus_nan
    (["compare", *TINY, "--lr", "-1e-3"], "--lr"),  # compare_lr_negative_exponent_as_a_separate_value
    (["compare", *TINY, "--lr", "-Infinity"], "--lr"),  # compare_lr_minus_infinity
    (["compare", *TINY, "--lr", "-.5"], "--lr"),  # compare_lr_negative_fraction
    (["find-fired", "--m", "64", "--inputs", "1", "--b", "-inf"], "--b"),  # find_fired_b_minus_inf
    (["bogus"], "command"),  # unknown_command
    ([], "command"),  # no_command
]


def test_there_are_at_least_sixty_cases():
    assert len(CASES) >= 60


@pytest.mark.parametrize("argv,argument", CASES, ids=[" ".join(c[0])[:60] for c in CASES])
def test_bad_input_gives_one_line_and_exit_2(argv, argument, tmp_path, monkeypatch, capsys):
    out = tmp_path / "out"
    out.mkdir()
    jobs = tmp_path / "jobs"
    jobs.mkdir()
    (jobs / "corrupt.json").write_text("{not json")
    monkeypatch.setenv("QUANTUM_TRAIN_JOBS", str(jobs))
    monkeypatch.chdir(out)
    argv = [a.replace("{out}", str(out)) for a in argv]
    code = main(argv)
    captured = capsys.readouterr()
    lines = captured.err.strip().splitlines()
    assert code == 2, captured.err
    assert len(lines) == 1, captured.err
    assert lines[0].startswith("quantum-train: error:"), lines[0]
    assert argument in lines[0], lines[0]
    assert "expected one argument" not in lines[0]  # a negative value is read as a value, not as an option
    assert "Traceback" not in captured.err + captured.out
    assert list(out.iterdir()) == [], "a bad input left a file behind"
    assert sorted(p.name for p in jobs.iterdir()) == ["corrupt.json"]
