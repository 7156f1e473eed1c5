"""The two-layer shifted-ReLU network of Song, Yang and Zhang (NeurIPS 2021).

    f(W, x) = (1/sqrt(m)) * sum_r a_r * max(<w_r, x> - b, 0)

with ``w_r(0) ~ N(0, I_d)``, ``a_r`` uniform in ``{-1, +1}`` (fixed), threshold
``b = sqrt(0.4 ln m)`` by default (fixed). Loss ``L(W) = 1/2 sum_i (f(W, x_i) - y_i)^2``;
gradient

    grad_r = (1/sqrt(m)) * a_r * sum_{i in T_r} (f(W, x_i) - y_i) * x_i,

where ``T_r`` are the inputs that fire neuron ``r``. Forward and gradient only
touch fired pairs, given as :class:`~quantum_train.core.fired.FiredSets`; their
inner products use :func:`classical.exact.exact_dot`, so every finder that
returns the same fired sets produces bit-identical outputs and gradients.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
from numba import njit
from scipy.special import ndtr

from classical.brute import blocked_halfspace_csr
from classical.exact import exact_dot, exact_dot4
from quantum_train.core._gradient_lanes import gradient_blocks
from quantum_train.core.fired import FiredSets
from quantum_train.core.threads import run_chunks
from quantum_train.seeds import stream

#: Tile of the reference scan (neurons x inputs): fastest measured on 2 cores at n = 1024, d = 16.
SCAN_NEURONS, SCAN_INPUTS = 2048, 512


def default_threshold(m: int) -> float:
    """``b = sqrt(0.4 ln m)``: each input fires about ``m Q(b) <= m^(4/5)`` neurons."""
    return math.sqrt(0.4 * math.log(m))


def fire_probability(b: float) -> float:
    """``Q(b) = P(N(0,1) > b)``: chance that a fresh neuron fires on a unit input.

    ``ndtr(-b)``, the very function ``scipy.stats.norm.sf`` evaluates, without importing ``scipy.stats``
    (about a second at every start)."""
    return float(ndtr(-b))


#: Neurons are summed in this many fixed contiguous chunks, each by one thread,
#: and the chunk sums added in order: results do not depend on the thread count.
FORWARD_CHUNKS = 64


@njit(cache=True, nogil=True, inline="always")
def add_neuron_outputs(w, a_r, b, X, ids, lo, hi, out):
    """``out[i] += a_r (exact_dot(w, x_i) - b)`` for ``i`` in ``ids[lo:hi]``, in that order.

    Four pairs in flight (:func:`classical.exact.exact_dot4`), each summed in
    the canonical order: every forward pass adds a neuron's contributions
    through this one function, so they agree bit for bit.
    """
    t = lo
    while t + 4 <= hi:
        i0, i1, i2, i3 = ids[t], ids[t + 1], ids[t + 2], ids[t + 3]
        z0, z1, z2, z3 = exact_dot4(w, X, i0, i1, i2, i3)
        out[i0] += a_r * (z0 - b)
        out[i1] += a_r * (z1 - b)
        out[i2] += a_r * (z2 - b)
        out[i3] += a_r * (z3 - b)
        t += 4
    for u in range(t, hi):
        i = ids[u]
        out[i] += a_r * (exact_dot(w, X[i]) - b)


@njit(cache=True, nogil=True, inline="always")
def neuron_gradient(X, err, ids, lo, hi, scale_a, g):
    """``g = scale_a * sum_{i in ids[lo:hi]} err_i x_i``, summed in that order (``g`` has length d).

    Each coordinate ``g_j`` is its own sum over the inputs in order, from
    ``0.0``, times ``scale_a`` at the end. The first ``4 (d // 4)``
    coordinates are vector code holding sixteen coordinates in registers
    (:func:`quantum_train.core._gradient_lanes.gradient_blocks`); the last
    ``d mod 4`` are scalar sums in the same order. Every gradient goes through
    this one function, so all finders agree bit for bit.
    """
    d = X.shape[1]
    gradient_blocks(X, err, ids, lo, hi, scale_a, g)
    for j in range(d - d % 4, d):
        s = 0.0
        for t in range(lo, hi):
            i = ids[t]
            s += err[i] * X[i, j]
        g[j] = s * scale_a


def _forward_by_neuron(W, a, b, X, indptr, indices):
    """The forward pass over the fired CSR, by chunks of neurons on numba's threads
    (:func:`quantum_train.core.threads.run_chunks`: plain kernels compile once, a ``prange`` kernel two to three
    times over)."""
    partial = np.zeros((FORWARD_CHUNKS, X.shape[0]))
    run_chunks(_forward_chunks, FORWARD_CHUNKS, W, a, b, X, indptr, indices, partial)
    return sum_chunks(partial, W.shape[0])


@njit(cache=True, nogil=True)
def _forward_chunks(first, end, W, a, b, X, indptr, indices, partial):
    m = W.shape[0]
    for c in range(first, end):
        for r in range(c * m // FORWARD_CHUNKS, (c + 1) * m // FORWARD_CHUNKS):
            add_neuron_outputs(W[r], a[r], b, X, indices, indptr[r], indptr[r + 1], partial[c])


@njit(cache=True, nogil=True)
def sum_chunks(partial, m):
    """``f = (1/sqrt(m)) sum_c partial[c]``, the chunks added in order."""
    out = np.zeros(partial.shape[1])
    for c in range(partial.shape[0]):
        out += partial[c]
    return out / math.sqrt(m)


def _gradient_rows(a, X, err, indptr, indices, rows, scale, G):
    """``G[k]`` the gradient of neuron ``rows[k]``, the rows shared among numba's threads (as the forward)."""
    run_chunks(_gradient_chunks, rows.shape[0], a, X, err, indptr, indices, rows, scale, G)


@njit(cache=True, nogil=True)
def _gradient_chunks(first, end, a, X, err, indptr, indices, rows, scale, G):
    for k in range(first, end):
        r = rows[k]
        neuron_gradient(X, err, indices, indptr[r], indptr[r + 1], scale * a[r], G[k])


def _step_rows(W, rows, G, lr):
    """``W[rows] -= lr * G`` in place; returns the number of non-finite weights it wrote."""
    bad = np.zeros(max(1, rows.shape[0]), dtype=np.int64)  # each part's count at its first row
    run_chunks(_step_chunks, rows.shape[0], W, rows, G, lr, bad)
    return int(bad.sum())


@njit(cache=True, nogil=True)
def _step_chunks(first, end, W, rows, G, lr, bad):
    count = 0
    for k in range(first, end):
        r = rows[k]
        for j in range(W.shape[1]):
            w = W[r, j] - lr * G[k, j]
            W[r, j] = w
            count += not np.isfinite(w)  # branch-free, so the loop vectorises
    bad[min(first, bad.shape[0] - 1)] = count


@dataclass
class ShiftedReLUNet:
    """Weights ``W`` (m, d) are trained; output signs ``a`` (m,) and threshold ``b`` are fixed."""

    W: np.ndarray
    a: np.ndarray
    b: float

    @classmethod
    def initialize(cls, m: int, d: int, seed: int | np.random.Generator = 0, b: float | None = None) -> "ShiftedReLUNet":
        """``w_r ~ N(0, I_d)``, ``a_r ~ U{-1, +1}`` from one generator (W first, then a).

        An integer ``seed`` is mapped to the run's *network* stream
        (:mod:`quantum_train.seeds`), independent of the data drawn from the
        same integer.
        """
        if m <= 0 or d <= 0:
            raise ValueError(f"m and d must be positive, got m={m}, d={d}")
        rng = stream(seed, "network")
        W = rng.standard_normal((m, d))
        a = rng.choice(np.array([-1.0, 1.0]), size=m)
        if b is None:
            b = default_threshold(m)
        if not math.isfinite(b):
            raise ValueError(f"threshold b must be finite, got {b}")
        return cls(W, a, float(b))

    @property
    def m(self) -> int:
        return self.W.shape[0]

    @property
    def d(self) -> int:
        return self.W.shape[1]

    def copy(self) -> "ShiftedReLUNet":
        return ShiftedReLUNet(self.W.copy(), self.a.copy(), self.b)

    def forward(self, X: np.ndarray, fired: FiredSets) -> np.ndarray:
        """``f(W, x_i)`` for every input, from the fired sets (``nnz`` inner products).

        Neuron-major: each ``w_r`` is read once and ``X`` stays in cache; the sum
        over ``S_i`` is taken in a fixed order, so the result is bit-identical
        for identical fired sets whatever the thread count.
        """
        indptr, indices = fired.by_neuron
        return _forward_by_neuron(self.W, self.a, self.b, X, indptr, indices)

    def gradient(self, X: np.ndarray, err: np.ndarray, fired: FiredSets,
                 out: np.ndarray | None = None) -> tuple[np.ndarray, np.ndarray]:
        """Gradient rows of neurons fired by at least one input.

        Returns ``(rows, G)``: the sorted neuron ids with ``T_r`` non-empty and
        ``G[k] = grad_{rows[k]} L``; every other row of the gradient is zero.
        ``err`` is ``f - y``. Costs ``nnz`` d-dimensional accumulations.
        ``out`` (at least ``(m, d)``, C-contiguous) is reused for ``G`` if given.
        """
        indptr, indices = fired.by_neuron
        rows = np.flatnonzero(np.diff(indptr))
        G = np.empty((len(rows), self.d)) if out is None else out[: len(rows)]
        _gradient_rows(self.a, X, np.ascontiguousarray(err, dtype=np.float64), indptr, indices, rows,
                       1.0 / math.sqrt(self.m), G)
        return rows, G

    def step(self, rows: np.ndarray, G: np.ndarray, lr: float) -> bool:
        """Gradient step on ``rows`` in place: ``w_r <- w_r - lr g_r``; False if a weight became non-finite."""
        return _step_rows(self.W, rows, G, float(lr)) == 0

    def fired_sets(self, X: np.ndarray) -> FiredSets:
        """The exact fired sets by a blocked scan of all ``n m`` pairs (the reference).

        Scans neuron-major (each neuron is a query against the ``n`` inputs) so
        that the CSR the forward pass wants comes out without a transpose.
        """
        indptr, indices = blocked_halfspace_csr(self.W, X, self.b, query_block=SCAN_NEURONS, point_block=SCAN_INPUTS)
        return FiredSets.from_neuron_major(indptr, indices, X.shape[0])

    def loss(self, X: np.ndarray, y: np.ndarray, fired: FiredSets | None = None) -> float:
        """``1/2 sum_i (f(W, x_i) - y_i)^2`` (fired sets by the reference scan if not given)."""
        if fired is None:
            fired = self.fired_sets(X)
        r = self.forward(X, fired) - y
        return 0.5 * float(r @ r)
