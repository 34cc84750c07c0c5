"""Wilson-Cowan kernel and the upstream-style ``timeIntegration(params)`` entry point."""

import numpy as np
from numba import njit

from neurolib.models._native import integration_function

(TAU_EXC, TAU_INH, C_EE, C_EI, C_IE, C_II, A_EXC, A_INH, MU_EXC, MU_INH, BASE_E, BASE_I, K_GL) = range(13)
E, I = range(2)  # noqa: E741
E_OU, I_OU = range(2)
E_EXT, I_EXT = range(2)


@njit(cache=True, inline="always")
def rhs(x, y, net, u, q, p, dx, dy, aux):
    """Wilson-Cowan E/I rates (1/ms); net[0] = sum_j Cmat[n,j] exc_j(t - D[n,j]) (additive, E only)."""
    in_e = p[C_EE] * x[E] - p[C_IE] * x[I] + p[K_GL] * net[0] + p[BASE_E] + u[E_EXT]
    in_i = p[C_EI] * x[E] - p[C_II] * x[I] + p[BASE_I] + u[I_EXT]
    s_e = 1.0 / (1.0 + np.exp(-p[A_EXC] * (in_e - p[MU_EXC])))
    s_i = 1.0 / (1.0 + np.exp(-p[A_INH] * (in_i - p[MU_INH])))
    dx[E] = (-x[E] + (1.0 - x[E]) * s_e + q[E_OU]) / p[TAU_EXC]
    dx[I] = (-x[I] + (1.0 - x[I]) * s_i + q[I_OU]) / p[TAU_INH]


@njit(cache=True, inline="always")
def post(x, y, p):
    """Rates stay in [0, 1] (real parts compared, so complex-step differentiation passes through)."""
    for v in range(2):
        if x[v].real < 0.0:
            x[v] = 0.0
        elif x[v].real > 1.0:
            x[v] = 1.0


def timeIntegration(params):
    """Integrate the WC model for ``params['duration']`` ms; returns ``(t, exc, inh, exc_ou, inh_ou)``."""
    from neurolib.models.wc.loadDefaultParams import SPEC

    return integration_function(SPEC)(params)
