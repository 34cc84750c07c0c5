"""neurolib.utils.devutils and the generateRandomICs helpers of the ALN and thalamus parameter modules (issue 7,
item 9)."""

import numpy as np
import pytest

from neurolib.errors import ParameterError
from neurolib.utils import functions as func

N_TIME = 20000  # samples of 0.1 ms: 2 s


def test_issue7_item9_devutils_importable():
    from neurolib.utils import devutils

    for name in ("plot_outputs", "model_fit", "getPowerSpectrum", "getMeanPowerSpectrum", "rolling_window"):
        assert callable(getattr(devutils, name)), name


def test_devutils_spectra_default_to_40_hz():
    from neurolib.utils.devutils import getMeanPowerSpectrum, getPowerSpectrum

    t = np.arange(N_TIME) * 0.1  # ms
    x = np.sin(2 * np.pi * 0.012 * t)  # 12 Hz
    freqs, power = getPowerSpectrum(x, dt=0.1)
    assert freqs.max() < 40 and freqs.size == 40
    assert freqs[np.argmax(power)] == 12.0
    np.testing.assert_allclose(power, func.getPowerSpectrum(x, 0.1, maxfr=40)[1])
    freqs, mean_power = getMeanPowerSpectrum(np.vstack([x, 2 * x]), dt=0.1, normalize=True)
    assert freqs.size == 40 and mean_power.max() == 1.0


def _manual_windows(a, w):
    return np.array([a[i : i + w] for i in range(a.size - w + 1)])


def test_rolling_window_1d_and_steps():
    from neurolib.utils.devutils import rolling_window

    a = np.arange(10)
    np.testing.assert_array_equal(rolling_window(a, 4), _manual_windows(a, 4))
    np.testing.assert_array_equal(rolling_window(a, 3, asteps=3), [[0, 1, 2], [3, 4, 5], [6, 7, 8]])
    np.testing.assert_array_equal(rolling_window(a, 3, wsteps=2)[:2], [[0, 2, 4], [1, 3, 5]])
    assert rolling_window(a, 3, wsteps=2).shape == (6, 3)
    view = rolling_window(a, 4)
    assert np.shares_memory(view, a) and not view.flags.writeable


def test_rolling_window_nd_axes_and_layout():
    from neurolib.utils.devutils import rolling_window

    a = np.arange(24.0).reshape(4, 6)
    # window only the time (last) axis of a nodes x time array
    windows = rolling_window(a, (0, 3))
    assert windows.shape == (4, 4, 3)
    np.testing.assert_array_equal(windows[2, 1], a[2, 1:4])
    # the same through axes=
    np.testing.assert_array_equal(rolling_window(a, 3, axes=1), windows)
    # 2-D windows, at the end or interleaved
    assert rolling_window(a, (2, 3)).shape == (3, 4, 2, 3)
    interleaved = rolling_window(a, (2, 3), toend=False)
    assert interleaved.shape == (3, 2, 4, 3)
    np.testing.assert_array_equal(interleaved[1, :, 2, :], a[1:3, 2:5])
    assert rolling_window(a, (2, 3), asteps=(2, 3)).shape == (2, 2, 2, 3)


@pytest.mark.parametrize(
    "kwargs, message",
    [
        ({"window": (1, 2, 3)}, "window has 3 entries"),
        ({"window": -1}, "window entries must be >= 0"),
        ({"window": 7}, "do not fit"),
        ({"window": 2, "wsteps": (1, 1)}, "wsteps"),
        ({"window": 2, "asteps": 0}, "asteps entries must be >= 1"),
        ({"window": 2, "axes": (0, 1)}, "same length"),
    ],
)
def test_rolling_window_errors_are_value_errors(kwargs, message):
    from neurolib.utils.devutils import rolling_window

    with pytest.raises(ValueError, match=message):
        rolling_window(np.arange(6), **kwargs)


def test_get_size_counts_nested_and_shared_once():
    from neurolib.utils.devutils import get_size

    data = np.zeros(10000)
    assert get_size(data) >= data.nbytes
    nested = {"a": data, "b": [data, data]}
    assert data.nbytes <= get_size(nested) < 2 * data.nbytes


class _FakeBOLD:
    def __init__(self, t_bold, bold):
        self.t_BOLD, self.BOLD = t_bold, bold


class _FakeModel:
    """Just what model_fit and plot_outputs read: BOLD, t, output, default_output."""

    default_output = "x"

    def __init__(self, bold, t_bold, output, t):
        self.BOLD = _FakeBOLD(t_bold, bold)
        self.output, self.t = output, t


class _FakeDataset:
    def __init__(self, bolds, with_fcds):
        self.BOLDs = bolds
        self.FCs = [func.fc(b) for b in bolds]
        if with_fcds:
            self.FCDs = [func.fcd(b) for b in bolds]


