"""The public ``Model`` contract, checked for every model in ``ALL_MODELS`` (see conftest.py).

Covers defaults, output/state shapes and the time axis, output access (item, attribute, ``xr()``),
bitwise equality of chunkwise, continued and single runs (noise on, fixed seed), seeding, BOLD,
``sampling_dt``, time-varying inputs, ``randomICs`` and pickling of the parameters.
"""

import copy
import pickle

import numpy as np
import pytest

DT = 0.1


# ---------------------------------------------------------------------------------------------- helpers
def snapshot(model):
    """Copies of ``t`` and every output variable (so later runs cannot alias them)."""
    out = {"t": np.array(model.t, copy=True)}
    for name in model.output_vars:
        out[name] = np.array(model[name], copy=True)
    return out


def assert_bitwise_equal(a, b):
    assert a.keys() == b.keys()
    for key in a:
        assert a[key].shape == b[key].shape, f"{key}: shape {a[key].shape} != {b[key].shape}"
        assert np.array_equal(a[key], b[key]), f"{key}: values differ (max |diff| {np.max(np.abs(a[key] - b[key]))})"


def run_snapshot(model, **kwargs):
    model.run(**kwargs)
    return snapshot(model)


# ---------------------------------------------------------------------------------------------- defaults
def test_defaults_load(model_cls):
    model = model_cls()
    declared = [p.name for p in model_cls.spec.params]
    for name in declared:
        assert name in model.params, f"default parameter {name!r} missing"
        if name != "seed":
            assert model.params[name] is not None, f"default parameter {name!r} is None"
    assert model.params["seed"] is None
    assert model.params["N"] == 1
    assert np.array_equal(model.params["Cmat"], np.zeros((1, 1)))
    assert np.array_equal(model.params["lengthMat"], np.zeros((1, 1)))
    assert model.params["dt"] > 0 and model.params["duration"] > 0
    # every init var exists and is (N, 1) for buffered variables or (N,) for OU states
    for iv in model.init_vars:
        assert np.shape(model.params[iv]) in ((1, 1), (1,)), (iv, np.shape(model.params[iv]))
    assert model.default_output in model.output_vars
    assert set(model.output_vars) <= set(model.state_vars)
    assert len(model.init_vars) == len(model.state_vars)


def test_network_defaults(model_cls):
    Cmat = np.ones((4, 4))
    Dmat = np.full((4, 4), 10.0)
    model = model_cls(Cmat=Cmat, Dmat=Dmat, seed=3)
    assert model.params["N"] == 4
    assert np.array_equal(np.diag(model.params["Cmat"]), np.zeros(4)), "Cmat diagonal must be zeroed"
    assert np.array_equal(Cmat, np.ones((4, 4))), "the caller's Cmat must not be modified"
    assert np.array_equal(model.params["lengthMat"], Dmat)
    assert model.params["seed"] == 3
    for iv in model.init_vars:
        assert np.shape(model.params[iv])[0] == 4


def test_seeded_defaults_reproducible(model_cls):
    a, b = model_cls(seed=11), model_cls(seed=11)
    for iv in a.init_vars:
        assert np.array_equal(a.params[iv], b.params[iv])


# ---------------------------------------------------------------------------------------------- shapes, time
@pytest.mark.parametrize("N", [1, 3])
def test_run_shapes(model_cls, delayed_network, N):
    if N == 1:
        model = model_cls(seed=0)
        model.params["duration"] = 10.0
    else:
        model = delayed_network(model_cls, duration=10.0)
    T = 100
    model.run()
    assert model.t.shape == (T,)
    for name in model.output_vars:
        assert model[name].shape == (N, T), name
    assert model.output.shape == (N, T)
    assert model.startindt == model.getMaxDelay() + 1
    if N > 1:
        assert model.startindt > 8, "test network should have delays longer than one engine block"
    assert model.state["t"].shape == (T,)
    for name in model.state_vars:
        s = model.state[name]
        assert s.ndim in (1, 2), name
        if s.ndim == 2:
            assert s.shape == (N, model.startindt), name
        else:
            assert s.shape == (N,), name
    for name in model.output_vars:
        assert model.state[name].ndim == 2
        # the state holds the last startindt columns of the output
        k = min(model.startindt, T)
        assert np.array_equal(model.state[name][:, -k:], model[name][:, -k:])


