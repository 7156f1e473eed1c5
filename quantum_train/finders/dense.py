"""The dense finder: all ``n m`` inner products every iteration, ``Theta(m n d)``.

The yardstick of every speedup, so it is engineered: cache-sized tiles of a
BLAS product scanned by a numba kernel while hot, both cores busy, and no
``n x m`` matrix (see :func:`classical.brute.blocked_halfspace_csr`).
"""

from __future__ import annotations

import numpy as np

from quantum_train.core.finder_contract import FiredSetFinder
from quantum_train.core.fired import FiredSets
from quantum_train.core.model import ShiftedReLUNet

#: Bytes of the blocked scan's tiles on two threads (``SCAN_NEURONS x SCAN_INPUTS`` float64 each), with room.
SCAN_TILE_BYTES = 64 * 2**20


def scan_bytes(pairs: float) -> float:
    """Working memory of one blocked scan reporting ``pairs`` pairs (tiles, then int64 pair lists)."""
    return SCAN_TILE_BYTES + 16.0 * pairs


class DenseFinder(FiredSetFinder):
    name = "dense"

    @classmethod
    def memory_bytes(cls, n: int, m: int, d: int, b: float, pairs: float) -> float:
        """The scan's tiles (one per thread) and the pair lists it collects before the CSR."""
        return scan_bytes(pairs)

    def find(self, net: ShiftedReLUNet, X: np.ndarray) -> FiredSets:
        self.ops += X.shape[0] * net.m
        return net.fired_sets(X)
