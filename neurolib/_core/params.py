"""Parameters: defaults from a :class:`~neurolib._core.spec.ModelSpec`, validation, packing for kernels.

Validation happens here, at the boundary, so kernels never see bad input. Every message names the
parameter, what was expected and what was received.
"""

from __future__ import annotations

import difflib
import math
import numbers

import numpy as np

from neurolib._core import spec as S
from neurolib.errors import ParameterError, ParameterKeyError, ParameterNameError, ParameterTypeError
from neurolib.utils.collections import dotdict

# Keys every native model accepts in addition to its declared parameters.
OPTIONAL_KEYS = ("sampling_dt",)


class ParamDict(dotdict):
    """A model's parameter dictionary: a :class:`dotdict` that rejects unknown (e.g. misspelt) names."""

    def __init__(self, *args, known=(), model="model", **kwargs):
        object.__setattr__(self, "_known", frozenset(known) | frozenset(OPTIONAL_KEYS))
        object.__setattr__(self, "_model", model)
        super().__init__(*args, **kwargs)
        for key in self:
            self._check_key(key)

    def _unknown(self, key):
        """The message for a name that is not a parameter, suggesting the closest valid one."""
        close = difflib.get_close_matches(str(key), sorted(self._known), n=1)
        hint = f" Did you mean '{close[0]}'?" if close else ""
        return f"'{key}' is not a parameter of the {self._model} model.{hint}"

    def _check_key(self, key):
        if key not in self._known:
            raise ParameterKeyError(self._unknown(key))

    def __setitem__(self, key, value):
        self._check_key(key)
        super().__setitem__(key, value)

    def __missing__(self, key):
        self._check_key(key)
        raise ParameterKeyError(f"Parameter '{key}' of the {self._model} model is not set.")

    def __getattr__(self, name):
        # Only reached when normal attribute lookup failed. dotdict answers None for a missing item; here a
        # declared but unset parameter still reads as None, while an unknown (e.g. misspelt) name raises, so
        # ``params.sigma_uo`` fails like ``params["sigma_uo"]`` does.
        if name.startswith("_"):
            raise AttributeError(f"{type(self).__name__!r} object has no attribute {name!r}")
        if name not in self._known:
            raise ParameterNameError(self._unknown(name))
        return self.get(name)

    def update(self, *args, **kwargs):
        for key, value in dict(*args, **kwargs).items():
            self[key] = value

    def __reduce__(self):
        return (_rebuild_paramdict, (dict(self), tuple(self._known), self._model))


def _rebuild_paramdict(items, known, model):
    return ParamDict(items, known=known, model=model)


def default_params(spec: S.ModelSpec, Cmat=None, Dmat=None, seed=None) -> dotdict:
    """Default parameters of a model, with random initial values drawn from a local generator.

    Parameters
    ----------
    spec : ModelSpec
        The model's declaration.
    Cmat : ndarray, optional
        Structural connectivity (N x N), ``Cmat[i, j]`` = coupling from node j to node i. Copied, diagonal
        set to 0. None gives a single node.
    Dmat : ndarray, optional
        Fibre lengths in mm (N x N), stored as ``lengthMat``. None gives zero lengths (no delays).
    seed : int, optional
        Seed for the initial values and the noise of runs (``params.seed``).

    Returns
    -------
    dotdict
        Every declared parameter with its default.
    """
    check_seed(seed)
    if Cmat is None:
        N = 1
        Cmat = np.zeros((1, 1))
        lengthMat = np.zeros((1, 1))
    else:
        Cmat = np.array(Cmat, dtype=float, copy=True)
        check_matrix("Cmat", Cmat)
        np.fill_diagonal(Cmat, 0.0)
        N = Cmat.shape[0]
        if Dmat is None:
            lengthMat = np.zeros((N, N))
        else:
            check_lengths(Dmat, N)
            lengthMat = np.array(Dmat, dtype=float, copy=True)
    rng = np.random.default_rng(np.random.SeedSequence(seed, spawn_key=(0,)) if seed is not None else None)
    out = dotdict()
    for p in spec.params:
        if p.name == "N":
            out.N = N
        elif p.name == "Cmat":
            out.Cmat = Cmat
        elif p.name == "lengthMat":
            out.lengthMat = lengthMat
        elif p.name == "seed":
            out.seed = seed
        else:
            out[p.name] = p.value(N, rng)
    return out


