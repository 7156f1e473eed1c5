"""Fired sets: which neurons fire on which inputs, in both directions.

Neuron ``r`` *fires* on input ``x_i`` when ``exact_dot(w_r, x_i) > b`` (strict;
the tie rule of :mod:`classical.exact`). ``FiredSets`` holds this sparse
``n x m`` relation as CSR by input (``S_i``, the neurons fired by ``x_i``) and,
computed on demand, CSR by neuron (``T_r``, the inputs that fire ``r``). Rows
are sorted, so two fired sets are equal exactly when their arrays are equal.
"""

from __future__ import annotations

import numpy as np
from numba import njit

import qt_kernel_cache  # noqa: F401  (drops stale numba caches before this module's kernels load)
from quantum_train.core.threads import run_chunks


@njit(cache=True, nogil=True)
def csr_transpose(indptr, indices, n_cols):
    """Transpose a CSR matrix pattern by a stable counting sort; rows stay sorted."""
    counts = np.zeros(n_cols + 1, dtype=np.int64)
    for t in range(indices.shape[0]):
        counts[indices[t] + 1] += 1
    for c in range(n_cols):
        counts[c + 1] += counts[c]
    out = np.empty(indices.shape[0], dtype=np.int64)
    fill = counts[:-1].copy()
    for r in range(indptr.shape[0] - 1):
        for t in range(indptr[r], indptr[r + 1]):
            c = indices[t]
            out[fill[c]] = r
            fill[c] += 1
    return counts, out


class FiredSets:
    """The fired pairs ``(i, r)`` of ``n_inputs`` inputs and ``n_neurons`` neurons.

    Built from either direction (:meth:`from_input_major` or
    :meth:`from_neuron_major`); the other is computed on first use by a
    counting-sort transpose. Training uses the neuron-major direction.
    """

    def __init__(self, n_inputs: int, n_neurons: int, *, by_input=None, by_neuron=None):
        self.n_inputs = int(n_inputs)
        self.n_neurons = int(n_neurons)
        if (by_input is None) == (by_neuron is None):
            raise ValueError("FiredSets: give exactly one of by_input, by_neuron")
        self._by_input = None if by_input is None else self._check(by_input, self.n_inputs, "by_input")
        self._by_neuron = None if by_neuron is None else self._check(by_neuron, self.n_neurons, "by_neuron")

    @staticmethod
    def _check(csr, n_rows: int, name: str) -> tuple[np.ndarray, np.ndarray]:
        indptr = np.ascontiguousarray(csr[0], dtype=np.int64)
        indices = np.ascontiguousarray(csr[1], dtype=np.int64)
        if indptr.shape != (n_rows + 1,) or indptr[0] != 0 or indptr[-1] != indices.shape[0]:
            raise ValueError(f"FiredSets: {name} indptr must have {n_rows + 1} entries from 0 to len(indices)")
        return indptr, indices

    @classmethod
    def from_input_major(cls, indptr, indices, n_neurons: int) -> "FiredSets":
        """From CSR by input: row ``i`` is ``S_i``, the sorted neurons fired by ``x_i``."""
        return cls(len(indptr) - 1, n_neurons, by_input=(indptr, indices))

    @classmethod
    def from_neuron_major(cls, indptr, indices, n_inputs: int) -> "FiredSets":
        """From CSR by neuron: row ``r`` is ``T_r``, the sorted inputs that fire ``w_r``."""
        return cls(n_inputs, len(indptr) - 1, by_neuron=(indptr, indices))

    @property
    def by_input(self) -> tuple[np.ndarray, np.ndarray]:
        """CSR by input ``(indptr, indices)``."""
        if self._by_input is None:
            self._by_input = csr_transpose(*self._by_neuron, self.n_inputs)
        return self._by_input

    @property
    def by_neuron(self) -> tuple[np.ndarray, np.ndarray]:
        """CSR by neuron ``(indptr, indices)``."""
        if self._by_neuron is None:
            self._by_neuron = csr_transpose(*self._by_input, self.n_neurons)
        return self._by_neuron

    @property
    def nnz(self) -> int:
        """Number of fired pairs."""
        return int((self._by_input or self._by_neuron)[1].shape[0])

    def per_input(self) -> np.ndarray:
        """``|S_i|`` for every input (no transpose needed)."""
        if self._by_input is not None:
            return np.diff(self._by_input[0])
        return np.bincount(self._by_neuron[1], minlength=self.n_inputs)

    def per_neuron(self) -> np.ndarray:
        """``|T_r|`` for every neuron."""
        if self._by_neuron is not None:
            return np.diff(self._by_neuron[0])
        return np.bincount(self._by_input[1], minlength=self.n_neurons)

    def neurons_of(self, i: int) -> np.ndarray:
        """``S_i``: the sorted neurons fired by input ``i``."""
        indptr, indices = self.by_input
        return indices[indptr[i] : indptr[i + 1]]

    def inputs_of(self, r: int) -> np.ndarray:
        """``T_r``: the sorted inputs that fire neuron ``r``."""
        indptr, indices = self.by_neuron
        return indices[indptr[r] : indptr[r + 1]]

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, FiredSets):
            return NotImplemented
        if (self.n_inputs, self.n_neurons) != (other.n_inputs, other.n_neurons):
            return False
        mine, theirs = (self.by_neuron, other.by_neuron) if self._by_neuron is not None else (self.by_input, other.by_input)
        return np.array_equal(mine[0], theirs[0]) and np.array_equal(mine[1], theirs[1])

    __hash__ = None  # mutable arrays inside

    def __repr__(self) -> str:
        return f"FiredSets(n_inputs={self.n_inputs}, n_neurons={self.n_neurons}, nnz={self.nnz})"


