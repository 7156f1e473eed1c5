"""The notebooks: stored without outputs, and each runs clean top to bottom, at small and at full size.

Each notebook is executed by nbclient in a fresh kernel with ``QT_NOTEBOOK_SMALL=1``,
which its first code cell reads to shrink the sizes; a cell that raises fails the test.
The slow full-size test runs every notebook as a user does (no ``QT_NOTEBOOK_SMALL``),
and prints each notebook's slowest cells (run pytest with ``-s`` to see them).
"""

from pathlib import Path

import nbclient
import nbformat
import pytest

# The test extra installs nbclient, nbformat, ipykernel, qiskit-ibm-runtime and qdk: these run, never skip.

NOTEBOOKS = sorted((Path(__file__).resolve().parent.parent / "notebooks").glob("*.ipynb"))
EXPECTED = {"01_query_complexity.ipynb", "02_training_side_by_side.ipynb", "03_circuits_on_aer_and_ibm.ipynb",
            "04_what_a_query_costs.ipynb", "05_does_preprocessing_help.ipynb", "06_the_answer.ipynb"}


def test_the_notebooks_are_there():
    assert EXPECTED <= {p.name for p in NOTEBOOKS}


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.stem)
def test_notebook_is_stored_without_outputs(path):
    book = nbformat.read(path, as_version=4)
    nbformat.validate(book)
    for k, cell in enumerate(book.cells):
        if cell.cell_type == "code":
            assert cell.outputs == [], f"{path.name} cell {k} has outputs: clear them before committing"
            assert cell.execution_count is None, f"{path.name} cell {k} has an execution count"
    assert "QT_NOTEBOOK_SMALL" in next(c.source for c in book.cells if c.cell_type == "code")


#: A notebook imports quantum_train's names from the package itself, and never these internals of circuits.
INTERNAL = ("circuits.executors", "circuits.marked")


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.stem)
def test_notebook_uses_only_the_public_api(path):
    import ast

    book = nbformat.read(path, as_version=4)
    source = "\n".join(c.source for c in book.cells if c.cell_type == "code")
    source = "\n".join(line for line in source.splitlines() if not line.lstrip().startswith("%"))
    bad = []
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.ImportFrom):
            module, names = node.module or "", [a.name for a in node.names]
        elif isinstance(node, ast.Import):
            module, names = "", [a.name for a in node.names]
        else:
            continue
        for full in ([module] if module else names):
            if full.startswith("quantum_train.") or full.startswith(INTERNAL):
                bad.append(f"imports {full} (use the public names: import quantum_train as qt)")
        bad += [f"imports private name {n}" for n in names if n.rsplit(".", 1)[-1].startswith("_")]
    assert bad == [], f"{path.name}: " + "; ".join(bad)


def _execute(path: Path, cell_timeout: int) -> nbformat.NotebookNode:
    """Run ``path`` top to bottom in a fresh kernel; raise on the first cell that fails; return the run book."""
    book = nbformat.read(path, as_version=4)
    client = nbclient.NotebookClient(book, timeout=cell_timeout, kernel_name="python3", record_timing=True,
                                     resources={"metadata": {"path": str(path.parent)}})
    client.execute()  # raises CellExecutionError naming the cell on any error
    errors = [o for c in book.cells if c.cell_type == "code" for o in c.outputs if o.output_type == "error"]
    assert not errors
    return book


def cell_seconds(book: nbformat.NotebookNode) -> list[tuple[int, float]]:
    """(cell index, wall seconds) of each executed code cell, from nbclient's recorded timing."""
    from datetime import datetime

    out = []
    for k, cell in enumerate(book.cells):
        timing = cell.get("metadata", {}).get("execution", {})
        start, end = timing.get("iopub.execute_input"), timing.get("shell.execute_reply")
        if cell.cell_type == "code" and start and end:
            out.append((k, (datetime.fromisoformat(end) - datetime.fromisoformat(start)).total_seconds()))
    return out


@pytest.mark.slow
@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.stem)
def test_notebook_runs_clean(path, monkeypatch):
    monkeypatch.setenv("QT_NOTEBOOK_SMALL", "1")
    monkeypatch.setenv("MPLBACKEND", "Agg")
    _execute(path, cell_timeout=240)


@pytest.mark.slow
@pytest.mark.full_size
@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.stem)
def test_notebook_runs_clean_at_full_size(path, monkeypatch):
    """What a user runs: the notebook's own default sizes (no QT_NOTEBOOK_SMALL)."""
    monkeypatch.delenv("QT_NOTEBOOK_SMALL", raising=False)
    monkeypatch.setenv("MPLBACKEND", "Agg")
    book = _execute(path, cell_timeout=1200)
    seconds = cell_seconds(book)
    assert seconds, "nbclient recorded no cell timing"
    slowest = sorted(seconds, key=lambda ks: -ks[1])[:3]
    print(f"\n{path.name}: {sum(s for _, s in seconds):.0f} s in all; slowest cells "
          + ", ".join(f"{k} ({s:.0f} s)" for k, s in slowest))