def check_seed(seed):
    """Raise unless ``seed`` is None or a non-negative integer."""
    if seed is None:
        return
    if isinstance(seed, bool) or not isinstance(seed, numbers.Integral):
        raise ParameterTypeError(f"Parameter 'seed' must be None or a non-negative integer, got {seed!r}.")
    if seed < 0:
        raise ParameterError(f"Parameter 'seed' must be None or a non-negative integer, got {seed!r}.")


# How errors name the fibre lengths: users pass them as the ``Dmat`` argument, the models keep them as
# ``params['lengthMat']``; a message names both so that either way of setting them is recognised.
DMAT = "'Dmat' (params['lengthMat'], fibre lengths in mm)"


def check_matrix(name, M, N=None):
    """Raise unless ``M`` is a finite square 2-D array (of size N when given).

    ``name`` is the argument as the user wrote it (quoted in the messages unless it already holds a quote).
    """
    label = name if "'" in name else f"'{name}'"
    M = np.asarray(M)
    if M.ndim != 2 or M.shape[0] != M.shape[1]:
        raise ParameterError(f"Parameter {label} must be a square 2-D matrix (N x N), got shape {M.shape}.")
    if not np.issubdtype(M.dtype, np.number):
        raise ParameterTypeError(f"Parameter {label} must be numeric, got dtype {M.dtype}.")
    if not np.all(np.isfinite(M)):
        raise ParameterError(f"Parameter {label} contains NaN or inf values; expected finite numbers.")
    if N is not None and M.shape[0] != N:
        raise ParameterError(f"Parameter {label} must have shape ({N}, {N}) to match Cmat, got {M.shape}.")


def check_lengths(Dmat, N):
    """Raise unless the fibre lengths ``Dmat`` (mm) are a finite, non-negative (N, N) matrix."""
    if Dmat is not None and not np.issubdtype(np.asarray(Dmat).dtype, np.number):
        raise ParameterTypeError(f"Parameter {DMAT} must be a numeric (N x N) matrix, got {Dmat!r}.")
    check_matrix(DMAT, Dmat, N)
    lowest = float(np.min(Dmat))
    if lowest < 0:
        raise ParameterError(f"Parameter {DMAT} must hold lengths >= 0 mm, got a minimum of {lowest}.")


def _number(name, value):
    if isinstance(value, bool) or not isinstance(value, numbers.Real):
        raise ParameterTypeError(f"Parameter '{name}' must be a number, got {value!r}.")
    if not np.isfinite(value):
        raise ParameterError(f"Parameter '{name}' must be finite, got {value!r}.")
    return float(value)


def validate_run(params, spec: S.ModelSpec | None = None):
    """Check the network and time parameters every model uses; return ``(N, dt, duration)``."""
    dt = _number("dt", params.get("dt"))
    if dt <= 0:
        raise ParameterError(f"Parameter 'dt' must be > 0 ms, got {dt}.")
    duration = _number("duration", params.get("duration"))
    if duration < dt:
        raise ParameterError(f"Parameter 'duration' ({duration} ms) must be at least one step dt ({dt} ms).")
    sdt = params.get("sampling_dt")
    if sdt is not None:
        sdt = _number("sampling_dt", sdt)
        ratio = sdt / dt
        if sdt < dt or abs(ratio - round(ratio)) > 1e-9 * max(1.0, ratio):
            raise ParameterError(
                f"Parameter 'sampling_dt' must be a positive multiple of dt = {dt} ms, got {sdt} ms (ratio {ratio:g})."
            )
        if sdt > duration:
            raise ParameterError(f"Parameter 'sampling_dt' ({sdt} ms) must not exceed 'duration' ({duration} ms).")
    if spec is None:
        return None, dt, duration
    check_seed(params.get("seed"))
    Cmat = params.get("Cmat")
    check_matrix("Cmat", Cmat)
    N = np.asarray(Cmat).shape[0]
    if params.get("N") is not None and int(params["N"]) != N:
        raise ParameterError(f"Parameter 'N' ({params['N']}) does not match Cmat of shape {np.shape(Cmat)}.")
    if N > 1 or params.get("lengthMat") is not None:
        lengthMat = params.get("lengthMat")
        if lengthMat is None:
            raise ParameterError(f"Parameter {DMAT} is missing; a network of {N} nodes needs an ({N}, {N}) matrix.")
        check_lengths(lengthMat, N)
    signalV = _number("signalV", params.get("signalV", 0.0) or 0.0) if "signalV" in params else 0.0
    if signalV < 0:
        raise ParameterError(f"Parameter 'signalV' (mm/ms) must be >= 0, got {signalV}.")
    return N, dt, duration


