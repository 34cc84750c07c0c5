"""External inputs: shape rules and the per-step values a block of steps reads.

An input is a scalar, per-node constants ((N,) or (N, 1)), or a time series ((K,), (1, K) or (N, K)).
A time series is right-aligned with the end of the run: the step with global index g (0-based) reads
sample ``g - 1 + K - T`` (the established one-step input lag), and samples before the first are the
first sample (no wrap-around).
"""

from __future__ import annotations

import numpy as np

from neurolib.errors import ParameterError, ParameterTypeError


def normalize(name, value, N, T):
    """The input as a float array of shape (1 or N, K), validated against N nodes and T steps."""
    arr = np.asarray(value)
    if arr.dtype == bool or not np.issubdtype(arr.dtype, np.number):
        raise ParameterTypeError(f"Input '{name}' must be numeric, got {value!r}.")
    arr = arr.astype(float)
    if arr.ndim == 0:
        arr = arr.reshape(1, 1)
    elif arr.ndim == 1:
        arr = arr.reshape(N, 1) if arr.shape[0] == N else arr.reshape(1, -1)
    if arr.ndim != 2 or arr.shape[0] not in (1, N):
        raise ParameterError(
            f"Input '{name}' must be a scalar, ({N},) per-node values, or a time series of shape (1, K) or "
            f"({N}, K); got shape {np.shape(value)}."
        )
    K = arr.shape[1]
    if 1 < K < T:
        raise ParameterError(
            f"Input '{name}' has {K} time samples but the run has {T} steps; give one value per step "
            f"(K >= {T}, right-aligned with the end of the run) or a constant."
        )
    if not np.all(np.isfinite(arr)):
        raise ParameterError(f"Input '{name}' contains NaN or inf.")
    return arr


def block(arr, T, g0, steps):
    """Values read by steps g0 .. g0+steps-1 of a T-step run, shape (steps, rows)."""
    K = arr.shape[1]
    if K == 1:
        return np.broadcast_to(arr[:, 0], (steps, arr.shape[0]))
    idx = np.arange(g0, g0 + steps) - 1 + (K - T)
    np.maximum(idx, 0, out=idx)
    return arr[:, idx].T
