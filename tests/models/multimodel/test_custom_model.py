"""A user-defined model built from symbolic equations, as users write them: a Jansen-Rit cortical column.

Jansen & Rit (1995), in ms and mV: three second-order synaptic kernels (pyramidal cells y0, excitatory
interneurons y1, inhibitory interneurons y2, with derivatives y3, y4, y5) and the sigmoid
``S(v) = 2 e0 / (1 + exp(r (v0 - v)))``; the column exports a relaxed rate ``r_mean`` following ``S(y1 - y2)``.
"""

import numba
import numpy as np
import pytest
import symengine as se
from jitcdde import input as system_input

from neurolib.models.multimodel import ALNNode, MultiModel, ThalamicNode
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


# ---------------------------------------------------------------------------------------------- networks of users
def _naive_network(x0, C, delay_steps, duration, dt, drive):
    """Forward Euler of coupled columns in plain numpy: node i gets sum_j C[i, j] r_j(t - d[i, j]) (constant past)."""
    p = JR_PARAMS
    S = lambda v: 2 * p["e0"] / (1 + np.exp(p["r"] * (p["v0"] - v)))  # noqa: E731
    n = len(C)
    states = [np.array(x0, dtype=float).reshape(n, 7)]
    for k in range(int(round(duration / dt))):
        x = states[-1]
        new = np.empty_like(x)
        for i in range(n):
            coupling = sum(C[i, j] * states[max(len(states) - 1 - delay_steps[i, j], 0)][j, 6] for j in range(n))
            y0, y1, y2, y3, y4, y5, rate = x[i]
            drv = p["p"] + coupling + drive[i, k]
            d = [
                y3,
                y4,
                y5,
                p["A"] * p["a"] * S(y1 - y2) - 2 * p["a"] * y3 - p["a"] ** 2 * y0,
                p["A"] * p["a"] * (drv + 0.8 * p["C"] * S(p["C"] * y0)) - 2 * p["a"] * y4 - p["a"] ** 2 * y1,
                p["B"] * p["b"] * 0.25 * p["C"] * S(0.25 * p["C"] * y0) - 2 * p["b"] * y5 - p["b"] ** 2 * y2,
                -p["lambda"] * (rate - S(y1 - y2)),
            ]
            new[i] = x[i] + dt * np.array(d)
        states.append(new)
    return np.array(states[1:])  # (time, node, variable)


def test_user_network_equals_naive_euler():
    """A 2-node network of the user-defined mass, built from equations only, against plain numpy to 1e-10."""
    C = np.array([[0.0, 30.0], [12.0, 0.0]])
    D = np.array([[0.0, 4.0], [2.5, 0.0]])  # ms: 40 and 25 steps of 0.1 ms
    model = MultiModel(JansenRitNetwork(C, D))
    model.params.update(duration=300.0, dt=0.1, sampling_dt=0.1)
    steps = 3000
    drive = np.vstack([0.05 * np.sin(np.arange(steps) * 0.01), np.zeros(steps)])
    x0 = np.array([[0.01, 15.0, 10.0, 0.0, 0.0, 0.0, 0.001], [0.02, 12.0, 9.0, 0.1, 0.0, 0.0, 0.002]])
    model.model_instance.initial_state = x0.ravel()
    model.run(noise_input=drive)
    ref = _naive_network(x0, C, np.round(D / 0.1).astype(int), 300.0, 0.1, drive)
    for name, k in (("r_mean_EXC", 6),):
        scale = np.abs(ref[:, :, k]).max()
        np.testing.assert_allclose(model[name], ref[:, :, k].T, rtol=0, atol=1e-10 * scale)
    assert not np.allclose(model.r_mean_EXC[0], model.r_mean_EXC[1])  # the drive and the coupling act


def _gradients(oc, control, h):
    """The adjoint gradient of ``oc``'s cost at ``control`` (per step) and its central finite differences."""

    def cost(c):
        oc.control = c
        oc.update_input()
        oc.simulate_forward()
        return oc.compute_total_cost()

    cost(control)
    grad = oc.compute_gradient() * oc.dt
    fd = np.zeros_like(control)
    for idx in np.ndindex(control.shape):
        up, down = control.copy(), control.copy()
        up[idx] += h
        down[idx] -= h
        fd[idx] = (cost(up) - cost(down)) / (2 * h)
    return grad, fd


