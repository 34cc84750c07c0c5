"""External inputs for models: stimuli (steps, sinusoids, ramps, ...) and noise processes.

Every input is an :class:`Input` with ``n`` channels (one per node, or independent realizations). It turns into an
array of shape ``(n, T)`` with :meth:`Input.as_array`, into the array for a model's input parameter with
:meth:`Input.to_model`, and into a cubic Hermite spline with :meth:`Input.as_cubic_splines`. Inputs combine:
``a + b`` sums them (:class:`SummedStimulus`), ``a & b`` plays them one after the other
(:class:`ConcatenatedStimulus`).

>>> from neurolib.models.hopf import HopfModel                              # doctest: +SKIP
>>> model = HopfModel()                                                     # doctest: +SKIP
>>> model.params["x_ext"] = StepInput(step_size=0.5, start=100.0).to_model(model)  # doctest: +SKIP

Time grid
---------
Times are in ms, frequencies in Hz. A generated input has one sample per integration step of a model run of the
same ``duration`` and ``dt``: ``times = dt, 2 dt, ..., T dt`` (no initial-condition column), with
``T = ceil(round(duration, 6) / dt)``, i.e. ``T = duration / dt`` when ``duration`` is a multiple of ``dt``
(the length of ``numpy.arange(dt, duration + dt, dt)`` in exact arithmetic, and exactly the number of steps the
models integrate, so ``times`` equals ``model.t``). The models read a time series right-aligned with the end of
the run and one step late: the sample at time ``t`` drives the step from ``t`` to ``t + dt``.

Random numbers
--------------
No global random state is used. Each input keeps its own :class:`numpy.random.Generator` (attribute ``rng``),
created from ``seed`` anew at the start of every :meth:`~Input.as_array` / :meth:`~Input.generate_input` call:
the same seed always gives the same array, however often and in whichever order inputs are generated, and
``seed=None`` draws fresh entropy each time. The established neurolib seeds NumPy's global legacy generator
once at construction, so its noise values (e.g. the numbers quoted for
``WienerProcess(n=2, seed=42)``) are not reproduced here, and its repeated calls give different arrays.
Two inputs built with the same seed give identical noise (``WienerProcess(seed=1) + WienerProcess(seed=1)`` is
twice one process); give different seeds, or ``None``, for independent processes.

Errors
------
Invalid arguments raise :class:`StimulusValueError` / :class:`StimulusTypeError`, which name the parameter. They
are the project's :class:`~neurolib.errors.ParameterError` / :class:`~neurolib.errors.ParameterTypeError`, so
they are ``ValueError`` (``TypeError``) and also ``AssertionError`` (the exception the established package raises
for the same situations): code catching either keeps working.

Custom stimuli
--------------
Subclass :class:`Stimulus` (time window ``start``/``end``) or :class:`Input`, store the constructor arguments as
attributes of the same name *before* calling ``super().__init__(...)``, and implement ``generate_input``::

    class Chirp(Stimulus):
        def __init__(self, amplitude, rate, start=None, end=None, n=1, seed=None):
            self.amplitude = amplitude
            self.rate = rate
            super().__init__(start=start, end=end, n=n, seed=seed)

        def generate_input(self, duration, dt):
            self._get_times(duration=duration, dt=dt)      # sets self.times (and re-seeds self.rng)
            x = self.amplitude * np.sin(self.rate * self.times**2)
            return self._trim_stim(np.tile(x, (self.n, 1)))  # shift to `start`, cut after `end`

``get_params``, ``update_params``, ``+``, ``&``, ``to_model`` and ``as_cubic_splines`` then work unchanged.
"""

from __future__ import annotations

import functools
import inspect
import math
import numbers

import numpy as np

from neurolib.errors import ParameterError, ParameterTypeError

__all__ = [
    "StimulusValueError",
    "StimulusTypeError",
    "Input",
    "Stimulus",
    "ZeroInput",
    "WienerProcess",
    "OrnsteinUhlenbeckProcess",
    "StepInput",
    "SinusoidalInput",
    "SquareInput",
    "LinearRampInput",
    "ExponentialInput",
    "RectifiedInput",
    "BaseMultipleInputs",
    "SummedStimulus",
    "ConcatenatedStimulus",
]


class StimulusValueError(ParameterError):
    """An invalid stimulus argument: a :class:`~neurolib.errors.ParameterError` (``ValueError`` and
    ``AssertionError``)."""


class StimulusTypeError(ParameterTypeError):
    """A stimulus argument of the wrong type: a :class:`~neurolib.errors.ParameterTypeError` (``TypeError``,
    ``ValueError`` and ``AssertionError``)."""


class StimulusAttributeError(ParameterError, AttributeError):
    """A constructor argument of a custom input is not stored as an attribute (``get_params``); also an
    ``AttributeError``."""


