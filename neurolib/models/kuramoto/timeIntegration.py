"""Kuramoto phase-oscillator kernel and the upstream-style ``timeIntegration(params)`` entry point."""

import numpy as np
from numba import njit

from neurolib.models._native import integration_function

OMEGA, K_OVER_N = range(2)
THETA = 0
THETA_OU = 0
THETA_EXT = 0
TWO_PI = 2.0 * np.pi


@njit(cache=True, inline="always")
def features(x, g):
    """Coupling features of a phase: its sine and cosine."""
    g[0] = np.sin(x[THETA])
    g[1] = np.cos(x[THETA])


@njit(cache=True, inline="always")
def rhs(x, y, net, u, q, p, dx, dy, aux):
    """d theta / dt (rad/ms); net = sum_j Cmat[n,j] (sin, cos) theta_j(t - D[n,j]), so that
    cos(theta) net[0] - sin(theta) net[1] = sum_j Cmat[n,j] sin(theta_j(t - D[n,j]) - theta)."""
    if net[0] == 0.0 and net[1] == 0.0:  # no input from the network (e.g. a single node): no trigonometry
        cpl = 0.0 * net[0]
    else:
        cpl = np.cos(x[THETA]) * net[0] - np.sin(x[THETA]) * net[1]
    dx[THETA] = p[OMEGA] + p[K_OVER_N] * cpl + q[THETA_OU] + u[THETA_EXT]


@njit(cache=True, inline="always")
def post(x, y, p):
    """Phases wrapped to [0, 2 pi) (a complex phase keeps its imaginary part, for complex-step derivatives)."""
    th = x[THETA]
    x[THETA] = np.mod(th.real, TWO_PI) + (th - th.real)


def timeIntegration(params):
    """Integrate the Kuramoto model for ``params['duration']`` ms; returns ``(t, theta, theta_ou)``."""
    from neurolib.models.kuramoto.loadDefaultParams import SPEC

    return integration_function(SPEC)(params)
