"""Numba kernels of :class:`classical.kdtree.KDTreeHSR` (flat arrays, explicit stacks).

The tree is a complete binary tree in implicit (heap) layout, like
scikit-learn's ``BinaryTree``: node ``i`` has children ``2i+1`` and ``2i+2`` and
parent ``(i-1)//2``; with ``L`` levels there are ``2^L - 1`` nodes, the
``2^(L-1) - 1`` first are internal and the rest are leaves. Node ``i`` owns
the contiguous slot range ``start[i] : end[i]`` of the leaf-ordered point array
``pts_t`` (stored transposed, ``pts_t[:, k] = P[perm[k]]``, ``pos[perm[k]] = k``, so
a leaf scan runs down contiguous coordinate rows), and its axis-aligned
bounding box ``lo[i] <= p <= hi[i]`` (coordinate-wise, exact: leaves from their
points, internal nodes as the union of their two children).

Halfspace bound of a box for a query ``q``::

    max_{lo <= p <= hi} <q, p> = sum_j max(q_j lo_j, q_j hi_j)      (Mx)
    min_{lo <= p <= hi} <q, p> = sum_j min(q_j lo_j, q_j hi_j)      (Mn)

A node is pruned when ``fl(Mx) <= b - G`` and reported whole, without inner
products, when ``fl(Mn) > b + G``, both values finite; at a leaf, a fast
left-to-right value ``z`` of each point (vectorised across the leaf's points)
decides the same way, and inside the band ``b - G < z <= b + G``, or when
``z`` is not finite, the canonical :func:`classical.exact.exact_dot` decides,
so the tie rule is applied literally. Why the fast decisions agree with the
tie rule ``exact_dot(p, q) > b`` for every ``p`` in the box:

- Rounding bound. With ``c_j = max(|lo_j|, |hi_j|)`` of the *root* box (which
  contains every node box), ``|fl(Mx) - Mx| <= gamma_d ||q|| ||c||`` (Higham,
  each term is at most ``|q_j| c_j`` in size) and ``|exact_dot(p, q) - <p, q>|
  <= gamma_d ||q|| ||p|| <= gamma_d ||q|| ||c||`` for any summation order, so
  ``exact_dot(p, q) <= <p, q> + ... <= Mx + ... <= fl(Mx) + 2 gamma_d ||q|| ||c||``,
  and ``G = guard_width(d, ||c||, ||q||) + UNDERFLOW_SLACK >= 8 * 2 gamma_d ||q|| ||c||``.
  Likewise for ``Mn`` and for a leaf's ``z``.
- The bound assumes no overflow and no underflow. A finite sum never overflowed
  (a partial sum that overflows stays infinite or becomes NaN), so only finite
  values decide; an underflowed product is off by at most ``2^-1075``, and
  ``UNDERFLOW_SLACK = 1e-300`` covers ``d`` of them for any ``d`` below 1e20.
  NaN and infinite bounds fail both tests, so the node is descended.
"""

from __future__ import annotations

import numpy as np
from numba import njit

from classical.exact import exact_dot, guard_width

#: Absolute widening of the guard band: products that underflow escape Higham's relative bound by far less.
UNDERFLOW_SLACK = 1e-300

# ----------------------------------------------------------------------------- build


@njit(cache=True, nogil=True)
def n_levels_for(n: int, leaf_size: int) -> int:
    """Fewest levels ``L`` with ``ceil(n / 2^(L-1)) <= leaf_size`` (median splits).

    With ``leaf_size >= 2`` every leaf then holds between ``leaf_size / 2`` and
    ``leaf_size`` points (none is empty when ``n >= 1``).
    """
    levels = 1
    while (n + (1 << (levels - 1)) - 1) >> (levels - 1) > leaf_size:
        levels += 1
    return levels


