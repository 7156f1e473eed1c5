"""quantum-train: two-layer shifted-ReLU networks trained with classical and quantum fired-neuron
discovery (Song, Yang, Zhang, NeurIPS 2021), costed side by side.

The public API (see the README's "Python API"):

- :func:`compare`: train one network with several finders; returns a :class:`Comparison`;
- :func:`find_fired`: Grover find-all of the fired neurons of random inputs; returns a :class:`FiredSearch`;
- :func:`sweep`: cost per iteration across ``m``, ``d``, ``n``; returns a :class:`Sweep` (exponents, ``T*``, ``m*``);
- :func:`verdict`: the cheapest way to train one ``(m, d, n, T)``, every figure labelled; returns a :class:`Verdict`;
- :func:`stored_map`: the stored map (package data) that the verdict and ``docs/results.md`` read, as a :class:`Sweep`;
- :func:`circuits.run_search_circuit` (package ``circuits``): one Grover search circuit on a backend.

Names are imported on first use (PEP 562), so ``import quantum_train`` and the
command line start fast, and Ctrl-C while NumPy and Qiskit load is handled by
the command line like any other.
"""

from __future__ import annotations

import importlib

__version__ = "0.1.0"

#: public name -> module that defines it
_PUBLIC = {
    "compare": "quantum_train.face.api",
    "find_fired": "quantum_train.face.api",
    "resources": "quantum_train.face.api",
    "verdict": "quantum_train.face.api",
    "Verdict": "quantum_train.experiments.verdict",
    "stored_map": "quantum_train.experiments.load_results",
    "CostReport": "quantum_train.experiments.query_cost",
    "sweep": "quantum_train.experiments.sweeps",
    "Sweep": "quantum_train.experiments.sweeps",
    "fit_exponent": "quantum_train.experiments.sweeps.fit",
    "fired_exponent_theory": "quantum_train.experiments.sweeps.fit",
    "Comparison": "quantum_train.experiments.results",
    "FinderResult": "quantum_train.experiments.results",
    "FiredSearch": "quantum_train.experiments.fired_search",
    "CompareConfig": "quantum_train.experiments.comparison",
    "default_threshold": "quantum_train.core.model",
    "fire_probability": "quantum_train.core.model",
    "default_learning_rate": "quantum_train.core.train",
    "load": "quantum_train.experiments.load_results",
    "register_finder": "quantum_train.finders.registry",
    "unregister_finder": "quantum_train.finders.registry",
    "FinderSpec": "quantum_train.finders.registry",
    "FiredSetFinder": "quantum_train.core.finder_contract",
    "FiredSets": "quantum_train.core.fired",
    "ShiftedReLUNet": "quantum_train.core.model",
}

__all__ = [*_PUBLIC, "__version__"]


def __getattr__(name: str):
    if name in _PUBLIC:
        value = getattr(importlib.import_module(_PUBLIC[name]), name)
        globals()[name] = value
        return value
    raise AttributeError(f"module 'quantum_train' has no attribute {name!r}")


def __dir__() -> list[str]:
    return sorted(__all__)
