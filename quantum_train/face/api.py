"""The public Python API: :func:`compare` and :func:`find_fired` (and :func:`quantum_train.sweep`).

Keyword arguments are the command line's option names, so a notebook and a
shell run read alike::

    import quantum_train as qt
    result = qt.compare(m=2**12, finders="dense,drift", iters=10)   # or finders=["dense", "drift"]
    print(result.table()); result.plot(); result.to_dict()           # == the JSON of --json

    result = qt.compare(X=X, y=y, m=1024)                            # your own data (arrays)

Every bad argument raises a ``ValueError`` subclass
(:class:`~quantum_train.errors.ConfigError` or
:class:`~quantum_train.data.datasets.DataError`) whose message is the CLI's one line.
"""

from __future__ import annotations

import os
from typing import Sequence

import numpy as np

from quantum_train.core.grover_options import DEFAULT_BITS, DEFAULT_DELTA
from quantum_train.data.datasets import DataError, user_dataset
from quantum_train.errors import ConfigError
from quantum_train.experiments.comparison import CompareConfig, interactive, run_comparison
from quantum_train.experiments.fired_search import FiredSearch, find_fired
from quantum_train.experiments.query_cost import CostReport
from quantum_train.experiments.results import Comparison
from quantum_train.finders import parse_finders, refuse_options_no_finder_takes

__all__ = ["compare", "find_fired", "resources", "verdict", "Comparison", "FiredSearch", "CostReport"]


def _finders(finders: str | Sequence[str] | None) -> tuple[str, ...] | None:
    return None if finders is None else parse_finders(finders)


def _data_name(data) -> str:
    """A data set name or a file path (``str`` or ``os.PathLike``), as text."""
    if isinstance(data, os.PathLike):
        return os.fspath(data)
    if not isinstance(data, str):
        raise ConfigError("data", f"expected a data set name or a file path (str or os.PathLike), got {data!r}; "
                          "for arrays, pass X= and y=")
    return data


def compare(data: str = "synthetic", *, X: np.ndarray | None = None, y: np.ndarray | None = None,
            n: int | None = None, m: int = 4096, d: int | None = None, iters: int = 20, lr: float | None = None,
            b: float | None = None, seed: int = 0, finders: str | Sequence[str] | None = None,
            strategy: str | None = None, delta: float = DEFAULT_DELTA, target: str | None = None,
            oracle: str | None = None, bits: int | None = None, memory: str | None = None,
            uncompute: str | None = None, adder: str | None = None, progress: bool | None = None) -> Comparison:
    """Train one initial network with each finder, side by side; the same run as ``quantum-train compare``.

    ``data``: ``synthetic``, a bundled data set (``iris``, ``wine``,
    ``breast_cancer``, ``digits``) or a ``.npz``/``.npy``/``.csv`` file; or
    pass your own arrays ``X`` (rows are inputs) and ``y`` (real targets),
    which are standardised, PCA-projected to ``d`` and normalised like the
    bundled sets (a masked array is refused: fill or drop its masked entries
    first; any memory order gives the same result). ``data`` may be a
    ``pathlib.Path``. ``finders`` is a list or a comma string. ``progress``: bars
    (``tqdm.auto``: widgets in Jupyter) while training; by default shown when
    run interactively (Jupyter, IPython, a Python prompt, or stderr on a
    terminal), ``False`` to hide them. ``oracle``, ``bits``, ``memory``,
    ``uncompute``, ``adder``: the Grover finders' oracle and gate costing, as
    on the command line (None: its default; given with no finder that takes
    it, refused). Returns a frozen :class:`~quantum_train.experiments.results.Comparison`
    (``.to_json(path)``, ``.plot(path)`` write what ``--json``, ``--plot`` do).
    """
    arrays = None
    data = _data_name(data)
    grover = {"oracle": oracle, "bits": bits, "memory": memory, "uncompute": uncompute, "adder": adder}
    finders = _finders(finders)
    if finders is not None:  # before any work on the user's arrays
        refuse_options_no_finder_takes([k for k, v in grover.items() if v is not None], finders, flag="")
    if X is not None or y is not None:
        if X is None or y is None:
            raise DataError("data", "give both X and y (inputs and targets)")
        if data != "synthetic":
            raise ConfigError("data", "give either a data name or file, or arrays X and y, not both")
        arrays = user_dataset(X, y, n, d, seed)
        data = arrays.name
    config = CompareConfig(data=data, n=n, m=m, d=d, iters=iters, lr=lr, b=b, seed=seed, finders=finders,
                           strategy=strategy, delta=delta, target=target,
                           **{k: v for k, v in grover.items() if v is not None})
    return run_comparison(config, progress=interactive() if progress is None else progress, data=arrays)


