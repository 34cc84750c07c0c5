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
    ca, h_t, h_r, m1, m2 = y[CA], y[H_T_T], y[H_T_R], y[M_H1], y[M_H2]
    s_et, s_gt, s_er, s_gr = y[S_ET], y[S_GT], y[S_ER], y[S_GR]
    ds_et, ds_gt, ds_er, ds_gr = y[DS_ET], y[DS_GT], y[DS_ER], y[DS_GR]
    g_l, e_l, g_ampa, e_ampa, g_gaba, e_gaba = p[G_L], p[E_L], p[G_AMPA], p[E_AMPA], p[G_GABA], p[E_GABA]
    tau, c_m, g_lk, e_k, e_ca = p[TAU], p[C_M], p[G_LK], p[E_K], p[E_CA]
    ge, gr = p[GAMMA_E], p[GAMMA_R]
    q_max, c1, theta, sigma = p[Q_MAX], p[C1], p[THETA], p[SIGMA]
    m_inf_t = 1.0 / (1.0 + np.exp(-(vt + 59.0) / 6.2))
    m_inf_r = 1.0 / (1.0 + np.exp(-(vr + 52.0) / 7.4))
    i_t_t = p[G_T_T] * m_inf_t * m_inf_t * h_t * (vt - e_ca)
    i_t_r = p[G_T_R] * m_inf_r * m_inf_r * h_r * (vr - e_ca)
    i_h = p[G_H] * (m1 + p[G_INC] * m2) * (vt - p[E_H])
    syn_t = g_l * (vt - e_l) + g_ampa * s_et * (vt - e_ampa) + g_gaba * s_gt * (vt - e_gaba)
    syn_r = g_l * (vr - e_l) + g_ampa * s_er * (vr - e_ampa) + g_gaba * s_gr * (vr - e_gaba)
    h_inf_t = 1.0 / (1.0 + np.exp((vt + 81.0) / 4.0))
    h_inf_r = 1.0 / (1.0 + np.exp((vr + 80.0) / 5.0))
    tau_h_t = (30.8 + (211.4 + np.exp((vt + 115.2) / 5.0)) / (1.0 + np.exp((vt + 86.0) / 3.2))) / 3.7371928
    tau_h_r = (85.0 + 1.0 / (np.exp((vr + 48.0) / 4.0) + np.exp(-(vr + 407.0) / 50.0))) / 3.7371928
    m_inf_h = 1.0 / (1.0 + np.exp((vt + 75.0) / 5.5))
    tau_m_h = 20.0 + 1000.0 / (np.exp((vt + 71.5) / 14.2) + np.exp(-(vt + 89.0) / 11.6))
    if p[N_P] == 4.0:  # the default cooperativity: two products instead of a power (within 2 ulp of it, 10 % faster)
        ca_n = p[K1] * ((ca * ca) * (ca * ca))
    else:
        ca_n = p[K1] * ca ** p[N_P]
    p_h = ca_n / (ca_n + p[K2])
    q_t = q_max / (1.0 + np.exp(-c1 * (vt - theta) / sigma))
    q_r = q_max / (1.0 + np.exp(-c1 * (vr - theta) / sigma))
    dx[V_T] = -(syn_t + u[I_EXT_T]) / tau - (g_lk * (vt - e_k) + i_t_t + i_h) / c_m
    dx[V_R] = -(syn_r + u[I_EXT_R]) / tau - (g_lk * (vr - e_k) + i_t_r) / c_m
    dx[Q_T] = 0.0  # set from the new voltages in post()
    dx[Q_R] = 0.0
    dy[CA] = p[ALPHA_CA] * i_t_t - (ca - p[CA_0]) / p[TAU_CA]
    dy[H_T_T] = (h_inf_t - h_t) / tau_h_t
    dy[H_T_R] = (h_inf_r - h_r) / tau_h_r
    dy[M_H1] = (m_inf_h * (1.0 - m2) - m1) / tau_m_h - p[K3] * p_h * m1 + p[K4] * m2
    dy[M_H2] = p[K3] * p_h * m1 - p[K4] * m2
    dy[S_ET], dy[S_GT], dy[S_ER], dy[S_GR] = ds_et, ds_gt, ds_er, ds_gr
    dy[DS_ET] = ge * ge * p[D_PHI] * u[XI] / p[SQRT_DT]  # white noise: gamma_e^2 d_phi sqrt(dt) xi per step
    dy[DS_GT] = gr * gr * (p[N_TR] * q_r - s_gt) - 2.0 * gr * ds_gt
    dy[DS_ER] = ge * ge * (p[N_RT] * q_t - s_er) - 2.0 * ge * ds_er
    dy[DS_GR] = gr * gr * (p[N_RR] * q_r - s_gr) - 2.0 * gr * ds_gr


@njit(cache=True, inline="always")
def post(x, y, p):
    """Firing rates (Hz) from the updated voltages."""
    x[Q_T] = 1000.0 * firing_rate(x[V_T], p)
    x[Q_R] = 1000.0 * firing_rate(x[V_R], p)


def timeIntegration(params):
    """Integrate the thalamic mass model; returns ``(t, V_t, V_r, Q_t, Q_r, Ca, ..., ds_gr)`` as upstream."""
    from neurolib.models.thalamus.loadDefaultParams import SPEC

    return integration_function(SPEC)(params)
