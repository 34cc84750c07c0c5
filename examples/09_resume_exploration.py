# %% [markdown]
# # Resuming an interrupted exploration
#
# Long explorations get interrupted: a job hits its time limit, a laptop goes to sleep, someone presses Ctrl-C.
# `BoxSearch` appends every finished run to a record file next to the result file the moment it is done, so
# nothing that was finished is lost, even when the process is killed with `kill -9`. Constructing the same
# search again (same file, parameter space, model parameters and run arguments) and calling `run()` continues
# with the runs that are missing.
#
# We simulate an interruption by raising `KeyboardInterrupt` (what Ctrl-C does) from the evaluation function
# after a few runs, then run the search again.

# %%
import logging
import os
import tempfile

import numpy as np

from neurolib.models.hopf import HopfModel
from neurolib.optimize.exploration import BoxSearch
from neurolib.utils.devutils import short
from neurolib.utils.parameterSpace import ParameterSpace

logging.getLogger("neurolib").setLevel(logging.INFO)  # show what the search reports
logging.basicConfig(format="%(levelname)s %(name)s: %(message)s")

# %% [markdown]
# ## A search that gets interrupted
#
# The evaluation function runs a single Hopf node and stores the amplitude of its activity. It counts its calls,
# and the first search raises `KeyboardInterrupt` in its fifth call. We run everything in this process
# (`ncores=1`) and write into a fresh temporary folder, so the example starts from scratch every time.

# %%
folder = tempfile.mkdtemp(prefix="neurolib-resume-")
filename = os.path.join(folder, "resume.hdf")  # absolute paths are used as they are

model = HopfModel(seed=1)
model.params["duration"] = short(2000, 500)  # ms
space = ParameterSpace({"a": np.linspace(-0.5, 0.5, short(20, 10))})  # 1/ms

calls = {"count": 0, "interrupt_at": 5}


def amplitude(traj):
    calls["count"] += 1
    if calls["count"] == calls["interrupt_at"]:
        raise KeyboardInterrupt
    m = search.getModelFromTraj(traj)
    m.run()
    late = m.x[0, m.t > m.params["duration"] / 2]
    search.saveToPypet({"amplitude": float(late.max() - late.min())}, traj)


search = BoxSearch(model, space, evalFunction=amplitude, filename=filename, ncores=1, progress=False)
try:
    search.run()
except KeyboardInterrupt:
    print(f"interrupted after {calls['count'] - 1} finished runs")

# %% [markdown]
# The runs finished before the interruption are on disk. `loadResults()` reads what is there (it would work from
# another process too, while the search runs); missing runs show up as NaN.

# %%
search.loadResults()
print(search.dfResults[["a", "amplitude"]].head(6))
print("runs with results:", int(search.dfResults.amplitude.notna().sum()), "of", search.nRuns)

# %% [markdown]
# ## Running it again
#
# A new `BoxSearch` with the same arguments (as after restarting the script) recognises the stored search and
# runs only the missing runs: the evaluation function is called `nRuns - 4` more times.

# %%
calls.update(count=0, interrupt_at=None)
search = BoxSearch(model, space, evalFunction=amplitude, filename=filename, ncores=1, progress=False)
search.run()
print("evaluations in the second run:", calls["count"])

search.loadResults()
print("runs with results:", int(search.dfResults.amplitude.notna().sum()), "of", search.nRuns)
print(search.dfResults[["a", "amplitude"]].round(3).to_string())

# %% [markdown]
# Below the bifurcation at `a = 0` the activity dies out; above it, the node oscillates on a circle of radius
# $\sqrt{a}$, so the peak-to-peak amplitude of `x` is $2\sqrt{a}$.
#
# Running the finished search a third time does nothing. To start a new exploration in the same file instead,
# pass `resume=False`. Runs whose evaluation raised an ordinary exception are not lost either: they are reported
# in `search.failedRuns` (with their traceback), `run()` raises `ExplorationError` at the end, and they are run
# again when the search is resumed.
