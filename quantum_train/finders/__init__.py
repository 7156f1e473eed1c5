"""Fired-set finders, by name (the ``--finders`` of the CLI), declared once each in the registry.

The built-in finders are declared below, each as one
:class:`~quantum_train.finders.registry.FinderSpec`; :mod:`quantum_train.finders.registry`
explains the design and holds the look-ups. The functions here (``make_finder``,
``finder_class``, ``check_finder_name``, ``is_finder``) are thin views of it.
"""

from __future__ import annotations

import math
from collections.abc import Iterator, Mapping
from typing import Callable, Sequence

from circuits.backends import BACKENDS, PREFIXED_BACKENDS, UnknownBackendError
from quantum_train.core.finder_contract import FiredSetFinder
from quantum_train.core.grover_options import GROVER_PREFIX
from quantum_train.finders.corr_trees import CorrelationDTreeFinder, CorrelationWTreeFinder
from quantum_train.finders.dense import DenseFinder
from quantum_train.finders.drift import DriftFinder, UnfusedDriftFinder
from quantum_train.finders.grover import GroverFinder
from quantum_train.finders.hsr import STRUCTURES, DataHSRFinder, WeightsHSRFinder
from quantum_train.finders.registry import (
    ENTRY_POINT_GROUP,
    FinderSpec,
    Resolved,
    UnknownFinderError,
    is_quantum,
    name_forms,
    plain_names,
    register,
    register_finder,
    resolve,
    specs,
    unregister_finder,
)
from quantum_train.finders.theory import Theory, moved_exponent_theory

GROVER_OPTIONS = ("strategy", "delta", "oracle", "bits", "memory", "uncompute", "adder")


# ----------------------------------------------------------------------------- theory rules (docs/design.md)

def _dense_theory(d: int, n: int, ms: Sequence[int], b: float | None, structure: str, kappa: float) -> Theory:
    """Every pair is tested: exponent 1."""
    return Theory("1", 1.0, kappa=kappa)


def _weights_hsr_theory(d: int, n: int, ms: Sequence[int], b: float | None, structure: str, kappa: float) -> Theory:
    """Algorithm 1: a kd-tree half-space query visits ``O(m^(1 - 1/d))`` cells plus its output; the paper's
    structure (Agarwal-Eppstein-Matousek) has query term ``1 - 1/floor(d/2)``; the scan, 1."""
    paper = f"{1 - 1 / (d // 2):.2f}" if d >= 2 else "-"
    if structure == "brute":
        return Theory("1 (scan)", 1.0, paper, kappa=kappa)
    query = 1 - 1 / d
    dominated = bool(math.isfinite(kappa) and kappa >= query)
    nominal = f"1 - 1/d = {query:.2f}" + ("" if structure else " (tree) or 1 (scan)")
    return Theory(nominal, query, paper, dominated, kappa)


def _data_hsr_theory(d: int, n: int, ms: Sequence[int], b: float | None, structure: str, kappa: float) -> Theory:
    """Algorithm 2: one query over the ``n`` inputs per moved neuron (the paper's 4/5 assumes few move)."""
    return Theory("4/5 if few neurons move", moved_exponent_theory(ms, n, d, b, tree=structure != "brute"),
                  kappa=kappa)


def _grover_theory(d: int, n: int, ms: Sequence[int], b: float | None, structure: str, kappa: float) -> Theory:
    """``sqrt(m k)`` oracle queries per input: ``(1 + kappa)/2``."""
    return Theory("(1 + kappa)/2", (1 + kappa) / 2, kappa=kappa)


def _corr_tree_theory(d: int, n: int, ms: Sequence[int], b: float | None, structure: str, kappa: float) -> Theory:
    """Correlation trees: find descends to the ``k`` fired leaves of each tree (``k log m`` node visits); the
    products of the moved neurons are charged to update; Alman et al. bound the whole iteration by
    ``m^(4/5) n^2 d`` at the default ``b``."""
    return Theory("kappa (descents); total <= 4/5 (paper)", kappa, kappa=kappa)


def _is_backend(backend: str) -> bool:
    """Only the name is checked (building an IBM executor would contact the service)."""
    return backend in BACKENDS or backend.startswith(tuple(PREFIXED_BACKENDS))


def _grover(seed: int, backend: str, **options) -> GroverFinder:
    try:
        return GroverFinder(backend, seed=seed, **options)
    except UnknownBackendError as err:
        raise KeyError(f"unknown finder {GROVER_PREFIX + backend!r}: {err}") from None


# ----------------------------------------------------------------------------- the built-in finders

register(FinderSpec("dense", lambda seed: DenseFinder(), DenseFinder, family="dense", theory=_dense_theory,
                    description="all n m inner products: the Omega(mnd) baseline"))
register(FinderSpec("weights-hsr", lambda seed, structure=None: WeightsHSRFinder(structure), WeightsHSRFinder,
                    family="hsr", preprocesses=True, structures=tuple(STRUCTURES), theory=_weights_hsr_theory,
                    description="Algorithm 1: half-space reporting over the weights"))
