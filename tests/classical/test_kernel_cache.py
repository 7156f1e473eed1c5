"""Stale numba caches are dropped when any source of the distribution changes."""

from __future__ import annotations

from classical._kernel_cache import drop_stale_kernel_caches


def _tree(root):
    for package in ("a", "b"):
        (root / package / "__pycache__").mkdir(parents=True)
        (root / package / "kernels.py").write_text("x = 1\n")
        (root / package / "__pycache__" / "kernels.f-1.py311.nbi").write_bytes(b"index")
        (root / package / "__pycache__" / "kernels.f-1.py311.1.nbc").write_bytes(b"code")


def _cached(root):
    return sorted(p.name for p in root.rglob("*.nb[ic]"))


def test_caches_survive_until_a_source_changes_anywhere(tmp_path):
    _tree(tmp_path)
    assert drop_stale_kernel_caches(tmp_path, ("a", "b"))  # no stamp yet: dropped
    assert _cached(tmp_path) == []
    (tmp_path / "a" / "__pycache__" / "k.g-2.py311.nbi").write_bytes(b"index")  # numba caches anew
    assert not drop_stale_kernel_caches(tmp_path, ("a", "b"))
    assert _cached(tmp_path) == ["k.g-2.py311.nbi"]
    (tmp_path / "b" / "kernels.py").write_text("x = 2\n")  # another package's source: a's kernel may inline it
    assert drop_stale_kernel_caches(tmp_path, ("a", "b"))
    assert _cached(tmp_path) == []
