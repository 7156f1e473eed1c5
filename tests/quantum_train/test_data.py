import numpy as np
import pytest

from quantum_train.data.datasets import (
    DATASETS,
    REAL_DATASETS,
    DataError,
    class_targets,
    load_dataset,
    normalize_rows,
    synthetic,
)


@pytest.mark.parametrize("name", DATASETS)
def test_every_dataset_has_unit_rows_and_finite_targets(name):
    ds = load_dataset(name, d=4 if name != "synthetic" else 6)
    assert ds.X.shape[1] == (6 if name == "synthetic" else 4)
    np.testing.assert_allclose(np.linalg.norm(ds.X, axis=1), 1.0, rtol=0, atol=1e-12)
    assert np.isfinite(ds.y).all() and ds.y.min() >= -1 and ds.y.max() <= 1


def test_real_dataset_subsample_is_seeded_and_targets_documented():
    a = load_dataset("wine", n=50, d=5, seed=3)
    b = load_dataset("wine", n=50, d=5, seed=3)
    c = load_dataset("wine", n=50, d=5, seed=4)
    assert np.array_equal(a.X, b.X) and not np.array_equal(a.X, c.X)
    assert set(np.unique(load_dataset("wine").y)) == {-1.0, 0.0, 1.0}
    assert set(np.unique(load_dataset("breast_cancer").y)) == {-1.0, 1.0}
    np.testing.assert_array_equal(class_targets(np.array([2, 0, 1, 0])), [1.0, -1.0, 0.0, -1.0])


def test_synthetic_teacher_labels_follow_a_halfspace():
    ds = synthetic(500, 3, seed=1)
    w, *_ = np.linalg.lstsq(ds.X, ds.y, rcond=None)
    assert np.mean(np.sign(ds.X @ w) == ds.y) > 0.95
    assert set(np.unique(synthetic(50, 3, seed=1, labels="uniform").y)) == {-1.0, 1.0}


@pytest.mark.parametrize(
    "kwargs,argument",
    [
        ({"name": "iris", "d": 5}, "d"),
        ({"name": "iris", "n": 151}, "n"),
        ({"name": "iris", "n": 0}, "n"),
        ({"name": "mnist"}, "data"),
        ({"name": "synthetic", "n": -1, "d": 3}, "n"),
        ({"name": "synthetic", "n": 5, "d": 0}, "d"),
    ],
)
def test_bad_requests_name_the_argument(kwargs, argument):
    with pytest.raises(DataError) as info:
        load_dataset(**kwargs)
    assert info.value.argument == argument


def test_normalize_rejects_nan_inf_and_zero_rows():
    with pytest.raises(DataError, match="NaN or inf"):
        normalize_rows(np.array([[1.0, np.nan]]))
    with pytest.raises(DataError, match="NaN or inf"):
        normalize_rows(np.array([[1.0, np.inf]]))
    with pytest.raises(DataError, match="zero vector"):
        normalize_rows(np.array([[1.0, 0.0], [0.0, 0.0]]))
    with pytest.raises(DataError, match="2-D"):
        normalize_rows(np.ones(3))


def test_real_datasets_are_the_bundled_ones():
    assert REAL_DATASETS == ("iris", "wine", "breast_cancer", "digits")
    assert load_dataset("digits").n == 1797
