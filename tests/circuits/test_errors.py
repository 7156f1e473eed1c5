"""circuits/errors.py is a leaf, the old import paths still work, and backends/ibm no longer import each other."""

import ast
import pathlib

import circuits
from circuits import backends, errors

ROOT = pathlib.Path(circuits.__file__).parent


def _circuits_imports(module: str) -> set[str]:
    tree = ast.parse((ROOT / f"{module}.py").read_text())
    out = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.ImportFrom) and node.module and node.module.startswith("circuits"):
            out.add(node.module)
        elif isinstance(node, ast.Import):
            out.update(a.name for a in node.names if a.name.startswith("circuits"))
    return out


def test_errors_is_a_leaf():
    assert _circuits_imports("errors") == set()


def test_no_import_cycle_between_backends_and_ibm():
    assert "circuits.backends" not in _circuits_imports("ibm")  # backends imports ibm lazily, one way only


def test_old_names_are_the_same_classes():
    assert backends.BackendError is errors.BackendError
    assert backends.UnknownBackendError is errors.UnknownBackendError
    from circuits import ibm  # imports qiskit-ibm-runtime lazily: works without the extra

    for name in ("BackendError", "UnknownBackendError", "MissingExtraError", "IBMAccountError",
                 "TooManyQubitsError", "JobFailedError"):
        assert getattr(ibm, name) is getattr(errors, name)
    for name in ("UnknownBackendError", "MissingExtraError", "IBMAccountError", "TooManyQubitsError",
                 "JobFailedError"):
        assert issubclass(getattr(errors, name), errors.BackendError)
