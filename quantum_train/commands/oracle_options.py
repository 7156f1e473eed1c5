"""``--oracle``, ``--bits``, ``--memory``: which oracle the Grover finders simulate and how its gates are costed.

(No ``register``: a helper for the ``compare`` and ``find-fired`` commands.)
"""

from __future__ import annotations

from circuits.resources import MEMORY_MODELS
from quantum_train.finders.grover import DEFAULT_BITS, DEFAULT_MEMORY, ORACLES


def add_oracle_options(parser) -> None:
    parser.add_argument("--oracle", default="table",
                        help=f"Grover oracle: {', '.join(ORACLES)} (table: a diagonal gate from the fired sets; "
                        "arithmetic: gate-level QROM + adders from the weights, on grover-aer) (default: %(default)s)")
    parser.add_argument("--bits", type=int, default=DEFAULT_BITS,
                        help="fixed-point bits p of the arithmetic oracle and of the gate-cost figure, 2..32 "
                        "(default: %(default)s)")
    parser.add_argument("--memory", default=DEFAULT_MEMORY,
                        help=f"memory model of the gate-cost figure: {', '.join(MEMORY_MODELS)} (default: %(default)s)")
