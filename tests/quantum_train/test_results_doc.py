"""docs/results.md is what docs/make_results.py makes from the committed stores, so the two cannot diverge."""

from pathlib import Path

import pytest

from tests._scripts import load_script

SCRIPT = Path(__file__).resolve().parents[2] / "docs" / "make_results.py"


@pytest.fixture(scope="module")
def make_results():
    return load_script("docs/make_results.py")


def test_results_md_is_what_the_stores_give(make_results):
    text = make_results.RESULTS.read_text()
    fresh = make_results.render(text)
    stale = make_results.stale_blocks(text, fresh)
    assert stale == [], f"docs/results.md is stale in {stale}: run python docs/make_results.py"
    assert fresh == text


def test_every_block_is_in_results_md_once(make_results):
    names = [m["name"] for m in make_results.BLOCK.finditer(make_results.RESULTS.read_text())]
    assert sorted(names) == sorted(make_results.BLOCKS)


def test_a_changed_table_is_found_and_rewritten(make_results):
    text = make_results.RESULTS.read_text()
    start = text.index("<!-- generated: map-crossovers -->")
    row = text.index("| 16 |", start)
    edited = text[:row] + "| 16 | 2^99.9" + text[row + len("| 16 |"):]  # a hand edit inside a generated table
    assert make_results.stale_blocks(edited, make_results.render(edited)) == ["map-crossovers"]
    assert make_results.render(edited) == make_results.render(text)


def test_an_unknown_or_missing_block_is_refused(make_results):
    text = make_results.RESULTS.read_text()
    with pytest.raises(ValueError, match="unknown: \\['nope'\\]"):
        make_results.render(text + "\n<!-- generated: nope -->\n<!-- end generated: nope -->\n")
    without = text.replace("<!-- generated: map-grover -->", "").replace("<!-- end generated: map-grover -->", "")
    with pytest.raises(ValueError, match="missing: \\['map-grover'\\]"):
        make_results.render(without)


def test_the_stores_are_named_in_one_constant(make_results):
    source = SCRIPT.read_text()
    assert source.count(".jsonl\"") == len(make_results.STORES)  # no store path outside STORES
    assert all(path.exists() for path in make_results.STORES.values())
