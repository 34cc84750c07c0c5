"""Thalamic mass model (Costa et al. 2016) kernel and the upstream-style ``timeIntegration(params)``."""

import numpy as np
from numba import njit

from neurolib.models._native import integration_function

(
    TAU, Q_MAX, THETA, SIGMA, C1, C_M, GAMMA_E, GAMMA_R, G_L, G_GABA, G_AMPA, G_LK, E_AMPA, E_GABA, E_L, E_K,
    E_CA, G_T_T, G_H, E_H, ALPHA_CA, TAU_CA, CA_0, K1, K2, K3, K4, N_P, G_INC, N_TR, D_PHI, G_T_R, N_RT, N_RR,
    SQRT_DT,
) = range(35)  # fmt: skip
V_T, V_R, Q_T, Q_R = range(4)  # buffered
CA, H_T_T, H_T_R, M_H1, M_H2, S_ET, S_GT, S_ER, S_GR, DS_ET, DS_GT, DS_ER, DS_GR = range(13)  # other states
I_EXT_T, I_EXT_R, XI = range(3)  # inputs, then the white-noise sample


@njit(cache=True, inline="always")
def firing_rate(v, p):
    """Sigmoid population firing rate (kHz) at membrane voltage v (mV)."""
    return p[Q_MAX] / (1.0 + np.exp(-p[C1] * (v - p[THETA]) / p[SIGMA]))


@njit(cache=True, inline="always")
def rhs(x, y, net, u, q, p, dx, dy, aux):
    """Voltages (mV/ms), calcium, channel gates and second-order synapses of the TCR (t) and TRN (r) cells."""
    vt, vr = x[V_T], x[V_R]
    m_inf_t = 1.0 / (1.0 + np.exp(-(vt + 59.0) / 6.2))
    m_inf_r = 1.0 / (1.0 + np.exp(-(vr + 52.0) / 7.4))
    i_t_t = p[G_T_T] * m_inf_t * m_inf_t * y[H_T_T] * (vt - p[E_CA])
    i_t_r = p[G_T_R] * m_inf_r * m_inf_r * y[H_T_R] * (vr - p[E_CA])
    i_h = p[G_H] * (y[M_H1] + p[G_INC] * y[M_H2]) * (vt - p[E_H])
    syn_t = p[G_L] * (vt - p[E_L]) + p[G_AMPA] * y[S_ET] * (vt - p[E_AMPA]) + p[G_GABA] * y[S_GT] * (vt - p[E_GABA])
    syn_r = p[G_L] * (vr - p[E_L]) + p[G_AMPA] * y[S_ER] * (vr - p[E_AMPA]) + p[G_GABA] * y[S_GR] * (vr - p[E_GABA])
    dx[V_T] = -(syn_t + u[I_EXT_T]) / p[TAU] - (p[G_LK] * (vt - p[E_K]) + i_t_t + i_h) / p[C_M]
    dx[V_R] = -(syn_r + u[I_EXT_R]) / p[TAU] - (p[G_LK] * (vr - p[E_K]) + i_t_r) / p[C_M]
    dx[Q_T] = 0.0  # set from the new voltages in post()
    dx[Q_R] = 0.0
    dy[CA] = p[ALPHA_CA] * i_t_t - (y[CA] - p[CA_0]) / p[TAU_CA]
    h_inf_t = 1.0 / (1.0 + np.exp((vt + 81.0) / 4.0))
    h_inf_r = 1.0 / (1.0 + np.exp((vr + 80.0) / 5.0))
    tau_h_t = (30.8 + (211.4 + np.exp((vt + 115.2) / 5.0)) / (1.0 + np.exp((vt + 86.0) / 3.2))) / 3.7371928
    tau_h_r = (85.0 + 1.0 / (np.exp((vr + 48.0) / 4.0) + np.exp(-(vr + 407.0) / 50.0))) / 3.7371928
    dy[H_T_T] = (h_inf_t - y[H_T_T]) / tau_h_t
    dy[H_T_R] = (h_inf_r - y[H_T_R]) / tau_h_r
    m_inf_h = 1.0 / (1.0 + np.exp((vt + 75.0) / 5.5))
    tau_m_h = 20.0 + 1000.0 / (np.exp((vt + 71.5) / 14.2) + np.exp(-(vt + 89.0) / 11.6))
    ca_n = p[K1] * y[CA] ** p[N_P]
    p_h = ca_n / (ca_n + p[K2])
    dy[M_H1] = (m_inf_h * (1.0 - y[M_H2]) - y[M_H1]) / tau_m_h - p[K3] * p_h * y[M_H1] + p[K4] * y[M_H2]
    dy[M_H2] = p[K3] * p_h * y[M_H1] - p[K4] * y[M_H2]
    for s in range(4):
        dy[S_ET + s] = y[DS_ET + s]
    ge, gr = p[GAMMA_E], p[GAMMA_R]
    q_t, q_r = firing_rate(vt, p), firing_rate(vr, p)
    dy[DS_ET] = ge * ge * p[D_PHI] * u[XI] / p[SQRT_DT]  # white noise: gamma_e^2 d_phi sqrt(dt) xi per step
    dy[DS_GT] = gr * gr * (p[N_TR] * q_r - y[S_GT]) - 2.0 * gr * y[DS_GT]
    dy[DS_ER] = ge * ge * (p[N_RT] * q_t - y[S_ER]) - 2.0 * ge * y[DS_ER]
    dy[DS_GR] = gr * gr * (p[N_RR] * q_r - y[S_GR]) - 2.0 * gr * y[DS_GR]


@njit(cache=True, inline="always")
def post(x, y, p):
    """Firing rates (Hz) from the updated voltages."""
    x[Q_T] = 1000.0 * firing_rate(x[V_T], p)
    x[Q_R] = 1000.0 * firing_rate(x[V_R], p)


def timeIntegration(params):
    """Integrate the thalamic mass model; returns ``(t, V_t, V_r, Q_t, Q_r, Ca, ..., ds_gr)`` as upstream."""
    from neurolib.models.thalamus.loadDefaultParams import SPEC

    return integration_function(SPEC)(params)
