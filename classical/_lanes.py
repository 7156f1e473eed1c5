"""The canonical inner product in four lanes, emitted as LLVM vector code (numba intrinsics).

The project's canonical value of ``<p, q>`` (see :mod:`classical.exact`) is
the *four-lane order*: lane ``l`` sums the products ``p_j q_j`` with
``j = l (mod 4)`` in increasing ``j``, each lane from ``+0.0``, and the lanes
are added as ``(s_0 + s_2) + (s_1 + s_3)``. In float64, round to nearest, with
no fused multiply-add and no reassociation. :func:`lane_order_reference`
spells it out in plain Python, the specification the tests hold these
kernels to bit for bit.

Why four lanes: a ``<4 x double>`` accumulator holds the four lane sums, so
one vector multiply and one vector add take four products at a time, and
the chain of dependent additions is ``d / 4`` long instead of ``d``. numba's
LLVM does not vectorise this order from scalar code (its SLP vectoriser finds
no stores to seed from), so the vector code is emitted here, with
``llvmlite``'s IR builder, through :func:`numba.extending.intrinsic`.
The operations carry no fast-math flags, so LLVM may neither contract a
multiply and an add into an FMA nor reorder the sums: the rounding is the
reference's on every machine.

The lanes are reduced as ``(s_0 + s_2) + (s_1 + s_3)``: adding the high half
of the vector to the low half, then the two remaining lanes.

The tail (``d mod 4`` products past the last full block) goes to lanes
``0 .. d mod 4 - 1``, scalar, as in the reference; no lane is ever padded.
"""

from __future__ import annotations

from llvmlite import ir
from numba import types
from numba.core import cgutils
from numba.extending import intrinsic

F64 = ir.DoubleType()
V4 = ir.VectorType(F64, 4)
I32 = ir.IntType(32)
LANES = 4


def lane_order_reference(p, q) -> float:
    """The canonical ``<p, q>`` in plain Python (the specification of the kernels below)."""
    s = [0.0] * LANES
    for j in range(len(p)):
        s[j % LANES] += float(p[j]) * float(q[j])
    return (s[0] + s[2]) + (s[1] + s[3])


def is_float64_c_array(t, ndim: int) -> bool:
    """numba type ``t`` is a C-contiguous float64 array of ``ndim`` dimensions."""
    return isinstance(t, types.Array) and t.ndim == ndim and t.dtype == types.float64 and t.layout == "C"


def splat(builder: ir.IRBuilder, x):
    """``<x, x, x, x>``: a scalar (a double or an integer) in every lane."""
    vector = ir.VectorType(x.type, LANES)
    undef = ir.Constant(vector, ir.Undefined)
    zeros = ir.Constant(ir.VectorType(I32, LANES), [0] * LANES)
    return builder.shuffle_vector(builder.insert_element(undef, x, ir.Constant(I32, 0)), undef, zeros)


def _product(builder: ir.IRBuilder, a, b):
    return builder.fmul(a, b)


def _squared_difference(builder: ir.IRBuilder, a, b):
    diff = builder.fsub(a, b)
    return builder.fmul(diff, diff)


