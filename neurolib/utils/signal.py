"""Signals: labelled time series (on ``xarray``) with metadata, processing methods and a processing history.

A :class:`Signal` wraps an ``xarray.DataArray`` with a ``time`` dimension (kept **in seconds** and last) and any
other dimensions (``output`` and ``space`` for model outputs, or user dimensions such as ``regions``). Every
processing method appends a human-readable step to ``process_steps``; :meth:`Signal.save` writes data, metadata
and history to netCDF and :meth:`Signal.from_file` restores them.

Optional dependency
-------------------
``mne`` is used for :meth:`Signal.filter` (FIR) and :meth:`Signal.resample` when it is installed (imported only
inside those methods). Without it the methods log a warning and fall back to scipy: a zero-phase Butterworth
filter (:func:`scipy_iir_filter_data`) and FFT resampling (``scipy.signal.resample``).

Examples
--------
>>> import numpy as np, xarray as xr
>>> da = xr.DataArray(np.random.default_rng(0).standard_normal((2, 1000)), dims=("space", "time"),
...                   coords={"space": [0, 1], "time": np.arange(1000) * 0.1})  # time in ms
>>> sig = RatesSignal(da, time_in_ms=True)
>>> sig.dt, sig.sampling_frequency
(0.0001, 10000.0)
>>> sig.normalize(std=True)
>>> sig.preprocessing_steps
'raw rate signal: 0.0--0.0999s -> normalize -> standardize'
"""

import logging
from copy import deepcopy

import numpy as np
import xarray as xr

from neurolib.errors import ParameterError, ParameterTypeError

logger = logging.getLogger(__name__)

_DTYPE_KEY = "neurolib_dtype"
_PROTECTED = ("data", "dt", "sampling_frequency", "process_steps")  # instance attributes never set from file attrs
_FALLBACK_MSG = "`mne` module not found, falling back to basic scipy's function ({})"


def _nc_path(filename):
    """``filename`` as a string ending in ``.nc`` (appended when missing)."""
    path = str(filename)
    return path if path.endswith(".nc") else f"{path}.nc"


def _import_mne():
    """``mne`` if importable, else None (optional dependency, imported lazily)."""
    try:
        import mne
    except ImportError:
        return None
    return mne


def _plain(value):
    """A numpy scalar as the equivalent Python object (other values unchanged)."""
    return value.item() if isinstance(value, np.generic) else value


def _func_name(func):
    """A readable name of a callable, also for ``functools.partial`` objects."""
    name = getattr(func, "__name__", None)
    if name is None and hasattr(func, "func"):
        name = getattr(func.func, "__name__", None)
    return name if name is not None else repr(func)


def _filter_kind(l_freq, h_freq):
    """scipy ``btype`` and band edges (Hz) for the low/high edge convention of :func:`scipy_iir_filter_data`."""
    if l_freq is not None and h_freq is not None:
        if l_freq < h_freq:
            return "bandpass", [l_freq, h_freq]
        if l_freq > h_freq:
            return "bandstop", [h_freq, l_freq]
        raise ParameterError(
            f"l_freq and h_freq are equal ({l_freq} Hz); cannot build a band-pass or band-stop filter."
        )
    if l_freq is not None:
        return "highpass", l_freq
    return "lowpass", h_freq


