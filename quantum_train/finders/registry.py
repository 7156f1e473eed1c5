"""The one registry of finders: every finder is declared once, with its facts.

Design
------
The toolkit asks many things of a finder before it builds one: may it be
pinned to a structure, which options does it take, is it exact, does it
preprocess, what does theory predict for its cost, how much memory will it
need, what does its line in the notes say. Each finder answers all of them
from one place: a :class:`FinderSpec` here, plus the class methods of its
:class:`~quantum_train.core.finder_contract.FiredSetFinder` (``note``, ``limits``,
``preferred_strategy``, ``warm_up``, ``memory_bytes``). The command line, the
Python API, ``compare``, ``sweep``, the fits, the notes and the memory guard
read these facts and nothing else, so a new finder is one class and one
:func:`register` call (or one entry point, for an installed plug-in).

Names come in three forms, and :func:`resolve` is the only place that parses
them:

- a plain name, ``dense``;
- a pinned name, ``<name>:<structure>``, for a spec with ``structures``
  (``weights-hsr:kdtree``);
- a family name, ``<prefix><parameter>``, for a spec with a ``parameter``
  check (``grover-aer``, ``grover-ibm:<device>``: the Grover family takes a
  backend name).

Plug-ins: :func:`register_finder` (``qt.register_finder``) registers a factory
``seed -> FiredSetFinder`` under a name; an installed package does the same
through the entry-point group ``quantum_train.finders`` (each entry point's
name is the finder's name, its object the factory), loaded on the first look-up.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from importlib.metadata import entry_points
from typing import Callable, Sequence

from quantum_train.core.finder_contract import FiredSetFinder
from quantum_train.finders.theory import Theory

#: The entry-point group through which installed packages add finders.
ENTRY_POINT_GROUP = "quantum_train.finders"

#: ``theory(d, n, ms, b, structure, kappa) -> Theory``: the predicted find-ops exponent in ``m`` at one ``(d, n)``
#: over the widths ``ms`` (``b`` fixed or None for ``b(m)``; ``structure`` the pinned one or ""; ``kappa`` the
#: slope of the fired count ``m Q(b)`` over ``ms``).
TheoryRule = Callable[[int, int, Sequence[int], "float | None", str, float], Theory]


class UnknownFinderError(ValueError):
    """A finder name that names nothing, or a structure that cannot serve the finder."""


@dataclass(frozen=True)
class FinderSpec:
    """Everything known of a finder before one is built.

    ``factory(seed, **options)`` builds a fresh finder; a family's factory takes the parameter too,
    ``factory(seed, parameter, **options)``, and a pinnable finder's takes ``structure=``.
    """

    name: str  #: the registered name, or a family's prefix (``grover-``)
    factory: Callable[..., FiredSetFinder]
    finder_class: type[FiredSetFinder] | None = None  #: for the class-level facts; None: the factory's product's
    family: str = "plugin"  #: e.g. ``dense``, ``hsr``, ``drift``, ``grover``
    exact: bool = True  #: returns exactly the dense fired sets (deterministic)
    preprocesses: bool = False  #: builds a structure before training (costed apart)
    quantum: bool = False  #: a quantum search: its ops are oracle queries, its seconds simulation time
    options: tuple[str, ...] = ()  #: keyword options the factory takes (``strategy``, ``delta``, ``oracle``, ...)
    structures: tuple[str, ...] = ()  #: it can be pinned as ``<name>:<structure>``
    theory: TheoryRule | None = None  #: None: no theory (``Theory("-", None)``)
    parameter: Callable[[str], bool] | None = None  #: a family: accepts ``<name><parameter>`` when this says so
    forms: tuple[str, ...] = ()  #: the family's name forms, for messages (``grover-aer``, ``grover-ibm:<device>``)
    description: str = ""

    @property
    def is_family(self) -> bool:
        return self.parameter is not None

    def facts(self) -> type[FiredSetFinder]:
        """The class whose class methods answer for this finder (a plug-in's: the class its factory builds)."""
        if self.finder_class is not None:
            return self.finder_class
        return type(self.factory(0))

    def predicted(self, d: int, n: int, ms: Sequence[int], b: float | None, structure: str, kappa: float) -> Theory:
        if self.theory is None:
            return Theory("-", None, kappa=kappa)
        return self.theory(d, n, ms, b, structure, kappa)


@dataclass(frozen=True)
class Resolved:
    """A parsed finder name: its spec and the structure or family parameter it names ("" if none)."""

    name: str
    spec: FinderSpec
    structure: str = ""
    parameter: str = ""

    def build(self, seed: int = 0, **options) -> FiredSetFinder:
        """A fresh finder; ``options`` not among the spec's are ignored (callers pass a config's whole set)."""
        kept = {k: v for k, v in options.items() if k in self.spec.options}
        if self.spec.is_family:
            finder = self.spec.factory(seed, self.parameter, **kept)
        elif self.structure:
            finder = self.spec.factory(seed, structure=self.structure, **kept)
        else:
            finder = self.spec.factory(seed, **kept)
        finder.name = self.name  # results and notes know a finder by the name it was asked for (a plug-in's too)
        return finder


_SPECS: dict[str, FinderSpec] = {}
_plugins_loaded = False


def register(spec: FinderSpec, *, replace: bool = False) -> FinderSpec:
    """Add ``spec`` to the registry (a name already taken raises, unless ``replace``)."""
    if not isinstance(spec, FinderSpec):
        raise TypeError(f"register takes a FinderSpec, got {type(spec).__name__}")
    if not spec.name or ":" in spec.name or "," in spec.name or spec.name != spec.name.strip():
        raise ValueError(f"a finder name is non-empty, without ':', ',' or surrounding spaces; got {spec.name!r}")
    if spec.name in _SPECS and not replace:
        raise ValueError(f"a finder named {spec.name!r} is already registered; pass replace=True to replace it")
    _SPECS[spec.name] = spec
    return spec


def register_finder(name: str, factory: Callable[[int], FiredSetFinder], *, exact: bool = True,
                    preprocesses: bool = False, replace: bool = False, description: str = "") -> FinderSpec:
    """Make a finder usable everywhere finders are named (``qt.compare``, ``qt.sweep``, ``--finders``).

    ``factory(seed)`` returns a fresh :class:`~quantum_train.core.finder_contract.FiredSetFinder`. Its class answers
    the facts (``memory_bytes`` for the memory guard, ``note``, ``limits``); ``exact`` says whether it
    returns exactly the dense fired sets, which the comparison then checks weight by weight.
    """
    if not callable(factory):
        raise TypeError(f"factory must be callable (seed -> FiredSetFinder), got {type(factory).__name__}")

    def build(seed: int) -> FiredSetFinder:
        finder = factory(seed)
        if not isinstance(finder, FiredSetFinder):
            raise TypeError(f"the factory of finder {name!r} returned {type(finder).__name__}, not a FiredSetFinder")
        return finder

    cls = type(build(0))  # checked now, not when a run's memory guard asks
    if getattr(cls.memory_bytes, "__func__", None) is FiredSetFinder.memory_bytes.__func__:
        raise TypeError(f"finder {name!r}: {cls.__name__} does not estimate its memory; define the class method "
                        "memory_bytes(n, m, d, b, pairs) (return 0.0 if it keeps no state)")
    return register(FinderSpec(name, build, cls, exact=exact, preprocesses=preprocesses, description=description),
                    replace=replace)


def unregister_finder(name: str) -> None:
    """Remove a registered finder (tests and notebooks that registered one for a while)."""
    _SPECS.pop(name, None)


def _load_plugins() -> None:
    """Register the finders that installed packages declare under :data:`ENTRY_POINT_GROUP` (once)."""
    global _plugins_loaded
    if _plugins_loaded:
        return
    _plugins_loaded = True
    for ep in entry_points(group=ENTRY_POINT_GROUP):
        if ep.name in _SPECS:
            continue
        obj = ep.load()
        if isinstance(obj, FinderSpec):
            register(obj)
        else:
            register_finder(ep.name, obj)


def specs() -> tuple[FinderSpec, ...]:
    """Every registered spec, in registration order (built-ins first, then plug-ins)."""
    _load_plugins()
    return tuple(_SPECS.values())


def plain_names() -> tuple[str, ...]:
    """The names that stand alone (families excluded)."""
    return tuple(s.name for s in specs() if not s.is_family)


def name_forms() -> str:
    """Every accepted name form, for messages and help: plain names, pinned forms, families' forms."""
    forms = list(plain_names())
    forms += [f"{s.name}:{structure}" for s in specs() for structure in s.structures]
    forms += [f for s in specs() if s.is_family for f in s.forms]
    return ", ".join(forms)


def resolve(name: str) -> Resolved:
    """The spec a name names, or an :class:`UnknownFinderError` saying what is wrong with it."""
    if not isinstance(name, str):
        raise UnknownFinderError(f"a finder name is a string, got {type(name).__name__}")
    all_specs = specs()
    if name in _SPECS and not _SPECS[name].is_family:
        return Resolved(name, _SPECS[name])
    for spec in all_specs:  # families first: their parameters may contain ':' (grover-ibm:<device>)
        if spec.is_family and name.startswith(spec.name):
            parameter = name[len(spec.name):]
            if spec.parameter(parameter):
                return Resolved(name, spec, parameter=parameter)
            raise UnknownFinderError(f"unknown finder {name!r}: {parameter!r} is not one of its forms "
                                     f"({', '.join(spec.forms)})")
    base, sep, structure = name.partition(":")
    if sep:
        spec = _SPECS.get(base)
        if spec is None or spec.is_family:
            raise UnknownFinderError(f"unknown finder {base!r} in {name!r}; choose from {name_forms()}")
        if not spec.structures:
            pinnable = [s.name for s in all_specs if s.structures]
            example = next((f"{s.name}:{s.structures[0]}" for s in all_specs if s.structures), "")
            raise UnknownFinderError(f"{base} uses no structure, so {name!r} cannot be pinned; structures serve "
                                     f"{', '.join(pinnable)} (e.g. {example})")
        if structure not in spec.structures:
            raise UnknownFinderError(f"unknown structure {structure!r} in {name!r}; choose "
                                     + " or ".join(f"{base}:{s}" for s in spec.structures)
                                     + f", or plain {base} (automatic)")
        return Resolved(name, spec, structure=structure)
    raise UnknownFinderError(f"unknown finder {name!r}; choose from {name_forms()}")


def is_quantum(name: str) -> bool:
    """Whether a finder name is a quantum search (False for a name no registered finder answers to)."""
    try:
        return resolve(name).spec.quantum
    except UnknownFinderError:
        return False


def theory_for_name(name: str, d: int, n: int, ms: Sequence[int], b: float | None, kappa: float) -> Theory:
    """What theory predicts for the finder ``name``'s find-ops exponent in ``m``."""
    try:
        resolved = resolve(name)
    except UnknownFinderError:  # a stored point of a plug-in that is not registered now
        return Theory("-", None, kappa=kappa)
    if not math.isfinite(kappa):
        kappa = math.nan
    return resolved.spec.predicted(d, n, ms, b, resolved.structure, kappa)