@pytest.mark.parametrize("dt,duration", [(0.1, 10.0), (0.05, 3.0), (0.2, 0.2), (0.1, 0.1)])
def test_time_axis(model_cls, dt, duration):
    model = model_cls(seed=0)
    model.params["dt"] = dt
    model.params["duration"] = duration
    model.run()
    T = int(round(duration / dt))
    assert model.t.shape == (T,)
    np.testing.assert_allclose(model.t, np.arange(1, T + 1) * dt, rtol=0, atol=1e-9)
    assert model.t[0] == pytest.approx(dt)
    assert model.t[-1] == pytest.approx(duration)
    assert model.output.shape == (1, T)


def test_run_returns_none_and_outputs_finite(model_cls, delayed_network):
    model = delayed_network(model_cls)
    assert model.run() is None
    for name in model.output_vars:
        assert np.all(np.isfinite(model[name])), name


# ---------------------------------------------------------------------------------------------- access
def test_output_access(model_cls):
    model = model_cls(seed=0)
    model.params["duration"] = 5.0
    model.run()
    for name in model.output_vars:
        assert model[name] is model.outputs[name]
        assert getattr(model, name) is model.outputs[name]
        assert model.getOutput(name) is model.outputs[name]
    assert model["t"] is model.outputs["t"]
    assert model.t is model.outputs["t"]
    assert np.array_equal(model.output, model[model.default_output])
    with pytest.raises(AssertionError):
        model["no_such_output"]
    with pytest.raises(AttributeError):
        model.no_such_output  # noqa: B018
    root = model.getOutputs()
    assert set(root) == {"t", *model.output_vars}


def test_xr(model_cls, delayed_network):
    model = delayed_network(model_cls, duration=5.0)
    model.run()
    da = model.xr()
    assert da.dims == ("output", "space", "time")
    assert list(da.coords["output"].values) == list(model.output_vars)
    assert np.array_equal(da.coords["space"].values, np.arange(3))
    assert np.array_equal(da.coords["time"].values, model.t)
    assert da.shape == (len(model.output_vars), 3, 50)
    for name in model.output_vars:
        assert np.array_equal(da.loc[name].values, model[name])


# ---------------------------------------------------------------------------------------------- chunkwise
@pytest.mark.parametrize("chunksize", [1, 7, 33, 100])
def test_chunkwise_equals_single_run_bitwise(model_cls, delayed_network, chunksize):
    model = delayed_network(model_cls, duration=20.0)
    assert model.getMaxDelay() > chunksize or chunksize >= 33  # small chunks are shorter than the delays
    full = run_snapshot(model)
    chunked = run_snapshot(model, chunkwise=True, chunksize=chunksize, append_outputs=True)
    assert_bitwise_equal(full, chunked)


def test_chunkwise_final_state_equals_single_run(model_cls, delayed_network):
    model = delayed_network(model_cls, duration=20.0)
    model.run()
    state_full = {k: np.array(v, copy=True) for k, v in model.state.items()}
    model.run(chunksize=7, append_outputs=True)
    for name in model.state_vars:
        assert np.array_equal(state_full[name], model.state[name]), name


def test_chunkwise_without_append_keeps_last_chunk(model_cls, delayed_network):
    model = delayed_network(model_cls, duration=20.0)
    full = run_snapshot(model)
    model.run(chunksize=60)  # 200 steps: chunks of 60, 60, 60, 20
    assert model.t.shape == (20,)
    assert np.array_equal(model.t, full["t"][-20:])
    for name in model.output_vars:
        assert np.array_equal(model[name], full[name][:, -20:])


def test_chunkwise_does_not_mutate_duration(model_cls, delayed_network):
    model = delayed_network(model_cls, duration=20.0)
    model.run(chunksize=33, append_outputs=True)
    assert model.params["duration"] == 20.0


