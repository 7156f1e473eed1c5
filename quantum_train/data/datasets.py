"""Unit-norm training data: synthetic, and the datasets bundled with scikit-learn.

Every data set is returned as ``X`` (n, d) float64 with ``||x_i|| = 1`` (the
paper's assumption, which also makes ``<w, x> ~ N(0, 1)`` at initialisation)
and real targets ``y`` (n,). Nothing is downloaded: the real data sets are the
ones that ship inside scikit-learn (``iris``, ``wine``, ``breast_cancer``,
``digits``).

Synthetic data: ``x_i`` uniform on the unit sphere (normalised Gaussians).
Labels ``y_i = sign(<v, x_i>)`` for a fixed random unit teacher ``v``
(``labels="teacher"``, the default) or i.i.d. uniform in ``{-1, +1}``
(``labels="uniform"``).

Real data: features standardised (zero mean, unit variance), optionally
projected on their first ``d`` principal components, then each row scaled to
unit norm. Targets: two classes map to ``-1, +1``; ``C > 2`` classes map the
class index ``c`` to ``-1 + 2c / (C - 1)`` (evenly spaced in ``[-1, 1]``). If
``n`` is smaller than the data set, a seeded subsample without replacement.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from quantum_train.errors import DataError
from quantum_train.seeds import SeedError, stream

REAL_DATASETS = ("iris", "wine", "breast_cancer", "digits")
#: Synthetic data when no size is given.
SYNTHETIC_N, SYNTHETIC_D = 256, 16
DATASETS = ("synthetic",) + REAL_DATASETS
#: Extensions of the data files ``--data PATH`` reads.
DATA_FILE_TYPES = (".npz", ".npy", ".csv")


@dataclass
class Dataset:
    """Inputs ``X`` (unit rows), targets ``y`` and how they were made."""

    name: str
    X: np.ndarray
    y: np.ndarray
    info: dict = field(default_factory=dict)

    @property
    def n(self) -> int:
        return self.X.shape[0]

    @property
    def d(self) -> int:
        return self.X.shape[1]


def normalize_rows(X: np.ndarray) -> np.ndarray:
    """Scale each row to unit Euclidean norm; refuses NaN/inf and zero rows."""
    X = np.asarray(X, dtype=np.float64)
    if X.ndim != 2:
        raise DataError("X", f"inputs must be a 2-D array (n, d), got shape {X.shape}")
    if not np.isfinite(X).all():
        raise DataError("X", "inputs contain NaN or inf; clean or impute them first")
    norms = np.linalg.norm(X, axis=1)
    if (norms == 0).any():
        raise DataError("X", f"input row {int(np.argmin(norms))} is the zero vector and cannot be normalised")
    return X / norms[:, None]


def validate_training_data(X: np.ndarray, y: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Check shapes and finiteness; return C-contiguous float64 copies with unit rows."""
    X = normalize_rows(X)
    y = np.asarray(y, dtype=np.float64)
    if y.shape != (X.shape[0],):
        raise DataError("y", f"targets must have shape ({X.shape[0]},), got {y.shape}")
    if not np.isfinite(y).all():
        raise DataError("y", "targets contain NaN or inf")
    if X.shape[0] == 0:
        raise DataError("n", "no inputs")
    return np.ascontiguousarray(X), np.ascontiguousarray(y)


def _stream(seed: int | np.random.Generator, purpose: str) -> np.random.Generator:
    try:
        return stream(seed, purpose)
    except SeedError as err:
        raise DataError("seed", str(err)) from None


def synthetic(n: int, d: int, seed: int | np.random.Generator = 0, labels: str = "teacher") -> Dataset:
    """``n`` points uniform on the unit sphere in ``R^d`` with teacher or uniform labels."""
    if n <= 0:
        raise DataError("n", f"n must be positive, got {n}")
    if d <= 0:
        raise DataError("d", f"d must be positive, got {d}")
    rng = _stream(seed, "data")
    X = normalize_rows(rng.standard_normal((n, d)))
    if labels == "teacher":
        v = rng.standard_normal(d)
        v /= np.linalg.norm(v)
        y = np.where(X @ v > 0, 1.0, -1.0)
    elif labels == "uniform":
        y = rng.choice(np.array([-1.0, 1.0]), size=n)
    else:
        raise DataError("labels", f"labels must be 'teacher' or 'uniform', got {labels!r}")
    return Dataset("synthetic", X, y, {"labels": labels})


def _load_sklearn(name: str):
    from sklearn import datasets

    loader = {
        "iris": datasets.load_iris,
        "wine": datasets.load_wine,
        "breast_cancer": datasets.load_breast_cancer,
        "digits": datasets.load_digits,
    }[name]
    bunch = loader()
    return np.asarray(bunch.data, dtype=np.float64), np.asarray(bunch.target)


def class_targets(labels: np.ndarray) -> np.ndarray:
    """Two classes to ``-1, +1``; ``C`` classes to ``-1 + 2c/(C-1)`` by sorted class index."""
    classes, index = np.unique(labels, return_inverse=True)
    if len(classes) < 2:
        raise DataError("data", "need at least two classes")
    return -1.0 + 2.0 * index / (len(classes) - 1)


