"""Small fixed-size arrays on the stack, for the per-node scratch rows of the engine loop.

Rows made by ``np.empty`` live on the heap; the compiler cannot tell that they never alias the big
buffers, so every store to a buffer forces their values to be reloaded from memory. A row on the
stack is a private object: with constant indices (the kernels use named constants) the compiler keeps
its entries in registers.
"""

from llvmlite import ir
from numba import types
from numba.core import cgutils
from numba.extending import intrinsic
from numba.np.arrayobj import make_array, populate_array


@intrinsic
def stack_empty(typingctx, n):
    """Uninitialised 1-D float64 array of literal length ``n`` on the caller's stack (valid in that call only)."""
    if not isinstance(n, types.IntegerLiteral):
        return None
    size = n.literal_value
    arrty = types.Array(types.float64, 1, "C")

    def codegen(context, builder, sig, args):
        f64 = context.get_value_type(types.float64)
        intp = context.get_value_type(types.intp)
        buf = cgutils.alloca_once(builder, ir.ArrayType(f64, size))  # in the entry block
        ary = make_array(arrty)(context, builder)
        populate_array(
            ary,
            data=builder.bitcast(buf, f64.as_pointer()),
            shape=[ir.Constant(intp, size)],
            strides=[ir.Constant(intp, 8)],
            itemsize=ir.Constant(intp, 8),
            meminfo=None,  # not reference counted: nothing to free
        )
        return ary._getvalue()

    return arrty(n), codegen
