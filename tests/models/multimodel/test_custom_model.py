"""A user-defined model built from symbolic equations, as users write them: a Jansen-Rit cortical column.

Jansen & Rit (1995), in ms and mV: three second-order synaptic kernels (pyramidal cells y0, excitatory
interneurons y1, inhibitory interneurons y2, with derivatives y3, y4, y5) and the sigmoid
``S(v) = 2 e0 / (1 + exp(r (v0 - v)))``; the column exports a relaxed rate ``r_mean`` following ``S(y1 - y2)``.
"""

import numba
import numpy as np
import symengine as se
from jitcdde import input as system_input

from neurolib.models.multimodel import MultiModel
from neurolib.models.multimodel.builder.base.constants import EXC
from neurolib.models.multimodel.builder.base.network import Network, Node
from neurolib.models.multimodel.builder.base.neural_mass import NeuralMass
from neurolib.utils.stimulus import StepInput, ZeroInput

JR_PARAMS = {
    "A": 3.25,  # mV, excitatory gain
    "B": 22.0,  # mV, inhibitory gain
    "a": 0.1,  # 1/ms, excitatory rate constant
    "b": 0.05,  # 1/ms, inhibitory rate constant
    "e0": 0.0025,  # 1/ms, half the maximal firing rate
    "v0": 6.0,  # mV, firing threshold
    "r": 0.56,  # 1/mV, sigmoid slope
    "C": 135.0,  # connectivity constant
    "p": 0.22,  # 1/ms, background input
    "lambda": 10.0,  # 1/ms
}


class JansenRitMass(NeuralMass):
    name = "Jansen-Rit column"
    label = "JRmass"
    mass_type = EXC
    num_state_variables = 7
    num_noise_variables = 1
    state_variable_names = ["y0", "y1", "y2", "y3", "y4", "y5", "r_mean_EXC"]
    coupling_variables = {6: "r_mean_EXC"}
    required_couplings = ["network_exc_exc"]
    required_params = list(JR_PARAMS)
    _noise_input = [ZeroInput()]

    def __init__(self, params=None, seed=None):
        super().__init__(params=dict(JR_PARAMS) if params is None else params, seed=seed)

    def _initialize_state_vector(self):
        self.initial_state = [0.01, 15.0, 10.0, 0.0, 0.0, 0.0, 0.001]

    def _sigmoid(self, v):
        p = self.params
        return 2.0 * p["e0"] / (1.0 + se.exp(p["r"] * (p["v0"] - v)))

    def _derivatives(self, coupling_variables):
        y0, y1, y2, y3, y4, y5, rate = self._unwrap_state_vector()
        p = self.params
        drive = p["p"] + coupling_variables["network_exc_exc"] + system_input(self.noise_input_idx[0])
        return [
            y3,
            y4,
            y5,
            p["A"] * p["a"] * self._sigmoid(y1 - y2) - 2.0 * p["a"] * y3 - p["a"] ** 2 * y0,
            p["A"] * p["a"] * (drive + 0.8 * p["C"] * self._sigmoid(p["C"] * y0))
            - 2.0 * p["a"] * y4
            - p["a"] ** 2 * y1,
            p["B"] * p["b"] * 0.25 * p["C"] * self._sigmoid(0.25 * p["C"] * y0) - 2.0 * p["b"] * y5 - p["b"] ** 2 * y2,
            -p["lambda"] * (rate - self._sigmoid(y1 - y2)),
        ]


class JansenRitNode(Node):
    name = "Jansen-Rit node"
    label = "JRnode"
    default_network_coupling = {"network_exc_exc": 0.0}
    default_output = "r_mean_EXC"
    output_vars = ["r_mean_EXC", "y1", "y2"]

    def __init__(self, params=None):
        mass = JansenRitMass(params)
        mass.index = 0
        super().__init__(neural_masses=[mass])

    def _sync(self):
        return []


class JansenRitNetwork(Network):
    name = "Jansen-Rit network"
    label = "JRnet"
    sync_variables = ["network_exc_exc"]
    default_output = "r_mean_EXC"
    output_vars = ["r_mean_EXC"]

    def __init__(self, connectivity, delays):
        nodes = []
        for i in range(len(connectivity)):
            node = JansenRitNode()
            node.index, node.idx_state_var = i, 7 * i
            node[0].noise_input_idx = [i]
            nodes.append(node)
        super().__init__(nodes, connectivity, delays)

    def _sync(self):
        return self._additive_coupling(within_node_idx=6, symbol="network_exc_exc") + super()._sync()


