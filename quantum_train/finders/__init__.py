"""Fired-set finders, by name (the ``--finders`` of the CLI)."""

from __future__ import annotations

from typing import Callable

from circuits.backends import BACKENDS, PREFIXED_BACKENDS, UnknownBackendError
from quantum_train.finders.base import FiredSetFinder
from quantum_train.finders.dense import DenseFinder
from quantum_train.finders.drift import DriftFinder
from quantum_train.finders.grover import GroverFinder
from quantum_train.finders.hsr import STRUCTURES, DataHSRFinder, WeightsHSRFinder

#: name -> factory(seed) returning a fresh finder
FINDERS: dict[str, Callable[[int], FiredSetFinder]] = {
    "dense": lambda seed: DenseFinder(),
    "weights-hsr": lambda seed: WeightsHSRFinder(),
    "data-hsr": lambda seed: DataHSRFinder(),
    "drift": lambda seed: DriftFinder(),
    "drift-unfused": lambda seed: DriftFinder(fused=False),  # the same finder in four passes, for comparison
}
#: finders that can be pinned to one of :data:`STRUCTURES` as ``<finder>:<structure>`` (``weights-hsr:kdtree``)
PINNABLE = {"weights-hsr": WeightsHSRFinder, "data-hsr": DataHSRFinder}


class UnknownFinderError(ValueError):
    """A finder name that names nothing, or a structure that cannot serve the finder."""


def check_finder_name(name: str) -> str:
    """``name`` if it names a finder, else an :class:`UnknownFinderError` saying what is wrong with it."""
    base, sep, structure = name.partition(":")
    if sep and not name.startswith("grover-"):
        if base not in FINDERS:
            raise UnknownFinderError(f"unknown finder {base!r} in {name!r}; choose from {', '.join(FINDERS)}")
        if base not in PINNABLE:
            raise UnknownFinderError(f"{base} uses no structure, so {name!r} cannot be pinned; structures serve "
                                     f"{', '.join(PINNABLE)} (e.g. {next(iter(PINNABLE))}:kdtree)")
        if structure not in STRUCTURES:
            raise UnknownFinderError(f"unknown structure {structure!r} in {name!r}; choose "
                                     + " or ".join(f"{base}:{s}" for s in STRUCTURES) + f", or plain {base} (automatic)")
        return name
    if not is_finder(name):
        raise UnknownFinderError(f"unknown finder {name!r}; choose from {', '.join(FINDERS)}, " + pinned_forms()
                                 + ", grover-emulator, grover-aer, grover-aer-noisy:<fake>, grover-fake_<name>, "
                                 "grover-ibm:<device>")
    return name


def is_finder(name: str) -> bool:
    """A registered name, or ``grover-<backend>`` for a backend name :mod:`circuits.backends` resolves.

    Only the name is checked (no executor is built: an IBM one would contact the
    service); whether the backend can be set up here is checked when it is used.
    """
    if name in FINDERS:
        return True
    base, sep, structure = name.partition(":")
    if sep and base in PINNABLE:
        return structure in STRUCTURES
    backend = name.removeprefix("grover-")
    return name.startswith("grover-") and (backend in BACKENDS or backend.startswith(tuple(PREFIXED_BACKENDS)))


def finder_class(name: str) -> type[FiredSetFinder]:
    """The class of a finder name (for its facts: limits, memory), without building it."""
    if name.startswith("grover-"):
        return GroverFinder
    classes = {"dense": DenseFinder, "weights-hsr": WeightsHSRFinder, "data-hsr": DataHSRFinder, "drift": DriftFinder,
               "drift-unfused": DriftFinder}
    return classes[name.partition(":")[0]]


def make_finder(name: str, seed: int = 0, **options) -> FiredSetFinder:
    """A fresh finder by name (``grover-<backend>`` takes ``strategy`` and ``delta`` options)."""
    if name in FINDERS:
        return FINDERS[name](seed)
    base, sep, structure = name.partition(":")
    if sep and base in PINNABLE and structure in STRUCTURES:
        return PINNABLE[base](structure)
    if name.startswith("grover-"):
        try:
            return GroverFinder(name.removeprefix("grover-"), seed=seed, **options)
        except UnknownBackendError as err:
            raise KeyError(f"unknown finder {name!r}: {err}") from None
    raise KeyError(f"unknown finder {name!r}; choose from {', '.join(FINDERS)}, grover-<backend>")


def pinned_forms() -> str:
    """The pinned finder names, for help and messages: ``weights-hsr:kdtree, weights-hsr:brute, ...``."""
    return ", ".join(f"{p}:{s}" for p in PINNABLE for s in STRUCTURES)


def parse_finders(names, field: str = "finders") -> tuple[str, ...]:
    """The one finder-list parser of every command and of the Python API.

    ``names``: a comma string as on the command line (``"dense,drift"``) or a
    sequence of names. Returns them as a tuple, in order; an empty list, an
    empty entry (``dense,,drift``), a name that is not a string, an unknown
    finder or structure, and a finder listed twice are each refused with a
    :class:`~quantum_train.errors.ConfigError` on ``field``.
    """
    from quantum_train.errors import ConfigError

    if isinstance(names, str):
        items = [s.strip() for s in names.split(",")]
        if not any(items):
            raise ConfigError(field, "name at least one finder")
        if not all(items):
            raise ConfigError(field, f"empty entry in {names!r}; separate the finders by single commas")
    elif isinstance(names, (list, tuple)):
        wrong = [x for x in names if not isinstance(x, str)]
        if wrong:
            raise ConfigError(field, f"expected finder names (strings), got {wrong[0]!r}")
        items = [s.strip() for s in names]
        if not items:
            raise ConfigError(field, "name at least one finder")
        if not all(items):
            raise ConfigError(field, "an empty finder name; name each finder")
    else:
        raise ConfigError(field, f"expected a comma string or a list of finder names, got {names!r}")
    for name in items:
        try:
            check_finder_name(name)
        except UnknownFinderError as err:
            raise ConfigError(field, str(err)) from None
    for k, name in enumerate(items):
        if name in items[:k]:
            raise ConfigError(field, f"finder {name!r} is listed twice; list each finder once")
    return tuple(items)


__all__ = ["FINDERS", "PINNABLE", "STRUCTURES", "UnknownFinderError", "check_finder_name", "FiredSetFinder",
           "DenseFinder", "DriftFinder", "WeightsHSRFinder", "DataHSRFinder", "GroverFinder", "is_finder",
           "make_finder", "finder_class", "parse_finders", "pinned_forms"]
