"""Tests for neurolib.utils.functions against independent numpy computations, on random data and model output."""

import logging

import numpy as np
import pytest

from neurolib.utils import functions as func

TOL = 1e-12


@pytest.fixture
def rng():
    return np.random.default_rng(12345)


# ---------------------------------------------------------------- independent reference implementations


def _pearson(a, b):
    a = a - a.mean()
    b = b - b.mean()
    return np.sum(a * b) / np.sqrt(np.sum(a * a) * np.sum(b * b))


def _upper(m):
    return m[np.triu(np.ones(m.shape, dtype=bool), k=1)]


def _naive_fcd(ts, windowsize, stepsize):
    fcs = [np.corrcoef(ts[:, t : t + windowsize]) for t in range(0, ts.shape[1] - windowsize, stepsize)]
    return np.array([[_pearson(a.ravel(), b.ravel()) for b in fcs] for a in fcs])


def _naive_ks(a, b):
    """max |F_a - F_b| over the pooled sample, from sorted samples."""
    a, b = np.sort(a), np.sort(b)
    pooled = np.concatenate([a, b])
    cdf_a = np.searchsorted(a, pooled, side="right") / a.size
    cdf_b = np.searchsorted(b, pooled, side="right") / b.size
    return np.max(np.abs(cdf_a - cdf_b))


def _naive_welch(x, dt, nperseg, maxfr):
    """One-sided Welch power spectrum: periodic Hann window, 50 % overlap, mean removed per segment."""
    fs = 1000.0 / dt
    n = np.arange(nperseg)
    window = 0.5 - 0.5 * np.cos(2 * np.pi * n / nperseg)  # periodic Hann
    step = nperseg - nperseg // 2
    spectra = []
    for start in range(0, x.size - nperseg + 1, step):
        seg = x[start : start + nperseg]
        seg = seg - seg.mean()
        spec = np.abs(np.fft.rfft(seg * window)) ** 2 / window.sum() ** 2
        spec[1:] *= 2
        if nperseg % 2 == 0:
            spec[-1] /= 2  # Nyquist bin is not doubled
        spectra.append(spec)
    freqs = np.fft.rfftfreq(nperseg, d=1.0 / fs)
    power = np.mean(spectra, axis=0)
    keep = freqs < maxfr
    return freqs[keep], power[keep]


def _naive_kuramoto(traces, distance, prominence):
    import scipy.signal

    phases = np.zeros(traces.shape)
    for n, trace in enumerate(traces):
        peaks = list(scipy.signal.find_peaks(trace, distance=distance, prominence=prominence)[0])
        bounds = [0] + peaks + [trace.size - 1]
        for a, b in zip(bounds[:-1], bounds[1:]):
            phases[n, a:b] = np.linspace(0, 2 * np.pi, b - a)
        phases[n, -1] = 2 * np.pi
    return np.abs(np.mean(np.cos(phases), axis=0) + 1j * np.mean(np.sin(phases), axis=0))


def _noisy_oscillations(rng, n=4, n_time=3000, period=40.0):
    t = np.arange(n_time)
    phase0 = rng.uniform(0, 2 * np.pi, (n, 1))
    return np.sin(2 * np.pi * t / period + phase0) * 10 + rng.standard_normal((n, n_time)) * 0.3


# ---------------------------------------------------------------- fc, matrix_correlation, weighted_correlation


def test_fc_matches_numpy(rng):
    ts = rng.standard_normal((7, 200))
    centred = ts - ts.mean(axis=1, keepdims=True)
    norm = np.sqrt(np.sum(centred**2, axis=1))
    expected = centred @ centred.T / np.outer(norm, norm)
    np.testing.assert_allclose(func.fc(ts), expected, atol=TOL)


