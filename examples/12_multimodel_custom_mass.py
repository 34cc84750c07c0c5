# %% [markdown]
# # MultiModel: a neural mass of your own
#
# With MultiModel, a new model is a few lines of symbolic equations. We write a firing-rate population with
# spike-frequency adaptation:
#
# $$\tau \dot r = -r + F(w r - a + I + c), \qquad \tau_a \dot a = -a + b r,
# \qquad F(u) = \frac{1}{1 + e^{-g (u - \theta)}}$$
#
# where `r` is the rate (normalised to 0..1), `a` the adaptation, `I` a constant drive and `c` the input from
# other nodes. Strong recurrent excitation `w` and slow adaptation make the population switch between an active
# and a silent state, a few times per second. We build a mass, a node and a network from it, run them, and
# explore two parameters with `BoxSearch`.

# %%
import matplotlib.pyplot as plt
import numpy as np
import symengine as se
from jitcdde import input as system_input

from neurolib.models.multimodel import MultiModel, NeuralMass
from neurolib.models.multimodel.builder.base.network import Network, Node
from neurolib.optimize.exploration import BoxSearch
from neurolib.utils.devutils import save_figure, short
from neurolib.utils.parameterSpace import ParameterSpace
from neurolib.utils.stimulus import OrnsteinUhlenbeckProcess

# %% [markdown]
# ## The mass
#
# A `NeuralMass` subclass declares its state variables, which of them other masses may read
# (`coupling_variables`), which coupling symbols its equations need (`required_couplings`), its parameters and
# its input channels (one Ornstein-Uhlenbeck process here, silent by default). `_derivatives` returns the
# right-hand sides, built from `self._unwrap_state_vector()` (symbols for the current state),
# `coupling_variables[...]` and `system_input(k)` (the value of input channel `k`). Times are in ms.

# %%
RATE_ADAPTATION_PARAMS = {
    "tau": 10.0,  # ms
    "tau_a": 200.0,  # ms
    "w": 6.0,  # recurrent excitation
    "b": 12.0,  # adaptation strength
    "drive": 2.0,  # constant input I
    "theta": 2.0,  # threshold of F
    "gain": 1.5,  # slope of F
}


class RateAdaptationMass(NeuralMass):
    name = "rate population with adaptation"
    label = "RAmass"
    mass_type = "EXC"
    num_state_variables = 2
    num_noise_variables = 1
    state_variable_names = ["r", "adapt"]
    coupling_variables = {0: "r"}
    required_couplings = ["network_r"]
    required_params = list(RATE_ADAPTATION_PARAMS)
    _noise_input = [OrnsteinUhlenbeckProcess(0.0, 0.0, 5.0)]  # mu, sigma, tau (ms): silent by default

    def __init__(self, params=None, seed=None):
        super().__init__(params=dict(params or RATE_ADAPTATION_PARAMS), seed=seed)

    def _initialize_state_vector(self):
        rng = np.random.default_rng(self.seed)
        self.initial_state = [float(rng.uniform(0.0, 1.0)), float(rng.uniform(0.0, 10.0))]

    def _derivatives(self, coupling_variables):
        r, adapt = self._unwrap_state_vector()
        p = self.params
        u = p["w"] * r - adapt + p["drive"] + coupling_variables["network_r"] + system_input(self.noise_input_idx[0])
        rate_function = 1.0 / (1.0 + se.exp(-p["gain"] * (u - p["theta"])))
        return [(rate_function - r) / p["tau"], (p["b"] * r - adapt) / p["tau_a"]]


# %% [markdown]
# ## The node and the network
#
# A `Node` groups masses (one here, so there is nothing to couple inside it: `_sync` returns an empty list) and
# says which variables are outputs. A `Network` places nodes on a connectivity matrix `[to, from]` with delays
# (ms); `default_coupling` makes `network_r` of every node the weighted sum of the delayed rates of the others.


# %%
class RateAdaptationNode(Node):
    name = "rate node with adaptation"
    label = "RAnode"
    default_network_coupling = {"network_r": 0.0}
    default_output = "r"
    output_vars = ["r", "adapt"]

    def __init__(self, params=None, seed=None):
        mass = RateAdaptationMass(params, seed)
        mass.index = 0
        super().__init__(neural_masses=[mass])

    def _sync(self):
        return []


