"""Writing results: atomic files with ordinary permissions, standard JSON, checked output paths.

Every file the project writes goes through :func:`atomic_write`: the bytes go
to a temporary file in the target's directory, which then replaces the target
(``os.replace``), so a reader (or an interrupted run) never sees half a file.
JSON is *standard* JSON (:func:`dumps_json`): a non-finite float, which Python's
``json`` would write as the non-standard ``NaN``/``Infinity``, becomes ``null``.
Output paths are checked before any work (:func:`check_output_paths`).
"""

from __future__ import annotations

import json
import math
import os
import tempfile
from dataclasses import dataclass
from typing import Any, Callable, Iterable

import numpy as np

#: Plot formats by file extension (matplotlib writes each natively).
PLOT_FORMATS = {".png": "png", ".pdf": "pdf", ".svg": "svg"}


class OutputPathError(ValueError):
    """An output path that cannot be written; ``field`` names the option (e.g. ``"json"``)."""

    def __init__(self, field: str, message: str):
        super().__init__(message)
        self.field = field


def _umask() -> int:
    mask = os.umask(0)
    os.umask(mask)
    return mask


def atomic_write_with(path: str, write: Callable[[str], None]) -> None:
    """Call ``write(tmp)`` to fill a temporary file beside ``path``, then move it onto ``path``.

    The file gets the ordinary permissions of a new file (``0666 & ~umask``),
    not ``mkstemp``'s ``0600``. On any error, or Ctrl-C, the temporary file is
    removed and ``path`` is untouched.
    """
    directory = os.path.dirname(os.path.abspath(path))
    fd, tmp = tempfile.mkstemp(dir=directory, prefix=".tmp-", suffix="-" + os.path.basename(path))
    try:
        os.fchmod(fd, 0o666 & ~_umask())
        os.close(fd)
        write(tmp)
        os.replace(tmp, path)
    except BaseException:
        if os.path.exists(tmp):
            os.unlink(tmp)
        raise


def atomic_write(path: str, data: bytes) -> None:
    """Write ``data`` to ``path`` atomically (see :func:`atomic_write_with`)."""

    def write(tmp: str) -> None:
        with open(tmp, "wb") as fh:
            fh.write(data)

    atomic_write_with(path, write)


def standard_json(obj: Any) -> Any:
    """``obj`` with every non-finite float replaced by ``None`` and numpy scalars made Python ones."""
    if isinstance(obj, dict):
        return {k: standard_json(v) for k, v in obj.items()}
    if isinstance(obj, (list, tuple)):
        return [standard_json(v) for v in obj]
    if isinstance(obj, np.ndarray):
        return standard_json(obj.tolist())
    if isinstance(obj, (float, np.floating)):
        return float(obj) if math.isfinite(obj) else None
    if isinstance(obj, np.integer):
        return int(obj)
    if isinstance(obj, np.bool_):
        return bool(obj)
    return obj


def dumps_json(obj: Any, indent: int | None = 1) -> str:
    """Standard JSON text of ``obj`` (``NaN``/``Infinity`` become ``null``; never written as such)."""
    return json.dumps(standard_json(obj), indent=indent, allow_nan=False)


def write_json(path: str, obj: Any) -> None:
    """:func:`dumps_json` of ``obj``, written atomically."""
    atomic_write(path, dumps_json(obj).encode())


@dataclass(frozen=True)
class OutputPath:
    """An output file asked for by option ``field``; ``kind`` is ``"json"``, ``"plot"`` or ``"png"``."""

    field: str
    path: str | None
    kind: str = "json"


def plot_format(path: str, field: str = "plot") -> str:
    """The matplotlib format of a plot path, from its extension (png, pdf or svg)."""
    ext = os.path.splitext(path)[1].lower()
    if ext not in PLOT_FORMATS:
        raise OutputPathError(field, f"{path!r}: the plot format follows the extension; use .png, .pdf or .svg")
    return PLOT_FORMATS[ext]


def _check_writable(field: str, path: str) -> None:
    directory = os.path.dirname(os.path.abspath(path))
    if not os.path.isdir(directory):
        raise OutputPathError(field, f"directory {directory!r} does not exist; create it or choose another path")
    if os.path.isdir(path):
        raise OutputPathError(field, f"{path!r} is a directory; give a file name")
    if os.path.exists(path) and not os.access(path, os.W_OK):
        raise OutputPathError(field, f"{path!r} is not writable; choose another path")
    try:  # the only sure test (read-only file systems, root): create and remove a file there
        fd, probe = tempfile.mkstemp(dir=directory, prefix=".probe-")
    except OSError as err:
        raise OutputPathError(field, f"cannot write in {directory!r} ({err.strerror}); choose another path") from None
    os.close(fd)
    os.unlink(probe)


def check_output_paths(outputs: Iterable[OutputPath]) -> None:
    """Before any work: every given path is writable, distinct from the others, and a plot's format known.

    Raises :class:`OutputPathError` naming the first faulty field.
    """
    seen: dict[str, str] = {}
    for out in outputs:
        if out.path is None:
            continue
        if out.path == "":
            raise OutputPathError(out.field, "is empty; give a file path")
        if out.kind == "plot":
            plot_format(out.path, out.field)
        elif out.kind == "png" and os.path.splitext(out.path)[1].lower() != ".png":
            raise OutputPathError(out.field, f"{out.path!r}: writes PNG; give a path ending in .png")
        real = os.path.realpath(out.path)
        if real in seen:
            raise OutputPathError(out.field, f"{out.path!r} is already the {seen[real]} output; give distinct paths")
        seen[real] = out.field
        _check_writable(out.field, out.path)
