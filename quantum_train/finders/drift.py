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
  (non-candidates had margin ``>= tau`` and stay unfired). The candidates are
  kept in order of margin, so these are a prefix, and only the prefix
  re-decided last time can hold states other than the anchor's: a re-check
  visits those, not all the candidates. The fired ids are kept sorted beside
  them and patched in place when a state changes;
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
from quantum_train.core.finder_contract import FiredSetFinder, ForwardPass, FusedStep, FusedTraining, LazyMaintenance
from quantum_train.core.fired import FiredSets, csr_replace_rows
from quantum_train.core.model import FORWARD_CHUNKS, SCAN_INPUTS, SCAN_NEURONS, ShiftedReLUNet, fire_probability, sum_chunks
from quantum_train.finders import _drift_kernels as K
from quantum_train.finders.dense import scan_bytes

#: Default candidate band below ``b``.
DEFAULT_TAU = 0.05
#: Spare slots per neuron, as a fraction of its candidate count (plus 4).
SLACK = 0.5
#: Input ids of the candidates: 4 bytes (inputs are fewer than 2^31; checked in ``prepare``).
INDEX = np.int32
#: A bound on every weight below which a step cannot overflow (see ``DriftFinder._surely_finite``).
SURELY_FINITE = 1e300
#: The per-slot arrays (see :mod:`._drift_kernels`): candidate ids, anchor values, anchor and current states,
#: and the current fired ids.
SLOT_ARRAYS = ("idx", "z", "anchor_fired", "cur_fired", "fired_idx")


