"""One root seed, independent streams: data and initial weights must not share random numbers."""

import numpy as np
import pytest
from scipy import stats

from quantum_train.core.model import ShiftedReLUNet
from quantum_train.data.datasets import DataError, load_dataset
from quantum_train.seeds import STREAMS, RunSeeds, SeedError, check_seed, stream


def cosines(W, X):
    return (W / np.linalg.norm(W, axis=1, keepdims=True)) @ X.T


def test_default_instance_has_no_weight_row_parallel_to_an_input():
    # the former bug: default_rng(seed) for both made W[:n] / |W[:n]| == X exactly
    data = load_dataset("synthetic", seed=0)
    net = ShiftedReLUNet.initialize(4096, data.d, seed=0)
    assert not np.allclose(net.W[: data.n] / np.linalg.norm(net.W[: data.n], axis=1, keepdims=True), data.X)
    c = cosines(net.W, data.X)
    # 1M pairs of independent directions in R^16: |cos| near 1 has chance ~ (1 - c^2)^6.5; 0.95 is ~1e-8 per pair
    assert np.abs(c).max() < 0.95


@pytest.mark.parametrize("seed", [0, 1, 7])
def test_weights_and_inputs_are_statistically_independent(seed):
    d, n, m = 1000, 8, 64
    data = load_dataset("synthetic", n=n, d=d, seed=seed)
    net = ShiftedReLUNet.initialize(m, d, seed=seed)
    z = (cosines(net.W, data.X) * np.sqrt(d)).ravel()  # ~ N(0, 1) when independent (to O(1/d))
    assert stats.kstest(z, "norm").pvalue > 1e-4
    assert np.abs(z).max() < 6.0  # a shared stream gives sqrt(d) ~ 31.6


def test_streams_are_reproducible_and_distinct():
    a, b = RunSeeds.from_seed(5), RunSeeds.from_seed(5)
    draws = {p: a.rng(p).standard_normal(4) for p in STREAMS}
    for p in STREAMS:
        np.testing.assert_array_equal(draws[p], b.rng(p).standard_normal(4))
    assert len({tuple(v) for v in draws.values()}) == len(STREAMS)
    g = np.random.default_rng(3)
    assert stream(g, "data") is g  # a given generator is used as is


@pytest.mark.parametrize("bad", [-1, 1.5, "3", True])
def test_bad_seed(bad):
    with pytest.raises(SeedError):
        check_seed(bad)
    with pytest.raises(DataError) as err:
        load_dataset("synthetic", n=4, d=2, seed=bad)
    assert err.value.argument == "seed"
