"""Fired-set finders, by name (the ``--finders`` of the CLI)."""

from __future__ import annotations

from typing import Callable

from quantum_train.finders.base import FiredSetFinder
from quantum_train.finders.dense import DenseFinder
from quantum_train.finders.drift import DriftFinder
from quantum_train.finders.hsr import DataHSRFinder, WeightsHSRFinder
from quantum_train.finders.grover import GroverFinder
from circuits.backends import UnknownBackendError, make_executor

#: name -> factory(seed) returning a fresh finder
FINDERS: dict[str, Callable[[int], FiredSetFinder]] = {
    "dense": lambda seed: DenseFinder(),
    "weights-hsr": lambda seed: WeightsHSRFinder(),
    "data-hsr": lambda seed: DataHSRFinder(),
    "drift": lambda seed: DriftFinder(),
}


def is_finder(name: str) -> bool:
    """A registered name, or ``grover-<backend>`` for a backend :mod:`circuits.backends` knows."""
    if name in FINDERS:
        return True
    if name.startswith("grover-"):
        try:
            make_executor(name.removeprefix("grover-"))
        except UnknownBackendError:
            return False
        except Exception:  # a known backend that cannot be set up here says so when used
            return True
        return True
    return False


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


__all__ = ["FINDERS", "FiredSetFinder", "DenseFinder", "DriftFinder", "WeightsHSRFinder", "DataHSRFinder", "GroverFinder", "is_finder", "make_finder"]
