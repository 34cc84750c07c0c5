"""FitzHugh-Nagumo kernel and the upstream-style ``timeIntegration(params)`` entry point."""

from numba import njit

from neurolib.models._native import integration_function

ALPHA, BETA, GAMMA, DELTA, EPSILON, TAU, K_GL, DIFFUSIVE, CSUM = range(9)
X, Y = range(2)
X_OU, Y_OU = range(2)
X_EXT, Y_EXT = range(2)


@njit(cache=True, inline="always")
def rhs(x, y, net, u, q, p, dx, dy, aux):
    """FitzHugh-Nagumo oscillator (1/ms); net[0] = sum_j Cmat[n,j] x_j(t - D[n,j]); coupling on x only."""
    cpl = p[K_GL] * (net[0] - p[DIFFUSIVE] * p[CSUM] * x[X])
    xx = x[X] * x[X]  # products, not powers: complex-step differentiation needs them (neurolib.control)
    dx[X] = -p[ALPHA] * (xx * x[X]) + p[BETA] * xx + p[GAMMA] * x[X] - x[Y] + cpl + q[X_OU] + u[X_EXT]
    dx[Y] = (x[X] - p[DELTA] - p[EPSILON] * x[Y]) / p[TAU] + q[Y_OU] + u[Y_EXT]


def timeIntegration(params):
    """Integrate the FHN model for ``params['duration']`` ms; returns ``(t, x, y, x_ou, y_ou)`` as upstream."""
    from neurolib.models.fhn.loadDefaultParams import SPEC

    return integration_function(SPEC)(params)
