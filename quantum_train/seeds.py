"""Independent random streams of one run, all derived from one root seed.

A run draws random numbers for four unrelated purposes: the data (synthetic
inputs and teacher), the network (``W(0)`` and ``a``), the subsample of a real
data set, and the randomised Grover searches. Drawing them all from
``default_rng(seed)`` makes them the *same* numbers: with a synthetic data set
of ``n`` points and a network initialised from the same seed, the first ``n``
weight rows were exactly parallel to the ``n`` inputs, so every input had one
neuron firing with ``<w, x> = |w| ~ sqrt(d)``.

:class:`RunSeeds` spawns one child :class:`numpy.random.SeedSequence` per
purpose from the root seed (``SeedSequence(seed).spawn(4)``, NumPy's
recommended way to get independent, reproducible streams). A run is
reproduced from its root seed alone.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

#: The purposes, in spawn order (changing the order changes every run).
STREAMS = ("data", "network", "subsample", "search")


class SeedError(ValueError):
    """A seed that cannot root a run (not an integer >= 0)."""


def check_seed(seed: object) -> int:
    """``seed`` as a non-negative ``int``, or a :class:`SeedError`."""
    if isinstance(seed, bool) or not isinstance(seed, (int, np.integer)) or seed < 0:
        raise SeedError(f"must be an integer >= 0, got {seed!r}")
    return int(seed)


@dataclass(frozen=True)
class RunSeeds:
    """One independent :class:`~numpy.random.SeedSequence` per purpose of a run."""

    root: int
    data: np.random.SeedSequence
    network: np.random.SeedSequence
    subsample: np.random.SeedSequence
    search: np.random.SeedSequence

    @classmethod
    def from_seed(cls, seed: int) -> "RunSeeds":
        root = check_seed(seed)
        children = np.random.SeedSequence(root).spawn(len(STREAMS))
        return cls(root, *children)

    def rng(self, purpose: str) -> np.random.Generator:
        """A fresh generator of one stream (the same numbers at every call)."""
        if purpose not in STREAMS:
            raise KeyError(f"unknown stream {purpose!r}; one of {', '.join(STREAMS)}")
        return np.random.default_rng(getattr(self, purpose))


def stream(seed: int | np.random.Generator, purpose: str) -> np.random.Generator:
    """The generator for ``purpose``: a given generator as is, or that stream of a root seed.

    Every public entry point that takes an integer seed (``load_dataset``,
    ``ShiftedReLUNet.initialize``, the Grover finders) maps it through its own
    stream, so the same integer given to all of them yields independent draws.
    """
    if isinstance(seed, np.random.Generator):
        return seed
    return RunSeeds.from_seed(seed).rng(purpose)
