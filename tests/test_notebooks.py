"""The notebooks: stored without outputs, and each runs clean top to bottom (small sizes).

Each notebook is executed by nbclient in a fresh kernel with ``QT_NOTEBOOK_SMALL=1``,
which its first code cell reads to shrink the sizes; a cell that raises fails the test.
"""

from pathlib import Path

import nbclient
import nbformat
import pytest

# The test extra installs nbclient, nbformat, ipykernel, qiskit-ibm-runtime and qdk: these run, never skip.

NOTEBOOKS = sorted((Path(__file__).resolve().parent.parent / "notebooks").glob("*.ipynb"))
EXPECTED = {"01_query_complexity.ipynb", "02_training_side_by_side.ipynb", "03_circuits_on_aer_and_ibm.ipynb",
            "04_what_a_query_costs.ipynb", "05_does_preprocessing_help.ipynb"}


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


@pytest.mark.slow
@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.stem)
def test_notebook_runs_clean(path, monkeypatch):
    monkeypatch.setenv("QT_NOTEBOOK_SMALL", "1")
    monkeypatch.setenv("MPLBACKEND", "Agg")
    book = nbformat.read(path, as_version=4)
    client = nbclient.NotebookClient(book, timeout=240, kernel_name="python3",
                                     resources={"metadata": {"path": str(path.parent)}})
    client.execute()  # raises CellExecutionError naming the cell on any error
    errors = [o for c in book.cells if c.cell_type == "code" for o in c.outputs if o.output_type == "error"]
    assert not errors
