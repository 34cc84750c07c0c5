# %% [markdown]
# # Fitting a model with an evolutionary algorithm
#
# `Evolution` searches a parameter space for the parameters that optimise one or more fitness values. It keeps a
# population of candidate parameter sets (individuals), evaluates them, and breeds the next generation from the
# better ones by crossover and mutation. Every generation is recorded on disk as it ends.
#
# As a small task we tune the two inputs of a single ALN node, `mue_ext_mean` and `mui_ext_mean` (mV/ms), so that
# the node oscillates at 25 Hz. First with an evaluation function in the classic style, which runs the model
# itself, then with a batched evaluation, which lets the search integrate many individuals at once.

# %%
import time

import matplotlib.pyplot as plt
import numpy as np

import neurolib.utils.functions as func
from neurolib.models.aln import ALNModel
from neurolib.optimize import batched
from neurolib.optimize.evolution import Evolution
from neurolib.utils.devutils import save_figure, short
from neurolib.utils.parameterSpace import ParameterSpace

TARGET = 25.0  # Hz

model = ALNModel(seed=0)
model.params["duration"] = 2000  # ms


def frequency_error(t, rate, dt):
    """Distance (Hz) of the spectral peak of the E rate after 1 s from TARGET; 100 if the node does not oscillate."""
    rate = rate[0, t > 1000]
    freqs, power = func.getPowerSpectrum(rate, dt=dt, maxfr=80)
    peak = freqs[1:][np.argmax(power[1:])]  # leave out 0 Hz
    amplitude = rate.max() - rate.min()  # Hz
    error = abs(peak - TARGET) if amplitude > 5.0 else 100.0
    return error, {"peak": float(peak), "amplitude": float(amplitude)}


# %% [markdown]
# ## The parameter space and the evaluation function
#
# For an evolution, the `ParameterSpace` gives a `[low, high]` interval per parameter. The evaluation function
# receives a `traj` that identifies the individual; `evolution.getModelFromTraj(traj)` returns the model with the
# individual's parameters set. It returns a tuple of fitness values (one per entry of `weightList`; a negative
# weight means *minimise*) and a dict of outputs to store with the individual.

# %%
space = ParameterSpace(["mue_ext_mean", "mui_ext_mean"], [[0.0, 2.0], [0.0, 1.5]])  # mV/ms


def evaluate(traj):
    m = evolution.getModelFromTraj(traj)
    m.run()
    error, outputs = frequency_error(m.t, m.rates_exc, m.params["dt"])
    return (error,), outputs


sizes = {"POP_INIT_SIZE": short(40, 16), "POP_SIZE": short(20, 8), "NGEN": short(10, 5)}
evolution = Evolution(
    evaluate, space, model=model, weightList=[-1.0], filename="fit_25hz.hdf", ncores=1, seed=7, resume=False, **sizes
)
start = time.perf_counter()
evolution.run()
classic_s = time.perf_counter() - start

# %% [markdown]
# A single node runs in a few milliseconds, so we evaluate in this process (`ncores=1`); for expensive models,
# leave `ncores` at its default (all cores) or pass `executor=` (a `concurrent.futures` executor or a Dask
# client). `seed` makes the whole evolution reproducible, whatever the number of workers.
#
# ## Results
#
# `dfPop()` lists the current population, `dfEvolution()` every individual ever evaluated, both with their
# parameters, `score` (the weighted fitness: higher is better), `id`, generation and, with
# `outputs=True`, the stored outputs.

# %%
print(evolution.dfPop(outputs=True).head())
best = evolution.toolbox.selBest(evolution.pop, 1)[0]
print("best individual:", best.params, "fitness:", best.fitness.values, "outputs:", best.outputs)

# %%
history = evolution.dfEvolution()
generations, scores = evolution.getScoresDuringEvolution()

fig, axes = plt.subplots(1, 2, figsize=(11, 4))
points = axes[0].scatter(history.mue_ext_mean, history.mui_ext_mean, c=history.gen, cmap="viridis", s=15)
axes[0].plot(best.params["mue_ext_mean"], best.params["mui_ext_mean"], "r*", ms=14, label="best")
fig.colorbar(points, ax=axes[0], label="generation")
axes[0].set_xlabel("mue_ext_mean (mV/ms)")
axes[0].set_ylabel("mui_ext_mean (mV/ms)")
axes[0].legend()
axes[0].set_title("every evaluated individual")
axes[1].plot(generations, scores.max(axis=1), "o-", label="best")
axes[1].plot(generations, np.median(scores, axis=1), "s-", label="median")
axes[1].set_xlabel("generation")
axes[1].set_ylabel("score = -|peak - 25 Hz|")
axes[1].legend()
fig.tight_layout()
save_figure(fig, "evolution")

# %% [markdown]
# ## The same fit, batched
#
# `batched(fn)` (from `neurolib.optimize`) turns `fn(outputs, params)` into an evaluation function for which the
# search integrates the individuals of a generation together (`model.run_batch`), in one compiled call per
# batch. `fn` gets what a run would leave in `model.outputs` and the individual's parameters. The individuals and
# their fitness are exactly those of the classic evolution above.


# %%
def fit(outputs, params):
    error, stored = frequency_error(outputs["t"], outputs["rates_exc"], params["dt"])
    return (error,), stored


fast = Evolution(
    batched(fit),
    space,
    model=model,
    weightList=[-1.0],
    filename="fit_25hz_batched.hdf",
    ncores=1,
    seed=7,
    resume=False,
    **sizes,
)
start = time.perf_counter()
fast.run()
batched_s = time.perf_counter() - start
same = np.allclose(fast.dfEvolution().score, history.score, equal_nan=True)
print(f"classic {classic_s:.1f} s, batched {batched_s:.1f} s; same individuals and scores: {same}")

# %% [markdown]
# ## The best individual
#
# Finally we set the model to the best parameters and look at its activity.

# %%
model.params.update(best.params)
model.run()
freqs, power = func.getPowerSpectrum(model.rates_exc[0, model.t > 1000], dt=model.params["dt"], maxfr=80)

fig, axes = plt.subplots(1, 2, figsize=(11, 3), gridspec_kw={"width_ratios": [2, 1]})
window = (model.t > 1500) & (model.t <= 1800)
axes[0].plot(model.t[window], model.rates_exc[0, window])
axes[0].set_xlabel("time (ms)")
axes[0].set_ylabel("E rate (Hz)")
axes[1].plot(freqs, power)
axes[1].axvline(TARGET, color="k", ls="--")
axes[1].set_xlabel("frequency (Hz)")
axes[1].set_ylabel("power")
fig.tight_layout()
save_figure(fig, "best")

# %% [markdown]
# If an evolution is interrupted (even by `kill -9`), constructing it again with the same file and settings and
# calling `run()` continues after the last completed generation; `resume=False` starts afresh. The stored
# evolution can be read back later, from any process, with `loadResults()`.
