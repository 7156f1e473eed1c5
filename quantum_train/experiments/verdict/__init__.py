"""The verdict: the cheapest way to train one ``(m, d, n, T)``, in every currency, each figure labelled.

Modules, one job each: :mod:`.problem` (the problem and the stored map's reach), :mod:`.lookup` (a finder's
costs at any point within reach: measured, interpolated or extrapolated), :mod:`.long_run` (the cost curve's
shape over a run), :mod:`.rows` (a method's row), :mod:`.engine` (the rows, winner, margins, break-even,
crossovers and answer) and :mod:`.result` (the frozen :class:`Verdict`).
"""

from quantum_train.experiments.verdict.engine import build_verdict
from quantum_train.experiments.verdict.problem import Problem, check_problem
from quantum_train.experiments.verdict.result import Verdict

__all__ = ["Problem", "Verdict", "build_verdict", "check_problem"]
