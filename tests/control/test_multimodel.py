"""Optimal control of MultiModel networks (``OcMultiModel``): step Jacobians generated from the symbolic equations.

Two delay-coupled networks of two nodes, Wilson-Cowan and ALN, settled, with deterministic input processes (fixed
seed). The control is added to every node's input channels. Measured (this file's cases): adjoint vs central finite
differences, max abs error / max |gradient|: WC 1.7e-10, ALN 3.6e-8 (the ALN tables' slopes come from differences);
tasks, final / initial cost after 100 iterations: WC 3.9e-7, ALN 2.0e-3 (initial costs 3.6 and 3.6); noisy WC
(sigma 0.01, M = 4, 5 iterations): validation cost 3.64 -> 0.011.
"""

import numpy as np
import pytest

from neurolib.control.optimal_control.oc_multimodel import OcMultiModel
from neurolib.errors import ParameterError
from neurolib.models.multimodel import (
    ALNNetwork,
    ALNNode,
    FitzHughNagumoNetwork,
    HopfNetwork,
    MultiModel,
    ReducedWongWangNetwork,
    ThalamicNode,
    WilsonCowanNetwork,
    WongWangNetwork,
)

from .helpers import fd_gradient, quiet

CMAT = np.array([[0.0, 1.0], [0.5, 0.0]])
DELAYS = np.array([[0.0, 0.4], [0.6, 0.0]])  # ms: 4 and 6 steps
NETWORKS = {"wc": WilsonCowanNetwork, "aln": ALNNetwork}


def settled(kind, duration, settle_ms=200.0):
    """A two-node network whose initial state is the end of a 200 ms run, seeded (its input processes are fixed)."""
    model = MultiModel(NETWORKS[kind](CMAT, DELAYS))
    model.params["seed"] = 3
    model.params["duration"] = settle_ms
    model.run()
    model.model_instance.initial_state = model._last_history[:, -1].copy()
    model.params["duration"] = duration
    return model


def n_times(model):
    return int(round(model.params["duration"] / model.params["dt"])) + 1


def sine(model, amp):
    """(nodes, channels, T): a sine of one period on channel 0 of every node (first and last column 0)."""
    T = n_times(model)
    u = np.zeros((2, 2, T))
    t = np.arange(T) * model.params["dt"]
    u[:, 0, 1:-1] = amp * np.sin(2 * np.pi * t[1:-1] / model.params["duration"])
    return u


def outputs_of(model, control):
    """Outputs (nodes, outputs, T) of a run with ``control`` added to the inputs."""
    oc = quiet(OcMultiModel, model, np.zeros((2, len(model.output_vars), n_times(model))))
    oc.control = control
    oc.update_input()
    oc.simulate_forward()
    return oc.get_xs()


@pytest.mark.parametrize("kind, scale", [("wc", 0.3), ("aln", 0.2)])
def test_adjoint_gradient_matches_finite_differences(kind, scale):
    model = settled(kind, duration=3.0)
    target = outputs_of(model, sine(model, 2 * scale))
    control = scale * np.random.default_rng(7).standard_normal((2, 2, n_times(model)))
    oc = quiet(OcMultiModel, model, target, weights={"w_p": 1.0, "w_2": 0.1, "w_1D": 0.01})
    oc.control = control.copy()
    oc.update_input()
    grad = oc.compute_gradient() * oc.dt
    fd = fd_gradient(oc, control, h=1e-5)
    assert np.abs(fd).max() > 0
    err = np.abs(grad - fd).max() / np.abs(fd).max()
    assert err <= 1e-4, f"{kind}: adjoint vs finite differences, relative error {err:.2e}"


@pytest.mark.parametrize("kind, amp", [("wc", 1.0), ("aln", 1.0)])
def test_recovers_known_input(kind, amp):
    model = settled(kind, duration=10.0)
    target = outputs_of(model, sine(model, amp))
    matrix = np.array([[1.0, 0.0], [1.0, 0.0]])
    oc = quiet(OcMultiModel, model, target, control_matrix=matrix)
    quiet(oc.optimize, 100)
    ratio = oc.cost_history[-1] / oc.cost_history[0]
    assert ratio <= 0.01, f"{kind}: final / initial cost = {ratio:.3g}"
    assert np.all(oc.control[:, 1] == 0.0)
    # the model keeps the run of the final control: its outputs give the final cost
    assert oc.compute_total_cost() == pytest.approx(oc.cost_history[-1], rel=1e-12)