# ---------------------------------------------------------------------------------------------------- helpers
def _real(name, value, *, positive=False, nonnegative=False):
    """``value`` as a finite float, or a clear error naming the parameter ``name``."""
    if isinstance(value, (bool, np.bool_)) or not isinstance(value, numbers.Real):
        raise StimulusTypeError(f"'{name}' must be a real number, got {value!r}.")
    value = float(value)
    if not math.isfinite(value):
        raise StimulusValueError(f"'{name}' must be finite, got {value!r}.")
    if positive and not value > 0:
        raise StimulusValueError(f"'{name}' must be > 0, got {value!r}.")
    if nonnegative and not value >= 0:
        raise StimulusValueError(f"'{name}' must be >= 0, got {value!r}.")
    return value


def _count(n):
    """Validate a number of channels."""
    if isinstance(n, (bool, np.bool_)) or not isinstance(n, numbers.Integral):
        raise StimulusTypeError(f"'n' (number of channels) must be an integer, got {n!r}.")
    if n < 1:
        raise StimulusValueError(f"'n' (number of channels) must be >= 1, got {n!r}.")
    return int(n)


def _n_samples(duration, dt):
    """Number of samples of an input of ``duration`` ms at step ``dt`` ms (the models' number of steps)."""
    duration = _real("duration", duration, positive=True)
    dt = _real("dt", dt, positive=True)
    T = math.ceil(round(duration, 6) / dt)
    if T < 1:
        raise StimulusValueError(f"'duration' ({duration} ms) must be at least one time step dt = {dt} ms.")
    return T


def _time_grid(duration, dt):
    """Sample times ``dt, 2 dt, ..., T dt`` in ms (see the module docstring)."""
    T = _n_samples(duration, dt)
    return np.arange(1, T + 1) * float(dt)


@functools.lru_cache(maxsize=1)
def _spline_class():
    """The spline class returned by ``as_cubic_splines``: chspy's ``CubicHermiteSpline`` with a reading interface."""
    try:
        import chspy
    except ImportError as err:
        raise ImportError(
            'Cubic-spline inputs need the optional package chspy: pip install "neurolib[multimodel]"'
        ) from err

    class InputSpline(chspy.CubicHermiteSpline):
        """A ``chspy.CubicHermiteSpline`` (what jitcdde takes as input) that can also be read like scipy's splines:
        ``spline.x`` (anchor times, ms) and ``spline(t, nu=0)`` (values, ``nu=1``: slopes), shape ``(n,)`` for a
        scalar ``t``, ``(len(t), n)`` for an array; outside the anchors it extrapolates with the end pieces."""

        @property
        def x(self):
            return np.asarray(self.times, dtype=float)

        def __call__(self, t, nu=0):
            if nu not in (0, 1):
                raise StimulusValueError(f"'nu' (derivative order) must be 0 or 1, got {nu!r}.")
            interpolate = chspy.interpolate_vec if nu == 0 else chspy.interpolate_diff_vec
            times = np.asarray(t, dtype=float)
            values = [interpolate(time, self.get_anchors(time)) for time in times.ravel()]
            if times.ndim == 0:
                return np.asarray(values[0], dtype=float)
            return np.asarray(values, dtype=float).reshape(times.shape + (self.n,))

    return InputSpline


def _anchors_of(spline):
    """Anchor times (T,), states (T, n) and slopes (T, n) of a spline."""
    times = np.array([a.time for a in spline], dtype=float)
    states = np.array([a.state for a in spline], dtype=float).reshape(len(times), spline.n)
    slopes = np.array([a.diff for a in spline], dtype=float).reshape(len(times), spline.n)
    return times, states, slopes


def _hermite_spline(times, data):
    """Cubic Hermite spline through ``data`` (n, T) at ``times`` (T,), slopes estimated from the data."""
    data = np.asarray(data, dtype=float)
    if data.shape[-1] < 2:
        raise StimulusValueError(
            f"A cubic spline needs at least 2 time samples, got {data.shape[-1]}; use duration >= 2 * dt."
        )
    return _spline_class().from_data(np.asarray(times, dtype=float), data.T)


def _combine_splines(pieces):
    """One spline from ``(x, y, dydx)`` pieces (y, dydx of shape (len(x), n)), in time order."""
    x, y, d = (np.concatenate(parts) for parts in zip(*pieces))
    spline = _spline_class()(n=y.shape[1])
    for time, state, slope in zip(x, y, d):
        spline.append((float(time), state, slope))
    return spline


def _check_input(obj, what="input"):
    if not isinstance(obj, Input):
        raise StimulusTypeError(
            f"The {what} must be an Input (from neurolib.utils.stimulus), got {type(obj).__name__}."
        )
    return obj


def _check_same_n(a, b, op):
    if a.n != b.n:
        raise StimulusValueError(
            f"Cannot combine inputs with different numbers of channels with '{op}': "
            f"{type(a).__name__} has n = {a.n}, {type(b).__name__} has n = {b.n}."
        )


