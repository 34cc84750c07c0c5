"""The engine against the slow pure-numpy references of ``tests/reference/naive.py``.

Every model runs a 3-node network with delays of 0, 1, 6, 7 (lag 8: the first "far" connection of the
engine), 12 and 20 steps, OU noise from a fixed seed, non-zero initial OU states, a multi-column initial
history, a time-varying input on one channel (longer than the run, so right alignment matters) and a
constant per-node input on another. The naive reference gets the same numbers explicitly:

- noise: ``neurolib._core.noise.generator(seed).standard_normal((T, N, n_ou))``, channel order
  ``model.spec.ou``; naive ``noise[name] = Z[:, :, v].T``.
- inputs: a series of K samples is read by step g (0-based) at sample ``max(0, g - 1 + K - T)``.
- delays: ``round_half_even(lengthMat / signalV / dt)``, zero diagonal.

BOLD is checked against ``naive.bold`` through the model (``run(bold=True)``), ``simulateBOLD`` and
``BOLDModel`` (calls split into pieces must continue seamlessly).
"""

import numpy as np
import pytest
from reference import naive
from reference.compare import aligned, assert_close

from neurolib._core import noise as nl_noise
from neurolib.models.bold import BOLDModel, simulateBOLD
from neurolib.models.fhn import FHNModel
from neurolib.models.hopf import HopfModel
from neurolib.models.kuramoto import KuramotoModel
from neurolib.models.wc import WCModel

DT = 0.1
DURATION = 60.0
T = 600  # steps of a 60 ms run at dt 0.1
SIGNALV = 20.0
SEED = 11

CMAT3 = np.array(
    [
        [0.0, 0.6, 0.3],
        [0.45, 0.0, 0.8],
        [0.25, 0.5, 0.0],
    ]
)
# intended delays in steps, lag = delay + 1: one connection or more in every lag class of the engine (lag 1; 2;
# 7; 8 and 13; 21: see neurolib._core._loop.LEVELS)
DELAYS3 = np.array(
    [
        [0, 0, 7],
        [1, 0, 12],
        [20, 6, 0],
    ]
)
LENGTH3 = DELAYS3 * SIGNALV * DT  # mm
np.fill_diagonal(LENGTH3, 30.0)  # a self-length must be ignored (zero diagonal delay)
S3 = int(DELAYS3.max()) + 1
HIST_COLS = 30  # initial histories longer than S: the last S columns are used


# ---------------------------------------------------------------------------------------------- helpers
def noise_dict(spec, seed, N, T):
    """The normals a noisy run with this seed uses, per OU channel as (N, T)."""
    Z = nl_noise.generator(seed).standard_normal((T, N, len(spec.ou)))
    return {name: Z[:, :, v].T.copy() for v, name in enumerate(spec.ou)}


def network_model(cls):
    m = cls(Cmat=CMAT3.copy(), Dmat=LENGTH3.copy(), seed=SEED)
    m.params["dt"] = DT
    m.params["duration"] = DURATION
    m.params["signalV"] = SIGNALV
    return m


def delays_and_history(model, inits):
    """Naive delay matrix and (N, S) histories from the model's parameters."""
    D = naive.delay_steps(model.params["lengthMat"], model.params["signalV"], model.params["dt"])
    assert np.array_equal(D, DELAYS3), f"test set-up: delays {D.tolist()} != intended {DELAYS3.tolist()}"
    S = int(D.max()) + 1
    hist = {var: naive.history_from_init(model.params[key], S) for var, key in inits.items()}
    return D, S, hist


def series(rng, rows, K, base=0.0, amp=1.0, period=17.0):
    """A smooth-plus-noise time series (rows, K)."""
    t = np.arange(K) * DT
    phase = rng.uniform(0, 2 * np.pi, (rows, 1))
    return base + amp * np.sin(2 * np.pi * t[None, :] / period + phase) + 0.1 * amp * rng.standard_normal((rows, K))