def test_user_network_is_controlled():
    """Optimal control of the user-defined network: its step Jacobians come from the equations above (nothing written
    for it), so the adjoint gradient equals central finite differences of the cost (measured: 1e-10 relative)."""
    import contextlib
    import io

    from neurolib.control.optimal_control.oc_multimodel import OcMultiModel

    model = MultiModel(JansenRitNetwork(np.array([[0.0, 30.0], [12.0, 0.0]]), np.array([[0.0, 0.4], [0.25, 0.0]])))
    model.params.update(duration=3.0, dt=0.1)
    model.model_instance.initial_state = np.array([0.01, 15.0, 10.0, 0.0, 0.0, 0.0, 0.001] * 2)
    T = 31
    target = np.full((2, 1, T), 0.002)  # the network's output: r_mean_EXC
    with contextlib.redirect_stdout(io.StringIO()):
        oc = OcMultiModel(model, target, weights={"w_p": 1.0, "w_2": 1e-3})
    assert oc.dynamics.input_vars == ("JRmass.input_0",)
    control = 50.0 * np.random.default_rng(2).standard_normal((2, 1, T))

    grad, fd = _gradients(oc, control, h=1e-3)
    assert np.abs(grad - fd).max() <= 1e-4 * np.abs(fd).max()


def test_heterogeneous_network_is_controlled():
    """ALN nodes and a thalamic node (13 and 17 variables): each node's state is laid out with the outputs first,
    then its other variables, zero-padded; the adjoint gradient equals finite differences (measured: 1e-10)."""
    import contextlib
    import io

    from neurolib.control.optimal_control.oc_multimodel import OcMultiModel
    from neurolib.errors import ParameterError

    model = _thalamocortical(seed=1)
    model.params["*input*sigma"] = 0.0
    model.params["duration"] = 100.0
    model.run()
    model.model_instance.initial_state = model._last_history[:, -1].copy()
    model.params["duration"] = 2.0
    T = 21
    with contextlib.redirect_stdout(io.StringIO()):
        oc = OcMultiModel(model, np.zeros((4, 2, T)), weights={"w_p": 1.0, "w_2": 0.1})
    assert oc.dynamics.state_vars[:3] == ("r_mean_EXC", "r_mean_INH", "state_2") and len(oc.dynamics.state_vars) == 17
    oc.target = oc.get_xs() * 1.05 + 0.001
    control = 0.1 * np.random.default_rng(0).standard_normal((4, 2, T))

    grad, fd = _gradients(oc, control, h=1e-5)
    assert np.all(oc.adjoint_state[:3, 13:] == 0.0)  # the ALN nodes' padding
    assert np.abs(grad - fd).max() <= 1e-4 * np.abs(fd).max()
    model.output_vars = ["r_mean_EXC", "I_mu_EXC"]  # a variable of the ALN nodes only
    with pytest.raises(ParameterError, match="every output in every node; node 3 has no"):
        OcMultiModel(model, np.zeros((4, 2, T)))


class ThalamoCorticalNetwork(Network):
    """ALN nodes on a connectome plus one thalamic node: the cortex drives both thalamic populations, the
    thalamo-cortical relay cells drive the excitatory populations of the cortex."""

    name = "thalamocortical network"
    label = "TCnet"
    sync_variables = ["network_exc_exc", "network_exc_exc_sq", "network_inh_exc"]
    default_output = "r_mean_EXC"
    output_vars = ["r_mean_EXC", "r_mean_INH"]

    def __init__(self, cortex, cortex_delays, to_thalamus, from_thalamus, thalamic_delay):
        n = len(cortex)
        nodes = [ALNNode(exc_seed=i, inh_seed=10 + i) for i in range(n)] + [ThalamicNode()]
        C = np.zeros((n + 1, n + 1))
        C[:n, :n], C[n, :n], C[:n, n] = cortex, to_thalamus, from_thalamus
        D = np.full((n + 1, n + 1), float(thalamic_delay))
        D[:n, :n] = cortex_delays
        np.fill_diagonal(D, 0.0)
        state, channel = 0, 0
        for i, node in enumerate(nodes):
            node.index, node.idx_state_var = i, state
            for mass in node:
                mass.noise_input_idx = list(range(channel, channel + mass.num_noise_variables))
                channel += mass.num_noise_variables
            state += node.num_state_variables
        super().__init__(nodes, C, D)

    def _sync(self):
        exc = [next(iter(node.all_couplings(mass_indices=node.excitatory_masses.tolist()))) for node in self]
        C = self.connectivity
        to_trn = np.zeros_like(C)
        to_trn[-1] = C[-1]
        return (
            self._additive_coupling(exc, "network_exc_exc")
            + self._additive_coupling(exc, "network_exc_exc_sq", connectivity=C * C)
            + self._additive_coupling(exc, "network_inh_exc", connectivity=to_trn)
            + super()._sync()
        )