# ---------------------------------------------------------------------------------------------------- base classes
class Input:
    """Base class of all inputs: ``n`` channels of a signal sampled on the model's time grid.

    Parameters
    ----------
    n : int
        Number of channels (nodes, or independent realizations of a random process). Deterministic inputs repeat
        the same row ``n`` times.
    seed : int or None
        Seed of the input's own random generator, re-created from it at every generation, so the same seed
        always gives the same array. ``None``: fresh entropy at every generation. See the module docstring for
        how this differs from the established package.

    Attributes
    ----------
    times : numpy.ndarray or None
        Sample times (ms) of the last generation, set by :meth:`_get_times`.
    rng : numpy.random.Generator
        The generator of the current generation; subclasses draw their random numbers from it.
    """

    def __init__(self, n=1, seed=None):
        self.n = n
        self.seed = seed
        self.times = None
        self._check_params()
        self.rng = self._new_rng()

    # -------------------------------------------------------------------------------------------- parameters
    @property
    def n(self):
        """Number of channels (int >= 1)."""
        return self._n

    @n.setter
    def n(self, value):
        self._n = _count(value)

    @property
    def seed(self):
        """Seed of the random generator (non-negative int or None)."""
        return self._seed

    @seed.setter
    def seed(self, value):
        if value is not None:
            if isinstance(value, (bool, np.bool_)) or not isinstance(value, numbers.Integral):
                raise StimulusTypeError(f"'seed' must be a non-negative integer or None, got {value!r}.")
            if value < 0:
                raise StimulusValueError(f"'seed' must be a non-negative integer or None, got {value!r}.")
            value = int(value)
        self._seed = value

    @property
    def param_names(self):
        """Names of the constructor arguments (introspected from ``__init__``)."""
        skip = (inspect.Parameter.VAR_POSITIONAL, inspect.Parameter.VAR_KEYWORD)
        params = list(inspect.signature(type(self).__init__).parameters.values())[1:]
        return [p.name for p in params if p.kind not in skip]

    def _check_params(self):
        """Validate the parameters (called by the constructor and at every generation); subclasses extend it."""

    def get_params(self):
        """The parameters as a dict: ``{"type": <class name>, <each constructor argument>: value}``.

        Raises
        ------
        StimulusAttributeError
            (an ``AssertionError``) if a constructor argument is not stored as an attribute of the same name.
        """
        params = {"type": type(self).__name__}
        for name in self.param_names:
            if not hasattr(self, name):
                raise StimulusAttributeError(
                    f"{type(self).__name__}: the constructor argument '{name}' is not stored as attribute "
                    f"self.{name}; store every argument before calling super().__init__()."
                )
            params[name] = getattr(self, name)
        return params

    def update_params(self, params_dict):
        """Set the attributes named in ``params_dict`` that exist; other keys (like ``"type"``) are ignored.

        The string ``"None"`` becomes ``None`` (parameters stored by pypet come back as strings). Returns
        ``self``.
        """
        for key, value in params_dict.items():
            if isinstance(value, str) and value == "None":
                value = None
            if hasattr(self, key):
                setattr(self, key, value)
        self._check_params()
        return self

    def __repr__(self):
        try:
            params = self.get_params()
        except AssertionError:
            return f"<{type(self).__name__}>"
        params.pop("type")
        return f"{type(self).__name__}({', '.join(f'{k}={v!r}' for k, v in params.items())})"

    # -------------------------------------------------------------------------------------------- generation
    def _new_rng(self):
        return np.random.default_rng(self.seed)

    def _get_times(self, duration, dt):
        """Set ``self.times`` (ms) for an input of ``duration`` ms at step ``dt`` ms; re-seed ``self.rng``.

        Returns
        -------
        numpy.ndarray, shape (T,)
            The sample times ``dt, 2 dt, ..., T dt``.
        """
        self.times = _time_grid(duration, dt)
        self._dt = float(dt)
        self.rng = self._new_rng()
        return self.times

    def _trim_stim(self, stim):
        """Time-window an input; a plain ``Input`` has no window, so this returns ``stim`` as a float array."""
        return np.asarray(stim, dtype=float)

    def _reset(self):
        """Undo per-generation changes (see :meth:`Stimulus._reset`)."""

    def generate_input(self, duration, dt):
        """The input for ``duration`` ms at step ``dt`` ms: an array of shape ``(n, T)``; subclasses implement it.

        Prefer :meth:`as_array`, which also restores the input's state afterwards.
        """
        raise NotImplementedError(f"{type(self).__name__} does not implement generate_input(duration, dt).")

    def as_array(self, duration, dt):
        """The input as an array.

        Parameters
        ----------
        duration : float
            Length in ms.
        dt : float
            Time step in ms.

        Returns
        -------
        numpy.ndarray, shape (n, T)
            ``T = duration / dt`` samples at the times ``dt, 2 dt, ..., duration`` (see the module docstring).
        """
        T = _n_samples(duration, dt)
        self._check_params()
        self.rng = self._new_rng()
        try:
            out = self.generate_input(duration, dt)
        finally:
            self._reset()
        out = np.asarray(out, dtype=float)
        if out.shape != (self.n, T):
            raise StimulusValueError(
                f"{type(self).__name__}.generate_input({duration}, {dt}) returned shape {out.shape}, "
                f"expected (n, T) = {(self.n, T)}."
            )
        return out

    def as_cubic_splines(self, duration, dt, shift_start_time=0.0):
        """The input as a cubic Hermite spline (``chspy.CubicHermiteSpline``, as jitcdde takes it).

        Anchors at the sample times with the values of :meth:`as_array`; slopes estimated from the data as
        ``chspy.CubicHermiteSpline.from_data`` does (derivative of the parabola through each sample and its
        neighbours, one-sided differences at the ends). The returned object also reads like a scipy spline:
        ``spline.x`` are the anchor times and ``spline(t)`` the values (shape ``(n,)`` for a scalar ``t``,
        ``(len(t), n)`` for an array). Needs ``chspy`` (``pip install "neurolib[multimodel]"``).

        Parameters
        ----------
        duration : float
            Length in ms.
        dt : float
            Time step in ms.
        shift_start_time : float
            Added to the anchor times (ms): the first anchor is at ``shift_start_time + dt``.

        Returns
        -------
        chspy.CubicHermiteSpline
            Spline of the ``n`` channels over time (ms).
        """
        shift = _real("shift_start_time", shift_start_time)
        data = self.as_array(duration, dt)
        return _hermite_spline(_time_grid(duration, dt) + shift, data)

    def to_model(self, model):
        """The input for a model's input parameter: ``n`` set to the model's ``N``, its duration and ``dt``.

        Parameters
        ----------
        model : neurolib.models.model.Model
            The model; its ``params["N"]``, ``params["duration"]`` (ms) and ``params["dt"]`` (ms) are used.

        Returns
        -------
        numpy.ndarray, shape (N, T)
            One sample per integration step; assign it to an input parameter, e.g.
            ``model.params["x_ext"] = stim.to_model(model)``. Note that this sets ``self.n = N``.
        """
        from neurolib.models.model import Model

        if not isinstance(model, Model):
            raise StimulusTypeError(f"to_model needs a neurolib Model, got {type(model).__name__}.")
        if "N" not in model.params:
            raise StimulusValueError(f"{model.name}: the model parameters have no number of nodes 'N'.")
        self.n = model.params["N"]
        return self.as_array(model.params["duration"], model.params["dt"])

    # -------------------------------------------------------------------------------------------- algebra
    def __add__(self, other):
        _check_input(other, "right operand of '+'")
        _check_same_n(self, other, "+")
        if isinstance(other, SummedStimulus):
            return SummedStimulus([self, *other.inputs])
        return SummedStimulus([self, other])

    def __radd__(self, other):
        if isinstance(other, numbers.Number) and other == 0:  # lets sum([a, b, c]) work
            return self
        return NotImplemented

    def __and__(self, other):
        _check_input(other, "right operand of '&'")
        _check_same_n(self, other, "&")
        if isinstance(other, ConcatenatedStimulus):
            return ConcatenatedStimulus([self, *other.inputs], [1.0, *other.length_ratios])
        return ConcatenatedStimulus([self, other])