def _naive_node(x0, duration, dt, drive):
    """Forward Euler of one column in plain numpy (the equations above, written again)."""
    p = JR_PARAMS
    S = lambda v: 2 * p["e0"] / (1 + np.exp(p["r"] * (p["v0"] - v)))  # noqa: E731
    x = np.array(x0, dtype=float)
    out = []
    for k in range(int(round(duration / dt))):
        y0, y1, y2, y3, y4, y5, rate = x
        d = [
            y3,
            y4,
            y5,
            p["A"] * p["a"] * S(y1 - y2) - 2 * p["a"] * y3 - p["a"] ** 2 * y0,
            p["A"] * p["a"] * (p["p"] + drive[k] + 0.8 * p["C"] * S(p["C"] * y0)) - 2 * p["a"] * y4 - p["a"] ** 2 * y1,
            p["B"] * p["b"] * 0.25 * p["C"] * S(0.25 * p["C"] * y0) - 2 * p["b"] * y5 - p["b"] ** 2 * y2,
            -p["lambda"] * (rate - S(y1 - y2)),
        ]
        x = x + dt * np.array(d)
        out.append(x.copy())
    return np.array(out).T


def test_user_mass_equals_naive_euler():
    model = MultiModel.init_node(JansenRitNode())
    model.params.update(duration=300.0, dt=0.1, sampling_dt=0.1)
    model.noise_input = [StepInput(0.05, start=100.0)]
    model.run()
    drive = model.noise_input[0].as_array(300.0, 0.1)[0]
    naive = _naive_node(model.model_instance.initial_state, 300.0, 0.1, drive)
    np.testing.assert_allclose(model.y1[0], naive[1], rtol=0, atol=1e-10 * np.abs(naive[1]).max())
    np.testing.assert_allclose(model.r_mean_EXC[0], naive[6], rtol=0, atol=1e-12)
    assert model.params["*C"] == {"JRnode_0.JRmass_0.C": 135.0}


def test_user_network_with_star_parameters():
    C = np.array([[0.0, 20.0], [10.0, 0.0]])
    D = np.array([[0.0, 7.5], [7.5, 0.0]])
    model = MultiModel(JansenRitNetwork(C, D))
    model.params.update(duration=200.0)
    model.run()
    coupled = model.output.copy()
    assert coupled.shape == (2, 2000) and np.all(np.isfinite(coupled))
    model.params["JRnet.connectivity"] = np.zeros((2, 2))
    model.run()
    np.testing.assert_array_equal(model.output[0], model.output[1])  # identical uncoupled columns
    assert not np.allclose(model.output, coupled)


@numba.njit(cache=True)
def soft_threshold(v, slope):
    """A user's compiled function called from the equations (numba backend)."""
    return 1.0 / (1.0 + np.exp(-slope * v))


class ThresholdMass(NeuralMass):
    name = "threshold unit"
    label = "THmass"
    mass_type = EXC
    num_state_variables = 1
    num_noise_variables = 1
    state_variable_names = ["q"]
    coupling_variables = {0: "q"}
    required_params = ["tau", "slope"]
    python_callbacks = ["soft_threshold"]
    _noise_input = [StepInput(1.0)]

    def __init__(self):
        super().__init__({"tau": 5.0, "slope": 2.0})

    def _derivatives(self, coupling_variables):
        (q,) = self._unwrap_state_vector()
        drive = system_input(self.noise_input_idx[0])
        return [(self.callback_functions["soft_threshold"](drive, self.params["slope"]) - q) / self.params["tau"]]

    def _callbacks(self):
        return [(self.callback_functions["soft_threshold"], lambda y, v, s: soft_threshold(v, s), 2)]

    def _numba_callbacks(self):
        return [("soft_threshold", soft_threshold)]


class ThresholdNode(Node):
    name = "threshold node"
    label = "THnode"
    default_output = "q"
    output_vars = ["q"]

    def __init__(self):
        mass = ThresholdMass()
        mass.index = 0
        super().__init__([mass])

    def _sync(self):
        return []


def test_user_callback():
    model = MultiModel.init_node(ThresholdNode())
    model.params["duration"] = 200.0
    model.run()
    np.testing.assert_allclose(model.q[0, -1], 1.0 / (1.0 + np.exp(-2.0)), rtol=1e-6)


def _soft_threshold_with_state(y, v, slope):
    """The same function in jitcdde's callback convention (the state vector first), plain Python."""
    return 1.0 / (1.0 + np.exp(-slope * v))


class PlainCallbackMass(ThresholdMass):
    """Gives only jitcdde-style callbacks: the numba backend compiles them and passes the state first."""

    def _callbacks(self):
        return [(self.callback_functions["soft_threshold"], _soft_threshold_with_state, 2)]

    def _numba_callbacks(self):
        return NeuralMass._numba_callbacks(self)


def test_jitcdde_style_callback_on_numba():
    node = ThresholdNode()
    plain = PlainCallbackMass()
    plain.index = 0
    node.masses = [plain]
    model = MultiModel.init_node(node)
    model.params["duration"] = 200.0
    model.run()
    np.testing.assert_allclose(model.q[0, -1], 1.0 / (1.0 + np.exp(-2.0)), rtol=1e-6)
