"""Reading the user's own data: ``.npz`` (arrays ``X`` and ``y``), ``.npy`` and ``.csv`` (target in the last
column, or the CSV column named by ``target``).

Every fault is a :class:`~quantum_train.data.datasets.DataError` on the field ``data``
(``target`` for a bad column name) whose one line names the fault and the
fix: a missing, empty, unreadable or compressed file, a CSV that is not
UTF-8 or repeats a column name in its header, a missing ``y``, ragged rows,
a non-numeric cell. Finiteness, sizes and degenerate rows are checked afterwards by
:func:`quantum_train.data.datasets.user_dataset`, the same for files and arrays.
"""

from __future__ import annotations

import csv
import os

import numpy as np

from quantum_train.errors import DataError

#: Compressed formats recognised by their first bytes: (magic, name, how to decompress).
COMPRESSED = ((b"\x1f\x8b", "gzip", "gunzip"), (b"BZh", "bzip2", "bunzip2"), (b"\xfd7zXZ\x00", "xz", "unxz"),
              (b"(\xb5/\xfd", "zstd", "unzstd"), (b"PK\x03\x04", "zip", "unzip"))


def read_data_file(path: str, target: str | None = None) -> tuple[np.ndarray, np.ndarray]:
    """``(X, y)`` from a ``.npz``, ``.npy`` or ``.csv`` file."""
    if not os.path.isfile(path):
        raise DataError("data", f"no file {path!r}; give an existing .npz, .npy or .csv file")
    if os.path.getsize(path) == 0:
        raise DataError("data", f"{path} is empty")
    ext = os.path.splitext(path)[1].lower()
    try:
        with open(path, "rb") as fh:
            head = fh.read(8)
    except OSError as err:
        raise DataError("data", f"cannot read {path} ({err.strerror}); check its permissions") from None
    for magic, kind, tool in COMPRESSED:
        if head.startswith(magic) and not (ext == ".npz" and kind == "zip"):
            raise DataError("data", f"{path} is {kind}-compressed; decompress it first ({tool}) and give the "
                            f"plain {ext} file")
    if target is not None and ext != ".csv":
        raise DataError("target", f"names a CSV column; {path} is a {ext} file (its targets are y, or its last column)")
    reader = {".npz": _read_npz, ".npy": _read_npy, ".csv": _read_csv}[ext]
    return reader(path, target)


def _read_npz(path: str, target: str | None) -> tuple[np.ndarray, np.ndarray]:
    try:
        with np.load(path, allow_pickle=False) as arrays:
            missing = [k for k in ("X", "y") if k not in arrays.files]
            if missing:
                raise DataError("data", f"{path} has no array {' or '.join(missing)} (it holds "
                                f"{', '.join(arrays.files) or 'nothing'}); save it with np.savez(path, X=X, y=y)")
            return arrays["X"], arrays["y"]
    except (ValueError, OSError) as err:
        raise DataError("data", f"{path} is not a readable .npz file ({err})") from None


def _read_npy(path: str, target: str | None) -> tuple[np.ndarray, np.ndarray]:
    try:
        table = np.load(path, allow_pickle=False)
    except (ValueError, OSError) as err:
        raise DataError("data", f"{path} is not a readable .npy array of numbers ({err})") from None
    if table.ndim != 2 or table.shape[1] < 2:
        raise DataError("data", f"{path} holds shape {table.shape}; need a 2-D array with the features, then the "
                        "target in the last column")
    return table[:, :-1], table[:, -1]


def _number(cell: str, row: int, col: int, path: str) -> float:
    try:
        return float(cell)
    except ValueError:
        raise DataError("data", f"{path}: row {row}, column {col + 1}: {cell.strip()!r} is not a number") from None


def _first_bad_byte(path: str) -> str:
    """Where a file stops being UTF-8: ``byte 0xe9 on line 3``."""
    with open(path, "rb") as fh:
        raw = fh.read()
    try:
        raw.decode("utf-8")
    except UnicodeDecodeError as err:
        line = raw[:err.start].count(b"\n") + 1
        return f"byte {raw[err.start]:#04x} on line {line}"
    return "an invalid byte"


def _read_csv(path: str, target: str | None) -> tuple[np.ndarray, np.ndarray]:
    try:
        with open(path, newline="", encoding="utf-8-sig") as fh:
            rows = [r for r in csv.reader(fh) if any(c.strip() for c in r)]
    except UnicodeDecodeError:
        raise DataError("data", f"{path} is not UTF-8 text ({_first_bad_byte(path)}); save it as UTF-8, "
                        "e.g. iconv -f latin1 -t utf-8") from None
    except csv.Error as err:
        raise DataError("data", f"{path} is not a readable CSV file ({err})") from None
    if not rows:
        raise DataError("data", f"{path} is empty")
    header = None
    try:
        [float(c) for c in rows[0]]
    except ValueError:
        header, rows = [c.strip() for c in rows[0]], rows[1:]
    if not rows:
        raise DataError("data", f"{path} has a header but no rows")
    if header:
        repeated = [c for k, c in enumerate(header) if c in header[:k]]
        if repeated:
            first = header.index(repeated[0])
            again = header.index(repeated[0], first + 1)
            raise DataError("data", f"{path}: the header names column {repeated[0]!r} twice (columns {first + 1} and "
                            f"{again + 1}); give every column its own name")
    width = len(header) if header else len(rows[0])
    for k, r in enumerate(rows):
        if len(r) != width:
            line = k + (2 if header else 1)
            raise DataError("data", f"{path}: row {line} has {len(r)} cells, the {'header' if header else 'first row'} "
                            f"has {width}; every row needs the same columns")
    if width < 2:
        raise DataError("data", f"{path} has one column; need the features, then the target")
    col = width - 1
    if target is not None:
        if header is None or target not in header:
            raise DataError("target", f"no column {target!r} in {path}" +
                            (f" (columns: {', '.join(header)})" if header else " (it has no header row)"))
        col = header.index(target)
    first = 2 if header else 1
    table = np.array([[_number(c, k + first, j, path) for j, c in enumerate(r)] for k, r in enumerate(rows)])
    return np.delete(table, col, axis=1), table[:, col]
