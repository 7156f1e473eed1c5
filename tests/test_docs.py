"""Issue 22's checks on the documents and the code that no other test holds: a README a newcomer reads, the
documents it points to, and behaviour that never hangs on a finder's name prefix."""

import pathlib
import re

ROOT = pathlib.Path(__file__).resolve().parents[1]


def test_the_readme_is_short_and_opens_with_the_two_commands():
    text = (ROOT / "README.md").read_text()
    assert len(text.splitlines()) <= 400
    opening = text[:text.index("## ")]
    assert "pip install -e . && quantum-train compare" in opening
    assert "pip install -e '.[test]' && python -m pytest -q" in opening


def test_the_documents_the_readme_points_to_exist():
    for name in ("docs/benchmarks.md", "docs/results.md", "docs/design.md", "CHANGELOG.md", "docs/map.png"):
        assert (ROOT / name).is_file(), name
    for target in re.findall(r"\]\(((?:docs/|CHANGELOG)[^)#]+)", (ROOT / "README.md").read_text()):
        assert (ROOT / target).is_file(), target


#: A test of a name against the Grover prefix, spelled as the constant or as the text.
PREFIX_TEST = re.compile(r"""startswith\((GROVER_PREFIX|["']grover)""")


def test_no_behaviour_hangs_on_the_grover_prefix_outside_name_parsing():
    """Only the registry (and the Grover options, which parse a Grover finder's backend) read the prefix."""
    parsers = {"quantum_train/finders/registry.py", "quantum_train/core/grover_options.py"}
    offenders = [f"{p.relative_to(ROOT)}:{i}" for p in sorted((ROOT / "quantum_train").rglob("*.py"))
                 if str(p.relative_to(ROOT)) not in parsers
                 for i, line in enumerate(p.read_text().splitlines(), 1) if PREFIX_TEST.search(line)]
    assert offenders == []
