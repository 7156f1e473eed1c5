"""Fired-set finders, by name (the ``--finders`` of the CLI)."""

from __future__ import annotations

from typing import Callable

from quantum_train.finders.base import FiredSetFinder
from quantum_train.finders.dense import DenseFinder
from quantum_train.finders.drift import DriftFinder

#: name -> factory(seed) returning a fresh finder
FINDERS: dict[str, Callable[[int], FiredSetFinder]] = {
    "dense": lambda seed: DenseFinder(),
    "drift": lambda seed: DriftFinder(),
}


def make_finder(name: str, seed: int = 0) -> FiredSetFinder:
    """A fresh finder by name; ``KeyError`` with the known names otherwise."""
    try:
        factory = FINDERS[name]
    except KeyError:
        raise KeyError(f"unknown finder {name!r}; choose from {', '.join(FINDERS)}") from None
    return factory(seed)


__all__ = ["FINDERS", "FiredSetFinder", "DenseFinder", "DriftFinder", "make_finder"]