def test_fc_constant_and_nan_rows_give_zero(rng):
    # documented: undefined correlations (constant row, NaN row) are set to 0, diagonal entry included
    ts = rng.standard_normal((4, 100))
    ts[1] = 3.0
    ts[2, 10] = np.nan
    out = func.fc(ts)
    for row in (1, 2):
        assert np.all(out[row] == 0) and np.all(out[:, row] == 0)
    assert out[0, 3] == pytest.approx(_pearson(ts[0], ts[3]), abs=TOL)
    assert out[0, 0] == pytest.approx(1.0, abs=TOL)


def test_matrix_correlation_matches_numpy(rng):
    a, b = rng.standard_normal((2, 9, 9))
    assert func.matrix_correlation(a, b) == pytest.approx(_pearson(_upper(a), _upper(b)), abs=TOL)


def test_matrix_correlation_constant_is_nan():
    with np.errstate(all="ignore"):
        assert np.isnan(func.matrix_correlation(np.ones((4, 4)), np.eye(4) + np.arange(16).reshape(4, 4)))


def test_weighted_correlation_matches_numpy(rng):
    x, y = rng.standard_normal((2, 50))
    w = rng.uniform(0, 2, 50)
    cov = np.cov(np.vstack([x, y]), aweights=w, bias=True)
    expected = cov[0, 1] / np.sqrt(cov[0, 0] * cov[1, 1])
    assert func.weighted_correlation(x, y, w) == pytest.approx(expected, abs=TOL)
    # equal weights: ordinary Pearson correlation
    assert func.weighted_correlation(x, y, np.ones(50)) == pytest.approx(_pearson(x, y), abs=TOL)


def test_weighted_correlation_degenerate_is_nan(rng):
    x = rng.standard_normal(10)
    assert np.isnan(func.weighted_correlation(x, np.ones(10), np.ones(10)))
    assert np.isnan(func.weighted_correlation(x, x, np.zeros(10)))
    x[3] = np.nan
    assert np.isnan(func.weighted_correlation(x, x, np.ones(10)))


# ---------------------------------------------------------------- fcd, Kolmogorov distances


def test_fcd_matches_naive(rng):
    ts = rng.standard_normal((6, 150))
    np.testing.assert_allclose(func.fcd(ts, windowsize=25, stepsize=8), _naive_fcd(ts, 25, 8), atol=TOL)


def test_fcd_window_longer_than_signal_raises(rng):
    ts = rng.standard_normal((3, 20))
    with pytest.raises(ValueError, match="windowsize=30"):
        func.fcd(ts, windowsize=30)
    # a window exactly as long as the signal fits no start t < T - windowsize: empty, as specified
    assert func.fcd(ts, windowsize=20).shape == (0, 0)


def test_fcd_constant_region_keeps_nan(rng):
    ts = rng.standard_normal((3, 60))
    ts[0] = 1.0
    with np.errstate(all="ignore"):
        out = func.fcd(ts, windowsize=20, stepsize=10)
    assert out.shape == (4, 4) and np.all(np.isnan(out))


def test_matrix_kolmogorov_matches_naive_and_scipy(rng):
    import scipy.stats

    a = rng.standard_normal((10, 10))
    b = rng.standard_normal((14, 14)) + 0.3
    expected = _naive_ks(_upper(a), _upper(b))
    assert func.matrix_kolmogorov(a, b) == pytest.approx(expected, abs=TOL)
    assert func.matrix_kolmogorov(a, b) == pytest.approx(scipy.stats.ks_2samp(_upper(a), _upper(b)).statistic)
    assert func.matrix_kolmogorov(a, a) == 0.0


def test_ts_kolmogorov_matches_naive(rng):
    ts1 = rng.standard_normal((5, 120))
    ts2 = rng.standard_normal((5, 160))
    expected = _naive_ks(_upper(_naive_fcd(ts1, 20, 5)), _upper(_naive_fcd(ts2, 20, 5)))
    assert func.ts_kolmogorov(ts1, ts2, windowsize=20, stepsize=5) == pytest.approx(expected, abs=TOL)


# ---------------------------------------------------------------- kuramoto


