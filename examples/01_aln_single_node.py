# %% [markdown]
# # A single ALN node: firing rates and their spectrum
#
# The ALN model describes one cortical area as an excitatory (E) and an inhibitory (I) population of adaptive
# exponential integrate-and-fire neurons, reduced to a few equations for the population firing rates. Its two
# most important knobs are the mean external inputs to the two populations, `mue_ext_mean` and `mui_ext_mean`
# (in mV/ms). Depending on them, one node sits in a quiet low-rate state, a high-rate state, or oscillates.
#
# In this example we simulate a single node in two such states, look at the firing rates and compute the power
# spectrum of the oscillation. Everything here takes a second or two.

# %%
import matplotlib.pyplot as plt
import numpy as np

import neurolib.utils.functions as func
from neurolib.models.aln import ALNModel
from neurolib.utils.devutils import save_figure, short

# %% [markdown]
# ## The default: a quiet node
#
# `ALNModel()` without a connectivity matrix is a single node. Its defaults put it into the low-activity state.
# Parameters live in `model.params`, a dictionary that also allows attribute access; times are in ms.

# %%
model = ALNModel(seed=42)
model.params["duration"] = short(3000, 1000)  # ms
model.run()
print("output variables:", model.output_vars)
print("time axis:", model.t[0], "...", model.t[-1], "ms, shape", model.t.shape)
print(f"mean E rate at rest: {model.rates_exc.mean():.2f} Hz")

# %% [markdown]
# ## An oscillating node
#
# Raising the external input to E above that to I (here 1.5 and 1.0 mV/ms) moves the node onto a limit cycle:
# the E and I populations chase each other at a frequency in the beta band. We drop the first 500 ms, during
# which the node leaves its random initial state.

# %%
model.params["mue_ext_mean"] = 1.5  # mV/ms
model.params["mui_ext_mean"] = 1.0  # mV/ms
model.params["duration"] = short(5000, 2000)  # ms
model.run()

keep = model.t > 500  # ms
fig, ax = plt.subplots(figsize=(9, 3))
ax.plot(model.t[keep], model.rates_exc[0, keep], label="E", color="C0")
ax.plot(model.t[keep], model.rates_inh[0, keep], label="I", color="C3")
ax.set_xlim(500, 1000)
ax.set_xlabel("time (ms)")
ax.set_ylabel("rate (Hz)")
ax.legend(loc="upper right")
ax.set_title("ALN node at mue_ext_mean = 1.5, mui_ext_mean = 1.0 mV/ms")
save_figure(fig, "rates")

# %% [markdown]
# ## Power spectrum
#
# `neurolib.utils.functions.getPowerSpectrum` computes a Welch spectrum of one time series; it needs the sampling
# interval in ms (here the integration step `dt`) and returns frequencies in Hz. With noise on the inputs
# (`sigma_ou`, an Ornstein-Uhlenbeck process with time constant `tau_ou` ms) the oscillation becomes irregular,
# and its peak broadens. A fixed `seed` makes the noisy run reproducible.

# %%
freqs, power = func.getPowerSpectrum(model.rates_exc[0, keep], dt=model.params["dt"], maxfr=60)
peak = freqs[1:][np.argmax(power[1:])]
print(f"peak frequency without noise: {peak:.0f} Hz")

model.params["sigma_ou"] = 0.05  # mV/ms/sqrt(ms)
model.run()
freqs_noisy, power_noisy = func.getPowerSpectrum(model.rates_exc[0, keep], dt=model.params["dt"], maxfr=60)

fig, ax = plt.subplots(figsize=(6, 3))
ax.semilogy(freqs, power, label="sigma_ou = 0")
ax.semilogy(freqs_noisy, power_noisy, label="sigma_ou = 0.05")
ax.set_xlabel("frequency (Hz)")
ax.set_ylabel("power (Hz$^2$)")
ax.legend()
save_figure(fig, "spectrum")

# %% [markdown]
# ## All outputs as one xarray
#
# `model.xr()` stacks the outputs into an `xarray.DataArray` with the dimensions output, space (the node) and
# time (ms), which makes selecting and averaging convenient.

# %%
rates = model.xr()
print(rates.dims, rates.output.values.tolist())
late = rates.sel(output="rates_exc", space=0).where(rates.time > 500, drop=True)
print(f"mean E rate with noise: {float(late.mean()):.1f} Hz")
