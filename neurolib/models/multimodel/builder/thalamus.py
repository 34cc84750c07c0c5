"""Thalamic mass model (Costa et al. 2016): thalamocortical relay (TCR) and reticular (TRN) masses and their node.

Firing rates (kHz) are relaxed "dummy" variables ``r_mean`` following ``Q(V)`` at speed ``lambda``; the masses
see each other's (and the network's) rates through them.
"""

from __future__ import annotations

import numpy as np
import symengine as se
from jitcdde import input as system_input

from neurolib.models.multimodel.builder.base.constants import EXC, INH
from neurolib.models.multimodel.builder.base.network import SingleCouplingExcitatoryInhibitoryNode
from neurolib.models.multimodel.builder.base.neural_mass import NeuralMass
from neurolib.utils.stimulus import OrnsteinUhlenbeckProcess, ZeroInput

_SHARED = {
    "tau": 20.0,  # ms, scales the leak, synaptic and external currents
    "Q_max": 0.4,  # kHz, maximal firing rate
    "theta": -58.5,  # mV, firing threshold
    "sigma": 6.0,  # mV, threshold spread
    "C1": 1.8137993642,  # sigmoid slope factor (pi / sqrt(3))
    "C_m": 1.0,  # muF/cm^2, membrane capacitance
    "gamma_e": 0.07,  # 1/ms, AMPA rate constant
    "gamma_r": 0.1,  # 1/ms, GABA rate constant
    "g_L": 1.0,  # leak conductance
    "g_GABA": 1.0,  # GABA synaptic weight
    "g_AMPA": 1.0,  # AMPA synaptic weight
    "g_LK": 0.018,  # mS/cm^2, potassium leak conductance
}
_REVERSAL = {"E_AMPA": 0.0, "E_GABA": -70.0, "E_L": -70.0, "E_K": -100.0, "E_Ca": 120.0}  # mV

TCR_DEFAULT_PARAMS = {
    **_SHARED,
    "g_T": 3.0,  # mS/cm^2, T-type calcium conductance
    "g_h": 0.062,  # mS/cm^2, h-current conductance
    **_REVERSAL,
    "E_h": -40.0,  # mV
    "alpha_Ca": -5.18e-5,  # calcium influx per unit T current
    "tau_Ca": 10.0,  # ms, calcium decay
    "Ca_0": 2.4e-4,  # resting calcium concentration
    "k1": 2.5e7,  # calcium binding
    "k2": 4.0e-4,  # calcium unbinding
    "k3": 0.1,  # 1/ms, h-channel binding
    "k4": 0.001,  # 1/ms, h-channel unbinding
    "n_P": 4.0,  # calcium binding cooperativity
    "g_inc": 2.0,  # conductance increase of bound h channels
    "ext_current": 0.0,
    "lambda": 10.0,  # 1/ms, relaxation of r_mean
}
TRN_DEFAULT_PARAMS = {**_SHARED, "g_T": 2.3, **_REVERSAL, "ext_current": 0.0, "lambda": 10.0}
# [to, from] (TCR, TRN): TCR <- TRN 5 (N_tr), TRN <- TCR 3 (N_rt), TRN <- TRN 25 (N_rr)
THALAMUS_NODE_DEFAULT_CONNECTIVITY = np.array([[0.0, 5.0], [3.0, 25.0]])
_TAU_H_SCALE = 3.7371928  # temperature factor of the T-current inactivation time constants


def _logistic(x):
    return 1.0 / (1.0 + se.exp(x))