class Stimulus(Input):
    """Base class of inputs active in a time window ``[start, end]`` and zero outside it.

    Parameters
    ----------
    start : float or None
        Onset in ms (``None``: 0). The waveform is shifted to begin at ``start`` (it is 0 before): the sample
        at time ``t > start`` has the value the unshifted waveform has at ``t - start``. Must be smaller than
        the generated duration.
    end : float or None
        Offset in ms (``None``: the end of the input); samples at times ``t > end`` are 0. At most
        ``duration + dt`` of the generated input.
    n : int
        Number of channels.
    seed : int or None
        Seed of the random generator (see :class:`Input`).
    """

    def __init__(self, start=None, end=None, n=1, seed=None):
        self.start = start
        self.end = end
        self._window = None  # (start, end) as given, while a generation has replaced them
        self._effective = None
        super().__init__(n=n, seed=seed)

    def _check_params(self):
        super()._check_params()
        start = None if self.start is None else _real("start", self.start, nonnegative=True)
        end = None if self.end is None else _real("end", self.end, nonnegative=True)
        if start is not None and end is not None and not end > start:
            raise StimulusValueError(f"'end' ({end} ms) must be larger than 'start' ({start} ms).")

    def _get_times(self, duration, dt):
        """Set ``self.times``; replace ``start``/``end`` by their values for this generation.

        ``start`` becomes ``0.0`` if it is ``None``, ``end`` becomes ``duration + dt`` if it is ``None``;
        :meth:`_reset` (called by :meth:`as_array`) restores the values given.

        Raises
        ------
        StimulusValueError
            If ``start >= duration`` or ``end > duration + dt``.
        """
        times = super()._get_times(duration, dt)
        if self._window is not None and (self.start, self.end) == self._effective:
            self.start, self.end = self._window  # an earlier generation was not reset
        self._check_params()
        self._window = (self.start, self.end)
        duration, dt = float(duration), float(dt)
        start = 0.0 if self.start is None else float(self.start)
        end = duration + dt if self.end is None else float(self.end)
        tol = 1e-6 * dt
        if not start < duration:
            raise StimulusValueError(f"'start' ({start} ms) must be smaller than the duration ({duration} ms).")
        if end > duration + dt + tol:
            raise StimulusValueError(
                f"'end' ({end} ms) must be at most the duration + dt ({duration + dt} ms) of the generated input."
            )
        self.start, self.end = start, end
        self._effective = (start, end)
        return times

    def _trim_stim(self, stim):
        """Shift ``stim`` (n, T) right to begin at ``start`` (zeros before) and set samples after ``end`` to 0.

        The shift is the number of samples at times ``<= start``; samples shifted past the end are dropped.
        """
        stim = np.asarray(stim, dtype=float)
        if self.times is None:
            raise RuntimeError("_trim_stim needs self.times: call self._get_times(duration, dt) first.")
        times, tol = self.times, 1e-6 * self._dt
        start = 0.0 if self.start is None else float(self.start)
        end = np.inf if self.end is None else float(self.end)
        if stim.shape[-1] != len(times):
            raise StimulusValueError(f"_trim_stim: the input has {stim.shape[-1]} samples, times has {len(times)}.")
        k = int(np.count_nonzero(times <= start + tol))
        out = np.zeros_like(stim)
        if k < len(times):
            out[..., k:] = stim[..., : len(times) - k]
        out[..., times > end + tol] = 0.0
        return out

    def _reset(self):
        """Restore ``start`` and ``end`` as they were before the last generation."""
        if self._window is not None:
            self.start, self.end = self._window
        self._window = None
        self._effective = None


