"""``Network``: nodes coupled through delayed connections (and, re-exported, ``Node`` and its E/I variant)."""

from __future__ import annotations

import logging
from dataclasses import dataclass

import numpy as np
import symengine as se
from jitcdde import t, y

from neurolib.errors import ParameterError, ParameterTypeError
from neurolib.models.multimodel.builder.base.backend import BackendIntegrator
from neurolib.models.multimodel.builder.base.constants import NETWORK_CONNECTIVITY, NETWORK_DELAYS
from neurolib.models.multimodel.builder.base.node import (
    Node,
    SingleCouplingExcitatoryInhibitoryNode,
    as_float_matrix,
    checked_initial_state,
    distribute_inputs,
    stack_states,
)

__all__ = ["Network", "Node", "SingleCouplingExcitatoryInhibitoryNode"]

logger = logging.getLogger(__name__)

COUPLING_TYPES = ("additive", "diffusive", "multiplicative", "none")


@dataclass
class CouplingPlan:
    """A network coupling built by ``_additive_coupling`` and kin: for target node i, the definition
    ``definitions[i]`` equals ``sum over (weight, source, delay) in rows[i] of weight * f(y(source, t - delay),
    y(own[i]))``."""

    kind: str
    definitions: list  # [(symbol, expression)] as returned to the caller
    own: list  # state index of each target node's own variable
    rows: list  # per target node: [(weight, source state index, delay in ms)]


