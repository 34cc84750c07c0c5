"""Hopf (Stuart-Landau) kernel and the upstream-style ``timeIntegration(params)`` entry point."""

from numba import njit

from neurolib.models._native import integration_function

# Kernel parameter rows (order of SPEC.kernel_params in loadDefaultParams.py)
A, W, K_GL, DIFFUSIVE, CSUM = range(5)
X, Y = range(2)  # buffered variables
X_OU, Y_OU = range(2)  # OU states
X_EXT, Y_EXT = range(2)  # inputs


@njit(cache=True, inline="always")
def rhs(x, y, net, u, q, p, dx, dy, aux):
    """Stuart-Landau oscillator (1/ms); net[0] = sum_j Cmat[n,j] x_j(t - D[n,j]); coupling on x only."""
    r2 = x[X] * x[X] + x[Y] * x[Y]
    cpl = p[K_GL] * (net[0] - p[DIFFUSIVE] * p[CSUM] * x[X])
    dx[X] = (p[A] - r2) * x[X] - p[W] * x[Y] + cpl + q[X_OU] + u[X_EXT]
    dx[Y] = (p[A] - r2) * x[Y] + p[W] * x[X] + q[Y_OU] + u[Y_EXT]


def timeIntegration(params):
    """Integrate the Hopf model for ``params['duration']`` ms; returns ``(t, x, y, x_ou, y_ou)`` as upstream."""
    from neurolib.models.hopf.loadDefaultParams import SPEC

    return integration_function(SPEC)(params)
