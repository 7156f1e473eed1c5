"""Goodness-of-fit helper for the statistical tests (chi-square with pooled cells)."""

from __future__ import annotations

import numpy as np
from scipy import stats

ALPHA = 1e-3  # significance of every statistical test in tests/circuits (seeds are fixed)


def gof_pvalue(observed: np.ndarray, pmf: np.ndarray, min_expected: float = 5.0) -> float:
    """Chi-square goodness-of-fit p-value of ``observed`` counts against ``pmf``.

    Cells whose expected count is (numerically) zero must be empty: a sample
    there is an impossible outcome and returns p = 0. The others are pooled in
    index order into groups of expected count >= ``min_expected``.
    """
    observed = np.asarray(observed, dtype=float)
    n = observed.sum()
    expected = n * np.asarray(pmf, dtype=float)
    zero = expected < 1e-9
    if observed[zero].sum() > 0:
        return 0.0
    obs, exp = observed[~zero], expected[~zero]
    go, ge = [], []
    co = ce = 0.0
    for o, e in zip(obs, exp):
        co += o
        ce += e
        if ce >= min_expected:
            go.append(co)
            ge.append(ce)
            co = ce = 0.0
    if ce > 0:
        if ge:
            go[-1] += co
            ge[-1] += ce
        else:
            go.append(co)
            ge.append(ce)
    go, ge = np.array(go), np.array(ge)
    if go.size < 2:
        return 1.0
    chi2 = float(((go - ge) ** 2 / ge).sum())
    return float(stats.chi2.sf(chi2, go.size - 1))
