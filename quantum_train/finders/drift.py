"""The drift-bound finder: exact, and touches few pairs per iteration (beyond the paper).

Because ``||x_i|| = 1``, a neuron whose weights moved by ``delta_r = ||w_r(t) -
w_r(s)||`` since an anchor time ``s`` changes each inner product by at most
``delta_r``:

    |<w_r(t), x_i> - <w_r(s), x_i>| <= delta_r.

So a pair whose anchor margin ``|<w_r(s), x_i> - b|`` exceeds ``delta_r``
cannot have changed state. The finder keeps, per neuron, the *candidates*
``C_r = {i : <w_r(s), x_i> > b - tau}`` with their anchor values. At each
iteration, for every neuron that moved:

- ``delta_r < min margin over C_r``: nothing can have changed (O(1));
- ``delta_r < tau``: re-decide only the candidates with margin ``<= delta_r``
  (non-candidates had margin ``>= tau`` and stay unfired);
- ``delta_r >= tau``: *refresh* the neuron: all ``n`` inner products again,
  new candidates, new anchor.

Every comparison adds a rounding guard (:func:`_drift_kernels.drift_guard`),
and re-decisions use :func:`classical.exact.exact_dot`, so the fired sets are
exactly the dense ones for any learning rate: a large step only costs more
refreshes. Preprocessing is one dense pass (``n m`` inner products) that
records the candidates. ``tau`` trades candidate storage (pairs within ``tau``
below ``b``) against refresh frequency.
"""

from __future__ import annotations

import numpy as np

from classical.brute import blocked_halfspace_csr
from quantum_train.finders import _drift_kernels as K
from quantum_train.finders.base import FiredSetFinder, LazyMaintenance
from quantum_train.finders.dense import scan_bytes
from quantum_train.fired import FiredSets, csr_replace_rows
from quantum_train.model import SCAN_INPUTS, SCAN_NEURONS, ShiftedReLUNet, fire_probability

#: Default candidate band below ``b``.
DEFAULT_TAU = 0.05
#: Spare slots per neuron, as a fraction of its candidate count (plus 4).
SLACK = 0.25


