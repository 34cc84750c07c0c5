"""Argument checks and small helpers of the optimal control: weights, intervals, matrices, control limits."""

from __future__ import annotations

import math
import numbers

import numpy as np

from neurolib.errors import ParameterError, ParameterKeyError, ParameterTypeError

WEIGHT_NAMES = ("w_p", "w_2", "w_1D")
_DEFAULTS = {"w_p": 1.0, "w_2": 0.0, "w_1D": 0.0}


class Weights(dict):
    """Cost weights ``w_p`` (precision), ``w_2`` (L2 energy), ``w_1D`` (directional sparsity), dimensionless.

    A dict that accepts only these three names and finite, non-negative numbers, so that a misspelt name fails
    loudly instead of being ignored.
    """

    def __setitem__(self, key, value):
        if key not in WEIGHT_NAMES:
            raise ParameterKeyError(f"weights: unknown weight {key!r}; the weights are {list(WEIGHT_NAMES)}.")
        super().__setitem__(key, _weight_value(key, value))

    def update(self, *args, **kwargs):
        for key, value in dict(*args, **kwargs).items():
            self[key] = value

    def setdefault(self, key, default=None):
        if key not in self:
            self[key] = default
        return self[key]


def _weight_value(key, value):
    if isinstance(value, bool) or not isinstance(value, numbers.Real):
        raise ParameterTypeError(f"weights[{key!r}] must be a number, got {value!r}.")
    value = float(value)
    if not math.isfinite(value) or value < 0.0:
        raise ParameterError(f"weights[{key!r}] must be a finite number >= 0, got {value!r}.")
    return value


def getdefaultweights():
    """The default cost weights: ``{"w_p": 1.0, "w_2": 0.0, "w_1D": 0.0}`` (a :class:`Weights` dict)."""
    w = Weights()
    for key, value in _DEFAULTS.items():
        w[key] = value
    return w


def weights_from(weights):
    """Weights from the constructor argument: defaults, overridden by the keys of a dict."""
    w = getdefaultweights()
    if weights is None:
        return w
    if not isinstance(weights, dict):
        print("Weights parameter must be dictionary, use default weights instead.")
        return w
    for key in WEIGHT_NAMES:
        if key not in weights:
            print("Weight ", key, " not in provided weight dictionary. Use default value.")
    for key, value in weights.items():
        w[key] = value
    return w


def convert_interval(interval, array_length, name="interval"):
    """A (start, stop) pair of time indices as a half-open range [start, stop) of ``array_length`` points.

    ``None`` is an open end; a negative index counts from the end (it must be > -array_length).

    Raises
    ------
    ParameterError
        (also an ``AssertionError``) for indices outside the range or in the wrong order.
    """
    if not isinstance(interval, (tuple, list, np.ndarray)) or len(interval) != 2:
        raise ParameterTypeError(f"{name} must be a (start, stop) pair of time indices, got {interval!r}.")
    L = int(array_length)
    ends = []
    for value, default in zip(interval, (0, L)):
        if value is None:
            ends.append(default)
            continue
        if isinstance(value, bool) or not isinstance(value, numbers.Integral):
            raise ParameterTypeError(f"{name} must hold integer time indices or None, got {interval!r}.")
        value = int(value)
        if value < 0:
            if value <= -L:
                raise ParameterError(
                    f"Interval is not specified in valid range. {name} = {tuple(interval)!r}: a negative index must "
                    f"be > -{L} (the run has {L} time points)."
                )
            value += L
        ends.append(value)
    start, stop = ends
    if not start < stop:
        raise ParameterError(
            f"Order of indices for interval is not valid. {name} = {tuple(interval)!r} gives [{start}, {stop}), "
            "which is empty."
        )
    if stop > L:
        raise ParameterError(
            f"Interval is not specified in valid range. {name} = {tuple(interval)!r} ends at {stop}, after the last "
            f"of the {L} time points."
        )
    return start, stop


def update_control_with_limit(N, dim_in, T, control, step, gradient, u_max):
    """``control + step * gradient``, limited to ``[-u_max, u_max]`` when ``u_max`` is not None."""
    new = np.asarray(control, float) + step * np.asarray(gradient, float)
    if u_max is not None:
        np.clip(new, -u_max, u_max, out=new)
    return new


def limit_control_to_interval(N, dim_in, T, control, control_interval):
    """A copy of ``control`` (N, dim_in, T) that is zero outside the time indices [start, stop)."""
    start, stop = control_interval
    out = np.zeros_like(np.asarray(control, float))
    out[:, :, start:stop] = np.asarray(control, float)[:, :, start:stop]
    return out


def binary_matrix(name, value, N, width, what):
    """A (N, width) 0/1 matrix (default all ones); wider matrices are cut to ``width`` columns."""
    if value is None:
        return np.ones((N, width))
    m = np.asarray(value)
    if m.dtype == bool:
        m = m.astype(float)
    if not np.issubdtype(m.dtype, np.number) or m.ndim != 2 or m.shape[0] != N or m.shape[1] < width:
        raise ParameterError(f"{name} must be an ({N}, {width}) array ({what}), got shape {np.shape(value)}.")
    m = m[:, :width].astype(float)
    if not np.all((m == 0) | (m == 1)):
        raise ParameterError(f"{name} must hold only 0 and 1 ({what}), got values {np.unique(m)[:6]}.")
    return m


def check_target(target, shape, output_vars):
    """The target as a float array of ``shape`` (N, outputs, T)."""
    arr = np.asarray(target)
    if not np.issubdtype(arr.dtype, np.number) or arr.dtype == bool:
        raise ParameterTypeError(f"target must be a numeric array, got {type(target).__name__}.")
    if arr.shape != tuple(shape):
        raise ParameterError(
            f"target must have shape (N, outputs, T) = {tuple(shape)} (outputs {list(output_vars)}, T = duration/dt "
            f"+ 1 with the initial value first), got {arr.shape}."
        )
    return arr.astype(float)


def check_control(control, shape, input_vars):
    """The control as a float array of ``shape`` (N, inputs, T), finite."""
    arr = np.asarray(control)
    if arr.shape != tuple(shape) or not np.issubdtype(arr.dtype, np.number):
        raise ParameterError(
            f"control must be a numeric array of shape (N, inputs, T) = {tuple(shape)} (inputs {list(input_vars)}), "
            f"got shape {arr.shape}."
        )
    arr = arr.astype(float)
    if not np.all(np.isfinite(arr)):
        raise ParameterError("control contains NaN or inf; expected finite numbers.")
    return arr


def input_series(name, value, N, T):
    """A model input as an (N, T) array: constants are broadcast, a (1, T) series is used for every node."""
    arr = np.asarray(0.0 if value is None else value, dtype=float)
    if arr.ndim == 0:
        return np.full((N, T), float(arr))
    if arr.ndim == 1 and arr.shape[0] == N:
        return np.repeat(arr[:, None], T, axis=1)
    if arr.ndim == 1 and arr.shape[0] == T:
        arr = arr[None, :]
    if arr.ndim == 2 and arr.shape[0] in (1, N) and arr.shape[1] in (1, T):
        return np.array(np.broadcast_to(arr, (N, T)))
    raise ParameterError(
        f"Input '{name}' must be a constant, ({N},) per-node values or a series of T = {T} samples per node "
        f"(shape (1, {T}) or ({N}, {T})) to serve as the initial control, got shape {arr.shape}."
    )


def limit_of(value):
    """``maximum_control_strength``: None or a positive number."""
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, numbers.Real) or not value > 0:
        raise ParameterError(f"maximum_control_strength must be None or a number > 0, got {value!r}.")
    return float(value)
