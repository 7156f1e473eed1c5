"""The resumable JSON-lines store of sweep records.

Records are appended one whole line per point, written with one ``write``
then ``fsync``. On start the file is read; a point whose key is already there
is skipped, so an interrupted sweep resumes where it stopped. A truncated last
line (a kill during a write) is cut off and its point redone; any other
unreadable line is ignored and counted.

**Versions.** Every record carries ``schema``. A store holding records of
another schema (``docs/sweep.jsonl`` of schema 1 was written before the
independent seed streams, so each of its points would now come out
differently) is refused with a :class:`StoreVersionError`: mixing would
silently join two different experiments under one key. Nothing is changed in
a refused file.
"""

from __future__ import annotations

import json
import math
import os

from quantum_train.errors import ConfigError
from quantum_train.experiments.sweeps.config import PointSpec, key_id
from quantum_train.experiments.sweeps.runner import SCHEMA
from quantum_train.output import written


def standard_json(obj):
    """``obj`` with every non-finite float replaced by ``None`` (standard JSON has no NaN or Infinity)."""
    if isinstance(obj, float):
        return obj if math.isfinite(obj) else None
    if isinstance(obj, dict):
        return {k: standard_json(v) for k, v in obj.items()}
    if isinstance(obj, (list, tuple)):
        return [standard_json(v) for v in obj]
    return obj


class StoreVersionError(ConfigError):
    """The store was written by another version of the record format."""


class SweepStore:
    """JSON-lines records keyed by :meth:`PointSpec.key_id`; ``path=None`` keeps them in memory."""

    def __init__(self, path: str | None = None, field: str = "json"):
        self.path = path
        self.records: dict[str, dict] = {}
        #: lines that could not be read when loading (excluding a truncated tail)
        self.bad_lines = 0
        #: True when a truncated last line was found when loading (cut off by :meth:`repair`)
        self.truncated_tail = False
        self._field = field
        self._tail_at: int | None = None
        if path is not None:
            self._load()

    def _load(self) -> None:
        if not os.path.exists(self.path):
            return
        with open(self.path, "rb") as fh:
            raw = fh.read()
        end = raw.rfind(b"\n") + 1
        if end < len(raw):  # a partial last line: a write was interrupted
            self.truncated_tail, self._tail_at = True, end
            raw = raw[:end]
        schemas: dict[object, int] = {}
        for line in raw.splitlines():
            if not line.strip():
                continue
            try:
                rec = json.loads(line)
                kid = key_id(rec["key"])
            except (ValueError, KeyError, TypeError):
                self.bad_lines += 1
                continue
            schema = rec.get("schema") if isinstance(rec, dict) else None
            schemas[schema] = schemas.get(schema, 0) + 1
            if schema == SCHEMA:
                self.records.setdefault(kid, rec)
        old = {s: c for s, c in schemas.items() if s != SCHEMA}
        if old:
            what = ", ".join(f"{c} of schema {s}" for s, c in old.items())
            raise StoreVersionError(self._field, f"{self.path} holds records of an older format ({what}; this "
                                    f"version writes schema {SCHEMA}: independent seed streams, points keyed by "
                                    "d and n); they cannot be resumed or mixed: give a new path, or move the "
                                    "file aside to re-run it")

    def repair(self) -> None:
        """Cut off a truncated last line found when loading (its point will be redone)."""
        if self._tail_at is None:
            return
        with open(self.path, "r+b") as fh:
            fh.truncate(self._tail_at)
            fh.flush()
            os.fsync(fh.fileno())
        self._tail_at = None

    def __contains__(self, spec: PointSpec) -> bool:
        return spec.key_id() in self.records

    def __len__(self) -> int:
        return len(self.records)

    def get(self, spec: PointSpec) -> dict | None:
        return self.records.get(spec.key_id())

    def append(self, record: dict) -> None:
        """Add a record; on disk, one whole line, fsynced before returning."""
        kid = key_id(record["key"])
        if self.path is not None:
            self.repair()
            line = (json.dumps(standard_json(record), sort_keys=True, allow_nan=False) + "\n").encode()
            fd = os.open(self.path, os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o666)
            try:
                view = memoryview(line)
                while view:  # one write in practice; loop in case the kernel writes less
                    view = view[os.write(fd, view):]
                os.fsync(fd)
            finally:
                os.close(fd)
            written.record(self.path)
        self.records.setdefault(kid, record)
