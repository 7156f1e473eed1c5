"""``--oracle``, ``--bits``, ``--memory``, ``--uncompute``, ``--adder``: the Grover finders' oracle and gate costing.

(No ``register``: a helper for the ``compare`` and ``find-fired`` commands.)
"""

from __future__ import annotations

from circuits.resources import ADDERS, DEFAULT_ADDER, DEFAULT_UNCOMPUTE, MEMORY_MODELS, UNCOMPUTE_MODES
from quantum_train.core.grover_options import DEFAULT_BITS, DEFAULT_MEMORY, ORACLES


def add_oracle_options(parser) -> None:
    parser.add_argument("--oracle", default="table",
                        help=f"Grover oracle: {', '.join(ORACLES)} (table: a diagonal gate from the fired sets; "
                        "arithmetic: gate-level QROM + adders from the weights, on grover-aer) (default: %(default)s)")
    parser.add_argument("--bits", type=int, default=DEFAULT_BITS,
                        help="fixed-point bits p of the arithmetic oracle and of the gate-cost figure, 2..32 "
                        "(default: %(default)s)")
    parser.add_argument("--memory", default=DEFAULT_MEMORY,
                        help=f"memory model of the gate-cost figure: {', '.join(MEMORY_MODELS)} (default: %(default)s)")
    add_convention_options(parser)


def add_convention_options(parser) -> None:
    """``--uncompute`` and ``--adder``: the convention of every gate-cost figure (``sweep`` takes these alone)."""
    parser.add_argument("--uncompute", default=DEFAULT_UNCOMPUTE,
                        help=f"uncomputation convention of the gate-cost figure: {', '.join(UNCOMPUTE_MODES)} "
                        "(default: %(default)s, the literature's)")
    parser.add_argument("--adder", default=DEFAULT_ADDER,
                        help=f"adder of the gate-cost figure: {', '.join(ADDERS)} (default: %(default)s)")
