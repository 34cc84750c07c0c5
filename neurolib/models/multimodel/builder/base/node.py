"""``Node``: neural masses coupled within one brain area (``SingleCouplingExcitatoryInhibitoryNode`` for E/I ones).

The classes are re-exported by :mod:`neurolib.models.multimodel.builder.base.network`, their established home.
"""

from __future__ import annotations

import logging
import re

import numpy as np
import symengine as se
from jitcdde import t, y

from neurolib.errors import ParameterError, ParameterKeyError, ParameterTypeError
from neurolib.models.multimodel.builder.base.backend import BackendIntegrator
from neurolib.models.multimodel.builder.base.constants import EXC, INH, NODE_CONNECTIVITY, NODE_DELAYS
from neurolib.models.multimodel.builder.base.neural_mass import NeuralMass

logger = logging.getLogger(__name__)

_INDEXED = re.compile(r"^(.*)_(\d+)$")


def strip_index(name, index):
    """``"node_exc_exc_3"`` -> ``"node_exc_exc"`` (removes the suffix ``_<index>``)."""
    suffix = f"_{index}"
    return name[: -len(suffix)] if name.endswith(suffix) else name


def as_float_matrix(name, value, shape):
    """A matrix parameter as a float array of ``shape`` (ints are converted), or a clear error."""
    arr = np.asarray(value)
    if arr.dtype == object or arr.dtype == bool or not np.issubdtype(arr.dtype, np.number):
        raise ParameterTypeError(f"'{name}' must be a numeric matrix, got {value!r}.")
    if arr.shape != tuple(shape):
        raise ParameterError(f"'{name}' must have shape {tuple(shape)}, got {arr.shape}.")
    return arr.astype(float)


def stack_states(parts, what):
    """Concatenate initial states (1-D vectors and/or 2-D histories) along the variables."""
    arrays = [np.asarray(p, dtype=float) for p in parts]
    widths = {a.shape[1] for a in arrays if a.ndim == 2}
    if not widths:
        return np.concatenate(arrays)
    if len(widths) > 1:
        raise ParameterError(f"{what}: the initial histories of its parts have different lengths {sorted(widths)}.")
    width = widths.pop()
    return np.concatenate([a if a.ndim == 2 else np.repeat(a[:, None], width, axis=1) for a in arrays])


def checked_initial_state(owner, value):
    """``value`` as the initial state of ``owner`` (a node or network): (state variables,) or (state variables,
    history); raises ``ParameterError`` naming the expected shape."""
    arr = np.array(value, dtype=float)
    if arr.ndim not in (1, 2) or arr.shape[0] != owner.num_state_variables:
        raise ParameterError(
            f"{owner.name}: the initial state must have shape ({owner.num_state_variables},) or "
            f"({owner.num_state_variables}, history), got {arr.shape}."
        )
    return arr


def distribute_inputs(owner, parts, new_inputs):
    """Give each of ``parts`` (masses of a node, nodes of a network) its share of ``owner``'s input processes, in
    order; raises ``ParameterError`` if the count differs."""
    new_inputs = list(new_inputs)
    if len(new_inputs) != owner.num_noise_variables:
        raise ParameterError(f"{owner.name}: needs {owner.num_noise_variables} input processes, got {len(new_inputs)}.")
    start = 0
    for part in parts:
        part.noise_input = new_inputs[start : start + part.num_noise_variables]
        start += part.num_noise_variables


