# ---
# jupyter:
#   jupytext:
#     formats: py:percent
# ---

# %% [markdown]
# # Showcase: fitting the ALN brain network to empirical FC and FCD
#
# The headline result of whole-brain modelling with neurolib: an evolutionary algorithm tunes six parameters of
# the 80-region ALN network (`Dataset("gw")`) so that its simulated BOLD signal reproduces the subjects' resting
# state functional connectivity (FC, the correlation between regions) and its dynamics (FCD, how FC changes over
# time). Each candidate is simulated with BOLD, and its fitness is computed inside the batch worker
# (`neurolib.optimize.batched`), so the runs are integrated in batches and only two numbers per run are stored.
#
# The full run took 32 minutes on two cores (`python examples/15_showcase_fc_fit.py`); in CI it runs in
# short mode (`NEUROLIB_EXAMPLES_SHORT=1`) with a tiny population and short simulations.

# %%
import json
import os
import time

import matplotlib.pyplot as plt
import numpy as np

from neurolib.models.aln import ALNModel
from neurolib.optimize import batched
from neurolib.optimize.evolution import Evolution
from neurolib.utils import functions as func
from neurolib.utils.devutils import save_figure, short
from neurolib.utils.loadData import Dataset
from neurolib.utils.parameterSpace import ParameterSpace

ds = Dataset("gw")
model = ALNModel(Cmat=ds.Cmat, Dmat=ds.Dmat, seed=2026)
model.params["duration"] = short(120_000.0, 30_000.0)  # ms of simulated time per candidate
TRANSIENT = 5  # BOLD samples (2 s each) dropped at the start of every run

# %% [markdown]
# The fitness of a run: the mean over subjects of the correlation between its FC and the subject's FC (to be
# maximised), and the mean Kolmogorov-Smirnov distance between the distributions of its FCD and the subject's
# FCD (to be minimised). `fit` receives the run's outputs as `model.outputs` holds them.


# %%
def fit(outputs, params):
    bold = outputs["BOLD"]["BOLD"][:, TRANSIENT:]
    if not np.isfinite(bold).all() or bold.std() == 0:
        return (np.nan, np.nan), {}
    sim_fc = func.fc(bold)
    fc_scores = [func.matrix_correlation(sim_fc, fc) for fc in ds.FCs]
    window, step = min(30, bold.shape[1] // 2), max(1, min(5, bold.shape[1] // 10))  # 60 s windows, 10 s apart
    fcd_scores = [func.ts_kolmogorov(bold, emp, windowsize=window, stepsize=step) for emp in ds.BOLDs]
    fc_mean, fcd_mean = float(np.mean(fc_scores)), float(np.mean(fcd_scores))
    return (fc_mean, fcd_mean), {"fc": fc_mean, "fcd": fcd_mean}


space = ParameterSpace(
    ["mue_ext_mean", "mui_ext_mean", "b", "tauA", "sigma_ou", "Ke_gl"],
    [[1.5, 3.5], [2.0, 4.0], [0.0, 40.0], [50.0, 500.0], [0.05, 0.3], [150.0, 400.0]],
)
evolution = Evolution(
    batched(fit, bold=True, outputs=[]),
    space,
    weightList=[1.0, -1.0],
    model=model,
    POP_INIT_SIZE=short(24, 4),
    POP_SIZE=short(12, 4),
    NGEN=short(8, 2),
    filename="showcase.hdf",
    ncores=2,
    seed=7,
)
t0 = time.time()
evolution.run()
wall = time.time() - t0

# %% [markdown]
# The best candidate, re-simulated: its FC next to the subjects' mean FC.

# %%
best = max(evolution.getValidPopulation(), key=lambda ind: ind.fitness.score)
fc_fit, fcd_fit = best.fitness.values
print(f"best: FC correlation {fc_fit:.3f} (mean over {len(ds.FCs)} subjects), FCD distance {fcd_fit:.3f}")
print("parameters:", {k: round(float(v), 4) for k, v in best.params.items()})
runs = evolution.evaluationCounter
print(f"{runs} runs of {model.params['duration'] / 1000:.0f} s each in {wall / 60:.1f} min")

model.params.update({k: float(v) for k, v in best.params.items()})
model.run(bold=True)
sim_fc = func.fc(model.BOLD.BOLD[:, TRANSIENT:])
fig, axes = plt.subplots(1, 2, figsize=(8, 4))
axes[0].imshow(sim_fc, cmap="viridis", vmin=-0.2, vmax=1)
axes[0].set_title("simulated FC (best fit)")
axes[1].imshow(np.mean(ds.FCs, axis=0), cmap="viridis", vmin=-0.2, vmax=1)
axes[1].set_title("empirical FC (subject mean)")
for ax in axes:
    ax.set_xlabel("region")
axes[0].set_ylabel("region")
save_figure(fig, "fc")

fig, ax = plt.subplots(figsize=(5, 3.5))
gens, scores = evolution.getScoresDuringEvolution(drop_first=False)
ax.plot(gens, np.nanmax(scores, axis=1), label="best")
ax.plot(gens, np.nanmean(scores, axis=1), label="mean")
ax.set_xlabel("generation")
ax.set_ylabel("score (FC - FCD)")
ax.legend()
save_figure(fig, "progress")

summary = {"fc": fc_fit, "fcd": fcd_fit, "runs": runs, "wall_s": wall, "params": best.params,
           "duration_ms": model.params["duration"]}  # fmt: skip
if os.environ.get("NEUROLIB_SHOWCASE_SUMMARY"):
    with open(os.environ["NEUROLIB_SHOWCASE_SUMMARY"], "w") as fh:
        json.dump({k: (dict(v) if isinstance(v, dict) else v) for k, v in summary.items()}, fh, indent=1,
                  default=float)  # fmt: skip