class DriftFinder(LazyMaintenance, FiredSetFinder):
    name = "drift"

    def __init__(self, tau: float = DEFAULT_TAU):
        super().__init__()
        if not tau > 0:
            raise ValueError(f"tau must be positive, got {tau}")
        self.tau = float(tau)
        self.refreshed = 0
        self.rechecked = 0

    @classmethod
    def note(cls, report: dict) -> str:
        return (f"tau {report['tau']}, {report['candidates_stored']} candidate pairs stored, "
                f"{report['pairs_rechecked']} re-checked, {report['neurons_refreshed']} neuron refreshes")

    @classmethod
    def memory_bytes(cls, n: int, m: int, d: int, b: float, pairs: float, tau: float = DEFAULT_TAU) -> float:
        """Candidates within ``tau`` below ``b`` (id and anchor value, with slack, and the scan's copy),
        the anchor weights and the per-neuron bookkeeping."""
        per_fired = fire_probability(b - tau) / max(fire_probability(b), 1e-300)
        candidates = min(pairs * per_fired, float(n) * m)
        return 2 * 16.0 * (1 + SLACK) * candidates + m * d * 8 + 8 * 8.0 * m + scan_bytes(0)

    # -- storage -----------------------------------------------------------
    def _scan(self, W_rows: np.ndarray, X: np.ndarray, b: float):
        """Candidates of the given weight rows: CSR with BLAS values, threshold ``b - tau``."""
        return blocked_halfspace_csr(W_rows, X, b - self.tau, query_block=SCAN_NEURONS,
                                     point_block=SCAN_INPUTS, return_values=True)

    def _allocate(self, neurons: np.ndarray, counts: np.ndarray) -> None:
        """Give each neuron room for ``counts`` candidates, moving it to the top of the buffer if needed."""
        caps = (counts * (1 + SLACK)).astype(np.int64) + 4
        move = counts > self.cap[neurons]
        need = int(caps[move].sum())
        if self.top + need > self.idx.shape[0]:
            live = int(self.cap.sum())
            if self.top - live > live:  # more garbage than live slots: compact
                self._compact()
            grow = max(self.top + need, int(1.5 * self.idx.shape[0]))
            for name in ("idx", "z", "anchor_fired", "cur_fired"):
                arr = getattr(self, name)
                bigger = np.empty(grow, dtype=arr.dtype)
                bigger[: self.top] = arr[: self.top]
                setattr(self, name, bigger)
        moved_neurons = neurons[move]
        offsets = self.top + np.concatenate(([0], np.cumsum(caps[move])[:-1])).astype(np.int64)
        self.start[moved_neurons] = offsets
        self.cap[moved_neurons] = caps[move]
        self.top += need

    def _compact(self) -> None:
        order = np.argsort(self.start, kind="stable")
        new_start = np.concatenate(([0], np.cumsum(self.cap[order])[:-1])).astype(np.int64)
        for name in ("idx", "z", "anchor_fired", "cur_fired"):
            arr = getattr(self, name)
            fresh = np.empty_like(arr)
            for r, s in zip(order, new_start):  # rare; Python loop acceptable
                fresh[s : s + self.length[r]] = arr[self.start[r] : self.start[r] + self.length[r]]
            setattr(self, name, fresh)
        self.start[order] = new_start
        self.top = int(self.cap.sum())

    def _refresh(self, net: ShiftedReLUNet, X: np.ndarray, neurons: np.ndarray) -> None:
        ptr, new_idx, new_z = self._scan(net.W[neurons], X, net.b)
        self._allocate(neurons, np.diff(ptr))
        K.write_candidates(neurons, ptr, new_idx, new_z, net.W, X, net.b, self.x_norm_max, self.start,
                           self.length, self.idx, self.z, self.anchor_fired, self.cur_fired,
                           self.min_margin, self.dirty, self.n_fired)
        self.A[neurons] = net.W[neurons]
        self.ops += len(neurons) * X.shape[0]

    # -- the finder contract -------------------------------------------------
    def prepare(self, net: ShiftedReLUNet, X: np.ndarray) -> None:
        m = net.m
        self.x_norm_max = float(np.sqrt((X * X).sum(axis=1).max()))
        self.A = net.W.copy()
        self.start = np.zeros(m, dtype=np.int64)
        self.cap = np.zeros(m, dtype=np.int64)
        self.length = np.zeros(m, dtype=np.int64)
        self.min_margin = np.full(m, np.inf)
        self.dirty = np.zeros(m, dtype=np.bool_)
        self.n_fired = np.zeros(m, dtype=np.int64)
        self.top = 0
        for name, dtype in (("idx", np.int64), ("z", np.float64), ("anchor_fired", np.bool_), ("cur_fired", np.bool_)):
            setattr(self, name, np.empty(0, dtype=dtype))
        self._refresh(net, X, np.arange(m, dtype=np.int64))
        self.csr = K.fired_csr(np.arange(m, dtype=np.int64), self.start, self.length, self.idx,
                               self.cur_fired, self.n_fired)
        self.take_moved()

    def find(self, net: ShiftedReLUNet, X: np.ndarray) -> FiredSets:
        """Update the moved neurons, then patch the previous fired CSR at the neurons that changed.

        Only neurons whose fired set changed are rewritten
        (:func:`~quantum_train.fired.csr_replace_rows`: the rows between them
        move as blocks); when none changed the previous arrays are returned as
        they are (they are never written in place).
        """
        rows = self.take_moved()
        if len(rows):
            refresh = np.zeros(len(rows), dtype=np.bool_)
            changed = np.zeros(len(rows), dtype=np.bool_)
            checks = K.update_states(net.W, self.A, X, net.b, self.tau, self.x_norm_max, rows, self.start,
                                     self.length, self.idx, self.z, self.anchor_fired, self.cur_fired,
                                     self.min_margin, self.dirty, self.n_fired, refresh, changed)
            self.ops += int(checks)
            self.rechecked += int(checks) - len(rows)
            stale = rows[refresh]
            if len(stale):
                self._refresh(net, X, stale)
                self.refreshed += len(stale)
            patch = rows[changed]  # rows come sorted from take_moved
            if len(patch):
                sub = K.fired_csr(patch, self.start, self.length, self.idx, self.cur_fired, self.n_fired)
                self.csr = csr_replace_rows(*self.csr, patch, *sub)
        return FiredSets.from_neuron_major(*self.csr, X.shape[0])

    def report(self) -> dict:
        return {"tau": self.tau, "neurons_refreshed": int(self.refreshed), "pairs_rechecked": int(self.rechecked),
                "candidates_stored": int(self.length.sum()) if hasattr(self, "length") else 0}