class Node(BackendIntegrator):
    """A brain area: neural masses coupled to each other, simulated alone or as part of a :class:`Network`.

    Class attributes
    ----------------
    name, label : str
        Human-readable name and short label (``f"{label}_{index}"`` names the node in parameter keys).
    sync_variables : list of str
        Names of the node-level coupling symbols its ``_sync()`` defines.
    default_network_coupling : dict
        ``{network coupling name: value}`` used when the node is simulated alone (e.g. ``{"network_x": 0.0}``).
    default_output : str
        Name of the main output variable.
    output_vars : list of str
        Names of the state variables stored as outputs.

    Parameters
    ----------
    neural_masses : list of NeuralMass
        The masses; a mass whose ``index`` is not set gets its position in the list.
    """

    name = ""
    label = ""
    index = None
    idx_state_var = None
    sync_variables = []
    default_network_coupling = {}
    default_output = None
    output_vars = []

    def __init__(self, neural_masses):
        masses = list(neural_masses)
        for mass in masses:
            if not isinstance(mass, NeuralMass):
                raise ParameterTypeError(f"{type(self).__name__}: every mass must be a NeuralMass, got {mass!r}.")
        for k, mass in enumerate(masses):
            if mass.index is None:
                mass.index = k
        types = [mass.mass_type for mass in masses]
        if len(set(types)) != len(types):
            raise ParameterError(f"Mass types needs to be different: {types} in {type(self).__name__}.")
        self.masses = masses
        self.num_state_variables = sum(mass.num_state_variables for mass in masses)
        self.num_noise_variables = sum(mass.num_noise_variables for mass in masses)
        names = self.state_variable_names[0]
        if self.default_output is not None and self.default_output not in names:
            raise ParameterError(f"{self.name}: default_output {self.default_output!r} is not among {names}.")
        wrong = [v for v in self.output_vars if v not in names]
        if wrong:
            raise ParameterError(f"{self.name}: output_vars {wrong} are not among the state variables {names}.")
        self.initialised = False
        self.are_params_floats = True
        self.float_params = None
        self.sync_symbols = {}
        self._initial_state = None

    # ------------------------------------------------------------------------------------------ description
    def __len__(self):
        return len(self.masses)

    def __getitem__(self, index):
        return self.masses[index]

    def __str__(self):
        masses = ", ".join(mass.name for mass in self.masses)
        return f"Network node: {self.name} with {len(self.masses)} neural mass(es): {masses}"

    def __repr__(self):
        return self.__str__()

    def describe(self):
        """The node and its masses as a dict."""
        return {
            "index": self.index,
            "name": self.name,
            "num_masses": len(self),
            "num_num_state_variables": self.num_state_variables,
            "masses": [mass.describe() for mass in self.masses],
            "num_noise_variables": self.num_noise_variables,
        }

    @property
    def state_variable_names(self):
        """``[[names]]``: the masses' variable names; all get ``_<mass_type>`` appended if any name repeats."""
        names = [name for mass in self.masses for name in mass.state_variable_names]
        if len(set(names)) != len(names):
            names = [f"{name}_{mass.mass_type}" for mass in self.masses for name in mass.state_variable_names]
        return [names]

    @property
    def max_delay(self):
        """Largest delay within the node, ms."""
        return 0.0

    # ------------------------------------------------------------------------------------------ state, inputs
    @property
    def initial_state(self):
        """Initial state: ``(num_state_variables,)`` (constant past) or ``(num_state_variables, history)``."""
        return self._initial_state

    @initial_state.setter
    def initial_state(self, value):
        self._initial_state = checked_initial_state(self, value)

    @property
    def noise_input(self):
        """The input processes of all channels, mass by mass."""
        return [process for mass in self.masses for process in mass.noise_input]

    @noise_input.setter
    def noise_input(self, new_inputs):
        distribute_inputs(self, self.masses, new_inputs)

    # ------------------------------------------------------------------------------------------ parameters
    def _key(self):
        return f"{self.label}_{self.index}"

    def _node_level_params(self):
        """Node-level parameters besides the masses' (``{key: value}``)."""
        return {}

    def get_nested_params(self):
        """``{f"{label}_{index}": {f"{mass label}_{mass index}": mass params, ...}}``."""
        if not self.initialised:
            raise ParameterError(f"{self.name}: the node must be initialised (init_node) first.")
        inner = {f"{mass.label}_{mass.index}": mass.params for mass in self.masses}
        inner.update(self._node_level_params())
        return {self._key(): inner}

    def _update_node_level(self, key, value):
        """Handle a node-level key of :meth:`update_params`; return False if it is unknown."""
        return False

    def update_params(self, params_dict):
        """Update parameters from a nested dict as :meth:`get_nested_params` returns it.

        Parameters
        ----------
        params_dict : dict
            ``{"<node label>_<i>": {...}}`` or its inner dict: ``"<mass label>_<j>"`` sub-dicts go to mass ``j``.
        """
        if not isinstance(params_dict, dict):
            raise ParameterTypeError(f"{self.name}: update_params needs a dict, got {type(params_dict).__name__}.")
        if len(params_dict) == 1:
            (key,) = params_dict
            if isinstance(key, str) and self.label in key and isinstance(params_dict[key], dict):
                params_dict = params_dict[key]
        by_index = {mass.index: mass for mass in self.masses}
        for key, value in params_dict.items():
            match = _INDEXED.match(key) if isinstance(key, str) else None
            mass = by_index.get(int(match.group(2))) if match else None
            if mass is not None and match.group(1) == mass.label and isinstance(value, dict):
                mass.update_params(value)
            elif not self._update_node_level(key, value):
                logger.warning(f"Not sure what to do with {key} = {value!r} in {self.name}; ignored.")

    def _swap_params(self, prefix, swap):
        for mass in self.masses:
            mass._swap_params(f"{prefix}.{mass.label}_{mass.index}", swap)

    # ------------------------------------------------------------------------------------------ set-up
    def init_node(self, start_idx_for_noise=None, **kwargs):
        """Initialise the node: its sync symbols, its masses (``init_mass``) and its initial state.

        Parameters
        ----------
        start_idx_for_noise : int, optional
            Global index of the node's first input channel; its masses get consecutive channels from there
            (unless their ``noise_input_idx`` was set).
        """
        if self.index is None:
            raise ParameterError(f"{self.name}: set the node 'index' before init_node().")
        if self.idx_state_var is None:
            self.idx_state_var = 0
        self.sync_symbols = {f"{name}_{self.index}": se.Symbol(f"{name}_{self.index}") for name in self.sync_variables}
        start = start_idx_for_noise
        for mass in self.masses:
            if start is None:
                mass.init_mass(**kwargs)
            else:
                mass.init_mass(start_idx_for_noise=start, **kwargs)
                start += mass.num_noise_variables
        self._initial_state = stack_states([mass.initial_state for mass in self.masses], self.name)
        self.initialised = True

    def all_couplings(self, mass_indices=None):
        """``{index within the node's state vector: coupling name}`` of the masses ``mass_indices`` (default all)."""
        chosen = range(len(self.masses)) if mass_indices is None else list(mass_indices)
        found, offset = {}, 0
        for k, mass in enumerate(self.masses):
            if k in chosen:
                found.update({offset + local: name for local, name in mass.coupling_variables.items()})
            offset += mass.num_state_variables
        return found

    def _mass_offsets(self):
        """Global index of each mass's first state variable."""
        offsets, start = [], self.idx_state_var or 0
        for mass in self.masses:
            offsets.append(start)
            start += mass.num_state_variables
        return offsets

    # ------------------------------------------------------------------------------------------ equations
    def _sync(self):
        """Definitions ``[(symbol, expression), ...]`` of the node-level coupling symbols."""
        raise NotImplementedError(f"{type(self).__name__} must implement _sync() (return [] for a single mass).")

    def _derivatives(self, network_coupling=None):
        """Symbolic right-hand sides of all the node's state variables, mass by mass.

        Parameters
        ----------
        network_coupling : dict, optional
            Network coupling name -> symbol or value for this node; default ``default_network_coupling``.
        """
        network_coupling = self.default_network_coupling if network_coupling is None else network_coupling
        available = {strip_index(str(sym), self.index): sym for sym in self.sync_symbols.values()}
        available.update(network_coupling)
        derivatives = []
        for mass, start in zip(self.masses, self._mass_offsets()):
            mass.idx_state_var = start
            missing = [name for name in mass.required_couplings if name not in available]
            if missing:
                raise ParameterKeyError(
                    f"{mass.name} in {self.name} needs the couplings {missing}, which neither the node nor the "
                    f"network defines."
                )
            derivatives += mass._derivatives({name: available[name] for name in mass.required_couplings})
        if len(derivatives) != self.num_state_variables:
            raise ParameterError(
                f"{self.name}: its masses gave {len(derivatives)} derivatives for {self.num_state_variables} variables."
            )
        return derivatives

    def _callbacks(self):
        return [cb for mass in self.masses for cb in mass._callbacks()]

    def _numba_callbacks(self):
        return [cb for mass in self.masses for cb in mass._numba_callbacks()]