def _fake(n_nodes=6, n_bold=60, seed=0):
    rng = np.random.default_rng(seed)
    common = rng.standard_normal(n_bold)
    bold = 0.5 * common + rng.standard_normal((n_nodes, n_bold))
    t_bold = 2000.0 * np.arange(1, n_bold + 1)
    t = 0.1 * np.arange(1, 5001)
    output = np.sin(2 * np.pi * 0.01 * t) + 0.1 * rng.standard_normal((n_nodes, t.size))
    return _FakeModel(bold, t_bold, output, t), bold[:, t_bold > 10000]


def test_model_fit_fc_and_fcd():
    from neurolib.utils.devutils import model_fit

    model, kept = _fake()
    subjects = [kept + 0.1 * np.random.default_rng(i).standard_normal(kept.shape) for i in range(3)]
    ds = _FakeDataset(subjects, with_fcds=True)
    result = model_fit(model, ds, bold_transient=10000, fc=True, fcd=True)
    expected = [func.matrix_correlation(func.fc(kept), fc) for fc in ds.FCs]
    np.testing.assert_allclose(result["fc_scores"], expected)
    assert result["mean_fc_score"] == pytest.approx(np.mean(expected))
    np.testing.assert_allclose(result["fcd"], [func.matrix_kolmogorov(func.fcd(kept), f) for f in ds.FCDs])
    # without ds.FCDs: KS distance of the FCDs computed from the BOLD time series
    ds_no_fcd = _FakeDataset(subjects, with_fcds=False)
    fcd_only = model_fit(model, ds_no_fcd, fc=False, fcd=True)
    assert set(fcd_only) == {"fcd", "mean_fcd"}
    np.testing.assert_allclose(fcd_only["fcd"], [func.ts_kolmogorov(kept, b) for b in subjects])


def test_model_fit_needs_bold_after_transient():
    from neurolib.utils.devutils import model_fit

    model, _ = _fake(n_bold=5)
    with pytest.raises(ParameterError, match="bold_transient=10000 ms leaves 0 of the 5 BOLD samples"):
        model_fit(model, _FakeDataset([np.ones((6, 10))], False))


def test_plot_outputs_returns_figure():
    pytest.importorskip("matplotlib")
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    from neurolib.utils.devutils import plot_outputs

    model, kept = _fake()
    fig = plot_outputs(model, ds=_FakeDataset([kept, kept[::-1]], True), spectrum_windowsize=0.2)
    titles = [ax.get_title() for ax in fig.axes]
    assert "activity" in titles and any(t.startswith("simulated FC (mean fit") for t in titles)
    assert "FCD" in titles
    plt.close(fig)


def test_issue7_item9_aln_generate_random_ics_matches_defaults():
    from neurolib.models.aln import ALNModel
    from neurolib.models.aln.loadDefaultParams import RANDOM_IC_NAMES, generateRandomICs

    ics = generateRandomICs(3, seed=7)
    assert len(ics) == 13
    assert RANDOM_IC_NAMES[:3] == ("mufe_init", "mufi_init", "IA_init")
    shapes = dict(zip(RANDOM_IC_NAMES, (v.shape for v in ics)))
    assert shapes["mufe_init"] == (3,) and shapes["IA_init"] == (3, 1) and shapes["rates_exc_init"] == (3, 1)
    model = ALNModel(Cmat=np.zeros((3, 3)), Dmat=np.zeros((3, 3)), seed=7)
    for name, value in zip(RANDOM_IC_NAMES, ics):
        np.testing.assert_array_equal(value, model.params[name], err_msg=name)
    assert 0 <= ics[2].min() and ics[2].max() < 200  # IA in pA
    again = generateRandomICs(3, seed=7)
    assert all(np.array_equal(a, b) for a, b in zip(ics, again))
    with pytest.raises(ParameterError, match="N .number of nodes. must be at least 1"):
        generateRandomICs(0)
    with pytest.raises(TypeError, match="must be an integer"):
        generateRandomICs(2.5)


def test_issue7_item9_thalamus_generate_random_ics():
    from neurolib.models.thalamus import ThalamicMassModel
    from neurolib.models.thalamus.loadDefaultParams import RANDOM_IC_NAMES, generateRandomICs

    ics = generateRandomICs(seed=3)
    assert len(ics) == 17 and RANDOM_IC_NAMES[:5] == ("V_t_init", "V_r_init", "Q_t_init", "Q_r_init", "Ca_init")
    assert all(v.shape == (1,) for v in ics)
    assert -75 <= ics[0][0] < -50 and 0 <= ics[2][0] < 200 and ics[4][0] == 2.4e-4
    model = ThalamicMassModel(seed=3)
    for name, value in zip(RANDOM_IC_NAMES, ics):
        np.testing.assert_array_equal(value, model.params[name], err_msg=name)
