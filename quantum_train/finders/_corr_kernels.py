"""Numba kernels of the correlation trees (see :mod:`quantum_train.finders.corr_trees`).

State: one float64 matrix ``tree`` of shape ``(owners, 2 L)``, one max-tree per
row in heap order (node 1 the root, node ``k``'s children ``2k`` and
``2k + 1``), ``L`` a power of two ``>=`` the number of leaves; leaf ``j`` is node
``L + j`` and holds ``exact_dot(w_r, x_i)`` of its pair (float multiplication
commutes, so the four-lane sum is the same whichever vector comes first); the
padding leaves hold ``-inf``, which is above no threshold. ``count[t]`` is the
number of leaves of tree ``t`` above ``b``, kept up to date whenever a leaf is
written, so that a find knows its output sizes before it descends.

Every kernel returns what it did, as counts: inner products computed, and
tree nodes visited (a find's bound tests) or written (builds and repairs).
"""

from __future__ import annotations

import numpy as np
from numba import njit, prange

from classical._lanes import borrowed_row
from classical.exact import exact_dot


@njit(cache=True, nogil=True, inline="always")
def _rebuild_internal(row, L):
    """Every internal node of one tree from its children, bottom up: ``L - 1`` writes."""
    for k in range(L - 1, 0, -1):
        a = row[2 * k]
        c = row[2 * k + 1]
        row[k] = a if a >= c else c


@njit(cache=True, parallel=True)
def fill_trees(tree, count, owners, A, B, L, b):
    """Trees ``owners`` from scratch: leaf ``j`` of tree ``t`` is ``exact_dot(B[j], A[t])``.

    The correlation DTree calls it with ``A = X``, ``B = W`` (a tree per input
    over the neurons), the WTree with ``A = W``, ``B = X``. Returns
    ``(inner products, node writes)``.
    """
    leaves = B.shape[0]
    products = 0
    writes = 0
    for q in prange(owners.shape[0]):
        t = owners[q]
        row = borrowed_row(tree, t)
        a = borrowed_row(A, t)
        above = 0
        for j in range(leaves):
            v = exact_dot(borrowed_row(B, j), a)
            row[L + j] = v
            if v > b:
                above += 1
        for j in range(leaves, L):
            row[L + j] = -np.inf
        _rebuild_internal(row, L)
        count[t] = above
        products += leaves
        writes += L - 1
    return products, writes


@njit(cache=True, parallel=True)
def report_above(tree, indptr, indices, L, b):
    """Every leaf above ``b`` of every tree, in increasing leaf order, into the CSR ``(indptr, indices)``.

    Stackless depth-first descent: a node is entered only if its maximum
    exceeds ``b``, so a tree with ``s`` such leaves costs ``O(1 + s log L)``
    bound tests. ``indptr`` comes from the kept ``count``. Returns the bound
    tests (node visits).
    """
    visits = 0
    for t in prange(tree.shape[0]):
        row = borrowed_row(tree, t)
        pos = indptr[t]
        seen = 0
        k = 1
        while True:
            seen += 1
            if row[k] > b:
                if k >= L:
                    indices[pos] = k - L
                    pos += 1
                else:
                    k = 2 * k  # enter: the left child next
                    continue
            while k & 1:  # done with a right child (or the root): climb
                k >>= 1
            if k == 0:
                break
            k += 1  # the right sibling
        visits += seen
    return visits


@njit(cache=True, nogil=True)
def _repair_paths(row, dirty, n_dirty, levels):
    """Re-take the maxima above the sorted leaves ``dirty[:n_dirty]``, each shared ancestor once, level by level.

    The dirty list is replaced by its parents (distinct, still sorted) at each
    level, so a node shared by several paths is written once. Returns the writes.
    """
    writes = 0
    for _ in range(levels):
        kept = 0
        prev = -1
        for j in range(n_dirty):
            k = dirty[j] >> 1
            if k != prev:
                a = row[2 * k]
                c = row[2 * k + 1]
                row[k] = a if a >= c else c
                writes += 1
                dirty[kept] = k
                kept += 1
                prev = k
        n_dirty = kept
    return writes


@njit(cache=True, nogil=True)
def repair_bound(changed, L):
    """Writes of repairing ``changed`` leaves' paths with shared ancestors once, at most: ``sum_l min(c, L / 2^l)``."""
    total = 0
    width = L >> 1
    while width >= 1:
        total += changed if changed < width else width
        width >>= 1
    return total


@njit(cache=True, parallel=True)
def move_neurons_in_dtrees(tree, count, X, W, rows, L, b, scratch):
    """Moved neurons ``rows`` (sorted, distinct) in every input's tree: new leaves, then repair or rebuild.

    In tree ``i`` the leaf of each moved neuron becomes ``exact_dot(w_r, x_i)``
    (``len(rows)`` inner products); the ``c`` leaves whose value changed are
    then repaired, path by path with shared ancestors written once, unless
    that could write as many nodes as rebuilding the tree (``c >= L / 2``,
    :func:`repair_bound`), in which case the tree is rebuilt (``L - 1``
    writes, one streaming pass). The choice is per tree. ``scratch`` is a
    ``(chunks, len(rows))`` int64 work array, one row per chunk of trees.
    Returns ``(inner products, node writes, trees rebuilt, trees repaired)``.
    """
    n = tree.shape[0]
    chunks = scratch.shape[0]
    levels = 0
    while (1 << levels) < L:
        levels += 1
    products = 0
    writes = 0
    rebuilt = 0
    repaired = 0
    for c in prange(chunks):
        dirty = scratch[c]
        for i in range(c * n // chunks, (c + 1) * n // chunks):
            row = borrowed_row(tree, i)
            x = borrowed_row(X, i)
            changed = 0
            delta = 0
            for j in range(rows.shape[0]):
                leaf = L + rows[j]
                v = exact_dot(borrowed_row(W, rows[j]), x)
                old = row[leaf]
                if v != old:
                    delta += (1 if v > b else 0) - (1 if old > b else 0)
                    row[leaf] = v
                    dirty[changed] = leaf
                    changed += 1
            products += rows.shape[0]
            count[i] += delta
            if changed == 0:
                continue
            if repair_bound(changed, L) >= L - 1:
                _rebuild_internal(row, L)
                writes += L - 1
                rebuilt += 1
            else:
                writes += _repair_paths(row, dirty, changed, levels)
                repaired += 1
    return products, writes, rebuilt, repaired


@njit(cache=True, parallel=True)
def count_above(tree, count, L, b):
    """``count[t]`` = leaves of tree ``t`` above ``b`` (after a change of threshold; no inner products)."""
    for t in prange(tree.shape[0]):
        row = borrowed_row(tree, t)
        above = 0
        for k in range(L, 2 * L):
            if row[k] > b:
                above += 1
        count[t] = above