class SingleCouplingExcitatoryInhibitoryNode(Node):
    """A node of excitatory and inhibitory masses that each export exactly one coupling variable.

    Defines ``node_X_Y_<index>`` (input **to** masses of type X **from** masses of type Y, X, Y in exc/inh) as
    ``sum over to in X, from in Y of connectivity[to, from] * x_from(t - delays[to, from])``.

    Parameters
    ----------
    neural_masses : list of NeuralMass
        The masses (``mass_type`` "EXC" or "INH"), each exporting one coupling variable.
    local_connectivity : array_like
        Weights between the masses, ``[to, from]``.
    local_delays : array_like, optional
        Delays between the masses in ms, ``[to, from]`` (default zeros).
    """

    sync_variables = ["node_exc_exc", "node_inh_exc", "node_exc_inh", "node_inh_inh"]
    default_network_coupling = {"network_exc_exc": 0.0}

    def __init__(self, neural_masses, local_connectivity, local_delays=None):
        masses = list(neural_masses)
        for mass in masses:
            if isinstance(mass, NeuralMass) and len(mass.coupling_variables) != 1:
                raise ParameterError(
                    f"{mass.name}: a mass of a {type(self).__name__} must export exactly one coupling variable, "
                    f"got {mass.coupling_variables}."
                )
        n = len(masses)
        self.connectivity = as_float_matrix(NODE_CONNECTIVITY, local_connectivity, (n, n))
        self.delays = np.zeros((n, n)) if local_delays is None else as_float_matrix(NODE_DELAYS, local_delays, (n, n))
        if np.any(self.delays < 0):
            raise ParameterError(f"'{NODE_DELAYS}' must be >= 0 ms, got {self.delays.tolist()}.")
        super().__init__(neural_masses=masses)
        kinds = np.array([mass.mass_type for mass in masses])
        self.excitatory_masses = np.where(kinds == EXC)[0]
        self.inhibitory_masses = np.where(kinds == INH)[0]

    @property
    def max_delay(self):
        return float(np.max(np.asarray(self.delays, dtype=float), initial=0.0))

    def _node_level_params(self):
        return {NODE_CONNECTIVITY: self.connectivity, NODE_DELAYS: self.delays}

    def _update_node_level(self, key, value):
        n = len(self.masses)
        if key == NODE_CONNECTIVITY:
            self.connectivity = as_float_matrix(key, value, (n, n))
        elif key == NODE_DELAYS:
            self.delays = as_float_matrix(key, value, (n, n))
        else:
            return False
        return True

    def _swap_params(self, prefix, swap):
        super()._swap_params(prefix, swap)
        self.connectivity = swap(f"{prefix}.{NODE_CONNECTIVITY}", self.connectivity)
        self.delays = swap(f"{prefix}.{NODE_DELAYS}", self.delays)

    def _coupling_inputs(self):
        """``inputs[to, from]``: the coupling variable of mass ``from`` as mass ``to`` sees it (delayed)."""
        n = len(self.masses)
        sources = [
            start + next(iter(mass.coupling_variables)) for mass, start in zip(self.masses, self._mass_offsets())
        ]
        inputs = np.empty((n, n), dtype=object)
        for to in range(n):
            for frm in range(n):
                inputs[to, frm] = y(sources[frm], t - self.delays[to, frm])
        return inputs

    def init_node(self, start_idx_for_noise=None, **kwargs):
        super().init_node(start_idx_for_noise=start_idx_for_noise, **kwargs)
        self.inputs = self._coupling_inputs()

    def _sync(self):
        self.inputs = self._coupling_inputs()
        groups = {"exc": self.excitatory_masses, "inh": self.inhibitory_masses}
        definitions = []
        for to_kind, from_kind in (("exc", "exc"), ("inh", "exc"), ("exc", "inh"), ("inh", "inh")):
            total = sum(
                (
                    self.connectivity[to, frm] * self.inputs[to, frm]
                    for to in groups[to_kind]
                    for frm in groups[from_kind]
                ),
                se.Integer(0),
            )
            definitions.append((self.sync_symbols[f"node_{to_kind}_{from_kind}_{self.index}"], total))
        return definitions
