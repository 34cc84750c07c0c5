"""Cost functionals of the optimal control and their derivatives.

The total cost of a control ``u`` (N, inputs, T) with state ``x`` and target ``x*`` (N, outputs, T) is

    w_p * sum_{n, v, t in interval} 0.5 C[n, v] (x* - x)^2 dt            (precision)
  + w_2 * sum 0.5 u^2 dt                                                (L2 energy)
  + w_1D * sum_{n, v} sqrt(sum_t u[n, v, t]^2 dt)                       (directional sparsity, L1 over channels)

with ``C`` the cost matrix. Derivatives are per unit time (the dt factor left out), the form the gradient of the
optimal control uses. Time is in ms; the units of x and u are those of the model's outputs and inputs.
"""

from __future__ import annotations

import numpy as np


def _window(interval, T):
    start, stop = interval
    start = 0 if start is None else int(start)
    stop = T if stop is None else int(stop)
    return start, stop


def precision_cost(x_sim, x_target, cost_matrix, interval=(0, None)):
    """Element-wise precision cost ``0.5 C[n, v] (x* - x)^2`` inside ``interval`` (a [start, stop) index pair), 0
    elsewhere; shape of ``x_sim`` (N, V, T)."""
    x_sim, x_target = np.asarray(x_sim, float), np.asarray(x_target, float)
    out = np.zeros_like(x_sim)
    a, b = _window(interval, x_sim.shape[2])
    diff = x_target[:, :, a:b] - x_sim[:, :, a:b]
    with np.errstate(over="ignore", invalid="ignore"):  # a diverged run costs inf or NaN, silently
        out[:, :, a:b] = 0.5 * np.asarray(cost_matrix, float)[:, : x_sim.shape[1], None] * diff * diff
    return out


def derivative_precision_cost(x_sim, x_target, cost_matrix, interval=(0, None)):
    """Derivative of :func:`precision_cost` with respect to ``x_sim``: ``-C[n, v] (x* - x)`` inside the interval."""
    x_sim, x_target = np.asarray(x_sim, float), np.asarray(x_target, float)
    out = np.zeros_like(x_sim)
    a, b = _window(interval, x_sim.shape[2])
    out[:, :, a:b] = -np.asarray(cost_matrix, float)[:, : x_sim.shape[1], None] * (
        x_target[:, :, a:b] - x_sim[:, :, a:b]
    )
    return out


def accuracy_cost(x, target, weights, cost_matrix, dt, interval=(0, None)):
    """Weighted precision cost ``w_p * sum 0.5 C (x* - x)^2 dt`` over ``interval`` (0 when ``w_p`` is 0).

    Parameters
    ----------
    x, target : ndarray
        Simulated and target outputs (N, V, T).
    weights : dict
        Cost weights; ``weights["w_p"]`` is used.
    cost_matrix : ndarray
        (N, V) weights of each node and output (binary in the OC classes).
    dt : float
        Time step (ms).
    interval : tuple
        [start, stop) time indices (None: open end).

    Returns
    -------
    float
    """
    w_p = weights["w_p"]
    if w_p == 0.0:
        return 0.0
    return float(w_p * np.sum(precision_cost(x, target, cost_matrix, interval)) * dt)


def derivative_accuracy_cost(x, target, weights, cost_matrix, interval=(0, None)):
    """``w_p * derivative_precision_cost`` (per unit time, no dt factor), (N, V, T)."""
    return weights["w_p"] * derivative_precision_cost(x, target, cost_matrix, interval)


def L2_cost(u):
    """Element-wise energy ``0.5 u^2``."""
    u = np.asarray(u, float)
    return 0.5 * u * u


def derivative_L2_cost(u):
    """Derivative of :func:`L2_cost`: ``u``."""
    return np.asarray(u, float)


def L1D_cost_integral(u, dt):
    """Directional sparsity ``sum_{n, v} sqrt(sum_t u[n, v, t]^2 dt)`` of a control (N, V, T)."""
    u = np.asarray(u, float)
    return float(np.sum(np.sqrt(np.sum(u * u, axis=2) * dt)))


def derivative_L1D_cost(u, dt):
    """Derivative of :func:`L1D_cost_integral` per unit time: ``u[n, v, :] / sqrt(sum_t u[n, v, t]^2 dt)``, 0 for a
    channel that is zero throughout."""
    u = np.asarray(u, float)
    norm = np.sqrt(np.sum(u * u, axis=2) * dt)
    out = np.zeros_like(u)
    nz = norm > 0.0
    out[nz] = u[nz] / norm[nz][:, None]
    return out


def control_strength_cost(u, weights, dt):
    """``w_2 * sum 0.5 u^2 dt + w_1D * L1D_cost_integral(u, dt)`` over all T samples."""
    cost = 0.0
    if weights["w_2"] != 0.0:
        cost += weights["w_2"] * float(np.sum(L2_cost(u))) * dt
    if weights["w_1D"] != 0.0:
        cost += weights["w_1D"] * L1D_cost_integral(u, dt)
    return cost


def derivative_control_strength_cost(u, weights, dt):
    """Derivative of :func:`control_strength_cost` per unit time: ``w_2 u + w_1D * derivative_L1D_cost(u, dt)``."""
    der = weights["w_2"] * derivative_L2_cost(u)
    if weights["w_1D"] != 0.0:
        der = der + weights["w_1D"] * derivative_L1D_cost(u, dt)
    return der