def resources(m: int = 2**16, d: int = 16, bits: int = DEFAULT_BITS, memory: str | Sequence[str] | None = None, *,
              uncompute: str | None = None, adder: str | None = None, max_logical_qubits: int | None = None,
              n: int = 1, iters: int = 1, k: int | None = None, physical: bool = False,
              error_budget: float | None = None, qubit_model: str | None = None, ft_program: str = "find-all",
              classical_cores: int | None = None, seed: int = 0, strategy: str = "counting",
              delta: float = DEFAULT_DELTA) -> CostReport:
    """What one query, one input's find-all and a training run cost in gates and qubits, beside the classical scan;
    the same report as ``quantum-train resources`` (the keywords are its options).

    ``memory``: memory models, a list or a comma string (default: all of them). ``None`` for ``uncompute``,
    ``adder``, ``error_budget``, ``qubit_model`` and ``classical_cores`` means the command's default (the
    literature's convention, 1e-3, the QDK's ``qubit_gate_ns_e3``, this machine's cores). Returns a frozen
    :class:`~quantum_train.experiments.query_cost.CostReport`: ``.table()`` is what the command prints, ``.to_dict()`` what
    ``--json`` writes, ``.to_json(path)`` writes it. Bad arguments raise ``ConfigError`` naming the field.
    """
    from circuits.resources import DEFAULT_ADDER, DEFAULT_UNCOMPUTE
    from quantum_train.core.grover_options import check_search_options
    from quantum_train.experiments.query_cost import (
        DEFAULT_ERROR_BUDGET,
        DEFAULT_QUBIT_MODEL,
        RunOptions,
        check_cost_options,
        check_run_options,
        cost_report,
    )

    models = _memory_models(memory)
    for name, value in (("m", m), ("d", d), ("bits", bits), ("n", n), ("iters", iters), ("seed", seed)):
        if isinstance(value, bool) or not isinstance(value, (int, np.integer)):
            raise ConfigError(name, f"must be an integer, got {value!r}")
    opts = RunOptions(uncompute=DEFAULT_UNCOMPUTE if uncompute is None else uncompute,
                      adder=DEFAULT_ADDER if adder is None else adder, max_logical_qubits=max_logical_qubits,
                      n=n, iters=iters, k=k, error_budget=DEFAULT_ERROR_BUDGET if error_budget is None else error_budget,
                      qubit_model=DEFAULT_QUBIT_MODEL if qubit_model is None else qubit_model, ft_program=ft_program,
                      classical_cores=(os.cpu_count() or 1) if classical_cores is None else classical_cores)
    check_cost_options(m, d, bits, models, physical)
    check_run_options(m, opts, physical)
    check_search_options(strategy, delta)
    return cost_report(m, d, bits, models, strategy, delta, seed, physical, options=opts, crossover=True)


def verdict_problem(m: int, d: int, n: int, iters: int, b: float | None = None, data: str = "synthetic",
                    memory: str | Sequence[str] | None = None, bits: int = DEFAULT_BITS, uncompute: str | None = None,
                    adder: str | None = None, physical: bool = False, measure: bool = False):
    """The checked :class:`~quantum_train.experiments.verdict.Problem` of :func:`verdict` (``ConfigError`` naming the
    field when it cannot be answered), shared by the command and the API."""
    from circuits.resources import DEFAULT_ADDER, DEFAULT_UNCOMPUTE
    from quantum_train.experiments.verdict import Problem, check_problem

    models = _memory_models(memory)
    if b is not None and (isinstance(b, bool) or not isinstance(b, (int, float))):
        raise ConfigError("b", f"must be a number, got {b!r}")
    for name, flag in (("physical", physical), ("measure", measure)):
        if not isinstance(flag, (bool, np.bool_)):
            raise ConfigError(name, f"must be True or False, got {flag!r}")
    problem = Problem(m=m, d=d, n=n, iters=iters, b=None if b is None else float(b), data=_data_name(data),
                      memory=models, bits=bits, uncompute=DEFAULT_UNCOMPUTE if uncompute is None else uncompute,
                      adder=DEFAULT_ADDER if adder is None else adder, physical=bool(physical),
                      measure=bool(measure))
    check_problem(problem)
    return problem


def verdict(m: int, d: int, n: int, iters: int, *, b: float | None = None, data: str = "synthetic",
            memory: str | Sequence[str] | None = None, bits: int = DEFAULT_BITS, uncompute: str | None = None,
            adder: str | None = None, physical: bool = False, measure: bool = False):
    """The cheapest way to train ``m`` neurons on ``n`` inputs of dimension ``d`` for ``iters`` iterations; the same
    answer as ``quantum-train verdict`` (the keywords are its options).

    Returns a frozen :class:`~quantum_train.experiments.verdict.Verdict`: ``.table()`` is what the command prints,
    ``.to_dict()`` what ``--json`` writes, ``.to_json(path)`` and ``.plot(path)`` write them. Figures come from the
    stored map shipped with the package (measured at its grid points, interpolated between them, extrapolated
    beyond, each row labelled) and from the resource model for the quantum rows; ``measure=True`` runs the point
    here when it fits. A problem out of reach raises ``ConfigError`` naming the field.
    """
    from quantum_train.experiments.verdict import build_verdict

    return build_verdict(verdict_problem(m, d, n, iters, b, data, memory, bits, uncompute, adder, physical, measure))


def _memory_models(memory: str | Sequence[str] | None) -> tuple[str, ...]:
    """``memory`` of :func:`resources` and :func:`verdict`: every model (None), a comma string or a list of names."""
    from circuits.resources import MEMORY_MODELS

    if memory is None:
        return tuple(MEMORY_MODELS)
    if isinstance(memory, str):
        return tuple(s.strip() for s in memory.split(","))
    if isinstance(memory, (list, tuple)) and memory and all(isinstance(x, str) for x in memory):
        return tuple(memory)
    raise ConfigError("memory", f"expected memory model names (a comma string or a list), got {memory!r}")
