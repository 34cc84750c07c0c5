# %% [markdown]
# # Optimal control in a network: steering a node you cannot reach directly
#
# In a network, the control may act on some nodes and the target may concern others. Here two FitzHugh-Nagumo
# nodes are connected one way, from node 0 to node 1, with a conduction delay. We may only apply an input to
# node 0, but we want node 1 to follow a given trajectory.
#
# To know that a solution exists, we make the target ourselves: we drive node 0 with a 100 Hz sinusoid and record
# what node 1 does. Starting from no input at all, optimal control then has to find an input to node 0 that
# reproduces node 1's trajectory; we compare it with the sinusoid we used.

# %%
import matplotlib.pyplot as plt
import numpy as np

from neurolib.control.optimal_control import oc_fhn
from neurolib.models.fhn import FHNModel
from neurolib.utils.devutils import save_figure, short
from neurolib.utils.stimulus import SinusoidalInput

# %% [markdown]
# ## The network and the target
#
# `Cmat[to, from]`: node 1 receives from node 0. A fibre of 18 mm at the default `signalV = 20` mm/ms gives a
# delay of 0.9 ms. Both nodes start at rest (`x = y = 0`, no constant drive).

# %%
cmat = np.array([[0.0, 0.0], [1.0, 0.0]])
lengths = np.array([[0.0, 0.0], [18.0, 0.0]])  # mm
model = FHNModel(Cmat=cmat, Dmat=lengths, seed=0)
duration = 20.0  # ms
model.params.update(duration=duration, K_gl=1.0, xs_init=np.zeros((2, 1)), ys_init=np.zeros((2, 1)))
dt = model.params["dt"]
T = round(duration / dt) + 1  # time points of the control, the initial state included
print("delay:", model.getMaxDelay() * dt, "ms")

sine = SinusoidalInput(amplitude=1.0, frequency=100.0).as_array(duration + dt, dt)[0]  # T samples
generating = np.zeros((2, T))
generating[0] = sine  # only node 0 is driven
model.params["x_ext"] = generating
model.params["y_ext"] = np.zeros((2, T))
model.run()

target = np.zeros((2, 2, T))  # nodes x (x, y) x time; index 0: the initial state (zero)
target[:, 0, 1:] = model.x
target[:, 1, 1:] = model.y

# %% [markdown]
# ## Optimising
#
# `cost_matrix` (nodes x outputs) selects what is compared with the target: `x` of node 1 only.
# `control_matrix` (nodes x inputs) selects where the control may act: `x_ext` of node 0 only. We weigh
# precision only (`w_2 = 0`), so the control is free to be as strong as needed.

# %%
model.params["x_ext"] = np.zeros((2, T))  # start from no input
cost_matrix = np.zeros((2, 2))
cost_matrix[1, 0] = 1.0
control_matrix = np.zeros((2, 2))
control_matrix[0, 0] = 1.0

oc = oc_fhn.OcFhn(model, target, cost_matrix=cost_matrix, control_matrix=control_matrix, print_array=[0, 100, 250])
oc.weights["w_p"] = 1.0
oc.weights["w_2"] = 0.0
oc.optimize(short(500, 250))
print(f"cost: {oc.cost_history[0]:.3f} -> {oc.cost_history[-1]:.2e} after {len(oc.cost_history) - 1} iterations")
print("control of node 1 and of y_ext stays zero:", np.all(oc.control[1] == 0), np.all(oc.control[0, 1] == 0))

# %%
t = np.arange(T) * dt  # ms
fig, axes = plt.subplots(1, 3, figsize=(13, 3.3))
axes[0].plot(t, oc.get_xs()[1, 0], label="node 1 under control")
axes[0].plot(t, target[1, 0], "k--", label="target")
axes[0].set_ylabel("x of node 1")
axes[1].plot(t, oc.control[0, 0], color="C3", label="optimal control")
axes[1].plot(t, sine, "k--", label="generating input")
axes[1].axvspan(duration - model.getMaxDelay() * dt, duration, color="0.9", zorder=0, label="last delay")
axes[1].set_ylabel("x_ext of node 0")
axes[2].semilogy(oc.cost_history)
axes[2].set_xlabel("iteration")
axes[2].set_ylabel("cost")
for ax in axes[:2]:
    ax.set_xlabel("time (ms)")
    ax.legend(fontsize=8)
fig.tight_layout()
save_figure(fig, "network-control")

# %% [markdown]
# The control found is close to the sinusoid that generated the target, except at the very end: an input to
# node 0 during the last 0.9 ms reaches node 1 only after the end of the window, so it cannot lower the cost and
# keeps its initial value, zero.