def _emit_lane_dots(builder: ir.IRBuilder, p_ptr, rows: list, d, term=_product) -> list:
    """IR for the canonical ``<p, row>`` of each row pointer in ``rows`` (``d`` doubles each).

    ``term(builder, p_j, row_j)`` is the summand (vectors or scalars): the
    product by default; :func:`lane_squared_distance` sums ``(p_j - row_j)^2``.

    One loop over the full blocks of four loads ``p`` once per block and keeps
    one vector accumulator per row (rows in flight overlap their latencies);
    then the lanes are extracted, the tail added lane by lane, and the lanes
    reduced.
    """
    i64 = d.type
    accs = [cgutils.alloca_once_value(builder, ir.Constant(V4, [0.0] * LANES)) for _ in rows]
    blocks = builder.udiv(d, ir.Constant(i64, LANES))
    p_vec = builder.bitcast(p_ptr, V4.as_pointer())
    row_vecs = [builder.bitcast(r, V4.as_pointer()) for r in rows]
    with cgutils.for_range(builder, blocks) as loop:
        vp = builder.load(builder.gep(p_vec, [loop.index]), align=8)
        for acc, rv in zip(accs, row_vecs):
            vq = builder.load(builder.gep(rv, [loop.index]), align=8)
            builder.store(builder.fadd(builder.load(acc), term(builder, vp, vq)), acc)
    base = builder.mul(blocks, ir.Constant(i64, LANES))
    tail = builder.sub(d, base)
    lanes = []
    for acc in accs:
        v = builder.load(acc)
        lanes.append([builder.extract_element(v, ir.Constant(I32, lane)) for lane in range(LANES)])
    for lane in range(LANES - 1):  # the tail's product j = base + lane goes to lane `lane`
        before = builder.block
        k = builder.add(base, ir.Constant(i64, lane))
        with builder.if_then(builder.icmp_unsigned(">", tail, ir.Constant(i64, lane)), likely=False):
            pj = builder.load(builder.gep(p_ptr, [k]), align=8)
            added = [builder.fadd(sums[lane], term(builder, pj, builder.load(builder.gep(r, [k]), align=8)))
                     for sums, r in zip(lanes, rows)]
            inside = builder.block
        for sums, value in zip(lanes, added):
            merged = builder.phi(F64)
            merged.add_incoming(value, inside)
            merged.add_incoming(sums[lane], before)
            sums[lane] = merged
    return [builder.fadd(builder.fadd(s[0], s[2]), builder.fadd(s[1], s[3])) for s in lanes]


def _vector_pair_sum(term, doc: str):
    """An intrinsic ``f(p, q)``: the four-lane sum of ``term(p_j, q_j)`` over two C-contiguous float64 vectors
    of the same length."""

    def typer(_typingctx, p, q):
        if not (is_float64_c_array(p, 1) and is_float64_c_array(q, 1)):
            return None

        def codegen(context, builder, signature, args):
            pa = context.make_array(signature.args[0])(context, builder, args[0])
            qa = context.make_array(signature.args[1])(context, builder, args[1])
            d = builder.extract_value(pa.shape, 0)
            return _emit_lane_dots(builder, pa.data, [qa.data], d, term)[0]

        return types.float64(p, q), codegen

    typer.__doc__ = doc
    return intrinsic(typer)


lane_dot = _vector_pair_sum(_product, "The canonical ``<p, q>`` of two C-contiguous float64 vectors of the same length.")
lane_squared_distance = _vector_pair_sum(
    _squared_difference, "``sum_j (p_j - q_j)^2`` in the four-lane order (two C-contiguous float64 vectors).")


@intrinsic
def lane_dot4(_typingctx, p, Q, i0, i1, i2, i3):
    """The canonical ``<p, Q[i]>`` for four rows of a C-contiguous float64 matrix, in one pass over ``p``."""
    if not (is_float64_c_array(p, 1) and is_float64_c_array(Q, 2)
            and all(isinstance(i, types.Integer) for i in (i0, i1, i2, i3))):
        return None

    def codegen(context, builder, signature, args):
        pa = context.make_array(signature.args[0])(context, builder, args[0])
        qa = context.make_array(signature.args[1])(context, builder, args[1])
        d = builder.extract_value(pa.shape, 0)
        width = builder.extract_value(qa.shape, 1)
        rows = [builder.gep(qa.data, [builder.mul(context.cast(builder, i, t, types.intp), width)])
                for i, t in zip(args[2:], signature.args[2:])]
        return context.make_tuple(builder, signature.return_type, _emit_lane_dots(builder, pa.data, rows, d))

    return types.UniTuple(types.float64, 4)(p, Q, i0, i1, i2, i3), codegen


