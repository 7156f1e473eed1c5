"""A neuron's gradient as LLVM vector code: four coordinates per instruction, inputs in their fixed order.

``g_j = s * sum_{t = lo .. hi-1} e_{i_t} x_{i_t j}`` (``i_t = ids[t]``) is
summed, for every coordinate ``j``, over the inputs in the order of ``ids``,
from ``+0.0``, and multiplied by ``s`` last: the order of
:func:`quantum_train.core.model.neuron_gradient` and of every earlier version of
it, so the rounding does not depend on how the coordinates are grouped.
Different coordinates are independent sums, so four of them share one
``<4 x double>`` accumulator, and sixteen (four accumulators) are kept in
registers while the inputs stream past: one vector load, multiply and add
per four coordinates of an input, and no store of ``g`` until the end.
numba's LLVM vectorises the plain loop over ``j`` only with ``g`` in memory
(reloaded and stored for every input); the vector code is therefore emitted
here, as in :mod:`classical._lanes` (no fast-math: no FMA, no reordering).
"""

from __future__ import annotations

from llvmlite import ir
from numba import types
from numba.core import cgutils
from numba.extending import intrinsic

from classical._lanes import V4, is_float64_c_array, splat

#: Accumulators (of four coordinates each) kept in registers per pass over the inputs.
REGISTER_BLOCKS = 4


@intrinsic
def gradient_blocks(_typingctx, X, err, ids, lo, hi, scale, g):
    """``g[: 4 (d // 4)]`` of the gradient above (``d = X.shape[1]``); the last ``d mod 4`` coordinates are the caller's.

    ``X`` (n, d), ``err`` (n,) and ``g`` (>= d) are C-contiguous float64,
    ``ids`` a C-contiguous integer array of valid row ids.
    """
    if not (is_float64_c_array(X, 2) and is_float64_c_array(err, 1) and is_float64_c_array(g, 1)
            and isinstance(ids, types.Array) and ids.ndim == 1 and ids.layout == "C"
            and isinstance(ids.dtype, types.Integer)):
        return None

    def codegen(context, builder, signature, args):
        xa = context.make_array(signature.args[0])(context, builder, args[0])
        ea = context.make_array(signature.args[1])(context, builder, args[1])
        ia = context.make_array(signature.args[2])(context, builder, args[2])
        ga = context.make_array(signature.args[6])(context, builder, args[6])
        first = context.cast(builder, args[3], signature.args[3], types.intp)
        last = context.cast(builder, args[4], signature.args[4], types.intp)
        scale_v = splat(builder, context.cast(builder, args[5], signature.args[5], types.float64))
        i64 = first.type
        one = ir.Constant(i64, 1)
        d = builder.extract_value(xa.shape, 1)
        blocks = builder.udiv(d, ir.Constant(i64, 4))
        g_vec = builder.bitcast(ga.data, V4.as_pointer())
        zero = ir.Constant(V4, [0.0] * 4)
        signed = signature.args[2].dtype.signed

        def blocks_from(block0, count: int) -> None:
            """Coordinates ``4 block0 .. 4 (block0 + count) - 1``: one pass over the inputs."""
            accs = [cgutils.alloca_once(builder, V4) for _ in range(count)]
            for acc in accs:
                builder.store(zero, acc)
            with cgutils.for_range_slice(builder, first, last, one, inc=True) as (t, _):
                i = builder.load(builder.gep(ia.data, [t]))
                if i.type.width < 64:
                    i = builder.sext(i, i64) if signed else builder.zext(i, i64)
                e = splat(builder, builder.load(builder.gep(ea.data, [i])))
                row = builder.bitcast(builder.gep(xa.data, [builder.mul(i, d)]), V4.as_pointer())
                for k, acc in enumerate(accs):
                    x = builder.load(builder.gep(row, [builder.add(block0, ir.Constant(i64, k))]), align=8)
                    builder.store(builder.fadd(builder.load(acc), builder.fmul(e, x)), acc)
            for k, acc in enumerate(accs):
                out = builder.gep(g_vec, [builder.add(block0, ir.Constant(i64, k))])
                builder.store(builder.fmul(builder.load(acc), scale_v), out, align=8)

        width = ir.Constant(i64, REGISTER_BLOCKS)
        groups = builder.udiv(blocks, width)
        with cgutils.for_range(builder, groups) as loop:
            blocks_from(builder.mul(loop.index, width), REGISTER_BLOCKS)
        with cgutils.for_range_slice(builder, builder.mul(groups, width), blocks, one, inc=True) as (block, _):
            blocks_from(block, 1)
        return context.get_dummy_value()

    return types.none(X, err, ids, lo, hi, scale, g), codegen