def test_replayed_trajectory_is_the_model_run():
    """The search integrates candidates without ``model.run()``; both give the same numbers."""
    model = settled("aln", duration=5.0)
    oc = quiet(OcMultiModel, model, np.zeros((2, 3, n_times(model))))
    oc.control = sine(model, 0.5)
    oc.update_input()
    oc.simulate_forward()
    np.testing.assert_array_equal(oc._xs_of(oc._linearize(jacobians=False)), oc.get_xs())


def test_noisy_optimisation_lowers_the_validation_cost():
    model = settled("wc", duration=10.0)
    target = outputs_of(model, sine(model, 1.0))
    model.params["*input*sigma"] = 0.01
    oc = quiet(OcMultiModel, model, target, control_matrix=np.array([[1.0, 0.0], [1.0, 0.0]]), M=4, M_validation=32)
    before = oc.compute_cost_noisy(32)
    quiet(oc.optimize, 5)
    assert oc.cost_validation < 0.75 * before


def test_bad_input():
    model = settled("wc", duration=2.0, settle_ms=1.0)
    T = n_times(model)
    with pytest.raises(ParameterError, match="target"):
        quiet(OcMultiModel, model, np.zeros((2, 2, T + 1)))
    with pytest.raises(ParameterError, match="control"):
        oc = quiet(OcMultiModel, model, np.zeros((2, 2, T)))
        oc.control = np.zeros((2, 3, T))
        quiet(oc.optimize, 1)
    with pytest.raises(ParameterError, match="OcMultiModel controls a MultiModel"):
        from neurolib.models.wc import WCModel

        OcMultiModel(WCModel(), np.zeros((1, 2, T)))
    with pytest.raises(NotImplementedError, match="native models only"):
        quiet(OcMultiModel, model, np.zeros((2, 2, T))).compute_hx()
    model.params["backend"] = "jitcdde"
    with pytest.raises(ParameterError, match="numba backend"):
        OcMultiModel(model, np.zeros((2, 2, T)))


def test_changed_input_processes_are_used():
    """The processes' draw is kept while their parameters stay; a new mean in ``oc.model.params`` is a new draw."""
    model = settled("wc", duration=5.0, settle_ms=1.0)
    oc = quiet(OcMultiModel, model, np.zeros((2, 2, n_times(model))))
    before = oc.get_xs().copy()
    oc.simulate_forward()
    np.testing.assert_array_equal(oc.get_xs(), before)  # the same draw again
    oc.model.params["WCnet.WCnode_0.WCmassEXC_0.input_0.mu"] = 0.5
    oc.simulate_forward()
    after = oc.get_xs()
    assert np.abs(after[0] - before[0]).max() > 1e-3
    np.testing.assert_array_equal(oc._xs_of(oc._linearize(jacobians=False)), after)


def test_colouring_groups_columns_without_shared_rows():
    from neurolib.control.optimal_control._mm_kernel import colour

    rng = np.random.default_rng(0)
    pattern = sorted({(int(r), int(c)) for r, c in rng.integers(0, 30, size=(200, 2))})
    groups = colour(pattern, 30, 30)
    rows = {}
    for r, c in pattern:
        rows.setdefault(c, set()).add(r)
    assert sorted(c for g in groups for c in g) == sorted(rows)  # every used column once
    for g in groups:
        seen = set()
        for c in g:
            assert not seen & rows[c]
            seen |= rows[c]
    assert len(groups) < len(rows)


BUILT_IN = {
    "hopf": lambda: MultiModel(HopfNetwork(CMAT, DELAYS)),
    "fhn": lambda: MultiModel(FitzHughNagumoNetwork(CMAT, DELAYS)),
    "ww": lambda: MultiModel(WongWangNetwork(CMAT, DELAYS)),
    "rww": lambda: MultiModel(ReducedWongWangNetwork(CMAT, DELAYS)),
    "thalamic_node": lambda: MultiModel.init_node(ThalamicNode()),
    "aln_node": lambda: MultiModel.init_node(ALNNode()),
}


@pytest.mark.parametrize("name", sorted(BUILT_IN))
def test_every_built_in_node_is_differentiated(name):
    """The other built-in MultiModel nodes (networks of two where they have one), settled, random control: the
    adjoint gradient equals finite differences (measured: 6e-11 to 2e-10; ALN node 1.7e-7; thalamus 4e-6, whose
    finite differences are the noisiest, as for the native model)."""
    model = BUILT_IN[name]()
    thalamic = name == "thalamic_node"
    model.params.update(seed=2, dt=0.01 if thalamic else 0.1, duration=20.0 if thalamic else 100.0)
    model.run()
    model.model_instance.initial_state = model._last_history[:, -1].copy()
    model.params["duration"] = 0.2 if thalamic else 2.0
    T, N = n_times(model), model.params["N"]
    oc = quiet(OcMultiModel, model, np.zeros((N, len(model.output_vars), T)), weights={"w_p": 1.0, "w_2": 0.1})
    oc.target = oc.get_xs() * 1.05 + 0.01
    control = 0.1 * np.random.default_rng(0).standard_normal((N, len(oc.dynamics.input_vars), T))
    oc.control = control.copy()
    oc.update_input()
    grad = oc.compute_gradient() * oc.dt
    fd = fd_gradient(oc, control, h=1e-5)
    assert np.abs(grad - fd).max() <= 1e-4 * np.abs(fd).max()


