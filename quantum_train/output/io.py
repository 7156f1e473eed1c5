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
import stat
import tempfile
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Callable, Iterable

import numpy as np

from quantum_train.errors import ConfigError, flag_for
from quantum_train.output import written

#: Plot formats by file extension (matplotlib writes each natively).
PLOT_FORMATS = {".png": "png", ".pdf": "pdf", ".svg": "svg"}


class OutputPathError(ConfigError):
    """An output path that cannot be written; ``field`` names the option (e.g. ``"json"``)."""


def _umask() -> int:
    mask = os.umask(0)
    os.umask(mask)
    return mask


def _target(path: str | os.PathLike) -> str:
    """The file that writing to ``path`` changes: a symlink is followed (its target is written, the link kept)."""
    return os.path.realpath(os.fspath(path))


def _written_in_place(path: str) -> bool:
    """An existing character device or FIFO: written in place, never replaced by a regular file."""
    try:
        mode = os.stat(path).st_mode
    except OSError:
        return False
    return stat.S_ISCHR(mode) or stat.S_ISFIFO(mode)


def atomic_write_with(path: str | os.PathLike, write: Callable[[str], None]) -> None:
    """Call ``write(tmp)`` to fill a temporary file beside ``path``, then move it onto ``path``.

    A symlink is followed: its target is written atomically, the link stays.
    A character device or a FIFO (``/dev/stdout``, a named pipe) is written in
    place (``write(path)``), never replaced. The file gets the ordinary
    permissions of a new file (``0666 & ~umask``), not ``mkstemp``'s ``0600``.
    On any error, or Ctrl-C, the temporary file is removed and ``path`` is
    untouched.
    """
    shown, path = os.fspath(path), _target(path)
    if _written_in_place(path):
        write(path)
        written.record(shown)
        return
    directory = os.path.dirname(path)
    fd, tmp = tempfile.mkstemp(dir=directory, prefix=".tmp-", suffix="-" + os.path.basename(path))
    try:
        os.fchmod(fd, 0o666 & ~_umask())
        os.close(fd)
        write(tmp)
        os.replace(tmp, path)
        written.record(shown)
    except BaseException:
        if os.path.exists(tmp):
            os.unlink(tmp)
        raise


def atomic_write(path: str | os.PathLike, data: bytes) -> None:
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


def write_json(path: str | os.PathLike, obj: Any) -> None:
    """:func:`dumps_json` of ``obj``, written atomically."""
    atomic_write(path, dumps_json(obj).encode())


def result_json(document: Any, path: str | os.PathLike | None, command: str, data: Any = None) -> str:
    """A result's ``to_json(path)``: the standard JSON text of its ``to_dict()`` ``document``; with ``path``, also
    written there by the output rules (checked first: only a missing or empty file or an earlier ``command``
    document is replaced, never ``data``)."""
    check_output("json", path, "json", command, data=data)
    text = dumps_json(document)
    if path is not None:
        atomic_write(path, text.encode())
    return text


@dataclass(frozen=True)
class OutputPath:
    """An output file asked for by option ``field``.

    ``kind``: ``"json"`` (a document of ``command``), ``"store"`` (the sweep's
    JSON-lines store, appended to), ``"plot"`` (PNG/PDF/SVG by extension) or
    ``"png"``.
    """

    field: str
    path: str | os.PathLike | None
    kind: str = "json"
    command: str | None = None


@dataclass(frozen=True)
class InputPath:
    """A file the run reads (``--data``): no output may resolve to it."""

    field: str
    path: str | os.PathLike | None


#: Top-level keys that identify the JSON document each command writes; ``--json`` replaces an existing file
#: only if it is such a document of the same command (``job`` writes the document of ``circuit``).
JSON_DOCUMENTS: dict[str, tuple[str, ...]] = {
    "compare": ("config", "results"),
    "find-fired": ("summary", "inputs"),
    "resources": ("per_query", "per_input", "classical_scan"),
    "circuit": ("num_qubits", "marked", "iterations", "success_probability_measured"),
    "verdict": ("problem", "methods", "winner", "break_even_iters", "answer"),
}
#: Keys of every record of a sweep store (one JSON object per line).
STORE_RECORD_KEYS = ("schema", "key")
#: Larger existing files are not read to recognise them (they are refused as unknown).
RECOGNISE_MAX_BYTES = 256 * 2**20