def real_dataset(name: str, n: int | None = None, d: int | None = None, seed: int | np.random.Generator = 0) -> Dataset:
    """A scikit-learn bundled data set, standardised, PCA-projected to ``d``, unit rows."""
    if name not in REAL_DATASETS:
        raise DataError("data", f"unknown dataset {name!r}; choose one of {', '.join(DATASETS)}, or a .npz, "
                        ".npy or .csv file")
    features, labels = _load_sklearn(name)
    size, dim = features.shape
    return prepared(name, features, class_targets(labels), n, d, seed,
                    {"source": "scikit-learn bundled", "original_shape": [size, dim],
                     "classes": int(len(np.unique(labels)))})


def prepared(name: str, features: np.ndarray, targets: np.ndarray, n: int | None, d: int | None,
             seed: int | np.random.Generator, info: dict) -> Dataset:
    """Subsample ``n`` rows (seeded), standardise, drop constant features, project on ``d`` principal
    components, scale rows to unit norm: the one pipeline of every non-synthetic data set."""
    from sklearn.decomposition import PCA
    from sklearn.preprocessing import StandardScaler

    size, dim = features.shape
    if d is not None and not 0 < d <= dim:
        raise DataError("d", f"d = {d} is not in 1..{dim}, the dimension of {name}")
    if n is not None and not 0 < n <= size:
        raise DataError("n", f"n = {n} is not in 1..{size}, the size of {name}")
    rng = _stream(seed, "subsample")
    if n is not None and n < size:
        keep = np.sort(rng.choice(size, size=n, replace=False))
        features, targets = features[keep], targets[keep]
    if features.shape[0] < 2:
        raise DataError("data", f"{name} has {features.shape[0]} row; standardising needs at least 2")
    Z = StandardScaler().fit_transform(features)
    Z = Z[:, Z.std(axis=0) > 0]  # drop constant features (digits has some)
    if Z.shape[1] == 0:
        raise DataError("data", f"every feature of {name} is constant; nothing to learn from")
    if d is not None and d < Z.shape[1]:
        Z = PCA(n_components=d, random_state=0).fit_transform(Z)
    elif d is not None and d > Z.shape[1]:
        raise DataError("d", f"d = {d} exceeds the {Z.shape[1]} non-constant features of {name}")
    zero = np.flatnonzero(np.linalg.norm(Z, axis=1) == 0)
    if len(zero):
        raise DataError("data", f"row {int(zero[0])} of {name} is zero after standardisation (it equals the "
                        "feature means) and has no direction; drop it")
    return Dataset(name, normalize_rows(Z), np.ascontiguousarray(targets, dtype=np.float64), info)


def user_dataset(X, y, n: int | None = None, d: int | None = None, seed: int | np.random.Generator = 0,
                 name: str = "arrays") -> Dataset:
    """The user's own inputs ``X`` (rows) and real targets ``y``, prepared like the bundled sets.

    Targets are used as given (regression); features go through :func:`prepared`.
    Masked arrays are refused (their mask would be ignored); arrays in any
    memory order (C, Fortran, strided) are copied to C order first, so the
    result does not depend on the layout.
    """
    for what, arr in (("X", X), ("y", y)):
        if isinstance(arr, np.ma.MaskedArray):
            raise DataError("data", f"{name}: {what} is a masked array, whose mask would be lost; fill the masked "
                            f"entries ({what}.filled(value)) or drop their rows first")
    X = np.ascontiguousarray(X)  # one memory order: results do not depend on the caller's layout
    y = np.ascontiguousarray(y) if y is not None else None
    if y is None:
        raise DataError("data", f"{name}: no targets y; give them")
    if X.dtype.kind not in "biuf" or y.dtype.kind not in "biuf":
        raise DataError("data", f"{name}: X and y must be numeric, got {X.dtype} and {y.dtype}")
    if X.ndim != 2 or X.shape[0] == 0 or X.shape[1] == 0:
        raise DataError("data", f"{name}: X must be a non-empty 2-D array (n, d), got shape {X.shape}")
    if y.shape != (X.shape[0],):
        raise DataError("data", f"{name}: y must have shape ({X.shape[0]},) to match X, got {y.shape}")
    for what, arr in (("X", X), ("y", y)):
        bad = np.argwhere(~np.isfinite(arr.astype(np.float64)))
        if len(bad):
            raise DataError("data", f"{name}: {what} has NaN or inf at {'row, column' if arr.ndim == 2 else 'row'} "
                            f"{', '.join(map(str, bad[0]))}; clean or impute it")
    if X.shape[0] < 2:
        raise DataError("data", f"{name} has a single row; give at least 2")
    return prepared(name, X.astype(np.float64), y.astype(np.float64), n, d, seed,
                    {"source": "user", "original_shape": list(X.shape)})


def is_data_file(name: str) -> bool:
    """``name`` names a data file (by its extension) rather than a built-in data set."""
    return name.lower().endswith(DATA_FILE_TYPES)


def load_dataset(name: str, n: int | None = None, d: int | None = None, seed: int | np.random.Generator = 0,
                 target: str | None = None) -> Dataset:
    """Any data set by name or file path; synthetic defaults to ``SYNTHETIC_N`` points in ``R^SYNTHETIC_D``.

    A path ending in ``.npz``, ``.npy`` or ``.csv`` is read by
    :func:`quantum_train.data.datafile.read_data_file` (``target`` names a CSV column).
    """
    if name == "synthetic":
        return synthetic(SYNTHETIC_N if n is None else n, SYNTHETIC_D if d is None else d, seed)
    if is_data_file(name):
        from quantum_train.data.datafile import read_data_file

        X, y = read_data_file(name, target)
        return user_dataset(X, y, n, d, seed, name=name)
    return real_dataset(name, n, d, seed)
