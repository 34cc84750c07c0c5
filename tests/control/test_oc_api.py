"""Behaviour of the OC classes: shapes, continuation, constraints, conventions, the established array interface."""

import numpy as np
import pytest

from neurolib.control.optimal_control import oc_aln, oc_fhn, oc_hopf, oc_kuramoto, oc_thalamus, oc_wc, oc_ww
from neurolib.control.optimal_control.oc import OC, compute_gradient, solve_adjoint
from neurolib.models.fhn import FHNModel

from .helpers import MODELS, make_model, n_times, quiet, sine_input, target_of


def _fhn_case(N=1, duration=10.0):
    model = make_model("fhn", N=N, duration=duration)
    target = target_of(model, sine_input(model, [0]))
    return model, target


def test_shapes_and_continuation():
    model = FHNModel()
    model.params["duration"] = 10.0
    model.params["xs_init"] = np.array([[0.0]])
    model.params["ys_init"] = np.array([[0.0]])
    target = np.zeros((1, 2, 101))
    target[0, 0] = np.sin(np.arange(101) * 0.1)
    oc = quiet(oc_fhn.OcFhn, model, target)
    assert (oc.T, oc.N, oc.dim_in, oc.dim_out, oc.dim_vars) == (101, 1, 2, 2, 4)
    assert oc.control.shape == (1, 2, 101)
    quiet(oc.optimize, 10)
    assert oc.adjoint_state.shape == (1, 4, 101) and oc.gradient.shape == (1, 2, 101)
    assert len(oc.cost_history) == 11 and len(oc.step_sizes_history) == 10
    assert oc.cost_history[-1] < oc.cost_history[0]
    quiet(oc.optimize, 2)
    assert len(oc.cost_history) == 13
    assert oc.get_xs().shape == target.shape


def test_user_model_untouched():
    model, target = _fhn_case()
    before = {k: np.array(v, copy=True) for k, v in model.params.items() if isinstance(v, np.ndarray)}
    oc = quiet(OC, model, target)
    quiet(oc.optimize, 3)
    for k, v in before.items():
        np.testing.assert_array_equal(model.params[k], v)


def test_get_xs_starts_with_most_recent_initial_value():
    model = make_model("fhn", N=2, duration=3.0)
    S = model.getMaxDelay() + 1
    model.params["xs_init"] = np.tile(np.linspace(0.1, 0.2, S), (2, 1))
    oc = quiet(OC, model, np.zeros((2, 2, n_times(model))))
    np.testing.assert_array_equal(oc.get_xs()[:, 0, 0], 0.2)
    xd = oc.get_xs_delay()
    assert xd.shape == (2, 2, n_times(model) + S - 1)
    np.testing.assert_array_equal(xd[0, 0, -1], np.linspace(0.1, 0.2, S)[-2])  # index -1: one step before the start


@pytest.mark.parametrize(
    "init", [0.1, [0.1, 0.2], np.array([0.1, 0.2]), np.ones((2, 1)), np.ones((2, 3)), np.ones((2, 40))]
)
def test_adjust_init_histories(init):
    model = make_model("fhn", N=2, duration=3.0)
    model.params["xs_init"] = init
    oc = quiet(OC, model, np.zeros((2, 2, n_times(model))))
    assert oc.model.params["xs_init"].shape == (2, model.getMaxDelay() + 1)


def test_replayed_trajectory_equals_the_engine_run():
    for name, (_, network, _, _) in MODELS.items():
        model = make_model(name, N=2 if network else 1, duration=2.0)
        u = sine_input(model, [0], amp=0.1)
        target = target_of(model, u)
        for i, v in enumerate(model.input_vars):
            model.params[v] = u[:, i]
        oc = quiet(OC, model, target)
        xs = oc._xs_of(oc._linearize())
        np.testing.assert_array_equal(xs[:, :, 1:], oc.get_xs()[:, :, 1:], err_msg=name)


def test_energy_only_drives_control_to_zero():
    model, target = _fhn_case()
    for i, v in enumerate(model.input_vars):
        model.params[v] = sine_input(model, [0, 1], amp=0.5)[:, i]
    oc = quiet(OC, model, target, weights={"w_p": 0.0, "w_2": 1.0})
    for _ in range(5):
        quiet(oc.optimize, 100)
        if oc.zero_step_encountered:
            break
    assert np.abs(oc.control).max() < 1e-12


def test_control_matrix_interval_and_limit():
    model, target = _fhn_case(N=2)
    cm = np.array([[1.0, 0.0], [0.0, 0.0]])
    oc = quiet(OC, model, target, control_matrix=cm)
    quiet(oc.optimize, 5)
    assert np.all(oc.control[0, 1] == 0) and np.all(oc.control[1] == 0) and np.any(oc.control[0, 0] != 0)
    oc = quiet(OC, model, target, control_interval=(0, 1))
    quiet(oc.optimize, 5)
    assert np.all(oc.control[:, :, 1:] == 0)
    model.params["x_ext"] = np.full((2, n_times(model)), 2.0)
    oc = quiet(oc_hopf.OcHopf, make_model("hopf", N=2, duration=10.0), target, maximum_control_strength=0.5)
    oc.control[:] = 3.0
    quiet(oc.optimize, 5)
    assert np.abs(oc.control).max() <= 0.5
    oc = quiet(OC, model, target, maximum_control_strength=0.5)
    assert np.abs(oc.control).max() <= 0.5


