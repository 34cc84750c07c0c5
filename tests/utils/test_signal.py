"""Tests for neurolib.utils.signal: construction, I/O round trip, processing against scipy, iteration, apply."""

import functools
import logging
import sys

import numpy as np
import pytest
import scipy.signal
import xarray as xr

from neurolib.utils import functions as func
from neurolib.utils.signal import BOLDSignal, RatesSignal, Signal, VoltageSignal, scipy_iir_filter_data

FS = 10000.0  # Hz (dt = 0.1 ms)
N_TIME = 4000


def _data(seed=0, n_time=N_TIME):
    """(output, space, time) test data, time in ms at 0.1 ms."""
    rng = np.random.default_rng(seed)
    t = np.arange(n_time) * 0.1
    values = rng.standard_normal((2, 3, n_time)) + np.sin(2 * np.pi * 0.01 * t)  # 10 Hz
    return xr.DataArray(
        values,
        dims=("output", "space", "time"),
        coords={"output": ["rates_exc", "rates_inh"], "space": np.arange(3), "time": t},
    )


@pytest.fixture
def sig():
    return RatesSignal(_data(), time_in_ms=True)


@pytest.fixture
def no_mne(monkeypatch):
    """Make ``import mne`` fail so that the scipy fallback is used even where mne is installed."""
    monkeypatch.setitem(sys.modules, "mne", None)


# ---------------------------------------------------------------- construction and metadata


def test_construction_and_properties(sig):
    assert sig.shape == (2, 3, N_TIME)
    assert sig.data.dims == ("output", "space", "time")
    assert sig.dt == 0.0001 and sig.sampling_frequency == FS
    assert sig.start_time == 0.0 and sig.end_time == 0.3999
    np.testing.assert_array_equal(sig.time, np.around(np.arange(N_TIME) * 1e-4, 6))
    assert sig.dims_not_time == ["output", "space"]
    assert list(sig.coords_not_time) == ["output", "space"]
    assert sig.process_steps == ["raw rate signal: 0.0--0.3999s"]
    assert sig.preprocessing_steps == "raw rate signal: 0.0--0.3999s"
    text = str(sig)
    for part in ("Population firing rate", "rate", "Hz", "(2, 3, 4000)", "0.3999"):
        assert part in text
    assert repr(sig) == text


def test_time_moved_last_and_input_copied():
    data = _data().transpose("time", "space", "output")
    sig = Signal(data)
    assert sig.data.dims == ("space", "output", "time")
    sig.data[...] = 0.0
    assert np.any(data.values != 0.0)
    assert sig.end_time == 399.9  # time_in_ms=False keeps the unit


def test_construction_errors():
    with pytest.raises(AssertionError):
        Signal(np.zeros((3, 10)))
    with pytest.raises(AssertionError, match="needs a .time. dimension"):
        Signal(xr.DataArray(np.zeros((3, 10)), dims=("space", "t")))


@pytest.mark.parametrize(
    "cls, name, label, signal_type, unit",
    [
        (RatesSignal, "Population firing rate", "q", "rate", "Hz"),
        (VoltageSignal, "Population mean membrane potential", "V", "voltage", "mV"),
        (BOLDSignal, "Population blood oxygen level-dependent signal", "BOLD", "bold", "%"),
        (Signal, "", "", "", ""),
    ],
)
def test_subclass_metadata(cls, name, label, signal_type, unit):
    assert (cls.name, cls.label, cls.signal_type, cls.unit, cls.description) == (name, label, signal_type, unit, "")


def test_from_model_output():
    from neurolib.models.hopf import HopfModel

    model = HopfModel(Cmat=np.array([[0.0, 1.0], [1.0, 0.0]]), Dmat=np.zeros((2, 2)), seed=1)
    model.params.duration = 200.0
    model.run()
    sig = VoltageSignal.from_model_output(model)
    assert sig.data.dims == ("output", "space", "time")
    assert list(sig.data.output.values) == ["x", "y"]
    np.testing.assert_allclose(sig.time, np.around(model.t / 1000.0, 6))
    assert sig.dt == 0.0001
    np.testing.assert_array_equal(sig["x"].data.values, model.x)
    with pytest.raises(AssertionError):
        Signal.from_model_output(object())


