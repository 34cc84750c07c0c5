"""Vector multiply-adds (8, 4 and 2 lanes) for the engine's blockwise coupling sums.

The far sums of a block add, connection after connection, ``w * G[o : o + 8]`` to eight running sums. Written
as scalar code the compiler keeps eight separate sums and issues eight multiplies and eight adds per
connection; it does not turn such loop-carried sums into vector operations by itself. ``axpy8`` does that
step as one vector multiply and one vector add (a multiply, then an add, lane by lane: the same roundings as
the scalar code, no fused multiply-add), so each lane holds exactly the sum the scalar loop would. The running
sums live in a stack row (:func:`neurolib._core._stack.stack_empty`) at constant offsets, which the compiler
keeps in vector registers across the loop.
"""

from llvmlite import ir
from numba import types
from numba.extending import intrinsic
from numba.np.arrayobj import make_array


def _axpy(lanes):
    @intrinsic
    def axpy(typingctx, acc, a0, g, o, w):
        if not (isinstance(acc, types.Array) and isinstance(g, types.Array)):
            return None
        if acc.dtype != types.float64 or g.dtype != types.float64 or acc.ndim != 1 or g.ndim != 1:
            return None

        def codegen(context, builder, sig, args):
            acc_v, a0_v, g_v, o_v, w_v = args
            vec = ir.VectorType(ir.DoubleType(), lanes)
            a0_v = context.cast(builder, a0_v, sig.args[1], types.intp)
            o_v = context.cast(builder, o_v, sig.args[3], types.intp)
            w_v = context.cast(builder, w_v, sig.args[4], types.float64)
            pa = builder.gep(make_array(sig.args[0])(context, builder, acc_v).data, [a0_v])
            pg = builder.gep(make_array(sig.args[2])(context, builder, g_v).data, [o_v])
            pa = builder.bitcast(pa, vec.as_pointer())
            pg = builder.bitcast(pg, vec.as_pointer())
            ws = builder.insert_element(ir.Constant(vec, ir.Undefined), w_v, ir.Constant(ir.IntType(32), 0))
            splat = ir.Constant(ir.VectorType(ir.IntType(32), lanes), [0] * lanes)
            ws = builder.shuffle_vector(ws, ir.Constant(vec, ir.Undefined), splat)
            total = builder.fadd(builder.load(pa, align=8), builder.fmul(ws, builder.load(pg, align=8)))
            builder.store(total, pa, align=8)
            return context.get_dummy_value()

        return types.none(acc, a0, g, o, w), codegen

    axpy.__doc__ = (
        f"``acc[a0 : a0 + {lanes}] += w * g[o : o + {lanes}]`` lane by lane (no bounds check: the caller keeps "
        f"within both)."
    )
    return axpy


axpy8 = _axpy(8)
axpy4 = _axpy(4)
axpy2 = _axpy(2)
