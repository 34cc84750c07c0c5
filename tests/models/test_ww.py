"""Wong-Wang (``WWModel``) specifics: the naive reference, the spec reference values (models.md §11 G6), long
noisy runs on the gw connectome, the NaN/inf warning and the transfer function at its removable singularity.

The shared ``Model`` contract (chunks, continuation, seeds, BOLD, sampling_dt, inputs, ...) is covered for
WWModel by ``test_contract.py`` (it is in ``ALL_MODELS``).

Conventions of the naive comparison (as in ``test_naive.py``):

- noise: ``neurolib._core.noise.generator(seed).standard_normal((T, N, 2))``, channels ``exc_ou``, ``inh_ou``;
- inputs: a series of K samples is read by step g (0-based) at sample ``max(0, g - 1 + K - T)``;
- delays: ``round_half_even(lengthMat / signalV / dt)``, zero diagonal.
- rates: ``r_exc``, ``r_inh`` (kHz) are algebraic: computed from the pre-step gating and stored for that step.
"""

import re
import warnings

import numpy as np
import pytest
from reference import naive
from reference.compare import aligned, assert_close
from reference.spec_values import G6

from neurolib._core import noise as nl_noise
from neurolib.models.ww import WWModel
from neurolib.models.ww.timeIntegration import transfer

DT = 0.1
DURATION = 60.0
T = 600
SIGNALV = 20.0
SEED = 13

CMAT3 = np.array(
    [
        [0.0, 0.6, 0.3],
        [0.45, 0.0, 0.8],
        [0.25, 0.5, 0.0],
    ]
)
# delays in steps: 0, 1, 6 (below the engine's 8-step block) and 7 (lag 8), 12, 20 (at or above it)
DELAYS3 = np.array(
    [
        [0, 0, 7],
        [1, 0, 12],
        [20, 6, 0],
    ]
)
LENGTH3 = DELAYS3 * SIGNALV * DT  # mm
np.fill_diagonal(LENGTH3, 30.0)  # a self-length must be ignored
HIST_COLS = 30

WW_KEYS = (
    "a_exc b_exc d_exc tau_exc gamma_exc w_exc exc_current_baseline a_inh b_inh d_inh tau_inh w_inh "
    "inh_current_baseline J_NMDA J_I w_ee K_gl tau_ou sigma_ou exc_ou_mean inh_ou_mean"
).split()


# ---------------------------------------------------------------------------------------------- (a) naive
def _network_setup():
    rng = np.random.default_rng(31)
    m = WWModel(Cmat=CMAT3.copy(), Dmat=LENGTH3.copy(), seed=SEED)
    t = np.arange(T + 13) * DT
    exc_current = 0.05 * np.sin(2 * np.pi * t[None, :] / 11.0 + rng.uniform(0, 6, (3, 1)))
    exc_current += 0.01 * rng.standard_normal((3, T + 13))
    m.params.update(
        dt=DT,
        duration=DURATION,
        signalV=SIGNALV,
        K_gl=0.9,
        J_I=np.array([1.0, 0.9, 1.1]),
        tau_ou=5.0,
        sigma_ou=0.005,
        exc_ou_mean=0.001,
        inh_ou_mean=-0.002,
        ses_init=rng.uniform(0.05, 0.4, (3, HIST_COLS)),
        sis_init=rng.uniform(0.02, 0.1, (3, HIST_COLS)),
        exc_ou=np.array([0.002, -0.001, 0.0]),
        inh_ou=np.array([0.0, 0.003, -0.002]),
        exc_current=exc_current,
        inh_current=np.array([0.02, 0.0, -0.03]),  # (N,): per-node constants
    )
    return m


def _naive_reference(m):
    D = naive.delay_steps(m.params["lengthMat"], m.params["signalV"], m.params["dt"])
    assert np.array_equal(D, DELAYS3), f"test set-up: delays {D.tolist()}"
    S = int(D.max()) + 1
    hist = {
        "se": naive.history_from_init(m.params["ses_init"], S),
        "si": naive.history_from_init(m.params["sis_init"], S),
    }
    p = {k: m.params[k] for k in WW_KEYS}
    ou0 = {"exc_ou": m.params["exc_ou"], "inh_ou": m.params["inh_ou"]}
    ext = {
        "exc_current": aligned(m.params["exc_current"], T),
        "inh_current": np.repeat(m.params["inh_current"][:, None], T, axis=1),
    }
    assert m.spec.ou == ("exc_ou", "inh_ou")
    Z = nl_noise.generator(SEED).standard_normal((T, 3, 2))
    xi = {name: Z[:, :, v].T.copy() for v, name in enumerate(m.spec.ou)}
    return naive.ww(p, m.params["Cmat"], D, hist, ou0, ext, xi, DT, T), S, (p, D, hist, ou0, ext)


