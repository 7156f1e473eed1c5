"""Stale numba caches are dropped when any source of the distribution changes."""

from __future__ import annotations

from qt_kernel_cache import drop_stale_kernel_caches


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


def test_an_unreadable_file_does_not_stop_the_import(tmp_path):
    _tree(tmp_path)
    (tmp_path / "a" / ".#kernels.py").symlink_to(tmp_path / "nowhere")  # an editor's lock file
    assert drop_stale_kernel_caches(tmp_path, ("a", "b"))
    assert not drop_stale_kernel_caches(tmp_path, ("a", "b"))


def test_caches_outside_the_tree_are_dropped_too(tmp_path, monkeypatch):
    """With NUMBA_CACHE_DIR set numba keeps the kernels there, under a name derived from the source directory."""
    from numba.core import config
    from numba.core.caching import _CacheLocator

    _tree(tmp_path)
    drop_stale_kernel_caches(tmp_path, ("a", "b"))
    elsewhere = tmp_path / "numba-cache"
    monkeypatch.setattr(config, "CACHE_DIR", str(elsewhere))
    kept = elsewhere / _CacheLocator.get_suitable_cache_subpath(str(tmp_path / "a" / "kernels.py"))
    kept.mkdir(parents=True)
    (kept / "kernels.f-1.py311.nbi").write_bytes(b"index")
    assert not drop_stale_kernel_caches(tmp_path, ("a", "b"))
    assert (kept / "kernels.f-1.py311.nbi").exists()
    (tmp_path / "a" / "kernels.py").write_text("x = 3\n")
    assert drop_stale_kernel_caches(tmp_path, ("a", "b"))
    assert not (kept / "kernels.f-1.py311.nbi").exists()