def test_getitem_and_eq(sig, caplog):
    exc = sig["rates_exc"]
    assert isinstance(exc, RatesSignal)
    assert exc.shape == (3, N_TIME)
    assert exc.process_steps[-1] == "select `rates_exc` output"
    assert sig.process_steps == ["raw rate signal: 0.0--0.3999s"]
    other = RatesSignal(_data(), time_in_ms=True)
    other.description = "changed"
    with caplog.at_level(logging.WARNING):
        assert sig == other
    assert "description" in caplog.text
    assert not (sig == RatesSignal(_data(seed=1), time_in_ms=True))


def test_inplace_false_returns_new_instance(sig):
    sig.description = "test signal"
    new = sig.normalize(inplace=False)
    assert isinstance(new, RatesSignal) and new is not sig
    assert new.description == "test signal"
    assert new.process_steps == sig.process_steps + ["normalize"]
    assert sig.normalize() is None
    assert sig == new


# ---------------------------------------------------------------- save / from_file


def test_save_from_file_round_trip(sig, tmp_path):
    sig.description = "round trip"
    sig.normalize(std=True)
    sig.sel([0.01, 0.3])
    sig.save(tmp_path / "signal")  # .nc appended
    assert (tmp_path / "signal.nc").exists()
    loaded = RatesSignal.from_file(tmp_path / "signal")
    xr.testing.assert_identical(loaded.data, sig.data)
    for name, coord in sig.data.coords.items():
        assert loaded.data[name].dtype == coord.dtype, name
    for attr in Signal._copy_attributes:
        assert getattr(loaded, attr) == getattr(sig, attr), attr
    assert loaded.dt == sig.dt and loaded.sampling_frequency == sig.sampling_frequency
    assert sig.data.attrs == {}  # saving does not touch the signal


def test_round_trip_user_dims_and_attrs(tmp_path):
    data = xr.DataArray(
        np.arange(30, dtype=np.int64).reshape(3, 10),
        dims=("regions", "time"),
        coords={"time": np.arange(10) * 0.5},
        attrs={"subject": "NAP_001", "dt": 99.0},
    )
    sig = Signal(data)
    sig.name, sig.unit = "custom", "a.u."
    sig.save(str(tmp_path / "user.nc"))
    loaded = Signal.from_file(str(tmp_path / "user.nc"))
    xr.testing.assert_identical(loaded.data, sig.data)
    assert loaded.data.dtype == np.int64
    assert (loaded.name, loaded.unit, loaded.process_steps) == ("custom", "a.u.", sig.process_steps)
    assert loaded.subject == "NAP_001"
    assert loaded.dt == 0.5 and loaded.data.attrs["dt"] == 99.0  # file attrs never replace core attributes


def test_from_file_without_metadata(tmp_path, caplog):
    _data().to_netcdf(tmp_path / "plain.nc", engine="scipy")
    with caplog.at_level(logging.WARNING):
        loaded = BOLDSignal.from_file(tmp_path / "plain.nc")
    assert "No metadata found, setting empty..." in caplog.text
    assert loaded.process_steps == ["raw bold signal: 0.0--399.9s"]


def test_save_complex_raises(sig, tmp_path):
    sig.hilbert_transform("complex")
    with pytest.raises(ValueError, match="complex"):
        sig.save(tmp_path / "complex")


# ---------------------------------------------------------------- selection


def test_sel_and_isel(sig):
    selected = sig.sel([0.01, 0.02], inplace=False)
    assert selected.start_time == 0.01 and selected.end_time == 0.02
    assert selected.shape[-1] == 101  # label slice is inclusive
    assert selected.process_steps[-1] == "select 0.01:0.02s"
    with pytest.raises(AssertionError):
        sig.sel([0.01])
    indexed = sig.isel([100, 201], inplace=False)
    xr.testing.assert_identical(indexed.data, selected.data)
    assert indexed.process_steps[-1] == "select 0.01:0.02s"
    sig.isel([None, 50])
    assert sig.shape[-1] == 50 and sig.end_time == 0.0049