def plot_format(path: str | os.PathLike, field: str = "plot") -> str:
    """The matplotlib format of a plot path, from its extension (png, pdf or svg)."""
    path = os.fspath(path)
    ext = os.path.splitext(path)[1].lower()
    if ext not in PLOT_FORMATS:
        raise OutputPathError(field, f"{path!r}: the plot format follows the extension; use .png, .pdf or .svg")
    return PLOT_FORMATS[ext]


def _json_kind(doc: Any) -> str | None:
    """The command whose ``--json`` document ``doc`` is, or None."""
    if isinstance(doc, dict):
        for command, keys in JSON_DOCUMENTS.items():
            if all(k in doc for k in keys):
                return command
    return None


def _store_records(raw: bytes) -> int:
    """How many complete lines of ``raw`` are sweep records (JSON objects with a schema and a key)."""
    count = 0
    for line in raw[:raw.rfind(b"\n") + 1].splitlines():
        try:
            rec = json.loads(line)
        except ValueError:
            continue
        count += isinstance(rec, dict) and all(k in rec for k in STORE_RECORD_KEYS)
    return count


def describe_file(path: str) -> str:
    """What an existing regular file holds, in words, for a refusal ("a NumPy .npz archive", ...)."""
    size = os.path.getsize(path)
    if size > RECOGNISE_MAX_BYTES:
        return f"a file of {size} bytes"
    with open(path, "rb") as fh:
        raw = fh.read()
    magic = {b"PK\x03\x04": "a zip archive (a NumPy .npz file?)", b"\x93NUMPY": "a NumPy .npy array",
             b"\x1f\x8b": "a gzip-compressed file", b"%PDF": "a PDF document", b"\x89PNG": "a PNG image"}
    for head, what in magic.items():
        if raw.startswith(head):
            return what
    try:
        command = _json_kind(json.loads(raw))
        return f"the JSON result of quantum-train {command}" if command else "a JSON document of another kind"
    except ValueError:
        pass
    if _store_records(raw):
        return "a quantum-train sweep store"
    try:
        raw.decode("utf-8")
    except UnicodeDecodeError:
        return "a binary file"
    return "a text file"


def _is_tool_figure(path: str) -> bool:
    """A PNG, PDF or SVG figure written by matplotlib (as this tool's figures are): its head or tail says so."""
    size = os.path.getsize(path)
    with open(path, "rb") as fh:
        head = fh.read(8192)
        fh.seek(max(0, size - 8192))
        tail = fh.read()
    return head.startswith((b"\x89PNG", b"%PDF", b"<?xml", b"<svg")) and b"matplotlib" in (head + tail).lower()


def _check_existing(out: OutputPath, target: str, shown: str) -> bool:
    """Refuse to write over an existing file this run may not replace; True if it is written in place."""
    mode = os.stat(target).st_mode
    if stat.S_ISDIR(mode):
        raise OutputPathError(out.field, f"{shown!r} is a directory; give a file name")
    if stat.S_ISCHR(mode) or stat.S_ISFIFO(mode):
        if out.kind == "store":
            raise OutputPathError(out.field, f"{shown!r} is a {'FIFO' if stat.S_ISFIFO(mode) else 'device'}; the "
                                  "store is read back and appended to, so give a regular file")
        if not os.access(target, os.W_OK):
            raise OutputPathError(out.field, f"{shown!r} is not writable; choose another path")
        return True  # written in place, never replaced
    if not stat.S_ISREG(mode):
        raise OutputPathError(out.field, f"{shown!r} is not a regular file (a block device or a socket); "
                              "give a file path")
    if not os.access(target, os.W_OK):
        raise OutputPathError(out.field, f"{shown!r} is not writable; choose another path")
    if os.path.getsize(target) == 0:
        return False  # an empty file holds nothing to lose
    if out.kind == "store":
        if os.path.getsize(target) > RECOGNISE_MAX_BYTES or not _store_records(Path(target).read_bytes()):
            raise OutputPathError(out.field, f"{shown!r} exists and is {describe_file(target)}, not a store of sweep "
                                  "records; it is left alone: give a new path or an existing sweep store")
        return False
    if out.kind == "json":
        command = out.command
        what = describe_file(target)
        if command is None or what != f"the JSON result of quantum-train {command}":
            raise OutputPathError(out.field, f"{shown!r} exists and is {what}, not a {command or 'quantum-train'} "
                                  "result that this command may replace; it is left alone: give a new path, or "
                                  "move the file away")
        return False
    if not _is_tool_figure(target):
        raise OutputPathError(out.field, f"{shown!r} exists and is {describe_file(target)}, not a figure this tool "
                              "wrote; it is left alone: give a new path, or move the file away")
    return False