def check_run(model, ref, state_vars, ou_vars, S, circular=False):
    """Outputs, time axis, final delay history and final OU states of a finished run against ``ref``."""
    assert_close(model.t, DT * np.arange(1, T + 1), "t")
    for var in state_vars:
        assert model.outputs[var].shape == (3, T)
        assert_close(model.outputs[var], ref[var], var, circular=circular)
        assert_close(model[var], ref[var], f"model[{var!r}]", circular=circular)
        # the stored state keeps the last S columns (the delay history of a continued run)
        assert_close(model.state[var][:, -S:], ref[var][:, -S:], f"state[{var!r}]", circular=circular)
    for ou in ou_vars:
        assert_close(model.state[ou], ref[ou], f"final {ou}")


# ---------------------------------------------------------------------------------------------- models
def _hopf_setup(coupling):
    rng = np.random.default_rng(1)
    m = network_model(HopfModel)
    m.params.update(
        coupling=coupling,
        a=np.array([0.25, -0.05, 0.1]),
        w=0.2,
        K_gl=0.6,
        tau_ou=5.0,
        sigma_ou=0.05,
        x_ou_mean=0.02,
        y_ou_mean=-0.01,
        xs_init=rng.uniform(-0.5, 0.5, (3, HIST_COLS)),
        ys_init=rng.uniform(-0.5, 0.5, (3, HIST_COLS)),
        x_ou=np.array([0.1, -0.2, 0.05]),
        y_ou=np.array([-0.03, 0.0, 0.07]),
        x_ext=series(rng, 3, T + 13, amp=0.3),
        y_ext=np.array([0.01, -0.02, 0.03]),
    )
    return m


def _hopf_naive(m):
    D, S, hist = delays_and_history(m, {"x": "xs_init", "y": "ys_init"})
    p = {k: m.params[k] for k in ("a", "w", "K_gl", "coupling", "tau_ou", "sigma_ou", "x_ou_mean", "y_ou_mean")}
    ou0 = {"x_ou": m.params["x_ou"], "y_ou": m.params["y_ou"]}
    ext = {"x_ext": aligned(m.params["x_ext"], T), "y_ext": np.repeat(m.params["y_ext"][:, None], T, axis=1)}
    Z = noise_dict(m.spec, SEED, 3, T)
    return naive.hopf(p, m.params["Cmat"], D, hist, ou0, ext, Z, DT, T), S


@pytest.mark.parametrize("coupling", ["diffusive", "additive"])
def test_hopf_network_vs_naive(coupling):
    m = _hopf_setup(coupling)
    ref, S = _hopf_naive(m)
    m.run()
    check_run(m, ref, ["x", "y"], ["x_ou", "y_ou"], S)


def test_hopf_chunkwise_vs_naive():
    """Chunks continue the delay history, the noise stream and the input alignment of one run."""
    m = _hopf_setup("diffusive")
    ref, S = _hopf_naive(m)
    m.run(chunkwise=True, chunksize=97, append_outputs=True)
    check_run(m, ref, ["x", "y"], ["x_ou", "y_ou"], S)


@pytest.mark.parametrize("coupling", ["diffusive", "additive"])
def test_fhn_network_vs_naive(coupling):
    rng = np.random.default_rng(2)
    m = network_model(FHNModel)
    m.params.update(
        coupling=coupling,
        alpha=3.0,
        beta=4.0,
        gamma=np.array([-1.5, -1.2, -1.8]),
        delta=0.1,
        epsilon=0.5,
        tau=20.0,
        K_gl=0.6,
        tau_ou=5.0,
        sigma_ou=0.05,
        x_ou_mean=0.01,
        y_ou_mean=0.0,
        xs_init=0.05 * rng.uniform(0, 1, (3, HIST_COLS)),
        ys_init=0.05 * rng.uniform(0, 1, (3, HIST_COLS)),
        x_ou=np.array([0.02, -0.01, 0.0]),
        y_ou=np.array([0.0, 0.01, -0.02]),
        x_ext=series(rng, 3, T + 5, base=1.0, amp=0.5, period=23.0),
        y_ext=np.array([0.0, 0.05, -0.05]),
    )
    D, S, hist = delays_and_history(m, {"x": "xs_init", "y": "ys_init"})
    keys = ("alpha", "beta", "gamma", "delta", "epsilon", "tau", "K_gl", "coupling", "tau_ou", "sigma_ou")
    p = {k: m.params[k] for k in keys + ("x_ou_mean", "y_ou_mean")}
    ou0 = {"x_ou": m.params["x_ou"], "y_ou": m.params["y_ou"]}
    ext = {"x_ext": aligned(m.params["x_ext"], T), "y_ext": np.repeat(m.params["y_ext"][:, None], T, axis=1)}
    ref = naive.fhn(p, m.params["Cmat"], D, hist, ou0, ext, noise_dict(m.spec, SEED, 3, T), DT, T)
    m.run()
    check_run(m, ref, ["x", "y"], ["x_ou", "y_ou"], S)