def test_rolling_matches_centered_moving_average(sig):
    rolled = sig.rolling(0.0011, inplace=False)  # 11 samples
    kernel = np.ones(11) / 11
    expected = np.apply_along_axis(lambda x: np.convolve(x, kernel, mode="valid"), -1, sig.data.values)
    np.testing.assert_allclose(rolled.data.values, expected, atol=1e-12)
    np.testing.assert_array_equal(rolled.time, sig.time[5:-5])
    assert rolled.process_steps[-1] == "rolling mean over 0.0011s; drop NaNs"
    kept = sig.rolling(0.0011, function=np.std, dropnans=False, inplace=False)
    assert kept.shape == sig.shape and np.isnan(kept.data.values[..., :5]).all()
    np.testing.assert_allclose(kept.data.values[0, 0, 5], np.std(sig.data.values[0, 0, :11]), atol=1e-12)
    with pytest.raises(ValueError, match="roll_over"):
        sig.rolling(1.0)


def test_sliding_window(sig):
    windows = list(sig.sliding_window(1000, step=700, window_function="hann"))
    assert len(windows) == len(range(0, N_TIME - 1000 + 1, 700)) == 5
    taper = scipy.signal.get_window("hann", 1000)
    for k, window in enumerate(windows):
        start = 700 * k
        np.testing.assert_allclose(window.data.values, sig.data.values[..., start : start + 1000] * taper)
        assert window.time[0] == sig.time[start]
        assert window.process_steps[-1] == f"hann window: {start}:{start + 1000}"
        assert isinstance(window, RatesSignal)
    assert len(list(sig.sliding_window(0.1, step=0.1, lengths_in_seconds=True))) == 4
    with pytest.raises(AssertionError):
        next(sig.sliding_window(N_TIME))
    with pytest.raises(AssertionError):
        next(sig.sliding_window(100, step=200))


def test_iterate(sig):
    items = list(sig.iterate())
    assert len(items) == 6
    name, first = items[0]
    assert name == {"output": "rates_exc", "space": 0}
    assert isinstance(first, RatesSignal) and first.shape == (1, N_TIME)
    np.testing.assert_array_equal(first.data.values[0], sig.data.values[0, 0])
    assert first.process_steps[-1] == "select output=rates_exc, space=0"
    labels = [label for label, _ in sig.iterate(return_as="xr")]
    assert labels == [(o, s) for o in ("rates_exc", "rates_inh") for s in range(3)]
    series = next(sig.iterate("xr"))[1]
    assert isinstance(series, xr.DataArray) and series.shape == (N_TIME,)
    with pytest.raises(ValueError, match=r"iterate\(return_as='numpy'\): expected 'signal' or 'xr'"):
        next(sig.iterate("numpy"))
    one_d = RatesSignal(sig.data.isel(output=0, space=0))
    assert list(one_d.iterate()) == [({}, one_d)]


def test_issue7_item8_iterate_keeps_singleton_space(sig):
    """Multi-dimensional data: each yielded signal keeps a length-1 space dimension, (1, T), as upstream."""
    for name, single in sig.iterate(return_as="signal"):
        assert isinstance(single, RatesSignal)
        assert single.shape == (1, N_TIME)
        assert single.data.dims == ("space", "time")
        assert single.data["space"].values.tolist() == [name["space"]]
        assert single.data["output"].item() == name["output"]  # the other dims stay as scalar coordinates
        np.testing.assert_array_equal(single.data.values[0], sig.data.sel(**name).values)
    # 2-D (space, time) data: also (1, T)
    rates = sig["rates_exc"]
    shapes = {single.shape for _, single in rates.iterate(return_as="signal")}
    assert shapes == {(1, N_TIME)}
    # 1-D data: the signal itself, (T,)
    one_d = RatesSignal(rates.data.isel(space=0))
    [(name, same)] = list(one_d.iterate(return_as="signal"))
    assert name == {} and same.shape == (N_TIME,)


# ---------------------------------------------------------------- processing against numpy / scipy


