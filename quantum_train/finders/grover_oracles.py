"""The Grover finder's oracle kinds, one object each behind one interface (:class:`OracleKind`).

- :class:`TableOracle` (``oracle="table"``): the oracle marks the exact fired set, whose truth table the
  simulation takes from the reference scan (simulation overhead, labelled and timed apart);
- :class:`ArithmeticOracle` (``oracle="arithmetic"``, Aer only): gate-level circuits built from the weights at
  ``bits`` bits (:mod:`circuits.arithmetic_oracle`) mark the *quantized* fired set; the simulation never sees
  the fired sets, which serve the classical checks and the recall against the exact sets only.

The finder (:mod:`quantum_train.finders.grover`) and ``find_fired`` (:mod:`quantum_train.experiments.fired_search`) both
search through these objects.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from circuits import SearchProblem
from circuits.backends import make_executor
from circuits.executors import Executor
from circuits.fixed_point import fixed_point_instance


@dataclass
class SearchTally:
    """What the searches of one finder (or one ``find_fired`` call) have counted so far."""

    quantum_queries: dict = field(default_factory=lambda: {"grover": 0, "counting": 0, "check": 0})
    oracle_queries: list = field(default_factory=list)  #: all queries per find (one entry per iteration)
    ratios: list = field(default_factory=list)  #: mean queries / sqrt(m k) per find
    scan_ratios: list = field(default_factory=list)  #: mean m / sqrt(m k) per find (the scan's, same unit)
    marked_total: int = 0  #: exact fired pairs
    found_total: int = 0  #: found pairs that are in the exact fired sets
    searched_found: int = 0  #: found pairs (in the oracle's marked sets)
    quantized_total: int = 0  #: pairs the arithmetic oracle marks (quantized fired pairs)
    flips: int = 0  #: pairs whose state the rounding changes against the exact sets
    table_seconds: float = 0.0  #: simulation time spent on the oracle's truth table

    def add_queries(self, queries_by_kind: dict) -> None:
        for kind, v in queries_by_kind.items():
            self.quantum_queries[kind] += v


class OracleKind:
    """What an oracle kind decides: its executor, the problems it marks, and what it adds to the report."""

    name = ""
    #: whether the oracle marks the quantized fired sets (then recall against the exact sets is reported apart)
    quantized = False

    def executor(self, backend: str, uncompute: str) -> Executor:
        return make_executor(backend)

    def problems(self, executor: Executor, W: np.ndarray, X: np.ndarray, b: float, bits: int,
                 exact: list[np.ndarray], tally: SearchTally) -> list[SearchProblem]:
        """The search problems of the inputs ``X`` (``exact[i]``: input i's exact fired set)."""
        raise NotImplementedError

    def found_in_exact(self, found: list[np.ndarray], exact: list[np.ndarray]) -> int:
        """How many found items lie in the exact fired sets."""
        return int(sum(len(f) for f in found))

    def report(self, tally: SearchTally, bits: int) -> dict:
        return {}


class TableOracle(OracleKind):
    """The exact fired set marks the oracle (its truth table: simulation overhead, labelled)."""

    name = "table"

    def problems(self, executor, W, X, b, bits, exact, tally):
        m = W.shape[0]
        return [SearchProblem(m, e) for e in exact]


class ArithmeticOracle(OracleKind):
    """Gate-level circuits from the weights mark the quantized fired set (Aer, :mod:`circuits.arithmetic_search`)."""

    name = "arithmetic"
    quantized = True

    def executor(self, backend: str, uncompute: str) -> Executor:
        if backend != "aer":
            raise ValueError(f"the arithmetic oracle runs on backend 'aer' only, got {backend!r}")
        from circuits.arithmetic_search import ArithmeticAerExecutor

        return ArithmeticAerExecutor(uncompute=uncompute)

    def problems(self, executor, W, X, b, bits, exact, tally):
        insts = [fixed_point_instance(W, x, b, bits) for x in X]
        executor.set_instances(insts)
        problems = []
        for inst, e in zip(insts, exact):
            marked = inst.marked()
            tally.flips += int(np.setxor1d(marked, e).size)
            tally.quantized_total += int(marked.size)
            problems.append(SearchProblem(W.shape[0], marked))
        return problems

    def found_in_exact(self, found, exact):
        return int(sum(np.isin(f, e).sum() for f, e in zip(found, exact)))

    def report(self, tally: SearchTally, bits: int) -> dict:
        qr = tally.searched_found / tally.quantized_total if tally.quantized_total else 1.0
        note = f"arithmetic oracle at p={bits} bits: quantized recall {qr:.4f}, {tally.flips} pairs flipped by the rounding"
        return {"quantized_recall": qr, "quantization_flips": tally.flips, "oracle_note": note}


#: The oracle kinds by name (``--oracle``).
ORACLE_KINDS: dict[str, OracleKind] = {k.name: k for k in (TableOracle(), ArithmeticOracle())}
