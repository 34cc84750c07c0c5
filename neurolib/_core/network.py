"""Network structure: delays in steps and the sparse coupling lists the kernels read."""

from __future__ import annotations

import numpy as np


def delay_steps(lengthMat, signalV, dt, N, self_delay=0):
    """Delay of every connection in integration steps (``D[n, m]``: node n sees node m, m -> n).

    ``lengthMat / signalV`` (ms) is divided by ``dt`` and rounded half to even. A single node, or
    ``signalV = 0``, has no delays; the diagonal is ``self_delay`` steps.
    """
    if N == 1 or not signalV:
        D = np.zeros((N, N), dtype=np.int64)
    else:
        D = np.around((np.asarray(lengthMat, dtype=float) / signalV) / dt).astype(np.int64)
    np.fill_diagonal(D, self_delay)
    return D


def coupling_lists(weights, D):
    """Compressed rows of the connections with any non-zero weight.

    Returns ``(ptr, idx, lag, W)``: the connections into node n are ``ptr[n]:ptr[n+1]``, coming from
    node ``idx[j]`` with buffer lag ``lag[j] = 1 + D[n, idx[j]]`` steps and weights ``W[:, j]``.
    """
    N = D.shape[0]
    Ws = np.stack([np.asarray(w, dtype=float) for w in weights]) if weights else np.zeros((0, N, N))
    mask = np.any(Ws != 0, axis=0) if len(Ws) else np.zeros((N, N), dtype=bool)
    rows, cols = np.nonzero(mask)
    ptr = np.zeros(N + 1, dtype=np.int64)
    np.cumsum(np.bincount(rows, minlength=N), out=ptr[1:])
    idx = cols.astype(np.int64)
    lag = (1 + D[rows, cols]).astype(np.int64)
    W = np.ascontiguousarray(Ws[:, rows, cols])
    return ptr, idx, lag, W
