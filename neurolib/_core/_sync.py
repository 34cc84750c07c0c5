"""A spinning barrier for the threads that share one network run (one call per step, about 0.2 us on 2 cores).

Each thread publishes how many barriers it has reached in its own slot of ``sync`` (int64, 8 slots apart so that
no two threads write the same cache line) with a release store, and waits until every other slot has reached the
same count, reading them with acquire loads: whatever a thread wrote before the barrier (its nodes' states and
coupling features) is visible to the others after it. A thread that has spun for a while yields its core (the
machine may run more threads than cores, e.g. the noise helper). A thread that fails raises the abort flag, so
that the others return instead of waiting for it forever.
"""

import numpy as np
from numba import njit, types
from numba.extending import intrinsic
from numba.np.arrayobj import make_array

SLOT = 8  # int64 entries between two threads' counters (64 bytes)
_sched_yield = types.ExternalFunction("sched_yield", types.int32())


@intrinsic
def _load_acquire(typingctx, arr, i):
    def codegen(context, builder, sig, args):
        a = make_array(sig.args[0])(context, builder, args[0])
        idx = context.cast(builder, args[1], sig.args[1], types.intp)
        return builder.load_atomic(builder.gep(a.data, [idx]), "acquire", 8)

    return types.int64(arr, i), codegen


@intrinsic
def _store_release(typingctx, arr, i, v):
    def codegen(context, builder, sig, args):
        a = make_array(sig.args[0])(context, builder, args[0])
        idx = context.cast(builder, args[1], sig.args[1], types.intp)
        val = context.cast(builder, args[2], sig.args[2], types.int64)
        builder.store_atomic(val, builder.gep(a.data, [idx]), "release", 8)
        return context.get_dummy_value()

    return types.none(arr, i, v), codegen


@njit(cache=True, nogil=True)
def barrier(sync, tid, nth, count):
    """Thread ``tid`` of ``nth`` reaches barrier number ``count`` (1, 2, ...); returns True when all have, False
    if another thread gave up (:func:`abort`): the caller then stops."""
    _store_release(sync, SLOT * tid, count)
    for t in range(nth):
        spins = 0
        while _load_acquire(sync, SLOT * t) < count:
            if _load_acquire(sync, SLOT * nth) != 0:
                return False
            spins += 1
            if spins >= 4000:
                _sched_yield()
                spins = 0
    return True


def counters(nth):
    """A fresh ``sync`` array for ``nth`` threads (their counters, then the abort flag)."""
    return np.zeros(SLOT * (nth + 1), dtype=np.int64)


def abort(sync, nth):
    """Tell the threads waiting at a barrier to stop (a thread failed)."""
    _abort(sync, nth)


@njit(cache=True, nogil=True)
def _abort(sync, nth):
    _store_release(sync, SLOT * nth, 1)
