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
from collections import namedtuple

import numpy as np

from neurolib.utils.collections import sanitize_dot_dict

logger = logging.getLogger(__name__)

SUPPORTED_KINDS = ["point", "bound", "grid", "sequence", "explicit", None]
_RESERVED = {"kind", "kind_guessed", "parameters", "parameterNames", "parameterValues", "star", "named_tuple",
             "named_tuple_constructor"}  # fmt: skip


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
    AssertionError
        Malformed input: a dict together with ``parameterValues``, names that are not strings, values that are
        not lists, a multi-dimensional array, an unsupported kind, or invalid bounds.

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

    def __init__(self, parameters, parameterValues=None, kind=None, allow_star_notation=False):
        assert kind in SUPPORTED_KINDS, f"Parameter space kind {kind!r} is not supported; use one of {SUPPORTED_KINDS}."
        self.star = allow_star_notation
        self.kind = kind
        self.kind_guessed = False
        self._requested_kind = kind
        if isinstance(parameters, dict):
            assert parameterValues is None, (
                "Parameters must be a dict of {name: values} when no parameterValues are given; "
                "got both a dict and parameterValues."
            )
            processed = dict(parameters)
        else:
            assert isinstance(parameters, (list, tuple)), (
                f"Parameters must be a dict or a list of names, got {type(parameters).__name__}."
            )
            assert all(isinstance(name, str) for name in parameters), "All parameter names must be strings."
            values = [] if parameterValues is None else parameterValues
            assert isinstance(values, (list, tuple)), "parameterValues must be a list with one list per parameter."
            assert len(values) == len(parameters), (
                f"Got {len(parameters)} parameter names but {len(values)} value lists."
            )
            for name, vals in zip(parameters, values):
                assert isinstance(vals, (list, tuple)), (
                    f"The values of parameter '{name}' must be a list or tuple, got {type(vals).__name__}."
                )
            processed = dict(zip(parameters, values))
        self.parameters = self._processParameterDict(processed)
        self._refresh()

    # ------------------------------------------------------------------ processing
    def _processParameterDict(self, parameters):
        """Convert value arrays to lists, validate them, guess the kind and set the attributes."""
        out = {}
        for name, values in parameters.items():
            assert isinstance(name, str), f"Parameter names must be strings, got {name!r}."
            if isinstance(values, np.ndarray):
                assert values.ndim == 1, f"Parameter {name} is not one-dimensional."
                values = values.tolist()
            elif isinstance(values, tuple):
                values = list(values)
            elif not isinstance(values, list):
                raise AssertionError(
                    f"The values of parameter '{name}' must be a list, tuple or 1-D array, got {values!r}."
                )
            out[name] = values
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
            assert isinstance(values, (list, tuple)) and len(values) == 2, (
                f"{prefix} parameter '{name}' must be given as [low, high], got {values!r}."
            )
            assert all(isinstance(v, numbers.Real) for v in values), (
                f"{prefix} the bounds of '{name}' must be numbers, got {values!r}."
            )
            assert values[1] > values[0], (
                f"{prefix} the upper bound of '{name}' must be larger than the lower one, got {values!r}."
            )

    def _refresh(self):
        """Names, values and the named tuple from ``self.parameters``."""
        self.parameterNames = list(self.parameters)
        self.parameterValues = list(self.parameters.values())
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
        parameters = dict(self.parameters)
        parameters[key] = values
        self.parameters = self._processParameterDict(parameters)
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

    def getRandom(self, safe=False, seed=None):
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
        AssertionError
            If the kind is None (an empty space), or the zipped lists have different lengths.
        """
        assert self.kind is not None, "The parameter space has no kind (is it empty?)."
        if self.kind in ("point", "bound", "explicit"):
            lengths = {len(v) for v in self.parameters.values()}
            assert len(lengths) <= 1, (
                f"All parameters of a '{self.kind}' space must have the same number of values, got "
                f"{ {k: len(v) for k, v in self.parameters.items()} }."
            )
            return {k: list(v) for k, v in self.parameters.items()}
        if self.kind == "sequence":
            return self._inflate_to_sequence(self.parameters)
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