# ---------------------------------------------------------------------------------------------------- inputs
class ZeroInput(Input):
    """No input: zeros.

    Parameters
    ----------
    n : int
        Number of channels.
    seed : int or None
        Unused (kept for a uniform interface).
    """

    def generate_input(self, duration, dt):
        self._get_times(duration=duration, dt=dt)
        return np.zeros((self.n, len(self.times)))


class WienerProcess(Input):
    """Increments of a Wiener process: independent ``Normal(0, sqrt(dt))`` samples (units of sqrt(ms)).

    Parameters
    ----------
    n : int
        Number of independent channels.
    seed : int or None
        Seed of the random generator (see :class:`Input`).
    """

    def generate_input(self, duration, dt):
        self._get_times(duration=duration, dt=dt)
        return self.rng.normal(0.0, np.sqrt(dt), (self.n, len(self.times)))


class OrnsteinUhlenbeckProcess(Input):
    """Ornstein-Uhlenbeck process, integrated with the Euler-Maruyama scheme.

    ``x[0] = U(0, 1) * mu`` and ``x[i + 1] = x[i] + dt * (mu - x[i]) / tau + sigma * sqrt(dt) * xi[i]`` with
    independent standard normal ``xi``, per channel. Stationary mean ``mu``, variance ``sigma**2 * tau / 2``
    (exactly ``sigma**2 * tau / (2 - dt / tau)`` for the discrete scheme), correlation time ``tau``. All random
    numbers come from the seeded generator (the established package draws the increments from numba's unseeded
    generator, so its OU noise cannot be reproduced).

    Parameters
    ----------
    mu : float
        Mean (units of the input).
    sigma : float
        Noise strength, >= 0 (units of the input per sqrt(ms)).
    tau : float
        Time constant in ms, > 0. The scheme is unstable for ``dt > 2 * tau``.
    n : int
        Number of independent channels.
    seed : int or None
        Seed of the random generator (see :class:`Input`).
    """

    def __init__(self, mu, sigma, tau, n=1, seed=None):
        self.mu = mu
        self.sigma = sigma
        self.tau = tau
        super().__init__(n=n, seed=seed)

    def _check_params(self):
        super()._check_params()
        _real("mu", self.mu)
        _real("sigma", self.sigma, nonnegative=True)
        _real("tau", self.tau, positive=True)

    def generate_input(self, duration, dt):
        from scipy.signal import lfilter

        self._get_times(duration=duration, dt=dt)
        self._check_params()
        mu, sigma, tau, dt = float(self.mu), float(self.sigma), float(self.tau), float(dt)
        T = len(self.times)
        x0 = self.rng.uniform(0.0, 1.0, self.n) * mu
        xi = self.rng.standard_normal((self.n, T - 1))
        # x[i + 1] = a x[i] + b[i]: a first-order linear recursion, run by lfilter over time for all channels
        a = 1.0 - dt / tau
        drive = np.empty((self.n, T))
        drive[:, 0] = x0
        drive[:, 1:] = dt * mu / tau + sigma * np.sqrt(dt) * xi
        return lfilter([1.0], [1.0, -a], drive, axis=1)


