"""Wong-Wang masses (excitatory, inhibitory and the reduced single population), nodes and networks."""

from __future__ import annotations

import numpy as np
import symengine as se
from jitcdde import input as system_input

from neurolib.models.multimodel.builder._common import (
    SingleMassNetwork,
    SingleMassNode,
    exc_inh_nodes,
    uniform,
)
from neurolib.models.multimodel.builder.base.constants import EXC, INH
from neurolib.models.multimodel.builder.base.network import Network, SingleCouplingExcitatoryInhibitoryNode
from neurolib.models.multimodel.builder.base.neural_mass import NeuralMass
from neurolib.utils.stimulus import OrnsteinUhlenbeckProcess

# a: gain (kHz/nA), b: kHz, d: ms, tau: ms, currents and J in nA, lambda: 1/ms (relaxation of the rate variable)
WW_EXC_DEFAULT_PARAMS = {
    "a": 0.31,
    "b": 0.125,
    "d": 160.0,
    "tau": 100.0,
    "gamma": 0.641,
    "W": 1.0,
    "exc_current": 0.382,
    "J_NMDA": 0.15,
    "J_I": 1.0,
    "lambda": 10.0,
}
WW_INH_DEFAULT_PARAMS = {
    "a": 0.615,
    "b": 0.177,
    "d": 87.0,
    "tau": 10.0,
    "W": 0.7,
    "exc_current": 0.382,
    "J_NMDA": 0.15,
    "lambda": 10.0,
}
WW_REDUCED_DEFAULT_PARAMS = {
    "a": 0.27,
    "b": 0.108,
    "d": 154.0,
    "tau": 100.0,
    "gamma": 0.641,
    "w": 0.6,
    "J": 0.2609,
    "exc_current": 0.33,
    "lambda": 10.0,
}
WW_NODE_DEFAULT_CONNECTIVITY = np.array([[1.4, 1.0], [1.0, 1.0]])  # [to, from]


class WongWangMass(NeuralMass):
    """Shared part: rate ``H(I) = (a I - b) / (1 - exp(-d (a I - b)))`` (kHz) and ``dq_mean = -lambda (q_mean -
    H(I))``; the initial state is ``U(0, 1) * [1, 0.01]`` (S, q_mean)."""

    _noise_input = [OrnsteinUhlenbeckProcess(mu=0.0, sigma=0.0, tau=5.0)]
    num_state_variables = 2
    num_noise_variables = 1

    def _initialize_state_vector(self):
        self.initial_state = (uniform(self.seed, 0.0, 1.0, 2) * np.array([1.0, 0.01])).tolist()

    def _rate(self, current):
        x = self.params["a"] * current - self.params["b"]
        return x / (1.0 - se.exp(-self.params["d"] * x))

    def _relaxed(self, q_mean, rate):
        return -self.params["lambda"] * (q_mean - rate)


class ExcitatoryWongWangMass(WongWangMass):
    """Excitatory (NMDA) population: ``I = W exc_current + J_NMDA (node_exc_exc + network_exc_exc) - J_I
    node_exc_inh``, ``dS = -S / tau + (1 - S) gamma H(I) + input``.

    Parameters
    ----------
    params : dict, optional
        Parameters (default ``WW_EXC_DEFAULT_PARAMS``).
    seed : int, optional
        Seed of the initial state.
    """

    name = "Wong-Wang excitatory mass"
    label = f"WWmass{EXC}"
    state_variable_names = [f"S_{EXC}", f"q_mean_{EXC}"]
    mass_type = EXC
    coupling_variables = {0: state_variable_names[0]}
    required_params = list(WW_EXC_DEFAULT_PARAMS)
    required_couplings = ["node_exc_exc", "node_exc_inh", "network_exc_exc"]

    default_params = WW_EXC_DEFAULT_PARAMS

    def _derivatives(self, coupling_variables):
        S, q_mean = self._unwrap_state_vector()
        p, c = self.params, coupling_variables
        current = (
            p["W"] * p["exc_current"]
            + p["J_NMDA"] * (c["node_exc_exc"] + c["network_exc_exc"])
            - p["J_I"] * c["node_exc_inh"]
        )
        rate = self._rate(current)
        dS = -S / p["tau"] + (1.0 - S) * p["gamma"] * rate + system_input(self.noise_input_idx[0])
        return [dS, self._relaxed(q_mean, rate)]


class InhibitoryWongWangMass(WongWangMass):
    """Inhibitory (GABA) population: ``I = W exc_current + J_NMDA (node_inh_exc + network_inh_exc) -
    node_inh_inh``, ``dS = -S / tau + H(I) + input``.

    Parameters
    ----------
    params : dict, optional
        Parameters (default ``WW_INH_DEFAULT_PARAMS``).
    seed : int, optional
        Seed of the initial state.
    """

    name = "Wong-Wang inhibitory mass"
    label = f"WWmass{INH}"
    state_variable_names = [f"S_{INH}", f"q_mean_{INH}"]
    mass_type = INH
    coupling_variables = {0: state_variable_names[0]}
    required_params = list(WW_INH_DEFAULT_PARAMS)
    required_couplings = ["node_inh_exc", "node_inh_inh", "network_inh_exc"]

    default_params = WW_INH_DEFAULT_PARAMS

    def _derivatives(self, coupling_variables):
        S, q_mean = self._unwrap_state_vector()
        p, c = self.params, coupling_variables
        current = (
            p["W"] * p["exc_current"] + p["J_NMDA"] * (c["node_inh_exc"] + c["network_inh_exc"]) - c["node_inh_inh"]
        )
        rate = self._rate(current)
        dS = -S / p["tau"] + rate + system_input(self.noise_input_idx[0])
        return [dS, self._relaxed(q_mean, rate)]