@njit(cache=True, nogil=True)
def _nth_element(perm, s, e, k, P, dim):
    """Reorder ``perm[s:e]`` so ``perm[k]`` holds the key of rank ``k - s``.

    Keys are ``P[perm[i], dim]``; afterwards ``key(perm[s:k]) <= key(perm[k]) <=
    key(perm[k+1:e])``. Hoare quickselect with a median-of-three pivot.
    """
    lo = s
    hi = e - 1
    while hi > lo:
        mid = (lo + hi) >> 1
        a = P[perm[lo], dim]
        b = P[perm[mid], dim]
        c = P[perm[hi], dim]
        if a > b:
            a, b = b, a
        if b > c:
            b = c
            if a > b:
                b = a
        pivot = b
        i = lo
        j = hi
        while i <= j:
            while P[perm[i], dim] < pivot:
                i += 1
            while P[perm[j], dim] > pivot:
                j -= 1
            if i <= j:
                t = perm[i]
                perm[i] = perm[j]
                perm[j] = t
                i += 1
                j -= 1
        if k <= j:
            hi = j
        elif k >= i:
            lo = i
        else:
            break


@njit(cache=True, nogil=True)
def _box_from_slots(pts_t, s, e, lo_row, hi_row):
    """Exact bounding box of the slots ``s:e`` (columns of ``pts_t``) into ``lo_row``, ``hi_row``."""
    for j in range(pts_t.shape[0]):
        a = np.inf
        c = -np.inf
        for k in range(s, e):
            v = pts_t[j, k]
            a = min(a, v)
            c = max(c, v)
        lo_row[j] = a
        hi_row[j] = c


@njit(cache=True, nogil=True)
def _union_children(lo, hi, node):
    """Box of ``node`` := union of its children's boxes; True if it changed."""
    a = 2 * node + 1
    c = a + 1
    changed = False
    for j in range(lo.shape[1]):
        v = min(lo[a, j], lo[c, j])
        w = max(hi[a, j], hi[c, j])
        if v != lo[node, j] or w != hi[node, j]:
            changed = True
        lo[node, j] = v
        hi[node, j] = w
    return changed


@njit(cache=True, nogil=True)
def build_tree(P, n_levels):
    """Median kd-tree of the rows of ``P`` (``n >= 1``) with ``n_levels`` levels.

    Each internal node splits its slot range at the middle along the axis of
    largest box extent (quickselect, ``O(n)`` per level). Returns ``pts_t``
    (points in leaf order, transposed to ``(d, n)``), ``perm``, ``pos``, ``lo``, ``hi``, ``start``,
    ``end``, ``leaf_of`` (slot -> leaf node).
    """
    n, d = P.shape
    n_nodes = (1 << n_levels) - 1
    n_internal = n_nodes >> 1
    perm = np.arange(n)
    start = np.empty(n_nodes, dtype=np.int64)
    end = np.empty(n_nodes, dtype=np.int64)
    start[0] = 0
    end[0] = n
    # Split top-down. Box extents for the split axis are computed from the points.
    lo_tmp = np.empty(d)
    hi_tmp = np.empty(d)
    for i in range(n_internal):
        s = start[i]
        e = end[i]
        for j in range(d):
            lo_tmp[j] = np.inf
            hi_tmp[j] = -np.inf
        for k in range(s, e):
            r = perm[k]
            for j in range(d):
                v = P[r, j]
                if v < lo_tmp[j]:
                    lo_tmp[j] = v
                if v > hi_tmp[j]:
                    hi_tmp[j] = v
        dim = 0
        best = -1.0
        for j in range(d):
            ext = hi_tmp[j] - lo_tmp[j]
            if ext > best:
                best = ext
                dim = j
        mid = s + ((e - s) >> 1)
        _nth_element(perm, s, e, mid, P, dim)
        start[2 * i + 1] = s
        end[2 * i + 1] = mid
        start[2 * i + 2] = mid
        end[2 * i + 2] = e
    pts_t = np.empty((d, n))
    pos = np.empty(n, dtype=np.int64)
    for k in range(n):
        r = perm[k]
        pos[r] = k
        for j in range(d):
            pts_t[j, k] = P[r, j]
    lo = np.empty((n_nodes, d))
    hi = np.empty((n_nodes, d))
    leaf_of = np.empty(n, dtype=np.int64)
    for i in range(n_internal, n_nodes):
        _box_from_slots(pts_t, start[i], end[i], lo[i], hi[i])
        for k in range(start[i], end[i]):
            leaf_of[k] = i
    for i in range(n_internal - 1, -1, -1):
        _union_children(lo, hi, i)
    return pts_t, perm, pos, lo, hi, start, end, leaf_of


