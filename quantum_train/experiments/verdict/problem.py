"""The problem a verdict answers, and how far the stored map reaches.

**Reach.** The stored map (``stored/map.jsonl``) measured every finder on the grid
``m = 2^10 .. 2^20`` (every power of two), ``n in {256, 1024}``,
``d in {2, 3, 4, 6, 8, 12, 16}``, at the default threshold ``b(m) = sqrt(0.4 ln m)``.
Between grid points a figure is interpolated; beyond them it is extrapolated
with fitted power laws, but only so far:

- ``m``: four octaves beyond the grid each way, ``2^6 .. 2^24``. The costs'
  exponents drift slowly with ``m`` (the fired fraction ``Q(b(m))`` shrinks),
  so a power law fitted on the grid's top six widths (``2^15 .. 2^20``) is
  carried at most a factor 16 past its last point;
- ``n``: a factor 2 beyond the grid, ``128 .. 2048``. The grid has two ``n``, so
  the ``n``-exponent is a two-point slope; its range is the spread of that slope
  over the grid's widths and neighbouring ``d``. No ``n`` can be held out to
  backtest that range (``benchmarks/check_verdict.py`` checks it at one point,
  n = 2048), so the reach is kept short and each such row's note says so;
- ``d``: not extrapolated (``2 .. 16``). The structures' costs change regime with
  ``d`` (a kd-tree's pruning fades), which no smooth law in ``d`` captures.

Outside this reach the verdict refuses the problem (one line, suggesting
``--measure``, which runs the point itself when it fits this machine).
"""

from __future__ import annotations

import math
from dataclasses import dataclass

from quantum_train.core.grover_options import DEFAULT_BITS  # the default of ``resources``
from quantum_train.errors import ConfigError, option

GRID_M = tuple(2**k for k in range(10, 21))
GRID_N = (256, 1024)
GRID_D = (2, 3, 4, 6, 8, 12, 16)
M_REACH = (2**6, 2**24)
N_REACH = (128, 2048)
D_REACH = (2, 16)
#: the widths of each power-law fit used beyond the grid in m (the top six, or the bottom six below it)
FIT_WIDTHS = 6


def log2_text(value: int) -> str:
    """``2^18`` for a power of two, else the number."""
    k = math.log2(value) if value > 0 else 0.5
    return f"2^{int(k)}" if k == int(k) else str(value)


@dataclass(frozen=True)
class Problem:
    """``(m, d, n, T)`` and the options of a verdict (the command's option names)."""

    m: int
    d: int
    n: int
    iters: int
    b: float | None = None
    data: str = "synthetic"
    memory: tuple[str, ...] = ()
    bits: int = DEFAULT_BITS
    uncompute: str | None = None
    adder: str | None = None
    physical: bool = False
    measure: bool = False

    @property
    def measured_data(self) -> bool:
        """A data set or file: the fired fractions depend on the data, so the point must be run."""
        return self.data != "synthetic"

    def in_reach(self) -> bool:
        """Whether the stored map reaches ``(m, d, n)`` by interpolation or extrapolation."""
        return (M_REACH[0] <= self.m <= M_REACH[1] and N_REACH[0] <= self.n <= N_REACH[1]
                and D_REACH[0] <= self.d <= D_REACH[1])

    def to_dict(self) -> dict:
        return {"m": self.m, "d": self.d, "n": self.n, "iters": self.iters, "b": self.b, "data": self.data,
                "memory": list(self.memory), "bits": self.bits, "uncompute": self.uncompute, "adder": self.adder,
                "physical": self.physical, "measure": self.measure}

    @classmethod
    def from_dict(cls, doc: dict) -> Problem:
        return cls(**(doc | {"memory": tuple(doc["memory"])}))


def _integer(field: str, value) -> int:
    if isinstance(value, bool) or not isinstance(value, int):
        try:
            import numpy as np

            if isinstance(value, np.integer):
                return int(value)
        except ImportError:  # pragma: no cover - numpy is a dependency
            pass
        raise ConfigError(field, f"must be an integer, got {value!r}")
    return value


def check_problem(p: Problem) -> None:
    """Refuse a problem the verdict cannot answer (``ConfigError`` naming the field), before any work."""
    for field in ("m", "d", "n", "iters", "bits"):
        value = _integer(field, getattr(p, field))
        if value < 1:
            raise ConfigError(field, f"must be at least 1, got {value}")
    if p.b is not None and not math.isfinite(p.b):
        raise ConfigError("b", f"must be a finite number, got {p.b}")
    if p.measure or p.measured_data:
        return
    hint = f"; add {option('measure', True)} to run the point itself on this machine"
    if not D_REACH[0] <= p.d <= D_REACH[1]:
        raise ConfigError("d", f"d = {p.d} is outside what the stored map reaches (d = {D_REACH[0]} .. "
                          f"{D_REACH[1]}, measured on d in {{{', '.join(map(str, GRID_D))}}}, not extrapolated)"
                          + hint)
    if not N_REACH[0] <= p.n <= N_REACH[1]:
        raise ConfigError("n", f"n = {p.n} is outside what the stored map reaches (n = {N_REACH[0]} .. "
                          f"{N_REACH[1]}: measured at n = {' and '.join(map(str, GRID_N))}, extrapolated at most "
                          f"{N_REACH[1] // GRID_N[-1]}x, with no backtest possible)" + hint)
    if not M_REACH[0] <= p.m <= M_REACH[1]:
        raise ConfigError("m", f"m = {p.m} is outside what the stored map reaches (m = 2^6 .. 2^24: measured "
                          "at 2^10 .. 2^20, extrapolated at most 16x)" + hint)
    if p.b is not None:
        from quantum_train.core.model import default_threshold

        if not math.isclose(p.b, default_threshold(p.m), rel_tol=1e-9):
            raise ConfigError("b", f"the stored map holds the default threshold b(m) = {default_threshold(p.m):.4f} "
                              f"only, not b = {p.b:g}" + hint)