class ReducedWongWangMass(WongWangMass):
    """Reduced Wong-Wang population (one per node): ``I = w J S + J network_S + exc_current``,
    ``dS = -S / tau + (1 - S) gamma H(I) + input``.

    Parameters
    ----------
    params : dict, optional
        Parameters (default ``WW_REDUCED_DEFAULT_PARAMS``).
    seed : int, optional
        Seed of the initial state.
    """

    name = "Reduced Wong-Wang mass"
    label = "ReducedWWmass"
    state_variable_names = ["S", "q_mean"]
    mass_type = "ReducedWW"
    coupling_variables = {0: state_variable_names[0]}
    required_params = list(WW_REDUCED_DEFAULT_PARAMS)
    required_couplings = ["network_S"]

    default_params = WW_REDUCED_DEFAULT_PARAMS

    def _derivatives(self, coupling_variables):
        S, q_mean = self._unwrap_state_vector()
        p = self.params
        current = p["w"] * p["J"] * S + p["J"] * coupling_variables["network_S"] + p["exc_current"]
        rate = self._rate(current)
        dS = -S / p["tau"] + (1.0 - S) * p["gamma"] * rate + system_input(self.noise_input_idx[0])
        return [dS, self._relaxed(q_mean, rate)]


class WongWangNode(SingleCouplingExcitatoryInhibitoryNode):
    """An excitatory and an inhibitory Wong-Wang mass (outputs ``S_EXC``, ``q_mean_EXC``, ``S_INH``,
    ``q_mean_INH``).

    Parameters
    ----------
    exc_params, inh_params : dict, optional
        Mass parameters.
    connectivity : array_like
        Local weights ``[to, from]`` (E, I).
    exc_seed, inh_seed : int, optional
        Seeds of the initial states.
    """

    name = "Wong-Wang node"
    default_network_coupling = {"network_exc_exc": 0.0, "network_inh_exc": 0.0}
    label = "WWnode"
    output_vars = [f"{v}_{kind}" for kind in (EXC, INH) for v in ("S", "q_mean")]
    default_output = output_vars[0]

    def __init__(
        self,
        exc_params=None,
        inh_params=None,
        connectivity=WW_NODE_DEFAULT_CONNECTIVITY,
        exc_seed=None,
        inh_seed=None,
    ):
        masses = [
            ExcitatoryWongWangMass(params=exc_params, seed=exc_seed),
            InhibitoryWongWangMass(params=inh_params, seed=inh_seed),
        ]
        super().__init__(neural_masses=masses, local_connectivity=connectivity, local_delays=None)


class WongWangNetwork(Network):
    """Wong-Wang nodes coupled additively through S_EXC (into both populations).

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
        Seeds of the initial states.
    """

    name = "Wong-Wang network"
    sync_variables = ["network_exc_exc", "network_inh_exc"]
    label = "WWnet"
    default_coupling = dict.fromkeys(sync_variables, "additive")  # both from S_EXC
    output_vars = WongWangNode.output_vars
    default_output = output_vars[0]

    def __init__(
        self,
        connectivity_matrix,
        delay_matrix,
        exc_mass_params=None,
        inh_mass_params=None,
        local_connectivity=WW_NODE_DEFAULT_CONNECTIVITY,
        exc_seed=None,
        inh_seed=None,
    ):
        nodes = exc_inh_nodes(
            WongWangNode,
            len(connectivity_matrix),
            exc_mass_params,
            inh_mass_params,
            exc_seed,
            inh_seed,
            connectivity=local_connectivity,
        )
        self.coupling_symbols = {"exc_exc": 0, "inh_exc": 0}
        super().__init__(nodes=nodes, connectivity_matrix=connectivity_matrix, delay_matrix=delay_matrix)


class ReducedWongWangNode(SingleMassNode):
    """One reduced Wong-Wang mass as a node (outputs ``S``, ``q_mean``).

    Parameters
    ----------
    params : dict, optional
        Mass parameters.
    seed : int, optional
        Seed of the initial state.
    """

    name = "Reduced Wong-Wang node"
    label = "ReducedWWnode"
    output_vars = ["S", "q_mean"]
    default_output = output_vars[0]
    default_network_coupling = {"network_S": 0.0}

    mass_class = ReducedWongWangMass


class ReducedWongWangNetwork(SingleMassNetwork):
    """Reduced Wong-Wang nodes coupled additively through S.

    Parameters
    ----------
    connectivity_matrix : array_like
        Weights ``[to, from]``.
    delay_matrix : array_like
        Delays in ms ``[to, from]``.
    mass_params : dict or list of dict, optional
        Mass parameters, shared or per node.
    seed : int or list, optional
        Seeds of the initial states.
    """

    name = "Reduced Wong-Wang network"
    label = "ReducedWWnet"
    sync_variables = ["network_S"]
    default_coupling = dict.fromkeys(sync_variables, "additive")
    output_vars = ReducedWongWangNode.output_vars
    default_output = output_vars[0]
    node_class = ReducedWongWangNode
    coupling_symbols = {"S": 0}