class StepInput(Stimulus):
    """A constant ``step_size`` between ``start`` and ``end``, 0 outside.

    Parameters
    ----------
    step_size : float
        Height of the step (units of the input).
    start, end : float or None
        Time window in ms (see :class:`Stimulus`).
    n : int
        Number of channels (all equal).
    seed : int or None
        Unused.
    """

    def __init__(self, step_size, start=None, end=None, n=1, seed=None):
        self.step_size = step_size
        super().__init__(start=start, end=end, n=n, seed=seed)

    def _check_params(self):
        super()._check_params()
        _real("step_size", self.step_size)

    def generate_input(self, duration, dt):
        self._get_times(duration=duration, dt=dt)
        return self._trim_stim(np.full((self.n, len(self.times)), float(self.step_size)))


class _PeriodicInput(Stimulus):
    """Shared code of :class:`SinusoidalInput` and :class:`SquareInput` (``_wave`` maps phase to value)."""

    def __init__(self, amplitude, frequency, dc_bias=False, start=None, end=None, n=1, seed=None):
        self.amplitude = amplitude
        self.frequency = frequency
        self.dc_bias = dc_bias
        super().__init__(start=start, end=end, n=n, seed=seed)

    def _check_params(self):
        super()._check_params()
        _real("amplitude", self.amplitude)
        _real("frequency", self.frequency, nonnegative=True)

    def _wave(self, phase):
        raise NotImplementedError

    def generate_input(self, duration, dt):
        self._get_times(duration=duration, dt=dt)
        A = float(self.amplitude)
        x = A * self._wave(2.0 * np.pi * self.times * float(self.frequency) / 1000.0)
        if self.dc_bias:
            x = x + A
        return self._trim_stim(np.tile(x, (self.n, 1)))


class SinusoidalInput(_PeriodicInput):
    """A sine wave ``amplitude * sin(2 pi * frequency * t / 1000)`` (t in ms), plus ``amplitude`` if ``dc_bias``.

    Parameters
    ----------
    amplitude : float
        Amplitude (units of the input).
    frequency : float
        Frequency in Hz, >= 0.
    dc_bias : bool
        Add ``amplitude``, so the wave oscillates between 0 and ``2 * amplitude``.
    start, end : float or None
        Time window in ms; the wave starts with phase 0 at ``start`` (see :class:`Stimulus`).
    n : int
        Number of channels (all equal).
    seed : int or None
        Unused.
    """

    def _wave(self, phase):
        return np.sin(phase)


class SquareInput(_PeriodicInput):
    """A square wave ``amplitude * square(2 pi * frequency * t / 1000)`` (t in ms; +1 for the first half of each
    period, -1 for the second, as ``scipy.signal.square``), plus ``amplitude`` if ``dc_bias``.

    Parameters
    ----------
    amplitude : float
        Amplitude (units of the input).
    frequency : float
        Frequency in Hz, >= 0.
    dc_bias : bool
        Add ``amplitude``, so the wave switches between 0 and ``2 * amplitude``.
    start, end : float or None
        Time window in ms; the wave starts with phase 0 at ``start`` (see :class:`Stimulus`).
    n : int
        Number of channels (all equal).
    seed : int or None
        Unused.
    """

    def _wave(self, phase):
        from scipy.signal import square

        return square(phase)


class LinearRampInput(Stimulus):
    """A linear ramp from 0 that reaches ``inp_max`` after ``ramp_length`` ms and stays there.

    The value at time ``t`` (ms after ``start``) is ``inp_max / ramp_length * t`` for ``t < ramp_length`` and
    ``inp_max`` afterwards.

    Parameters
    ----------
    inp_max : float
        Final value (units of the input).
    ramp_length : float
        Duration of the ramp in ms, > 0.
    start, end : float or None
        Time window in ms (see :class:`Stimulus`).
    n : int
        Number of channels (all equal).
    seed : int or None
        Unused.
    """

    def __init__(self, inp_max, ramp_length, start=None, end=None, n=1, seed=None):
        self.inp_max, self.ramp_length = inp_max, ramp_length
        super().__init__(start=start, end=end, n=n, seed=seed)

    def _check_params(self):
        super()._check_params()
        _real("inp_max", self.inp_max)
        _real("ramp_length", self.ramp_length, positive=True)

    def generate_input(self, duration, dt):
        self._get_times(duration=duration, dt=dt)
        inp_max, length = float(self.inp_max), float(self.ramp_length)
        x = np.where(self.times < length, inp_max / length * self.times, inp_max)
        return self._trim_stim(np.tile(x, (self.n, 1)))


