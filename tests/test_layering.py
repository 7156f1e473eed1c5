"""classical/ and circuits/ know nothing of networks: they never import quantum_train."""

import ast
import pathlib
import re

import pytest

ROOT = pathlib.Path(__file__).resolve().parents[1]


@pytest.mark.parametrize("package", ["classical", "circuits"])
def test_package_never_imports_quantum_train(package):
    offenders = []
    for path in sorted((ROOT / package).rglob("*.py")):
        for node in ast.walk(ast.parse(path.read_text())):
            names = [a.name for a in node.names] if isinstance(node, ast.Import) else \
                [node.module or ""] if isinstance(node, ast.ImportFrom) else []
            offenders += [f"{path.relative_to(ROOT)}: {n}" for n in names if n.split(".")[0] == "quantum_train"]
    assert offenders == []


PACKAGES = ("quantum_train", "classical", "circuits")


def _module_name(path: pathlib.Path) -> str:
    parts = path.relative_to(ROOT).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def import_graph() -> dict[str, set[str]]:
    """Module -> the project's modules it imports, at module level, inside functions and under TYPE_CHECKING alike.

    ``from package import name`` counts as importing ``package.name`` when that is a module, else ``package``.
    """
    files = {_module_name(p): p for package in PACKAGES for p in sorted((ROOT / package).rglob("*.py"))}
    graph: dict[str, set[str]] = {name: set() for name in files}
    for name, path in files.items():
        here = name.split(".") if path.name == "__init__.py" else name.split(".")[:-1]
        for node in ast.walk(ast.parse(path.read_text())):
            if isinstance(node, ast.Import):
                targets = [a.name for a in node.names]
            elif isinstance(node, ast.ImportFrom):
                base = ".".join(here[:len(here) - node.level + 1] + [node.module or ""]) if node.level else node.module
                base = base.rstrip(".")
                targets = [f"{base}.{a.name}" if f"{base}.{a.name}" in files else base for a in node.names]
            else:
                continue
            for target in targets:
                while target and target not in files:
                    target = target.rpartition(".")[0]
                if target and target != name:
                    graph[name].add(target)
    return graph


def test_no_import_cycles():
    graph = import_graph()
    cycles = []
    for start in graph:  # a path back to the start is a cycle
        stack, seen = [(start, (start,))], set()
        while stack:
            node, path = stack.pop()
            for nxt in graph[node]:
                if nxt == start:
                    cycles.append(" -> ".join(path + (start,)))
                elif nxt not in seen:
                    seen.add(nxt)
                    stack.append((nxt, path + (nxt,)))
    assert cycles == []


def test_no_finder_imports_the_training_loop():
    graph = import_graph()
    offenders = [m for m in graph if m.startswith("quantum_train.finders") and "quantum_train.core.train" in graph[m]]
    assert offenders == []


@pytest.mark.parametrize("package, other", [("circuits", "classical"), ("classical", "circuits")])
def test_the_two_bottom_packages_never_import_each_other(package, other):
    graph = import_graph()
    offenders = [f"{m} -> {t}" for m, targets in graph.items() if m.split(".")[0] == package
                 for t in targets if t.split(".")[0] == other]
    assert offenders == []


def test_the_commands_reach_finders_only_through_the_public_registry():
    """``commands/`` may name finders through ``quantum_train.finders`` (the registry's functions), never a
    finder's own module: options and defaults come from the face (``quantum_train.core.grover_options``, the API)."""
    graph = import_graph()
    offenders = [f"{m} -> {t}" for m, targets in graph.items() if m.startswith("quantum_train.face.commands")
                 for t in targets if t.startswith("quantum_train.finders.")]
    assert offenders == []


def test_no_numba_kernel_takes_more_than_twelve_parameters():
    """Kernels take a few bundled arrays (pynndescent's way), not everything positionally."""
    offenders = []
    for package in PACKAGES:
        for path in sorted((ROOT / package).rglob("*.py")):
            for node in ast.walk(ast.parse(path.read_text())):
                if isinstance(node, ast.FunctionDef) and any("jit" in ast.unparse(d) for d in node.decorator_list):
                    count = len(node.args.posonlyargs) + len(node.args.args) + len(node.args.kwonlyargs)
                    if count > 12:
                        offenders.append(f"{path.relative_to(ROOT)}: {node.name} takes {count}")
    assert offenders == []


#: quantum_train's folders from the top down; a module may import its own layer and the layers below it
#: (``errors`` and ``seeds``, at the top of the package, are the bottom layer; ``__init__`` and ``__main__`` are
#: the public surface and may import anything).
LAYERS = ("face", "experiments", "finders", "core", "data", "output", "shared")


def _layer(module: str) -> str | None:
    parts = module.split(".")
    if parts[0] != "quantum_train" or module in ("quantum_train", "quantum_train.__main__"):
        return None
    return parts[1] if len(parts) > 1 and parts[1] in LAYERS else "shared"


def test_layers_import_downwards_only():
    """The folder tree is the architecture: face > experiments > finders > core > data > output > shared."""
    upward = [f"{m} -> {t}" for m, targets in import_graph().items() if (lm := _layer(m)) is not None
              for t in targets if (lt := _layer(t)) is not None and LAYERS.index(lt) < LAYERS.index(lm)]
    assert upward == []


def test_every_module_sits_in_a_layer():
    """No module floats at the top of the package besides the public surface and the shared bottom layer."""
    top = sorted(p.stem for p in (ROOT / "quantum_train").glob("*.py"))
    assert top == ["__init__", "__main__", "errors", "seeds"]


def _flag_texts(path: pathlib.Path) -> list[str]:
    """String constants of ``path`` (docstrings aside) that spell a command-line flag (``--name``)."""
    tree = ast.parse(path.read_text())
    docstrings = {id(node.body[0].value) for node in ast.walk(tree)
                  if isinstance(node, (ast.Module, ast.ClassDef, ast.FunctionDef, ast.AsyncFunctionDef))
                  and node.body and isinstance(node.body[0], ast.Expr) and isinstance(node.body[0].value, ast.Constant)}
    return [f"{path.relative_to(ROOT)}:{node.lineno}: {node.value!r}" for node in ast.walk(tree)
            if isinstance(node, ast.Constant) and isinstance(node.value, str) and id(node) not in docstrings
            and re.search(r"(?<![\w-])--[a-z]", node.value)]


def test_no_flag_below_the_face():
    """Layers below the face name options through ``errors.option`` (rendered as a flag by the face, as a keyword
    in Python), never as ``--flag`` text."""
    below = [p for layer in LAYERS[1:-1] for p in sorted((ROOT / "quantum_train" / layer).rglob("*.py"))]
    assert [text for p in below for text in _flag_texts(p)] == []
