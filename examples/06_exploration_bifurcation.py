# %% [markdown]
# # Parameter exploration: the state space of an ALN node
#
# Which dynamical states does a single ALN node have, as a function of its mean external inputs `mue_ext_mean`
# (to E) and `mui_ext_mean` (to I)? We answer this with a `BoxSearch`: it runs the model on every point of a
# grid of parameter values, stores the results in a file and reads them back as a table.
#
# To detect bistability, each run gets the same probing input on its E population: a negative push that sends
# the node into its low state, a release, a positive push that sends it into its high state, and a release
# again (`stimulus.RectifiedInput`). If the node ends in a different state after the two releases, two states
# coexist for the same parameters.

# %%
import matplotlib.pyplot as plt
import numpy as np
from matplotlib.colors import ListedColormap

from neurolib.models.aln import ALNModel
from neurolib.optimize.exploration import BoxSearch
from neurolib.utils import stimulus as stim
from neurolib.utils.devutils import save_figure, short
from neurolib.utils.parameterSpace import ParameterSpace

# %% [markdown]
# ## Setting up the search
#
# The model carries everything the runs share, including the input array. The `ParameterSpace` lists the
# values of each explored parameter; `kind="grid"` runs every combination. Without an evaluation function,
# `BoxSearch` runs the model and stores its default output (`rates_exc`) and the time axis `t`. The results go
# to `./data/hdf/<filename>`.

# %%
model = ALNModel(seed=0)
model.params["duration"] = short(6000, 3000)  # ms
model.params["ext_exc_current"] = stim.RectifiedInput(amplitude=0.2).to_model(model)  # mV/ms

values = np.linspace(0.0, 4.0, short(21, 9))  # mV/ms
space = ParameterSpace({"mue_ext_mean": values, "mui_ext_mean": values}, kind="grid")
search = BoxSearch(model, space, filename="aln_states.hdf", ncores=2)
print(search.nRuns, "runs")

# %% [markdown]
# `run()` integrates the runs in batches on all cores (`ncores`). Each finished run is written to disk at once, so
# an interrupted search continues where it stopped when it is run again (see example 09); running this script a
# second time therefore finds all runs done and returns immediately.

# %%
search.run()
search.loadResults()
print(search.dfResults[["mue_ext_mean", "mui_ext_mean", "nonfinite"]].head())

# %% [markdown]
# ## Classifying the runs
#
# `search.results[i]` is the dict of results of run `i` (read from the file when asked for), and row `i` of
# `search.dfResults` holds its parameters. From the E rate we read off the rate just before the positive push
# (the low branch), the rate at the end (the high branch) and the oscillation amplitude during the last sixth
# of the run, where the input is zero.

# %%
steps = len(search.results[0]["t"])
low, high, amplitude = [], [], []
for i in search.dfResults.index:
    rate = search.results[i]["rates_exc"][0]  # Hz
    low.append(rate[steps // 2 - 100])  # 10 ms before the positive push
    high.append(rate[-1])
    tail = rate[-steps // 6 :]
    amplitude.append(tail.max() - tail.min())

df = search.dfResults
df["low_branch"], df["high_branch"], df["amplitude"] = low, high, amplitude
df["state"] = np.select(
    [df.amplitude > 1.0, (df.high_branch - df.low_branch).abs() > 1.0, df.high_branch > 5.0],
    [3, 2, 1],
    default=0,
)  # 0 low rate, 1 high rate, 2 bistable, 3 oscillating
print(df.state.value_counts().sort_index().rename(index=["low", "high", "bistable", "oscillating"].__getitem__))

# %% [markdown]
# ## The state diagram
#
# `dfResults` is a pandas DataFrame, so a pivot table turns it into an image over the two parameters.

# %%
names = ["low rate", "high rate", "bistable", "oscillating"]
image = df.pivot_table(index="mui_ext_mean", columns="mue_ext_mean", values="state")
step = values[1] - values[0]
extent = [values[0] - step / 2, values[-1] + step / 2, values[0] - step / 2, values[-1] + step / 2]
fig, ax = plt.subplots(figsize=(5.5, 4.5))
im = ax.imshow(
    image.values, origin="lower", extent=extent, cmap=ListedColormap(["C7", "C1", "C2", "C0"]), vmin=-0.5, vmax=3.5
)
cbar = fig.colorbar(im, ticks=range(4))
cbar.ax.set_yticklabels(names)
ax.set_xlabel("mue_ext_mean (mV/ms)")
ax.set_ylabel("mui_ext_mean (mV/ms)")
ax.set_title("states of a single ALN node")
save_figure(fig, "states")

# %% [markdown]
# ## Looking at single runs
#
# The index of a row of `dfResults` is the run's index in `search.results`. We plot one run of each of the
# states other than the low-rate one, taken from the middle of its region.

# %%
fig, axes = plt.subplots(3, 1, figsize=(8, 5), sharex=True)
for ax, state in zip(axes, [3, 2, 1]):
    runs = df.index[df.state == state]
    run = runs[len(runs) // 2]
    result = search.results[run]
    ax.plot(result["t"], result["rates_exc"][0])
    ax.set_title(
        f"mue_ext_mean = {df.mue_ext_mean[run]:.1f}, mui_ext_mean = {df.mui_ext_mean[run]:.1f} mV/ms: {names[state]}",
        fontsize=10,
    )
    ax.set_ylabel("E rate (Hz)")
axes[-1].set_xlabel("time (ms)")
fig.tight_layout()
save_figure(fig, "runs")
