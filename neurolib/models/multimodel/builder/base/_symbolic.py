"""The symbolic system of a node or network, with its parameters as symbols (values passed at run time).

``derive(instance)`` swaps every numeric parameter of the masses, nodes and network (scalars and matrices, not the
input processes) for a symengine symbol, builds the derivatives and helper definitions, and swaps the values
back. A compiled kernel then takes the parameter values as an array: changing a value needs no new compilation.
Code that cannot work with symbols (Python branches on a value, numpy functions of a parameter) makes the
derivation fall back to the values themselves ("baked" parameters); the kernel is then specific to them.
"""

from __future__ import annotations

import hashlib
import logging
import numbers
from dataclasses import dataclass, field

import numpy as np
import symengine as se

from neurolib.errors import ParameterError
from neurolib.utils.collections import flatten_nested_dict

logger = logging.getLogger(__name__)


def top_prefix(instance):
    """First segment of the instance's flat parameter keys (network label, or ``<node label>_<index>``)."""
    from neurolib.models.multimodel.builder.base.network import Network

    return instance.label if isinstance(instance, Network) else f"{instance.label}_{instance.index}"


def _is_scalar(value):
    return isinstance(value, (numbers.Real, np.floating, np.integer)) and not isinstance(value, (bool, np.bool_))


def _is_numeric_array(value):
    return isinstance(value, np.ndarray) and value.dtype != object and np.issubdtype(value.dtype, np.number)


def symbol_name(key):
    """Symbol name of a flat parameter key (dots become ``DOT``)."""
    return key.replace(".", "DOT")


@dataclass
class System:
    """A node's or network's equations ready for code generation."""

    derivatives: list
    helpers: list
    plans: dict = field(default_factory=dict)  # network couplings that can run as loops (see Network._weighted_sum)
    slots: list = field(default_factory=list)  # (flat key, shape or None); the parameter vector, in order
    names: list = field(default_factory=list)  # symbol name of each parameter vector entry
    symbolic: bool = True


def derive(instance, symbolic=True):
    """Derivatives and helpers of ``instance`` (initialised Node or Network).

    Parameters
    ----------
    instance : Node or Network
    symbolic : bool
        Swap the numeric parameters for symbols (else use their values).

    Returns
    -------
    System
    """
    if not symbolic:
        derivatives, helpers, plans = _equations(instance)
        return System(derivatives, helpers, plans, symbolic=False)
    slots, names = [], []
    originals = symbolize(instance, slots, names)
    prefix = top_prefix(instance)
    try:
        derivatives, helpers, plans = _equations(instance)
    finally:
        instance._swap_params(prefix, lambda key, value: originals.get(key, value))
    return System(derivatives, helpers, plans, slots, names, True)


def symbolize(instance, slots=None, names=None):
    """Swap the instance's numeric parameters for symbols; returns ``{key: original value}`` to swap them back.

    ``slots`` and ``names`` (lists) receive the parameter vector's layout: ``(key, shape)`` and symbol names.
    """
    slots = [] if slots is None else slots
    names = [] if names is None else names
    originals = {}

    def to_symbol(key, value):
        if _is_scalar(value):
            name = symbol_name(key)
            slots.append((key, None))
            names.append(name)
            originals[key] = value
            return se.Symbol(name)
        if _is_numeric_array(value):
            base = symbol_name(key)
            grid = np.empty(value.shape, dtype=object)
            for index in np.ndindex(value.shape):
                grid[index] = se.Symbol(base + "".join(f"_{i}" for i in index))
                names.append(str(grid[index]))
            slots.append((key, value.shape))
            originals[key] = value
            return grid
        return value

    instance._swap_params(top_prefix(instance), to_symbol)
    return originals


def _equations(instance):
    """Derivatives, helper definitions and the coupling plans recorded while the helpers were built."""
    derivatives = list(instance._derivatives())
    instance._coupling_plans = {}
    helpers = list(instance._sync())
    plans = dict(instance._coupling_plans)
    instance._coupling_plans = {}
    return derivatives, helpers, plans


def derive_any(instance):
    """:func:`derive` with symbolic parameters, or with their values where the equations need them as numbers."""
    try:
        return derive(instance, symbolic=True)
    except Exception as err:  # noqa: BLE001 - any failure of user code with symbols: fall back to the values
        logger.info(f"{instance.name}: parameters used as numbers in the equations ({type(err).__name__}: {err}).")
        return derive(instance, symbolic=False)


def flat_params(instance):
    """The instance's parameters as a flat dict of dotted keys."""
    return flatten_nested_dict(instance.get_nested_params())


def parameter_vector(system, flat):
    """The parameter values of ``system``'s symbols, in order, from the flat parameters ``flat``."""
    values = []
    for key, shape in system.slots:
        value = flat[key]
        if shape is None:
            values.append(float(value))
        else:
            arr = np.asarray(value, dtype=float)
            if arr.shape != shape:
                raise ParameterError(f"Parameter {key!r} changed shape from {shape} to {arr.shape}.")
            values.extend(arr.ravel().tolist())
    return np.asarray(values, dtype=float)


def _digest(value):
    if isinstance(value, np.ndarray):
        return hashlib.sha256(np.ascontiguousarray(value).tobytes() + str(value.dtype).encode()).hexdigest()
    return repr(value)


def fingerprint(flat, symbolic):
    """What decides whether compiled equations still hold: the parameter keys (and array shapes), the values of
    the non-numeric parameters, and with ``symbolic=False`` every value."""
    items = []
    for key, value in flat.items():
        if ".input_" in f".{key}":
            continue
        if symbolic and (_is_scalar(value) or _is_numeric_array(value)):
            items.append((key, np.shape(value)))
        else:
            items.append((key, _digest(value)))
    return tuple(items)