def test_node_templates_give_the_gradient_of_every_equation_printed(monkeypatch):
    """The Jacobian kernel writes equal nodes as one loop body and the couplings as connection loops (so its
    compile time does not grow with the network); with every equation printed instead, the gradient is the same
    (measured: 1.5e-10 relative on ten ALN nodes: the tables' slopes are numerical and rounded differently)."""
    from neurolib.control.optimal_control import _mm_kernel

    model = settled("aln", duration=3.0)
    target = outputs_of(model, sine(model, 0.4))
    control = 0.2 * np.random.default_rng(5).standard_normal((2, 2, n_times(model)))
    grads = []
    for flat in (False, True):
        if flat:
            monkeypatch.setattr(_mm_kernel, "_templated", lambda *args: None)
        oc = quiet(OcMultiModel, model, target, weights={"w_p": 1.0, "w_2": 0.1})
        oc.control = control.copy()
        oc.update_input()
        grads.append(oc.compute_gradient())
    np.testing.assert_allclose(grads[1], grads[0], rtol=0, atol=1e-8 * np.abs(grads[0]).max())


def test_larger_network():
    """Twelve Wilson-Cowan nodes on a random connectome with delays: the adjoint gradient at random entries equals
    finite differences (measured on 80 gw nodes: 1.6e-9 relative, the first gradient 1.8 s with an empty cache)."""
    rng = np.random.default_rng(1)
    N = 12
    cmat = rng.uniform(0.0, 0.5, (N, N)) * (rng.uniform(size=(N, N)) < 0.5)
    np.fill_diagonal(cmat, 0.0)
    delays = np.round(rng.uniform(0.0, 1.0, (N, N)), 1)
    model = MultiModel(WilsonCowanNetwork(cmat, delays))
    model.params.update(duration=3.0, seed=1)
    T = n_times(model)
    oc = quiet(OcMultiModel, model, np.zeros((N, 2, T)), weights={"w_p": 1.0, "w_2": 0.1})
    oc.target = oc.get_xs() * 1.1 + 0.01
    control = 0.2 * rng.standard_normal((N, 2, T))
    oc.control = control.copy()
    oc.update_input()
    grad = oc.compute_gradient() * oc.dt

    def cost(c):
        oc.control = c
        oc.update_input()
        oc.simulate_forward()
        return oc.compute_total_cost()

    h = 1e-5
    for _ in range(10):
        idx = (int(rng.integers(N)), int(rng.integers(2)), int(rng.integers(T - 1)))
        up, down = control.copy(), control.copy()
        up[idx] += h
        down[idx] -= h
        assert abs((cost(up) - cost(down)) / (2 * h) - grad[idx]) <= 1e-4 * np.abs(grad).max()


def test_nodes_with_fewer_inputs(monkeypatch):
    """A node with fewer input channels than another (here: node 1's second channel hidden): its missing channel
    is never controlled, and a control_matrix asking for it is an error."""
    from neurolib.control.optimal_control import _multimodel

    real = _multimodel._channels

    def fewer(node):
        idx, names = real(node)
        return (idx[:1], names[:1]) if node.index == 1 else (idx, names)

    monkeypatch.setattr(_multimodel, "_channels", fewer)
    model = settled("wc", duration=2.0, settle_ms=1.0)
    T = n_times(model)
    oc = quiet(OcMultiModel, model, np.zeros((2, 2, T)))
    assert oc.dynamics.input_vars == ("input_0", "input_1")
    np.testing.assert_array_equal(oc.control_matrix, [[1.0, 1.0], [1.0, 0.0]])
    oc.target = oc.get_xs() + 0.01
    quiet(oc.optimize, 3)
    assert np.all(oc.control[1, 1] == 0.0) and np.any(oc.control[1, 0] != 0.0)
    with pytest.raises(ParameterError, match=r"control_matrix\[1, 1\] is 1, but node 1 has no input 1"):
        quiet(OcMultiModel, model, np.zeros((2, 2, T)), control_matrix=np.ones((2, 2)))