@njit(cache=True, nogil=True)
def leaf_extent_total(lo, hi, n_internal):
    """Sum over leaves of the L1 extent ``sum_j (hi_j - lo_j)`` of their boxes."""
    t = 0.0
    for i in range(n_internal, lo.shape[0]):
        for j in range(lo.shape[1]):
            t += hi[i, j] - lo[i, j]
    return t


@njit(cache=True, nogil=True)
def corner_norm(lo, hi):
    """``||c||`` with ``c_j = max(|lo_j|, |hi_j|)`` of the root box (node 0)."""
    s = 0.0
    for j in range(lo.shape[1]):
        c = max(abs(lo[0, j]), abs(hi[0, j]))
        s += c * c
    return np.sqrt(s)


# ----------------------------------------------------------------------------- move


@njit(cache=True, nogil=True)
def check_move_ids(ids, n, stamp, epoch):
    """Index of the first id out of ``[0, n)`` or repeated (``-1`` if none).

    ``stamp`` is a per-point scratch array; ``epoch`` must differ from every
    value already in it (the caller increments it per call).
    """
    for k in range(ids.shape[0]):
        r = ids[k]
        if r < 0 or r >= n:
            return k
        if stamp[r] == epoch:
            return k
        stamp[r] = epoch
    return -1


@njit(cache=True, nogil=True)
def move_points(ids, new_points, pts_t, pos, lo, hi, start, end, leaf_of, n_internal, full_refit):
    """Overwrite the moved points and refit the boxes exactly; returns the leaf extent change.

    ``full_refit``: recompute every leaf box from its points and every internal
    box from its children, ``O(n d)``. Otherwise, for each moved point, its
    leaf box is recomputed from the leaf's points and the path to the root is
    recomputed as unions of children, stopping at the first ancestor whose box
    does not change (its own ancestors then cannot change either).
    """
    d = pts_t.shape[0]
    n_nodes = lo.shape[0]
    for k in range(ids.shape[0]):
        slot = pos[ids[k]]
        for j in range(d):
            pts_t[j, slot] = new_points[k, j]
    delta = 0.0
    if full_refit:
        before = leaf_extent_total(lo, hi, n_internal)
        for i in range(n_internal, n_nodes):
            _box_from_slots(pts_t, start[i], end[i], lo[i], hi[i])
        for i in range(n_internal - 1, -1, -1):
            _union_children(lo, hi, i)
        return leaf_extent_total(lo, hi, n_internal) - before
    for k in range(ids.shape[0]):
        leaf = leaf_of[pos[ids[k]]]
        old = 0.0
        for j in range(d):
            old += hi[leaf, j] - lo[leaf, j]
        _box_from_slots(pts_t, start[leaf], end[leaf], lo[leaf], hi[leaf])
        new = 0.0
        for j in range(d):
            new += hi[leaf, j] - lo[leaf, j]
        delta += new - old
        node = leaf
        while node > 0:
            node = (node - 1) >> 1
            if not _union_children(lo, hi, node):
                break
    return delta


# ----------------------------------------------------------------------------- query


@njit(cache=True, nogil=True)
def _grow(buf, need):
    """``buf`` with room for ``need`` entries (doubling; contents kept)."""
    if need <= buf.shape[0]:
        return buf
    cap = buf.shape[0] * 2
    while cap < need:
        cap *= 2
    out = np.empty(cap, dtype=buf.dtype)
    out[: buf.shape[0]] = buf
    return out