def scipy_iir_filter_data(x, sfreq, l_freq, h_freq, l_trans_bandwidth=None, h_trans_bandwidth=None, **kwargs):
    """Zero-phase Butterworth filter along the last axis (the scipy fallback of :meth:`Signal.filter`).

    Filter type as in MNE: only ``l_freq`` -> high-pass, only ``h_freq`` -> low-pass, ``l_freq < h_freq`` ->
    band-pass, ``l_freq > h_freq`` -> band-stop. The Butterworth filter of order ``kwargs.get("order", 8)`` is
    designed in second-order sections (edges normalized by the Nyquist frequency ``sfreq / 2``) and applied forward
    and backward with ``scipy.signal.sosfiltfilt``.

    Parameters
    ----------
    x : array_like, shape (..., T)
        Data, time along the last axis.
    sfreq : float
        Sampling frequency in Hz.
    l_freq, h_freq : float or None
        Lower and upper edges in Hz (see above). Both None returns an unfiltered copy.
    l_trans_bandwidth, h_trans_bandwidth : optional
        Accepted for signature compatibility with MNE; ignored (a Butterworth filter has no set transition band).
    **kwargs
        ``order`` (int, default 8); anything else is ignored.

    Returns
    -------
    numpy.ndarray
        Filtered data, same shape as ``x``.

    Raises
    ------
    neurolib.errors.ParameterError
        (a ``ValueError``) if an edge is not strictly between 0 and the Nyquist frequency or both edges are equal.
    ValueError
        If the signal is too short for the forward-backward filter (scipy's padding error).

    Examples
    --------
    >>> t = np.arange(0, 2, 1e-3)
    >>> x = np.sin(2 * np.pi * 5 * t) + np.sin(2 * np.pi * 100 * t)
    >>> y = scipy_iir_filter_data(x, sfreq=1000.0, l_freq=None, h_freq=30.0)
    >>> bool(np.abs(y - np.sin(2 * np.pi * 5 * t))[200:-200].max() < 1e-2)
    True
    """
    import scipy.signal

    x = np.asarray(x)
    if l_freq is None and h_freq is None:
        return x.copy()
    nyquist = sfreq / 2.0
    for name, freq in (("l_freq", l_freq), ("h_freq", h_freq)):
        if freq is not None and not 0 < freq < nyquist:
            raise ParameterError(
                f"{name}={freq} Hz must lie strictly between 0 and the Nyquist frequency {nyquist} Hz."
            )
    btype, edges = _filter_kind(l_freq, h_freq)
    sos = scipy.signal.butter(kwargs.get("order", 8), np.asarray(edges) / nyquist, btype=btype, output="sos")
    return scipy.signal.sosfiltfilt(sos, x, axis=-1)


