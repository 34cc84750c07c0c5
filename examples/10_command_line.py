# %% [markdown]
# # The `neurolib` command
#
# Installing neurolib also installs a command, `neurolib`, that runs any of the native models on its built-in
# defaults, with parameters changed from the command line, and writes the outputs to a netCDF file and a plot to
# a PNG file. It is handy for a first look at a model, in shell scripts and on cluster nodes.
#
# In a terminal you would type, for instance, `neurolib run hopf --plot hopf.png`. In this example we call the
# same program through `subprocess`, as `python -m neurolib.cli`, so that it runs with the Python interpreter
# (and the neurolib) of this script.

# %%
import os
import shlex
import subprocess
import sys
import tempfile

import matplotlib.image as mpimg
import matplotlib.pyplot as plt
import xarray as xr

from neurolib.utils.devutils import save_figure, short

NEUROLIB = [sys.executable, "-m", "neurolib.cli"]  # the same as the `neurolib` command
folder = tempfile.mkdtemp(prefix="neurolib-cli-")


def neurolib(arguments):
    """Run `neurolib <arguments>` in `folder`; print its output and return its exit status."""
    proc = subprocess.run([*NEUROLIB, *shlex.split(arguments)], capture_output=True, text=True, cwd=folder)
    print(proc.stdout + proc.stderr)
    return proc.returncode


# %% [markdown]
# ## Help, version and parameters
#
# `neurolib --help` lists the sub-commands, `neurolib run --help` the options of a run, and `neurolib params
# MODEL` every parameter of a model with its default, unit and meaning.

# %%
neurolib("--version")
neurolib("--help")
neurolib("run --help")

# %%
neurolib("params fhn")

# %% [markdown]
# ## A run with outputs
#
# `--duration` is in ms, `--set NAME=VALUE` changes any parameter (repeat it for several), `--seed` fixes the
# random initial state and the noise, `--out` writes all outputs to compressed netCDF and `--plot` draws the
# default output. The command prints a short summary of the run.

# %%
duration = short(5000, 2000)  # ms
status = neurolib(f"run fhn --duration {duration} --seed 1 --set sigma_ou=0.02 --out fhn.nc --plot fhn.png")
print("exit status:", status)

# %% [markdown]
# The netCDF file opens with xarray: one variable per output with the dimensions `space` (node) and `time` (ms),
# and the scalar parameters of the run as attributes.

# %%
with xr.open_dataset(os.path.join(folder, "fhn.nc")) as data:
    print(data)
    print("sigma_ou of the run:", data.attrs["sigma_ou"])

# %% [markdown]
# ## A network with BOLD
#
# `--dataset gw` couples 80 nodes through the connectome of the `gw` dataset, and `--bold` adds the BOLD signal
# (one sample every 2 s). To keep the file small we store one sample per ms instead of one per integration step,
# with the parameter `sampling_dt` (ms).

# %%
duration = short(60000, 6000)  # ms
neurolib(
    f"run wc --duration {duration} --dataset gw --set K_gl=1.5 --set sigma_ou=0.01 --set sampling_dt=1.0 "
    "--bold --quiet --out wc.nc --plot wc.png"
)

fig, ax = plt.subplots(figsize=(9, 5))
ax.imshow(mpimg.imread(os.path.join(folder, "wc.png")))
ax.axis("off")
save_figure(fig, "wc-plot")

# %% [markdown]
# ## Errors
#
# A usage error, such as a misspelt parameter name, stops the command before anything is simulated, with exit
# status 2 and a message that suggests the closest valid name. A failure during the run or while writing the
# results gives exit status 1.

# %%
status = neurolib("run wc --set sigma_uo=0.01")
print("exit status:", status)