def _thalamocortical(seed):
    cortex = np.array([[0.0, 0.4, 0.1], [0.3, 0.0, 0.2], [0.1, 0.5, 0.0]])
    delays = np.array([[0.0, 3.0, 6.0], [3.0, 0.0, 4.5], [6.0, 4.5, 0.0]])
    model = MultiModel(ThalamoCorticalNetwork(cortex, delays, [0.02, 0.02, 0.01], [0.3, 0.2, 0.1], 5.0))
    model.params.update(duration=200.0, dt=0.1, sampling_dt=0.1, seed=seed)
    model.params["*ALNMass*input*sigma"] = 0.05
    model.params["*TCR*input*sigma"] = 0.005
    return model


def test_thalamocortical_network_with_noise():
    """Heterogeneous network (ALN + thalamus, coupled both ways) with noise: chunkwise == one run bitwise, the same
    seed gives the same output, another seed another one."""
    model = _thalamocortical(seed=7)
    assert model.params["*TCR*input*sigma"] and model.params["TCnet.connectivity"].shape == (4, 4)
    model.run()
    whole = {name: model[name].copy() for name in ("r_mean_EXC", "r_mean_INH")}
    assert whole["r_mean_EXC"].shape == (4, 2000) and np.all(np.isfinite(whole["r_mean_EXC"]))
    assert np.std(np.diff(whole["r_mean_EXC"][0])) > 0  # noisy
    model.run(chunkwise=True, chunksize=333, append_outputs=True)
    for name, arr in whole.items():
        np.testing.assert_array_equal(model[name], arr)
    again = _thalamocortical(seed=7)
    again.run()
    np.testing.assert_array_equal(again.r_mean_EXC, whole["r_mean_EXC"])
    other = _thalamocortical(seed=8)
    other.run()
    assert not np.array_equal(other.r_mean_EXC, whole["r_mean_EXC"])
    # the thalamus feeds the cortex: without its efferent weights the cortical output changes
    model.params["TCnet.connectivity"] = np.where(np.arange(4) == 3, 0.0, model.params["TCnet.connectivity"])
    model.run()
    assert not np.array_equal(model.r_mean_EXC[:3], whole["r_mean_EXC"][:3])


class GuardedMass(NeuralMass):
    """``dx/dt = x / q`` only where ``q > 0`` (else ``-x``): the division must stay behind its guard."""

    name = "guarded"
    label = "GDmass"
    mass_type = EXC
    num_state_variables = 1
    num_noise_variables = 1
    state_variable_names = ["x"]
    coupling_variables = {0: "x"}
    required_params = ["q"]
    _noise_input = [ZeroInput()]

    def __init__(self):
        super().__init__({"q": 0.0})

    def _derivatives(self, coupling_variables):
        (x,) = self._unwrap_state_vector()
        q = self.params["q"]
        return [se.Piecewise((x / q, se.Gt(q, 0)), (-x, True)) + system_input(self.noise_input_idx[0])]


class GuardedNode(Node):
    name = "guarded node"
    label = "GDnode"
    default_output = "x"
    output_vars = ["x"]

    def __init__(self):
        mass = GuardedMass()
        mass.index = 0
        super().__init__([mass])

    def _sync(self):
        return []


def test_piecewise_guard_is_kept():
    """The kernel computes parameter-only terms once per run, but never moves one out of a Piecewise branch."""
    model = MultiModel.init_node(GuardedNode())
    model.params["duration"] = 10.0
    model.model_instance.initial_state = [1.0]
    model.run()  # q = 0: 1 / q must not be evaluated
    np.testing.assert_allclose(model.x[0, -1], 0.9**100, rtol=1e-12)
