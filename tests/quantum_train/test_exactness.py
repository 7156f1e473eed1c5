"""Every exact finder returns the dense fired sets at every iteration, and the same weights.

The finders are taken from the registry, so a new exact finder is held to this
test as soon as it is registered.
"""

import numpy as np
import pytest

from classical.exact import exact_dots
from quantum_train.core.model import ShiftedReLUNet
from quantum_train.core.train import default_learning_rate, train
from quantum_train.data.datasets import REAL_DATASETS, load_dataset
from quantum_train.finders import exact_finder_names, make_finder

EXACT = [name for name in exact_finder_names() if name != "dense"]  # pinned structures included


def run_side_by_side(name, X, y, m, iters, lr_scale=1.0, seed=0, b=None):
    net = ShiftedReLUNet.initialize(m, X.shape[1], seed=seed, b=b)
    lr = lr_scale * default_learning_rate(len(X), net.b)
    dense_sets, sets = [], []
    ref = train(net.copy(), X, y, make_finder("dense"), iters, lr, on_iteration=lambda t, f: dense_sets.append(f))
    got = train(net.copy(), X, y, make_finder(name, seed), iters, lr, on_iteration=lambda t, f: sets.append(f))
    for t, (a, b_) in enumerate(zip(dense_sets, sets)):
        assert a == b_, f"{name}: fired sets differ from dense at iteration {t}"
    assert np.max(np.abs(got.W - ref.W)) <= 1e-9
    assert got.loss == ref.loss
    return ref, got


def test_registry_has_exact_finders_beyond_dense():
    assert "drift" in EXACT


@pytest.mark.parametrize("name", EXACT)
@pytest.mark.parametrize("d", [2, 4, 8, 16])
def test_exact_on_synthetic(name, d):
    ds = load_dataset("synthetic", n=60, d=d, seed=d)
    run_side_by_side(name, ds.X, ds.y, m=1500, iters=8)


@pytest.mark.parametrize("name", EXACT)
@pytest.mark.parametrize("data", REAL_DATASETS)
def test_exact_on_bundled_data(name, data):
    ds = load_dataset(data, n=min(120, {"iris": 150, "wine": 178}.get(data, 120)), d=4, seed=1)
    run_side_by_side(name, ds.X, ds.y, m=1000, iters=6)


@pytest.mark.parametrize("name", EXACT)
@pytest.mark.parametrize("lr_scale", [0.01, 30.0, 3000.0])
def test_exact_for_any_learning_rate(name, lr_scale):
    """Tiny steps (nothing refreshes) and huge ones (weights jump across b) alike."""
    ds = load_dataset("synthetic", n=40, d=3, seed=5)
    run_side_by_side(name, ds.X, ds.y, m=800, iters=6, lr_scale=lr_scale)


@pytest.mark.parametrize("name", EXACT)
def test_exact_with_ties_on_a_lattice(name):
    """Inputs and weights on a coarse lattice make many inner products hit b exactly."""
    rng = np.random.default_rng(3)
    X = rng.integers(-2, 3, size=(50, 3)).astype(float)
    X = X[np.linalg.norm(X, axis=1) > 0]
    X /= np.linalg.norm(X, axis=1, keepdims=True)
    y = rng.choice([-1.0, 1.0], size=len(X))
    net = ShiftedReLUNet.initialize(300, 3, seed=4, b=0.5)
    net.W[:] = rng.integers(-2, 3, size=net.W.shape).astype(float)
    values = np.array([exact_dots(net.W, x) for x in X]).ravel()
    positive, counts = np.unique(values[values > 0], return_counts=True)
    net.b = float(positive[np.argmax(counts)])  # the most frequent positive value: many exact ties
    assert counts.max() >= 20
    dense_sets, sets = [], []
    train(net.copy(), X, y, make_finder("dense"), 1, 1e-3, on_iteration=lambda t, f: dense_sets.append(f))
    train(net.copy(), X, y, make_finder(name), 1, 1e-3, on_iteration=lambda t, f: sets.append(f))
    assert dense_sets[0] == sets[0]