def test_noise_is_on_in_network_fixture(model_cls, delayed_network):
    """Guard for the bitwise tests: the fixture's noise really changes the output."""
    noisy = delayed_network(model_cls, sigma=0.05)
    quiet = delayed_network(model_cls, sigma=0.0)
    assert not np.array_equal(run_snapshot(noisy)[noisy.default_output], run_snapshot(quiet)[quiet.default_output])


# ---------------------------------------------------------------------------------------------- continue_run
def test_continue_run_append_equals_single_run(model_cls, delayed_network):
    model = delayed_network(model_cls, duration=50.0)
    full = run_snapshot(model)

    model.params["duration"] = 30.0
    model.run()
    model.params["duration"] = 20.0
    model.run(continue_run=True, append_outputs=True)
    assert_bitwise_equal(full, snapshot(model))


def test_continue_run_without_append_gives_last_segment(model_cls, delayed_network):
    model = delayed_network(model_cls, duration=50.0)
    full = run_snapshot(model)
    model.params["duration"] = 30.0
    model.run()
    model.params["duration"] = 20.0
    model.run(continue_run=True)
    assert model.t.shape == (200,)
    assert np.array_equal(model.t, full["t"][300:])
    for name in model.output_vars:
        assert np.array_equal(model[name], full[name][:, 300:]), name


def test_continue_run_chunkwise(model_cls, delayed_network):
    model = delayed_network(model_cls, duration=50.0)
    full = run_snapshot(model)
    model.params["duration"] = 30.0
    model.run(chunksize=7, append_outputs=True)
    model.params["duration"] = 20.0
    model.run(continue_run=True, chunksize=33, append_outputs=True)
    assert_bitwise_equal(full, snapshot(model))


def test_fresh_run_after_continue_restarts(model_cls, delayed_network):
    """A run without continue_run restarts time, outputs and noise (from the current init params)."""
    model = delayed_network(model_cls, duration=20.0)
    model.run()
    model.run(continue_run=True, append_outputs=True)
    assert model.t.shape == (400,)
    twin = model_cls(params=copy.deepcopy(model.params))  # init params now hold the continued state
    again = run_snapshot(model)
    assert again["t"].shape == (200,)
    assert again["t"][0] == pytest.approx(DT)
    assert_bitwise_equal(again, run_snapshot(twin))


# ---------------------------------------------------------------------------------------------- seeds
def test_same_seed_different_chunking_equal(model_cls, delayed_network):
    a = delayed_network(model_cls, seed=5)
    b = delayed_network(model_cls, seed=5)
    out_a = run_snapshot(a, chunksize=7, append_outputs=True)
    out_b = run_snapshot(b, chunksize=33, append_outputs=True)
    assert_bitwise_equal(out_a, out_b)


def test_different_seeds_differ(model_cls, delayed_network):
    model = delayed_network(model_cls, seed=5)
    one = run_snapshot(model)
    model.params["seed"] = 6  # same initial values, different noise
    two = run_snapshot(model)
    assert not np.array_equal(one[model.default_output], two[model.default_output])
    model.params["seed"] = 5
    assert_bitwise_equal(one, run_snapshot(model))


def test_seed_none_gives_fresh_noise(model_cls, delayed_network):
    model = delayed_network(model_cls, seed=None)
    assert model.params["seed"] is None
    one = run_snapshot(model)
    two = run_snapshot(model)
    assert not np.array_equal(one[model.default_output], two[model.default_output])


def test_seed_none_without_noise_is_deterministic(model_cls, delayed_network):
    model = delayed_network(model_cls, seed=None, sigma=0.0)
    assert_bitwise_equal(run_snapshot(model), run_snapshot(model))


# ---------------------------------------------------------------------------------------------- BOLD
def bold_model(model_cls):
    model = model_cls(seed=2)
    model.params["duration"] = 4100.0
    model.params["sigma_ou"] = 0.01
    return model


