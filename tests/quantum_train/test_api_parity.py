"""Every option of the command line that shapes the computation is a keyword of the Python API.

The option list is derived from the parser itself (``quantum_train.face.cli.build_parser``), so a new option without
its keyword fails here. Output-only options are methods of the results instead: ``--json`` is ``.to_json(path)``
(``json=`` for the sweep's store), ``--plot``/``--map``/``--draw`` are ``.plot(path)``, ``--markdown`` is
``.table(markdown=True)``, and ``--quiet`` is ``progress=False``.
"""

import argparse
import inspect

import pytest

import quantum_train as qt
from quantum_train.face.cli import build_parser

#: Options that only say where or how to show a result.
OUTPUT_ONLY = {"json", "plot", "map", "markdown", "quiet", "draw"}

API = {"compare": "compare", "sweep": "sweep", "find-fired": "find_fired", "resources": "resources",
       "verdict": "verdict"}


def cli_options(command: str) -> set[str]:
    parser = build_parser(command)
    sub = next(a for a in parser._actions if isinstance(a, argparse._SubParsersAction))
    names = set()
    for action in sub.choices[command]._actions:
        if isinstance(action, argparse._HelpAction):
            continue
        flag = max(action.option_strings, key=len) if action.option_strings else action.dest
        names.add(flag.lstrip("-").replace("-", "_"))
    return names


@pytest.mark.parametrize("command", sorted(API))
def test_every_computational_option_is_a_keyword(command):
    keywords = set(inspect.signature(getattr(qt, API[command])).parameters)
    missing = sorted(cli_options(command) - OUTPUT_ONLY - keywords)
    assert missing == [], f"qt.{API[command]} lacks the keywords {missing} of `quantum-train {command}`"


def test_the_output_only_options_are_all_real_options():
    """The exemption list cannot hide a typo: each entry is an option of some command."""
    every = set().union(*(cli_options(c) for c in API))
    assert OUTPUT_ONLY - {"draw"} <= every


def test_qt_resources_is_the_command_s_report(tmp_path):
    """The same report as `quantum-train resources`: its table is what the command prints, its dict the JSON."""
    import json
    import subprocess
    import sys

    out = tmp_path / "r.json"
    done = subprocess.run([sys.executable, "-m", "quantum_train.face.cli", "resources", "--m", "2^12", "--d", "8",
                           "--bits", "8", "--memory", "qrom,selectswap", "--n", "4", "--iters", "3", "--json", str(out)],
                          capture_output=True, text=True, timeout=600)
    assert done.returncode == 0, done.stderr
    report = qt.resources(m=2**12, d=8, bits=8, memory="qrom,selectswap", n=4, iters=3)
    written = json.loads(out.read_text())
    mine = json.loads(report.to_json())
    for key in ("uncompute", "adder", "per_query", "per_iteration", "per_run"):  # the scan's timing differs by run
        assert mine[key] == written[key], key
    assert report.table().splitlines()[0] == done.stdout.splitlines()[0]
    with pytest.raises(ValueError, match="unknown convention") as refused:
        qt.resources(m=2**12, uncompute="sometimes")
    assert refused.value.field == "uncompute"
