# %% [markdown]
# # A network of Hopf oscillators
#
# The Hopf model (also called Stuart-Landau oscillator) is the normal form of a system near a Hopf bifurcation:
# for bifurcation parameter `a < 0` a node relaxes to a fixed point, for `a > 0` it oscillates with angular
# frequency `w` (rad/ms). Close to the bifurcation and driven by noise, a node shows damped, irregular
# oscillations, and coupling many such nodes through a connectome gives realistic resting-state FC.
#
# We simulate the 80-region `gw` network, look at the activity and its spectrum, and then use
# `model.run_batch` to compute the FC fit for several coupling strengths `K_gl` at once.

# %%
import matplotlib.pyplot as plt
import numpy as np

import neurolib.utils.functions as func
from neurolib.models.hopf import HopfModel
from neurolib.utils.devutils import save_figure, short
from neurolib.utils.loadData import Dataset

ds = Dataset("gw")

# %% [markdown]
# ## One network run
#
# Each node has two variables, `x` and `y`; `x` is the default output and drives the BOLD model. Nodes are
# coupled diffusively (each node is pulled towards the delayed activity of its neighbours, weighted by `Cmat`
# and scaled by `K_gl`).

# %%
model = HopfModel(Cmat=ds.Cmat, Dmat=ds.Dmat, seed=1)
model.params["a"] = -0.01  # 1/ms: just below the bifurcation
model.params["w"] = 0.2  # rad/ms, i.e. 0.2 / (2 pi) * 1000 = 31.8 Hz for an isolated node
model.params["sigma_ou"] = 0.03  # 1/sqrt(ms)
model.params["K_gl"] = 2.0
model.params["duration"] = short(20 * 1000, 5 * 1000)  # ms
model.run()
print("x:", model.x.shape, "(nodes x samples)")
window = (model.t > 1000) & (model.t <= 1500)  # ms
t_window, x_window = model.t[window], model.x[:4, window]

# %% [markdown]
# Driven by noise, damped oscillators have a broad spectrum. Diffusive coupling adds damping (a node is also
# pulled towards its neighbours), which moves the power to lower frequencies; we compare with the uncoupled
# network. `func.getMeanPowerSpectrum` averages the Welch spectra of all nodes.

# %%
fig, axes = plt.subplots(1, 2, figsize=(11, 3.2), gridspec_kw={"width_ratios": [2, 1]})
axes[0].plot(t_window, x_window.T, lw=1)
axes[0].set_xlabel("time (ms)")
axes[0].set_ylabel("x")
axes[0].set_title("four of the 80 nodes, K_gl = 2")
for k_gl in (2.0, 0.0):
    model.params["K_gl"] = k_gl
    model.run()
    freqs, power = func.getMeanPowerSpectrum(model.x[:, model.t > 1000], dt=model.params["dt"], maxfr=80)
    print(f"K_gl = {k_gl}: spectral peak at {freqs[np.argmax(power)]:.0f} Hz")
    axes[1].plot(freqs, power / power.max(), label=f"K_gl = {k_gl:g}")
axes[1].set_xlabel("frequency (Hz)")
axes[1].set_ylabel("mean power (normalised)")
axes[1].legend()
fig.tight_layout()
save_figure(fig, "activity")

# %% [markdown]
# ## Coupling strength and FC fit
#
# `run_batch` runs the model once for each dictionary of parameter overrides and returns what each run would
# have left in `model.outputs`; the model itself is not changed. Native models integrate the members of a batch
# together, and `threads` spreads them over cores. With `evaluate=` each member's outputs are reduced right away
# to what we need (here the FC fit of its BOLD), and `outputs=[]` keeps only BOLD, not the raw time series.


# %%
def fc_fit(outputs, params):
    """Mean correlation of the simulated FC with the subjects' FCs, after 10 s of transient."""
    bold = outputs["BOLD"]["BOLD"][:, outputs["BOLD"]["t_BOLD"] > 10000]
    return np.mean([func.matrix_correlation(func.fc(bold), emp_fc) for emp_fc in ds.FCs])


couplings = short([0.0, 0.5, 1.0, 2.0, 3.0, 4.0], [0.0, 1.0, 3.0])
model.params["duration"] = short(2 * 60 * 1000, 20 * 1000)  # ms
fits = model.run_batch([{"K_gl": k} for k in couplings], bold=True, outputs=[], evaluate=fc_fit, threads=2)
for k, fit in zip(couplings, fits):
    print(f"K_gl = {k:3.1f}: FC fit {fit:.2f}")

fig, ax = plt.subplots(figsize=(5, 3))
ax.plot(couplings, fits, "o-")
ax.set_xlabel("global coupling K_gl")
ax.set_ylabel("FC fit (correlation)")
save_figure(fig, "fc-vs-coupling")

# %% [markdown]
# Without coupling the regions are independent and the simulated FC has nothing in common with the empirical
# one; the fit grows with the coupling. Much stronger coupling eventually destabilises the diffusively coupled
# network: its outputs then become NaN, and `run()` warns with the first variable and time that diverged.