def test_bold_shapes(model_cls):
    model = bold_model(model_cls)
    model.run(bold=True)
    assert model.BOLD.BOLD.shape == (1, 3)
    assert model.BOLD.t_BOLD.shape == (3,)
    assert model.outputs["BOLD"]["BOLD"] is model.BOLD.BOLD
    assert model["BOLD.BOLD"] is model.BOLD.BOLD
    np.testing.assert_allclose(model.BOLD.t_BOLD, [0.1, 2000.1, 4000.1], atol=1e-6)
    assert np.all(np.isfinite(model.BOLD.BOLD))
    assert np.all(np.diff(model.BOLD.t_BOLD) > 0)
    da = model.xr("BOLD")
    assert da.dims == ("output", "space", "time")
    assert list(da.coords["output"].values) == ["BOLD"]
    assert np.array_equal(da.coords["time"].values, model.BOLD.t_BOLD)
    # neural outputs are stored as without BOLD
    assert model.output.shape == (1, 41000)


@pytest.mark.parametrize("chunksize", [1000, 3000])
def test_chunkwise_bold_equals_single_run(model_cls, chunksize):
    model = bold_model(model_cls)
    model.run(bold=True)
    bold, t_bold = model.BOLD.BOLD.copy(), model.BOLD.t_BOLD.copy()
    out = snapshot(model)
    model.run(chunksize=chunksize, bold=True, append_outputs=True)
    assert np.array_equal(model.BOLD.t_BOLD, t_bold)
    assert np.array_equal(model.BOLD.BOLD, bold)
    assert_bitwise_equal(out, snapshot(model))


def test_bold_restarts_on_fresh_run(model_cls):
    model = bold_model(model_cls)
    model.run(bold=True)
    first = model.BOLD.BOLD.copy()
    model.run(bold=True)
    assert np.array_equal(model.BOLD.BOLD, first)
    assert model.BOLD.t_BOLD.shape == (3,)


def test_no_bold_output_without_bold(model_cls):
    model = model_cls(seed=0)
    model.params["duration"] = 5.0
    model.run()
    assert "BOLD" not in model.outputs


# ---------------------------------------------------------------------------------------------- sampling_dt
@pytest.mark.parametrize("k", [1, 3, 5])
def test_sampling_dt_single_run(model_cls, delayed_network, k):
    model = delayed_network(model_cls, duration=20.0)
    full = run_snapshot(model)
    model.params["sampling_dt"] = k * DT
    sub = run_snapshot(model)
    assert np.array_equal(sub["t"], full["t"][::k])
    for name in model.output_vars:
        assert np.array_equal(sub[name], full[name][:, ::k]), name


@pytest.mark.parametrize("k,chunksize", [(3, 10), (3, 3), (5, 7), (2, 33), (4, 200), (3, 1), (5, 2)])
def test_sampling_dt_chunkwise(model_cls, delayed_network, k, chunksize):
    model = delayed_network(model_cls, duration=20.0)
    full = run_snapshot(model)
    model.params["sampling_dt"] = k * DT
    sub = run_snapshot(model, chunksize=chunksize, append_outputs=True)
    assert np.array_equal(sub["t"], full["t"][::k])
    for name in model.output_vars:
        assert np.array_equal(sub[name], full[name][:, ::k]), name


def test_sampling_dt_continue_run(model_cls, delayed_network):
    model = delayed_network(model_cls, duration=50.0)
    full = run_snapshot(model)
    model.params["sampling_dt"] = 3 * DT
    model.params["duration"] = 20.0  # 200 steps: not a multiple of 3
    model.run()
    model.params["duration"] = 30.0
    model.run(continue_run=True, append_outputs=True)
    assert np.array_equal(model.t, full["t"][::3])
    for name in model.output_vars:
        assert np.array_equal(model[name], full[name][:, ::3]), name


# ---------------------------------------------------------------------------------------------- inputs
def time_varying_input(N, T, seed=0):
    rng = np.random.default_rng(seed)
    t = np.arange(T) * DT
    return 0.2 * np.sin(2 * np.pi * t / 7.0)[None, :] + 0.05 * rng.standard_normal((N, T))


