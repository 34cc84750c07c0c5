# %% [markdown]
# # MultiModel: a thalamocortical motif
#
# The native models put the same kind of node everywhere. `MultiModel` (`neurolib.models.multimodel`) builds
# networks from *different* nodes, each made of one or more neural masses whose equations are written
# symbolically. Here we couple a cortical ALN node (excitatory and inhibitory populations with adaptation) with a
# thalamic node (thalamocortical relay cells, TCR, and the reticular nucleus, TRN) in both directions, with a
# conduction delay of 13 ms.
#
# MultiModel needs the optional dependencies `symengine`, `sympy`, `jitcdde` and `chspy`.

# %%
import matplotlib.pyplot as plt
import numpy as np

from neurolib.models.multimodel import ALNNode, MultiModel, ThalamicNode
from neurolib.models.multimodel.builder.base.network import Network
from neurolib.utils.devutils import save_figure, short

# %% [markdown]
# ## A network of two different nodes
#
# A `Network` subclass lists its nodes and says how they are coupled. Each node reads named coupling symbols:
# the ALN excitatory mass reads `network_exc_exc` (and `network_exc_exc_sq`, the same with squared weights, for
# the input variance), the TCR mass reads `network_exc_exc` and the TRN mass `network_inh_exc`. `_sync()` defines
# them, for every node, as sums of the delayed excitatory rates of the other nodes weighted by the connectivity
# `[to, from]`; `all_couplings` tells where the excitatory rate sits inside each node.


# %%
class ThalamoCorticalMotif(Network):
    name = "thalamocortical motif"
    label = "TCNet"
    sync_variables = ["network_exc_exc", "network_exc_exc_sq", "network_inh_exc"]
    default_output = "r_mean_EXC"
    output_vars = ["r_mean_EXC", "r_mean_INH"]

    def __init__(self, connectivity, delays):
        cortex = ALNNode(exc_seed=0, inh_seed=1)
        thalamus = ThalamicNode()
        super().__init__(nodes=[cortex, thalamus], connectivity_matrix=connectivity, delay_matrix=delays)

    def _sync(self):
        rate = [next(iter(node.all_couplings(mass_indices=node.excitatory_masses.tolist()))) for node in self]
        weights = self.connectivity
        return (
            self._additive_coupling(rate, "network_exc_exc")
            + self._additive_coupling(rate, "network_exc_exc_sq", connectivity=weights * weights)
            + self._additive_coupling(rate, "network_inh_exc")
            + super()._sync()
        )


delays = np.array([[0.0, 13.0], [13.0, 0.0]])  # ms
model = MultiModel(ThalamoCorticalMotif(np.zeros((2, 2)), delays))
print(model.default_output, model.output_vars)

# %% [markdown]
# ## Parameters
#
# The parameters of a MultiModel are flat, dotted keys: network label, node, mass, parameter. Patterns with `*`
# read or set all matching keys at once (a pattern must not contain a dot). The background input of each mass is
# an input process whose mean `mu` plays the role of `mue_ext_mean` / `mui_ext_mean` of the native ALN model.

# %%
print(model.params["*ALNMassEXC*input*mu"])
model.params["*ALNMassEXC*input*mu"] = 2.5  # mV/ms
model.params["*ALNMassINH*input*mu"] = 0.5  # mV/ms

# %% [markdown]
# Two integrators are available: `"jitcdde"` (adaptive steps, compiled C code) and `"numba"` (Euler steps of
# `dt` ms, compiled once; parameter values are passed in, so changing them needs no recompilation). The thalamic
# model needs a small step. The output time axis of a MultiModel is in **seconds** and its rates are in kHz.

# %%
model.params["backend"] = "numba"
model.params["dt"] = 0.01  # ms
model.params["sampling_dt"] = 1.0  # ms
model.params["duration"] = short(6000, 2000)  # ms

runs = {}
for label, (to_cortex, to_thalamus) in {"uncoupled": (0.0, 0.0), "coupled": (0.02, 0.15)}.items():
    model.params["TCNet.connectivity"] = np.array([[0.0, to_cortex], [to_thalamus, 0.0]])
    model.run()
    runs[label] = model.r_mean_EXC * 1000  # Hz
print("time axis:", model.t[:3], "s; rates:", runs["coupled"].shape, "(nodes x samples)")

# %%
fig, axes = plt.subplots(2, 1, figsize=(9, 5), sharex=True)
for ax, node, name in zip(axes, (0, 1), ("cortex (ALN, E)", "thalamus (TCR)")):
    for label, rates in runs.items():
        ax.plot(model.t, rates[node], label=label, lw=1)
    ax.set_ylabel("rate (Hz)")
    ax.set_title(name, fontsize=10)
axes[0].legend(loc="upper right")
axes[-1].set_xlabel("time (s)")
fig.tight_layout()
save_figure(fig, "rates")

# %% [markdown]
# Uncoupled, both nodes oscillate on their own. Coupled, the cortex receives the thalamic bursts 13 ms later and
# its rhythm changes, while the thalamic rhythm changes little.
#
# The same model runs in a `BoxSearch` or an `Evolution`: star patterns work as parameter names with
# `ParameterSpace(..., allow_star_notation=True)` (see example 12).
