# %% [markdown]
# # Optimal control of a model you wrote yourself
#
# Optimal control needs the derivatives of a model's equations. For the native models they are derived from each
# model's kernel; for a MultiModel they are derived from its symbolic equations, so a neural mass you have just
# written can be controlled at once, with exact gradients and nothing else to write.
#
# We write a firing-rate population with a sigmoid transfer function,
#
# $$\tau \dot r = -r + F(w r + I + c + u), \qquad F(x) = \frac{1}{1 + e^{-g (x - \theta)}},$$
#
# where `I` is a constant drive, `c` the input from other nodes and `u` the value of the node's input channel (what
# the control acts on). Two such nodes are connected one way, 0 -> 1, with a 2 ms delay. As in the
# [network example](14_oc_network.md), we may only act on node 0 and want node 1 to follow a given trajectory,
# which we make ourselves by driving node 0 with a pulse.

# %%
import numpy as np
import symengine as se
from jitcdde import input as system_input

from neurolib.control.optimal_control.oc_multimodel import OcMultiModel
from neurolib.models.multimodel import MultiModel, NeuralMass
from neurolib.models.multimodel.builder.base.network import Network, Node
from neurolib.utils.devutils import save_figure, short
from neurolib.utils.plot_oc import plot_oc_network
from neurolib.utils.stimulus import ZeroInput

# %% [markdown]
# ## The model
#
# A mass with one state variable and one input channel, a node holding it, and a network with additive coupling of
# the rates (see the [custom mass example](12_multimodel_custom_mass.md) for what each declaration means).

# %%
RATE_PARAMS = {"tau": 5.0, "w": 4.0, "drive": -1.0, "theta": 1.0, "gain": 2.0}  # tau in ms


class RateMass(NeuralMass):
    name = "sigmoid rate population"
    label = "RATEmass"
    mass_type = "EXC"
    num_state_variables = 1
    num_noise_variables = 1
    state_variable_names = ["r"]
    coupling_variables = {0: "r"}
    required_couplings = ["network_r"]
    required_params = list(RATE_PARAMS)
    _noise_input = [ZeroInput()]

    def __init__(self, params=None, seed=None):
        super().__init__(params=dict(params or RATE_PARAMS), seed=seed)

    def _initialize_state_vector(self):
        self.initial_state = [0.05]

    def _derivatives(self, coupling_variables):
        (r,) = self._unwrap_state_vector()
        p = self.params
        x = p["w"] * r + p["drive"] + coupling_variables["network_r"] + system_input(self.noise_input_idx[0])
        return [(1.0 / (1.0 + se.exp(-p["gain"] * (x - p["theta"]))) - r) / p["tau"]]


class RateNode(Node):
    name = "rate node"
    label = "RATEnode"
    default_network_coupling = {"network_r": 0.0}
    default_output = "r"
    output_vars = ["r"]

    def __init__(self):
        mass = RateMass()
        mass.index = 0
        super().__init__(neural_masses=[mass])

    def _sync(self):
        return []


class RateNetwork(Network):
    name = "rate network"
    label = "RATEnet"
    sync_variables = ["network_r"]
    default_output = "r"
    output_vars = ["r"]

    def __init__(self, connectivity, delays):
        nodes = []
        for i in range(len(connectivity)):
            node = RateNode()
            node.index, node.idx_state_var = i, i
            node[0].noise_input_idx = [i]
            nodes.append(node)
        super().__init__(nodes, connectivity, delays)

    def _sync(self):
        return self._additive_coupling(within_node_idx=0, symbol="network_r") + super()._sync()


cmat = np.array([[0.0, 0.0], [3.0, 0.0]])  # [to, from]: node 1 receives from node 0
delays = np.array([[0.0, 0.0], [2.0, 0.0]])  # ms
model = MultiModel(RateNetwork(cmat, delays))
duration = 60.0  # ms
model.params["duration"] = duration
dt = model.params["dt"]
T = round(duration / dt) + 1  # time points of the control, the initial state included
t = np.arange(T) * dt

# %% [markdown]
# ## The target
#
# The control is added to the nodes' input channels and has the shape (nodes, channels per node, T). A pulse of
# 15 ms on node 0's channel makes the target; `OcMultiModel` itself runs the model with it.

# %%
pulse = np.zeros((2, 1, T))
pulse[0, 0, (t >= 10.0) & (t < 25.0)] = 1.5
probe = OcMultiModel(model, np.zeros((2, 1, T)))
probe.control = pulse
probe.update_input()
probe.simulate_forward()
target = probe.get_xs()  # (nodes, outputs, T): the rates r of both nodes

# %% [markdown]
# ## Optimising
#
# The cost counts node 1 only (`cost_matrix`), the control acts on node 0 only (`control_matrix`), and a small
# energy weight `w_2` prefers the weakest of the inputs that give node 1 the same trajectory.

# %%
oc = OcMultiModel(
    model,
    target,
    weights={"w_p": 1.0, "w_2": 1e-3, "w_1D": 0.0},
    cost_matrix=np.array([[0.0], [1.0]]),
    control_matrix=np.array([[1.0], [0.0]]),
    print_array=[0, 100, 300],
)
oc.optimize(short(300, 60))
print(f"cost: {oc.cost_history[0]:.3g} -> {oc.cost_history[-1]:.3g} after {len(oc.cost_history) - 1} iterations")
print(f"node 1: max deviation from the target {np.abs(oc.get_xs()[1, 0] - target[1, 0]).max():.4f}")

# %% [markdown]
# `plot_oc_network` draws each node's output against the target and its control against the input that made the
# target, with the cost and step-size histories below.

# %%
fig = plot_oc_network(
    2, duration, dt, oc.get_xs(), target, oc.control, pulse, oc.cost_history, oc.step_sizes_history, (0,), (0,)
)
save_figure(fig, "control")

# %% [markdown]
# Node 1 follows the target closely. With this recurrent excitation (`w = 4`) a node is bistable: the pulse
# switches node 0 on, node 0 stays on and switches node 1 on. The control found is a short kick at the start of
# the pulse, not the whole pulse: once node 0 is on, more input changes nothing downstream, and the energy term
# prefers none. Nothing in this script tells optimal control how to differentiate the model: the step Jacobians
# were generated from `_derivatives` above.