def test_wc_network_vs_naive():
    rng = np.random.default_rng(3)
    m = network_model(WCModel)
    m.params.update(
        K_gl=0.8,
        tau_ou=5.0,
        sigma_ou=0.02,
        exc_ou_mean=0.01,
        inh_ou_mean=-0.01,
        exc_ext_baseline=0.3,
        inh_ext_baseline=np.array([0.0, 0.1, 0.2]),
        exc_init=0.05 * rng.uniform(0, 1, (3, HIST_COLS)),
        inh_init=0.05 * rng.uniform(0, 1, (3, HIST_COLS)),
        exc_ou=np.array([0.01, 0.0, -0.01]),
        inh_ou=np.array([0.0, 0.02, 0.0]),
        exc_ext=series(rng, 3, T, base=0.8, amp=0.6, period=19.0),
        inh_ext=np.array([0.1, 0.0, 0.2]),
    )
    D, S, hist = delays_and_history(m, {"exc": "exc_init", "inh": "inh_init"})
    keys = (
        "tau_exc tau_inh c_excexc c_excinh c_inhexc c_inhinh a_exc a_inh mu_exc mu_inh K_gl "
        "exc_ext_baseline inh_ext_baseline tau_ou sigma_ou exc_ou_mean inh_ou_mean"
    ).split()
    p = {k: m.params[k] for k in keys}
    ou0 = {"exc_ou": m.params["exc_ou"], "inh_ou": m.params["inh_ou"]}
    ext = {
        "exc_ext": aligned(m.params["exc_ext"], T),
        "inh_ext": np.repeat(m.params["inh_ext"][:, None], T, axis=1),
    }
    ref = naive.wc(p, m.params["Cmat"], D, hist, ou0, ext, noise_dict(m.spec, SEED, 3, T), DT, T)
    m.run()
    # the set-up should actually exercise the dynamics (not sit clipped at a bound)
    assert np.ptp(ref["exc"]) > 0.05
    check_run(m, ref, ["exc", "inh"], ["exc_ou", "inh_ou"], S)


def test_kuramoto_network_vs_naive():
    rng = np.random.default_rng(4)
    m = network_model(KuramotoModel)
    m.params.update(
        k=2.0,
        omega=np.array([1.0, 1.3, 0.8]),
        tau_ou=5.0,
        sigma_ou=0.1,
        theta_init=rng.uniform(0, 2 * np.pi, (3, HIST_COLS)),
        theta_ou=np.array([0.05, -0.1, 0.0]),
        theta_ext=series(rng, 1, T + 7, amp=0.4)[0],  # (K,): the same series for every node
    )
    D, S, hist = delays_and_history(m, {"theta": "theta_init"})
    p = {k: m.params[k] for k in ("k", "omega", "tau_ou", "sigma_ou")}
    ext = {"theta_ext": np.repeat(aligned(m.params["theta_ext"], T), 3, axis=0)}
    ou0 = {"theta_ou": m.params["theta_ou"]}
    ref = naive.kuramoto(p, m.params["Cmat"], D, hist, ou0, ext, noise_dict(m.spec, SEED, 3, T), DT, T)
    m.run()
    theta = m.outputs["theta"]
    assert np.all((theta >= 0) & (theta < 2 * np.pi)), "phases must be wrapped to [0, 2 pi)"
    check_run(m, ref, ["theta"], ["theta_ou"], S, circular=True)


