"""FitzHugh-Nagumo oscillator as a MultiModel mass, node and network (diffusive coupling on x)."""

from __future__ import annotations

from neurolib.models.multimodel.builder._common import PlanarOscillatorMass, SingleMassNetwork, SingleMassNode

FHN_DEFAULT_PARAMS = {
    "alpha": 3.0,  # cubic coefficient
    "beta": 4.0,  # quadratic coefficient
    "gamma": -1.5,  # linear coefficient
    "delta": 0.0,  # offset of the recovery variable
    "epsilon": 0.5,  # self-coupling of the recovery variable
    "tau": 20.0,  # recovery time scale, ms
    "x_ext": 1.0,  # constant drive of x
    "y_ext": 0.0,  # constant drive of y
}


class FitzHughNagumoMass(PlanarOscillatorMass):
    """FitzHugh-Nagumo oscillator: ``dx = -alpha x^3 + beta x^2 + gamma x - y + network_x + input_0 + x_ext``,
    ``dy = (x - delta - epsilon y) / tau + network_y + input_1 + y_ext`` (per ms).

    Parameters
    ----------
    params : dict, optional
        Parameters (default ``FHN_DEFAULT_PARAMS``).
    seed : int, optional
        Seed of the initial state, ``0.05 * U(-1, 1)``.
    """

    name = "FitzHugh-Nagumo mass"
    label = "FHNmass"
    mass_type = "FHN"
    required_params = list(FHN_DEFAULT_PARAMS)
    default_params = FHN_DEFAULT_PARAMS
    init_amplitude = 0.05

    def _flow(self, x, y, p):
        return -p["alpha"] * x**3 + p["beta"] * x**2 + p["gamma"] * x - y, (x - p["delta"] - p["epsilon"] * y) / p[
            "tau"
        ]


class FitzHughNagumoNode(SingleMassNode):
    """One FitzHugh-Nagumo mass as a node (outputs ``x``, ``y``).

    Parameters
    ----------
    params : dict, optional
        Mass parameters (default ``FHN_DEFAULT_PARAMS``).
    seed : int, optional
        Seed of the initial state.
    """

    name = "FitzHugh-Nagumo node"
    label = "FHNnode"
    default_network_coupling = {"network_x": 0.0, "network_y": 0.0}
    default_output = "x"
    output_vars = ["x", "y"]

    mass_class = FitzHughNagumoMass


class FitzHughNagumoNetwork(SingleMassNetwork):
    """FitzHugh-Nagumo nodes with delayed diffusive coupling on x: ``network_x_i = sum_j C[i, j] (x_j(t - D[i, j])
    - x_i(t))``.

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

    name = "FitzHugh-Nagumo network"
    label = "FHNnet"
    sync_variables = ["network_x", "network_y"]
    default_output = "x"
    default_coupling = {"network_x": "diffusive", "network_y": "none"}
    output_vars = ["x", "y"]
    node_class = FitzHughNagumoNode
    coupling_symbols = {"x": 0, "y": 1}
