"""The fused drift iteration (one visit per neuron) is the four-pass iteration, bit for bit.

``drift`` trains through :class:`~quantum_train.core.finder_contract.FusedTraining`;
``drift-unfused`` is the same finder in four passes. Weights, losses, fired
counts and every phase's ops must agree exactly, through refreshes (large
steps), divergence, and on the bundled data; the exactness suite holds both to
the dense finder.
"""

import numpy as np
import pytest

from quantum_train.core import threads
from quantum_train.core.finder_contract import FusedTraining
from quantum_train.core.model import ShiftedReLUNet
from quantum_train.core.train import default_learning_rate, train
from quantum_train.data.datasets import load_dataset
from quantum_train.finders import make_finder


def both(X, y, m, iters, lr_scale=1.0, seed=0):
    net = ShiftedReLUNet.initialize(m, X.shape[1], seed=seed)
    lr = lr_scale * default_learning_rate(len(X), net.b)
    fused = train(net.copy(), X, y, make_finder("drift"), iters, lr)
    phased = train(net.copy(), X, y, make_finder("drift-unfused"), iters, lr)
    return fused, phased


def assert_same_run(fused, phased):
    assert np.array_equal(fused.W, phased.W)
    assert fused.loss == phased.loss
    assert fused.fired_mean == phased.fired_mean and fused.fired_max == phased.fired_max
    assert fused.extras == phased.extras
    assert (fused.diverged is None) == (phased.diverged is None)
    for phase in ("find", "forward", "backward", "update"):
        assert fused.ledger.series(phase) == phased.ledger.series(phase), phase
    assert fused.ledger.preprocess.ops == phased.ledger.preprocess.ops


def test_drift_is_fused_and_drift_unfused_is_not():
    assert isinstance(make_finder("drift"), FusedTraining) and make_finder("drift").fused
    assert not make_finder("drift-unfused").fused
    assert make_finder("drift-unfused").name == "drift-unfused"


@pytest.mark.parametrize("d", [2, 4, 16])
def test_fused_equals_four_passes(d):
    ds = load_dataset("synthetic", n=80, d=d, seed=d)
    fused, phased = both(ds.X, ds.y, m=2000, iters=6)
    assert_same_run(fused, phased)
    assert all(it["fused"].seconds > 0 for it in fused.ledger.iterations)
    assert all(it["fused"].seconds == 0 for it in phased.ledger.iterations)


def test_fused_on_two_threads_equals_one_thread_and_four_passes(monkeypatch):
    """The drift kernels' chunks shared among threads (quantum_train.core.threads.run_chunks) change nothing.
    The chunks run on Python's thread pool, so two threads are asked for on any machine, one core or many."""
    ds = load_dataset("synthetic", n=80, d=4, seed=5)
    serial, _ = both(ds.X, ds.y, m=1500, iters=6, lr_scale=30.0)
    monkeypatch.setattr(threads, "SERIAL_WORK", 0)  # every iteration takes the threaded path
    monkeypatch.setattr(threads, "chunk_threads", lambda: 2)
    fused, phased = both(ds.X, ds.y, m=1500, iters=6, lr_scale=30.0)
    assert fused.extras["neurons_refreshed"] > 0
    assert_same_run(fused, phased)
    assert_same_run(fused, serial)


@pytest.mark.parametrize("lr_scale", [30.0, 3000.0])
def test_fused_equals_four_passes_through_refreshes_and_divergence(lr_scale):
    ds = load_dataset("synthetic", n=50, d=3, seed=2)
    fused, phased = both(ds.X, ds.y, m=900, iters=6, lr_scale=lr_scale)
    assert fused.extras["neurons_refreshed"] > 0  # the refresh path ran
    assert_same_run(fused, phased)


def test_fused_stops_on_divergence_like_four_passes():
    ds = load_dataset("synthetic", n=40, d=3, seed=5)
    fused, phased = both(ds.X, ds.y, m=600, iters=8, lr_scale=1e6)
    assert fused.diverged is not None and phased.diverged is not None
    assert fused.diverged == phased.diverged
    assert fused.loss == phased.loss


@pytest.mark.parametrize("data", ["iris", "wine"])
def test_fused_equals_four_passes_on_bundled_data(data):
    ds = load_dataset(data, n=120, d=4, seed=1)
    assert_same_run(*both(ds.X, ds.y, m=1500, iters=5))