# ---------------------------------------------------------------------------------------------- BOLD
def _bold_kept(L, ndt, g0=0):
    """Local indices of the kept samples: global index g = g0 + j with (g - 1) % ndt == 0."""
    j = np.arange(L)
    return j[(g0 + j - 1) % ndt == 0]


BOLD_DURATION = 4500.0  # ms: samples at global indices 1, 20001, 40001


def _hopf_bold_model():
    rng = np.random.default_rng(5)
    m = network_model(HopfModel)
    m.params.update(
        duration=BOLD_DURATION,
        sigma_ou=0.02,
        xs_init=rng.uniform(-0.5, 0.5, (3, 1)),
        ys_init=rng.uniform(-0.5, 0.5, (3, 1)),
    )
    return m


def _bold_reference(m):
    L = m.outputs["x"].shape[1]
    ndt = int(round(2000.0 / DT))
    Z = (m.outputs["x"] + 1.0) * 4.0  # Hopf's boldInputTransform
    full, *_ = naive.bold(Z, DT)
    idx = _bold_kept(L, ndt)
    assert np.array_equal(idx, naive.bold_sample_indices(0, L, ndt))
    assert idx.tolist() == [1, 20001, 40001]
    return full[:, idx], naive.bold_times(idx, DT)


def test_hopf_bold_vs_naive():
    m = _hopf_bold_model()
    m.run(bold=True)
    assert m.outputs["x"].shape == (3, 45000)
    bold_ref, t_ref = _bold_reference(m)
    assert_close(m.outputs.BOLD.t_BOLD, t_ref, "t_BOLD")
    assert_close(m.outputs.BOLD.BOLD, bold_ref, "BOLD")
    assert_close(m["BOLD.BOLD"], bold_ref, "model['BOLD.BOLD']")


def test_hopf_bold_chunkwise_vs_naive():
    """Chunks that do not divide the BOLD sampling interval give the BOLD of one run."""
    m = _hopf_bold_model()
    m.run(chunkwise=True, chunksize=7001, append_outputs=True, bold=True)
    assert m.outputs["x"].shape == (3, 45000)
    bold_ref, t_ref = _bold_reference(m)
    assert_close(m.outputs.BOLD.t_BOLD, t_ref, "t_BOLD")
    assert_close(m.outputs.BOLD.BOLD, bold_ref, "BOLD")


def _activity(N, L, seed=6):
    rng = np.random.default_rng(seed)
    t = np.arange(L)
    return 1.0 + 0.8 * np.sin(2 * np.pi * t[None, :] / rng.uniform(50, 200, (N, 1))) + 0.3 * rng.standard_normal((N, L))


def test_simulateBOLD_vs_naive():
    dt_ms = 0.5
    Z = _activity(4, 3000)
    Z_copy = Z.copy()
    out, X, F, Q, V = simulateBOLD(Z, dt_ms * 1e-3)
    ref, rX, rF, rQ, rV = naive.bold(Z, dt_ms)
    assert np.array_equal(Z, Z_copy)
    assert_close(out, ref, "BOLD")
    for name, a, b in zip("XFQV", (X, F, Q, V), (rX, rF, rQ, rV)):
        assert_close(a, b, f"final {name}")


def test_simulateBOLD_initial_states_vs_naive():
    dt_ms = 1.0
    Z = _activity(3, 1500, seed=7)
    s0 = {
        "X": np.array([0.1, -0.2, 0.0]),
        "F": np.array([1.2, 0.9, 1.0]),
        "Q": np.array([0.95, 1.05, 1.0]),
        "V": np.array([1.1, 0.97, 1.0]),
    }
    given = {k: v.copy() for k, v in s0.items()}
    out, *states = simulateBOLD(Z, dt_ms * 1e-3, **given)
    ref, *ref_states = naive.bold(Z, dt_ms, s0["X"], s0["F"], s0["Q"], s0["V"])
    for k in s0:
        assert np.array_equal(given[k], s0[k]), f"simulateBOLD modified its argument {k}"
    assert_close(out, ref, "BOLD")
    for name, a, b in zip("XFQV", states, ref_states):
        assert_close(a, b, f"final {name}")