def node_values(name, value, N):
    """A numeric parameter as an (N,) float array: a scalar is broadcast, an (N,) array kept."""
    if isinstance(value, (float, int, np.floating, np.integer)) and not isinstance(value, (bool, np.bool_)):
        v = float(value)  # the common case, checked without building arrays
        if not math.isfinite(v):
            raise ParameterError(f"Parameter '{name}' must be finite, got {value!r}.")
        return np.full(N, v)
    arr = np.asarray(value)
    if arr.dtype == bool or not np.issubdtype(arr.dtype, np.number):
        raise ParameterTypeError(
            f"Parameter '{name}' must be numeric (a number or {N} per-node values), got {value!r}."
        )
    if arr.ndim == 0:
        out = np.full(N, float(arr))
    elif arr.shape == (N,) or arr.shape == (N, 1):
        out = arr.reshape(N).astype(float)
    else:
        raise ParameterError(f"Parameter '{name}' must be a number or an array of shape ({N},), got shape {arr.shape}.")
    if not np.all(np.isfinite(out)):
        raise ParameterError(f"Parameter '{name}' must be finite, got {value!r}.")
    return out


def packed_value(p: S.Param, value, N):
    """Parameter ``p`` checked (numeric, finite, in range): a float for a scalar, else an (N,) float array."""
    if isinstance(value, (float, int, np.floating, np.integer)) and not isinstance(value, (bool, np.bool_)):
        v = float(value)
        if not math.isfinite(v):
            raise ParameterError(f"Parameter '{p.name}' must be finite, got {value!r}.")
        if p.low is not None and v < p.low:
            raise ParameterError(f"Parameter '{p.name}' must be >= {p.low} {p.unit}, got {v}.")
        if p.high is not None and v > p.high:
            raise ParameterError(f"Parameter '{p.name}' must be <= {p.high} {p.unit}, got {v}.")
        return v
    values = node_values(p.name, value, N)
    check_range(p, values)
    return values


def check_range(p: S.Param, values):
    """Raise if any value lies outside the declared range of ``p``."""
    if p.low is not None and np.any(values < p.low):
        raise ParameterError(f"Parameter '{p.name}' must be >= {p.low} {p.unit}, got {values.min()}.")
    if p.high is not None and np.any(values > p.high):
        raise ParameterError(f"Parameter '{p.name}' must be <= {p.high} {p.unit}, got {values.max()}.")


def history(name, value, N, S_len, check_finite=True):
    """Initial history of a buffered variable as (N, S): an (N, 1) column fills all S columns,
    an (N, K >= S) array gives its last S columns.

    ``check_finite=False`` skips the NaN/inf check: for the state a model carried over from its own previous
    chunk or run (which may have diverged), as opposed to values a user set."""
    arr = np.asarray(value, dtype=float)
    if arr.ndim == 0:
        arr = np.full((N, 1), float(arr))
    elif arr.ndim == 1 and arr.shape[0] == N:
        arr = arr.reshape(N, 1)
    if arr.ndim != 2 or arr.shape[0] != N:
        raise ParameterError(
            f"Initial value '{name}' must have shape ({N}, 1) or ({N}, >= {S_len}) (nodes x history), "
            f"got shape {np.shape(value)}."
        )
    if arr.shape[1] < S_len and arr.shape[1] != 1:
        raise ParameterError(
            f"Initial value '{name}' has {arr.shape[1]} history columns but the delays need {S_len}; "
            f"give shape ({N}, 1) or ({N}, >= {S_len})."
        )
    used = arr[:, -S_len:]
    if check_finite and not np.all(np.isfinite(used)):
        raise ParameterError(f"Initial value '{name}' contains NaN or inf; expected finite numbers.")
    return np.repeat(used, S_len, axis=1) if used.shape[1] == 1 else used


def ou_state(name, value, N):
    """Initial OU state as an (N,) array."""
    arr = np.asarray(value, dtype=float)
    if arr.ndim == 0:
        return np.full(N, float(arr))
    if arr.shape in ((N,), (N, 1)):
        return arr.reshape(N).copy()
    raise ParameterError(f"Initial OU state '{name}' must have shape ({N},), got shape {arr.shape}.")
