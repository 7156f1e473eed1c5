"""Read a JSON document that the tool wrote back into its typed result (:func:`load`, ``qt.load``).

``load(path).to_dict()`` equals the ``to_dict()`` of the result that wrote ``path``, up to JSON itself
(a non-finite number is written as ``null``).
"""

from __future__ import annotations

import dataclasses
import json
import os
from typing import Any

from quantum_train.comparison import CompareConfig
from quantum_train.results import Comparison, FinderResult, FrozenMap


class UnknownDocumentError(ValueError):
    """A file that is not a JSON document this tool writes (or one that :func:`load` cannot read yet)."""


def comparison_from_dict(doc: dict[str, Any]) -> Comparison:
    """The :class:`Comparison` that wrote ``doc`` (``compare --json``, ``Comparison.to_dict()``)."""
    raw = dict(doc["config"])
    data_info = raw.pop("data_info", {})
    known = {f.name for f in dataclasses.fields(CompareConfig)}
    unknown = sorted(set(raw) - known)
    if unknown:
        raise UnknownDocumentError(f"the config has keys this version does not know: {', '.join(unknown)}")
    if raw.get("finders") is not None:
        raw["finders"] = tuple(raw["finders"])
    config = CompareConfig(**raw)
    return Comparison(config, FrozenMap(data_info), tuple(FinderResult.from_dict(r, config) for r in doc["results"]))


def load(path: str | os.PathLike) -> Comparison:
    """The typed result of a JSON document that ``quantum-train`` (or a result's ``to_dict``) wrote.

    Reads ``compare --json`` documents into a :class:`~quantum_train.results.Comparison`.
    """
    try:
        with open(path, encoding="utf-8") as f:
            doc = json.load(f)
    except (OSError, UnicodeDecodeError, json.JSONDecodeError) as err:
        raise UnknownDocumentError(f"cannot read {os.fspath(path)!r} as a JSON document: {err}") from None
    if isinstance(doc, dict) and set(doc) == {"config", "results"}:
        return comparison_from_dict(doc)
    raise UnknownDocumentError(f"{os.fspath(path)!r} is not a document that load() reads (a compare --json "
                               "document has the keys config and results)")
