"""Helpers shared by the built-in masses, nodes and networks."""

from __future__ import annotations

import numpy as np
from jitcdde import input as system_input

from neurolib.errors import ParameterTypeError
from neurolib.models.multimodel.builder.base.network import Network, Node
from neurolib.models.multimodel.builder.base.neural_mass import NeuralMass
from neurolib.utils.stimulus import OrnsteinUhlenbeckProcess


def uniform(seed, low, high, size):
    """``size`` uniform draws in ``[low, high)`` from a local generator seeded with ``seed`` (None: fresh)."""
    return np.random.default_rng(seed).uniform(low, high, size)


def node_seeds(seed, n):
    """Per-node seeds of a network: None, one int (node i gets ``seed + i``), or a list of n ints/None."""
    if seed is None or isinstance(seed, (int, np.integer)):
        return [None if seed is None else int(seed) + i for i in range(n)]
    seeds = Network._prepare_mass_params(list(seed), n, native_type=(int, np.integer))
    return [None if s is None else int(s) for s in seeds]


def per_node_params(params, n, what):
    """Per-node parameter dicts: None, one dict (shared) or a list of n dicts/None."""
    if params is not None and not isinstance(params, (dict, list)):
        raise ParameterTypeError(f"'{what}' must be a dict, a list of dicts or None, got {type(params).__name__}.")
    return Network._prepare_mass_params(params, n, native_type=dict)


def place_nodes(nodes):
    """Set each node's ``index``, state offset and its masses' input channels (consecutive, node by node)."""
    state, noise = 0, 0
    for i, node in enumerate(nodes):
        node.index = i
        node.idx_state_var = state
        for mass in node:
            mass.noise_input_idx = [noise + k for k in range(mass.num_noise_variables)]
            noise += mass.num_noise_variables
        state += node.num_state_variables
    return nodes


class SingleMassNode(Node):
    """A node of one mass (``mass_class``): ``Node(params=None, seed=None)``, no local coupling to sync."""

    mass_class: type

    def __init__(self, params=None, seed=None):
        super().__init__(neural_masses=[self.mass_class(params=params, seed=seed)])

    def _sync(self):
        return []


class SingleMassNetwork(Network):
    """A network of single-mass nodes (``node_class``): ``Network(connectivity_matrix, delay_matrix,
    mass_params=None, seed=None)``, parameters and seeds shared or per node; ``coupling_symbols`` maps the
    coupled variables to their index in the node."""

    node_class: type
    coupling_symbols: dict

    def __init__(self, connectivity_matrix, delay_matrix, mass_params=None, seed=None):
        n = len(connectivity_matrix)
        params, seeds = per_node_params(mass_params, n, "mass_params"), node_seeds(seed, n)
        nodes = place_nodes([self.node_class(params=p, seed=s) for p, s in zip(params, seeds)])
        self.coupling_symbols = dict(type(self).coupling_symbols)
        super().__init__(nodes=nodes, connectivity_matrix=connectivity_matrix, delay_matrix=delay_matrix)


def exc_inh_nodes(node_class, n, exc_mass_params, inh_mass_params, exc_seed, inh_seed, **node_kwargs):
    """The n placed nodes of a network of excitatory-inhibitory nodes (``node_kwargs`` go to every node)."""
    exc_p = per_node_params(exc_mass_params, n, "exc_mass_params")
    inh_p = per_node_params(inh_mass_params, n, "inh_mass_params")
    exc_s, inh_s = node_seeds(exc_seed, n), node_seeds(inh_seed, n)
    nodes = [
        node_class(exc_params=ep, inh_params=ip, exc_seed=es, inh_seed=is_, **node_kwargs)
        for ep, ip, es, is_ in zip(exc_p, inh_p, exc_s, inh_s)
    ]
    return place_nodes(nodes)


class PlanarOscillatorMass(NeuralMass):
    """A mass of two state variables, x and y, each driven by its network coupling (``network_x``, ``network_y``),
    a constant (``x_ext``, ``y_ext``) and an input channel: ``dx = f(x, y) + network_x + x_ext + input_0``, ``dy =
    g(x, y) + network_y + y_ext + input_1`` (per ms). A subclass gives ``f`` and ``g`` (:meth:`_flow`), its default
    parameters (``default_params``) and the amplitude of its random initial state (``init_amplitude * U(-1, 1)``)."""

    state_variable_names = ["x", "y"]
    num_state_variables = 2
    coupling_variables = {0: "x", 1: "y"}
    num_noise_variables = 2
    required_couplings = ["network_x", "network_y"]
    _noise_input = [OrnsteinUhlenbeckProcess(mu=0.0, sigma=0.0, tau=5.0) for _ in range(2)]
    init_amplitude = 1.0

    def _initialize_state_vector(self):
        self.initial_state = (self.init_amplitude * uniform(self.seed, -1.0, 1.0, self.num_state_variables)).tolist()

    def _flow(self, x, y, p):
        """The intrinsic parts ``(f, g)`` of the derivatives (symbolic)."""
        raise NotImplementedError

    def _derivatives(self, coupling_variables):
        x, y = self._unwrap_state_vector()
        p = self.params
        f, g = self._flow(x, y, p)
        dx = f + coupling_variables["network_x"] + p["x_ext"] + system_input(self.noise_input_idx[0])
        dy = g + coupling_variables["network_y"] + p["y_ext"] + system_input(self.noise_input_idx[1])
        return [dx, dy]
