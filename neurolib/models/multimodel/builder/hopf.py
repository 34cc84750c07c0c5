"""Hopf normal form (Stuart-Landau oscillator) as a MultiModel mass, node and network (diffusive coupling on x)."""

from __future__ import annotations

from jitcdde import input as system_input

from neurolib.models.multimodel.builder._common import SingleMassNode, single_mass_nodes, uniform, with_defaults
from neurolib.models.multimodel.builder.base.network import Network
from neurolib.models.multimodel.builder.base.neural_mass import NeuralMass
from neurolib.utils.stimulus import OrnsteinUhlenbeckProcess

HOPF_DEFAULT_PARAMS = {
    "a": 0.25,  # bifurcation parameter, 1/ms (limit cycle for a > 0)
    "w": 0.2,  # angular frequency, rad/ms
    "x_ext": 0.0,  # constant drive of x
    "y_ext": 0.0,  # constant drive of y
}


class HopfMass(NeuralMass):
    """Stuart-Landau oscillator: ``dx = (a - x^2 - y^2) x - w y + network_x + input_0 + x_ext``,
    ``dy = (a - x^2 - y^2) y + w x + network_y + input_1 + y_ext`` (per ms).

    Parameters
    ----------
    params : dict, optional
        Parameters (default ``HOPF_DEFAULT_PARAMS``).
    seed : int, optional
        Seed of the initial state, ``0.5 * U(-1, 1)``.
    """

    name = "Hopf normal form mass"
    label = "HopfMass"
    mass_type = "Hopf"
    state_variable_names = ["x", "y"]
    num_state_variables = 2
    coupling_variables = {0: "x", 1: "y"}
    num_noise_variables = 2
    required_couplings = ["network_x", "network_y"]
    required_params = list(HOPF_DEFAULT_PARAMS)
    _noise_input = [OrnsteinUhlenbeckProcess(mu=0.0, sigma=0.0, tau=5.0) for _ in range(2)]

    def __init__(self, params=None, seed=None):
        super().__init__(params=with_defaults(params, HOPF_DEFAULT_PARAMS), seed=seed)

    def _initialize_state_vector(self):
        self.initial_state = (0.5 * uniform(self.seed, -1.0, 1.0, self.num_state_variables)).tolist()

    def _derivatives(self, coupling_variables):
        x, y = self._unwrap_state_vector()
        p = self.params
        radial = p["a"] - x**2 - y**2
        dx = (
            radial * x
            - p["w"] * y
            + coupling_variables["network_x"]
            + p["x_ext"]
            + system_input(self.noise_input_idx[0])
        )
        dy = (
            radial * y
            + p["w"] * x
            + coupling_variables["network_y"]
            + p["y_ext"]
            + system_input(self.noise_input_idx[1])
        )
        return [dx, dy]


class HopfNode(SingleMassNode):
    """One Hopf mass as a node (outputs ``x``, ``y``).

    Parameters
    ----------
    params : dict, optional
        Mass parameters (default ``HOPF_DEFAULT_PARAMS``).
    seed : int, optional
        Seed of the initial state.
    """

    name = "Hopf normal form node"
    label = "HopfNode"
    default_network_coupling = {"network_x": 0.0, "network_y": 0.0}
    default_output = "x"
    output_vars = ["x", "y"]

    mass_class = HopfMass


class HopfNetwork(Network):
    """Hopf nodes with delayed diffusive coupling on x.

    Parameters
    ----------
    connectivity_matrix : array_like
        Weights ``[to, from]``.
    delay_matrix : array_like
        Delays in ms ``[to, from]``.
    mass_params : dict or list of dict, optional
        Parameters of every mass, or one dict per node.
    seed : int or list, optional
        Seed of the initial states (node i gets ``seed + i``), or one seed per node.
    """

    name = "Hopf normal form network"
    label = "HopfNet"
    sync_variables = ["network_x", "network_y"]
    default_output = "x"
    default_coupling = {"network_x": "diffusive", "network_y": "none"}
    output_vars = ["x", "y"]

    def __init__(self, connectivity_matrix, delay_matrix, mass_params=None, seed=None):
        nodes = single_mass_nodes(HopfNode, len(connectivity_matrix), mass_params, seed)
        self.coupling_symbols = {"x": 0, "y": 1}
        super().__init__(nodes=nodes, connectivity_matrix=connectivity_matrix, delay_matrix=delay_matrix)
