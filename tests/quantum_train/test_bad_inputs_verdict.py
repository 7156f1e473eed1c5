"""Bad input to ``quantum-train verdict``: exit 2, one stderr line naming the argument, no traceback, nothing written.

As tests/quantum_train/test_bad_inputs.py: each case runs in-process in an empty folder (outputs point into it).
"""

from __future__ import annotations

import pytest

from circuits.ft_estimate import qdk_available
from quantum_train.face.cli import main

BASE = {"--m": "2^12", "--d": "4", "--n": "256", "--iters": "10"}


def argv(**changes: str | None) -> list[str]:
    opts = BASE | {f"--{k.replace('_', '-')}": v for k, v in changes.items()}
    out = ["verdict"]
    for flag, value in opts.items():
        if value is not None:
            out += [flag] if value == "" else [flag, value]
    return out


CASES = [
    (argv(m="0"), "--m"),
    (argv(n="0"), "--n"),
    (argv(d="0"), "--d"),
    (argv(iters="0"), "--iters"),
    (argv(m=None), "--m"),  # required
    (argv(m="abc"), "--m"),
    (argv(d="17"), "--d"),  # beyond the stored map's reach without --measure
    (argv(d="1"), "--d"),
    (argv(n="10000"), "--n"),
    (argv(n="8"), "--n"),
    (argv(n="4096"), "--n"),  # n is extrapolated at most 2x: its range has no backtest
    (argv(n="64"), "--n"),
    (argv(m="2^26"), "--m"),
    (argv(b="2.5"), "--b"),
    (argv(b="nan"), "--b"),
    (argv(memory="nope"), "--memory"),
    (argv(memory="qrom,qrom"), "--memory"),
    (argv(bits="1"), "--bits"),
    (argv(uncompute="sometimes"), "--uncompute"),
    (argv(adder="ripple"), "--adder"),
    (argv(m="2^30", n="2^20", measure=""), "--m"),  # --measure on a point that does not fit this machine's memory
    (argv(d="64", n="2^24", m="2^24", measure=""), "--n"),
    (argv(data="nope"), "--data"),
    (argv(json="{out}/"), "--json"),
    (argv(plot="{out}/v.txt"), "--plot"),
    (argv(json="{out}/same.json", plot="{out}/same.json"), "--plot"),
]
if not qdk_available():
    CASES.append((argv(physical=""), "--physical"))  # without the resources extra


@pytest.mark.parametrize("args,argument", CASES, ids=[" ".join(c[0][1:])[:70] for c in CASES])
def test_bad_verdict_input_gives_one_line_and_exit_2(args, argument, tmp_path, monkeypatch, capsys):
    out = tmp_path / "out"
    out.mkdir()
    monkeypatch.chdir(out)
    code = main([a.replace("{out}", str(out)) for a in args])
    captured = capsys.readouterr()
    lines = captured.err.strip().splitlines()
    assert code == 2, captured.err
    assert len(lines) == 1, captured.err
    assert lines[0].startswith("quantum-train: error:") and argument in lines[0], lines[0]
    assert "Traceback" not in captured.err + captured.out
    assert list(out.iterdir()) == [], "a bad input left a file behind"


def test_a_foreign_file_is_not_overwritten(tmp_path, capsys):
    foreign = tmp_path / "notes.json"
    foreign.write_text('{"mine": 1}')
    assert main(argv(json=str(foreign))) == 2
    assert foreign.read_text() == '{"mine": 1}'
    assert "--json" in capsys.readouterr().err


def test_out_of_reach_suggests_measure(capsys):
    assert main(argv(d="20")) == 2
    assert "--measure" in capsys.readouterr().err


@pytest.mark.parametrize("data", ["nope.csv", "nope"])
def test_a_bad_data_request_names_itself_before_the_run_time_estimate(data, capsys):
    """At a size too long to run here, a missing file or an unknown name is still refused for what it is."""
    assert main(argv(m="2^24", d="8", n="1024", iters="100", data=data)) == 2
    line = capsys.readouterr().err.strip()
    assert "--data" in line and "would take" not in line, line


@pytest.mark.parametrize("keywords,field", [({"measure": "no"}, "measure"), ({"physical": 1}, "physical"),
                                            ({"memory": []}, "memory")])
def test_the_api_refuses_flags_that_are_not_booleans_and_an_empty_memory_list(keywords, field):
    import quantum_train as qt
    from quantum_train.errors import ConfigError

    with pytest.raises(ConfigError) as raised:
        qt.verdict(2**12, 4, 256, 10, **keywords)
    assert raised.value.argument.lstrip("-") == field