@pytest.mark.parametrize("chunksize", [1, 7, 33])
def test_time_varying_input_chunkwise_equals_single(model_cls, delayed_network, chunksize):
    model = delayed_network(model_cls, duration=20.0)
    name = model.input_vars[0]
    baseline = run_snapshot(model)
    model.params[name] = time_varying_input(3, 200)
    full = run_snapshot(model)
    assert not np.array_equal(full[model.default_output], baseline[model.default_output]), "input had no effect"
    chunked = run_snapshot(model, chunksize=chunksize, append_outputs=True)
    assert_bitwise_equal(full, chunked)


def test_time_varying_input_broadcast_row(model_cls, delayed_network):
    """A (1, T) series drives every node like the same (N, T) series repeated."""
    model = delayed_network(model_cls, duration=10.0)
    name = model.input_vars[0]
    row = time_varying_input(1, 100)
    model.params[name] = row
    one = run_snapshot(model)
    model.params[name] = np.repeat(row, 3, axis=0)
    assert_bitwise_equal(one, run_snapshot(model))


def test_constant_input_equals_constant_series(model_cls, delayed_network):
    model = delayed_network(model_cls, duration=10.0)
    name = model.input_vars[0]
    model.params[name] = np.full(3, 0.3)
    a = run_snapshot(model)
    model.params[name] = np.full((3, 100), 0.3)
    assert_bitwise_equal(a, run_snapshot(model))


# ---------------------------------------------------------------------------------------------- randomICs
@pytest.mark.filterwarnings("ignore:.*became NaN or inf:RuntimeWarning")  # ALN: negative variances
def test_random_ics(model_cls, delayed_network):
    model = delayed_network(model_cls)
    N = model.params["N"]
    before = {iv: np.array(model.params[iv], copy=True) for iv in model.init_vars}
    model.randomICs()
    for iv in model.init_vars:
        new = np.asarray(model.params[iv])
        expected = (N, 1) if before[iv].ndim == 2 else (N,)
        assert new.shape == expected, (iv, new.shape)
        assert np.all((new >= 0) & (new < 1)), iv
        assert not np.array_equal(new, before[iv].reshape(new.shape)), f"{iv} was not redrawn"
    model.randomICs(min=-2.0, max=-1.0)
    for iv in model.init_vars:
        new = np.asarray(model.params[iv])
        assert np.all((new >= -2.0) & (new < -1.0)), iv
    model.params["duration"] = 5.0
    model.run()
    assert model.output.shape == (N, 50)


def test_random_ics_from_history(model_cls, delayed_network):
    """After a run the init params carry a multi-column history; randomICs resets them to (N, 1)."""
    model = delayed_network(model_cls)
    model.run()
    model.run(continue_run=True)  # continuing writes the delay history into the init params
    for iv, sv in zip(model.init_vars, model.state_vars):
        if np.ndim(model.state[sv]) == 2:
            assert np.shape(model.params[iv]) == (3, model.startindt)
    model.randomICs()
    for iv in model.init_vars:
        assert np.shape(model.params[iv]) in ((3, 1), (3,))


# ---------------------------------------------------------------------------------------------- pickling
def test_params_pickle_roundtrip(model_cls, delayed_network):
    model = delayed_network(model_cls)
    params = model.params
    for restored in (pickle.loads(pickle.dumps(params)), copy.deepcopy(params)):
        assert type(restored) is type(params)
        assert restored.keys() == params.keys()
        for key, value in params.items():
            array = isinstance(value, np.ndarray)
            assert np.array_equal(restored[key], value) if array else restored[key] == value, key
        assert restored.sigma_ou == params["sigma_ou"]
        with pytest.raises(KeyError, match="sigma_ou"):
            restored["sigma_uo"] = 1.0
        # a model built from restored params reproduces the run
        twin = model_cls(params=restored)
        assert_bitwise_equal(run_snapshot(model), run_snapshot(twin))