def test_simulateBOLD_pieces_equal_one_call():
    dt_ms = 0.5
    Z = _activity(4, 3000, seed=8)
    full, *final = simulateBOLD(Z, dt_ms * 1e-3)
    pieces = []
    states = {}
    for a, b in [(0, 700), (700, 701), (701, 2222), (2222, 3000)]:
        out, X, F, Q, V = simulateBOLD(Z[:, a:b], dt_ms * 1e-3, **states)
        pieces.append(out)
        states = {"X": X, "F": F, "Q": Q, "V": V}
    np.testing.assert_array_equal(np.concatenate(pieces, axis=1), full)
    for name, a, b in zip("XFQV", final, states.values()):
        np.testing.assert_array_equal(a, b, err_msg=f"final {name}")


def test_BOLDModel_pieces_vs_naive():
    """Sampling every round(2000/dt) inputs at global indices 1, 1 + ndt, ...; pieces continue seamlessly,
    also when a piece starts exactly on a kept sample (g0 % ndt == 1)."""
    N, dt_ms, L = 3, 50.0, 500
    ndt = int(round(2000.0 / dt_ms))  # 40
    Z = _activity(N, L, seed=9)
    full, rX, rF, rQ, rV = naive.bold(Z, dt_ms)
    idx = _bold_kept(L, ndt)
    assert idx.tolist() == list(range(1, L, ndt))

    bm = BOLDModel(N, dt_ms)
    assert bm.samplingRate_NDt == ndt
    ts, bs = [], []
    g0 = 0
    for n in [1, 40, 79, 17, 363]:  # pieces start at 0, 1, 41, 120, 137
        t_b, b = bm.run(Z[:, g0 : g0 + n])
        local = _bold_kept(n, ndt, g0)
        assert np.array_equal(local, naive.bold_sample_indices(g0, n, ndt))
        assert_close(t_b, (g0 + local) * dt_ms, f"t_BOLD of piece at {g0}")
        assert_close(b, full[:, g0 + local], f"BOLD of piece at {g0}")
        assert np.array_equal(bm.BOLD, b) and np.array_equal(bm.t_BOLD, t_b)
        ts.append(t_b)
        bs.append(b)
        g0 += n
    assert g0 == L
    assert bm.idxLastT == L
    assert_close(np.concatenate(ts), idx * dt_ms, "t_BOLD")
    assert_close(np.concatenate(bs, axis=1), full[:, idx], "BOLD")
    for name, a, b in zip("XFQV", (bm.X_BOLD, bm.F_BOLD, bm.Q_BOLD, bm.V_BOLD), (rX, rF, rQ, rV)):
        assert_close(a, b, f"final {name}")

    one = BOLDModel(N, dt_ms)
    t_one, b_one = one.run(Z)
    np.testing.assert_array_equal(t_one, np.concatenate(ts))
    np.testing.assert_array_equal(b_one, np.concatenate(bs, axis=1))


def test_BOLDModel_empty_piece():
    """A zero-length call keeps nothing and changes nothing."""
    N, dt_ms = 2, 50.0
    Z = _activity(N, 120, seed=10)
    bm = BOLDModel(N, dt_ms)
    bm.run(Z[:, :41])
    t_b, b = bm.run(Z[:, 41:41])
    assert t_b.shape == (0,) and b.shape == (N, 0)
    assert bm.idxLastT == 41
    t_b, b = bm.run(Z[:, 41:])
    full, *_ = naive.bold(Z, dt_ms)
    assert_close(t_b, np.array([41, 81]) * dt_ms, "t_BOLD")
    assert_close(b, full[:, [41, 81]], "BOLD")
