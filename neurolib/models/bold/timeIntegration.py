"""Balloon-Windkessel hemodynamics (Friston et al. 2003): kernel and ``simulateBOLD``."""

import numpy as np
from numba import njit

from neurolib.errors import ParameterError

RHO = 0.34  # resting oxygen extraction fraction
ALPHA = 0.32  # Grubb's vessel stiffness exponent
V0 = 0.02  # resting blood volume fraction
K1 = 7 * RHO
K2 = 2.0
K3 = 2 * RHO - 0.2
GAMMA = 0.41  # 1/s, flow-dependent feedback
KAPPA = 0.65  # 1/s, vasodilatory signal decay
TAU = 0.98  # s, hemodynamic transit time
EPS = 1e-120  # lower clamp of the inflow f


@njit(cache=True, nogil=True)
def _integrate(Z, h, X, F, Q, V, g0, every, out):
    """Euler steps (h in s) over the samples Z (node, sample); writes BOLD of samples with (g0+i-1) % every == 0."""
    N, L = Z.shape
    inv_a = 1.0 / ALPHA
    inv_a1 = 1.0 / ALPHA - 1.0
    c = 0
    for i in range(L):
        keep = (g0 + i - 1) % every == 0 and g0 + i >= 1 if every > 1 else True
        for n in range(N):
            f = max(F[n], EPS)
            x, q, v = X[n], Q[n], V[n]
            X[n] = x + h * (Z[n, i] - KAPPA * x - GAMMA * (f - 1.0))
            Q[n] = q + (h / TAU) * (f / RHO * (1.0 - (1.0 - RHO) ** (1.0 / f)) - q * v**inv_a1)
            V[n] = v + (h / TAU) * (f - v**inv_a)
            F[n] = f + h * X[n]
            if keep:
                out[n, c] = V0 * (K1 * (1.0 - Q[n]) + K2 * (1.0 - Q[n] / V[n]) + K3 * (1.0 - V[n]))
        if keep:
            c += 1
    return c


def kept_samples(g0, L, every):
    """Local indices of the samples a call starting at global sample g0 keeps: (g0 + i - 1) % every == 0."""
    if every == 1:
        return np.arange(L)
    first = (1 - g0) % every
    return np.arange(first, L, every)


def simulateBOLD(Z, dt, voxelCounts=None, X=None, F=None, Q=None, V=None):
    """Balloon-Windkessel BOLD signal of every sample of an input.

    Parameters
    ----------
    Z : ndarray
        Neural input (N x L), one column per step.
    dt : float
        Step in seconds.
    voxelCounts : ignored
        Kept for compatibility.
    X, F, Q, V : ndarray, optional
        Initial vasodilatory signal, inflow, deoxyhemoglobin and volume (N,); default 1 (the state
        BOLDModel starts from).

    Returns
    -------
    BOLD : ndarray
        Fractional BOLD signal change (N x L).
    X, F, Q, V : ndarray
        Final states (new arrays; the arguments are not modified).
    """
    Z = np.asarray(Z, dtype=float)
    if Z.ndim != 2:
        raise ParameterError(f"simulateBOLD: 'Z' must be a 2-D array (nodes x samples), got shape {Z.shape}.")
    if not dt > 0:
        raise ParameterError(f"simulateBOLD: 'dt' must be > 0 s, got {dt}.")
    N, L = Z.shape
    X, F, Q, V = (np.ones(N) if s is None else np.array(s, dtype=float).reshape(N) for s in (X, F, Q, V))
    out = np.empty((N, L))
    _integrate(Z, float(dt), X, F, Q, V, 0, 1, out)
    return out, X, F, Q, V
