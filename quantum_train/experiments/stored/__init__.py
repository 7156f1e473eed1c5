"""The stored measurements that ship with the package (package data, read with :mod:`importlib.resources`).

- ``map.jsonl``: the map, every finder on the grid ``m = 2^10 .. 2^20``, ``d in {2, 3, 4, 6, 8, 12, 16}``,
  ``n in {256, 1024}``, default ``b``, 3 iterations (``docs/results.md``, section 2);
- ``map_grover.jsonl``: the Grover slice of the map (the exact emulator);
- ``corr_b.jsonl``: the correlation-tree slice (``d in {4, 16}``, ``m`` up to ``2^18``, ``b`` default, 3 and 4);
- ``map_long.jsonl`` (when present): long runs, 30 iterations, for the shape of the cost curve over a run.

Each is a sweep store (one JSON record per line, the schema of :mod:`quantum_train.experiments.sweeps.runner`).
"""

from __future__ import annotations

import json
from importlib import resources

MAP = "map.jsonl"
MAP_GROVER = "map_grover.jsonl"
CORR_B = "corr_b.jsonl"
MAP_LONG = "map_long.jsonl"


def stored_file(name: str):
    """The :class:`importlib.resources` traversable of the stored file ``name`` (it may not exist)."""
    return resources.files(__name__).joinpath(name)


def exists(name: str) -> bool:
    return stored_file(name).is_file()


def read_records(name: str) -> list[dict]:
    """The records of the stored file ``name`` (a ``FileNotFoundError`` if it is not shipped)."""
    with stored_file(name).open("r", encoding="utf-8") as fh:
        return [json.loads(line) for line in fh if line.strip()]


def path_of(name: str) -> str:
    """A file-system path of the stored file ``name`` for scripts that take a path (the package is on disk)."""
    with resources.as_file(stored_file(name)) as p:
        return str(p)

