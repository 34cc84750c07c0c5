"""Plots of an optimal-control result: states against the target, the control against the original input, and the
cost (and step-size) history. ``matplotlib`` is imported when a function is called.

Arrays follow the optimal control's layout: states and targets (N, variables, T), controls and inputs
(N, input channels, T), over ``t = 0, dt, ..., duration`` (ms).
"""

from __future__ import annotations

import numpy as np

from neurolib.errors import ParameterError


def _time_axis(duration, dt, T):
    t = np.arange(T) * dt
    if not np.isclose(t[-1], duration, rtol=1e-9, atol=1e-9 * max(dt, 1.0)):
        raise ParameterError(
            f"plot_oc: the arrays have {T} time points, which does not match duration = {duration} ms at dt = {dt} ms "
            f"(expected {int(round(duration / dt)) + 1})."
        )
    return t


def _as3d(name, a, N=None):
    arr = np.asarray(a, dtype=float)
    if arr.ndim != 3 or (N is not None and arr.shape[0] != N):
        want = "(N, variables, T)" if N is None else f"({N}, variables, T)"
        raise ParameterError(f"plot_oc: '{name}' must have shape {want}, got {arr.shape}.")
    return arr


def _history(ax, values, label, ylabel):
    ax.plot(np.arange(len(values)), values, marker=".", label=label)
    ax.set_xlabel("iteration")
    ax.set_ylabel(ylabel)
    if len(values) and np.all(np.asarray(values) > 0):
        ax.set_yscale("log")


def plot_oc_singlenode(
    duration,
    dt,
    state,
    target,
    control,
    orig_input,
    cost_array=(),
    plot_state_vars=(0, 1),
    plot_control_vars=(0, 1),
):
    """Three stacked panels for one node: chosen states (solid) against the target (dashed), the control against
    the original input (dashed), and the cost per iteration (if ``cost_array`` is given).

    Parameters
    ----------
    duration, dt : float
        Duration and time step (ms); the arrays have ``duration / dt + 1`` time points.
    state, target : ndarray
        (1, variables, T) simulated and target states.
    control, orig_input : ndarray
        (1, input channels, T) optimised control and the input that made the target.
    cost_array : sequence of float
        Cost history (e.g. ``oc.cost_history``).
    plot_state_vars, plot_control_vars : sequence of int
        Which state variables and input channels to draw.

    Returns
    -------
    matplotlib.figure.Figure
    """
    import matplotlib.pyplot as plt

    state, target = _as3d("state", state, 1), _as3d("target", target, 1)
    control, orig_input = _as3d("control", control, 1), _as3d("orig_input", orig_input, 1)
    t = _time_axis(duration, dt, state.shape[2])
    rows = 3 if len(cost_array) else 2
    fig, axes = plt.subplots(rows, 1, figsize=(8, 2.6 * rows), constrained_layout=True)
    for v in plot_state_vars:
        (line,) = axes[0].plot(t, state[0, v], label=f"state {v}")
        axes[0].plot(t, target[0, v], linestyle="--", color=line.get_color(), label=f"target {v}")
    axes[0].set_ylabel("state")
    axes[0].legend(loc="upper right", fontsize="small")
    for v in plot_control_vars:
        (line,) = axes[1].plot(t, control[0, v], label=f"control {v}")
        axes[1].plot(t, orig_input[0, v], linestyle="--", color=line.get_color(), label=f"input {v}")
    axes[1].set_xlabel("t [ms]")
    axes[1].set_ylabel("input")
    axes[1].legend(loc="upper right", fontsize="small")
    if rows == 3:
        _history(axes[2], np.asarray(cost_array, dtype=float), "cost", "total cost")
    return fig


def plot_oc_network(
    N,
    duration,
    dt,
    state,
    target,
    control,
    orig_input,
    cost_array=(),
    step_array=(),
    plot_state_vars=(0, 1),
    plot_control_vars=(0, 1),
):
    """One column per node (states against the target; control against the original input) and a bottom row with
    the cost and step-size histories.

    Parameters
    ----------
    N : int
        Number of nodes.
    duration, dt : float
        Duration and time step (ms).
    state, target : ndarray
        (N, variables, T).
    control, orig_input : ndarray
        (N, input channels, T).
    cost_array, step_array : sequence of float
        Cost and step-size histories (``oc.cost_history``, ``oc.step_sizes_history``).
    plot_state_vars, plot_control_vars : sequence of int
        Which state variables and input channels to draw.

    Returns
    -------
    matplotlib.figure.Figure
    """
    import matplotlib.pyplot as plt

    N = int(N)
    state, target = _as3d("state", state, N), _as3d("target", target, N)
    control, orig_input = _as3d("control", control, N), _as3d("orig_input", orig_input, N)
    t = _time_axis(duration, dt, state.shape[2])
    fig, axes = plt.subplots(3, max(N, 2), figsize=(4 * max(N, 2), 8), constrained_layout=True, squeeze=False)
    for n in range(N):
        for v in plot_state_vars:
            (line,) = axes[0, n].plot(t, state[n, v], label=f"state {v}")
            axes[0, n].plot(t, target[n, v], linestyle="--", color=line.get_color(), label=f"target {v}")
        axes[0, n].set_title(f"node {n}")
        for v in plot_control_vars:
            (line,) = axes[1, n].plot(t, control[n, v], label=f"control {v}")
            axes[1, n].plot(t, orig_input[n, v], linestyle="--", color=line.get_color(), label=f"input {v}")
        axes[1, n].set_xlabel("t [ms]")
    axes[0, 0].set_ylabel("state")
    axes[1, 0].set_ylabel("input")
    axes[0, 0].legend(loc="upper right", fontsize="small")
    axes[1, 0].legend(loc="upper right", fontsize="small")
    for n in range(N, axes.shape[1]):
        axes[0, n].axis("off")
        axes[1, n].axis("off")
    _history(axes[2, 0], np.asarray(cost_array, dtype=float), "cost", "total cost")
    _history(axes[2, 1], np.asarray(step_array, dtype=float), "step", "step size")
    for n in range(2, axes.shape[1]):
        axes[2, n].axis("off")
    return fig