def test_fused_fired_counts_follow_the_state():
    """The per-input counts the fused pass maintains are the held fired sets' counts at every iteration."""
    ds = load_dataset("synthetic", n=60, d=4, seed=3)
    net = ShiftedReLUNet.initialize(1200, 4, seed=3)
    finder = make_finder("drift")
    seen = []
    result = train(net, ds.X, ds.y, finder, 5, 20 * default_learning_rate(60, net.b),
                   on_iteration=lambda t, fired: seen.append(fired.per_input()))
    assert [float(c.mean()) for c in seen] == result.fired_mean
    assert [int(c.max()) for c in seen] == result.fired_max


def test_fused_equals_four_passes_on_a_non_finite_step():
    """A step that overflows the weights while the loss is still finite stops both loops alike."""
    ds = load_dataset("synthetic", n=40, d=3, seed=5)
    net = ShiftedReLUNet.initialize(600, 3, seed=5)
    runs = [train(net.copy(), ds.X, 1e10 * ds.y, make_finder(name), 5, 1e300) for name in ("drift", "drift-unfused")]
    assert runs[0].diverged is not None and "non-finite" in runs[0].diverged.reason
    assert_same_run(*runs)


def test_fused_with_refreshes_and_rechecks_in_the_same_steps():
    ds = load_dataset("synthetic", n=80, d=4, seed=8)
    fused, phased = both(ds.X, ds.y, m=3000, iters=10, lr_scale=5.0)
    assert fused.extras["neurons_refreshed"] > 0 and fused.extras["pairs_rechecked"] > 0
    assert fused.diverged is None
    assert_same_run(fused, phased)


def test_fused_phase_carries_seconds_only():
    ds = load_dataset("synthetic", n=50, d=4, seed=1)
    fused, _ = both(ds.X, ds.y, m=1000, iters=4)
    assert all(it["fused"].ops == 0 for it in fused.ledger.iterations)


def test_state_after_fused_training_is_caught_up_by_find():
    """The last fused step moves the weights without a re-check: the finder says so, and find() catches up."""
    ds = load_dataset("synthetic", n=60, d=4, seed=2)
    net = ShiftedReLUNet.initialize(1500, 4, seed=2)
    finder = make_finder("drift")
    train(net, ds.X, ds.y, finder, 4, 5 * default_learning_rate(60, net.b))
    with pytest.raises(RuntimeError, match="behind the weights"):
        finder.current_fired_sets(len(ds.X))
    assert finder.find(net, ds.X) == net.fired_sets(ds.X)
    assert finder.current_fired_sets(len(ds.X)) == net.fired_sets(ds.X)
    forward = finder.forward_from_state(net, ds.X)
    assert np.array_equal(forward.outputs, net.forward(ds.X, net.fired_sets(ds.X)))
    assert np.array_equal(forward.per_input, net.fired_sets(ds.X).per_input())


def test_fused_finder_serves_the_plain_finder_contract():
    """prepare, then find / moved / find, as any caller outside the trainer would drive it."""
    ds = load_dataset("synthetic", n=50, d=3, seed=4)
    net = ShiftedReLUNet.initialize(800, 3, seed=4)
    finder = make_finder("drift")
    finder.prepare(net, ds.X)
    assert finder.find(net, ds.X) == net.fired_sets(ds.X)
    rows = np.arange(0, 800, 3)
    net.W[rows] += 0.02
    finder.moved(rows, net)
    assert finder.find(net, ds.X) == net.fired_sets(ds.X)


