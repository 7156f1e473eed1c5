import numpy as np
import pytest


@pytest.fixture
def rng():
    return np.random.default_rng(12345)


def unit_rows(rng, n, d):
    X = rng.standard_normal((n, d))
    return X / np.linalg.norm(X, axis=1, keepdims=True)


def pytest_addoption(parser):
    parser.addoption("--full-size", action="store_true", default=False,
                     help="also run the notebooks at their full sizes (about 12 min; .ci/run does)")


def pytest_collection_modifyitems(config, items):
    """The full-size notebook runs are deselected (not skipped) unless --full-size is given."""
    if config.getoption("--full-size"):
        return
    kept = [item for item in items if item.get_closest_marker("full_size") is None]
    if len(kept) != len(items):
        config.hook.pytest_deselected(items=[item for item in items if item not in kept])
        items[:] = kept
