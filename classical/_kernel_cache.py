"""Drop numba's on-disk kernel caches when any source of this distribution changed (standard library only).

numba's ``cache=True`` keys a compiled kernel on the modification time of
the file that *defines* it. A kernel that inlines a function from another
file (every forward pass inlines :func:`classical.exact.exact_dot`, for
instance) is not recompiled when only that other file changes: it would
keep the old arithmetic, and the finders would no longer agree bit for bit.
So before any kernel runs, the packages fingerprint their own sources; when
the fingerprint differs from the one stored beside the caches, every cached
kernel of the distribution is deleted (numba recompiles on first use) and the
new fingerprint is stored. Best effort: a read-only install keeps its caches
as they are (numba then writes none of its own either).
"""

from __future__ import annotations

import hashlib
from pathlib import Path

#: The packages whose kernels inline one another's functions.
PACKAGES = ("classical", "quantum_train", "circuits")
_STAMP = "kernel-sources.sha256"


def sources_fingerprint(root: Path, packages: tuple[str, ...] = PACKAGES) -> str:
    """SHA-256 over the path and bytes of every ``.py`` file of ``packages`` under ``root``."""
    digest = hashlib.sha256()
    for package in packages:
        for path in sorted((root / package).rglob("*.py")):
            digest.update(str(path.relative_to(root)).encode())
            digest.update(path.read_bytes())
    return digest.hexdigest()


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
        for package in packages:
            for pattern in ("*.nbi", "*.nbc"):
                for cached in (root / package).rglob(pattern):
                    cached.unlink(missing_ok=True)
        stamp.parent.mkdir(exist_ok=True)
        stamp.write_text(fingerprint)
    except OSError:
        return False
    return True


drop_stale_kernel_caches(Path(__file__).resolve().parent.parent)