def test_pad(sig):
    padded = sig.pad(20, side="both", constant_values=7.0, inplace=False)
    assert padded.shape[-1] == N_TIME + 40
    np.testing.assert_array_equal(padded.data.values[..., :20], 7.0)
    np.testing.assert_array_equal(padded.data.values[..., 20:-20], sig.data.values)
    np.testing.assert_allclose(np.diff(padded.time), sig.dt, atol=1e-9)
    assert padded.start_time == -0.002 and padded.end_time == 0.4019
    assert padded.process_steps[-1] == "0.002s constant both sides padding"
    after = sig.pad(0.001, in_seconds=True, padding_type="reflect", side="after", inplace=False)
    assert after.shape[-1] == N_TIME + 10 and after.start_time == 0.0
    np.testing.assert_array_equal(after.data.values[..., -10:], sig.data.values[..., -2:-12:-1])
    with pytest.raises(ValueError, match=r"pad\(side='middle'\)"):
        sig.pad(5, side="middle")


def test_normalize(sig):
    values = sig.data.values
    sig.normalize(std=True)
    expected = (values - values.mean(-1, keepdims=True)) / values.std(-1, keepdims=True)
    np.testing.assert_allclose(sig.data.values, expected, atol=1e-12)
    assert sig.process_steps[-2:] == ["normalize", "standardize"]


def test_detrend(sig):
    values = sig.data.values + np.linspace(0, 50, N_TIME)
    trended = RatesSignal(sig.data.copy(data=values))
    out = trended.detrend(inplace=False)
    np.testing.assert_allclose(out.data.values, scipy.signal.detrend(values, axis=-1), atol=1e-12)
    assert out.process_steps[-1] == "detrend"
    pieces = trended.detrend(segments=[1000, 2500], inplace=False)
    np.testing.assert_allclose(pieces.data.values, scipy.signal.detrend(values, axis=-1, bp=[1000, 2500]), atol=1e-12)
    assert pieces.process_steps[-1] == "detrend with segments: [1000, 2500]"


def test_hilbert_transform(sig):
    analytic = scipy.signal.hilbert(sig.data.values, axis=-1)
    expected = {
        "complex": analytic,
        "amplitude": np.abs(analytic),
        "phase_wrapped": np.angle(analytic),
        "phase_unwrapped": np.unwrap(np.angle(analytic), axis=-1),
    }
    for how, values in expected.items():
        out = sig.hilbert_transform(how, inplace=False)
        np.testing.assert_allclose(out.data.values, values, atol=1e-12)
    wrapped = sig.hilbert_transform("phase_wrapped", inplace=False).data.values
    assert wrapped.min() > -np.pi - 1e-12 and wrapped.max() <= np.pi
    with pytest.raises(ValueError, match=r"hilbert_transform\(return_as='phase'\)"):
        sig.hilbert_transform("phase")


@pytest.mark.parametrize(
    "low, high, btype, edges, step",
    [
        (None, 30.0, "lowpass", 30.0, "filter: low xHz - high 30.0Hz"),
        (5.0, None, "highpass", 5.0, "filter: low 5.0Hz - high xHz"),
        (5.0, 30.0, "bandpass", [5.0, 30.0], "filter: low 5.0Hz - high 30.0Hz"),
        (30.0, 5.0, "bandstop", [5.0, 30.0], "filter: low 30.0Hz - high 5.0Hz"),
    ],
)
def test_filter_scipy_fallback(sig, no_mne, caplog, low, high, btype, edges, step):
    with caplog.at_level(logging.WARNING):
        out = sig.filter(low, high, inplace=False)
    assert "`mne` module not found" in caplog.text
    sos = scipy.signal.butter(8, np.asarray(edges) / (FS / 2), btype=btype, output="sos")
    np.testing.assert_allclose(out.data.values, scipy.signal.sosfiltfilt(sos, sig.data.values, axis=-1), atol=1e-12)
    assert out.process_steps[-1] == step


def test_filter_removes_out_of_band_sine(no_mne):
    t = np.arange(20000) * 0.1  # ms
    data = xr.DataArray(
        np.sin(2 * np.pi * 0.01 * t) + np.sin(2 * np.pi * 0.1 * t), dims="time", coords={"time": t}
    )  # 10 Hz + 100 Hz
    sig = Signal(data, time_in_ms=True)
    sig.filter(None, 40.0, order=4)
    np.testing.assert_allclose(sig.data.values[2000:-2000], np.sin(2 * np.pi * 0.01 * t)[2000:-2000], atol=1e-3)


