"""Read a JSON document that the tool wrote back into its typed result (:func:`load`, ``qt.load``).

``load(path).to_dict()`` equals the ``to_dict()`` of the result that wrote ``path``, up to JSON itself
(a non-finite number is written as ``null``).
"""

from __future__ import annotations

import dataclasses
import json
import os
from typing import TYPE_CHECKING, Any

from quantum_train.experiments.comparison import CompareConfig
from quantum_train.experiments.fired_search import FiredSearch, InputSearch
from quantum_train.experiments.results import Comparison, FinderResult, FrozenMap
from quantum_train.output.io import JSON_DOCUMENTS, STORE_RECORD_KEYS

if TYPE_CHECKING:
    from quantum_train.experiments.query_cost import CostReport
    from quantum_train.experiments.sweeps import Sweep
    from quantum_train.experiments.verdict import Verdict


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


def fired_search_from_dict(doc: dict[str, Any]) -> FiredSearch:
    """The :class:`FiredSearch` that wrote ``doc`` (``find-fired --json``, ``FiredSearch.to_dict()``)."""
    s = doc["summary"]
    inputs = tuple(InputSearch(**row) for row in doc["inputs"])
    return FiredSearch(m=s["m"], d=s["d"], b=s["b"], seed=s["seed"], backend=s["backend"], executor=s["executor"],
                       strategy=s["strategy"], delta=s["delta"], inputs=inputs,
                       simulation_seconds=s["simulation_seconds"], oracle=s["oracle"], bits=s["bits"],
                       memory=s["gate_cost_memory"], uncompute=s["uncompute"], adder=s["adder"],
                       found_exact=s.get("found_exact"), exact_pairs=s.get("exact_pairs"),
                       quantization_flips=s.get("quantization_flips"))


def sweep_from_records(records: list[dict[str, Any]]) -> Sweep:
    """The :class:`Sweep` of a store's records; its config is the grid the records span (finders in the order
    they first appear, every axis sorted), which is the config of the sweep that wrote a whole store."""
    from quantum_train.experiments.sweeps import Sweep
    from quantum_train.experiments.sweeps.config import SweepConfig

    keys = [r["key"] for r in records]
    first = keys[0]
    bs = list(dict.fromkeys(k.get("b") for k in keys))

    def axis(name):
        return tuple(sorted({k[name] for k in keys}))

    quantum = next((k for k in keys if "strategy" in k), {})
    config = SweepConfig(finders=tuple(dict.fromkeys(k["finder"] for k in keys)), ms=axis("m"), ds=axis("d"),
                         ns=axis("n"), seeds=axis("seed"), data=first["data"], iters=first["iters"], lr=first["lr"],
                         b=bs[0] if len(bs) == 1 else tuple(bs), strategy=quantum.get("strategy", "counting"),
                         delta=quantum.get("delta", 1e-3))
    return Sweep.from_records(config, records)


def load(path: str | os.PathLike) -> "Comparison | FiredSearch | Sweep | CostReport | Verdict":
    """The typed result of a JSON document that ``quantum-train`` (or a result's ``to_json``) wrote.

    A ``compare --json`` document gives a :class:`~quantum_train.experiments.results.Comparison`, a ``find-fired --json``
    one a :class:`~quantum_train.experiments.fired_search.FiredSearch`, and a sweep's store (``sweep --json``, JSON lines)
    a :class:`~quantum_train.experiments.sweeps.Sweep`, a ``resources --json`` report a
    :class:`~quantum_train.experiments.query_cost.CostReport`, and a ``verdict --json`` document a
    :class:`~quantum_train.experiments.verdict.Verdict`.
    """
    try:
        with open(path, encoding="utf-8") as f:
            text = f.read()
    except (OSError, UnicodeDecodeError) as err:
        raise UnknownDocumentError(f"cannot read {os.fspath(path)!r}: {err}") from None
    try:
        doc = json.loads(text)
    except json.JSONDecodeError:
        doc = None
        try:
            records = [json.loads(line) for line in text.splitlines() if line.strip()]
        except json.JSONDecodeError as err:
            raise UnknownDocumentError(f"{os.fspath(path)!r} is neither a JSON document nor a store of sweep "
                                       f"records: {err}") from None
        if records and all(isinstance(r, dict) and set(STORE_RECORD_KEYS) <= set(r) for r in records):
            return sweep_from_records(records)
    if isinstance(doc, dict) and set(STORE_RECORD_KEYS) <= set(doc):  # a store of one record
        return sweep_from_records([doc])
    if isinstance(doc, dict) and set(doc) == set(JSON_DOCUMENTS["compare"]):
        return comparison_from_dict(doc)
    if isinstance(doc, dict) and set(doc) == set(JSON_DOCUMENTS["find-fired"]):
        return fired_search_from_dict(doc)
    if isinstance(doc, dict) and set(JSON_DOCUMENTS["resources"]) <= set(doc):
        from quantum_train.experiments.query_cost import CostReport

        try:
            return CostReport.from_dict(doc)
        except (KeyError, TypeError, ValueError) as err:
            raise UnknownDocumentError(f"{os.fspath(path)!r} looks like a resources report but does not read back: "
                                       f"{err}") from None
    if isinstance(doc, dict) and set(JSON_DOCUMENTS["verdict"]) <= set(doc):
        from quantum_train.experiments.verdict import Verdict

        return Verdict.from_dict(doc)
    raise UnknownDocumentError(f"{os.fspath(path)!r} is not a document that load() reads: a compare or "
                               "find-fired, resources or verdict JSON document, or a sweep's store")


def stored_map(name: str = "map"):
    """The stored sweep ``name`` (``"map"``, ``"map_long"``, ``"corr_b"`` or ``"map_grover"``) as a typed
    :class:`~quantum_train.experiments.sweeps.Sweep` (``qt.stored_map()``: what ``docs/results.md`` states)."""
    from quantum_train.experiments.stored import CORR_B, MAP, MAP_GROVER, MAP_LONG, exists, path_of

    files = {"map": MAP, "map_long": MAP_LONG, "corr_b": CORR_B, "map_grover": MAP_GROVER}
    if name not in files:
        raise ValueError(f"no stored sweep {name!r}; choose one of {', '.join(files)}")
    if not exists(files[name]):
        raise FileNotFoundError(f"the stored sweep {name!r} ({files[name]}) is not shipped with this installation")
    return load(path_of(files[name]))