class ExponentialInput(Stimulus):
    """An exponential decay from ``inp_max`` towards 0, or the matching rise from 0 towards ``inp_max``.

    With ``t_last`` the last sample time (the generated duration): decay ``inp_max * exp(-exp_coef * t / t_last)``,
    rise ``inp_max - decay``. Both are monotone; ``exp_coef`` sets how far the curve gets by the end
    (``exp(-exp_coef)`` of the way left).

    Parameters
    ----------
    inp_max : float
        Scale (units of the input).
    exp_coef : float
        Number of time constants within the duration, > 0.
    exp_type : {"rise", "decay"}
        Shape of the curve.
    start, end : float or None
        Time window in ms (see :class:`Stimulus`).
    n : int
        Number of channels (all equal).
    seed : int or None
        Unused.
    """

    def __init__(self, inp_max, exp_coef=30.0, exp_type="rise", start=None, end=None, n=1, seed=None):
        self.inp_max = inp_max
        self.exp_coef = exp_coef
        self.exp_type = exp_type
        super().__init__(start=start, end=end, n=n, seed=seed)

    def _check_params(self):
        super()._check_params()
        _real("inp_max", self.inp_max)
        _real("exp_coef", self.exp_coef, positive=True)
        if self.exp_type not in ("rise", "decay"):
            raise StimulusValueError(f"'exp_type' must be 'rise' or 'decay', got {self.exp_type!r}.")

    def generate_input(self, duration, dt):
        self._get_times(duration=duration, dt=dt)
        inp_max = float(self.inp_max)
        x = inp_max * np.exp(-float(self.exp_coef) * self.times / self.times[-1])
        if self.exp_type == "rise":
            x = inp_max - x
        return self._trim_stim(np.tile(x, (self.n, 1)))


def RectifiedInput(amplitude, n=1):  # noqa: N802 (a function standing in for a class, as in the established API)
    """A probe of bistability: push down, release slowly, push up, release slowly, rest.

    Five segments with length ratios ``0.5 : 2.5 : 0.5 : 1.5 : 1``: ``-amplitude``; an exponential rise from
    ``-amplitude`` to 0 (``exp_coef`` 12.5); ``+amplitude``; an exponential decay from ``amplitude`` to 0
    (``exp_coef`` 7.5); 0.

    Parameters
    ----------
    amplitude : float
        Size of the pushes (units of the input).
    n : int
        Number of channels.

    Returns
    -------
    ConcatenatedStimulus
    """
    amplitude = _real("amplitude", amplitude)
    # (segment, relative length): push down, slow release, push up, slow decay, rest
    plan = (
        (StepInput(-amplitude, n=n), 0.5),
        (ExponentialInput(amplitude, exp_coef=12.5, exp_type="rise", n=n) + StepInput(-amplitude, n=n), 2.5),
        (StepInput(amplitude, n=n), 0.5),
        (ExponentialInput(amplitude, exp_coef=7.5, exp_type="decay", n=n), 1.5),
        (StepInput(0.0, n=n), 1.0),
    )
    segments = [segment for segment, _ in plan]
    return ConcatenatedStimulus(segments, length_ratios=[ratio for _, ratio in plan])


# ---------------------------------------------------------------------------------------------------- combinations
class BaseMultipleInputs(Input):
    """Base class of combinations of inputs: a sequence of child inputs with a common ``n``.

    Parameters
    ----------
    inputs : list of Input
        The children (at least one), all with the same ``n``.
    """

    def __init__(self, inputs):
        if isinstance(inputs, Input) or isinstance(inputs, (str, bytes)) or not np.iterable(inputs):
            raise StimulusTypeError(f"'inputs' must be a list of Inputs, got {type(inputs).__name__}.")
        inputs = list(inputs)
        if not inputs:
            raise StimulusValueError("'inputs' must contain at least one Input.")
        for i, inp in enumerate(inputs):
            _check_input(inp, f"element {i} of 'inputs'")
        self.inputs = inputs
        self.times = None
        _ = self.n  # all children must agree

    def __len__(self):
        return len(self.inputs)

    def __getitem__(self, index):
        return self.inputs[index]

    def __iter__(self):
        return iter(self.inputs)

    @property
    def n(self):
        """Number of channels, common to all children; setting it sets every child."""
        ns = [inp.n for inp in self.inputs]
        if len(set(ns)) != 1:
            raise StimulusValueError(
                f"The inputs of a {type(self).__name__} have different numbers of channels n: {ns}."
            )
        return ns[0]

    @n.setter
    def n(self, value):
        value = _count(value)
        for inp in self.inputs:
            inp.n = value

    @property
    def seed(self):
        """Combinations have no seed of their own (each child has its own)."""
        return None

    def get_params(self):
        """``{"type": <class name>, "input_0": <child 0 params>, ...}``."""
        return {"type": type(self).__name__, **{f"input_{i}": inp.get_params() for i, inp in enumerate(self.inputs)}}

    def update_params(self, params_dict):
        """Update children from ``{"input_i": {...}}`` entries; other keys are ignored. Returns ``self``."""
        for i, inp in enumerate(self.inputs):
            if f"input_{i}" in params_dict:
                inp.update_params(params_dict[f"input_{i}"])
        return self

    def __repr__(self):
        return f"{type(self).__name__}({self.inputs!r})"

    def as_array(self, duration, dt):
        """The combined input, shape ``(n, T)`` (see :meth:`Input.as_array`)."""
        T = _n_samples(duration, dt)
        out = np.asarray(self.generate_input(duration, dt), dtype=float)
        if out.shape != (self.n, T):
            raise StimulusValueError(f"{type(self).__name__}: combined shape {out.shape}, expected {(self.n, T)}.")
        return out


