"""Parameter spaces to explore (:class:`~neurolib.optimize.exploration.BoxSearch`) or optimise
(:class:`~neurolib.optimize.evolution.Evolution`).

A :class:`ParameterSpace` maps parameter names to lists of values and has a *kind* that says how the lists
become runs:

``"grid"``
    the cartesian product of all lists (first parameter varies slowest, last fastest);
``"point"``, ``"bound"``, ``"explicit"``
    the lists are zipped: run i uses value i of every parameter (all lists have the same length). For an
    optimiser a ``"bound"`` parameter is the interval ``[low, high]``;
``"sequence"``
    one parameter at a time: each parameter's values are run while the others keep their defaults.

Without an explicit ``kind`` it is guessed from the list lengths (all 1: ``"point"``, all 2: ``"bound"``,
otherwise ``"grid"``). The guess "bound" for two values per parameter is what an optimiser expects, but an
exploration then runs only the two zipped points; :class:`~neurolib.optimize.exploration.BoxSearch` warns about
it, and ``kind="grid"`` gives the full product.
"""

from __future__ import annotations

import itertools
import logging
import numbers
import typing
from collections import namedtuple
from collections.abc import Mapping, Sequence
from typing import Any

import numpy as np

from neurolib.errors import ParameterError, ParameterTypeError
from neurolib.utils.collections import sanitize_dot_dict

logger = logging.getLogger(__name__)

SUPPORTED_KINDS = ["point", "bound", "grid", "sequence", "explicit", None]
_RESERVED = {"kind", "kind_guessed", "parameters", "parameterNames", "parameterValues", "star", "named_tuple",
             "named_tuple_constructor"}  # fmt: skip


def _as_dict(parameters, parameterValues):
    """``{name: values}`` from the two forms ``ParameterSpace(dict)`` and ``ParameterSpace(names, values)``."""
    if isinstance(parameters, dict):
        if parameterValues is not None:
            raise ParameterError(
                "Parameters must be a dict of {name: values} when no parameterValues are given; got both a dict "
                "and parameterValues (give the values in the dict, or names and parameterValues as two lists)."
            )
        return dict(parameters)
    if not isinstance(parameters, (list, tuple)):
        raise ParameterTypeError(
            f"parameters must be a dict {{name: values}} or a list of names, got {type(parameters).__name__}."
        )
    bad = [name for name in parameters if not isinstance(name, str)]
    if bad:
        raise ParameterTypeError(f"All parameter names must be strings, got {bad!r}.")
    values = [] if parameterValues is None else parameterValues
    if not isinstance(values, (list, tuple)):
        raise ParameterTypeError(
            f"parameterValues must be a list with one list of values per parameter, got {type(values).__name__}."
        )
    if len(values) != len(parameters):
        raise ParameterError(f"Got {len(parameters)} parameter names but {len(values)} value lists in parameterValues.")
    for name, vals in zip(parameters, values):
        if not isinstance(vals, (list, tuple)):
            raise ParameterTypeError(
                f"The values of parameter '{name}' must be a list or tuple, got {type(vals).__name__}: {vals!r}."
            )
    return dict(zip(parameters, values))


def _value_list(name, values):
    """The values of one parameter as a list (1-D arrays and tuples converted)."""
    if not isinstance(name, str):
        raise ParameterTypeError(f"Parameter names must be strings, got {name!r} ({type(name).__name__}).")
    if isinstance(values, np.ndarray):
        if values.ndim != 1:
            raise ParameterError(
                f"Parameter {name} is not one-dimensional: its values must form a 1-D list or array (one value per "
                f"run), got an array of shape {values.shape}; give a list of arrays for array-valued parameters."
            )
        return values.tolist()
    if isinstance(values, (list, tuple)):
        return list(values)
    raise ParameterTypeError(
        f"The values of parameter '{name}' must be a list, tuple or 1-D array, got {type(values).__name__}: {values!r}."
    )


