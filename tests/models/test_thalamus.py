"""The thalamic mass model (``ThalamicMassModel``): naive reference, spec reference values and the public
``Model`` contract for a single node.

The thalamus is single-node only (no Cmat, no delays, S = 1), so it is not in ``ALL_MODELS``; the contract
properties that matter for it are restated here. Its only noise is a white-noise channel of strength
``d_phi`` on ``ds_et`` (no OU states): the engine draws
``neurolib._core.noise.generator(seed).standard_normal((T, 1, 1))`` and adds
``gamma_e^2 * d_phi * sqrt(dt) * xi`` to ``ds_et`` at the end of each step (up to rounding).

Note on noise: ``ds_et`` has no restoring term (models.md §7), so it is a random walk and ``s_et`` its
integral; with noise the model drifts and eventually overflows (d_phi = 0.01 gives NaN after ~4 s at the
default parameters). The long (BOLD) runs therefore use a weak ``d_phi``.
"""

import numpy as np
import pytest
from reference import naive
from reference.compare import aligned, assert_close

from neurolib._core import noise as nl_noise
from neurolib.models.thalamus import ThalamicMassModel

DT = 0.01
SEED = 21
OUTPUTS = ("V_t", "V_r", "Q_t", "Q_r")
OTHER = naive.THALAMUS_STATES  # Ca, h_T_t, ..., ds_gr


# ---------------------------------------------------------------------------------------------- helpers
def snapshot(model):
    out = {"t": np.array(model.t, copy=True)}
    for name in model.output_vars:
        out[name] = np.array(model[name], copy=True)
    return out


def run_snapshot(model, **kwargs):
    model.run(**kwargs)
    return snapshot(model)


def assert_bitwise_equal(a, b):
    assert a.keys() == b.keys()
    for key in a:
        assert a[key].shape == b[key].shape, f"{key}: shape {a[key].shape} != {b[key].shape}"
        assert np.array_equal(a[key], b[key]), f"{key}: values differ (max |diff| {np.max(np.abs(a[key] - b[key]))})"


def noisy_model(seed=SEED, duration=20.0, d_phi=0.5):
    """A thalamus with noise on (via d_phi), non-trivial initial states, a short duration."""
    m = ThalamicMassModel(seed=seed)
    m.params.update(
        duration=duration,
        d_phi=d_phi,
        V_t_init=np.array([-63.0]),
        V_r_init=np.array([-61.0]),
        h_T_t_init=0.3,
        h_T_r_init=0.5,
        m_h1_init=0.2,
        m_h2_init=0.1,
        s_et_init=0.05,
        s_gt_init=0.1,
        s_er_init=0.2,
        s_gr_init=0.3,
        ds_et_init=0.001,
        ds_gt_init=-0.002,
        ds_er_init=0.003,
        ds_gr_init=0.0,
    )
    return m


# ---------------------------------------------------------------------------------------------- naive reference
def test_thalamus_vs_naive():
    """2000 steps with noise (d_phi), a time-varying ext_current_t (longer than the run, right-aligned, one-step
    lag) and a constant ext_current_r, against ``naive.thalamus``; outputs and final states to 1e-10."""
    T = 2000
    m = noisy_model(duration=T * DT)
    m.params["Ca_init"] = 3.0e-4
    rng = np.random.default_rng(0)
    t = np.arange(T + 13) * DT
    ext_t = 0.5 * np.sin(2 * np.pi * t / 3.7) + 0.1 * rng.standard_normal(T + 13)
    m.params["ext_current_t"] = ext_t[None, :]
    m.params["ext_current_r"] = -0.3

    p = {k: m.params[k] for k in naive.THALAMUS_PARAMS}
    hist = {"V_t": m.params["V_t_init"], "V_r": m.params["V_r_init"]}
    y0 = {k: m.params[f"{k}_init"] for k in OTHER}
    ext = {"ext_current_t": aligned(ext_t, T), "ext_current_r": np.full((1, T), -0.3)}
    assert m.spec.ou == () and len(m.spec.white_noise) == 1
    Z = nl_noise.generator(SEED).standard_normal((T, 1, 1))
    ref = naive.thalamus(p, hist, y0, ext, {"ds_et": Z[:, :, 0].T}, DT, T)

    m.run()
    assert_close(m.t, DT * np.arange(1, T + 1), "t")
    for name in OUTPUTS:
        assert m[name].shape == (1, T), name
        assert_close(m[name], ref[name], name)
        assert_close(m.state[name][:, -1], ref[name][:, -1], f"state[{name!r}]")
    for name in OTHER:
        assert_close(np.reshape(m.state[name], -1), ref[name], f"final {name}")
    # the set-up exercises the noise and the input
    assert abs(ref["ds_et"][0] - 0.001) > 1e-4
    quiet = naive.thalamus(dict(p, d_phi=0.0), hist, y0, ext, {}, DT, T)
    assert np.max(np.abs(quiet["V_t"] - ref["V_t"])) > 1e-3