register(FinderSpec("data-hsr", lambda seed, structure=None: DataHSRFinder(structure), DataHSRFinder,
                    family="hsr", preprocesses=True, structures=tuple(STRUCTURES), theory=_data_hsr_theory,
                    description="Algorithm 2: half-space reporting over the inputs"))
register(FinderSpec("drift", lambda seed: DriftFinder(), DriftFinder, family="drift",
                    description="exact drift bound: re-check only the pairs a neuron's drift can reach"))
register(FinderSpec("drift-unfused", lambda seed: UnfusedDriftFinder(), UnfusedDriftFinder, family="drift",
                    description="the drift finder in four passes, for comparison"))
register(FinderSpec(GROVER_PREFIX, _grover, GroverFinder, family="grover", exact=False, quantum=True,
                    options=GROVER_OPTIONS, theory=_grover_theory, parameter=_is_backend,
                    forms=("grover-emulator", "grover-aer", "grover-aer-noisy:<fake>", "grover-fake_<name>",
                           "grover-ibm:<device>"),
                    description="Grover find-all per input over the m neuron indices, no preprocessing"))

register(FinderSpec("corr-dtree", lambda seed: CorrelationDTreeFinder(), CorrelationDTreeFinder, family="corr-tree",
                    preprocesses=True, theory=_corr_tree_theory,
                    description="Alman et al. 2023: a max-tree per input over the m neurons' products"))
register(FinderSpec("corr-wtree", lambda seed: CorrelationWTreeFinder(), CorrelationWTreeFinder, family="corr-tree",
                    preprocesses=True, theory=_corr_tree_theory,
                    description="Alman et al. 2023: a max-tree per neuron over the n inputs' products"))


# ----------------------------------------------------------------------------- views of the registry

class _PlainFinders(Mapping):
    """name -> factory(seed), for every plain name (built-ins and plug-ins; live)."""

    def __getitem__(self, name: str) -> Callable[[int], FiredSetFinder]:
        if name not in plain_names():
            raise KeyError(name)
        return lambda seed=0: resolve(name).build(seed)

    def __iter__(self) -> Iterator[str]:
        return iter(plain_names())

    def __len__(self) -> int:
        return len(plain_names())


#: name -> factory(seed) returning a fresh finder (plain names; pinned and family names via :func:`make_finder`)
FINDERS: Mapping[str, Callable[[int], FiredSetFinder]] = _PlainFinders()


def check_finder_name(name: str) -> str:
    """``name`` if it names a finder, else an :class:`UnknownFinderError` saying what is wrong with it."""
    resolve(name)
    return name


def is_finder(name: str) -> bool:
    """Whether ``name`` names a finder (only the name is checked: no executor or structure is built)."""
    try:
        resolve(name)
    except UnknownFinderError:
        return False
    return True


def finder_class(name: str) -> type[FiredSetFinder]:
    """The class of a finder name (for its facts: limits, memory), without building it."""
    return resolve(name).spec.facts()


def make_finder(name: str, seed: int = 0, **options) -> FiredSetFinder:
    """A fresh finder by name; ``options`` the finder does not take (its spec's ``options``) are ignored."""
    try:
        resolved = resolve(name)
    except UnknownFinderError as err:
        raise KeyError(str(err)) from None
    return resolved.build(seed, **options)


def refuse_options_no_finder_takes(options, finders, flag: str = "--") -> None:
    """A :class:`~quantum_train.errors.ConfigError` on the first of ``options`` (given by the user) that no finder
    in ``finders`` takes (its spec's ``options``): ``--oracle`` with no Grover finder, say. ``flag`` prefixes the
    names in the message (``""`` for the Python API's keywords)."""
    from quantum_train.errors import ConfigError

    for option in options:
        if not any(option in resolve(f).spec.options for f in finders):
            raise ConfigError(option, f"applies to the Grover finders, and {flag}finders names none "
                              f"({', '.join(finders)}); add one (e.g. grover-emulator) or drop {flag}{option}")


def exact_finder_names() -> tuple[str, ...]:
    """Every exact finder's name and pinned form (for the exactness tests; plug-ins included)."""
    out = []
    for spec in specs():
        if spec.exact and not spec.is_family:
            out += [spec.name] + [f"{spec.name}:{s}" for s in spec.structures]
    return tuple(out)


def pinned_forms() -> str:
    """The pinned finder names, for help and messages: ``weights-hsr:kdtree, weights-hsr:brute, ...``."""
    return ", ".join(f"{spec.name}:{s}" for spec in specs() for s in spec.structures)


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


__all__ = ["FINDERS", "STRUCTURES", "ENTRY_POINT_GROUP", "FinderSpec", "Resolved", "UnknownFinderError",
           "check_finder_name", "exact_finder_names", "FiredSetFinder", "CorrelationDTreeFinder",
           "CorrelationWTreeFinder", "DenseFinder", "DriftFinder", "UnfusedDriftFinder",
           "WeightsHSRFinder", "DataHSRFinder", "GroverFinder", "is_finder", "is_quantum", "make_finder",
           "finder_class", "name_forms", "parse_finders", "pinned_forms", "refuse_options_no_finder_takes", "register",
           "register_finder", "resolve",
           "specs", "unregister_finder"]
