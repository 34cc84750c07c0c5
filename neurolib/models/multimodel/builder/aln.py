"""ALN (adaptive linear-nonlinear cascade) masses, node and network for MultiModel.

The firing rate, mean voltage and input-filter time constant of each population come from the transfer-function
table (by default the project's own, ``neurolib/models/aln/data/aln_table.h5``) by bilinear interpolation in
(mean current mu, input sigma); the kernel calls the numba lookups of :mod:`._aln_lookup` with the table arrays as
arguments. Rates are in kHz; the exported rate ``r_mean`` is a relaxed "dummy" variable following the table rate
at speed ``lambda``.
"""

from __future__ import annotations

import numpy as np
import symengine as se
from jitcdde import input as system_input

from neurolib.models.multimodel.builder._aln_lookup import TableMixin
from neurolib.models.multimodel.builder._common import exc_inh_nodes, uniform
from neurolib.models.multimodel.builder.base.constants import EXC, INH, NODE_CONNECTIVITY
from neurolib.models.multimodel.builder.base.network import Network, SingleCouplingExcitatoryInhibitoryNode
from neurolib.models.multimodel.builder.base.neural_mass import NeuralMass
from neurolib.models.multimodel.builder.base.node import as_float_matrix
from neurolib.utils.stimulus import OrnsteinUhlenbeckProcess

_SHARED = {
    "Ke": 800.0,  # excitatory inputs per neuron
    "Ki": 200.0,  # inhibitory inputs per neuron
    "c_gl": 0.4,  # inter-areal coupling efficacy
    "Ke_gl": 250.0,  # excitatory inputs per neuron from each other area
    "tau_se": 2.0,  # ms, excitatory synaptic time constant
    "tau_si": 5.0,  # ms, inhibitory synaptic time constant
}
ALN_EXC_DEFAULT_PARAMS = {
    **_SHARED,
    "sigmae_ext": 1.5,  # mV/sqrt(ms), external input noise
    "Jee_max": 2.43,  # mV/ms, maximal E->E current
    "Jei_max": -3.3,  # mV/ms, maximal I->E current
    "C": 200.0,  # pF
    "gL": 10.0,  # nS
    "ext_exc_current": 0.0,  # mV/ms
    "ext_exc_rate": 0.0,  # kHz
    "a": 15.0,  # nS, subthreshold adaptation
    "b": 40.0,  # pA, spike-triggered adaptation
    "EA": -80.0,  # mV, adaptation reversal
    "tauA": 200.0,  # ms, adaptation time constant
    "lambda": 10.0,  # 1/ms, relaxation of r_mean
}
ALN_INH_DEFAULT_PARAMS = {
    **_SHARED,
    "sigmai_ext": 1.5,
    "Jie_max": 2.6,  # mV/ms, maximal E->I current
    "Jii_max": -1.64,  # mV/ms, maximal I->I current
    "C": 200.0,
    "gL": 10.0,
    "ext_inh_current": 0.0,
    "ext_inh_rate": 0.0,
    "lambda": 10.0,
}
# [to, from] (E, I), the same for both receiving populations: efficacies before rescaling (mV/ms), from E 0.3 and
# from I 0.5; delays (ms), from E 4 and from I 2
ALN_NODE_DEFAULT_CONNECTIVITY = np.array([[0.3, 0.5]] * 2)
ALN_NODE_DEFAULT_DELAYS = np.array([[4.0, 2.0]] * 2)