def test_ww_network_vs_naive():
    m = _network_setup()
    ref, S, args = _naive_reference(m)
    m.run()
    assert m.startindt == S
    assert_close(m.t, DT * np.arange(1, T + 1), "t")
    for var in ("r_exc", "r_inh", "se", "si"):
        assert m[var].shape == (3, T), var
        assert_close(m[var], ref[var], var)
        assert_close(m.state[var][:, -S:], ref[var][:, -S:], f"state[{var!r}]")
    for ou in ("exc_ou", "inh_ou"):
        assert_close(m.state[ou], ref[ou], f"final {ou}")
    # the set-up exercises noise, input and coupling: each changes the reference noticeably
    p, D, hist, ou0, ext = args
    quiet = naive.ww(p, m.params["Cmat"], D, hist, ou0, ext, {}, DT, T)
    no_input = naive.ww(p, m.params["Cmat"], D, hist, ou0, {"inh_current": ext["inh_current"]}, {}, DT, T)
    uncoupled = naive.ww(dict(p, K_gl=0.0), m.params["Cmat"], D, hist, ou0, ext, {}, DT, T)
    for other in (no_input, uncoupled):
        assert np.max(np.abs(other["r_exc"] - quiet["r_exc"])) > 1e-3 * np.max(np.abs(quiet["r_exc"]))
    assert np.max(np.abs(quiet["se"] - ref["se"])) > 1e-3


def test_ww_chunkwise_vs_naive():
    """Chunks shorter than the delays continue history, noise and input alignment of one run."""
    m = _network_setup()
    ref, S, _ = _naive_reference(m)
    m.run(chunksize=13, append_outputs=True)
    for var in ("r_exc", "r_inh", "se", "si"):
        assert_close(m[var], ref[var], var)
    for ou in ("exc_ou", "inh_ou"):
        assert_close(m.state[ou], ref[ou], f"final {ou}")


# ---------------------------------------------------------------------------------------------- (b) G6
def test_g6_reference_values():
    """models.md §11 G6: 2 nodes, Cmat [[0, .8], [.5, 0]], lengths 120 mm (60 steps), defaults, 200 ms."""
    m = WWModel(Cmat=np.array([[0.0, 0.8], [0.5, 0.0]]), Dmat=np.array([[0.0, 120.0], [120.0, 0.0]]), seed=0)
    m.params.update(duration=200.0, ses_init=np.array([[0.1], [0.2]]), sis_init=np.array([[0.05], [0.1]]))
    assert m.params["sigma_ou"] == 0.0 and m.params["dt"] == 0.1
    m.run()
    assert m.startindt == 61
    assert m.t.shape == (2000,)
    for var, rows in G6.items():
        assert m[var].shape == (2, 2000)
        for idx, values in rows.items():
            np.testing.assert_allclose(m[var][:, idx], values, rtol=1e-9, atol=0.0, err_msg=f"{var} idx {idx}")
    assert np.array_equal(m.output, m["r_exc"])


# ---------------------------------------------------------------------------------------------- (c) gw, 60 s
def test_gw_defaults_60s_noisy_run_is_finite(shared_datasets):
    """Upstream reported NaNs of the Wong-Wang model on the gw connectome; defaults + OU noise for 60 s must give
    finite outputs only (and no NaN/inf warning). Chunked, subsampled at 1 ms to keep the memory small."""
    from neurolib.utils.loadData import Dataset

    ds = Dataset("gw")
    m = WWModel(Cmat=ds.Cmat, Dmat=ds.Dmat, seed=42)
    N = m.params["N"]
    assert N == 80
    m.params.update(duration=60000.0, sigma_ou=0.01, sampling_dt=1.0)
    with warnings.catch_warnings():
        warnings.simplefilter("error", RuntimeWarning)
        m.run(chunksize=50000, append_outputs=True)
    assert m.t.shape == (60000,)
    for var in m.output_vars:
        assert m[var].shape == (N, 60000), var
        assert np.all(np.isfinite(m[var])), var
    for var in m.state_vars:
        assert np.all(np.isfinite(m.state[var])), var
    assert np.all(m["r_exc"] >= 0) and np.all(m["r_inh"] >= 0)  # rates of a positive transfer function
    assert np.std(m["se"][:, -10000:]) > 0  # noise really acts