class Network(BackendIntegrator):
    """Nodes coupled by delayed connections: the whole brain model.

    Class attributes
    ----------------
    name, label : str
        Human-readable name and short label (the first segment of parameter keys).
    sync_variables : list of str
        Network coupling symbols (``"network_<name>"``) its ``_sync()`` defines, one per node each.
    default_coupling : dict
        ``{sync variable: "additive" | "diffusive" | "multiplicative" | "none"}`` couplings built by ``_sync()``
        (needs ``coupling_symbols``: ``{name without "network_": index of the variable within each node}``).
    default_output : str or None
        Main output; None takes the common ``default_output`` of the nodes.
    output_vars : list of str
        State variables stored as outputs.

    Parameters
    ----------
    nodes : list of Node
        The nodes, with ``index`` and ``idx_state_var`` set (a subclass sets them before calling this).
    connectivity_matrix : array_like
        Weights, ``[to, from]``, (nodes x nodes).
    delay_matrix : array_like, optional
        Delays in ms, ``[to, from]`` (default zeros).
    """

    name = ""
    label = ""
    sync_variables = []
    default_coupling = {}
    default_output = None
    output_vars = []

    def __init__(self, nodes, connectivity_matrix, delay_matrix=None):
        nodes = list(nodes)
        for node in nodes:
            if not isinstance(node, Node):
                raise ParameterTypeError(f"{type(self).__name__}: every node must be a Node, got {node!r}.")
        n = len(nodes)
        if n == 0:
            raise ParameterError(f"{type(self).__name__}: a network needs at least one node.")
        self.nodes = nodes
        self.num_nodes = n
        self.connectivity = as_float_matrix(NETWORK_CONNECTIVITY, connectivity_matrix, (n, n))
        delays = np.zeros((n, n)) if delay_matrix is None else delay_matrix
        self.delays = as_float_matrix(NETWORK_DELAYS, delays, (n, n))
        if np.any(self.delays < 0):
            raise ParameterError(f"'{NETWORK_DELAYS}' (ms) must be >= 0, got a minimum of {self.delays.min()}.")
        self.num_state_variables = sum(node.num_state_variables for node in nodes)
        self.num_noise_variables = sum(node.num_noise_variables for node in nodes)
        names = self.state_variable_names
        for var in self.output_vars:
            if not any(var in node_names for node_names in names):
                raise ParameterError(f"{self.name}: output variable {var!r} occurs in none of its nodes.")
        if self.default_output is None:
            defaults = {node.default_output for node in nodes}
            if len(defaults) != 1:
                raise ParameterError(f"{self.name}: the nodes have different default outputs {sorted(defaults)}.")
            self.default_output = defaults.pop()
        missing = [k for k, node_names in enumerate(names) if self.default_output not in node_names]
        if missing:
            raise ParameterError(f"{self.name}: default output {self.default_output!r} is missing in nodes {missing}.")
        self.initialised = False
        self.are_params_floats = True
        self.float_params = None
        self.init_network()

    # ------------------------------------------------------------------------------------------ description
    def __len__(self):
        return self.num_nodes

    def __getitem__(self, index):
        return self.nodes[index]

    def __str__(self):
        return f"Brain network {self.name} with {self.num_nodes} nodes"

    def __repr__(self):
        return self.__str__()

    def describe(self):
        """The network, its nodes and matrices as a dict."""
        return {
            "name": self.name,
            "num_nodes": len(self.nodes),
            "connectivity": self.connectivity,
            "num_state_variables": self.num_state_variables,
            "delays": self.delays,
            "num_noise_variables": self.num_noise_variables,
            "nodes": [node.describe() for node in self.nodes],
        }

    @property
    def state_variable_names(self):
        """Per node, the list of its state variable names."""
        return [node.state_variable_names[0] for node in self.nodes]

    @property
    def max_delay(self):
        """Largest delay of the network and of its nodes, ms."""
        own = float(np.max(np.asarray(self.delays, dtype=float), initial=0.0))
        return max([own] + [node.max_delay for node in self.nodes])

    @property
    def initial_state(self):
        """Initial states of all nodes, concatenated (1-D, or 2-D ``(num_state_variables, history)``)."""
        return stack_states([node.initial_state for node in self.nodes], self.name)

    @initial_state.setter
    def initial_state(self, value):
        arr = checked_initial_state(self, value)
        start = 0
        for node in self.nodes:
            node.initial_state = arr[start : start + node.num_state_variables]
            start += node.num_state_variables

    @property
    def noise_input(self):
        """Input processes of all channels, node by node."""
        return [process for node in self.nodes for process in node.noise_input]

    @noise_input.setter
    def noise_input(self, new_inputs):
        distribute_inputs(self, self.nodes, new_inputs)

    # ------------------------------------------------------------------------------------------ parameters
    def get_nested_params(self):
        """``{label: {<node key>: {...}, "connectivity": C, "delays": D}}``."""
        inner = {}
        for node in self.nodes:
            inner.update(node.get_nested_params())
        inner[NETWORK_CONNECTIVITY] = self.connectivity
        inner[NETWORK_DELAYS] = self.delays
        return {self.label: inner}

    def update_params(self, params_dict):
        """Update parameters from a nested dict as :meth:`get_nested_params` returns it (with or without the
        network label level)."""
        if not isinstance(params_dict, dict):
            raise ParameterTypeError(f"{self.name}: update_params needs a dict, got {type(params_dict).__name__}.")
        if set(params_dict) == {self.label} and isinstance(params_dict[self.label], dict):
            params_dict = params_dict[self.label]
        by_key = {f"{node.label}_{node.index}": node for node in self.nodes}
        n = self.num_nodes
        for key, value in params_dict.items():
            if key in by_key and isinstance(value, dict):
                by_key[key].update_params(value)
            elif key == NETWORK_CONNECTIVITY:
                self.connectivity = as_float_matrix(key, value, (n, n))
            elif key == NETWORK_DELAYS:
                self.delays = as_float_matrix(key, value, (n, n))
            else:
                logger.warning(f"Not sure what to do with {key} = {value!r} in {self.name}; ignored.")

    def _swap_params(self, prefix, swap):
        for node in self.nodes:
            node._swap_params(f"{prefix}.{node.label}_{node.index}", swap)
        self.connectivity = swap(f"{prefix}.{NETWORK_CONNECTIVITY}", self.connectivity)
        self.delays = swap(f"{prefix}.{NETWORK_DELAYS}", self.delays)

    @staticmethod
    def _prepare_mass_params(param, num_nodes, native_type=dict):
        """Per-node values of a constructor argument: None -> ``[None] * n``, one ``native_type`` value -> repeated,
        a list -> checked (length ``num_nodes``, items None or ``native_type``)."""
        kind = getattr(native_type, "__name__", None) or "/".join(t.__name__ for t in native_type)
        if param is None:
            return [None] * num_nodes
        if isinstance(param, native_type):
            return [param] * num_nodes
        if isinstance(param, list):
            if len(param) != num_nodes:
                raise ParameterError(f"Expected {num_nodes} per-node values, got {len(param)}.")
            for item in param:
                if item is not None and not isinstance(item, native_type):
                    raise ParameterTypeError(f"Per-node values must be None or {kind}, got {item!r}.")
            return param
        raise ParameterTypeError(f"Expected None, a {kind} or a list of them, got {param!r}.")

    # ------------------------------------------------------------------------------------------ set-up
    def init_network(self, **kwargs):
        """Initialise the network: sync symbols and every node (consecutive input channels, state offsets)."""
        self.sync_symbols = {
            f"{name}_{k}": se.Symbol(f"{name}_{k}") for name in self.sync_variables for k in range(self.num_nodes)
        }
        state_start, noise_start = 0, 0
        for k, node in enumerate(self.nodes):
            if node.index is None:
                node.index = k
            if node.idx_state_var is None:
                node.idx_state_var = state_start
            node.init_node(start_idx_for_noise=noise_start, **kwargs)
            state_start += node.num_state_variables
            noise_start += node.num_noise_variables
        self.initialised = True

    # ------------------------------------------------------------------------------------------ couplings
    def _within(self, within_node_idx):
        if isinstance(within_node_idx, (int, np.integer)):
            return [int(within_node_idx)] * self.num_nodes
        idx = [int(v) for v in within_node_idx]
        if len(idx) != self.num_nodes:
            raise ParameterError(f"{self.name}: 'within_node_idx' needs one index per node, got {len(idx)}.")
        return idx

    def _sources(self, within_node_idx):
        """Global state index of the coupling variable of each node."""
        return [node.idx_state_var + k for node, k in zip(self.nodes, self._within(within_node_idx))]

    def _symbols_of(self, symbol):
        return [self.sync_symbols[f"{symbol}_{k}"] for k in range(self.num_nodes)]

    def _weighted_sum(self, kind, within_node_idx, symbol, connectivity):
        """``symbol_i = sum_j C[i, j] f(x_j(t - D[i, j]), x_i(t))`` for every node i (f by ``kind``).

        Besides the expressions, the sum is recorded as a :class:`CouplingPlan` under ``_coupling_plans``, so that the
        numba backend can evaluate it as a loop over connections instead of one term per connection.
        """
        C = self.connectivity if connectivity is None else connectivity
        src = self._sources(within_node_idx)
        out, rows = [], []
        for i, sym in enumerate(self._symbols_of(symbol)):
            parts, row = [], []
            for j in range(self.num_nodes):
                delayed = y(src[j], t - self.delays[i, j])
                if kind == "diffusive":
                    delayed = delayed - y(src[i])
                elif kind == "multiplicative":
                    delayed = delayed * y(src[i])
                parts.append(C[i, j] * delayed)
                row.append((C[i, j], src[j], self.delays[i, j]))
            out.append((sym, sum(parts, se.Integer(0))))
            rows.append(row)
        if not hasattr(self, "_coupling_plans"):
            self._coupling_plans = {}
        self._coupling_plans[symbol] = CouplingPlan(kind, out, src, rows)
        return out

    def _additive_coupling(self, within_node_idx, symbol, connectivity=None):
        """``symbol_i = sum_j C[i, j] x_j(t - D[i, j])`` for the variable ``within_node_idx`` of each node."""
        return self._weighted_sum("additive", within_node_idx, symbol, connectivity)

    def _diffusive_coupling(self, within_node_idx, symbol, connectivity=None):
        """``symbol_i = sum_j C[i, j] (x_j(t - D[i, j]) - x_i(t))``."""
        return self._weighted_sum("diffusive", within_node_idx, symbol, connectivity)

    def _multiplicative_coupling(self, within_node_idx, symbol, connectivity=None):
        """``symbol_i = sum_j C[i, j] x_j(t - D[i, j]) x_i(t)``."""
        return self._weighted_sum("multiplicative", within_node_idx, symbol, connectivity)

    def _no_coupling(self, symbol):
        """``symbol_i = 0`` for every node."""
        return [(sym, se.Integer(0)) for sym in self._symbols_of(symbol)]

    def _couple(self, coupling_type, coupling_variable):
        """The coupling ``network_<coupling_variable>`` of the given type (see ``default_coupling``)."""
        symbol = f"network_{coupling_variable}"
        if coupling_type == "none":
            return self._no_coupling(symbol)
        if coupling_type not in COUPLING_TYPES:
            raise ParameterError(f"Unknown coupling type: {coupling_type!r}; use one of {COUPLING_TYPES}.")
        index = getattr(self, "coupling_symbols", {}).get(coupling_variable)
        if index is None:
            raise ParameterError(
                f"{self.name}: 'coupling_symbols' has no entry for {coupling_variable!r} (the index of that variable "
                f"within each node)."
            )
        builder = getattr(self, f"_{coupling_type}_coupling")
        return builder(index, symbol)

    def _sync(self):
        """Definitions of every node's symbols and of the network couplings in ``default_coupling``."""
        definitions = []
        for node in self.nodes:
            definitions += node._sync()
        for name, kind in self.default_coupling.items():
            definitions += self._couple(kind, name[len("network_") :] if name.startswith("network_") else name)
        return definitions

    # ------------------------------------------------------------------------------------------ equations
    def _derivatives(self):
        """Symbolic right-hand sides of the whole network (node by node)."""
        derivatives, start = [], 0
        for k, node in enumerate(self.nodes):
            node.idx_state_var = start
            mine = {name: self.sync_symbols[f"{name}_{k}"] for name in self.sync_variables}
            derivatives += node._derivatives(network_coupling=mine)
            start += node.num_state_variables
        return derivatives

    def _callbacks(self):
        return [cb for node in self.nodes for cb in node._callbacks()]

    def _numba_callbacks(self):
        return [cb for node in self.nodes for cb in node._numba_callbacks()]