class ALNMass(TableMixin, NeuralMass):
    """Shared part of the ALN masses: input moments, table lookups and synaptic dynamics.

    Subclasses set ``_J`` (names of the E and I maximal currents onto this population), ``_SIGMA_EXT``,
    ``_EXT_CURRENT``, ``_EXT_RATE`` and the coupling names.
    """

    num_noise_variables = 1
    python_callbacks = ["firing_rate_lookup", "voltage_lookup", "tau_lookup"]

    def __init__(self, params=None, lin_nonlin_transfer_function_filename=None, seed=None):
        self._load_table(lin_nonlin_transfer_function_filename)
        self.python_callbacks = self._callback_names()
        super().__init__(params=params, seed=seed)

    def _inputs(self, c, exc, inh, network):
        """Rate-efficacy products of the mean (z1) and variance (z2) inputs from E and I.

        Inter-areal and external rates (kHz) act with the efficacy ``c_gl * tau_se / |J_max|`` of the excitatory
        input onto this population (the rescaling the local weights get from the node).
        """
        p = self.params
        g = p["c_gl"] * p["tau_se"] / abs(p[self._J[0]])
        far, far_sq = p[self._EXT_RATE], p[self._EXT_RATE]
        if network:
            far, far_sq = far + c["network_exc_exc"], far_sq + c["network_exc_exc_sq"]
        exc_inp = p["Ke"] * c[exc] + g * p["Ke_gl"] * far
        exc_sq = p["Ke"] * c[f"{exc}_sq"] + g**2 * p["Ke_gl"] * far_sq
        return exc_inp, p["Ki"] * c[inh], exc_sq, p["Ki"] * c[f"{inh}_sq"]

    def _sigma(self, v_e, v_i, z_e, z_i):
        """Standard deviation of the input (mV/sqrt(ms)) from the synaptic variances."""
        p = self.params
        je, ji = p[self._J[0]], p[self._J[1]]
        tau_m = p["C"] / p["gL"]
        var_e = 2.0 * je**2 * v_e * p["tau_se"] * tau_m / ((1.0 + z_e) * tau_m + p["tau_se"])
        var_i = 2.0 * ji**2 * v_i * p["tau_si"] * tau_m / ((1.0 + z_i) * tau_m + p["tau_si"])
        return se.sqrt(var_e + var_i + p[self._SIGMA_EXT] ** 2)

    def _synapses(self, s_e, s_i, v_e, v_i, z1e, z1i, z2e, z2i):
        """Derivatives of the synaptic means (s) and variances (v) of the E and I inputs."""
        p = self.params
        te, ti = p["tau_se"], p["tau_si"]
        ds_e = ((1.0 - s_e) * z1e - s_e) / te
        ds_i = ((1.0 - s_i) * z1i - s_i) / ti
        dv_e = ((1.0 - s_e) ** 2 * z2e + (z2e - 2.0 * te * (z1e + 1.0)) * v_e) / te**2
        dv_i = ((1.0 - s_i) ** 2 * z2i + (z2i - 2.0 * ti * (z1i + 1.0)) * v_i) / ti**2
        return ds_e, ds_i, dv_e, dv_i

    def _lookup(self, what, mu, sigma):
        return self.callback_functions[self._callback_name(what)](mu, sigma)


class ExcitatoryALNMass(ALNMass):
    """Excitatory ALN population with adaptation current ``I_A`` (pA).

    Parameters
    ----------
    params : dict, optional
        Parameters (default ``ALN_EXC_DEFAULT_PARAMS``).
    lin_nonlin_transfer_function_filename : str, optional
        Transfer-function table (HDF5); default: the project's table.
    seed : int, optional
        Seed of the random initial state.
    """

    name = "ALN excitatory neural mass"
    label = f"ALNMass{EXC}"
    mass_type = EXC
    num_state_variables = 7
    state_variable_names = [
        "I_mu",
        "I_A",
        "I_syn_mu_exc",
        "I_syn_mu_inh",
        "I_syn_sigma_exc",
        "I_syn_sigma_inh",
        "r_mean",
    ]
    coupling_variables = {6: f"r_mean_{EXC}"}
    required_couplings = [
        "node_exc_exc",
        "node_exc_exc_sq",
        "node_exc_inh",
        "node_exc_inh_sq",
        "network_exc_exc",
        "network_exc_exc_sq",
    ]
    required_params = list(ALN_EXC_DEFAULT_PARAMS)
    _J = ("Jee_max", "Jei_max")
    _noise_input = [OrnsteinUhlenbeckProcess(mu=0.4, sigma=0.0, tau=5.0)]
    _SIGMA_EXT, _EXT_CURRENT, _EXT_RATE = "sigmae_ext", "ext_exc_current", "ext_exc_rate"

    default_params = ALN_EXC_DEFAULT_PARAMS

    def _initialize_state_vector(self):
        scale = np.array([3.0, 200.0, 0.5, 0.5, 0.001, 0.001, 0.01])
        self.initial_state = (uniform(self.seed, 0.0, 1.0, 7) * scale).tolist()

    def _derivatives(self, coupling_variables):
        I_mu, I_A, s_e, s_i, v_e, v_i, r_mean = self._unwrap_state_vector()
        p = self.params
        z1e, z1i, z2e, z2i = self._inputs(coupling_variables, "node_exc_exc", "node_exc_inh", network=True)
        sigma = self._sigma(v_e, v_i, z1e, z1i)
        mu = I_mu - I_A / p["C"]
        rate = self._lookup("firing_rate_lookup", mu, sigma)
        voltage = self._lookup("voltage_lookup", mu, sigma)
        tau = self._lookup("tau_lookup", mu, sigma)
        mean_input = p["Jee_max"] * s_e + p["Jei_max"] * s_i + system_input(self.noise_input_idx[0])
        dI_mu = (mean_input + p["ext_exc_current"] - I_mu) / tau
        dI_A = (p["a"] * (voltage - p["EA"]) - I_A + p["tauA"] * p["b"] * rate) / p["tauA"]
        synapses = self._synapses(s_e, s_i, v_e, v_i, z1e, z1i, z2e, z2i)
        dr = -p["lambda"] * (r_mean - rate)
        return [dI_mu, dI_A, *synapses, dr]