class DriftFinder(LazyMaintenance, FusedTraining, FiredSetFinder):
    """Exact fired sets by drift bounds; with ``fused`` (the default) training visits each neuron once per step.

    Fused, the trainer calls :meth:`fused_step`: one pass over the neurons
    computes each fired neuron's gradient, steps it, re-checks its candidates
    and adds its contributions to the next forward pass while ``w_r`` is in
    cache, reading the candidate arrays directly (no fired CSR is built).
    ``fused=False`` keeps the four separate phases (``find`` patches a fired
    CSR), for comparison; both give bit-identical weights and losses.
    """

    name = "drift"

    def __init__(self, tau: float = DEFAULT_TAU, fused: bool = True):
        super().__init__()
        self.name = "drift" if fused else "drift-unfused"
        if not tau > 0:
            raise ValueError(f"tau must be positive, got {tau}")
        self.tau = float(tau)
        self.fused = bool(fused)
        self.refreshed = 0
        self.rechecked = 0
        #: fired count per input, kept up to date by the fused steps (None: to be counted)
        self.per_input: np.ndarray | None = None
        self._partial: np.ndarray | None = None  # the fused pass's per-chunk sums and count changes
        self._deltas: np.ndarray | None = None
        self._every: np.ndarray | None = None  # arange(m) and its chunk bounds, for the fused pass
        self._every_bounds: np.ndarray | None = None
        self._columns: tuple[np.ndarray, np.ndarray] | None = None  # the inputs and their columns (_data)

    @classmethod
    def note(cls, report: dict) -> str:
        return (f"tau {report['tau']}, {report['candidates_stored']} candidate pairs stored, "
                f"{report['pairs_rechecked']} re-checked, {report['neurons_refreshed']} neuron refreshes")

    @classmethod
    def warm_up(cls, name: str, d: int, seed: int, train_tiny) -> None:
        """A tiny training run, then a refresh after the pass (:meth:`_refresh`, for a neuron that outgrew its
        slots), which a tiny run rarely reaches: its kernels would otherwise compile inside a timed step."""
        super().warm_up(name, d, seed, train_tiny)
        X = np.random.default_rng(seed).standard_normal((8, d))
        X /= np.linalg.norm(X, axis=1, keepdims=True)
        net = ShiftedReLUNet.initialize(4, d, seed=seed)
        finder = cls()
        finder.prepare(net, X)
        finder._refresh(net, X, np.arange(net.m, dtype=np.int64))

    @classmethod
    def memory_bytes(cls, n: int, m: int, d: int, b: float, pairs: float, tau: float = DEFAULT_TAU) -> float:
        """Candidates within ``tau`` below ``b`` (id, anchor value, two states and the fired-id slot: 18 bytes,
        with slack, and the scan's copy, planned at 18 bytes too although it takes 16), the anchor weights, the
        per-neuron bookkeeping (112 bytes planned: slots, counts, thresholds, bounds, the lead copy and the fused
        pass's per-neuron flags and row list; 97 used), the fused pass's chunk buffers and the inputs' columns
        that a refresh scans (:func:`._drift_kernels.input_columns`)."""
        per_fired = fire_probability(b - tau) / max(fire_probability(b), 1e-300)
        candidates = min(pairs * per_fired, float(n) * m)
        chunk_buffers = FORWARD_CHUNKS * n * 16.0  # the fused pass's per-chunk sums and counts
        columns = d * K.column_width.py_func(n) * 8.0  # the plain function: no compile in the memory guard
        return (2 * 18.0 * (1 + SLACK) * candidates + m * d * 8 + 112.0 * m + scan_bytes(0)
                + chunk_buffers + columns)

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
            for name in SLOT_ARRAYS:
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
        for name in SLOT_ARRAYS:
            arr = getattr(self, name)
            fresh = np.empty_like(arr)
            for r, s in zip(order, new_start):  # rare; Python loop acceptable
                fresh[s : s + self.length[r]] = arr[self.start[r] : self.start[r] + self.length[r]]
            setattr(self, name, fresh)
        self.start[order] = new_start
        self.top = int(self.cap.sum())

    def _anchor_all(self, net: ShiftedReLUNet, X: np.ndarray) -> None:
        """Anchor every neuron at its weights: one blocked BLAS scan (the preprocessing)."""
        neurons = np.arange(net.m, dtype=np.int64)
        ptr, new_idx, new_z = self._scan(net.W, X, net.b)
        self._allocate(neurons, np.diff(ptr))
        K.write_candidates(neurons, ptr, new_idx, new_z, net.W, X, (net.b, self.tau, self.x_norm_max),
                           K.drift_state(self))
        self.A[:] = net.W
        self.ops += net.m * X.shape[0]

    def _refresh(self, net: ShiftedReLUNet, X: np.ndarray, neurons: np.ndarray) -> None:
        """Re-anchor ``neurons`` (sorted) from every input, by the kernels of the fused pass (a count, room for
        the new candidates, then :func:`._drift_kernels.refresh_rows`): a few neurons at a time, for which a
        BLAS scan's set-up costs more than its products."""
        data = self._data(X)
        self._allocate(neurons, K.band_counts(neurons, net.W, data, net.b - self.tau))
        anchored = K.refresh_rows(neurons, net.W, self.A, data, (net.b, self.tau, self.x_norm_max),
                                  K.drift_state(self))
        if anchored != len(neurons):
            raise AssertionError(f"drift: {len(neurons) - anchored} neurons found no room after allocation")
        self.ops += len(neurons) * X.shape[0]

    def _data(self, X: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """``(X, XT)``: the inputs and their columns (:func:`._drift_kernels.input_columns`), which a refresh
        scans; made once for the inputs given to :meth:`prepare`, again only for another array. Like the
        anchors and ``x_norm_max``, they assume the inputs are not changed in place after :meth:`prepare`."""
        if self._columns is None or self._columns[0] is not X:
            self._columns = (X, K.input_columns(X))
        return self._columns

    # -- the finder contract -------------------------------------------------
    def prepare(self, net: ShiftedReLUNet, X: np.ndarray) -> None:
        m = net.m
        if X.shape[0] >= 2**31:
            raise ValueError(f"drift stores input ids in 32 bits: at most 2^31 - 1 inputs, got {X.shape[0]}")
        self.x_norm_max = float(np.sqrt((X * X).sum(axis=1).max()))
        self._columns = (X, K.input_columns(X))  # see _data
        self._a_max = float(np.abs(net.a).max()) if m else 0.0
        self._weight_bound = float(np.abs(net.W).max()) if net.W.size else 0.0  # see _surely_finite
        self.A = net.W.copy()
        # the four-pass finder's weights at each neuron's last re-check: its running drift bound grows by the step
        # since, as the fused pass's does (see _drift_kernels.visit_neurons); the fused finder keeps none
        self.P = net.W.copy() if not self.fused else np.zeros((0, net.d))
        self.start = np.zeros(m, dtype=np.int64)
        self.cap = np.zeros(m, dtype=np.int64)
        self.length = np.zeros(m, dtype=np.int64)
        self.anchor_norm = np.zeros(m)
        self.lead_margin = np.full((m, 2), np.inf)
        self.lead_idx = np.zeros(m, dtype=INDEX)
        self.lead_state = np.zeros((m, 2), dtype=np.bool_)
        self.quiet_bound = np.full(m, -1.0)
        self.drift_bound = np.zeros(m)
        self.near = np.zeros(m, dtype=np.int64)
        self.n_fired = np.zeros(m, dtype=np.int64)
        self.top = 0
        for name, dtype in zip(SLOT_ARRAYS, (INDEX, np.float64, np.bool_, np.bool_, INDEX)):
            setattr(self, name, np.empty(0, dtype=dtype))
        self._anchor_all(net, X)
        self.per_input = None
        self.csr = self.current_fired_sets(X.shape[0]).by_neuron if not self.fused else None
        self.take_moved()

    def find(self, net: ShiftedReLUNet, X: np.ndarray) -> FiredSets:
        """Update the moved neurons, then patch the previous fired CSR at the neurons that changed.

        Only neurons whose fired set changed are rewritten
        (:func:`~quantum_train.core.fired.csr_replace_rows`: the rows between them
        move as blocks); when none changed the previous arrays are returned as
        they are (they are never written in place). A fused finder keeps no
        CSR: it brings the moved neurons up to date and builds one.
        """
        if self.csr is None:
            self._catch_up(net, X)
            return self.current_fired_sets(X.shape[0])
        rows, changed = self._recheck_moved(net, X)
        patch = rows[changed]  # rows come sorted from take_moved
        if len(patch):
            self.per_input = None  # recounted on the next forward_from_state
            sub = K.fired_csr(patch, self.start, self.fired_idx, self.n_fired)
            self.csr = csr_replace_rows(*self.csr, patch, *sub)
        return FiredSets.from_neuron_major(*self.csr, X.shape[0])

    def _recheck_moved(self, net: ShiftedReLUNet, X: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """Bring the neurons moved since the last call up to date (re-check or refresh); returns them and
        which of them changed state."""
        rows = self.take_moved()
        if not len(rows):
            return rows, np.zeros(0, dtype=np.bool_)
        refresh = np.zeros(net.m, dtype=np.bool_)
        changed = np.zeros(net.m, dtype=np.bool_)
        _, _, checks, _, _, renewed = self._visit(net, X, rows, K.chunk_bounds(rows, net.m), train=False,
                                                  recheck=True, forward=False, refresh=refresh, changed=changed)
        self.ops += int(checks)
        self.rechecked += int(checks) - len(rows)
        self._count_renewed(int(renewed), X.shape[0])
        stale = rows[refresh[rows]]
        if len(stale):
            self._refresh(net, X, stale)
            self.refreshed += len(stale)
        return rows, changed[rows]

    def _count_renewed(self, renewed: int, n: int) -> None:
        """Neurons refreshed inside the visiting pass (:func:`._drift_kernels.refresh_in_pass`): ``n`` ops each,
        as a refresh by a scan."""
        self.ops += renewed * n
        self.refreshed += renewed

    def _visit(self, net: ShiftedReLUNet, X: np.ndarray, rows: np.ndarray, bounds: np.ndarray, *, train: bool,
               recheck: bool, forward: bool, refresh: np.ndarray, changed: np.ndarray, err: np.ndarray | None = None,
               lr: float = 0.0, stepped: np.ndarray | None = None, partial: np.ndarray | None = None,
               deltas: np.ndarray | None = None, renew: bool = True) -> tuple[int, int, int, int, int, int]:
        """:func:`._drift_kernels.visit_neurons` on this finder's state (unused outputs get empty arrays)."""
        n = X.shape[0]
        return K.visit_neurons(
            rows, bounds, (train, recheck, forward, renew),
            (net.W, net.a, self.A, self.P, net.b, self.tau, self.x_norm_max), self._data(X),
            (np.zeros(n) if err is None else np.ascontiguousarray(err, dtype=np.float64), float(lr),
             1.0 / np.sqrt(net.m)), K.drift_state(self),
            (refresh, changed, np.zeros(0, dtype=np.bool_) if stepped is None else stepped,
             np.zeros((FORWARD_CHUNKS, 0)) if partial is None else partial,
             np.zeros((FORWARD_CHUNKS, 0), dtype=np.int64) if deltas is None else deltas))

    # -- fused training (FusedTraining) --------------------------------------
    def _chunk_buffers(self, n: int) -> tuple[np.ndarray, np.ndarray]:
        """Per-chunk forward sums and changes of fired counts, kept by the finder between steps."""
        if self._partial is None or self._partial.shape[1] != n:
            self._partial = np.zeros((FORWARD_CHUNKS, n))
            self._deltas = np.zeros((FORWARD_CHUNKS, n), dtype=np.int64)
        return self._partial, self._deltas

    def forward_from_state(self, net: ShiftedReLUNet, X: np.ndarray) -> ForwardPass:
        self._catch_up(net, X)
        partial, counts = self._chunk_buffers(X.shape[0])
        recount = self.per_input is None  # the fired counts per input are taken in the same pass
        pairs = K.forward_from_state(net.W, net.a, net.b, X, self.start, self.fired_idx, self.n_fired, partial,
                                     counts if recount else np.zeros((FORWARD_CHUNKS, 0), dtype=np.int64))
        if recount:
            self.per_input = counts.sum(axis=0)
        return ForwardPass(sum_chunks(partial, net.m), self.per_input.copy(), int(pairs))

    def fused_step(self, net: ShiftedReLUNet, X: np.ndarray, err: np.ndarray, lr: float,
                   next_forward: bool) -> FusedStep:
        partial, deltas = self._chunk_buffers(X.shape[0])
        refresh = np.zeros(net.m, dtype=np.bool_)
        before = self.ops
        stepped = np.zeros(net.m, dtype=np.bool_)
        if self._every is None or len(self._every) != net.m:
            self._every = np.arange(net.m, dtype=np.int64)
            self._every_bounds = K.chunk_bounds(self._every, net.m)
        pairs, rows, work, bad, next_pairs, renewed = self._visit(
            net, X, self._every, self._every_bounds, train=True, recheck=next_forward, forward=next_forward,
            refresh=refresh, changed=np.zeros(net.m, dtype=np.bool_), err=err, lr=lr, stepped=stepped,
            partial=partial, deltas=deltas, renew=self._surely_finite(net, err, lr))
        if bad or not next_forward:
            # the state is behind the weights: remember the moved neurons (find() catches up). A non-finite
            # step stops training, and its re-checks (finite rows only) are not counted, as four passes
            # would never show the finder those weights.
            self.moved(np.flatnonzero(stepped), net)
            self.per_input = None
            return FusedStep(int(pairs), int(rows), 0, bad == 0, None)
        self.ops += int(work)
        self.rechecked += int(work) - int(rows)
        self._count_renewed(int(renewed), X.shape[0])
        self.per_input += deltas.sum(axis=0)
        stale = np.flatnonzero(refresh)
        if len(stale):  # outgrew their slots: the pass decided their fired sets (counts and forward are in place)
            self._refresh(net, X, stale)
            self.refreshed += len(stale)
        following = ForwardPass(sum_chunks(partial, net.m), self.per_input.copy(), int(next_pairs))
        return FusedStep(int(pairs), int(rows), self.ops - before, True, following)

    def _surely_finite(self, net: ShiftedReLUNet, err: np.ndarray, lr: float) -> bool:
        """Whether this step certainly leaves every weight finite, so that the pass may re-anchor neurons.

        A neuron's step is ``lr g_r`` with ``|g_rj| = |a_r| / sqrt(m) |sum_i err_i x_ij| <= max|a| / sqrt(m)
        sum_i |err_i| max_i ||x_i||``: twice that (for rounding) bounds every weight's change, and the running
        sum of those bounds from ``max |W(0)|`` bounds every weight. While that is below
        :data:`SURELY_FINITE` (far below overflow) no step can be non-finite. Past it (a learning rate near
        overflow) the pass re-anchors nothing and the refreshed neurons wait for the scan after it: a
        non-finite step stops training with the state as four passes would leave it (they never show the
        finder those weights), so that both report the same candidates.
        """
        with np.errstate(over="ignore", invalid="ignore"):
            step = 2.0 * lr * self._a_max / np.sqrt(net.m) * float(np.abs(err).sum()) * self.x_norm_max
        self._weight_bound += step if np.isfinite(step) else np.inf
        return bool(self._weight_bound < SURELY_FINITE)

    def _catch_up(self, net: ShiftedReLUNet, X: np.ndarray) -> None:
        """Re-check the neurons moved since the state was last brought up to date (fused mode)."""
        rows, _ = self._recheck_moved(net, X)
        if len(rows):
            self.per_input = None  # recounted on the next forward_from_state

    def current_fired_sets(self, n_inputs: int) -> FiredSets:
        """The fired sets of the held state; raises if neurons moved since it was brought up to date."""
        if len(self._pending):
            raise RuntimeError("drift: the fired state is behind the weights (the last fused step moved "
                               f"{len(self._pending)} neurons without a re-check); call find(net, X) first")

        every = np.arange(len(self.start), dtype=np.int64)
        return FiredSets.from_neuron_major(*K.fired_csr(every, self.start, self.fired_idx, self.n_fired), n_inputs)

    def report(self) -> dict:
        return {"tau": self.tau, "neurons_refreshed": int(self.refreshed), "pairs_rechecked": int(self.rechecked),
                "candidates_stored": int(self.length.sum()) if hasattr(self, "length") else 0}


class UnfusedDriftFinder(DriftFinder):
    """The drift finder in four passes (``drift-unfused``), for comparison: :class:`DriftFinder` with
    ``fused=False``, which also keeps each neuron's weights at its last re-check (``m d`` doubles) to follow the
    same running drift bound as the fused pass."""

    def __init__(self, tau: float = DEFAULT_TAU):
        super().__init__(tau, fused=False)

    @classmethod
    def memory_bytes(cls, n: int, m: int, d: int, b: float, pairs: float, tau: float = DEFAULT_TAU) -> float:
        """:meth:`DriftFinder.memory_bytes` and the weights at each neuron's last re-check."""
        return super().memory_bytes(n, m, d, b, pairs, tau) + m * d * 8.0