@intrinsic
def borrowed_row(_typingctx, M, r):
    """Row ``r`` (``0 <= r < len(M)``, unchecked) of a C-contiguous 2-D array as a view that holds no reference.

    ``M[r]`` in a numba loop makes a view that owns a reference to ``M``'s
    buffer: an atomic increment and decrement of one shared counter per
    row, which two threads walking the rows of one matrix fight over. This
    view has no owner (numba's reference counting skips it), so it must not
    outlive ``M``: use it inside the loop that has ``M``.
    """
    if not (isinstance(M, types.Array) and M.ndim == 2 and M.layout == "C" and isinstance(r, types.Integer)):
        return None
    row_type = M.copy(ndim=1, layout="C")

    def codegen(context, builder, signature, args):
        src = context.make_array(signature.args[0])(context, builder, args[0])
        out = context.make_array(signature.return_type)(context, builder)
        width = builder.extract_value(src.shape, 1)
        index = context.cast(builder, args[1], signature.args[1], types.intp)
        data = builder.gep(src.data, [builder.mul(index, width)])
        itemsize = src.itemsize
        context.populate_array(out, data=data, shape=[width], strides=[itemsize], itemsize=itemsize, meminfo=None,
                               parent=None)
        return out._getvalue()

    return row_type(M, r), codegen


def _prefetch_address(context, builder, array_type, array, index, index_type):
    """The address of element ``index`` (1-D) or of the first element of row ``index`` (2-D), as ``i8*``."""
    a = context.make_array(array_type)(context, builder, array)
    i = context.cast(builder, index, index_type, types.intp)
    if array_type.ndim == 2:
        i = builder.mul(i, builder.extract_value(a.shape, 1))
    return builder.bitcast(builder.gep(a.data, [i]), ir.IntType(8).as_pointer())


@intrinsic
def prefetch(_typingctx, array, index):
    """A hint to bring ``array[index]`` (1-D: the element; 2-D: the start of row ``index``) into the cache for
    reading, ahead of its use (``llvm.prefetch``, locality 3). No effect on results; ``index`` must lie in the
    array (unchecked). For loops whose next rows the hardware prefetcher cannot guess (rows chosen by data)."""
    if not (isinstance(array, types.Array) and array.layout == "C" and array.ndim in (1, 2)
            and isinstance(index, types.Integer)):
        return None

    def codegen(context, builder, signature, args):
        address = _prefetch_address(context, builder, signature.args[0], args[0], args[1], signature.args[1])
        i8p = ir.IntType(8).as_pointer()
        fnty = ir.FunctionType(ir.VoidType(), [i8p, I32, I32, I32])
        fn = cgutils.get_or_insert_function(builder.module, fnty, "llvm.prefetch.p0")
        builder.call(fn, [address, ir.Constant(I32, 0), ir.Constant(I32, 3), ir.Constant(I32, 1)])
        return context.get_dummy_value()

    return types.void(array, index), codegen


def _emit_column_values(builder: ir.IRBuilder, pa, qa, column):
    """IR for the canonical ``<p, QT[:, column + c]>``, ``c = 0 .. 3``, as one ``<4 x double>``.

    The four lane sums of the canonical order are kept as four vectors (one element per column): lane ``l``
    takes ``p_j QT[j, .]`` for ``j = l (mod 4)`` in increasing ``j`` from ``+0.0``, the tail ``j >= 4 (d //
    4)`` goes to lane ``j - 4 (d // 4)``, and the lanes are added as ``(s_0 + s_2) + (s_1 + s_3)``, element by
    element: each column's value is :func:`lane_dot`'s bit for bit.
    """
    d = builder.extract_value(qa.shape, 0)
    n = builder.extract_value(qa.shape, 1)
    i64 = d.type
    four = ir.Constant(i64, LANES)
    full = builder.udiv(d, four)
    base = builder.mul(full, four)
    tail = builder.sub(d, base)
    accs = [cgutils.alloca_once(builder, V4) for _ in range(LANES)]
    for acc in accs:
        builder.store(ir.Constant(V4, [0.0] * LANES), acc)

    def add_term(j, lane: int):
        """``s_lane += p_j QT[j, column .. column + 3]``."""
        pj = splat(builder, builder.load(builder.gep(pa.data, [j])))
        x = builder.load(builder.bitcast(builder.gep(qa.data, [builder.add(builder.mul(j, n), column)]),
                                         V4.as_pointer()), align=8)
        acc = accs[lane]
        builder.store(builder.fadd(builder.load(acc), builder.fmul(pj, x)), acc)

    with cgutils.for_range(builder, full) as group:
        for lane in range(LANES):
            add_term(builder.add(builder.mul(group.index, four), ir.Constant(i64, lane)), lane)
    for lane in range(LANES - 1):  # the tail's j = base + lane goes to lane `lane`
        with builder.if_then(builder.icmp_unsigned(">", tail, ir.Constant(i64, lane)), likely=False):
            add_term(builder.add(base, ir.Constant(i64, lane)), lane)
    s = [builder.load(acc) for acc in accs]
    return builder.fadd(builder.fadd(s[0], s[2]), builder.fadd(s[1], s[3]))


