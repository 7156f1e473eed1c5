"""Finders defined outside the package: the design document's example, and an installed entry point."""

import os
import pathlib
import re
import subprocess
import sys

import pytest

import quantum_train as qt
from quantum_train.finders import FiredSetFinder, is_finder, make_finder, resolve, specs
from quantum_train.finders.registry import UnknownFinderError, unregister_finder

ROOT = pathlib.Path(__file__).resolve().parents[2]


def design_example() -> str:
    text = (ROOT / "docs" / "design.md").read_text()
    section = text.split("## 5a. Adding a finder", 1)[1]
    return re.search(r"```python\n(.*?)```", section, re.S).group(1)


def child_env(extra_path: pathlib.Path | None = None) -> dict:
    paths = [str(ROOT)] + ([str(extra_path)] if extra_path else [])
    return os.environ | {"PYTHONPATH": os.pathsep.join(paths + [os.environ.get("PYTHONPATH", "")])}


def test_the_design_documents_example_runs_outside_the_package(tmp_path):
    script = tmp_path / "my_finder.py"
    script.write_text(design_example())
    done = subprocess.run([sys.executable, str(script)], cwd=tmp_path, env=child_env(), capture_output=True,
                          text=True, timeout=600)
    assert done.returncode == 0, done.stderr
    assert "plain-scan" in done.stdout and "dense" in done.stdout


class Scan(FiredSetFinder):
    name = "test-scan"

    def find(self, net, X):
        self.ops += X.shape[0] * net.m
        return net.fired_sets(X)

    @classmethod
    def memory_bytes(cls, n, m, d, b, pairs):
        return 0.0


class Forgetful(Scan):
    memory_bytes = FiredSetFinder.memory_bytes


@pytest.fixture
def registered():
    qt.register_finder("test-scan", lambda seed: Scan())
    yield "test-scan"
    unregister_finder("test-scan")


def test_a_registered_finder_is_a_finder_everywhere(registered):
    assert is_finder(registered) and isinstance(make_finder(registered), Scan)
    assert registered in [s.name for s in specs()]
    result = qt.compare(m=128, n=16, iters=2, finders=["dense", registered], progress=False)
    assert result[registered].max_abs_weight_diff_vs_dense == 0.0


def test_a_finder_that_does_not_estimate_its_memory_is_refused_at_registration():
    with pytest.raises(TypeError, match="memory_bytes"):
        qt.register_finder("forgetful", lambda seed: Forgetful())
    assert not is_finder("forgetful")


def test_a_name_is_registered_once(registered):
    with pytest.raises(ValueError, match="already registered"):
        qt.register_finder(registered, lambda seed: Scan())
    with pytest.raises(ValueError, match="already registered"):
        qt.register_finder("dense", lambda seed: Scan())


@pytest.mark.parametrize("name", ["", "a:b", "a,b", " x"])
def test_bad_names_are_refused(name):
    with pytest.raises(ValueError, match="finder name"):
        qt.register_finder(name, lambda seed: Scan())


def test_unknown_names_say_what_exists():
    with pytest.raises(UnknownFinderError, match="weights-hsr:kdtree, weights-hsr:brute"):
        resolve("nope")
    with pytest.raises(UnknownFinderError, match="cannot be pinned"):
        resolve("drift:kdtree")


def test_an_installed_entry_point_is_a_finder_on_the_command_line(tmp_path):
    """A package installed with an entry point in the group ``quantum_train.finders`` (here: a dist-info folder
    on the path, which is what an install leaves) is usable from ``--finders`` without any registration call."""
    # the installed module: this file's Scan, behind a factory (tests/ is a package on the child's path)
    (tmp_path / "qt_plugin_example.py").write_text("from tests.quantum_train.test_plugins import Scan\n\n\n"
                                                   "def make(seed):\n    return Scan()\n")
    info = tmp_path / "qt_plugin_example-0.1.dist-info"
    info.mkdir()
    (info / "METADATA").write_text("Metadata-Version: 2.1\nName: qt-plugin-example\nVersion: 0.1\n")
    (info / "entry_points.txt").write_text("[quantum_train.finders]\nplugin-scan = qt_plugin_example:make\n")
    out = tmp_path / "out.json"
    done = subprocess.run([sys.executable, "-m", "quantum_train.face.cli", "compare", "--finders", "dense,plugin-scan",
                           "--m", "128", "--n", "16", "--iters", "2", "--json", str(out)],
                          cwd=tmp_path, env=child_env(tmp_path), capture_output=True, text=True, timeout=600)
    assert done.returncode == 0, done.stderr
    assert "plugin-scan" in done.stdout and out.exists()
