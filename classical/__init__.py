"""Exact half-space reporting (HSR) structures.

Store points ``P`` (float64, one per row) and report ``{p in P : <p, q> > b}``
for a query direction ``q`` and threshold ``b``. Every structure here follows
the one tie rule of :mod:`classical.exact` and counts the work it does in
:class:`classical.hsr.HSRStats`. This package knows nothing of neural networks.
"""

import qt_kernel_cache  # noqa: F401  (first: drops stale numba caches before any kernel loads)
from classical.auto import AutoHSR, choose_hsr
from classical.brute import BruteForceHSR
from classical.exact import exact_dot, guard_width
from classical.hsr import HalfSpaceReporter, HSRStats
from classical.kdtree import KDTreeHSR

__all__ = [
    "exact_dot",
    "guard_width",
    "HalfSpaceReporter",
    "HSRStats",
    "BruteForceHSR",
    "KDTreeHSR",
    "AutoHSR",
    "choose_hsr",
]