class ThalamicMass(NeuralMass):
    """Shared currents of the thalamic masses (voltages in mV, rates in kHz)."""

    def _firing_rate(self, V):
        p = self.params
        return p["Q_max"] / (1.0 + se.exp(-p["C1"] * (V - p["theta"]) / p["sigma"]))

    def _synaptic_and_leak(self, V, s_e, s_i):
        """Leak + AMPA + GABA + external current (divided by ``tau`` in dV)."""
        p = self.params
        return (
            p["g_L"] * (V - p["E_L"])
            + p["g_AMPA"] * s_e * (V - p["E_AMPA"])
            + p["g_GABA"] * s_i * (V - p["E_GABA"])
            + p["ext_current"]
        )

    def _potassium_leak(self, V):
        return self.params["g_LK"] * (V - self.params["E_K"])

    def _synapse(self, s, ds, drive, gamma):
        """Second-order synapse ``s'' = gamma^2 (drive - s) - 2 gamma s'``: derivatives of (s, ds)."""
        return ds, gamma**2 * (drive - s) - 2.0 * gamma * ds


class ThalamocorticalMass(ThalamicMass):
    """Thalamocortical relay population: T-type calcium, h (with calcium-dependent activation) and potassium leak
    currents; AMPA input from the network (``network_exc_exc``) plus its input channel, GABA input from the TRN.

    Parameters
    ----------
    params : dict, optional
        Parameters (default ``TCR_DEFAULT_PARAMS``).
    """

    name = "Thalamocortical relay mass"
    label = "TCR"
    state_variable_names = ["V", "Ca", "h_T", "m_h1", "m_h2", "s_e", "s_i", "ds_e", "ds_i", "r_mean"]
    mass_type = EXC
    coupling_variables = {9: f"r_mean_{EXC}"}
    num_state_variables = 10
    required_couplings = ["node_exc_exc", "node_exc_inh", "network_exc_exc"]
    num_noise_variables = 1
    required_params = list(TCR_DEFAULT_PARAMS)
    _noise_input = [OrnsteinUhlenbeckProcess(mu=0.0, sigma=0.0, tau=5.0)]

    default_params = TCR_DEFAULT_PARAMS

    def _initialize_state_vector(self):
        state = [0.0] * self.num_state_variables
        state[0], state[1] = self.params["E_L"], self.params["Ca_0"]
        self.initial_state = state

    def _derivatives(self, coupling_variables):
        V, Ca, h_T, m_h1, m_h2, s_e, s_i, ds_e, ds_i, r_mean = self._unwrap_state_vector()
        p, c = self.params, coupling_variables
        m_inf_T = _logistic(-(V + 59.0) / 6.2)
        I_T = p["g_T"] * m_inf_T**2 * h_T * (V - p["E_Ca"])
        I_h = p["g_h"] * (m_h1 + p["g_inc"] * m_h2) * (V - p["E_h"])
        dV = -self._synaptic_and_leak(V, s_e, s_i) / p["tau"] - (self._potassium_leak(V) + I_T + I_h) / p["C_m"]
        dCa = p["alpha_Ca"] * I_T - (Ca - p["Ca_0"]) / p["tau_Ca"]
        h_inf = _logistic((V + 81.0) / 4.0)
        tau_h = (30.8 + (211.4 + se.exp((V + 115.2) / 5.0)) / (1.0 + se.exp((V + 86.0) / 3.2))) / _TAU_H_SCALE
        dh_T = (h_inf - h_T) / tau_h
        m_inf_h = _logistic((V + 75.0) / 5.5)
        tau_m_h = 20.0 + 1000.0 / (se.exp((V + 71.5) / 14.2) + se.exp(-(V + 89.0) / 11.6))
        bound = p["k1"] * Ca ** p["n_P"]
        P_h = bound / (bound + p["k2"])
        dm_h1 = (m_inf_h * (1.0 - m_h2) - m_h1) / tau_m_h - p["k3"] * P_h * m_h1 + p["k4"] * m_h2
        dm_h2 = p["k3"] * P_h * m_h1 - p["k4"] * m_h2
        excitation = c["node_exc_exc"] + c["network_exc_exc"] + system_input(self.noise_input_idx[0])
        d_s_e, d_ds_e = self._synapse(s_e, ds_e, excitation, p["gamma_e"])
        d_s_i, d_ds_i = self._synapse(s_i, ds_i, c["node_exc_inh"], p["gamma_r"])
        dr = -p["lambda"] * (r_mean - self._firing_rate(V))
        return [dV, dCa, dh_T, dm_h1, dm_h2, d_s_e, d_s_i, d_ds_e, d_ds_i, dr]


