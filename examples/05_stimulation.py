# %% [markdown]
# # Stimulating models with external inputs
#
# Every model has input parameters (`model.input_vars`): for ALN the currents `ext_exc_current` and
# `ext_inh_current` (mV/ms) and the rates `ext_exc_rate`, `ext_inh_rate` (kHz), for Hopf and FHN `x_ext` and
# `y_ext`, for Wilson-Cowan `exc_ext` and `inh_ext`. An input parameter takes a number (constant input), one
# value per node, or an array of shape (nodes, steps) with one column per integration step.
#
# `neurolib.utils.stimulus` builds such arrays: steps, sinusoids, square waves, ramps, exponentials and noise
# processes, which can be added (`+`) and played one after the other (`&`). Times are in ms, frequencies in Hz.

# %%
import matplotlib.pyplot as plt
import numpy as np

from neurolib.models.aln import ALNModel
from neurolib.models.hopf import HopfModel
from neurolib.utils import stimulus as stim
from neurolib.utils.devutils import save_figure, short
from neurolib.utils.loadData import Dataset

# %% [markdown]
# ## Building inputs
#
# `as_array(duration, dt)` gives an array of shape `(n, duration / dt)`; the first column is the input at
# `t = dt`, like the first sample of a model's output. `start` and `end` (ms) limit a stimulus in time. Noise
# processes take a `seed`; the same seed gives the same array every time.

# %%
duration, dt = 1000.0, 0.1  # ms
times = np.arange(1, round(duration / dt) + 1) * dt
inputs = {
    "step, 200-700 ms": stim.StepInput(step_size=1.0, start=200, end=700),
    "sine, 10 Hz": stim.SinusoidalInput(amplitude=1.0, frequency=10.0),
    "square 5 Hz + OU noise": stim.SquareInput(amplitude=1.0, frequency=5.0)
    + stim.OrnsteinUhlenbeckProcess(mu=0.0, sigma=0.1, tau=5.0, seed=3),
    "ramp, then exponential decay": stim.LinearRampInput(inp_max=1.0, ramp_length=300.0)
    & stim.ExponentialInput(inp_max=1.0, exp_type="decay"),
}
fig, axes = plt.subplots(len(inputs), 1, figsize=(8, 6), sharex=True)
for ax, (label, inp) in zip(axes, inputs.items()):
    ax.plot(times, inp.as_array(duration, dt)[0])
    ax.set_title(label, fontsize=10)
axes[-1].set_xlabel("time (ms)")
fig.tight_layout()
save_figure(fig, "inputs")

# %% [markdown]
# ## Switching a bistable ALN node
#
# At `mue_ext_mean = 2.8`, `mui_ext_mean = 3.2` mV/ms a single ALN node is bistable: a low-rate and a high-rate
# state coexist for the same constant input. `RectifiedInput(amplitude)` is a probe for such bistability: a
# negative push, a slow release to zero, a positive push and a slow decay back to zero, then silence. The
# negative push sends the node, whatever its random initial state, into the low state, where it stays when the
# input returns to zero; the positive push moves it into the high state, where it stays too. `to_model(model)`
# generates the input for the model's `N`, `duration` and `dt`.

# %%
model = ALNModel(seed=0)
model.params["mue_ext_mean"] = 2.8  # mV/ms
model.params["mui_ext_mean"] = 3.2  # mV/ms
model.params["duration"] = short(6000, 3000)  # ms
model.params["ext_exc_current"] = stim.RectifiedInput(amplitude=0.2).to_model(model)  # mV/ms
model.run()

fig, axes = plt.subplots(2, 1, figsize=(8, 4), sharex=True)
axes[0].plot(model.t, model.params["ext_exc_current"][0], color="k")
axes[0].set_ylabel("input (mV/ms)")
axes[1].plot(model.t, model.rates_exc[0])
axes[1].set_ylabel("E rate (Hz)")
axes[1].set_xlabel("time (ms)")
save_figure(fig, "bistable")
before_push = model.t < model.params["duration"] / 2  # the positive push starts half-way through
print(
    f"E rate before the positive push: {model.rates_exc[0, before_push][-1]:.2f} Hz, "
    f"at the end: {model.rates_exc[0, -1]:.1f} Hz; the input is 0 at both times"
)

# %% [markdown]
# ## Stimulating one region of a network
#
# For a network, `to_model` returns the same input for every node. To drive a single region, multiply by a
# column that is 1 for that region and 0 elsewhere. We drive the region with the largest total outgoing
# connectivity of a Hopf network below its bifurcation (no noise) with a 20 Hz sinusoid: the oscillation spreads
# to the other regions, most strongly to those it is connected to most strongly.

# %%
ds = Dataset("gw")
net = HopfModel(Cmat=ds.Cmat, Dmat=ds.Dmat, seed=0)
net.params["a"] = -0.05  # 1/ms: damped
net.params["K_gl"] = 1.0
net.params["duration"] = short(3000, 1500)  # ms
target = int(np.argmax(ds.Cmat.sum(axis=0)))  # Cmat[to, from]: column sums = outgoing weights
only_target = np.zeros((net.params["N"], 1))
only_target[target] = 1.0
net.params["x_ext"] = stim.SinusoidalInput(amplitude=0.02, frequency=20.0).to_model(net) * only_target
net.run()

late = net.x[:, net.t > 1000]
amplitude = (late.max(axis=1) - late.min(axis=1)) / 2
others = np.arange(net.params["N"]) != target
print(f"stimulated region {target}: amplitude {amplitude[target]:.4f}")
print(
    f"correlation of the other regions' amplitude with their input weight from region {target}: "
    f"{np.corrcoef(amplitude[others], ds.Cmat[others, target])[0, 1]:.2f}"
)

fig, ax = plt.subplots(figsize=(5, 3.5))
ax.scatter(ds.Cmat[others, target], amplitude[others], s=12)
ax.set_xlabel(f"Cmat[n, {target}] (connection from the stimulated region)")
ax.set_ylabel("amplitude of x in region n")
save_figure(fig, "spread")