@pytest.mark.parametrize("name", ["drift", "drift-unfused"])
def test_drift_recheck_follows_weights_that_move_out_and_back(name):
    """Re-checks when the drift grows, shrinks and grows again: states of candidates past the reach return to
    the anchor's, fired ids stay sorted, and the per-input counts follow; every step against brute force."""
    ds = load_dataset("synthetic", n=80, d=4, seed=7)
    net = ShiftedReLUNet.initialize(600, 4, seed=7)
    finder = make_finder(name)
    finder.prepare(net, ds.X)
    anchor = net.W.copy()
    direction = np.random.default_rng(7).standard_normal(net.W.shape)
    direction /= np.linalg.norm(direction, axis=1, keepdims=True)
    rows = np.arange(net.m)
    for size in (0.004, 0.02, 0.035, 0.01, 0.0, 0.03, 0.001, 0.045, 0.002):
        net.W[:] = anchor + size * direction
        finder.moved(rows, net)
        truth = net.fired_sets(ds.X)
        assert finder.find(net, ds.X) == truth, f"drift {size}"
        forward = finder.forward_from_state(net, ds.X)
        assert np.array_equal(forward.outputs, net.forward(ds.X, truth))
        assert np.array_equal(forward.per_input, truth.per_input())
        assert_lead_copies_match_the_slots(finder, net.b)
    assert finder.refreshed == 0 and finder.rechecked > 0  # every step stayed within tau, and pairs were re-decided


def assert_lead_copies_match_the_slots(finder, b):
    """Each neuron's copy of its lead candidate (smallest margin) and of the next margin equals its slots."""
    for r in range(len(finder.start)):
        s0, count = finder.start[r], finder.length[r]
        margins = np.abs(finder.z[s0:s0 + count] - b)
        assert list(finder.lead_margin[r]) == list(np.concatenate((margins[:2], [np.inf, np.inf]))[:2])
        if count:
            assert finder.lead_idx[r] == finder.idx[s0]
            assert finder.lead_state[r, 0] == finder.anchor_fired[s0]
            assert finder.lead_state[r, 1] == finder.cur_fired[s0]


@pytest.mark.parametrize("name", ["drift", "drift-unfused"])
def test_lead_copies_follow_training_with_refreshes(name):
    ds = load_dataset("synthetic", n=60, d=3, seed=4)
    net = ShiftedReLUNet.initialize(500, 3, seed=4)
    finder = make_finder(name)
    result = train(net, ds.X, ds.y, finder, 6, default_learning_rate(ds.n, net.b))
    finder.find(net, ds.X)
    assert result.extras["neurons_refreshed"] > 0 and result.extras["pairs_rechecked"] > 0
    assert_lead_copies_match_the_slots(finder, net.b)