def test_kuramoto_matches_naive(rng):
    traces = _noisy_oscillations(rng)
    out = func.kuramoto(traces, distance=20, prominence=5)
    assert out.shape == (traces.shape[1],)
    np.testing.assert_allclose(out, _naive_kuramoto(traces, 20, 5), atol=TOL)
    assert np.all((out >= 0) & (out <= 1 + TOL))


def test_kuramoto_smoothing(rng):
    import scipy.ndimage

    traces = _noisy_oscillations(rng, n=3) + rng.standard_normal((3, 3000)) * 2
    smoothed = np.vstack([scipy.ndimage.gaussian_filter(tr, 3.0) for tr in traces])
    out = func.kuramoto(traces, smoothing=3.0, distance=20, prominence=5)
    np.testing.assert_allclose(out, _naive_kuramoto(smoothed, 20, 5), atol=TOL)


def test_kuramoto_synchronous_is_one():
    t = np.arange(2000)
    traces = np.vstack([np.sin(2 * np.pi * t / 50)] * 3)
    np.testing.assert_allclose(func.kuramoto(traces, prominence=0.5), 1.0, atol=TOL)


def test_kuramoto_no_peaks_returns_zero(caplog):
    traces = np.vstack([np.sin(np.arange(500) / 20.0), np.linspace(0, 1, 500)])
    with caplog.at_level(logging.WARNING):
        assert func.kuramoto(traces, prominence=0.5) == 0
    assert "Kuramoto: No peaks found, returning 0." in caplog.text


def test_kuramoto_bad_input():
    with pytest.raises(ValueError, match="NaN"):
        func.kuramoto(np.array([[0.0, 1.0, np.nan, 1.0, 0.0]]))
    with pytest.raises(ValueError, match="two-dimensional"):
        func.kuramoto(np.sin(np.arange(100.0)))


# ---------------------------------------------------------------- power spectra


@pytest.mark.parametrize("dt, windowsize, maxfr", [(0.1, 1.0, 70), (1.0, 0.5, 200), (0.5, 0.3, 1000)])
def test_power_spectrum_matches_naive_welch(rng, dt, windowsize, maxfr):
    x = rng.standard_normal(int(3000 / dt)) + np.sin(2 * np.pi * 0.02 * np.arange(int(3000 / dt)) * dt)
    freqs, power = func.getPowerSpectrum(x, dt, maxfr=maxfr, spectrum_windowsize=windowsize)
    ref_f, ref_p = _naive_welch(x, dt, int(windowsize * 1000 / dt), maxfr)
    np.testing.assert_allclose(freqs, ref_f, atol=TOL)
    np.testing.assert_allclose(power, ref_p, rtol=1e-10, atol=TOL * ref_p.max())
    # (1, T) input is accepted and gives the same
    f2, p2 = func.getPowerSpectrum(x[None, :], dt, maxfr=maxfr, spectrum_windowsize=windowsize)
    np.testing.assert_array_equal(p2, power)


def test_power_spectrum_grid_and_normalize(rng):
    x = rng.standard_normal(20000)
    freqs, power = func.getPowerSpectrum(x, dt=0.1, normalize=True)
    np.testing.assert_array_equal(freqs, np.arange(70.0))
    assert power.max() == 1.0
    _, raw = func.getPowerSpectrum(x, dt=0.1)
    np.testing.assert_allclose(power, raw / raw.max(), atol=TOL)


def test_power_spectrum_errors(rng):
    with pytest.raises(AssertionError, match="activity is not one-dimensional!"):
        func.getPowerSpectrum(rng.standard_normal((2, 20000)), dt=0.1)
    with pytest.raises(ValueError, match="spectrum_windowsize=1.0 s .* longer than the activity"):
        func.getPowerSpectrum(rng.standard_normal(5000), dt=0.1)
    with pytest.raises(ValueError, match="spectrum_windowsize"):
        func.getMeanPowerSpectrum(rng.standard_normal((3, 5000)), dt=0.1)