@njit(cache=True, nogil=True)
def sort_ids(a, off, count, tmp, n_bits):
    """Sort the non-negative ids ``a[off:off+count]`` in place (``tmp``: scratch of >= count).

    Insertion sort below 48 entries, else an LSD radix sort with ``ceil(n_bits /
    11)`` passes of equal digit width (``O(count + 2^digit)`` per pass), which
    beats comparison sorting for the ~1e4-entry rows of a fired set.
    """
    if count < 48:
        for i in range(off + 1, off + count):
            v = a[i]
            j = i - 1
            while j >= off and a[j] > v:
                a[j + 1] = a[j]
                j -= 1
            a[j + 1] = v
        return
    # Pass 1 reads a[off:], writes tmp[0:]; later passes alternate tmp <-> a[off:].
    passes = (n_bits + 10) // 11
    if passes < 1:
        passes = 1
    width = (n_bits + passes - 1) // passes
    radix = 1 << width
    mask = radix - 1
    counts = np.empty(radix + 1, dtype=np.int64)
    shift = 0
    for p in range(passes):
        # Even passes read a[off:] and write tmp[0:]; odd passes the reverse.
        if p % 2 == 0:
            src, s0, dst, d0 = a, off, tmp, 0
        else:
            src, s0, dst, d0 = tmp, 0, a, off
        counts[:] = 0
        for i in range(s0, s0 + count):
            counts[((src[i] >> shift) & mask) + 1] += 1
        counts[0] = d0
        for r in range(radix):
            counts[r + 1] += counts[r]
        for i in range(s0, s0 + count):
            v = src[i]
            dgt = (v >> shift) & mask
            dst[counts[dgt]] = v
            counts[dgt] += 1
        shift += width
    if passes % 2 == 1:
        for i in range(count):
            a[off + i] = tmp[i]


@njit(cache=True, nogil=True, inline="always")
def _box_bound(q, pos_q, upper, lower, node):
    """``fl(sum_j q_j c_j)``, left to right, with ``c_j = upper[node, j]`` where ``q_j >= 0``, else
    ``lower[node, j]``: ``upper = hi, lower = lo`` gives ``Mx``; swapped, ``Mn`` (module docstring)."""
    s = 0.0
    for j in range(q.shape[0]):
        s += q[j] * (upper[node, j] if pos_q[j] else lower[node, j])
    return s


@njit(cache=True, nogil=True)
def _query_one(q, pos_q, b, b_lo, b_hi, tree, n_internal, out, n_out, stack, z, counters):
    """One query: append its hits (unsorted) to ``out`` from ``n_out`` on; returns the new fill.

    ``tree`` is the bundle ``(lo, hi, start, end, pts_t, perm)`` (:meth:`classical.kdtree.KDTreeHSR`'s arrays).

    ``out`` must have room for every point (``n_out + n``): the traversal never
    reallocates, because a reassigned array variable costs reference-count
    updates in the hot loop. ``pos_q[j] = q[j] >= 0``; ``b_lo``/``b_hi`` is the
    guard band around ``b``. ``stack``: int64 scratch of >= 2 * depth + 2;
    ``z``: float64 scratch of >= the largest leaf.
    """
    lo, hi, start, end, pts_t, perm = tree
    d = q.shape[0]
    bound_tests = 0
    inner = 0
    stack[0] = 0
    sp = 1
    while sp > 0:
        sp -= 1
        node = stack[sp]
        bound_tests += 1
        # max(q_j lo_j, q_j hi_j) is q_j hi_j when q_j >= 0 (rounding is
        # monotone), so the selection is made once per query, not per node.
        mx = _box_bound(q, pos_q, hi, lo, node)
        if -np.inf < mx <= b_lo:
            continue
        mn = _box_bound(q, pos_q, lo, hi, node)
        s = start[node]
        e = end[node]
        if b_hi < mn < np.inf:
            for k in range(s, e):
                out[n_out] = perm[k]
                n_out += 1
            continue
        if node < n_internal:
            stack[sp] = 2 * node + 2
            stack[sp + 1] = 2 * node + 1
            sp += 2
            continue
        # Leaf: z[k] = <P[perm[k]], q> summed left to right, vectorised across the
        # leaf's points, decides outside the guard band [b_lo, b_hi] (it differs
        # from the canonical exact_dot by at most 2 gamma_d ||c|| ||q||, the rounding bound
        # above); inside the band the canonical value decides, as in the
        # brute-force scan. z starts at p_0 q_0 rather than 0.0 + p_0 q_0: equal
        # but for the sign of a zero, which the comparisons cannot see. Unsigned
        # indices let numba omit negative-index wraparound, so LLVM vectorises;
        # slicing views instead would touch the arrays' atomic reference counts,
        # which serialises threads sharing them.
        m = e - s
        inner += m
        su = np.uint64(s)
        q0 = q[0]
        for k in range(np.uint64(m)):
            z[k] = pts_t[0, su + k] * q0
        for j in range(1, d):
            qj = q[j]
            for k in range(np.uint64(m)):
                z[k] += pts_t[j, su + k] * qj
        for k in range(np.uint64(m)):
            out[n_out] = perm[su + k]
            zk = z[k]
            if b_hi < zk < np.inf:
                n_out += 1
            elif not (-np.inf < zk <= b_lo):  # rare: inside the band, or not finite
                n_out += exact_dot(pts_t[:, su + k], q) > b
    counters[0] += bound_tests
    counters[1] += inner
    return n_out


