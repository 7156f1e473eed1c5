import numpy as np
import pytest

from quantum_train.core.costs import ITERATION_PHASES, CostLedger
from quantum_train.core.model import ShiftedReLUNet
from quantum_train.core.train import default_learning_rate, train
from quantum_train.data.datasets import DATASETS, DataError, load_dataset
from quantum_train.finders import DenseFinder
from tests.conftest import unit_rows


@pytest.mark.parametrize("name", DATASETS)
def test_loss_decreases_with_default_learning_rate_on_every_dataset(name):
    ds = load_dataset(name, n=256 if name == "synthetic" else None, d=16 if name == "synthetic" else None)
    net = ShiftedReLUNet.initialize(4096, ds.d, seed=0)
    result = train(net, ds.X, ds.y, DenseFinder(), 15, default_learning_rate(ds.n, net.b))
    loss = np.array(result.loss)
    assert len(loss) == 16
    assert loss[-1] < 0.9 * loss[0]
    assert np.all(np.diff(loss) < 0), "gradient descent with lr = 1/trace(H) must descend monotonically"


def test_ledger_counts_the_dense_work_exactly(rng):
    n, m, d = 30, 500, 4
    X = unit_rows(rng, n, d)
    y = rng.standard_normal(n)
    net = ShiftedReLUNet.initialize(m, d, seed=1)
    seen = []
    result = train(net.copy(), X, y, DenseFinder(), 3, 0.05, on_iteration=lambda t, f: seen.append(f))
    ledger = result.ledger
    assert ledger.preprocess.ops == 0 and len(ledger.iterations) == 3
    for it, fired in zip(ledger.iterations, seen):
        assert it["find"].ops == n * m
        assert it["forward"].ops == fired.nnz and it["backward"].ops == fired.nnz
        moved = np.count_nonzero(np.diff(fired.by_neuron[0]))
        assert it["update"].ops == moved
        assert all(it[p].seconds >= 0 for p in ITERATION_PHASES)
    per = ledger.per_iteration()
    assert per["ops"] == pytest.approx(np.mean(ledger.series()))
    assert result.fired_mean[0] == pytest.approx(seen[0].per_input().mean())


def test_training_is_reproducible_from_the_seed(rng):
    ds = load_dataset("synthetic", n=40, d=5, seed=9)
    runs = [train(ShiftedReLUNet.initialize(300, 5, seed=2), ds.X, ds.y, DenseFinder(), 4, 0.1) for _ in range(2)]
    assert np.array_equal(runs[0].W, runs[1].W) and runs[0].loss == runs[1].loss


def test_train_rejects_bad_input(rng):
    net = ShiftedReLUNet.initialize(50, 3, seed=0)
    X = unit_rows(rng, 5, 3)
    y = np.zeros(5)
    with pytest.raises(ValueError, match="iters"):
        train(net, X, y, DenseFinder(), 0, 0.1)
    with pytest.raises(ValueError, match="learning rate"):
        train(net, X, y, DenseFinder(), 1, float("nan"))
    with pytest.raises(DataError, match="NaN"):
        train(net, np.where(X > 0, np.nan, X), y, DenseFinder(), 1, 0.1)
    with pytest.raises(DataError, match="shape"):
        train(net, X, np.zeros(4), DenseFinder(), 1, 0.1)
    with pytest.raises(ValueError, match="dimension"):
        train(net, unit_rows(rng, 5, 4), y, DenseFinder(), 1, 0.1)


def test_ledger_rejects_unknown_phase():
    ledger = CostLedger()
    with pytest.raises(RuntimeError):
        ledger.add("find", 1)
    ledger.new_iteration()
    with pytest.raises(ValueError, match="phase"):
        ledger.add("nonsense", 1)
