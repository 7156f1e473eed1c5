"""The search problem: ``m`` items indexed ``0 .. m-1``, a set of marked items.

Items are stored on ``q = max(1, ceil(log2 m))`` index qubits, so the search
space has ``N = 2^q`` basis states; indices ``m .. N-1`` are padding and are
never marked. This module only validates and normalises the input.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np


def num_qubits_for(num_items: int) -> int:
    """Index qubits for ``num_items`` items: ``max(1, ceil(log2 m))``."""
    m = _positive_int(num_items, "num_items")
    return max(1, (m - 1).bit_length())


def _positive_int(value, name: str) -> int:
    if isinstance(value, (bool, np.bool_)) or not isinstance(value, (int, np.integer)):
        raise TypeError(f"{name} must be an integer, got {value!r} ({type(value).__name__})")
    if value <= 0:
        raise ValueError(f"{name} must be positive, got {value}; pass an integer >= 1")
    return int(value)


def as_marked(marked, num_items: int, name: str = "marked") -> np.ndarray:
    """Validate a marked set: distinct integers in ``[0, num_items)``; returns sorted int64."""
    arr = np.asarray(marked)
    if arr.ndim != 1:
        arr = arr.reshape(-1) if arr.size == 0 else arr
        if arr.ndim != 1:
            raise ValueError(f"{name} must be a 1-D sequence of item indices, got shape {arr.shape}")
    if arr.size == 0:
        return np.zeros(0, dtype=np.int64)
    if arr.dtype.kind == "f":
        if not np.all(np.isfinite(arr)) or not np.all(arr == np.round(arr)):
            raise ValueError(f"{name} must hold integer item indices, got non-integer values")
    elif arr.dtype.kind not in "iu":
        raise TypeError(f"{name} must hold integer item indices, got dtype {arr.dtype}")
    out = np.sort(arr.astype(np.int64))
    if out[0] < 0 or out[-1] >= num_items:
        bad = out[0] if out[0] < 0 else out[-1]
        raise ValueError(
            f"{name} index {bad} is out of range [0, {num_items}); marked items must be "
            f"indices of real items (padding indices >= num_items are never marked)"
        )
    if out.size > 1 and np.any(out[1:] == out[:-1]):
        raise ValueError(f"{name} contains duplicate indices; pass each marked item once")
    return out


@dataclass(frozen=True)
class SearchProblem:
    """``num_items`` items, ``marked`` the set to find (distinct indices in ``[0, num_items)``)."""

    num_items: int
    marked: np.ndarray = field(repr=False)

    def __post_init__(self) -> None:
        m = _positive_int(self.num_items, "num_items")
        object.__setattr__(self, "num_items", m)
        marked = as_marked(self.marked, m)
        marked.setflags(write=False)
        object.__setattr__(self, "marked", marked)

    @property
    def num_qubits(self) -> int:
        """``q = max(1, ceil(log2 m))``."""
        return num_qubits_for(self.num_items)

    @property
    def num_states(self) -> int:
        """``N = 2^q`` (the padded search space)."""
        return 1 << self.num_qubits

    @property
    def num_marked(self) -> int:
        return int(self.marked.size)

    def __repr__(self) -> str:
        return f"SearchProblem(num_items={self.num_items}, num_marked={self.num_marked})"