# ---------------------------------------------------------------------------------------------- (d) NaN warning
def test_nan_warning_names_variable_and_first_time():
    m = WWModel(seed=1)
    m.params.update(duration=20.0, exc_ou_mean=1e300)  # the OU state drags se beyond the double range
    with pytest.warns(RuntimeWarning) as record:
        m.run()
    messages = [str(w.message) for w in record if issubclass(w.category, RuntimeWarning)]
    assert len(messages) == 1, messages  # one warning per run, naming every diverged output and its time
    warned = {name: float(t) for name, t in re.findall(r"'(\w+)'[^']*?t = ([0-9.eE+-]+) ms", messages[0])}
    assert warned, f"warning without variable name and time: {messages[0]!r}"
    bad_vars = [v for v in m.output_vars if not np.all(np.isfinite(m[v]))]
    assert "se" in bad_vars
    assert set(warned) == set(bad_vars)
    for var in bad_vars:
        first = int(np.argmax(~np.isfinite(m[var]).all(axis=0)))
        assert np.all(np.isfinite(m[var][:, :first])), var
        assert warned[var] == pytest.approx(m.t[first]), var
    assert warned["se"] <= min(warned.values())  # the gating diverges first; the rates follow one step later


def test_no_warning_for_finite_run():
    m = WWModel(seed=1)
    m.params["duration"] = 20.0
    with warnings.catch_warnings():
        warnings.simplefilter("error", RuntimeWarning)
        m.run()
    assert np.all(np.isfinite(m.output))


# ---------------------------------------------------------------------------------------------- (e) transfer
@pytest.mark.parametrize("current,a,b,d", [(0.25, 0.5, 0.125, 160.0), (0.5, 0.5, 0.25, 87.0), (0.0, 0.31, 0.0, 1.0)])
def test_transfer_at_threshold_is_one_over_d(current, a, b, d):
    assert a * current - b == 0.0  # exactly at the removable singularity
    r = transfer(current, a, b, d)
    assert np.isfinite(r)
    assert r == 1.0 / d


def test_transfer_continuous_and_accurate():
    a, b, d = 0.31, 0.125, 160.0
    # near the threshold: the limit 1/d (up to the first-order term x/2)
    for x in (1e-15, -1e-15, 1e-10, -1e-10):
        current = (b + x) / a
        xx = a * current - b
        assert transfer(current, a, b, d) == pytest.approx(1.0 / d + xx / 2.0, rel=1e-9)
    # away from it: the textbook formula
    for current in (0.2, 0.35, 0.4, 0.6, 1.0):
        x = a * current - b
        assert transfer(current, a, b, d) == pytest.approx(x / (1.0 - np.exp(-d * x)), rel=1e-12)
    # far below threshold exp overflows: the rate is 0, not NaN
    assert 0.0 < transfer(-10.0, a, b, d) < 1e-200
    r = transfer(-1e3, a, b, d)
    assert np.isfinite(r) and r == 0.0
    assert transfer(1e3, a, b, d) == pytest.approx(a * 1e3 - b, rel=1e-15)


def test_transfer_at_threshold_through_the_model():
    """One node with zero gating and currents chosen so that a*I == b exactly at the first step for both
    populations: the stored rates are exactly 1/d (no NaN), and the run stays finite."""
    m = WWModel(seed=0)
    m.params.update(
        duration=1.0,
        ses_init=np.zeros((1, 1)),
        sis_init=np.zeros((1, 1)),
        a_exc=0.5,
        b_exc=0.125,
        w_exc=1.0,
        exc_current_baseline=0.25,
        a_inh=0.5,
        b_inh=0.25,
        w_inh=1.0,
        inh_current_baseline=0.5,
    )
    with warnings.catch_warnings():
        warnings.simplefilter("error", RuntimeWarning)
        m.run()
    assert m["r_exc"][0, 0] == 1.0 / m.params["d_exc"]
    assert m["r_inh"][0, 0] == 1.0 / m.params["d_inh"]
    for var in m.output_vars:
        assert np.all(np.isfinite(m[var])), var