class ParameterSpace:
    """Names and values of the parameters to explore.

    Parameters
    ----------
    parameters : dict or list of str
        ``{name: values}`` (then ``parameterValues`` must be None), or a list of names.
    parameterValues : list of list, optional
        With a list of names: one list (or tuple) of values per name, e.g. ``[[lo, hi], [lo, hi]]``.
    kind : {"grid", "point", "bound", "sequence", "explicit"}, optional
        How the value lists become runs (see the module docstring). None: guessed from the list lengths.
    allow_star_notation : bool
        Names are glob patterns over the flat parameter keys of a MultiModel (``"*EXC*.tau"``), expanded by
        the exploration into the concrete keys.

    Attributes
    ----------
    kind : str or None
        The kind (given or guessed).
    kind_guessed : bool
        True when ``kind`` was guessed from the value lists.
    parameters : dict
        ``{name: list of values}``; every name is also an attribute (``space.mue_ext_mean``).
    parameterNames : list of str
    parameterValues : list of list
    star : bool
        ``allow_star_notation``.
    named_tuple_constructor, named_tuple
        A namedtuple class with identifier-safe names (``*`` -> ``STAR``, ``|`` -> ``MINUS``, ``.`` -> ``DOT``) and
        its instance holding each parameter's values.

    Raises
    ------
    ParameterError
        Malformed input: a dict together with ``parameterValues``, names that are not strings, values that are
        not lists, a multi-dimensional array, an unsupported kind, or invalid bounds. (A ``ValueError`` and an
        ``AssertionError``, which the published package raised; :class:`~neurolib.errors.ParameterTypeError` for
        wrong types.)

    Examples
    --------
    >>> space = ParameterSpace({"a": [1, 2, 3], "b": [4.0, 5.0]})
    >>> space.kind
    'grid'
    >>> space.get_parametrization()
    {'a': [1, 1, 2, 2, 3, 3], 'b': [4.0, 5.0, 4.0, 5.0, 4.0, 5.0]}
    >>> ParameterSpace(["x", "y"], [[0.0, 1.0], [-1.0, 1.0]]).kind
    'bound'
    """

    def __init__(
        self,
        parameters: Sequence[str] | Mapping[str, Any],
        parameterValues: Sequence[Any] | None = None,
        kind: str | None = None,
        allow_star_notation: bool = False,
    ) -> None:
        if kind not in SUPPORTED_KINDS:
            raise ParameterError(f"kind must be one of {SUPPORTED_KINDS}, got kind={kind!r}.")
        self.kind, self.kind_guessed, self._requested_kind = kind, False, kind
        self.star = bool(allow_star_notation)
        self.parameters = self._processParameterDict(_as_dict(parameters, parameterValues))
        self._refresh()

    # ------------------------------------------------------------------ processing
    def _processParameterDict(self, parameters):
        """Convert value arrays to lists, validate them, guess the kind and set the attributes."""
        out = {name: _value_list(name, values) for name, values in parameters.items()}
        if self._requested_kind is None:
            self.kind = self._guess_kind(out)
            self.kind_guessed = self.kind is not None
        if self.kind == "bound":
            self._validate_bounds(out)
        for name, values in out.items():
            # every parameter is also an attribute, unless the name is taken by the class itself
            if name.isidentifier() and not hasattr(type(self), name) and name not in _RESERVED:
                setattr(self, name, values)
        return out

    @staticmethod
    def _guess_kind(parameters):
        """Kind from the number of values of each parameter (None for an empty space)."""
        if not parameters:
            return None
        lengths = {len(v) for v in parameters.values()}
        if len(lengths) == 1:
            n = lengths.pop()
            kind = "point" if n == 1 else "bound" if n == 2 else "grid"
        else:
            kind = "grid"
        logger.info(f'Assuming parameter kind "{kind}"')
        return kind

    @staticmethod
    def _validate_bounds(parameters):
        prefix = "An error occured while validating the ParameterSpace of kind 'bound':"
        for name, values in parameters.items():
            if len(values) != 2:
                raise ParameterError(f"{prefix} parameter '{name}' must be given as [low, high], got {values!r}.")
            if not all(isinstance(v, numbers.Real) and not isinstance(v, (bool, np.bool_)) for v in values):
                raise ParameterTypeError(f"{prefix} the bounds of '{name}' must be numbers, got {values!r}.")
            if not values[1] > values[0]:
                raise ParameterError(
                    f"{prefix} the upper bound of '{name}' must be larger than the lower one, got {values!r}."
                )

    def _refresh(self):
        """Names, values and the named tuple from ``self.parameters``."""
        self.parameterNames, self.parameterValues = list(self.parameters), [v for v in self.parameters.values()]
        sanitized = sanitize_dot_dict(self.parameters)
        self.named_tuple_constructor = namedtuple("ParameterSpace", list(sanitized))
        self.named_tuple = self.named_tuple_constructor(**sanitized)

    # ------------------------------------------------------------------ access
    def __str__(self):
        return str(self.parameters)

    def __repr__(self):
        return f"ParameterSpace({self.parameters!r}, kind={self.kind!r})"

    def __getitem__(self, key):
        return self.parameters[key]

    def __setitem__(self, key, values):
        self.parameters = self._processParameterDict({**self.parameters, key: values})
        self._refresh()

    def dict(self):
        """The parameters as ``{name: list of values}``."""
        return self.parameters

    @property
    def lowerBound(self):
        """Smallest value of each parameter (list, in parameter order)."""
        return [min(values) for values in self.parameters.values()]

    @property
    def upperBound(self):
        """Largest value of each parameter (list, in parameter order)."""
        return [max(values) for values in self.parameters.values()]

    @property
    def ndims(self):
        """Number of parameters."""
        return len(self.parameters)

    def getRandom(self, safe: bool = False, seed: int | None = None) -> typing.Dict[str, Any]:  # noqa: UP006
        """One random value per parameter.

        Parameters
        ----------
        safe : bool
            Convert numpy scalars to Python ``float`` / ``int``.
        seed : int or numpy.random.Generator, optional
            Seed of (or) the local generator used for the choice; None: fresh entropy.

        Returns
        -------
        dict
            ``{name: value}``, each value chosen uniformly from the parameter's list.
        """
        rng = seed if isinstance(seed, np.random.Generator) else np.random.default_rng(seed)
        out = {}
        for name, values in self.parameters.items():
            value = values[int(rng.integers(len(values)))]
            if safe:
                if isinstance(value, np.floating):
                    value = float(value)
                elif isinstance(value, np.integer):
                    value = int(value)
            out[name] = value
        return out

    # ------------------------------------------------------------------ runs
    def get_parametrization(self):
        """The values of every run: ``{name: list with one value per run}``.

        Returns
        -------
        dict
            grid: the cartesian product (first parameter slowest); point/bound/explicit: the lists as they are
            (zipped); sequence: one parameter at a time, ``None`` where a parameter keeps its default.

        Raises
        ------
        ParameterError
            If the kind is None (an empty space), or the zipped lists have different lengths.
        """
        if self.kind is None:
            raise ParameterError("This ParameterSpace is empty (kind None): it has no runs to parametrize.")
        if self.kind == "sequence":
            return ParameterSpace._inflate_to_sequence(self.parameters)
        if self.kind != "grid":  # point, bound, explicit: zipped lists
            counts = {k: len(v) for k, v in self.parameters.items()}
            if len(set(counts.values())) > 1:
                raise ParameterError(
                    f"All parameters of a '{self.kind}' space must have the same number of values (run i takes "
                    f"value i of each), got {counts}; use kind='grid' for all combinations."
                )
            return {k: list(v) for k, v in self.parameters.items()}
        names = list(self.parameters)
        product = list(itertools.product(*self.parameters.values()))
        return {name: [combo[i] for combo in product] for i, name in enumerate(names)}

    @staticmethod
    def _inflate_to_sequence(param_dict):
        """One-at-a-time sweep: each parameter's values in its own block of runs, ``None`` elsewhere.

        Examples
        --------
        >>> ParameterSpace._inflate_to_sequence({"a": [1, 2], "b": [3]})
        {'a': [1, 2, None], 'b': [None, None, 3]}
        """
        total = sum(len(v) for v in param_dict.values())
        out = {}
        start = 0
        for name, values in param_dict.items():
            column = [None] * total
            column[start : start + len(values)] = list(values)
            out[name] = column
            start += len(values)
        return out
