"""``NeuralMass``: one population whose dynamics are symbolic delay differential equations.

A mass owns a slice of the global state vector (``idx_state_var`` onwards) and ``num_noise_variables`` input
channels (``noise_input_idx``). Its equations are written with jitcdde's symbols: ``y(i)`` for the current
value of state variable ``i``, ``y(i, t - tau)`` for a delayed one, ``input(k)`` for input channel ``k``; the
couplings it receives from other masses and nodes arrive as symbols in ``coupling_variables``.
"""

from __future__ import annotations

import copy
import logging

import symengine as se
from jitcdde import y

from neurolib.errors import ParameterError, ParameterKeyError, ParameterTypeError
from neurolib.utils.stimulus import Input

logger = logging.getLogger(__name__)


def function_name(function):
    """Name of a callback: a str, a symengine ``Function("name")`` or an applied one."""
    if isinstance(function, str):
        return function
    if hasattr(function, "get_name"):
        return str(function.get_name())
    return str(getattr(function, "name", function))


def _is_input_key(key):
    """Parameter keys of input processes (``input_0``, ``input_1``, ...), which are never equations' parameters."""
    return isinstance(key, str) and key.startswith("input_")


class NeuralMass:
    """Base class of a neural population (mass) with symbolic dynamics.

    A subclass sets the class attributes below, default parameters and initial values, and implements
    :meth:`_derivatives`. Every dynamical quantity is in ms (rates in kHz).

    Class attributes
    ----------------
    name, label : str
        Human-readable name and short label; ``f"{label}_{index}"`` names the mass in parameter keys.
    mass_type : str
        Population type, e.g. ``"EXC"`` or ``"INH"``; unique within a node.
    num_state_variables : int
        Number of state variables.
    num_noise_variables : int
        Number of input channels (noise or stimulus).
    state_variable_names : list of str
        Names of the state variables.
    coupling_variables : dict
        ``{local index of a state variable: coupling name}``: the variables other masses and nodes can read.
    required_couplings : list of str
        Names of the coupling symbols the equations read (e.g. ``"node_exc_exc"``, ``"network_exc_exc"``).
    required_params : list of str
        Parameter keys that must be present.
    helper_variables : list of str
        Names of extra helper symbols (``helper_symbols``) defined by the node's ``_sync()``.
    python_callbacks : list of str
        Names of non-symbolic functions the equations call (``callback_functions``), e.g. table lookups.
    _noise_input : list of Input
        Default input processes, one per channel; every instance works on its own copies.
    default_params : dict or None
        Parameters of a mass created without ``params`` (each instance gets its own copy); None: ``params`` is
        required.

    Parameters
    ----------
    params : dict, optional
        Parameters of the mass (copied); default: a copy of ``default_params``.
    seed : int, optional
        Seed of the random initial state.
    """

    name = ""
    label = ""
    mass_type = None
    num_state_variables = 0
    num_noise_variables = 0
    state_variable_names = []
    coupling_variables = {}
    required_couplings = []
    required_params = []
    helper_variables = []
    python_callbacks = []
    _noise_input = []
    default_params = None  # the parameters a mass created with params=None gets (a copy), if the class has them

    DESCRIPTION_FIELD = [
        "index",
        "name",
        "mass_type",
        "num_state_variables",
        "num_noise_variables",
        "state_variable_names",
        "params",
    ]

    def __init__(self, params=None, seed=None):
        if params is None and self.default_params is not None:
            params = self.default_params
        if not isinstance(params, dict):
            raise ParameterTypeError(
                f"{type(self).__name__}: 'params' must be a dict of parameter values, got {type(params).__name__}."
            )
        self.params = copy.deepcopy(params)
        self.seed = seed
        self.index = None
        self.idx_state_var = None
        self.noise_input_idx = None
        self.initial_state = None
        self.initialised = False
        self.helper_symbols = {name: se.Symbol(name) for name in self.helper_variables}
        self.callback_functions = {name: se.Function(name) for name in self.python_callbacks}
        # the class-level defaults are templates: each mass gets its own input objects
        self._noise_input = [copy.deepcopy(process) for process in self._noise_input]
        self._validate_params()

    # ------------------------------------------------------------------------------------------ description
    def __str__(self):
        names = ", ".join(self.state_variable_names)
        return f"Neural mass: {self.name} with {self.num_state_variables} state variables: {names}"

    def __repr__(self):
        return self.__str__()

    def describe(self):
        """The mass as a dict of the fields in ``DESCRIPTION_FIELD``."""
        return {field: getattr(self, field) for field in self.DESCRIPTION_FIELD}

    # ------------------------------------------------------------------------------------------ parameters
    def _validate_params(self):
        missing = set(self.required_params) - set(self.params)
        if missing:
            raise ParameterKeyError(f"{self.name or type(self).__name__}: missing required parameters {missing}.")

    def _refresh_input_params(self):
        """Write each input process's parameters into ``params["input_<k>"]`` (and drop stale entries)."""
        for key in [k for k in self.params if _is_input_key(k)]:
            del self.params[key]
        for k, process in enumerate(self._noise_input):
            self.params[f"input_{k}"] = process.get_params()

    def update_params(self, params_dict):
        """Update parameters from ``params_dict``; ``input_<k>`` entries update the input processes.

        Parameters
        ----------
        params_dict : dict
            New values by parameter key; ``{"input_0": {"sigma": 0.1}}`` sets a parameter of input channel 0.
        """
        if not isinstance(params_dict, dict):
            raise ParameterTypeError(f"{self.name}: update_params needs a dict, got {type(params_dict).__name__}.")
        for key, value in params_dict.items():
            if "noise" in key or _is_input_key(key):
                continue
            self.params[key] = value
        self._validate_params()
        for k, process in enumerate(self._noise_input):
            new = params_dict.get(f"input_{k}")
            if isinstance(new, dict):
                process.update_params(new)
        self._refresh_input_params()

    # ------------------------------------------------------------------------------------------ inputs
    @property
    def noise_input(self):
        """The input processes of the channels (list of :class:`~neurolib.utils.stimulus.Input`)."""
        return self._noise_input

    @noise_input.setter
    def noise_input(self, new_inputs):
        new_inputs = list(new_inputs)
        self._check_inputs(new_inputs)
        self._noise_input = new_inputs
        self._refresh_input_params()

    def _check_inputs(self, processes):
        if len(processes) != self.num_noise_variables:
            raise ParameterError(
                f"{self.name}: needs {self.num_noise_variables} input processes (one per channel), got "
                f"{len(processes)}."
            )
        for k, process in enumerate(processes):
            if not isinstance(process, Input):
                raise ParameterTypeError(
                    f"{self.name}: input {k} must be a neurolib.utils.stimulus.Input, got {type(process).__name__}."
                )

    # ------------------------------------------------------------------------------------------ set-up
    def _initialize_state_vector(self):
        """Set ``initial_state`` (one value per state variable); the default is all zeros."""
        self.initial_state = [0.0] * self.num_state_variables

    def init_mass(self, start_idx_for_noise=None):
        """Initialise the mass: initial state, input channel indices, input parameters.

        Parameters
        ----------
        start_idx_for_noise : int, optional
            Global index of the first input channel, used when ``noise_input_idx`` was not set (default: the
            mass ``index``).
        """
        self._initialize_state_vector()
        if self.index is None:
            raise ParameterError(f"{self.name}: set the mass 'index' (its position in the node) before init_mass().")
        if self.noise_input_idx is None:
            start = self.index if start_idx_for_noise is None else int(start_idx_for_noise)
            self.noise_input_idx = [start + k for k in range(self.num_noise_variables)]
        if len(self.noise_input_idx) != self.num_noise_variables:
            raise ParameterError(
                f"{self.name}: 'noise_input_idx' must hold {self.num_noise_variables} channel indices, got "
                f"{self.noise_input_idx}."
            )
        self._check_inputs(self._noise_input)
        self._refresh_input_params()
        self.initialised = True

    # ------------------------------------------------------------------------------------------ equations
    def _unwrap_state_vector(self):
        """The symbols ``y(idx_state_var + k)`` of the current values of this mass's state variables."""
        if self.idx_state_var is None:
            raise ParameterError(f"{self.name}: 'idx_state_var' is not set (the node sets it).")
        return [y(self.idx_state_var + k) for k in range(self.num_state_variables)]

    def _derivatives(self, coupling_variables):
        """Symbolic right-hand sides (per ms) of this mass's state variables.

        Parameters
        ----------
        coupling_variables : dict
            Coupling name -> symbol or expression (or 0.0) for every name in ``required_couplings``.

        Returns
        -------
        list
            ``num_state_variables`` symengine expressions.
        """
        raise NotImplementedError(f"{type(self).__name__} must implement _derivatives(coupling_variables).")

    def _callbacks(self):
        """Non-symbolic functions for the jitcdde backend: ``[(symengine Function, callable, n_args), ...]``."""
        return []

    def _numba_callbacks(self):
        """Functions for the numba backend: ``[(name, njit function), ...]`` or ``[(name, function, arrays)]``.

        With a third item, a tuple of numpy arrays, the function is called as ``f(*args, *arrays)``, so that tables
        reach compiled code as arguments. Default: the functions of :meth:`_callbacks` (compiled with numba), called
        as jitcdde calls them, with the current state vector first: ``f(y, *args)``.
        """
        return [(function_name(function), callback, (), "state") for function, callback, _ in self._callbacks()]

    def _validate_callbacks(self, callbacks):
        """Check that ``callbacks`` provides every name of ``python_callbacks``, in that order, with callables."""
        if len(callbacks) != len(self.python_callbacks):
            raise ParameterError(
                f"{self.name}: {len(self.python_callbacks)} callbacks declared in python_callbacks, got "
                f"{len(callbacks)}."
            )
        for expected, entry in zip(self.python_callbacks, callbacks):
            name = function_name(entry[0])
            if name != expected:
                raise ParameterError(f"{self.name}: callback {name!r} given where {expected!r} was expected.")
            if not callable(entry[1]):
                raise ParameterTypeError(f"{self.name}: the callback for {expected!r} is not callable.")

    # ------------------------------------------------------------------------------------------ symbolic params
    def _swap_params(self, prefix, swap):
        """Replace every parameter value ``v`` (not the inputs) by ``swap(f"{prefix}.{key}", v)``."""
        for key, value in list(self.params.items()):
            if _is_input_key(key):
                continue
            new = swap(f"{prefix}.{key}", value)
            if new is not value:
                self.params[key] = new
