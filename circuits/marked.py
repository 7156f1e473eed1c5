"""Dynamic marked sets of many problems at once (the oracles' ground truth).

Every problem's marked set starts as :attr:`SearchProblem.marked` and shrinks as
the search layer removes what it found. Executors read it to build oracles (Aer)
or to sample ideal statistics (the emulator); the search layer uses it for the
classical check of a measured index. Flat arrays and numba kernels so that many
problems are handled per call:

- ``items``: the original marked indices, sorted within each problem's segment
  ``offsets[p] : offsets[p+1]`` (membership by binary search);
- ``alive``: whether each original item is still marked;
- ``pool``: per segment, a permutation of segment positions whose first
  ``remaining[p]`` entries are the alive ones (O(1) uniform sampling and O(1)
  swap-removal), ``where`` its inverse.
"""

from __future__ import annotations

from typing import Sequence

import numpy as np
from numba import njit

from circuits.problem import SearchProblem


@njit(cache=True, nogil=True)
def _locate(items, lo, hi, x):
    """Position of ``x`` in the sorted slice ``items[lo:hi]``, or -1."""
    while lo < hi:
        mid = (lo + hi) >> 1
        v = items[mid]
        if v < x:
            lo = mid + 1
        elif v > x:
            hi = mid
        else:
            return mid
    return -1


@njit(cache=True, nogil=True)
def _is_marked(items, alive, offsets, p, x):
    pos = _locate(items, offsets[p], offsets[p + 1], x)
    return pos >= 0 and alive[pos]


@njit(cache=True, nogil=True)
def _remove(items, alive, pool, where, offsets, remaining, p, x):
    """Unmark ``x`` in problem ``p``; returns True if it was marked."""
    pos = _locate(items, offsets[p], offsets[p + 1], x)
    if pos < 0 or not alive[pos]:
        return False
    alive[pos] = False
    base = offsets[p]
    last = base + remaining[p] - 1
    slot = where[pos]
    moved = pool[last]
    pool[slot] = moved
    where[moved] = slot
    pool[last] = pos
    where[pos] = last
    remaining[p] -= 1
    return True


@njit(cache=True, nogil=True)
def _sample_marked(items, pool, offsets, remaining, p, u):
    """The alive item of problem ``p`` at uniform ``u`` in [0, 1)."""
    r = remaining[p]
    i = int(u * r)
    if i >= r:
        i = r - 1
    return items[pool[offsets[p] + i]]


@njit(cache=True, nogil=True)
def _sample_unmarked(items, alive, pool, offsets, remaining, p, n_states, rng):
    """A uniform index of ``[0, n_states)`` that is not currently marked in problem ``p``.

    Rejection sampling while at most half the states are marked (expected < 2
    draws); otherwise the exact rank method: the ``u``-th unmarked index is
    ``u + #{alive marked <= it}``, found by scanning the sorted alive items.
    """
    r = remaining[p]
    if 2 * r <= n_states:
        while True:
            x = rng.integers(0, n_states)
            if not _is_marked(items, alive, offsets, p, x):
                return x
    u = rng.integers(0, n_states - r)
    x = u
    for pos in range(offsets[p], offsets[p + 1]):
        if alive[pos]:
            if items[pos] <= x:
                x += 1
            else:
                break
    return x


@njit(cache=True, nogil=True)
def _check_outcomes(sets, num_items, requests, outcomes, is_new, checks, found):
    """Classically check measured indices; remove the marked ones.

    ``sets`` bundles the marked sets' arrays ``(items, alive, pool, where, offsets, remaining)`` and
    ``requests`` the batch's ``(problem_ids, kinds, shot_offsets)``.

    For request ``i`` (problem ``problem_ids[i]``) and its shots
    ``outcomes[shot_offsets[i]:shot_offsets[i+1]]``: an index that is padding
    (``>= num_items``) or already found costs nothing (known classically);
    any other index costs one check query (``checks[i] += 1``); if it is marked
    it is removed from the oracle and flagged in ``is_new``.
    """
    items, alive, pool, where, offsets, remaining = sets
    problem_ids, kinds, shot_offsets = requests
    for i in range(problem_ids.shape[0]):
        p = problem_ids[i]
        for s in range(shot_offsets[i], shot_offsets[i + 1]):
            is_new[s] = False
            if kinds[i] != 0:
                continue  # not a Grover request (e.g. a counting readout)
            x = outcomes[s]
            if x < 0 or x >= num_items[p]:
                continue
            pos = _locate(items, offsets[p], offsets[p + 1], x)
            if pos >= 0 and not alive[pos]:
                continue  # found earlier: known, no query
            checks[i] += 1
            if pos >= 0:
                _remove(items, alive, pool, where, offsets, remaining, p, x)
                is_new[s] = True
                found[i] += 1


class MarkedSets:
    """The current marked sets of ``P`` problems (see the module docstring)."""

    def __init__(self, problems: Sequence[SearchProblem]):
        if len(problems) == 0:
            raise ValueError("problems is empty; pass at least one SearchProblem")
        for i, pr in enumerate(problems):
            if not isinstance(pr, SearchProblem):
                raise TypeError(f"problems[{i}] must be a SearchProblem, got {type(pr).__name__}")
        self.problems = list(problems)
        sizes = np.array([pr.num_marked for pr in problems], dtype=np.int64)
        self.offsets = np.zeros(len(problems) + 1, dtype=np.int64)
        np.cumsum(sizes, out=self.offsets[1:])
        self.items = (np.concatenate([pr.marked for pr in problems]).astype(np.int64)
                      if self.offsets[-1] else np.zeros(0, dtype=np.int64))
        self.alive = np.ones(self.items.size, dtype=np.bool_)
        self.pool = np.arange(self.items.size, dtype=np.int64)
        self.where = self.pool.copy()
        self.remaining = sizes.copy()
        self.num_items = np.array([pr.num_items for pr in problems], dtype=np.int64)
        self.num_qubits = np.array([pr.num_qubits for pr in problems], dtype=np.int64)
        self.num_states = np.left_shift(np.int64(1), self.num_qubits)
        #: bumped on every removal of a problem: executors key oracle caches on it
        self.version = np.zeros(len(problems), dtype=np.int64)

    def __len__(self) -> int:
        return len(self.problems)

    def current(self, p: int) -> np.ndarray:
        """Sorted indices still marked in problem ``p``."""
        seg = slice(self.offsets[p], self.offsets[p + 1])
        return self.items[seg][self.alive[seg]]

    def is_marked(self, p: int, x: int) -> bool:
        return bool(_is_marked(self.items, self.alive, self.offsets, p, x))

    def check(self, problem_ids: np.ndarray, shot_offsets: np.ndarray, outcomes: np.ndarray,
              kinds: np.ndarray | None = None):
        """Check and remove (see :func:`_check_outcomes`); returns ``(is_new, checks, found)``.

        Requests whose ``kinds`` entry is not 0 (Grover) are skipped.
        """
        n = problem_ids.shape[0]
        if kinds is None:
            kinds = np.zeros(n, dtype=np.int64)
        is_new = np.zeros(outcomes.shape[0], dtype=np.bool_)
        checks = np.zeros(n, dtype=np.int64)
        found = np.zeros(n, dtype=np.int64)
        sets = (self.items, self.alive, self.pool, self.where, self.offsets, self.remaining)
        _check_outcomes(sets, self.num_items, (problem_ids, kinds, shot_offsets), outcomes, is_new, checks, found)
        np.add.at(self.version, problem_ids[found > 0], 1)
        return is_new, checks, found