class InhibitoryALNMass(ALNMass):
    """Inhibitory ALN population (no adaptation).

    Parameters
    ----------
    params : dict, optional
        Parameters (default ``ALN_INH_DEFAULT_PARAMS``).
    lin_nonlin_transfer_function_filename : str, optional
        Transfer-function table (HDF5); default: the project's table.
    seed : int, optional
        Seed of the random initial state.
    """

    name = "ALN inhibitory neural mass"
    label = f"ALNMass{INH}"
    state_variable_names = ["I_mu", "I_syn_mu_exc", "I_syn_mu_inh", "I_syn_sigma_exc", "I_syn_sigma_inh", "r_mean"]
    mass_type = INH
    coupling_variables = {5: f"r_mean_{INH}"}
    num_state_variables = 6
    required_couplings = ["node_inh_exc", "node_inh_exc_sq", "node_inh_inh", "node_inh_inh_sq"]
    _J = ("Jie_max", "Jii_max")
    required_params = list(ALN_INH_DEFAULT_PARAMS)
    _noise_input = [OrnsteinUhlenbeckProcess(mu=0.3, sigma=0.0, tau=5.0)]
    _SIGMA_EXT, _EXT_CURRENT, _EXT_RATE = "sigmai_ext", "ext_inh_current", "ext_inh_rate"

    default_params = ALN_INH_DEFAULT_PARAMS

    def _initialize_state_vector(self):
        scale = np.array([3.0, 0.5, 0.5, 0.01, 0.01, 0.01])
        self.initial_state = (uniform(self.seed, 0.0, 1.0, 6) * scale).tolist()

    def _derivatives(self, coupling_variables):
        I_mu, s_e, s_i, v_e, v_i, r_mean = self._unwrap_state_vector()
        p = self.params
        z1e, z1i, z2e, z2i = self._inputs(coupling_variables, "node_inh_exc", "node_inh_inh", network=False)
        sigma = self._sigma(v_e, v_i, z1e, z1i)
        rate = self._lookup("firing_rate_lookup", I_mu, sigma)
        tau = self._lookup("tau_lookup", I_mu, sigma)
        mean_input = p["Jie_max"] * s_e + p["Jii_max"] * s_i + system_input(self.noise_input_idx[0])
        dI_mu = (mean_input + p["ext_inh_current"] - I_mu) / tau
        synapses = self._synapses(s_e, s_i, v_e, v_i, z1e, z1i, z2e, z2i)
        dr = -p["lambda"] * (r_mean - rate)
        return [dI_mu, *synapses, dr]