class Signal:
    """A labelled time series with metadata and a processing history.

    Parameters
    ----------
    data : xarray.DataArray
        Data with a ``time`` dimension (its coordinate is the time axis) and any other dimensions. It is deep-copied.
    time_in_ms : bool, optional
        The time coordinate is in ms (as in model outputs) and is converted to s.

    Attributes
    ----------
    data : xarray.DataArray
        The data, ``time`` last, time in s rounded to 6 decimals (1 µs).
    dt : float
        Sampling interval in s: the mean time step rounded to 6 decimals (NaN for a single sample).
    sampling_frequency : float
        ``1 / dt`` in Hz.
    process_steps : list of str
        Processing history, starting with ``"raw {signal_type} signal: {start}--{end}s"``.
    name, label, signal_type, unit, description : str
        Metadata (class-level defaults, set per subclass; may be overridden per instance).

    Raises
    ------
    neurolib.errors.ParameterTypeError
        If ``data`` is not a DataArray.
    neurolib.errors.ParameterError
        If ``data`` has no ``time`` dimension. Both are also ``AssertionError`` (what the established package
        raises).

    Notes
    -----
    Processing methods take ``inplace``: ``True`` (default) changes this signal and returns None; ``False``
    returns a new signal of the same class with the metadata copied and the step appended.
    """

    name = ""
    label = ""
    signal_type = ""
    unit = ""
    description = ""
    _copy_attributes = ["name", "label", "signal_type", "unit", "description", "process_steps"]
    PROCESS_STEPS_KEY = "process_steps"

    def __init__(self, data, time_in_ms=False):
        if not isinstance(data, xr.DataArray):
            raise ParameterTypeError(
                f"{type(self).__name__}(data=...) expects an xarray.DataArray, got {type(data).__name__}."
            )
        if "time" not in data.dims:
            raise ParameterError(
                f"{type(self).__name__}(data=...) needs a 'time' dimension (and coordinate); the DataArray has "
                f"dims {data.dims}."
            )
        data = deepcopy(data)
        time = np.asarray(data["time"].values, dtype=float)
        if time_in_ms:
            time = time / 1000.0
        data = data.assign_coords(time=np.around(time, 6))
        self.data = data.transpose(*[d for d in data.dims if d != "time"], "time")
        self._update_sampling()
        self.process_steps = []
        self.process_steps.append(f"raw {self.signal_type} signal: {self.start_time}--{self.end_time}s")

    # ------------------------------------------------------------------ construction and I/O

    @classmethod
    def from_model_output(cls, model, group="", time_in_ms=True):
        """Signal from the outputs of a model run.

        Parameters
        ----------
        model : neurolib.models.model.Model
            A model after ``run()``.
        group : str, optional
            Output group, e.g. ``""`` (model variables) or ``"BOLD"``.
        time_in_ms : bool, optional
            Model time is in ms (default), converted to s.

        Returns
        -------
        Signal
            Data with dims ``("output", "space", "time")``.
        """
        from neurolib.models.model import Model

        if not isinstance(model, Model):
            raise ParameterTypeError(
                f"{cls.__name__}.from_model_output(model=...) expects a neurolib Model after run(), got "
                f"{type(model).__name__}."
            )
        return cls(model.xr(group), time_in_ms=time_in_ms)

    @classmethod
    def from_file(cls, filename):
        """Load a signal written by :meth:`save`.

        Attributes whose name contains ``process_steps`` (``process_steps_0``, ``process_steps_1``, ...) become the
        ordered ``process_steps`` list; the metadata of ``_copy_attributes`` are set on the instance. Other
        attributes stay in ``data.attrs`` and are also set on the instance unless the name is taken (a method,
        property, class attribute, ``data``, ``dt`` or ``sampling_frequency``).

        Parameters
        ----------
        filename : str or os.PathLike
            netCDF file; ``.nc`` is appended if missing.

        Returns
        -------
        Signal
            Instance of ``cls``. Without attributes in the file the warning "No metadata found, setting empty..." is
            logged and the default metadata and steps are used.
        """
        data = xr.load_dataarray(_nc_path(filename))
        attrs = dict(data.attrs)
        data.attrs = {}
        data = _restore_dtypes(data, attrs.pop(_DTYPE_KEY, None))
        signal = cls(data)
        if not attrs:
            logger.warning("No metadata found, setting empty...")
            return signal
        steps = sorted(
            (key for key in attrs if cls.PROCESS_STEPS_KEY in key),
            key=lambda key: int(key.rsplit("_", 1)[1]) if key.rsplit("_", 1)[1].isdigit() else -1,
        )
        if steps:
            signal.process_steps = [str(attrs.pop(key)) for key in steps]
        user_attrs = {}
        for key, value in attrs.items():
            value = _plain(value)
            if key not in cls._copy_attributes:
                user_attrs[key] = value
            free_name = key.isidentifier() and key not in _PROTECTED and not hasattr(cls, key)
            if free_name or key in cls._copy_attributes:
                setattr(signal, key, value)
        signal.data.attrs = user_attrs
        return signal

    def save(self, filename):
        """Write data, metadata and processing history to a netCDF file.

        The metadata of ``_copy_attributes`` are stored as attributes of the DataArray, lists unrolled as
        ``attr_0``, ``attr_1``, ... (the signal itself is not changed). Uses the ``netcdf4`` engine when ``netCDF4``
        is installed, else xarray's ``scipy`` engine (netCDF3; original integer dtypes are recorded and restored by
        :meth:`from_file`).

        Parameters
        ----------
        filename : str or os.PathLike
            Target file; ``.nc`` is appended if missing.

        Raises
        ------
        neurolib.errors.ParameterError
            (a ``ValueError``) for complex data (netCDF has no complex type): save ``amplitude``/``phase`` of
            the Hilbert transform or the real and imaginary parts instead.
        """
        from neurolib.utils.saver import netcdf_engine

        if np.iscomplexobj(self.data.values):
            raise ParameterError(
                "netCDF cannot store complex values; save the amplitude/phase (hilbert_transform(return_as=...)) "
                "or the real and imaginary parts as separate signals."
            )
        data = self.data.copy(deep=True)
        data.attrs.update(self._metadata_attrs())
        _record_dtypes(data)
        data.to_netcdf(_nc_path(filename), engine=netcdf_engine())

    def _metadata_attrs(self):
        """The metadata as netCDF attributes: scalars under their name, sequences as ``name_0``, ``name_1``, ..."""
        attrs = {}
        for key in self._copy_attributes:
            value = getattr(self, key)
            sequence = value if isinstance(value, (list, tuple)) else None
            if sequence is None:
                attrs[key] = value
            else:
                attrs.update({f"{key}_{index}": entry for index, entry in enumerate(sequence)})
        return attrs

    # ------------------------------------------------------------------ metadata and properties

    def _update_sampling(self):
        time = self.data["time"].values
        self.dt = float(np.around(np.mean(np.diff(time)), 6)) if time.size > 1 else float("nan")
        self.sampling_frequency = 1.0 / self.dt if self.dt else float("nan")

    def __finalize__(self, other, add_steps=None):
        """Copy the metadata of ``other`` onto this signal and append ``add_steps``; returns self."""
        metadata = {key: getattr(other, key) for key in self._copy_attributes}
        vars(self).update(deepcopy(metadata))
        if add_steps is not None:
            self.process_steps += list(add_steps)
        return self

    @property
    def __constructor__(self):
        return type(self)

    def _new_or_update(self, new_data, step, inplace):
        """Replace the data (inplace) or return a new signal of the same class, appending ``step``."""
        steps = [step] if isinstance(step, str) else list(step)
        if inplace:
            self.data = new_data
            self._update_sampling()
            self.process_steps += steps
            return None
        return self.__constructor__(new_data).__finalize__(self, steps)

    def __str__(self):
        return (
            f"{self.name or type(self).__name__} representing {self.signal_type or 'a'} signal with unit of "
            f"{self.unit or '(none)'} with user-provided description: `{self.description}`. Shape of the signal is "
            f"{self.shape} with dimensions {self.data.dims}. Signal starts at {self.start_time} s and ends at "
            f"{self.end_time} s."
        )

    __repr__ = __str__

    def __eq__(self, other):
        """True iff the data are close (``xarray.testing.assert_allclose``); metadata differences are logged."""
        if not isinstance(other, Signal):
            raise ParameterTypeError(f"A Signal can only be compared with a Signal, got {type(other).__name__}.")
        differing = [key for key in self._copy_attributes if getattr(other, key) != getattr(self, key)]
        for key in differing:
            logger.warning(f"The signals differ in their metadata `{key}` (data are compared regardless).")
        try:
            xr.testing.assert_allclose(self.data, other.data, rtol=1e-05, atol=1e-08)
        except AssertionError:
            return False
        return True

    __hash__ = None  # type: ignore[assignment]  # mutable and compared by value: not hashable

    def __getitem__(self, pick_output):
        """Select one entry of the ``output`` dimension (e.g. ``sig["rates_exc"]``) as a signal of the same class."""
        return self.__constructor__(self.data.sel(output=pick_output)).__finalize__(
            self, [f"select `{pick_output}` output"]
        )

    @property
    def shape(self):
        """tuple: shape of the data (time last)."""
        return self.data.shape

    @property
    def dims_not_time(self):
        """list of str: all dimensions except time."""
        return list(filter("time".__ne__, self.data.dims))

    @property
    def coords_not_time(self):
        """dict: coordinate name -> values, for all coordinates except time."""
        return {name: coord.values for name, coord in self.data.coords.items() if name != "time"}

    @property
    def start_time(self):
        """float: first time point in s."""
        return float(self.data["time"].values[0])

    @property
    def end_time(self):
        """float: last time point in s."""
        return float(self.data["time"].values[-1])

    @property
    def time(self):
        """numpy.ndarray: time points in s."""
        return self.data["time"].values

    @property
    def preprocessing_steps(self):
        """str: the processing history joined by ``" -> "``."""
        arrow = " -> "
        return arrow.join(self.process_steps)

    # ------------------------------------------------------------------ iteration and selection

    def iterate(self, return_as="signal"):
        """Iterate over the single time series along all non-time dimensions (in C order).

        Parameters
        ----------
        return_as : {"signal", "xr"}, optional
            ``"signal"`` yields ``(dict dim -> coordinate, Signal)``; ``"xr"`` yields ``(tuple of coordinates,
            DataArray)``.

        Yields
        ------
        tuple
            As above. With ``"signal"`` each yielded signal keeps the **last** non-time dimension (``space`` for
            model outputs) as a singleton, shape ``(1, T)`` as in the established package; the other dimensions
            become scalar coordinates. With ``"xr"`` each DataArray is one-dimensional, shape ``(T,)``. A signal
            with only a time dimension yields itself once, as ``({}, self)`` or ``((), self.data)``.

        Raises
        ------
        neurolib.errors.ParameterError
            (a ``ValueError``) for another ``return_as``.
        """
        if return_as not in ("signal", "xr"):
            raise ParameterError(f"iterate(return_as={return_as!r}): expected 'signal' or 'xr'.")
        dims = self.dims_not_time
        if not dims:
            yield ({}, self) if return_as == "signal" else ((), self.data)
            return
        labels_per_dim = [self.data[dim].values for dim in dims]
        kept = dims[-1]  # stays as a length-1 dimension in the yielded signals
        for position in np.ndindex(*(self.data.sizes[dim] for dim in dims)):
            labels = tuple(_plain(values[i]) for values, i in zip(labels_per_dim, position))
            picks = dict(zip(dims, position))
            if return_as == "xr":
                yield labels, self.data.isel(picks)
                continue
            picks[kept] = [position[-1]]
            described = dict(zip(dims, labels))
            step = "select " + ", ".join(f"{dim}={label}" for dim, label in described.items())
            yield described, self.__constructor__(self.data.isel(picks)).__finalize__(self, [step])

    def sel(self, sel_args, inplace=True):
        """Select a time interval by time labels (inclusive).

        Parameters
        ----------
        sel_args : sequence of two float or None
            ``[t0, t1]`` in s; None leaves that side open.
        inplace : bool, optional
            Change this signal (return None) or return a new one.
        """
        start, end = _two_bounds("sel", "sel_args", sel_args)
        selected = self.data.sel(time=slice(start, end))
        step = f"select {'' if start is None else start}:{'' if end is None else end}s"
        return self._new_or_update(selected, step, inplace)

    def isel(self, isel_args, inplace=True):
        """Select a time interval by sample indices ``[i0, i1)``.

        Parameters
        ----------
        isel_args : sequence of two int or None
            Start and stop index (None leaves that side open; negative indices count from the end).
        inplace : bool, optional
            Change this signal (return None) or return a new one.
        """
        start, end = _two_bounds("isel", "isel_args", isel_args)
        selected = self.data.isel(time=slice(start, end))
        times = selected["time"].values
        step = f"select {times[0] if times.size else ''}:{times[-1] if times.size else ''}s"
        return self._new_or_update(selected, step, inplace)

    def rolling(self, roll_over, function=np.mean, dropnans=True, inplace=True):
        """Centred rolling reduction along time.

        Parameters
        ----------
        roll_over : float
            Window length in s (``roll_over * sampling_frequency`` rounded to whole samples).
        function : callable, optional
            Reduction ``function(array, axis=...)``, e.g. ``np.mean`` or ``np.std``.
        dropnans : bool, optional
            Drop the edge samples where the window is incomplete (the signal gets shorter).
        inplace : bool, optional
            Change this signal (return None) or return a new one.

        Raises
        ------
        neurolib.errors.ParameterError
            (a ``ValueError``) if ``roll_over`` is shorter than one sample or longer than the signal.
        """
        window = int(round(roll_over * self.sampling_frequency))
        n_time = self.data.sizes["time"]
        if not 1 <= window <= n_time:
            raise ParameterError(
                f"roll_over={roll_over} s gives a window of {window} samples; it must be between 1 sample and the "
                f"signal length ({n_time} samples)."
            )
        rolled = self.data.rolling(time=window, center=True).reduce(function)
        step = f"rolling {_func_name(function)} over {roll_over}s"
        if dropnans:
            # the incomplete edge windows are the NaN positions of a rolled all-zero series (independent of NaN in data)
            edges = xr.DataArray(np.zeros(n_time), dims="time").rolling(time=window, center=True).sum()
            rolled = rolled.isel(time=np.flatnonzero(np.isfinite(edges.values)))
            step += "; drop NaNs"
        return self._new_or_update(rolled, step, inplace)

    def sliding_window(self, length, step=1, window_function="boxcar", lengths_in_seconds=False):
        """Generator of (tapered) windows of the signal.

        Windows cover samples ``[i, i + length)`` for ``i = 0, step, 2 step, ...`` while the window fits (a last
        partial window is dropped); each is multiplied by ``scipy.signal.get_window(window_function, length)``.

        Parameters
        ----------
        length : int or float
            Window length in samples (or s if ``lengths_in_seconds``, rounded to whole samples).
        step : int or float, optional
            Shift between windows in samples (or s).
        window_function : str or tuple, optional
            Any window known to ``scipy.signal.get_window``.
        lengths_in_seconds : bool, optional
            ``length`` and ``step`` are in s.

        Yields
        ------
        Signal
            One window, same class, with step ``"{window_function} window: i:j"`` (sample indices).

        Raises
        ------
        neurolib.errors.ParameterError
            (also ``ValueError`` and ``AssertionError``) if ``length`` is not shorter than the signal or ``step``
            is not between 1 and ``length``.
        """
        import scipy.signal

        if lengths_in_seconds:
            length = int(round(length / self.dt))
            step = int(round(step / self.dt))
        n_time = self.data.sizes["time"]
        if not 0 < length < n_time:
            raise ParameterError(
                f"sliding_window: length={length} samples must be at least 1 and shorter than the signal "
                f"({n_time} samples)."
            )
        if not 0 < step <= length:
            raise ParameterError(f"sliding_window: step={step} samples must be between 1 and length={length}.")
        taper = scipy.signal.get_window(window_function, length)
        for start in range(0, n_time - length + 1, step):
            window = self.data.isel(time=slice(start, start + length))
            window = window.copy(data=window.values * taper)
            yield self.__constructor__(window).__finalize__(
                self, [f"{window_function} window: {start}:{start + length}"]
            )

    # ------------------------------------------------------------------ processing

    def pad(self, how_much, in_seconds=False, padding_type="constant", side="both", inplace=True, **kwargs):
        """Pad along time with ``numpy.pad``; the time axis is extended in steps of ``dt``.

        Parameters
        ----------
        how_much : int or float
            Number of samples (or s if ``in_seconds``) added on each padded side.
        in_seconds : bool, optional
            ``how_much`` is in s.
        padding_type : str, optional
            ``numpy.pad`` mode (``"constant"``, ``"reflect"``, ``"edge"``, ...).
        side : {"both", "before", "after"}, optional
            Where to pad.
        inplace : bool, optional
            Change this signal (return None) or return a new one.
        **kwargs
            Passed to ``numpy.pad``, e.g. ``constant_values``.

        Raises
        ------
        neurolib.errors.ParameterError
            (a ``ValueError``) for another ``side``.
        """
        samples = int(round(how_much * self.sampling_frequency)) if in_seconds else int(how_much)
        widths = {"both": (samples, samples), "before": (samples, 0), "after": (0, samples)}
        if side not in widths:
            raise ParameterError(f"pad(side={side!r}): expected 'before', 'after' or 'both'.")
        before, after = widths[side]
        pad_width = [(0, 0)] * (self.data.ndim - 1) + [(before, after)]
        values = np.pad(self.data.values, pad_width, mode=padding_type, **kwargs)
        time = np.concatenate(
            [
                self.start_time - self.dt * np.arange(before, 0, -1),
                self.time,
                self.end_time + self.dt * np.arange(1, after + 1),
            ]
        )
        coords = {name: coord for name, coord in self.data.coords.items() if "time" not in coord.dims}
        coords["time"] = np.around(time, 6)
        padded = xr.DataArray(values, dims=self.data.dims, coords=coords, attrs=self.data.attrs)
        duration = how_much if in_seconds else round(samples * self.dt, 6)
        sides = "both sides" if side == "both" else f"{side} side"
        return self._new_or_update(padded, f"{duration}s {padding_type} {sides} padding", inplace)

    def normalize(self, std=False, inplace=True):
        """Subtract the temporal mean (and divide by the temporal standard deviation).

        Parameters
        ----------
        std : bool, optional
            Also divide by the standard deviation over time (constant series then become NaN).
        inplace : bool, optional
            Change this signal (return None) or return a new one.
        """
        normalized = self.data - self.data.mean(dim="time")
        steps = ["normalize"]
        if std:
            with np.errstate(invalid="ignore", divide="ignore"):
                normalized = normalized / self.data.std(dim="time")
            steps.append("standardize")
        normalized = normalized.transpose(*self.data.dims)
        return self._new_or_update(normalized, steps, inplace)

    def resample(self, to_frequency, inplace=True):
        """Resample to a new sampling frequency.

        With ``mne``: ``mne.filter.resample(up=to_frequency, down=sampling_frequency, npad="auto", pad="edge")``.
        Without it (warning logged): ``scipy.signal.resample`` (FFT, boxcar window) to
        ``round(to_frequency / sampling_frequency * n)`` samples. The new time axis starts at the old start with
        step ``1 / to_frequency``.

        Parameters
        ----------
        to_frequency : float
            New sampling frequency in Hz.
        inplace : bool, optional
            Change this signal (return None) or return a new one.
        """
        if not to_frequency > 0:
            raise ParameterError(f"resample: to_frequency must be a positive frequency in Hz, got {to_frequency!r}.")
        old_fs = self.sampling_frequency
        values = self.data.values
        mne = _import_mne()
        if mne is not None:
            resampled = mne.filter.resample(
                values, up=to_frequency, down=old_fs, npad="auto", axis=-1, pad="edge", verbose=False
            )
        else:
            import scipy.signal

            logger.warning(_FALLBACK_MSG.format("scipy.signal.resample"))
            n_new = int(round(to_frequency / old_fs * values.shape[-1]))
            resampled = scipy.signal.resample(values, num=n_new, window="boxcar", axis=-1)
        time = np.around(self.start_time + np.arange(resampled.shape[-1]) / to_frequency, 6)
        coords = {name: coord for name, coord in self.data.coords.items() if "time" not in coord.dims}
        coords["time"] = time
        new_data = xr.DataArray(resampled, dims=self.data.dims, coords=coords, attrs=self.data.attrs)
        result = self._new_or_update(new_data, f"resample to {float(to_frequency)}Hz", inplace)
        target = self if inplace else result
        target.sampling_frequency = float(to_frequency)
        target.dt = float(np.around(1.0 / to_frequency, 6))
        return result

    def hilbert_transform(self, return_as="complex", inplace=True):
        """Analytic signal along time (``scipy.signal.hilbert``) or its amplitude or phase.

        Parameters
        ----------
        return_as : {"complex", "amplitude", "phase_wrapped", "phase_unwrapped"}, optional
            Complex analytic signal, its absolute value (envelope, unit of the signal), its angle in rad wrapped to
            (-pi, pi] or unwrapped along time.
        inplace : bool, optional
            Change this signal (return None) or return a new one.

        Raises
        ------
        neurolib.errors.ParameterError
            (a ``ValueError``) for another ``return_as``.
        """
        import scipy.signal

        transforms = {
            "complex": lambda z: z,
            "amplitude": np.abs,
            "phase_wrapped": np.angle,
            "phase_unwrapped": lambda z: np.unwrap(np.angle(z), axis=-1),
        }
        if return_as not in transforms:
            raise ParameterError(f"hilbert_transform(return_as={return_as!r}): expected one of {list(transforms)}.")
        analytic = scipy.signal.hilbert(self.data.values, axis=-1)
        new_data = self.data.copy(data=transforms[return_as](analytic))
        return self._new_or_update(new_data, f"Hilbert - {return_as.replace('_', ' ')}", inplace)

    def detrend(self, segments=None, inplace=True):
        """Remove a linear trend along time (piecewise with break points).

        Parameters
        ----------
        segments : sequence of int, optional
            Break points (sample indices) of a piecewise linear detrend (``scipy.signal.detrend(bp=...)``).
        inplace : bool, optional
            Change this signal (return None) or return a new one.
        """
        import scipy.signal

        bp = 0 if segments is None else segments
        detrended = self.data.copy(data=scipy.signal.detrend(self.data.values, axis=-1, type="linear", bp=bp))
        step = "detrend" if segments is None else f"detrend with segments: {list(segments)}"
        return self._new_or_update(detrended, step, inplace)

    def filter(self, low_freq, high_freq, l_trans_bandwidth="auto", h_trans_bandwidth="auto", inplace=True, **kwargs):
        """Filter along time.

        Only ``low_freq`` -> high-pass, only ``high_freq`` -> low-pass, ``low_freq < high_freq`` -> band-pass,
        ``low_freq > high_freq`` -> band-stop. With ``mne``: ``mne.filter.filter_data`` (FIR; ``kwargs`` forwarded).
        Without it (warning logged): :func:`scipy_iir_filter_data` (zero-phase Butterworth; ``order`` from
        ``kwargs``, default 8; transition bandwidths ignored).

        Parameters
        ----------
        low_freq, high_freq : float or None
            Edges in Hz.
        l_trans_bandwidth, h_trans_bandwidth : float or "auto", optional
            Transition bandwidths in Hz (MNE only).
        inplace : bool, optional
            Change this signal (return None) or return a new one.
        **kwargs
            Passed to the filter function.
        """
        values = self.data.values
        mne = _import_mne()
        if mne is not None:
            options = {"l_trans_bandwidth": l_trans_bandwidth, "h_trans_bandwidth": h_trans_bandwidth, "verbose": False}
            options.update(kwargs)
            filtered = mne.filter.filter_data(values, self.sampling_frequency, low_freq, high_freq, **options)
        else:
            logger.warning(_FALLBACK_MSG.format("scipy_iir_filter_data"))
            filtered = scipy_iir_filter_data(values, self.sampling_frequency, low_freq, high_freq, **kwargs)
        step = f"filter: low {low_freq if low_freq is not None else 'x'}Hz - high "
        step += f"{high_freq if high_freq is not None else 'x'}Hz"
        return self._new_or_update(self.data.copy(data=filtered), step, inplace)

    def functional_connectivity(self, fc_function=np.corrcoef):
        """Functional connectivity between the ``space`` entries, per entry of the other dimensions.

        Parameters
        ----------
        fc_function : callable, optional
            Maps a (space, time) array to a (space, space) matrix, e.g. ``np.corrcoef`` (default; NaN for constant
            series) or :func:`neurolib.utils.functions.fc` (NaN replaced by 0).

        Returns
        -------
        xarray.DataArray or None
            Dims ``("space", "space_2")`` for 2-D data, or the other dimension(s) first, e.g.
            ``("output", "space", "space_2")``. None (with an error logged) if ``space`` has at most one entry.

        Raises
        ------
        neurolib.errors.ParameterError
            (a ``ValueError``) if the signal has no ``space`` dimension.

        Notes
        -----
        Upstream names both matrix dimensions ``space``; xarray does not support duplicate dimension names, so the
        column dimension is called ``space_2`` (same coordinates as ``space``).
        """
        if "space" not in self.data.dims:
            raise ParameterError(f"Functional connectivity needs a `space` dimension; dims are {self.data.dims}.")
        n_space = self.data.sizes["space"]
        if n_space <= 1:
            logger.error("Cannot compute functional connectivity from one timeseries.")
            return None
        others = [dim for dim in self.dims_not_time if dim != "space"]
        values = self.data.transpose(*others, "space", "time").values
        flat = values.reshape(-1, n_space, values.shape[-1])
        matrices = np.stack([np.asarray(fc_function(series)) for series in flat])
        matrices = matrices.reshape(values.shape[:-2] + (n_space, n_space))
        space = self.data["space"].values
        coords = {dim: self.data[dim].values for dim in others}
        coords.update({"space": space, "space_2": space})
        return xr.DataArray(matrices, dims=(*others, "space", "space_2"), coords=coords)

    def apply(self, func, inplace=True):
        """Apply a function along time.

        ``func`` receives the data as a numpy array with time along the **last** axis (via ``xr.apply_ufunc``)
        and must work along it, e.g. ``functools.partial(np.mean, axis=-1)``.

        Parameters
        ----------
        func : callable
            Function of an array, time last.
        inplace : bool, optional
            Change this signal (return None) or return a new one, when the shape is preserved.

        Returns
        -------
        None, Signal or xarray.DataArray
            If the function changes the shape (e.g. reduces time), the warning "Shape changed after operation! Old
            shape: {old}, new shape: {new}; Cannot cast to Signal class, returing as `xr.DataArray`" is logged and the
            result is returned as a DataArray **even when** ``inplace=True`` (the signal is left unchanged).

        Raises
        ------
        neurolib.errors.ParameterError
            (a ``ValueError``) if the result is neither the same shape nor the shape without time.
        """
        along_time = [["time"]]
        try:
            processed = xr.apply_ufunc(func, self.data, input_core_dims=along_time, output_core_dims=along_time)
        except ValueError:
            try:
                processed = xr.apply_ufunc(func, self.data, input_core_dims=along_time)
            except ValueError as error:
                raise ParameterError(
                    f"apply: the result of `{_func_name(func)}` must keep the shape {self.shape} or drop the time "
                    f"axis ({error})"
                ) from error
            logger.warning(
                f"Shape changed after operation! Old shape: {self.shape}, new shape: {processed.shape}; "
                "Cannot cast to Signal class, returing as `xr.DataArray`"
            )
            return processed
        return self._new_or_update(processed, f"apply `{_func_name(func)}` function over time dim", inplace)


