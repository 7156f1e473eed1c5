"""Fired-set finders, by name (the ``--finders`` of the CLI)."""

from __future__ import annotations

from typing import Callable

from quantum_train.finders.base import FiredSetFinder
from quantum_train.finders.dense import DenseFinder
from quantum_train.finders.drift import DriftFinder
from quantum_train.finders.hsr import DataHSRFinder, WeightsHSRFinder
from quantum_train.finders.grover import GroverFinder
from circuits.backends import BACKENDS, PREFIXED_BACKENDS, UnknownBackendError

#: name -> factory(seed) returning a fresh finder
FINDERS: dict[str, Callable[[int], FiredSetFinder]] = {
    "dense": lambda seed: DenseFinder(),
    "weights-hsr": lambda seed: WeightsHSRFinder(),
    "data-hsr": lambda seed: DataHSRFinder(),
    "drift": lambda seed: DriftFinder(),
}


def is_finder(name: str) -> bool:
    """A registered name, or ``grover-<backend>`` for a backend name :mod:`circuits.backends` resolves.

    Only the name is checked (no executor is built: an IBM one would contact the
    service); whether the backend can be set up here is checked when it is used.
    """
    if name in FINDERS:
        return True
    backend = name.removeprefix("grover-")
    return name.startswith("grover-") and (backend in BACKENDS or backend.startswith(tuple(PREFIXED_BACKENDS)))


def finder_class(name: str) -> type[FiredSetFinder]:
    """The class of a finder name (for its facts: limits, memory), without building it."""
    if name.startswith("grover-"):
        return GroverFinder
    classes = {"dense": DenseFinder, "weights-hsr": WeightsHSRFinder, "data-hsr": DataHSRFinder, "drift": DriftFinder}
    return classes[name]


def make_finder(name: str, seed: int = 0, **options) -> FiredSetFinder:
    """A fresh finder by name (``grover-<backend>`` takes ``strategy`` and ``delta`` options)."""
    if name in FINDERS:
        return FINDERS[name](seed)
    if name.startswith("grover-"):
        try:
            return GroverFinder(name.removeprefix("grover-"), seed=seed, **options)
        except UnknownBackendError as err:
            raise KeyError(f"unknown finder {name!r}: {err}") from None
    raise KeyError(f"unknown finder {name!r}; choose from {', '.join(FINDERS)}, grover-<backend>")


__all__ = ["FINDERS", "FiredSetFinder", "DenseFinder", "DriftFinder", "WeightsHSRFinder", "DataHSRFinder", "GroverFinder", "is_finder", "make_finder", "finder_class"]