def test_power_spectrum_nan_gives_nan(rng):
    x = rng.standard_normal(20000)
    x[100] = np.nan
    _, power = func.getPowerSpectrum(x, dt=0.1)
    assert np.all(np.isnan(power))


def test_mean_power_spectrum_matches_naive(rng):
    xs = rng.standard_normal((4, 15000))
    freqs, mean_power = func.getMeanPowerSpectrum(xs, dt=0.2, maxfr=100, spectrum_windowsize=0.8)
    refs = [_naive_welch(x, 0.2, 4000, 100) for x in xs]
    np.testing.assert_allclose(freqs, refs[0][0], atol=TOL)
    expected = np.mean([p for _, p in refs], axis=0)
    np.testing.assert_allclose(mean_power, expected, rtol=1e-10, atol=TOL * expected.max())
    _, normed = func.getMeanPowerSpectrum(xs, dt=0.2, maxfr=100, spectrum_windowsize=0.8, normalize=True)
    np.testing.assert_allclose(normed, expected / expected.max(), rtol=1e-10)


# ---------------------------------------------------------------- model output


@pytest.fixture(scope="module")
def hopf_two_nodes():
    from neurolib.models.hopf import HopfModel

    cmat = np.array([[0.0, 1.0], [1.0, 0.0]])
    model = HopfModel(Cmat=cmat, Dmat=np.zeros((2, 2)), seed=3)
    model.params.duration = 3000.0
    model.params.K_gl = 0.0  # uncoupled limit cycles at w = 0.2 rad/ms
    model.run()
    return model


def test_hopf_power_spectrum_peak(hopf_two_nodes):
    model = hopf_two_nodes
    x = model.x
    assert x.shape == (2, int(model.params.duration / model.params.dt))
    freqs, power = func.getPowerSpectrum(x[0], model.params.dt)
    assert freqs.shape == (70,)
    peak = freqs[np.argmax(power)]
    assert peak == pytest.approx(0.2 / (2 * np.pi) * 1000, abs=1.0)  # 31.8 Hz, 1 Hz grid
    freqs_m, mean_power = func.getMeanPowerSpectrum(x, model.params.dt, normalize=True)
    assert freqs_m[np.argmax(mean_power)] == peak and mean_power.max() == 1.0


def test_hopf_kuramoto_and_fc(hopf_two_nodes):
    x = hopf_two_nodes.x[:, 5000:]  # drop the transient
    order = func.kuramoto(x, distance=20, prominence=0.5)
    assert order.shape == (x.shape[1],)
    np.testing.assert_allclose(order, _naive_kuramoto(x, 20, 0.5), atol=TOL)
    # identical frequencies, constant phase difference: the order parameter stays (nearly) constant
    assert np.ptp(order[500:-500]) < 0.05
    np.testing.assert_allclose(func.fc(x), np.corrcoef(x), atol=TOL)


# ---------------------------------------------------------------- empirical data


def test_gw_fc_similarity_between_subjects(shared_datasets):
    from neurolib.utils.loadData import Dataset

    ds = Dataset("gw")
    n = len(ds.FCs)
    pairs = [(i, j) for i in range(n) for j in range(i + 1, n)]
    mean_fit = np.mean([func.matrix_correlation(ds.FCs[i], ds.FCs[j]) for i, j in pairs])
    # independent: FCs from the BOLD arrays, correlations of the upper triangles computed by hand
    fcs = []
    for bold in ds.BOLDs:
        z = (bold - bold.mean(axis=1, keepdims=True)) / bold.std(axis=1, keepdims=True)
        fcs.append(z @ z.T / bold.shape[1])
    expected = np.mean([_pearson(_upper(fcs[i]), _upper(fcs[j])) for i, j in pairs])
    assert mean_fit == pytest.approx(expected, abs=TOL)
    assert 0.45 < mean_fit < 0.65  # 0.553 for the five gw subjects
