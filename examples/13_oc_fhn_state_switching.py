# %% [markdown]
# # Optimal control: switching a bistable FitzHugh-Nagumo node
#
# Optimal control (`neurolib.control.optimal_control`) computes the input that drives a model towards a target
# trajectory at the lowest cost. The cost weighs how far the model is from the target (`w_p`, *precision*)
# against how strong the input is (`w_2`, the energy of the input); the input is found by gradient descent,
# with gradients from the adjoint method.
#
# We use it to switch a single FitzHugh-Nagumo node between two stable states: with `epsilon = 10` and
# `delta = 1.8` the node has a low and a high stable fixed point. The control may act during the first 60 ms
# only, and the node must be in the other state from 30 ms to the end (100 ms). Afterwards we check that it stays
# there without any input.

# %%
import matplotlib.pyplot as plt
import numpy as np

from neurolib.control.optimal_control import oc_fhn
from neurolib.models.fhn import FHNModel
from neurolib.utils.devutils import save_figure, short

BISTABLE = {"epsilon": 10.0, "delta": 1.8, "x_ext": 0.0}  # no constant drive

# %% [markdown]
# ## The two stable states
#
# Started on either side of the unstable fixed point, the node settles in one of the two stable ones. We keep
# their `(x, y)`.

# %%
model = FHNModel(seed=0)
model.params.update(BISTABLE, duration=3000.0)  # ms
states = {}
for name, x0 in (("low", 0.1), ("high", 0.8)):
    model.params["xs_init"] = np.array([[x0]])
    model.params["ys_init"] = np.array([[(x0 - BISTABLE["delta"]) / BISTABLE["epsilon"]]])
    model.run()
    states[name] = (model.x[0, -1], model.y[0, -1])
    print(f"{name} state: x = {states[name][0]:.3f}, y = {states[name][1]:.3f}")

# %% [markdown]
# ## Computing the switching input
#
# The control has the shape `(nodes, inputs, T)` with `T = duration / dt + 1` time points (index 0 is the
# initial state) and acts on the model's input parameters, here `x_ext` and `y_ext`. The target has the shape
# `(nodes, outputs, T)`. `control_matrix` selects the inputs that may be used (only `x_ext`), `cost_interval`
# and `control_interval` are index ranges `(start, stop)`. `optimize(n)` runs `n` iterations of gradient descent
# (fewer if it converges) and can be called again to continue.


# %%
def switching_control(start, goal, iterations):
    m = FHNModel(seed=0)
    m.params.update(BISTABLE, duration=100.0)  # ms
    m.params["xs_init"] = np.array([[start[0]]])
    m.params["ys_init"] = np.array([[start[1]]])
    T = round(m.params["duration"] / m.params["dt"]) + 1
    m.params["x_ext"] = np.zeros((1, T))  # the initial guess of the control: nothing
    m.params["y_ext"] = np.zeros((1, T))
    target = np.zeros((1, 2, T))
    target[0, 0], target[0, 1] = goal  # x and y of the goal state at all times
    oc = oc_fhn.OcFhn(
        m,
        target,
        weights={"w_p": 1.0, "w_2": 0.01, "w_1D": 0.0},
        control_matrix=np.array([[1.0, 0.0]]),  # x_ext only
        cost_interval=(300, None),  # from 30 ms to the end
        control_interval=(0, 600),  # the first 60 ms
    )
    oc.optimize(iterations)
    return oc


iterations = short(200, 100)
up = switching_control(states["low"], states["high"], iterations)
down = switching_control(states["high"], states["low"], iterations)
print(f"cost of switching up: {up.cost_history[0]:.3f} -> {up.cost_history[-1]:.4f}")

# %% [markdown]
# `oc.control` is the optimised input, `oc.get_xs()` the model's trajectory under it (same layout as the target),
# and `oc.cost_history` the cost after every iteration.

# %%
t = np.arange(up.T) * up.dt  # ms
fig, axes = plt.subplots(2, 2, figsize=(11, 5), sharex="col")
for column, (name, oc) in enumerate((("low to high", up), ("high to low", down))):
    axes[0, column].plot(t, oc.get_xs()[0, 0], label="x")
    axes[0, column].plot(t, oc.target[0, 0], "k--", label="target x")
    axes[0, column].axvspan(30, 100, color="0.9", zorder=0, label="cost interval")
    axes[0, column].set_title(name, fontsize=10)
    axes[1, column].plot(t, oc.control[0, 0], color="C3")
    axes[1, column].set_xlabel("time (ms)")
axes[0, 0].set_ylabel("x")
axes[1, 0].set_ylabel("control x_ext")
axes[0, 0].legend(fontsize=8)
fig.tight_layout()
save_figure(fig, "switching")

# %% [markdown]
# ## Does the node stay switched?
#
# The control object works on its own copy of the model (`oc.model`), which holds the last run, with the final
# control. We continue that run for another second without input.

# %%
for name, oc in (("low to high", up), ("high to low", down)):
    after = oc.model
    after.params["x_ext"] = 0.0
    after.params["y_ext"] = 0.0
    after.params["duration"] = 1000.0  # ms
    after.run(continue_run=True)
    print(f"{name}: x = {after.x[0, -1]:.3f} one second after the control ended")