def _check_writable(field: str, directory: str) -> None:
    if not os.path.isdir(directory):
        raise OutputPathError(field, f"directory {directory!r} does not exist; create it or choose another path")
    try:  # the only sure test (read-only file systems, root): create and remove a file there
        fd, probe = tempfile.mkstemp(dir=directory, prefix=".probe-")
    except OSError as err:
        raise OutputPathError(field, f"cannot write in {directory!r} ({err.strerror}); choose another path") from None
    os.close(fd)
    os.unlink(probe)


def _same_file(a: str, b: str) -> bool:
    try:
        return os.path.samefile(a, b)
    except OSError:
        return a == b


def check_output_paths(outputs: Iterable[OutputPath], inputs: Iterable[InputPath] = ()) -> None:
    """Before any work: every output can be written without destroying anything.

    Each given path: not empty, not ending in ``/``, a plot's format known by
    its extension, distinct from the other outputs and from every input
    (followed through symlinks; hard links too), its folder existing and
    writable. An existing file is replaced only if it is empty or what this
    output writes: the same command's JSON document (``JSON_DOCUMENTS``), a
    store of sweep records, a matplotlib figure; a character device or FIFO is
    written in place (a store refuses it), anything else is refused.

    Raises :class:`OutputPathError` naming the first faulty field.
    """
    inputs = [(_target(i.path), flag_for(i.field)) for i in inputs
              if isinstance(i.path, (str, os.PathLike)) and os.path.isfile(os.fspath(i.path))]
    outputs_seen: list[tuple[str, str]] = []
    for out in outputs:
        if out.path is None:
            continue
        if not isinstance(out.path, (str, os.PathLike)):
            raise OutputPathError(out.field, f"expected a file path (str or os.PathLike), got {type(out.path).__name__}")
        shown = os.fspath(out.path)
        if shown == "":
            raise OutputPathError(out.field, "is empty; give a file path")
        if shown.endswith(("/", os.sep)) or (os.altsep and shown.endswith(os.altsep)):
            raise OutputPathError(out.field, f"{shown!r} ends in '/', which names a folder; give a file name")
        if out.kind == "plot":
            plot_format(shown, out.field)
        elif out.kind == "png" and os.path.splitext(shown)[1].lower() != ".png":
            raise OutputPathError(out.field, f"{shown!r}: writes PNG; give a path ending in .png")
        target = _target(shown)
        for other, flag in inputs:
            if _same_file(target, other):
                raise OutputPathError(out.field, f"{shown!r} is the {flag} input of this run; an output never "
                                      "replaces an input: give another path")
        for other, field in outputs_seen:
            if _same_file(target, other):
                raise OutputPathError(out.field, f"{shown!r} is already the {field} output; give distinct paths")
        outputs_seen.append((target, out.field))
        if os.path.exists(target) and _check_existing(out, target, shown):
            continue
        _check_writable(out.field, os.path.dirname(target))


def check_output(field: str, path: str | os.PathLike | None, kind: str = "json", command: str | None = None,
                 data: Any = None) -> None:
    """:func:`check_output_paths` for one output of the Python API (``json=``, ``plot(path)``, ``to_json(path)``).

    ``data``: the run's data, when it names a file (no output may resolve to it).
    """
    inputs = [InputPath("data", data)] if isinstance(data, (str, os.PathLike)) else []
    check_output_paths([OutputPath(field, path, kind, command)], inputs)
