"""The stored map ships as package data: read through importlib.resources, also from a non-editable install."""

import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from quantum_train.experiments import stored

ROOT = Path(__file__).resolve().parents[2]


def test_the_stored_files_are_read_as_package_resources():
    records = stored.read_records(stored.MAP)
    assert len(records) == 616 and {r["key"]["iters"] for r in records} == {3}
    assert stored.read_records(stored.CORR_B) and stored.read_records(stored.MAP_GROVER)
    assert stored.exists(stored.MAP) and not stored.exists("no-such-file.jsonl")


@pytest.mark.slow
def test_a_non_editable_install_finds_the_stored_files(tmp_path):
    source, target = tmp_path / "source", tmp_path / "site"
    for part in ("quantum_train", "classical", "circuits", "qt_kernel_cache"):  # a copy: the build writes beside it
        shutil.copytree(ROOT / part, source / part, ignore=shutil.ignore_patterns("__pycache__"))
    for name in ("pyproject.toml", "README.md"):
        shutil.copy(ROOT / name, source / name)
    done = subprocess.run([sys.executable, "-m", "pip", "install", "-q", "--no-deps",
                           "--target", str(target), str(source)], capture_output=True, text=True, timeout=600)
    assert done.returncode == 0, done.stderr
    probe = ("import quantum_train.experiments.stored as s; import sys; assert s.__file__.startswith(sys.argv[1]), "
             "s.__file__; print(len(s.read_records(s.MAP)), len(s.read_records(s.CORR_B)), "
             "len(s.read_records(s.MAP_GROVER)))")
    done = subprocess.run([sys.executable, "-c", probe, str(target)], capture_output=True, text=True, timeout=120,
                          cwd=tmp_path, env={"PYTHONPATH": str(target), "PATH": "/usr/bin:/bin"})
    assert done.returncode == 0, done.stderr
    shipped = [sum(1 for line in (ROOT / "quantum_train/experiments/stored" / name).open() if line.strip())
               for name in (stored.MAP, stored.CORR_B, stored.MAP_GROVER)]
    assert done.stdout.split() == [str(k) for k in shipped]