@intrinsic
def lane_band_columns(_typingctx, p, QT, n, low, ids, values):
    """The columns ``i < n`` of a C-contiguous ``(d, w)`` float64 matrix (the transpose of the rows' matrix,
    ``w`` a multiple of four, ``w >= n``) whose canonical ``<p, QT[:, i]>`` exceeds ``low``: their ids go to
    ``ids`` and their values to ``values``, in increasing order of ``i``; returns how many. ``ids`` (int64) and
    ``values`` (float64) must have room for ``w`` entries.

    Vectorised across columns, not within one: four columns per ``<4 x double>``
    (:func:`_emit_column_values`, each value :func:`lane_dot`'s bit for bit), then one vector comparison with
    ``low`` (ordered: a NaN value is not selected, as ``v > low`` in scalar code). Blocks with no selected
    column (most of them: a band holds a few per cent of the inputs) write nothing; a block with some appends
    its four columns branch-free, each advancing the count only if selected. A scan of every input by one
    weight vector (a refresh of the drift finder) thus streams ``QT`` instead of gathering a row per input,
    and does no per-input append.
    """
    if not (is_float64_c_array(p, 1) and is_float64_c_array(QT, 2) and isinstance(n, types.Integer)
            and isinstance(low, types.Float) and isinstance(ids, types.Array) and ids.ndim == 1
            and ids.dtype == types.int64 and ids.layout == "C" and is_float64_c_array(values, 1)):
        return None

    def codegen(context, builder, signature, args):
        pa = context.make_array(signature.args[0])(context, builder, args[0])
        qa = context.make_array(signature.args[1])(context, builder, args[1])
        ia = context.make_array(signature.args[4])(context, builder, args[4])
        va = context.make_array(signature.args[5])(context, builder, args[5])
        width = builder.extract_value(qa.shape, 1)
        i64 = width.type
        real = context.cast(builder, args[2], signature.args[2], types.intp)
        cut = splat(builder, context.cast(builder, args[3], signature.args[3], types.float64))
        four = ir.Constant(i64, LANES)
        offsets = ir.Constant(ir.VectorType(i64, LANES), list(range(LANES)))
        count = cgutils.alloca_once_value(builder, ir.Constant(i64, 0))
        with cgutils.for_range(builder, builder.udiv(width, four)) as block:
            column = builder.mul(block.index, four)
            value = _emit_column_values(builder, pa, qa, column)
            columns = builder.add(splat(builder, column), offsets)
            inside = builder.icmp_signed("<", columns, splat(builder, real))
            chosen = builder.and_(builder.fcmp_ordered(">", value, cut), inside)
            bits = builder.bitcast(chosen, ir.IntType(LANES))
            with builder.if_then(builder.icmp_unsigned("!=", bits, ir.Constant(ir.IntType(LANES), 0)),
                                 likely=False):
                for lane in range(LANES):
                    k = builder.load(count)
                    builder.store(builder.add(column, ir.Constant(i64, lane)), builder.gep(ia.data, [k]))
                    builder.store(builder.extract_element(value, ir.Constant(I32, lane)),
                                  builder.gep(va.data, [k]))
                    taken = builder.zext(builder.extract_element(chosen, ir.Constant(I32, lane)), i64)
                    builder.store(builder.add(k, taken), count)
        return builder.load(count)

    return types.int64(p, QT, n, low, ids, values), codegen