class RateAdaptationNetwork(Network):
    name = "rate network with adaptation"
    label = "RAnet"
    sync_variables = ["network_r"]
    default_coupling = {"network_r": "additive"}
    default_output = "r"
    output_vars = ["r", "adapt"]

    def __init__(self, connectivity, delays, seed=0):
        nodes = [RateAdaptationNode(seed=seed + k) for k in range(len(connectivity))]
        self.coupling_symbols = {"r": 0}  # the coupled variable is the first of each node
        super().__init__(nodes=nodes, connectivity_matrix=connectivity, delay_matrix=delays)


# %% [markdown]
# ## One node
#
# `MultiModel.init_node(node)` wraps a node as a model with the usual `params`, `run()` and outputs.

# %%
node = MultiModel.init_node(RateAdaptationNode(seed=0))
node.params["backend"] = "numba"
node.params["sampling_dt"] = 1.0  # ms
node.params["duration"] = short(3000, 2000)  # ms
node.run()
print(node.r.shape, list(node.params)[:3])

# %% [markdown]
# ## A ring of four nodes
#
# Each node is connected to its two neighbours with weight 0.5 and a delay of 10 ms. The nodes start from
# different random states and receive a little independent noise (the `sigma` and `seed` of their input
# processes). Uncoupled, they oscillate out of step; coupled, they fall into step.

# %%
ring = np.array([[0, 1, 0, 1], [1, 0, 1, 0], [0, 1, 0, 1], [1, 0, 1, 0]], dtype=float)
net = MultiModel(RateAdaptationNetwork(0.5 * ring, np.full((4, 4), 10.0)))
net.params["backend"] = "numba"
net.params["sampling_dt"] = 1.0  # ms
net.params["duration"] = short(3000, 2000)  # ms
net.params["*RAmass*input*sigma"] = 0.05
for k in range(4):
    net.params[f"RAnet.RAnode_{k}.RAmass_0.input_0.seed"] = k  # independent noise for each node

fig, axes = plt.subplots(3, 1, figsize=(9, 6), sharex=True)
axes[0].plot(node.t, node.r[0], color="k")
axes[0].set_title("one node", fontsize=10)
for ax, weight in zip(axes[1:], (0.0, 0.5)):
    net.params["RAnet.connectivity"] = weight * ring
    net.run()
    ax.plot(net.t, net.r.T, lw=1)
    ax.set_title(f"ring of four nodes, coupling weight {weight}", fontsize=10)
for ax in axes:
    ax.set_ylabel("r")
axes[-1].set_xlabel("time (s)")
fig.tight_layout()
save_figure(fig, "rates")

# %% [markdown]
# ## Exploring a custom model
#
# `BoxSearch` and `Evolution` work with MultiModels. Parameter names may be star patterns, which set every
# matching parameter, with `allow_star_notation=True`. Here we measure the period of the node's oscillation for a
# few values of the adaptation strength `b` and of the drive.


# %%
def period(traj):
    model = search.getModelFromTraj(traj)
    model.run()
    active = model.r[0, model.t > 0.5] > 0.5  # after 0.5 s (the time axis is in s)
    onsets = np.flatnonzero(np.diff(active.astype(int)) == 1)
    value = float(np.diff(onsets).mean()) * model.params["sampling_dt"] if len(onsets) > 1 else np.nan
    search.saveToPypet({"period_ms": value}, traj)


space = ParameterSpace(
    {"*RAmass*b": [8.0, 12.0, 16.0], "*RAmass*drive": [2.0, 3.0]}, kind="grid", allow_star_notation=True
)
search = BoxSearch(node, space, evalFunction=period, filename="rate_adaptation.hdf", ncores=1)
search.run()
search.loadResults()
print(search.dfResults.drop(columns="nonfinite").round(1))

# %% [markdown]
# Where the node does not oscillate, the period is NaN, and `dfResults` flags the run in its `nonfinite` column.
# Stronger drive shortens the silent phase and hence the period.