class ALNNode(SingleCouplingExcitatoryInhibitoryNode):
    """An excitatory and an inhibitory ALN mass with delayed local coupling (outputs ``r_mean_EXC``,
    ``r_mean_INH`` in kHz, ``I_A_EXC`` in pA).

    The local weights are efficacies (mV/ms) rescaled to ``c * tau_s(from) / |J_max(to, from)|`` on construction and
    whenever new weights are set through :meth:`update_params`; ``node_X_Y_sq`` couplings use the squared weights.

    Parameters
    ----------
    exc_params, inh_params : dict, optional
        Mass parameters (defaults ``ALN_EXC_DEFAULT_PARAMS``, ``ALN_INH_DEFAULT_PARAMS``).
    exc_lin_nonlin_transfer_function_filename, inh_lin_nonlin_transfer_function_filename : str, optional
        Transfer-function tables of the masses.
    connectivity : array_like, optional
        Local efficacies ``[to, from]`` (E, I), mV/ms, before rescaling (default ``ALN_NODE_DEFAULT_CONNECTIVITY``).
    delays : array_like, optional
        Local delays ``[to, from]``, ms (default ``ALN_NODE_DEFAULT_DELAYS``).
    exc_seed, inh_seed : int, optional
        Seeds of the random initial states.
    """

    name = "ALN neural mass node"
    label = "ALNNode"
    sync_variables = SingleCouplingExcitatoryInhibitoryNode.sync_variables + [
        "node_exc_exc_sq",
        "node_inh_exc_sq",
        "node_exc_inh_sq",
        "node_inh_inh_sq",
    ]
    default_network_coupling = {"network_exc_exc": 0.0, "network_exc_exc_sq": 0.0}
    output_vars = [f"r_mean_{EXC}", f"r_mean_{INH}", f"I_A_{EXC}"]  # kHz, kHz, pA
    default_output = output_vars[0]

    def __init__(
        self,
        exc_params=None,
        inh_params=None,
        exc_lin_nonlin_transfer_function_filename=None,
        inh_lin_nonlin_transfer_function_filename=None,
        connectivity=None,
        delays=None,
        exc_seed=None,
        inh_seed=None,
    ):
        connectivity = ALN_NODE_DEFAULT_CONNECTIVITY if connectivity is None else connectivity
        delays = ALN_NODE_DEFAULT_DELAYS if delays is None else delays
        exc = ExcitatoryALNMass(exc_params, exc_lin_nonlin_transfer_function_filename, exc_seed)
        inh = InhibitoryALNMass(inh_params, inh_lin_nonlin_transfer_function_filename, inh_seed)
        super().__init__(neural_masses=[exc, inh], local_connectivity=connectivity, local_delays=delays)
        self.connectivity = self._rescale_connectivity(self.connectivity)

    def _rescale_connectivity(self, weights):
        """``weights[to, from] * tau_s(from) / |J_max(to, from)|`` with the parameters of the receiving mass."""
        scaled = np.array(weights, dtype=float)
        for to, mass in enumerate(self.masses):
            for frm, source in enumerate(self.masses):
                tau = mass.params["tau_se" if source.mass_type == EXC else "tau_si"]
                scaled[to, frm] *= tau / abs(mass.params[mass._J[0 if source.mass_type == EXC else 1]])
        return scaled

    def update_params(self, params_dict, rescale=True):
        """As :meth:`Node.update_params`; new local weights are efficacies, rescaled unless ``rescale=False``."""
        self._rescale = rescale
        try:
            super().update_params(params_dict)
        finally:
            self._rescale = True

    def _update_node_level(self, key, value):
        if key == NODE_CONNECTIVITY:
            new = as_float_matrix(key, value, self.connectivity.shape)
            if not np.array_equal(new, self.connectivity):  # the current (rescaled) weights given back: no change
                self.connectivity = self._rescale_connectivity(new) if getattr(self, "_rescale", True) else new
            return True
        return super()._update_node_level(key, value)

    def _sync(self):
        definitions = super()._sync()
        groups = {"exc": self.excitatory_masses, "inh": self.inhibitory_masses}
        for to_kind, from_kind in (("exc", "exc"), ("inh", "exc"), ("exc", "inh"), ("inh", "inh")):
            total = sum(
                (
                    self.connectivity[to, frm] ** 2 * self.inputs[to, frm]
                    for to in groups[to_kind]
                    for frm in groups[from_kind]
                ),
                se.Integer(0),
            )
            definitions.append((self.sync_symbols[f"node_{to_kind}_{from_kind}_sq_{self.index}"], total))
        return definitions


class ALNNetwork(Network):
    """ALN nodes coupled through the excitatory rates: ``network_exc_exc_i = sum_j C[i, j] r_E,j(t - D[i, j])`` and
    ``network_exc_exc_sq_i`` with ``C[i, j]^2``.

    Parameters
    ----------
    connectivity_matrix : array_like
        Weights ``[to, from]``.
    delay_matrix : array_like
        Delays in ms ``[to, from]``.
    exc_mass_params, inh_mass_params : dict or list of dict, optional
        Mass parameters, shared or per node.
    exc_lin_nonlin_transfer_function_filename, inh_lin_nonlin_transfer_function_filename : str, optional
        Transfer-function tables.
    local_connectivity, local_delays : array_like, optional
        Local efficacies (before rescaling) and delays of every node (default: the ALNNode defaults).
    exc_seed, inh_seed : int or list, optional
        Seeds of the initial states (node i gets ``seed + i``), or one per node.
    """

    name = "ALN neural mass network"
    label = "ALNNet"
    sync_variables = ["network_exc_exc", "network_exc_exc_sq"]
    output_vars = ALNNode.output_vars
    default_output = output_vars[0]

    def __init__(
        self,
        connectivity_matrix,
        delay_matrix,
        exc_mass_params=None,
        inh_mass_params=None,
        exc_lin_nonlin_transfer_function_filename=None,
        inh_lin_nonlin_transfer_function_filename=None,
        local_connectivity=None,
        local_delays=None,
        exc_seed=None,
        inh_seed=None,
    ):
        nodes = exc_inh_nodes(
            ALNNode,
            len(connectivity_matrix),
            exc_mass_params,
            inh_mass_params,
            exc_seed,
            inh_seed,
            exc_lin_nonlin_transfer_function_filename=exc_lin_nonlin_transfer_function_filename,
            inh_lin_nonlin_transfer_function_filename=inh_lin_nonlin_transfer_function_filename,
            connectivity=local_connectivity,
            delays=local_delays,
        )
        super().__init__(nodes=nodes, connectivity_matrix=connectivity_matrix, delay_matrix=delay_matrix)

    def _sync(self):
        rate = [next(iter(node.all_couplings(mass_indices=node.excitatory_masses.tolist()))) for node in self]
        C = self.connectivity
        return (
            self._additive_coupling(rate, "network_exc_exc")
            + self._additive_coupling(rate, "network_exc_exc_sq", connectivity=C * C)
            + super()._sync()
        )