@pytest.mark.parametrize("n, d", [(203, 5), (204, 8), (1, 3), (7, 16), (64, 1), (130, 13)])
def test_band_scan_is_the_brute_force_band(n, d):
    """A neuron past ``tau`` is re-anchored from a scan of every input (by columns, four inputs per vector):
    its ids are the brute-force band, in order, with the canonical values bit for bit, for any ``n`` and ``d``
    (tails of inputs and of coordinates), with signed zeros among the weights and inputs."""
    from classical.exact import exact_dots
    from quantum_train.finders import _drift_kernels as K

    rng = np.random.default_rng(11 + n + d)
    X = rng.standard_normal((n, d))
    X /= np.linalg.norm(X, axis=1, keepdims=True)
    X[::5, 0] = -0.0
    w = rng.standard_normal(d)
    w[d // 2] = -0.0
    truth = exact_dots(X, w)
    low = np.sort(truth)[n // 2] - 1e-3  # about half the inputs in the band
    XT = K.input_columns(X)
    assert XT.shape[0] == d and XT.shape[1] % 4 == 0 and XT.shape[1] > n and XT.flags.c_contiguous
    scratch = K.band_scratch(n)
    ids, values = scratch[0], scratch[1]
    k = K.band_scan(w, XT, n, low, ids, values)
    assert 0 < k <= n
    assert np.array_equal(ids[:k], np.flatnonzero(truth > low))
    assert np.array_equal(values[:k].view(np.int64), truth[ids[:k]].view(np.int64))


def _moved_neuron(seed=12):
    """A prepared drift finder and a neuron whose weights moved far past ``tau`` (the finder not told)."""
    from quantum_train.finders.drift import DriftFinder

    ds = load_dataset("synthetic", n=150, d=4, seed=seed)
    net = ShiftedReLUNet.initialize(400, 4, seed=seed)
    finder = DriftFinder()
    finder.prepare(net, ds.X)
    r = int(np.argmax(finder.n_fired))
    net.W[r] += 0.5 * np.random.default_rng(seed).standard_normal(4)
    return ds.X, net, finder, r


def _refresh_one(X, net, finder, r, renew=True):
    from quantum_train.finders import _drift_kernels as K

    deltas = np.zeros((2, len(X)), dtype=np.int64)
    out = np.zeros(len(X))
    scratch = K.band_scratch(len(X))
    anchored, k = K.refresh_in_pass(r, net.W[r], finder.A, (net.a[r], net.b, finder.tau, finder.x_norm_max),
                                    (X, K.input_columns(X)),
                                    scratch, K.drift_state(finder), (deltas, 1, out), True, renew)
    return anchored, k, deltas, out


def test_refresh_in_the_pass_reanchors_a_neuron_as_a_scan_would():
    """Re-anchored in the pass, a neuron's fired set is the brute-force one, its count changes are the set
    differences against its old fired set, its forward contributions are the dense pass's bit for bit, and its
    slots (candidates, order of margin, lead copies) are those of a fresh anchor."""
    from classical.exact import exact_dots

    X, net, finder, r = _moved_neuron()
    indptr, ids = finder.current_fired_sets(len(X)).by_neuron
    old = set(ids[indptr[r]:indptr[r + 1]].tolist())
    anchored, k, deltas, out = _refresh_one(X, net, finder, r)
    z = exact_dots(X, net.W[r])
    new = set(np.flatnonzero(z > net.b).tolist())
    assert anchored and k == len(new) and new != old
    expected = np.zeros(len(X), dtype=np.int64)
    expected[sorted(new - old)] += 1
    expected[sorted(old - new)] -= 1
    assert np.array_equal(deltas[1], expected) and not deltas[0].any()
    contributions = np.zeros(len(X))
    fired = np.array(sorted(new))
    contributions[fired] = net.a[r] * (z[fired] - net.b)
    assert np.array_equal(out, contributions)
    assert np.array_equal(finder.A[r], net.W[r])
    lo = finder.start[r]
    band = np.flatnonzero(z > net.b - finder.tau)
    assert sorted(finder.idx[lo:lo + finder.length[r]].tolist()) == band.tolist()
    margins = np.abs(finder.z[lo:lo + finder.length[r]] - net.b)
    assert np.all(np.diff(margins) >= 0)
    assert np.array_equal(finder.z[lo:lo + finder.length[r]], z[finder.idx[lo:lo + finder.length[r]]])
    assert finder.near[r] == 0 and finder.drift_bound[r] == 0.0
    assert finder.current_fired_sets(len(X)) == net.fired_sets(X)
    assert_lead_copies_match_the_slots(finder, net.b)


@pytest.mark.parametrize("why", ["no room", "no renew"])
def test_refresh_in_the_pass_leaves_the_slots_when_it_cannot_reanchor(why):
    """Without room for the new candidates (or told not to re-anchor) the pass leaves the neuron's slots as they
    were, for the scan after it, and still gives its count changes and contributions."""
    X, net, finder, r = _moved_neuron()
    if why == "no room":
        finder.cap[r] = 0
    before = {name: getattr(finder, name).copy() for name in ("idx", "z", "fired_idx", "A", "n_fired", "length")}
    anchored, k, deltas, out = _refresh_one(X, net, finder, r, renew=why != "no renew")
    assert not anchored and k > 0 and deltas[1].any() and out.any()
    for name, value in before.items():
        assert getattr(finder, name).tobytes() == value.tobytes(), name  # slack slots hold anything, NaN too


def test_refreshes_in_a_fused_step_retake_no_forward_pass():
    """A neuron past tau is decided inside the fused pass: training with refreshes takes the forward pass from
    the state once (iteration 0), never again after a step, and stays the four-pass run bit for bit."""
    ds = load_dataset("synthetic", n=80, d=4, seed=8)
    net = ShiftedReLUNet.initialize(3000, 4, seed=8)
    finder = make_finder("drift")
    calls = []
    take = finder.forward_from_state
    finder.forward_from_state = lambda *args: calls.append(1) or take(*args)
    lr = 5.0 * default_learning_rate(len(ds.X), net.b)
    fused = train(net.copy(), ds.X, ds.y, finder, 10, lr)
    phased = train(net.copy(), ds.X, ds.y, make_finder("drift-unfused"), 10, lr)
    assert fused.extras["neurons_refreshed"] > 0
    assert len(calls) == 1
    assert_same_run(fused, phased)
