"""Wong-Wang (Deco et al. 2014) kernel and the upstream-style ``timeIntegration(params)`` entry point."""

import numpy as np
from numba import njit

from neurolib.models._native import integration_function

(A_E, B_E, D_E, TAU_E, GAMMA_E, W_E, I0_E, A_I, B_I, D_I, TAU_I, W_I, I0_I, J_NMDA, J_I, W_EE, K_GL) = range(17)
R_E, R_I, SE, SI = range(4)  # buffered: rates are algebraic (set, not integrated)
E_OU, I_OU = range(2)
E_CUR, I_CUR = range(2)


@njit(cache=True, inline="always")
def transfer(current, a, b, d):
    """Population rate (kHz) of a current (nA): (a I - b) / (1 - exp(-d (a I - b))); 1/d at a I = b."""
    x = a * current - b
    if x == 0.0:
        return 1.0 / d
    return x / -np.expm1(-d * x)


@njit(cache=True, inline="always")
def rhs(x, y, net, u, q, p, dx, dy, aux):
    """Rates from the pre-step synaptic gating (stored as algebraic values); NMDA / GABA gating (1/ms)."""
    se, si = x[SE], x[SI]
    i_e = p[W_E] * (p[I0_E] + u[E_CUR]) + p[W_EE] * p[J_NMDA] * se - p[J_I] * si + p[J_NMDA] * p[K_GL] * net[0]
    i_i = p[W_I] * (p[I0_I] + u[I_CUR]) + p[J_NMDA] * se - si
    r_e = transfer(i_e, p[A_E], p[B_E], p[D_E])
    r_i = transfer(i_i, p[A_I], p[B_I], p[D_I])
    dx[R_E] = r_e
    dx[R_I] = r_i
    dx[SE] = -se / p[TAU_E] + (1.0 - se) * p[GAMMA_E] * r_e + q[E_OU]
    dx[SI] = -si / p[TAU_I] + r_i + q[I_OU]


def timeIntegration(params):
    """Integrate the Wong-Wang model; returns ``(t, r_exc, r_inh, se, si, exc_ou, inh_ou)`` as upstream."""
    from neurolib.models.ww.loadDefaultParams import SPEC

    return integration_function(SPEC)(params)