class SummedStimulus(BaseMultipleInputs):
    """The element-wise sum of its inputs (``a + b``).

    Parameters
    ----------
    inputs : list of Input
        The summands, all with the same ``n``.
    """

    def __add__(self, other):
        _check_input(other, "right operand of '+'")
        _check_same_n(self, other, "+")
        if isinstance(other, SummedStimulus):
            return SummedStimulus([*self.inputs, *other.inputs])
        return SummedStimulus([*self.inputs, other])

    def generate_input(self, duration, dt):
        self.times = _time_grid(duration, dt)
        return sum(inp.as_array(duration, dt) for inp in self.inputs)

    def as_cubic_splines(self, duration, dt, shift_start_time=0.0):
        """The sum of the children's splines (anchors at the common sample times); see
        :meth:`Input.as_cubic_splines`."""
        parts = [_anchors_of(inp.as_cubic_splines(duration, dt, shift_start_time)) for inp in self.inputs]
        x = parts[0][0]
        for times, _, _ in parts[1:]:
            if times.shape != x.shape or not np.allclose(times, x, rtol=0, atol=1e-9 * float(dt)):
                raise StimulusValueError("SummedStimulus: the splines of the inputs have different anchor times.")
        return _combine_splines([(x, sum(p[1] for p in parts), sum(p[2] for p in parts))])


class ConcatenatedStimulus(BaseMultipleInputs):
    """Its inputs one after the other (``a & b``).

    For a total ``duration``, input ``i`` is generated for ``duration * length_ratios[i] / sum(length_ratios)``
    ms (on its own time grid, so each stimulus starts afresh), the pieces are joined in time and cut to the
    ``T`` samples of ``duration``.

    Parameters
    ----------
    inputs : list of Input
        The pieces, all with the same ``n``.
    length_ratios : list of float or None
        Relative lengths, one per input, each > 0; ``None``: equal lengths.
    """

    def __init__(self, inputs, length_ratios=None):
        super().__init__(inputs)
        if length_ratios is None:
            length_ratios = [1.0] * len(self.inputs)
        if isinstance(length_ratios, (str, bytes)) or not np.iterable(length_ratios):
            raise StimulusTypeError(f"'length_ratios' must be a list of numbers, got {length_ratios!r}.")
        length_ratios = list(length_ratios)
        if len(length_ratios) != len(self.inputs):
            raise StimulusValueError(
                f"'length_ratios' must have one entry per input: {len(self.inputs)} inputs, "
                f"{len(length_ratios)} ratios."
            )
        self.length_ratios = [_real(f"length_ratios[{i}]", r, positive=True) for i, r in enumerate(length_ratios)]

    def __and__(self, other):
        _check_input(other, "right operand of '&'")
        _check_same_n(self, other, "&")
        if isinstance(other, ConcatenatedStimulus):
            return ConcatenatedStimulus([*self.inputs, *other.inputs], [*self.length_ratios, *other.length_ratios])
        return ConcatenatedStimulus([*self.inputs, other], [*self.length_ratios, 1.0])

    def _durations(self, duration):
        total = sum(self.length_ratios)
        return [float(duration) * r / total for r in self.length_ratios]

    def generate_input(self, duration, dt):
        T = _n_samples(duration, dt)
        self.times = _time_grid(duration, dt)
        out = np.concatenate([inp.as_array(d, dt) for inp, d in zip(self.inputs, self._durations(duration))], axis=1)
        if out.shape[1] < T:  # only possible through rounding of the piece lengths: hold the last value
            out = np.pad(out, ((0, 0), (0, T - out.shape[1])), mode="edge")
        return out[:, :T]

    def as_cubic_splines(self, duration, dt, shift_start_time=0.0):
        """The children's splines chained in time, each starting at the previous one's last anchor, cut to the
        ``T`` anchors of ``duration`` (so the anchors match :meth:`as_array`); see
        :meth:`Input.as_cubic_splines`."""
        T = _n_samples(duration, dt)
        shift = _real("shift_start_time", shift_start_time)
        pieces = []
        for inp, d in zip(self.inputs, self._durations(duration)):
            times, states, slopes = _anchors_of(inp.as_cubic_splines(d, dt, shift))
            pieces.append((times, states, slopes))
            shift = float(times[-1])
        x, y, dy = (np.concatenate(parts)[:T] for parts in zip(*pieces))
        return _combine_splines([(x, y, dy)])