def _two_bounds(method, argument, bounds):
    """``(start, end)`` from a two-element sequence, or a :class:`ParameterError` naming ``argument``."""
    try:
        start, end = bounds
    except (TypeError, ValueError):
        raise ParameterError(
            f"{method}({argument}=...) expects two bounds [start, end] (None leaves a side open), got {bounds!r}."
        ) from None
    return start, end


def _record_dtypes(data):
    """Note integer and unicode dtypes of data and coordinates in their attrs.

    netCDF3 stores 64-bit integers as 32-bit ones, and strings come back as ``object`` arrays.
    """
    for variable in [data, *data.coords.values()]:
        if variable.dtype.kind in "iuU":
            variable.attrs[_DTYPE_KEY] = str(variable.dtype)


def _restore_dtypes(data, dtype):
    """Undo :func:`_record_dtypes` after loading: cast coordinates and (if ``dtype``) the data back."""
    for name, coord in list(data.coords.items()):
        if _DTYPE_KEY in coord.attrs:
            restored = coord.astype(coord.attrs[_DTYPE_KEY])
            restored.attrs = {k: v for k, v in coord.attrs.items() if k != _DTYPE_KEY}
            data = data.assign_coords({name: restored})
    if dtype is not None:
        data = data.astype(dtype)
    return data


class RatesSignal(Signal):
    """Population firing rates in Hz (e.g. ``rates_exc`` of the ALN model)."""

    name, label, signal_type, unit = ("Population firing rate", "q", "rate", "Hz")


class VoltageSignal(Signal):
    """Population mean membrane potentials in mV."""

    name, label, signal_type, unit = ("Population mean membrane potential", "V", "voltage", "mV")


class BOLDSignal(Signal):
    """Simulated or empirical BOLD signal in % signal change."""

    name, label, signal_type, unit = ("Population blood oxygen level-dependent signal", "BOLD", "bold", "%")