def test_thalamus_constant_series_input_equals_scalar():
    m = noisy_model(duration=5.0)
    m.params["ext_current_t"] = 0.4
    a = run_snapshot(m)
    m.params["ext_current_t"] = np.full((1, 500), 0.4)
    assert_bitwise_equal(a, run_snapshot(m))
    m.params["ext_current_t"] = 0.0
    assert not np.array_equal(a["V_t"], run_snapshot(m)["V_t"]), "ext_current_t had no effect"


# ---------------------------------------------------------------------------------------------- spec values
G7 = {
    0: (-65.0088, -60.0122, 49.0583506055, 155.066005127),
    10: (-65.0962278207, -60.1336549818, 47.9320855457, 151.594459591),
    1000: (-70.5145930593, -68.7621783314, 10.3122807399, 17.20572672),
    99999: (-66.8116777466, -59.0639473692, 29.9912965938, 182.993047693),
}


def test_g7_reference_values():
    """models.md §11 G7: defaults (dt 0.01), V_t_init -65, V_r_init -60, 1000 ms."""
    m = ThalamicMassModel(seed=0)
    assert m.params["dt"] == 0.01
    m.params.update(V_t_init=np.array([-65.0]), V_r_init=np.array([-60.0]), duration=1000.0)
    m.run()
    assert m.t.shape == (100000,)
    for name in OUTPUTS:
        assert m[name].shape == (1, 100000)
    for idx, values in G7.items():
        for name, value in zip(OUTPUTS, values):
            np.testing.assert_allclose(m[name][0, idx], value, rtol=1e-9, atol=0.0, err_msg=f"{name} idx {idx}")
    assert np.array_equal(m.output, m["Q_t"])


# ---------------------------------------------------------------------------------------------- contract
def test_defaults_and_attributes():
    m = ThalamicMassModel()
    assert m.name == "thalamus"
    assert m.description == "Two population thalamic mass model"
    assert m.params["N"] == 1 and m.params["dt"] == 0.01 and m.params["duration"] == 60000.0
    assert m.params["seed"] is None
    assert list(m.output_vars) == list(OUTPUTS) and m.default_output == "Q_t"
    assert list(m.state_vars) == [*OUTPUTS, *OTHER]
    assert list(m.init_vars) == [f"{v}_init" for v in m.state_vars]
    assert -75.0 <= m.params["V_t_init"][0] < -50.0 and -75.0 <= m.params["V_r_init"][0] < -50.0
    assert np.reshape(m.params["Ca_init"], -1)[0] == 2.4e-4
    a, b = ThalamicMassModel(seed=4), ThalamicMassModel(seed=4)
    for iv in a.init_vars:
        assert np.array_equal(a.params[iv], b.params[iv]), iv


def test_shapes_and_states():
    m = noisy_model(duration=5.0)
    m.run()
    assert m.startindt == 1
    assert m.t.shape == (500,)
    np.testing.assert_allclose(m.t, np.arange(1, 501) * DT, rtol=0, atol=1e-12)
    for name in OUTPUTS:
        assert m[name].shape == (1, 500)
        assert np.all(np.isfinite(m[name]))
        assert m.state[name].shape == (1, 1)
        assert m.state[name][0, 0] == m[name][0, -1]
    for name in OTHER:
        assert np.shape(m.state[name]) in ((1,), ()), name


@pytest.mark.parametrize("chunksize", [1, 7, 333])
def test_chunkwise_equals_single_run_bitwise(chunksize):
    m = noisy_model()
    full = run_snapshot(m)
    state_full = {k: np.array(v, copy=True) for k, v in m.state.items()}
    chunked = run_snapshot(m, chunksize=chunksize, append_outputs=True)
    assert_bitwise_equal(full, chunked)
    for name in m.state_vars:
        assert np.array_equal(np.reshape(state_full[name], -1), np.reshape(m.state[name], -1)), name
    assert m.params["duration"] == 20.0


def test_noise_is_on():
    """Guard for the bitwise tests: d_phi really changes the output."""
    assert not np.array_equal(run_snapshot(noisy_model())["V_t"], run_snapshot(noisy_model(d_phi=0.0))["V_t"])


