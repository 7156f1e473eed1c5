"""What theory predicts for a finder's cost exponent in ``m`` (Song, Yang, Zhang 2021; ``docs/design.md``).

The finders' specs (:mod:`quantum_train.finders.registry`) carry their rules; the sweep's fits
(:mod:`quantum_train.experiments.sweeps.fit`) set them against the measured slopes. ``kappa`` is the slope of the
fired count ``m Q(b_m)`` over the measured widths (``b_m = sqrt(0.4 ln m)`` unless ``b`` is fixed); the
nominal ``4/5`` is reached only asymptotically.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Sequence

import numpy as np

from quantum_train.core.model import default_threshold, fire_probability


def _slope(ms: Sequence[int], f) -> float:
    ms = np.asarray(sorted(set(int(m) for m in ms)), dtype=float)
    if ms.size < 2:
        return math.nan
    from scipy import stats  # here, not at the top: scipy.stats takes about a second to import

    return float(stats.linregress(np.log(ms), np.log([f(int(m)) for m in ms])).slope)


def _b(m: int, b: float | None) -> float:
    return default_threshold(m) if b is None else b


def fired_exponent_theory(ms: Sequence[int], b: float | None = None) -> float:
    """``kappa``: slope of ``log(m Q(b_m))`` on ``log m`` over ``ms`` (nan for one width).

    ``b_m = sqrt(0.4 ln m)`` unless ``b`` is fixed (then ``k`` is proportional to ``m``).
    """
    return _slope(ms, lambda m: m * fire_probability(_b(m, b)))


def moved_exponent_theory(ms: Sequence[int], n: int, d: int, b: float | None = None, tree: bool = True) -> float:
    """Algorithm 2's find exponent: slope of ``m (1 - (1 - Q)^n) (q(n) + n Q)`` over ``ms`` (see the module)."""
    def cost(m: int) -> float:
        q = fire_probability(_b(m, b))
        return m * -math.expm1(n * math.log1p(-q)) * ((n ** (1 - 1 / d) if tree else n) + n * q)

    return _slope(ms, cost)


@dataclass(frozen=True)
class Theory:
    """What theory predicts for a finder's find-ops exponent in ``m`` at one ``(d, n)``."""

    nominal: str  #: the asymptotic statement
    at_range: float | None  #: the find-ops prediction at the measured widths (None: no theory)
    paper: str = "-"  #: the paper's structure (Algorithm 1 only)
    output_dominates: bool = False  #: the output k ~ m^kappa hides the structure's query exponent
    kappa: float = math.nan  #: slope of the fired count m Q(b) over the measured widths

    @property
    def total(self) -> float | None:
        """Total ops per iteration: find, plus forward and backward over the ``n k`` fired pairs (exponent kappa)."""
        if self.at_range is None or not math.isfinite(self.kappa):
            return None
        return max(self.at_range, self.kappa)

    def to_dict(self) -> dict:
        def num(x):
            return x if x is not None and math.isfinite(x) else None

        return {"nominal": self.nominal, "find_at_range": num(self.at_range), "total_at_range": num(self.total),
                "paper": self.paper, "kappa": num(self.kappa), "output_dominates": self.output_dominates}
