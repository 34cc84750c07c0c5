"""Hopf normal form (Stuart-Landau oscillator) as a MultiModel mass, node and network (diffusive coupling on x)."""

from __future__ import annotations

from neurolib.models.multimodel.builder._common import PlanarOscillatorMass, SingleMassNetwork, SingleMassNode

HOPF_DEFAULT_PARAMS = {
    "a": 0.25,  # bifurcation parameter, 1/ms (limit cycle for a > 0)
    "w": 0.2,  # angular frequency, rad/ms
    "x_ext": 0.0,  # constant drive of x
    "y_ext": 0.0,  # constant drive of y
}


class HopfMass(PlanarOscillatorMass):
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
    required_params = list(HOPF_DEFAULT_PARAMS)
    default_params = HOPF_DEFAULT_PARAMS
    init_amplitude = 0.5

    def _flow(self, x, y, p):
        radial = p["a"] - x**2 - y**2
        return radial * x - p["w"] * y, radial * y + p["w"] * x


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


class HopfNetwork(SingleMassNetwork):
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
    node_class = HopfNode
    coupling_symbols = {"x": 0, "y": 1}
