"""Drop numba's on-disk kernel caches when any source of this distribution changed.

The bottom layer: ``classical`` and ``circuits`` both import it first, and import nothing of each other.

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

Where no cache can be written (the package folders' ``__pycache__``, ``NUMBA_CACHE_DIR`` and
numba's per-user directory, ``~/.cache/numba``, all unwritable), numba would refuse every
``cache=True`` kernel with ``RuntimeError: cannot cache function``. Instead, one warning line goes to
stderr and the kernels are cached in a temporary folder that is removed at exit: the run works, and
compiles afresh every time. Set ``NUMBA_CACHE_DIR`` to a writable folder to keep the compiled kernels
there (numba's own setting, read at import).

Limits: where the stamp cannot be written (a read-only install) nothing is
deleted; such installs change only by reinstalling, which rewrites every
file and so invalidates every cached kernel anyway. A process that was
started before an edit and compiles a new specialisation after it may still
store a kernel built from the old sources; restart long-running processes
after editing kernels.
"""

from __future__ import annotations

import atexit
import hashlib
import os
import shutil
import sys
import tempfile
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


def _writable(directory: Path) -> bool:
    """Whether numba could cache in ``directory``: it can be created and a file written in it (numba's own test)."""
    try:
        directory.mkdir(parents=True, exist_ok=True)
        tempfile.TemporaryFile(dir=directory).close()
        return True
    except OSError:
        return False


def kernel_cache_is_writable(root: Path, packages: tuple[str, ...] = PACKAGES) -> bool:
    """Whether numba finds a writable cache for every source directory of ``packages``.

    numba tries ``NUMBA_CACHE_DIR`` (when set), then the source's ``__pycache__``, then its per-user
    directory; a kernel with no writable one fails to compile.
    """
    try:
        from numba.core import config
        from numba.misc.appdirs import AppDirs
    except ImportError:  # numba moved its internals: let numba decide
        return True
    if config.CACHE_DIR and _writable(Path(config.CACHE_DIR)):
        return True
    if _writable(Path(AppDirs(appname="numba", appauthor=False).user_cache_dir)):
        return True
    source_dirs = sorted({path.parent for package in packages for path in (root / package).rglob("*.py")})
    return all(_writable(d / "__pycache__") for d in source_dirs)


def use_temporary_cache_if_unwritable(root: Path, packages: tuple[str, ...] = PACKAGES) -> Path | None:
    """With no writable kernel cache, point numba at a temporary one (removed at exit), say so in one line
    on stderr and return it; otherwise None."""
    if kernel_cache_is_writable(root, packages):
        return None
    from numba.core import config

    where = (f"NUMBA_CACHE_DIR={config.CACHE_DIR}, " if config.CACHE_DIR else "") + "the package folders and ~/.cache/numba"
    temporary = Path(tempfile.mkdtemp(prefix="quantum-train-numba-"))
    atexit.register(shutil.rmtree, temporary, ignore_errors=True)
    config.CACHE_DIR = os.environ["NUMBA_CACHE_DIR"] = str(temporary)  # child processes (workers) use it too
    print(f"quantum-train: warning: no writable numba cache ({where}); compiled kernels are not kept between "
          "runs: set NUMBA_CACHE_DIR to a writable folder", file=sys.stderr)
    return temporary


#: Wall seconds that a cold numba cache adds to the default ``quantum-train compare`` (the figure the
#: first-compile line quotes): 59 s cold against 9 s warm when issue 21 was filed; since the kernels compile
#: only what a run uses, 25.5 s against 7.3 s on a lightly loaded shared machine, 15.6 CPU s of it compiling
#: (``benchmarks/bench_cold_start.py --against 2513c7d``).
COLD_START_SECONDS = 20


def announce_first_compile(packages: tuple[str, ...] = PACKAGES, seconds: float = COLD_START_SECONDS) -> None:
    """Print one line on stderr when numba first compiles a kernel of ``packages`` in this process.

    A cold cache otherwise makes the first run silent while numba compiles. Cached kernels load
    without compiling and print nothing. Listens to numba's ``numba:compile`` event.
    """
    from numba.core import event

    class _FirstCompile(event.Listener):
        said = False

        def on_start(self, ev):
            if self.said:
                return
            dispatcher = (ev.data or {}).get("dispatcher")
            module = getattr(getattr(dispatcher, "py_func", None), "__module__", "") or ""
            if module.split(".")[0] in packages:
                self.said = True
                print(f"compiling numerical kernels (first run only, about {seconds:.0f} s)", file=sys.stderr,
                      flush=True)

        def on_end(self, ev):
            pass

    event.register("numba:compile", _FirstCompile())


_ROOT = Path(__file__).resolve().parent.parent
use_temporary_cache_if_unwritable(_ROOT)
drop_stale_kernel_caches(_ROOT)
announce_first_compile()