def csr_replace_rows(indptr, indices, rows, sub_indptr, sub_indices):
    """A copy of a CSR pattern with the (sorted, distinct) ``rows`` replaced by a sub-CSR.

    The rows between two replaced ones are unchanged and move as one block
    (by the running change in length): one contiguous copy per gap, the gaps
    shared among numba's threads (:func:`quantum_train.core.threads.run_chunks`), with no per-row work beyond the
    new ``indptr``.
    """
    new_ptr = _replaced_indptr(indptr, rows, sub_indptr)
    out = np.empty(new_ptr[-1], dtype=indices.dtype)
    run_chunks(_copy_gaps, rows.shape[0] + 1, indptr, indices, rows, sub_indptr, sub_indices, new_ptr, out)
    return new_ptr, out


@njit(cache=True, nogil=True)
def _replaced_indptr(indptr, rows, sub_indptr):
    """The ``indptr`` of :func:`csr_replace_rows`' result."""
    n_rows = indptr.shape[0] - 1
    new_ptr = np.empty(n_rows + 1, dtype=np.int64)
    new_ptr[0] = 0
    k = 0
    for r in range(n_rows):
        if k < rows.shape[0] and rows[k] == r:
            length = sub_indptr[k + 1] - sub_indptr[k]
            k += 1
        else:
            length = indptr[r + 1] - indptr[r]
        new_ptr[r + 1] = new_ptr[r] + length
    return new_ptr


@njit(cache=True, nogil=True)
def _copy_gaps(first, end, indptr, indices, rows, sub_indptr, sub_indices, new_ptr, out):
    """Gaps ``first .. end - 1`` of :func:`csr_replace_rows`: gap ``s`` is the unchanged rows before
    ``rows[s]`` (after the last replaced row for ``s = len(rows)``), then row ``rows[s]``'s new ids."""
    n_rows = indptr.shape[0] - 1
    g = rows.shape[0]
    for s in range(first, end):
        lo = 0 if s == 0 else rows[s - 1] + 1
        hi = n_rows if s == g else rows[s]
        shift = new_ptr[lo] - indptr[lo]  # loops, not slice assignment (which compiles a broadcasting copy)
        for t in range(indptr[lo], indptr[hi]):
            out[t + shift] = indices[t]
        if s < g:
            shift = new_ptr[hi] - sub_indptr[s]
            for t in range(sub_indptr[s], sub_indptr[s + 1]):
                out[t + shift] = sub_indices[t]
