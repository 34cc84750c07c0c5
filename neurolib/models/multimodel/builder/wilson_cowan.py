"""Wilson-Cowan excitatory and inhibitory masses, node and network (additive coupling from E)."""

from __future__ import annotations

import numpy as np
import symengine as se
from jitcdde import input as system_input

from neurolib.models.multimodel.builder._common import exc_inh_nodes, uniform
from neurolib.models.multimodel.builder.base.constants import EXC, INH
from neurolib.models.multimodel.builder.base.network import Network, SingleCouplingExcitatoryInhibitoryNode
from neurolib.models.multimodel.builder.base.neural_mass import NeuralMass
from neurolib.utils.stimulus import OrnsteinUhlenbeckProcess

WC_EXC_DEFAULT_PARAMS = {"a": 1.5, "mu": 3.0, "tau": 2.5, "ext_drive": 0.0}  # gain, threshold, ms, drive
WC_INH_DEFAULT_PARAMS = {"a": 1.5, "mu": 3.0, "tau": 3.75, "ext_drive": 0.0}
# [to, from]: E<-E 16, E<-I 12, I<-E 15, I<-I 3
WC_NODE_DEFAULT_CONNECTIVITY = np.array([[16.0, 12.0], [15.0, 3.0]])


class WilsonCowanMass(NeuralMass):
    """Shared part of the Wilson-Cowan masses: ``tau dq = -q + (1 - q) S(u) + input``,
    ``S(u) = 1 / (1 + exp(-a (u - mu)))``."""

    required_params = ["a", "mu", "tau", "ext_drive"]
    num_state_variables = 1
    _noise_input = [OrnsteinUhlenbeckProcess(mu=0.0, sigma=0.0, tau=5.0)]
    num_noise_variables = 1

    def _initialize_state_vector(self):
        self.initial_state = (0.05 * uniform(self.seed, 0.0, 1.0, self.num_state_variables)).tolist()

    def _sigmoid(self, x):
        return 1.0 / (1.0 + se.exp(-self.params["a"] * (x - self.params["mu"])))

    def _rate(self, drive):
        (q,) = self._unwrap_state_vector()
        dq = -q + (1.0 - q) * self._sigmoid(drive + self.params["ext_drive"]) + system_input(self.noise_input_idx[0])
        return [dq / self.params["tau"]]


class ExcitatoryWilsonCowanMass(WilsonCowanMass):
    """Excitatory Wilson-Cowan population; drive ``node_exc_exc - node_exc_inh + network_exc_exc + ext_drive``.

    Parameters
    ----------
    params : dict, optional
        Parameters (default ``WC_EXC_DEFAULT_PARAMS``).
    seed : int, optional
        Seed of the initial state, ``0.05 * U(0, 1)``.
    """

    name = "Wilson-Cowan excitatory mass"
    label = f"WCmass{EXC}"
    required_couplings = ["node_exc_exc", "node_exc_inh", "network_exc_exc"]
    mass_type = EXC
    state_variable_names = [f"q_mean_{EXC}"]
    coupling_variables = {0: state_variable_names[0]}

    default_params = WC_EXC_DEFAULT_PARAMS

    def _derivatives(self, coupling_variables):
        c = coupling_variables
        return self._rate(c["node_exc_exc"] - c["node_exc_inh"] + c["network_exc_exc"])


class InhibitoryWilsonCowanMass(WilsonCowanMass):
    """Inhibitory Wilson-Cowan population; drive ``node_inh_exc - node_inh_inh + network_inh_exc + ext_drive``.

    Parameters
    ----------
    params : dict, optional
        Parameters (default ``WC_INH_DEFAULT_PARAMS``).
    seed : int, optional
        Seed of the initial state, ``0.05 * U(0, 1)``.
    """

    name = "Wilson-Cowan inhibitory mass"
    label = f"WCmass{INH}"
    required_couplings = ["node_inh_exc", "node_inh_inh", "network_inh_exc"]
    mass_type = INH
    state_variable_names = [f"q_mean_{INH}"]
    coupling_variables = {0: state_variable_names[0]}

    default_params = WC_INH_DEFAULT_PARAMS

    def _derivatives(self, coupling_variables):
        c = coupling_variables
        return self._rate(c["node_inh_exc"] - c["node_inh_inh"] + c["network_inh_exc"])


class WilsonCowanNode(SingleCouplingExcitatoryInhibitoryNode):
    """An excitatory and an inhibitory Wilson-Cowan mass (outputs ``q_mean_EXC``, ``q_mean_INH``).

    Parameters
    ----------
    exc_params, inh_params : dict, optional
        Mass parameters (defaults ``WC_EXC_DEFAULT_PARAMS``, ``WC_INH_DEFAULT_PARAMS``).
    connectivity : array_like
        Local weights ``[to, from]`` (E, I); no local delays.
    exc_seed, inh_seed : int, optional
        Seeds of the initial states.
    """

    name = "Wilson-Cowan node"
    default_network_coupling = {"network_exc_exc": 0.0, "network_inh_exc": 0.0}
    label = "WCnode"
    output_vars = [f"q_mean_{EXC}", f"q_mean_{INH}"]
    default_output = output_vars[0]

    def __init__(
        self,
        exc_params=None,
        inh_params=None,
        connectivity=WC_NODE_DEFAULT_CONNECTIVITY,
        exc_seed=None,
        inh_seed=None,
    ):
        masses = [
            ExcitatoryWilsonCowanMass(params=exc_params, seed=exc_seed),
            InhibitoryWilsonCowanMass(params=inh_params, seed=inh_seed),
        ]
        super().__init__(neural_masses=masses, local_connectivity=connectivity, local_delays=None)


class WilsonCowanNetwork(Network):
    """Wilson-Cowan nodes coupled additively: ``network_exc_exc_i = network_inh_exc_i = sum_j C[i, j]
    q_E,j(t - D[i, j])``.

    Parameters
    ----------
    connectivity_matrix : array_like
        Weights ``[to, from]``.
    delay_matrix : array_like
        Delays in ms ``[to, from]``.
    exc_mass_params, inh_mass_params : dict or list of dict, optional
        Mass parameters, shared or per node.
    local_connectivity : array_like
        Weights within each node.
    exc_seed, inh_seed : int or list, optional
        Seeds of the initial states (node i gets ``seed + i``), or one per node.
    """

    name = "Wilson-Cowan network"
    label = "WCnet"
    sync_variables = ["network_exc_exc", "network_inh_exc"]
    default_coupling = dict.fromkeys(sync_variables, "additive")  # both from the excitatory variable
    output_vars = WilsonCowanNode.output_vars
    default_output = output_vars[0]

    def __init__(
        self,
        connectivity_matrix,
        delay_matrix,
        exc_mass_params=None,
        inh_mass_params=None,
        local_connectivity=WC_NODE_DEFAULT_CONNECTIVITY,
        exc_seed=None,
        inh_seed=None,
    ):
        nodes = exc_inh_nodes(
            WilsonCowanNode,
            len(connectivity_matrix),
            exc_mass_params,
            inh_mass_params,
            exc_seed,
            inh_seed,
            connectivity=local_connectivity,
        )
        self.coupling_symbols = {"exc_exc": 0, "inh_exc": 0}
        super().__init__(nodes=nodes, connectivity_matrix=connectivity_matrix, delay_matrix=delay_matrix)
