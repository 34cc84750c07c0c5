"""Checking the arguments of :class:`~neurolib.optimize.evolution.Evolution`, and the stable descriptions
(qualified names, digests) that identify its configuration."""

from __future__ import annotations

import logging
import math
import numbers

import numpy as np

from neurolib.errors import ParameterError, ParameterTypeError
from neurolib.utils.parameterSpace import ParameterSpace

logger = logging.getLogger(__name__)

ALGORITHMS = ["adaptive", "nsga2"]


def _is_count(value, minimum):
    """An integer (not a bool) of at least ``minimum``."""
    return isinstance(value, numbers.Integral) and not isinstance(value, (bool, np.bool_)) and value >= minimum


def _check_arguments(evalFunction, parameterSpace, weightList, model, ncores, POP_INIT_SIZE, POP_SIZE, NGEN,
                     algorithm, seed):  # fmt: skip
    """Validate the arguments of :class:`Evolution`; returns the weights as a list of floats.

    Every error is a :class:`~neurolib.errors.ParameterError` (also an ``AssertionError``, which the published
    package raised for several of these) naming the argument, what it must be and what it was.
    """
    if not callable(evalFunction):
        raise ParameterTypeError(
            f"evalFunction must be a function evalFunction(traj) -> (fitness, outputs), got "
            f"{type(evalFunction).__name__}."
        )
    if not isinstance(parameterSpace, ParameterSpace):
        raise ParameterTypeError(f"parameterSpace must be a ParameterSpace, got {type(parameterSpace).__name__}.")
    if parameterSpace.kind != "bound":
        raise ParameterError(
            f"Evolution needs a ParameterSpace of kind 'bound' (one [low, high] pair per parameter), got kind "
            f"{parameterSpace.kind!r}."
        )
    if algorithm not in ALGORITHMS:
        raise ParameterError(f"Evolution: algorithm must be one of the following: {ALGORITHMS}; got {algorithm!r}.")
    if weightList is None:
        # reported through logging (nothing to act on: the documented default); see neurolib.optimize
        logger.info("No weightList given: one fitness value per individual, maximised (weightList=[1.0]).")
        weightList = [1.0]
    try:
        weights = [float(w) for w in weightList]
    except (TypeError, ValueError):
        raise ParameterTypeError(
            f"weightList must be a list of numbers (one weight per fitness value), got {weightList!r}."
        ) from None
    if not weights or not all(math.isfinite(w) for w in weights):
        raise ParameterError(f"weightList must hold at least one finite number, got {weightList!r}.")
    for name, value in (("POP_INIT_SIZE", POP_INIT_SIZE), ("POP_SIZE", POP_SIZE), ("NGEN", NGEN)):
        if not _is_count(value, 1):
            raise ParameterError(f"{name} must be a positive integer, got {value!r}.")
    for name, value in (("POP_SIZE", POP_SIZE), ("POP_INIT_SIZE", POP_INIT_SIZE)):
        if value % 2:
            raise ParameterError(
                f"{name} must be even (the offspring are bred in pairs), got {name}={value}; use e.g. {value + 1}."
            )
    if POP_INIT_SIZE < POP_SIZE:
        raise ParameterError(f"POP_INIT_SIZE ({POP_INIT_SIZE}) must be at least POP_SIZE ({POP_SIZE}).")
    if parameterSpace.star and model is None:
        raise ParameterError(
            "model is None, but the parameter space uses star notation: the patterns are matched against the "
            "parameters of a model, so pass model=... ."
        )
    if ncores is not None and not _is_count(ncores, 1):
        raise ParameterError(f"ncores must be None or a positive integer, got {ncores!r}.")
    if seed is not None and not _is_count(seed, 0):
        raise ParameterError(f"seed must be None or a non-negative integer, got {seed!r}.")
    return weights


def _qualname(obj):
    if obj is None:
        return None
    return f"{getattr(obj, '__module__', '')}.{getattr(obj, '__qualname__', type(obj).__qualname__)}"


def _digest(obj, h):
    """Feed a stable description of ``obj`` (dicts, sequences, arrays, numbers, strings) into the hash ``h``."""
    if isinstance(obj, dict):
        h.update(b"{")
        for key in sorted(obj, key=str):
            h.update(str(key).encode())
            _digest(obj[key], h)
        h.update(b"}")
    elif isinstance(obj, (list, tuple)):
        h.update(b"[")
        for v in obj:
            _digest(v, h)
        h.update(b"]")
    elif isinstance(obj, np.ndarray):
        h.update(f"{obj.dtype.str}{obj.shape}".encode())
        if obj.dtype != object:
            h.update(np.ascontiguousarray(obj).tobytes())
        else:
            _digest(obj.tolist(), h)
    elif callable(obj):
        h.update(str(_qualname(obj)).encode())
    else:
        h.update(repr(obj).encode())
