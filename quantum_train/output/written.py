"""The files this process has written, so that an interrupted run says exactly which exist.

:func:`quantum_train.output.io.atomic_write` and the sweep store record every path
they finish writing; the CLI takes a :func:`mark` before a command and, on
Ctrl-C, names the files written :func:`since` it.
"""

from __future__ import annotations

_paths: list[str] = []


def record(path: str) -> None:
    """Note that ``path`` now holds a whole file written by this process."""
    _paths.append(str(path))


def mark() -> int:
    """A position in the record, for :func:`since`."""
    return len(_paths)


def since(position: int) -> list[str]:
    """The distinct paths recorded after ``position``, in the order first written."""
    return list(dict.fromkeys(_paths[position:]))
