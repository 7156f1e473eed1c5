"""Fixed-point quantization of a thresholded inner-product predicate.

The gate-level oracle (:mod:`circuits.arithmetic_oracle`) decides, for a table
of ``m`` real vectors ``w_r`` in ``R^d``, a classical query ``x`` and a
threshold ``b``, whether ``<w_r, x> > b``, in ``p``-bit fixed point. This
module states the rounding once, and both the circuit and the classical truth
table use it.

**The rounding** (``p >= 2`` bits, ``P = 2^(p-1) - 1``):

- weights: one scale ``2^fw`` for the whole table, ``fw`` the largest integer
  with ``max_r,j |w_rj| 2^fw <= P``; ``W_rj = rint(w_rj 2^fw)`` (round half to
  even), so ``|W_rj| <= P`` and nothing is clipped;
- the query: likewise ``fx`` from ``max_j |x_j|`` and ``X_j = rint(x_j 2^fx)``;
- the threshold: ``B = floor(b 2^(fw+fx))``.

Then ``Q(<w_r, x>) = <W_r, X> / 2^(fw+fx)`` is computed exactly (integers), and
for integers ``A``, ``A > floor(b S)`` iff ``A > b S``: the oracle marks exactly

    ``{r : Q(<w_r, x>) > b} = {r : <W_r, X> > B}``,

so the threshold itself is not perturbed; only the weights and the query are.
A pair's state flips against the exact ``<w_r, x> > b`` only when the rounding
moves ``<w_r, x>`` across ``b`` (error at most about
``sqrt(d) (2^-fw ||x|| + 2^-fx ||w_r||) / 2``).

**Offset binary.** The circuit stores ``U_rj = W_rj + 2^(p-1)`` in
``[1, 2^p - 1]`` (a ``p``-bit unsigned word: the two's-complement word with its
top bit flipped), so that it never needs sign extension:
``<W_r, X> = <U_r, X> - 2^(p-1) sum_j X_j``, and the constant goes into the
threshold: marked iff ``<U_r, X> > B' = B + 2^(p-1) sum_j X_j``.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field

import numpy as np

MIN_BITS = 2
MAX_BITS = 32


def check_bits(bits: int) -> int:
    """``p`` must be an integer in ``[2, 32]``."""
    if isinstance(bits, bool) or not isinstance(bits, (int, np.integer)) or not MIN_BITS <= bits <= MAX_BITS:
        raise ValueError(f"bits must be an integer in [{MIN_BITS}, {MAX_BITS}], got {bits!r}")
    return int(bits)


def scale_exponent(values: np.ndarray, bits: int) -> int:
    """Largest integer ``f`` with ``max |values| 2^f <= 2^(bits-1) - 1`` (``0`` if all are zero)."""
    peak = float(np.max(np.abs(values))) if np.size(values) else 0.0
    if peak == 0.0:
        return 0
    top = (1 << (bits - 1)) - 1
    f = math.floor(math.log2(top / peak))
    while peak * 2.0 ** (f + 1) <= top:  # guard log2 rounding both ways
        f += 1
    while peak * 2.0 ** f > top:
        f -= 1
    return f


def quantize(values: np.ndarray, exponent: int) -> np.ndarray:
    """``rint(values 2^exponent)`` as int64 (round half to even)."""
    return np.rint(np.asarray(values, dtype=float) * 2.0 ** exponent).astype(np.int64)


@dataclass(frozen=True)
class FixedPointInstance:
    """One quantized instance: ``W`` (m, d) and ``X`` (d,) integers, threshold ``B``, ``bits``.

    ``weight_exponent`` / ``input_exponent`` are ``fw`` / ``fx`` (module docstring).
    """

    bits: int
    weight_exponent: int
    input_exponent: int
    W: np.ndarray = field(repr=False)
    X: np.ndarray = field(repr=False)
    B: int

    @property
    def m(self) -> int:
        return int(self.W.shape[0])

    @property
    def d(self) -> int:
        return int(self.W.shape[1])

    @property
    def offset(self) -> int:
        """``2^(p-1)``: ``U = W + offset``."""
        return 1 << (self.bits - 1)

    @property
    def words(self) -> np.ndarray:
        """Offset-binary words ``U = W + 2^(p-1)``, in ``[1, 2^p - 1]`` (m, d)."""
        return self.W + self.offset

    @property
    def shifted_threshold(self) -> int:
        """``B' = B + 2^(p-1) sum_j X_j``: marked iff ``<U_r, X> > B'``."""
        return int(self.B + self.offset * int(self.X.sum()))

    def scores(self) -> np.ndarray:
        """``<W_r, X>`` for every ``r`` (exact integers)."""
        return self.W @ self.X

    def marked(self) -> np.ndarray:
        """Sorted ``{r : <W_r, X> > B}``: the quantized fired set."""
        return np.flatnonzero(self.scores() > self.B).astype(np.int64)


def fixed_point_instance(table, x, b: float, bits: int) -> FixedPointInstance:
    """Quantize ``(table, x, b)`` at ``bits`` bits (module docstring)."""
    bits = check_bits(bits)
    W = np.asarray(table, dtype=float)
    xv = np.asarray(x, dtype=float).reshape(-1)
    if W.ndim != 2 or W.shape[0] < 1 or W.shape[1] < 1:
        raise ValueError(f"table must be a non-empty (m, d) array, got shape {W.shape}")
    if xv.shape[0] != W.shape[1]:
        raise ValueError(f"x has {xv.shape[0]} components but the table's vectors have {W.shape[1]}")
    if not (np.all(np.isfinite(W)) and np.all(np.isfinite(xv)) and math.isfinite(b)):
        raise ValueError("table, x and b must be finite")
    fw = scale_exponent(W, bits)
    fx = scale_exponent(xv, bits)
    return FixedPointInstance(bits=bits, weight_exponent=fw, input_exponent=fx,
                              W=quantize(W, fw), X=quantize(xv, fx),
                              B=math.floor(b * 2.0 ** (fw + fx)))


def quantization_flips(table, x, b: float, bits: int) -> int:
    """How many ``r`` the rounding moves across the threshold: ``|{<w_r,x> > b} xor {Q marks r}|``."""
    exact = np.asarray(table, dtype=float) @ np.asarray(x, dtype=float).reshape(-1) > b
    quant = np.zeros(exact.size, dtype=bool)
    quant[fixed_point_instance(table, x, b, bits).marked()] = True
    return int(np.count_nonzero(exact != quant))


def flips_by_bits(table, inputs, b: float, bits_list) -> dict[int, int]:
    """Total flipped pairs ``(i, r)`` over the rows of ``inputs``, for each ``p`` in ``bits_list``."""
    X = np.atleast_2d(np.asarray(inputs, dtype=float))
    return {int(p): sum(quantization_flips(table, x, b, int(p)) for x in X) for p in bits_list}