def test_scipy_iir_filter_data():
    x = np.random.default_rng(3).standard_normal((2, 3, 500))
    out = scipy_iir_filter_data(x, 1000.0, 10.0, 50.0, order=4)
    assert out.shape == x.shape
    sos = scipy.signal.butter(4, [0.02, 0.1], btype="bandpass", output="sos")
    np.testing.assert_allclose(out, scipy.signal.sosfiltfilt(sos, x, axis=-1), atol=1e-12)
    np.testing.assert_array_equal(scipy_iir_filter_data(x, 1000.0, None, None), x)
    with pytest.raises(ValueError, match="h_freq=600"):
        scipy_iir_filter_data(x, 1000.0, None, 600.0)


def test_resample_scipy_fallback(sig, no_mne, caplog):
    with caplog.at_level(logging.WARNING):
        down = sig.resample(200.0, inplace=False)
    assert "`mne` module not found" in caplog.text
    n_new = int(N_TIME * 200 / 10000)
    assert down.shape[-1] == n_new and down.dt == 0.005 and down.sampling_frequency == 200.0
    expected = scipy.signal.resample(sig.data.values, n_new, window="boxcar", axis=-1)
    np.testing.assert_allclose(down.data.values, expected, atol=1e-12)
    np.testing.assert_allclose(down.time, np.arange(n_new) * 0.005, atol=1e-12)
    assert down.process_steps[-1] == "resample to 200.0Hz"
    sig.resample(20000)
    assert sig.shape[-1] == 2 * N_TIME and sig.sampling_frequency == 20000.0 and sig.dt == 0.00005


# ---------------------------------------------------------------- functional connectivity and apply


def test_functional_connectivity(sig, caplog):
    fc = sig.functional_connectivity()
    assert fc.dims == ("output", "space", "space_2") and fc.shape == (2, 3, 3)
    for k, output in enumerate(sig.data.output.values):
        np.testing.assert_allclose(fc.sel(output=output).values, func.fc(sig.data.values[k]), atol=1e-12)
    np.testing.assert_allclose(sig.functional_connectivity(func.fc).values, fc.values, atol=1e-12)
    fc2 = sig["rates_inh"].functional_connectivity()
    assert fc2.dims == ("space", "space_2")
    np.testing.assert_allclose(fc2.values, func.fc(sig.data.values[1]), atol=1e-12)
    with caplog.at_level(logging.ERROR):
        assert sig.data.isel(space=[0]).pipe(RatesSignal).functional_connectivity() is None
    assert "Cannot compute functional connectivity from one timeseries." in caplog.text
    with pytest.raises(ValueError, match="space"):
        Signal(xr.DataArray(np.zeros((2, 5)), dims=("regions", "time"))).functional_connectivity()


def test_apply_shape_preserving(sig):
    values = sig.data.values.copy()
    new = sig.apply(np.abs, inplace=False)
    np.testing.assert_array_equal(new.data.values, np.abs(values))
    assert new.process_steps[-1] == "apply `absolute` function over time dim"
    assert sig.apply(lambda x: x * 2) is None
    np.testing.assert_array_equal(sig.data.values, values * 2)


def test_apply_shape_changing_returns_dataarray(sig, caplog):
    values = sig.data.values.copy()
    with caplog.at_level(logging.WARNING):
        out = sig.apply(functools.partial(np.mean, axis=-1), inplace=True)
    expected_msg = (
        "Shape changed after operation! Old shape: (2, 3, 4000), new shape: (2, 3); "
        "Cannot cast to Signal class, returing as `xr.DataArray`"
    )
    assert expected_msg in caplog.messages
    assert isinstance(out, xr.DataArray) and out.dims == ("output", "space")
    np.testing.assert_allclose(out.values, values.mean(-1), atol=1e-12)
    np.testing.assert_array_equal(sig.data.values, values)  # signal unchanged
    with pytest.raises(ValueError, match="diff"):
        sig.apply(np.diff)
