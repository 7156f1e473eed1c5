"""The dense finder: all ``n m`` inner products every iteration, ``Theta(m n d)``.

The yardstick of every speedup, so it is engineered: cache-sized tiles of a
BLAS product scanned by a numba kernel while hot, both cores busy, and no
``n x m`` matrix (see :func:`classical.brute.blocked_halfspace_csr`).
"""

from __future__ import annotations

import numpy as np

from quantum_train.finders.base import FiredSetFinder
from quantum_train.fired import FiredSets
from quantum_train.model import ShiftedReLUNet


class DenseFinder(FiredSetFinder):
    name = "dense"

    def find(self, net: ShiftedReLUNet, X: np.ndarray) -> FiredSets:
        self.ops += X.shape[0] * net.m
        return net.fired_sets(X)
