"""Numba kernels of the correlation trees (see :mod:`quantum_train.finders.corr_trees`).

State: one float64 matrix ``tree`` of shape ``(owners, 2 L)``, one max-tree per
row in heap order (node 1 the root, node ``k``'s children ``2k`` and
``2k + 1``), ``L`` a power of two ``>=`` the number of leaves; leaf ``j`` is node
``L + j`` and holds ``exact_dot(w_r, x_i)`` of its pair (float multiplication
commutes, so the four-lane sum is the same whichever vector comes first); the
padding leaves hold ``-inf``, which is above no threshold. ``count[t]`` is the
number of leaves of tree ``t`` above ``b``, kept up to date whenever a leaf is
written, so that a find knows its output sizes before it descends. The DTree
also keeps a bit per leaf (``marks``, ``n x ceil(m / 8)`` bytes) for the
leaves changed by a move and not yet repaired.

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


#: Trees filled together, and leaves per tile: a tile of ``B`` rows is read once per group of trees while in
#: cache (the DTree's ``B`` is the ``m x d`` weights, far larger than a cache; read whole per tree it was the
#: preprocessing's bottleneck).
TREES_PER_GROUP = 16
LEAVES_PER_TILE = 512


@njit(cache=True, parallel=True)
def fill_trees(tree, count, owners, A, B, L, b):
    """Trees ``owners`` from scratch: leaf ``j`` of tree ``t`` is ``exact_dot(B[j], A[t])``.

    The correlation DTree calls it with ``A = X``, ``B = W`` (a tree per input
    over the neurons), the WTree with ``A = W``, ``B = X``. Groups of trees take
    ``B`` tile by tile. Returns ``(inner products, node writes)``.
    """
    leaves = B.shape[0]
    groups = (owners.shape[0] + TREES_PER_GROUP - 1) // TREES_PER_GROUP
    products = 0
    writes = 0
    for g in prange(groups):
        q0 = g * TREES_PER_GROUP
        q1 = min(q0 + TREES_PER_GROUP, owners.shape[0])
        for q in range(q0, q1):
            count[owners[q]] = 0
        for j0 in range(0, leaves, LEAVES_PER_TILE):
            j1 = min(j0 + LEAVES_PER_TILE, leaves)
            for q in range(q0, q1):
                t = owners[q]
                row = borrowed_row(tree, t)
                a = borrowed_row(A, t)
                above = 0
                for j in range(j0, j1):
                    v = exact_dot(borrowed_row(B, j), a)
                    row[L + j] = v
                    if v > b:
                        above += 1
                count[t] += above
        for q in range(q0, q1):
            row = borrowed_row(tree, owners[q])
            for j in range(leaves, L):
                row[L + j] = -np.inf
            _rebuild_internal(row, L)
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
def move_leaves_in_dtrees(tree, count, changed, marks, X, W, rows, L, b):
    """Moved neurons ``rows`` (sorted, distinct): their leaf in every input's tree becomes ``exact_dot(w_r, x_i)``.

    ``len(rows)`` inner products per tree, groups of trees taking the moved
    rows tile by tile. A leaf whose value changed is marked (bit ``r`` of
    ``marks[i]``) and counted in ``changed[i]``; ``count`` follows. Returns the
    inner products; :func:`repair_dtrees` then brings the maxima up to date.
    """
    n = tree.shape[0]
    groups = (n + TREES_PER_GROUP - 1) // TREES_PER_GROUP
    products = 0
    for g in prange(groups):
        i0 = g * TREES_PER_GROUP
        i1 = min(i0 + TREES_PER_GROUP, n)
        for i in range(i0, i1):
            changed[i] = 0
        for j0 in range(0, rows.shape[0], LEAVES_PER_TILE):
            j1 = min(j0 + LEAVES_PER_TILE, rows.shape[0])
            for i in range(i0, i1):
                row = borrowed_row(tree, i)
                x = borrowed_row(X, i)
                delta = 0
                hits = 0
                for j in range(j0, j1):
                    r = rows[j]
                    v = exact_dot(borrowed_row(W, r), x)
                    old = row[L + r]
                    if v != old:
                        delta += (1 if v > b else 0) - (1 if old > b else 0)
                        row[L + r] = v
                        marks[i, r >> 3] = marks[i, r >> 3] | np.uint8(1 << (r & 7))
                        hits += 1
                count[i] += delta
                changed[i] += hits
        products += (i1 - i0) * rows.shape[0]
    return products


@njit(cache=True, parallel=True)
def repair_dtrees(tree, changed, marks, rows, L, scratch):
    """The maxima of every tree whose leaves changed: its marked leaves' paths repaired, or the tree rebuilt.

    Tree ``i`` with ``c = changed[i]`` marked leaves is repaired path by path,
    shared ancestors written once (at most :func:`repair_bound` ``(c, L)``
    writes), unless that bound reaches a rebuild's ``L - 1`` writes (``c >= L / 2``),
    in which case the tree is rebuilt in one streaming pass. The choice is per
    tree; the marks are cleared. ``scratch`` is a ``(chunks, len(rows))`` int64
    work array, one row per chunk of trees. Returns ``(node writes, trees
    rebuilt, trees repaired)``.
    """
    n = tree.shape[0]
    chunks = scratch.shape[0]
    levels = 0
    while (1 << levels) < L:
        levels += 1
    writes = 0
    rebuilt = 0
    repaired = 0
    for c in prange(chunks):
        dirty = scratch[c]
        for i in range(c * n // chunks, (c + 1) * n // chunks):
            if changed[i] == 0:
                continue
            row = borrowed_row(tree, i)
            if repair_bound(changed[i], L) >= L - 1:
                marks[i, :] = 0
                _rebuild_internal(row, L)
                writes += L - 1
                rebuilt += 1
                continue
            found = 0
            for j in range(rows.shape[0]):  # the marked leaves, in increasing order; clear the marks
                r = rows[j]
                bit = np.uint8(1 << (r & 7))
                if marks[i, r >> 3] & bit:
                    marks[i, r >> 3] = marks[i, r >> 3] ^ bit
                    dirty[found] = L + r
                    found += 1
            writes += _repair_paths(row, dirty, found, levels)
            repaired += 1
    return writes, rebuilt, repaired


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
