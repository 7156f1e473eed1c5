"""Drop numba's on-disk kernel caches when any source of this distribution changed.

numba's ``cache=True`` keys a compiled kernel on the modification time of
the file that *defines* it. A kernel that inlines a function from another
file (every forward pass inlines :func:`classical.exact.exact_dot`, for
instance) is not recompiled when only that other file changes: it would
keep the old arithmetic, and the finders would no longer agree bit for bit.
So before any kernel runs, the packages fingerprint their own sources; when
the fingerprint differs from the one stored beside the caches (in
``classical/__pycache__``), every cached kernel of the three packages is
deleted, in the source tree and in numba's other cache locations for these
directories (``NUMBA_CACHE_DIR`` and numba's per-user directory), and the new
fingerprint is stored. numba recompiles on first use.

Limits: where the stamp cannot be written (a read-only install) nothing is
deleted; such installs change only by reinstalling, which rewrites every
file and so invalidates every cached kernel anyway. A process that was
started before an edit and compiles a new specialisation after it may still
store a kernel built from the old sources; restart long-running processes
after editing kernels.
"""

from __future__ import annotations

import hashlib
from pathlib import Path

#: The packages whose kernels inline one another's functions.
PACKAGES = ("classical", "quantum_train", "circuits")
_STAMP = "kernel-sources.sha256"


def sources_fingerprint(root: Path, packages: tuple[str, ...] = PACKAGES) -> str:
    """SHA-256 over the path and bytes of every readable ``.py`` file of ``packages`` under ``root``."""
    digest = hashlib.sha256()
    for package in packages:
        for path in sorted((root / package).rglob("*.py")):
            try:
                data = path.read_bytes()
            except OSError:  # an editor's lock file, a dangling link: not a source numba compiles
                continue
            digest.update(str(path.relative_to(root)).encode())
            digest.update(data)
    return digest.hexdigest()


def cache_directories(root: Path, packages: tuple[str, ...] = PACKAGES) -> list[Path]:
    """Every directory where numba may keep these packages' kernels: ``__pycache__`` beside each source
    directory, and its counterparts under ``NUMBA_CACHE_DIR`` and numba's per-user cache directory (named
    as numba's own locators name them)."""
    source_dirs = sorted({path.parent for package in packages for path in (root / package).rglob("*.py")})
    found = [d / "__pycache__" for d in source_dirs]
    bases = []
    try:
        from numba.core import config
        from numba.core.caching import _CacheLocator
        from numba.misc.appdirs import AppDirs

        if config.CACHE_DIR:
            bases.append(Path(config.CACHE_DIR))
        bases.append(Path(AppDirs(appname="numba", appauthor=False).user_cache_dir))
        found += [base / _CacheLocator.get_suitable_cache_subpath(str(d / "x.py")) for base in bases
                  for d in source_dirs]
    except (ImportError, AttributeError):  # numba moved its internals: the source tree is still cleaned
        pass
    return found


def drop_stale_kernel_caches(root: Path, packages: tuple[str, ...] = PACKAGES) -> bool:
    """Delete the packages' numba cache files (``*.nbi``, ``*.nbc``) if their sources changed; True if it did."""
    stamp = root / packages[0] / "__pycache__" / _STAMP
    fingerprint = sources_fingerprint(root, packages)
    try:
        if stamp.read_text() == fingerprint:
            return False
    except OSError:
        pass
    try:
        stamp.parent.mkdir(exist_ok=True)
        stamp.write_text("")  # writable? (a read-only install is left alone; see the module docstring)
    except OSError:
        return False
    for directory in cache_directories(root, packages):
        for pattern in ("*.nbi", "*.nbc"):
            for cached in directory.glob(pattern):
                try:
                    cached.unlink()
                except OSError:
                    pass
    stamp.write_text(fingerprint)
    return True


drop_stale_kernel_caches(Path(__file__).resolve().parent.parent)
