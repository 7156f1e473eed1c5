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
    parser.addoption("--crosscheck", action="store_true", default=False,
                     help="collect tests/crosscheck: the counts against Qualtran, which needs the crosscheck extra "
                     "in its own environment (.ci/run makes one)")


def pytest_ignore_collect(collection_path, config):
    """``tests/crosscheck`` is collected only with ``--crosscheck`` (not skipped: not collected at all)."""
    if collection_path.name == "crosscheck" and not config.getoption("--crosscheck"):
        return True
    return None


def pytest_collection_modifyitems(config, items):
    """The full-size notebook runs are deselected (not skipped) unless --full-size is given."""
    if config.getoption("--full-size"):
        return
    kept = [item for item in items if item.get_closest_marker("full_size") is None]
    if len(kept) != len(items):
        config.hook.pytest_deselected(items=[item for item in items if item not in kept])
        items[:] = kept
