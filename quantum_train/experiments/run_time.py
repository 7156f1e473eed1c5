"""A rough estimate of a comparison's seconds, said before a run that would take more than about 30 s.

The model is the table's own cost unit times seconds per unit measured on this project's 2-core machine
(default ``compare``: n = 256, m = 4096, d = 16, ``k = m Q(b)`` = 137 fired neurons per input):

- a classical finder (dense, weights-hsr, data-hsr, drift) is charged the dense scan, ``n m d``
  multiply-adds per iteration at :data:`SECONDS_PER_MULTIPLY_ADD` (dense measured 0.021 s per
  iteration there; the structures and drift measured 0.011-0.021 s, so the scan is an upper figure);
- ``grover-emulator``, its find-all of about ``sqrt(m k)`` queries per input at
  :data:`EMULATOR_SECONDS_PER_SQRT_MK` (0.4 s per iteration there: the default ``compare`` takes about 9 s
  warm on a quiet machine, most of it the emulator's 20 iterations; 1.0 s measured on a loaded one);
- ``grover-aer`` and the device finders (statevector or noisy simulation), :data:`AER_SECONDS_PER_SEARCH`
  per input and iteration at ``m <= 2^10``, growing with the statevector ``2^q`` beyond.

It is an order of magnitude, not a promise: numba's first compile (see ``qt_kernel_cache``),
other work on the machine and the data change it.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

from quantum_train.finders.registry import is_quantum

#: Runs estimated above this many seconds say so before they start.
LONG_RUN_SECONDS = 30.0
#: Dense scan: 0.021 s per iteration for n m d = 256 x 4096 x 16 multiply-adds.
SECONDS_PER_MULTIPLY_ADD = 0.021 / (256 * 4096 * 16)
#: grover-emulator: 0.4 s per iteration for n sqrt(m k) = 256 sqrt(4096 x 137).
EMULATOR_SECONDS_PER_SQRT_MK = 0.4 / (256 * math.sqrt(4096 * 137))
#: grover-aer: about half a second per input's find-all at m <= 2^10 (the default finders' own limit).
AER_SECONDS_PER_SEARCH = 0.5
AER_REFERENCE_ITEMS = 2**10


def finder_seconds(finder: str, n: int, m: int, d: int, fire_probability: float, iters: int) -> float:
    """Estimated seconds of ``iters`` iterations of ``finder`` (module docstring)."""
    k = max(m * fire_probability, 1.0)
    if finder == "grover-emulator":
        return iters * n * math.sqrt(m * k) * EMULATOR_SECONDS_PER_SQRT_MK
    if is_quantum(finder):  # statevector or noisy circuits: the state doubles with each qubit
        return iters * n * AER_SECONDS_PER_SEARCH * max(1.0, m / AER_REFERENCE_ITEMS)
    return iters * n * m * d * SECONDS_PER_MULTIPLY_ADD


@dataclass(frozen=True)
class RunEstimate:
    """Estimated seconds of each finder of a run, in run order."""

    seconds: dict[str, float]

    @property
    def total(self) -> float:
        return sum(self.seconds.values())

    @property
    def dominant(self) -> str:
        return max(self.seconds, key=self.seconds.__getitem__)

    def line(self) -> str:
        """One line for stderr: the estimate and the finder that dominates it."""
        top = self.dominant
        return (f"quantum-train: this run may take about {duration(self.total)} (a rough estimate); "
                f"{top} dominates with about {duration(self.seconds[top])}")


def estimate_run(finders, n: int, m: int, d: int, fire_probability: float, iters: int) -> RunEstimate:
    return RunEstimate({f: finder_seconds(f, n, m, d, fire_probability, iters) for f in finders})


def duration(seconds: float) -> str:
    """``40 s``, ``3 min``, ``2.5 h``: two significant figures at most."""
    if seconds < 90:
        return f"{seconds:.0f} s"
    if seconds < 90 * 60:
        return f"{seconds / 60:.2g} min"
    return f"{seconds / 3600:.2g} h"