@njit(cache=True, nogil=True)
def query_block(Q, b, c_norm, tree, n_internal, n_bits, counters, out, n_out, tmp):
    """Append ``{perm[k] : exact_dot(P[perm[k]], Q[i]) > b}`` for each row ``Q[i]`` to ``out``.

    Depth-first traversal with an explicit stack; see the module docstring for
    the bound test and why it is exact. Rows are written sorted, one after the
    other, from ``out[n_out]`` on (``out`` and the scratch ``tmp`` grow as
    needed, so callers can reuse them). Returns ``(counts, out, n_out, tmp)``
    with ``counts[i]`` the size of row ``i``. ``counters`` (int64[2])
    accumulates bound tests (= nodes visited) and leaf inner products. ``tree`` is the bundle
    ``(lo, hi, start, end, pts_t, perm)``.
    """
    lo = tree[0]
    perm = tree[5]
    n_q, d = Q.shape
    n = perm.shape[0]
    n_nodes = lo.shape[0]
    counts = np.zeros(n_q, dtype=np.int64)
    if n_nodes == 0:
        return counts, out, n_out, tmp
    stack = np.empty(2 * 64 + 2, dtype=np.int64)
    q = np.empty(d)
    pos_q = np.empty(d, dtype=np.bool_)
    # Median splits give level-k sizes floor or ceil of n / 2^k: leaves hold at most this.
    n_leaves = n_nodes - n_internal
    z = np.empty((n + n_leaves - 1) // n_leaves)
    for qi in range(n_q):
        qn = 0.0
        for j in range(d):
            q[j] = Q[qi, j]
            pos_q[j] = q[j] >= 0.0
            qn += q[j] * q[j]
        g = guard_width(d, c_norm, np.sqrt(qn))
        if n_out + n > out.shape[0]:
            out = _grow(out, n_out + n)
        row0 = n_out
        band = g + UNDERFLOW_SLACK
        n_out = _query_one(q, pos_q, b, b - band, b + band, tree, n_internal, out, n_out, stack, z, counters)
        cnt = n_out - row0
        if cnt > tmp.shape[0]:
            tmp = _grow(tmp, cnt)
        sort_ids(out, row0, cnt, tmp, n_bits)
        counts[qi] = cnt
    return counts, out, n_out, tmp


@njit(cache=True, nogil=True)
def copy_pieces(src, src_off, dst, dst_off, lengths):
    """``dst[dst_off[i] : +lengths[i]] = src[src_off[i] : +lengths[i]]`` for each piece."""
    for i in range(lengths.shape[0]):
        a = src_off[i]
        c = dst_off[i]
        for k in range(lengths[i]):
            dst[c + k] = src[a + k]