def test_step_size_zero_direction():
    model, target = _fhn_case()
    oc = quiet(OC, model, target)
    assert quiet(oc.step_size, np.zeros_like(oc.control)) == 0.0
    assert oc.zero_step_encountered
    oc.zero_step_encountered = False
    assert quiet(oc.step_size, -oc.compute_gradient()) > 0.0


def test_noise_free_noisy_path_equals_deterministic():
    model, target = _fhn_case()
    a = quiet(OC, model, target)
    b = quiet(OC, model, target, M=2, M_validation=4)
    quiet(a.optimize, 10)
    quiet(b.optimize, 10)
    assert np.abs(a.control - b.control).max() < 1e-12


def test_seeded_noisy_optimisation_is_reproducible():
    model, target = _fhn_case(duration=5.0)
    model.params["sigma_ou"] = 0.01
    model.params["seed"] = 11
    runs = []
    for _ in range(2):
        oc = quiet(OC, model, target, M=3, M_validation=5)
        quiet(oc.optimize, 3)
        runs.append((oc.control.copy(), list(oc.cost_history), oc.cost_validation))
    np.testing.assert_array_equal(runs[0][0], runs[1][0])
    assert runs[0][1:] == runs[1][1:]


@pytest.mark.parametrize("name, N", [("fhn", 2), ("wc", 2), ("aln", 2), ("kuramoto", 2), ("thalamus", 1)])
def test_established_arrays_reproduce_adjoint_and_gradient(name, N):
    model = make_model(name, N=N, duration=2.0)
    target = target_of(model, sine_input(model, [0], amp=0.3))
    oc = quiet(OC, model, target, weights={"w_p": 1.0, "w_2": 0.1, "w_1D": 0.0})
    oc.compute_gradient()
    hxs, delays = oc.compute_hx_list()
    assert delays[0] == 0 and len(hxs) == len(delays)
    fx = oc.weights["w_p"] * oc.cost_matrix[:, :, None] * (oc._xs_of(oc._lin) - oc.target)
    adj = solve_adjoint(hxs, delays, oc.compute_hx_nw(), fx, oc.state_dim, oc.dt, oc.N, oc.T, oc.Dmat_ndt,
                        oc.Dxdoth(), oc.model.state_vars, oc.model.output_vars)  # fmt: skip
    scale = np.abs(oc.adjoint_state).max()
    np.testing.assert_allclose(adj, oc.adjoint_state, rtol=0, atol=1e-12 * scale)
    df_du = oc.weights["w_2"] * oc.control
    grad = compute_gradient(oc.N, oc.dim_vars, oc.dim_in, df_du, adj, oc.control_matrix, oc.Duh(), oc.control_interval)
    np.testing.assert_allclose(grad, oc.gradient, rtol=0, atol=1e-12 * np.abs(oc.gradient).max())


def test_model_classes():
    for module, cls, name, n_params in [(oc_fhn, "OcFhn", "fhn", 5), (oc_hopf, "OcHopf", "hopf", 2),
                                        (oc_wc, "OcWc", "wc", 12), (oc_aln, "OcAln", "aln", 22),
                                        (oc_ww, "OcWw", "ww", None), (oc_kuramoto, "OcKuramoto", "kuramoto", 2),
                                        (oc_thalamus, "OcThalamus", "thalamus", None)]:  # fmt: skip
        model = make_model(name, N=1, duration=1.0, settle_ms=10.0)
        oc = quiet(getattr(module, cls), model, np.zeros((1, len(model.output_vars), n_times(model))))
        if n_params is not None:
            assert len(oc.get_model_params()) == n_params
    oc = quiet(oc_aln.OcAln, make_model("aln", duration=1.0, settle_ms=10.0), np.zeros((1, 3, 11)))
    assert oc.ndt_de == 40 and oc.ndt_di == 20
    assert oc.get_fullstate().shape == (1, len(oc.model.state_vars), 11)
    oc.setinitstate(oc.getinitstate())


@pytest.mark.parametrize("weights", [None, 1, 0.1, {}])
def test_weights_defaults(weights):
    model, target = _fhn_case(duration=1.0)
    oc = quiet(OC, model, target, weights=weights)
    assert dict(oc.weights) == {"w_p": 1.0, "w_2": 0.0, "w_1D": 0.0}
    oc = quiet(OC, model, target, weights={"w_2": 100.0})
    assert dict(oc.weights) == {"w_p": 1.0, "w_2": 100.0, "w_1D": 0.0}