def test_continue_run_append_equals_single_run():
    m = noisy_model(duration=20.0)
    full = run_snapshot(m)
    m.params["duration"] = 12.0
    m.run()
    m.params["duration"] = 8.0
    m.run(continue_run=True, append_outputs=True)
    assert_bitwise_equal(full, snapshot(m))
    # without append: the last segment only (a fresh model: continuing wrote the end state into the init params)
    m = noisy_model(duration=12.0)
    m.run()
    m.params["duration"] = 8.0
    m.run(continue_run=True)
    assert np.array_equal(m.t, full["t"][1200:])
    for name in OUTPUTS:
        assert np.array_equal(m[name], full[name][:, 1200:]), name


def test_seeds():
    one = run_snapshot(noisy_model(seed=5))
    assert_bitwise_equal(one, run_snapshot(noisy_model(seed=5)))
    other = noisy_model(seed=5)
    other.params["seed"] = 6  # same initial values, different noise
    assert not np.array_equal(one["V_t"], run_snapshot(other)["V_t"])
    m = noisy_model(seed=5)
    m.params["seed"] = None
    assert not np.array_equal(run_snapshot(m)["V_t"], run_snapshot(m)["V_t"]), "seed None must give fresh noise"


def bold_model():
    m = ThalamicMassModel(seed=2)
    m.params.update(duration=4100.0, d_phi=1e-3)  # weak noise: ds_et is a random walk (see module docstring)
    return m


def test_bold_shapes():
    m = bold_model()
    m.run(bold=True)
    assert m.output.shape == (1, 410000)
    assert np.all(np.isfinite(m.output))
    # BOLD sampling interval round(2000 / 0.01) = 200000 steps: global samples 1, 200001, 400001
    assert m.BOLD.BOLD.shape == (1, 3)
    assert m.BOLD.t_BOLD.shape == (3,)
    np.testing.assert_allclose(m.BOLD.t_BOLD, [0.01, 2000.01, 4000.01], atol=1e-6)
    assert np.all(np.isfinite(m.BOLD.BOLD))
    assert m["BOLD.BOLD"] is m.BOLD.BOLD
    da = m.xr("BOLD")
    assert da.dims == ("output", "space", "time")
    assert list(da.coords["output"].values) == ["BOLD"]
    # a fresh run restarts BOLD
    first = m.BOLD.BOLD.copy()
    m.run(bold=True)
    assert np.array_equal(m.BOLD.BOLD, first)


@pytest.mark.parametrize("chunksize", [70001, 200000])
def test_chunkwise_bold_equals_single_run(chunksize):
    m = bold_model()
    m.run(bold=True)
    bold, t_bold = m.BOLD.BOLD.copy(), m.BOLD.t_BOLD.copy()
    out = snapshot(m)
    m.run(chunksize=chunksize, bold=True, append_outputs=True)
    assert np.array_equal(m.BOLD.t_BOLD, t_bold)
    assert np.array_equal(m.BOLD.BOLD, bold)
    assert_bitwise_equal(out, snapshot(m))


def test_xr():
    m = noisy_model(duration=5.0)
    m.run()
    da = m.xr()
    assert da.dims == ("output", "space", "time")
    assert da.shape == (4, 1, 500)
    assert list(da.coords["output"].values) == list(OUTPUTS)
    assert np.array_equal(da.coords["space"].values, [0])
    assert np.array_equal(da.coords["time"].values, m.t)
    for name in OUTPUTS:
        assert np.array_equal(da.loc[name].values, m[name])


def test_no_network():
    with pytest.raises(TypeError):
        ThalamicMassModel(Cmat=np.ones((2, 2)))
    with pytest.raises(TypeError):
        ThalamicMassModel(params=None, Cmat=np.ones((2, 2)), Dmat=np.ones((2, 2)))


def test_random_ics_keep_shapes():
    m = noisy_model(duration=2.0)
    m.run()
    m.run(continue_run=True)  # init params now hold the last state
    before = {iv: np.shape(m.params[iv]) for iv in m.init_vars}
    values = {iv: np.array(m.params[iv], copy=True) for iv in m.init_vars}
    m.randomICs()
    for iv in m.init_vars:
        assert np.shape(m.params[iv]) == before[iv], iv
    assert not np.array_equal(m.params["V_t_init"], values["V_t_init"])
    m.run()
    assert m.output.shape == (1, 200)
    for name in OUTPUTS:
        assert m.state[name].shape == (1, 1)


def test_misspelt_parameter():
    m = ThalamicMassModel(seed=0)
    with pytest.raises(KeyError, match="d_phi"):
        m.params["d_phii"] = 0.1
    with pytest.raises(KeyError):
        m.params.update(ext_curent_t=0.1)
    assert "d_phii" not in m.params