class ThalamicReticularMass(ThalamicMass):
    """Thalamic reticular nucleus population: T-type calcium and potassium leak currents; AMPA input from the TCR
    (and the network, ``network_inh_exc``), GABA input from itself.

    Parameters
    ----------
    params : dict, optional
        Parameters (default ``TRN_DEFAULT_PARAMS``).
    """

    name = "Thalamic reticular nucleus mass"
    label = "TRN"
    state_variable_names = ["V", "h_T", "s_e", "s_i", "ds_e", "ds_i", "r_mean"]
    mass_type = INH
    coupling_variables = {6: f"r_mean_{INH}"}
    num_state_variables = 7
    required_couplings = ["node_inh_exc", "node_inh_inh", "network_inh_exc"]
    num_noise_variables = 1
    required_params = list(TRN_DEFAULT_PARAMS)
    _noise_input = [ZeroInput()]

    default_params = TRN_DEFAULT_PARAMS

    def _initialize_state_vector(self):
        state = [0.0] * self.num_state_variables
        state[0] = self.params["E_L"]
        self.initial_state = state

    def _derivatives(self, coupling_variables):
        V, h_T, s_e, s_i, ds_e, ds_i, r_mean = self._unwrap_state_vector()
        p, c = self.params, coupling_variables
        m_inf_T = _logistic(-(V + 52.0) / 7.4)
        I_T = p["g_T"] * m_inf_T**2 * h_T * (V - p["E_Ca"])
        dV = -self._synaptic_and_leak(V, s_e, s_i) / p["tau"] - (self._potassium_leak(V) + I_T) / p["C_m"]
        h_inf = _logistic((V + 80.0) / 5.0)
        tau_h = (85.0 + 1.0 / (se.exp((V + 48.0) / 4.0) + se.exp(-(V + 407.0) / 50.0))) / _TAU_H_SCALE
        dh_T = (h_inf - h_T) / tau_h
        excitation = c["node_inh_exc"] + c["network_inh_exc"] + system_input(self.noise_input_idx[0])
        d_s_e, d_ds_e = self._synapse(s_e, ds_e, excitation, p["gamma_e"])
        d_s_i, d_ds_i = self._synapse(s_i, ds_i, c["node_inh_inh"], p["gamma_r"])
        dr = -p["lambda"] * (r_mean - self._firing_rate(V))
        return [dV, dh_T, d_s_e, d_s_i, d_ds_e, d_ds_i, dr]


class ThalamicNode(SingleCouplingExcitatoryInhibitoryNode):
    """A TCR and a TRN mass (outputs ``r_mean_EXC``, ``r_mean_INH``, ``V_EXC``, ``V_INH``; rates in kHz).

    Parameters
    ----------
    tcr_params, trn_params : dict, optional
        Mass parameters (defaults ``TCR_DEFAULT_PARAMS``, ``TRN_DEFAULT_PARAMS``).
    connectivity : array_like
        Local weights ``[to, from]`` (TCR, TRN); no local delays.
    """

    name = "Thalamic mass model node"
    label = "THLMnode"
    default_network_coupling = {"network_exc_exc": 0.0, "network_inh_exc": 0.0}
    output_vars = [f"{v}_{kind}" for v in ("r_mean", "V") for kind in (EXC, INH)]
    default_output = output_vars[0]

    def __init__(self, tcr_params=None, trn_params=None, connectivity=THALAMUS_NODE_DEFAULT_CONNECTIVITY):
        masses = [ThalamocorticalMass(params=tcr_params), ThalamicReticularMass(params=trn_params)]
        super().__init__(neural_masses=masses, local_connectivity=connectivity, local_delays=None)
