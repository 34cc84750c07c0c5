"""Statistics of the Ornstein-Uhlenbeck background noise of the native models.

The engine advances each OU state with the Euler-Maruyama step

    q[n+1] = q[n] + (mu - q[n]) * dt / tau + sigma * sqrt(dt) * z[n],    z ~ N(0, 1),

an AR(1) process with coefficient a = 1 - dt/tau. Its stationary law is normal with mean mu and variance
sigma^2 dt / (1 - a^2) (about sigma^2 tau / 2 for dt << tau). The OU states are not outputs, but they evolve
independently of the node dynamics, so with ``Cmat = 0`` the final states ``model.state[<ou var>]`` of many
nodes after a long warm-up are independent samples of the stationary law. Seeds are fixed, so the tests are
deterministic; the tolerances are those of the sampling distributions (about 4 sigma).
"""

import numpy as np
import pytest
from scipy import stats

from neurolib.models.fhn import FHNModel
from neurolib.models.hopf import HopfModel
from neurolib.models.kuramoto import KuramotoModel
from neurolib.models.wc import WCModel

DT = 0.1


def ar1_variance(sigma, tau, dt=DT):
    a = 1.0 - dt / tau
    return sigma**2 * dt / (1.0 - a**2)


def uncoupled(model_cls, N, sigma, tau, duration, seed, **params):
    model = model_cls(Cmat=np.zeros((N, N)), seed=seed)
    model.params["sigma_ou"] = sigma
    model.params["tau_ou"] = tau
    model.params["duration"] = duration
    for key, value in params.items():
        model.params[key] = value
    return model


def assert_mean(samples, mu, var):
    tol = 4.0 * np.sqrt(var / samples.size)
    assert abs(samples.mean() - mu) < tol, f"mean {samples.mean():.4f}, expected {mu} +- {tol:.4f}"


def assert_variance(samples, var, p=1e-4):
    n = samples.size
    stat = (n - 1) * samples.var(ddof=1) / var
    lo, hi = stats.chi2.ppf([p, 1 - p], n - 1)
    msg = f"variance {samples.var(ddof=1):.4f}, expected {var:.4f} (chi2 {stat:.1f} not in [{lo:.1f}, {hi:.1f}])"
    assert lo < stat < hi, msg


def assert_uncorrelated(a, b):
    r = np.corrcoef(a, b)[0, 1]
    assert abs(r) < 4.0 / np.sqrt(a.size), f"correlation {r:.4f}"


# ---------------------------------------------------------------------------------------------- Hopf
SIGMA, TAU, N_NODES = 0.5, 5.0, 1000


def test_discrete_variance_formula_close_to_continuous():
    """Sanity check of the reference value used below (dt/tau = 0.02: within 1 %)."""
    assert ar1_variance(SIGMA, TAU) == pytest.approx(SIGMA**2 * TAU / 2, rel=0.011)


def test_hopf_ou_stationary_zero_mean():
    model = uncoupled(HopfModel, N_NODES, SIGMA, TAU, duration=200.0, seed=42)
    model.run()
    var = ar1_variance(SIGMA, TAU)
    x_ou, y_ou = model.state["x_ou"], model.state["y_ou"]
    assert x_ou.shape == (N_NODES,) and y_ou.shape == (N_NODES,)
    for q in (x_ou, y_ou):
        assert_mean(q, 0.0, var)
        assert_variance(q, var)
    assert_uncorrelated(x_ou, y_ou)


def test_hopf_ou_mean_shifts():
    model = uncoupled(HopfModel, N_NODES, SIGMA, TAU, duration=200.0, seed=43, x_ou_mean=0.7, y_ou_mean=-0.3)
    model.run()
    var = ar1_variance(SIGMA, TAU)
    assert_mean(model.state["x_ou"], 0.7, var)
    assert_mean(model.state["y_ou"], -0.3, var)
    assert_variance(model.state["x_ou"], var)
    assert_variance(model.state["y_ou"], var)


def test_hopf_ou_variance_scales_with_sigma_and_tau():
    sigma, tau = 0.2, 20.0
    model = uncoupled(HopfModel, N_NODES, sigma, tau, duration=600.0, seed=44)  # 30 tau warm-up
    model.run()
    var = ar1_variance(sigma, tau)
    assert_mean(model.state["x_ou"], 0.0, var)
    assert_variance(model.state["x_ou"], var)


@pytest.mark.parametrize("lag_steps", [1, 50])
def test_hopf_ou_autocorrelation(lag_steps):
    """Regression of q(t + k dt) on q(t) across nodes has slope a^k = (1 - dt/tau)^k."""
    mu = 0.4
    model = uncoupled(HopfModel, N_NODES, SIGMA, TAU, duration=200.0, seed=45, x_ou_mean=mu)
    model.run()
    q0 = model.state["x_ou"].copy()
    model.params["duration"] = lag_steps * DT
    model.run(continue_run=True)
    q1 = model.state["x_ou"]
    a_k = (1.0 - DT / TAU) ** lag_steps
    slope = np.sum((q0 - mu) * (q1 - mu)) / np.sum((q0 - mu) ** 2)
    # residual variance of q1 given q0 is var (1 - a^2k); slope standard error ~ sqrt((1 - a^2k) / N)
    se = np.sqrt((1.0 - a_k**2) / N_NODES)
    assert abs(slope - a_k) < 4 * se, f"slope {slope:.4f}, expected {a_k:.4f} +- {4 * se:.4f}"


def test_hopf_ou_without_noise_relaxes_to_mean():
    """sigma = 0: q[n] = mu + (q0 - mu) (1 - dt/tau)^n exactly (up to rounding)."""
    N, mu, steps = 5, 0.3, 100
    model = uncoupled(HopfModel, N, 0.0, TAU, duration=steps * DT, seed=0, x_ou_mean=mu)
    q0 = np.linspace(-1.0, 1.0, N)
    model.params["x_ou"] = q0.copy()
    model.run()
    expected = mu + (q0 - mu) * (1.0 - DT / TAU) ** steps
    np.testing.assert_allclose(model.state["x_ou"], expected, rtol=1e-12, atol=1e-12)


def test_hopf_ou_state_continues_across_chunks():
    """The OU state after a chunked run equals the one after a single run (same noise stream)."""
    model = uncoupled(HopfModel, 20, SIGMA, TAU, duration=20.0, seed=46)
    model.run()
    single = model.state["x_ou"].copy()
    model.run(chunksize=7)
    assert np.array_equal(model.state["x_ou"], single)


# ---------------------------------------------------------------------------------------------- all models
@pytest.mark.parametrize("model_cls", [HopfModel, FHNModel, WCModel, KuramotoModel], ids=lambda c: c.__name__)
def test_ou_stationary_all_models(model_cls):
    N, sigma, tau = 400, 0.3, 2.0
    spec = model_cls.spec
    means = {name: m for name, m in zip(spec.ou, spec.ou_mean)}
    params = {m: 0.25 for m in means.values() if m is not None}
    model = uncoupled(model_cls, N, sigma, tau, duration=60.0, seed=47, **params)  # 30 tau warm-up
    model.run()
    var = ar1_variance(sigma, tau)
    samples = []
    for name, mean_param in means.items():
        q = model.state[name]
        assert q.shape == (N,)
        mu = 0.0 if mean_param is None else 0.25
        assert_mean(q, mu, var)
        assert_variance(q, var)
        samples.append(q)
    for i in range(len(samples)):
        for j in range(i + 1, len(samples)):
            assert_uncorrelated(samples[i], samples[j])
