"""A checkout of an earlier commit, for the benchmarks that measure side by side against it (``--against REV``)."""

from __future__ import annotations

import contextlib
import importlib
import os
import subprocess
import sys
import tempfile
from collections.abc import Iterator
from pathlib import Path
from types import ModuleType

REPO = Path(__file__).resolve().parents[1]


def is_commit(rev: str) -> bool:
    """Whether ``rev`` names a commit of this repository (checked before a worktree is made)."""
    return subprocess.run(["git", "-C", str(REPO), "rev-parse", "--verify", "--quiet", f"{rev}^{{commit}}"],
                          capture_output=True).returncode == 0


def tree_env(tree: Path) -> dict:
    """The environment in which a child process imports the project from ``tree``."""
    return {**os.environ, "PYTHONPATH": str(tree)}


@contextlib.contextmanager
def revision_tree(rev: str | None, prefix: str = "bench-rev-") -> Iterator[Path | None]:
    """A temporary git worktree of ``rev`` (None: no tree), removed on exit; refused if a child started in it
    would import another tree's ``quantum_train`` (an editable install must not mask the revision)."""
    if rev is None:
        yield None
        return
    with tempfile.TemporaryDirectory(prefix=prefix) as tmp:
        tree = Path(tmp) / "tree"
        subprocess.run(["git", "-C", str(REPO), "worktree", "add", "--detach", str(tree), rev], check=True,
                       capture_output=True)
        try:
            imported = subprocess.run([sys.executable, "-c", "import quantum_train; print(quantum_train.__file__)"],
                                      cwd=tree, env=tree_env(tree), capture_output=True, text=True, check=True)
            if not imported.stdout.strip().startswith(str(tree)):
                raise SystemExit(f"{Path(sys.argv[0]).name}: a child in {tree} imports {imported.stdout.strip()}")
            print(f"against {rev} (worktree {tree})")
            yield tree
        finally:
            subprocess.run(["git", "-C", str(REPO), "worktree", "remove", "--force", str(tree)], capture_output=True)


def project_module(new: str, old: str) -> ModuleType:
    """The module ``new`` if the imported ``quantum_train`` has it, else ``old``: a worker run in a revision from
    before the layered folders (``quantum_train.model`` then, ``quantum_train.core.model`` now). Decided by the
    files of the imported package, not by trying the import (an editable install could serve the other tree's)."""
    import quantum_train

    root = Path(quantum_train.__file__).parent
    parts = new.split(".")[1:]
    here = root.joinpath(*parts).with_suffix(".py").exists() or (root.joinpath(*parts) / "__init__.py").exists()
    return importlib.import_module(new if here else old)


#: The files :func:`drift_kernels_of` loads from a commit, with the module each replaces and the private name it
#: is given there (their imports of one another are rewritten to those names).
DRIFT_KERNEL_FILES = (("classical/_lanes.py", "classical._lanes", "_rev_lanes"),
                      ("quantum_train/core/threads.py", "quantum_train.core.threads", "_rev_threads"),
                      ("quantum_train/finders/_drift_kernels.py", "quantum_train.finders._drift_kernels",
                       "_rev_kernels"))


def drift_kernels_of(rev: str) -> ModuleType:
    """The drift finder's kernels of commit ``rev``, with that commit's vector lanes and thread policy, loaded in
    this process as private modules (compiled afresh, not cached), to run beside this checkout's on the same
    arrays (``visit_ab.py``, ``bench_band_scan.py``). The rest of the package is this checkout's."""
    module = None
    for path, _name, alias in DRIFT_KERNEL_FILES:
        source = subprocess.run(["git", "-C", str(REPO), "show", f"{rev}:{path}"], capture_output=True, text=True,
                                check=True).stdout.replace("cache=True", "cache=False")
        for _, earlier, earlier_alias in DRIFT_KERNEL_FILES:
            source = source.replace(f"from {earlier} import", f"from {earlier_alias} import")
        module = ModuleType(alias)
        module.__file__ = f"<{rev}:{path}>"
        sys.modules[alias] = module
        exec(compile(source, module.__file__, "exec"), module.__dict__)
    return module
