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


def coupling_lists(weights, D, levels):
    """Connections with any non-zero weight, split by their lag into one class per block length in ``levels``
    (decreasing, e.g. (16, 8, 4, 2): lag >= 16, 8 <= lag < 16, ..., 2 <= lag < 4) and the near ones (lag below
    the last length).

    Returns one tuple ``(ptr, src, lag, W)`` per class, near last, in compressed-row form: the connections into
    node n are ``j = ptr[n] .. ptr[n+1]-1``, from node ``src[j]``, seen ``lag[j] = 1 + D[n, src[j]]`` steps later,
    with weights ``W[:, j]`` (one row per weight matrix).
    """
    N = D.shape[0]
    Ws = np.stack([np.asarray(w, dtype=float) for w in weights]) if weights else np.zeros((1, N, N))
    mask = np.any(Ws != 0, axis=0)
    lag_all = 1 + D
    bounds = [np.inf, *levels, 0]
    parts = []
    for hi, lo in zip(bounds[:-1], bounds[1:]):
        rows, cols = np.nonzero(mask & (lag_all >= lo) & (lag_all < hi))
        ptr = np.zeros(N + 1, dtype=np.int64)
        np.cumsum(np.bincount(rows, minlength=N), out=ptr[1:])
        parts.append((ptr, cols.astype(np.int64), lag_all[rows, cols].astype(np.int64), Ws[:, rows, cols].copy()))
    return tuple(parts)
