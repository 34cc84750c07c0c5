"""Analysis functions for simulated and empirical time series.

Functional connectivity (:func:`fc`) and its dynamics (:func:`fcd`), matrix similarity (:func:`matrix_correlation`,
:func:`matrix_kolmogorov`, :func:`ts_kolmogorov`), a weighted correlation, the Kuramoto order parameter
(:func:`kuramoto`) and Welch power spectra of model activity (:func:`getPowerSpectrum`,
:func:`getMeanPowerSpectrum`, time step in ms, frequencies in Hz).

Non-finite input
----------------
The functions follow numpy: NaN in the input gives NaN in the result (``matrix_correlation``, ``fcd``,
``matrix_kolmogorov``, ``weighted_correlation``, the power spectra), except :func:`fc`, which sets every undefined
correlation to 0 (so a NaN row shows up as a row of zeros), and :func:`kuramoto`, which raises a
:class:`~neurolib.errors.ParameterError` (a ``ValueError``) because peaks of a non-finite trace are meaningless.

Bad arguments raise :class:`~neurolib.errors.ParameterError`, which is both a ``ValueError`` and (for code written
against the established package, which asserts) an ``AssertionError``.
"""

from __future__ import annotations

import logging
from typing import Any

import numpy as np
from numpy.typing import ArrayLike

from neurolib.errors import ParameterError

logger = logging.getLogger(__name__)

FrequencyPower = tuple[np.ndarray, np.ndarray]  # (frequencies in Hz, power)


def fc(ts: ArrayLike) -> np.ndarray:
    """Functional connectivity: Pearson correlation matrix of the rows of a time series.

    Parameters
    ----------
    ts : array_like, shape (N, T)
        One time series per row (region), time along the columns.

    Returns
    -------
    numpy.ndarray, shape (N, N)
        Correlation matrix. Entries that are undefined are set to 0: every entry of a constant row, including its
        diagonal entry, and likewise every entry of a row containing NaN or inf (check ``np.isfinite`` first if
        the input may have diverged).

    Examples
    --------
    >>> fc([[0.0, 1.0, 2.0], [0.0, 2.0, 4.0]])
    array([[1., 1.],
           [1., 1.]])
    """
    ts = np.asarray(ts, dtype=float)
    with np.errstate(invalid="ignore", divide="ignore"):
        corr = np.corrcoef(ts)
    return np.nan_to_num(np.atleast_2d(corr), nan=0.0)


def matrix_correlation(M1: ArrayLike, M2: ArrayLike) -> float:
    """Pearson correlation between the strict upper triangles of two square matrices.

    This is the usual goodness-of-fit of a simulated FC against an empirical one. For symmetric matrices the
    upper and lower triangles are the same.

    Parameters
    ----------
    M1, M2 : array_like, shape (N, N)
        Matrices to compare; the diagonal is ignored.

    Returns
    -------
    float
        Correlation coefficient of the off-diagonal upper-triangle entries; NaN when either triangle is constant
        or contains NaN.

    Examples
    --------
    >>> a = np.array([[1.0, 0.2, 0.4], [0.2, 1.0, 0.6], [0.4, 0.6, 1.0]])
    >>> round(matrix_correlation(a, 2 * a), 6)
    1.0
    """
    M1 = np.asarray(M1, dtype=float)
    M2 = np.asarray(M2, dtype=float)
    rows, cols = np.triu_indices(M1.shape[0], k=1)
    return float(np.corrcoef(M1[rows, cols], M2[rows, cols])[0, 1])


def fcd(ts: ArrayLike, windowsize: int = 30, stepsize: int = 5) -> np.ndarray | int:
    """Functional connectivity dynamics: similarity of FC matrices computed in sliding windows.

    Windows start at ``t = 0, stepsize, 2 * stepsize, ...`` while ``t < T - windowsize``; each window's FC is the
    correlation matrix of ``ts[:, t:t + windowsize]`` (undefined entries stay NaN). Entry ``(i, j)`` of the result
    is the Pearson correlation between the flattened FC matrices of windows ``i`` and ``j``, diagonal included.
    The defaults suit BOLD sampled at 0.5 Hz (60 s windows, 10 s steps).

    Parameters
    ----------
    ts : array_like, shape (N, T)
        One time series per row.
    windowsize : int, optional
        Window length in samples.
    stepsize : int, optional
        Shift between consecutive windows in samples.

    Returns
    -------
    numpy.ndarray, shape (W, W)
        FCD matrix over the ``W`` windows; an empty ``(0, 0)`` array when no window start satisfies
        ``t < T - windowsize`` (e.g. ``windowsize == T``). If the computation fails (e.g. the input is not
        two-dimensional), the integer ``0`` is returned, as upstream does.

    Raises
    ------
    neurolib.errors.ParameterError
        (a ``ValueError``) if ``windowsize`` is longer than the time series (``windowsize > T``).

    Examples
    --------
    >>> ts = np.random.default_rng(0).standard_normal((4, 100))
    >>> fcd(ts, windowsize=20, stepsize=10).shape
    (8, 8)
    """
    try:
        n_time = np.shape(ts)[1]
    except Exception:  # noqa: BLE001 -- documented upstream behaviour: failure returns 0
        return 0
    if windowsize > n_time:
        raise ParameterError(
            f"fcd: windowsize={windowsize} samples is longer than the time series (T={n_time} samples)."
        )
    try:
        ts = np.asarray(ts, dtype=float)
        starts = np.arange(0, n_time - windowsize, stepsize)
        if starts.size == 0:
            return np.zeros((0, 0))
        # (N, T - windowsize + 1, windowsize) view, keep the chosen starts -> (W, N, windowsize)
        windows = np.lib.stride_tricks.sliding_window_view(ts, windowsize, axis=1)[:, starts, :]
        windows = np.moveaxis(windows, 1, 0)
        centred = windows - windows.mean(axis=2, keepdims=True)
        with np.errstate(invalid="ignore", divide="ignore"):
            scaled = centred / np.sqrt(np.einsum("wnk,wnk->wn", centred, centred))[:, :, None]
            fcs = np.einsum("wik,wjk->wij", scaled, scaled)
            fcs = np.clip(fcs, -1.0, 1.0)  # rounding can push |r| slightly above 1; NaN passes through
            result = np.corrcoef(fcs.reshape(len(starts), -1))
        return np.atleast_2d(result)
    except Exception:  # noqa: BLE001 -- documented upstream behaviour: failure returns 0
        return 0


def weighted_correlation(x: ArrayLike, y: ArrayLike, w: ArrayLike) -> float:
    r"""Weighted Pearson correlation of two samples.

    With :math:`m_w(x) = \sum_i w_i x_i / \sum_i w_i` and
    :math:`c_w(x, y) = \sum_i w_i (x_i - m_w(x)) (y_i - m_w(y)) / \sum_i w_i` the result is
    :math:`c_w(x, y) / \sqrt{c_w(x, x)\, c_w(y, y)}`. Equal weights give the ordinary Pearson correlation.

    Parameters
    ----------
    x, y : array_like, shape (n,)
        The two samples (any unit; the result is dimensionless).
    w : array_like, shape (n,)
        Non-negative weights of the sample points.

    Returns
    -------
    float
        Weighted correlation in [-1, 1]; NaN when a sample is constant (under the weights), when the weights sum
        to zero or when an input contains NaN.

    Examples
    --------
    >>> round(weighted_correlation([1.0, 2.0, 3.0], [2.0, 4.0, 6.0], [1.0, 1.0, 5.0]), 6)
    1.0
    """
    x, y, w = (np.asarray(a, dtype=float) for a in (x, y, w))
    with np.errstate(invalid="ignore", divide="ignore"):
        w_sum = np.sum(w)
        dx = x - np.sum(w * x) / w_sum
        dy = y - np.sum(w * y) / w_sum
        cov_xy = np.sum(w * dx * dy) / w_sum
        cov_xx = np.sum(w * dx * dx) / w_sum
        cov_yy = np.sum(w * dy * dy) / w_sum
        return float(cov_xy / np.sqrt(cov_xx * cov_yy))


def matrix_kolmogorov(m1: ArrayLike, m2: ArrayLike) -> float:
    """Two-sample Kolmogorov-Smirnov distance between the strict upper triangles of two square matrices.

    Used to compare FCD matrices, whose value distributions (not their element order) characterize the dynamics.

    Parameters
    ----------
    m1 : array_like, shape (N1, N1)
        First matrix; the diagonal is ignored.
    m2 : array_like, shape (N2, N2)
        Second matrix; its size may differ from ``m1``.

    Returns
    -------
    float
        The KS statistic ``D`` (maximum distance of the two empirical distribution functions) in [0, 1]; NaN when
        a triangle contains NaN.

    Raises
    ------
    ValueError
        If a matrix has no off-diagonal upper-triangle entry (smaller than 2 x 2), as raised by scipy.

    Examples
    --------
    >>> a = np.array([[1.0, 0.5], [0.5, 1.0]])
    >>> matrix_kolmogorov(a, a)
    0.0
    """
    import scipy.stats

    m1 = np.asarray(m1, dtype=float)
    m2 = np.asarray(m2, dtype=float)
    triu1 = m1[np.triu_indices(m1.shape[0], k=1)]
    triu2 = m2[np.triu_indices(m2.shape[0], k=1)]
    return float(scipy.stats.ks_2samp(triu1, triu2).statistic)


def ts_kolmogorov(ts1: ArrayLike, ts2: ArrayLike, **fcd_kwargs: Any) -> float:
    """Kolmogorov-Smirnov distance between the FCD matrices of two multivariate time series.

    Parameters
    ----------
    ts1 : array_like, shape (N, T1)
        First time series (one region per row).
    ts2 : array_like, shape (N, T2)
        Second time series; its length may differ.
    **fcd_kwargs
        Passed to :func:`fcd` for both series (``windowsize``, ``stepsize``, in samples).

    Returns
    -------
    float
        ``matrix_kolmogorov(fcd(ts1, **fcd_kwargs), fcd(ts2, **fcd_kwargs))``.

    Examples
    --------
    >>> rng = np.random.default_rng(0)
    >>> 0.0 <= ts_kolmogorov(rng.standard_normal((4, 200)), rng.standard_normal((4, 150))) <= 1.0
    True
    """
    return matrix_kolmogorov(fcd(ts1, **fcd_kwargs), fcd(ts2, **fcd_kwargs))


def _peak_phases(trace, smoothing, distance, prominence):
    """Linear phase (rad) of one trace between its peaks, or None when the trace has no peak."""
    import scipy.ndimage
    import scipy.signal

    if smoothing > 0:
        trace = scipy.ndimage.gaussian_filter1d(trace, smoothing)
    peaks = scipy.signal.find_peaks(trace, distance=distance, prominence=prominence)[0]
    if peaks.size == 0:
        return None
    n_time = trace.shape[0]
    # segments [start, end): [0, p0), [p0, p1), ..., [p_last, T - 1); within each the phase is
    # np.linspace(0, 2 pi, end - start), i.e. 2 pi k / (length - 1) at offset k
    ends = np.append(peaks, n_time - 1)
    starts = np.concatenate(([0], ends[:-1]))
    t = np.arange(n_time - 1)
    segment = np.searchsorted(ends, t, side="right")
    lengths = (ends - starts)[segment]
    offsets = t - starts[segment]
    phases = np.empty(n_time)
    phases[:-1] = np.where(lengths > 1, 2 * np.pi * offsets / np.maximum(lengths - 1, 1), 0.0)
    phases[-1] = 2 * np.pi
    return phases


def kuramoto(traces: ArrayLike, smoothing: float = 0.0, distance: int = 10, prominence: float = 5) -> np.ndarray | int:
    r"""Kuramoto order parameter of oscillating traces, with phases interpolated linearly between peaks.

    For each trace the peaks are found with ``scipy.signal.find_peaks`` (after optional Gaussian smoothing) and
    the last sample is appended as a final boundary. The phase rises linearly from 0 to :math:`2\pi` from sample 0
    to the first peak and between consecutive boundaries (as ``np.linspace(0, 2 pi, length)`` over each segment,
    so it is 0 at each peak); the last sample is set to :math:`2\pi`. The order parameter is
    :math:`R(t) = |\frac{1}{N} \sum_n e^{i \varphi_n(t)}|`.

    Parameters
    ----------
    traces : array_like, shape (N, T)
        One oscillating trace per row (any unit), e.g. ``model.x`` or a rate output.
    smoothing : float, optional
        Standard deviation of the Gaussian smoothing kernel in samples; 0 disables smoothing.
    distance : float, optional
        Minimal distance between peaks in samples (``find_peaks(distance=...)``).
    prominence : float, optional
        Minimal peak prominence in the unit of the traces (``find_peaks(prominence=...)``).

    Returns
    -------
    numpy.ndarray, shape (T,) or int
        Order parameter over time, in [0, 1]. If some trace has no peak, a warning
        "Kuramoto: No peaks found, returning 0." is logged and the integer ``0`` is returned.

    Raises
    ------
    neurolib.errors.ParameterError
        (a ``ValueError``) if ``traces`` is not two-dimensional or contains NaN or inf.

    Examples
    --------
    >>> t = np.arange(2000) * 0.1
    >>> traces = np.vstack([np.sin(0.2 * t), np.sin(0.2 * t + 0.1)])
    >>> bool(kuramoto(traces, prominence=0.5)[100:1800].min() > 0.99)
    True
    """
    traces = np.asarray(traces, dtype=float)
    if traces.ndim != 2:
        raise ParameterError(f"kuramoto: traces must be two-dimensional (N, T), got shape {traces.shape}.")
    if not np.all(np.isfinite(traces)):
        raise ParameterError("kuramoto: traces contain NaN or inf; peaks and phases are undefined.")
    phases = np.zeros(traces.shape)
    for n, trace in enumerate(traces):  # find_peaks works on one trace at a time
        row = _peak_phases(trace, smoothing, distance, prominence)
        if row is None:
            logger.warning("Kuramoto: No peaks found, returning 0.")
            return 0
        phases[n] = row
    return np.abs(np.mean(np.exp(1j * phases), axis=0))


def _welch(activity, dt, maxfr, spectrum_windowsize):
    """Welch spectrum (Hann window, ``scaling="spectrum"``) along the last axis, cut at ``maxfr``."""
    import scipy.signal

    if not dt > 0:
        raise ParameterError(f"dt must be a positive time step in ms, got {dt}.")
    n_time = activity.shape[-1]
    nperseg = int(spectrum_windowsize * 1000 / dt)
    if nperseg > n_time:
        raise ParameterError(
            f"spectrum_windowsize={spectrum_windowsize} s ({nperseg} samples at dt={dt} ms) is longer than the "
            f"activity ({n_time} samples = {n_time * dt / 1000:g} s)."
        )
    if nperseg < 2:
        raise ParameterError(
            f"spectrum_windowsize={spectrum_windowsize} s gives {nperseg} samples at dt={dt} ms; need at least 2."
        )
    freqs, power = scipy.signal.welch(
        activity, fs=1000 / dt, window="hann", nperseg=nperseg, scaling="spectrum", axis=-1
    )
    keep = freqs < maxfr
    return freqs[keep], power[..., keep]


def getPowerSpectrum(
    activity: ArrayLike, dt: float, maxfr: float = 70, spectrum_windowsize: float = 1.0, normalize: bool = False
) -> FrequencyPower:
    """Welch power spectrum of one time series.

    Welch's method with a Hann window of ``int(spectrum_windowsize * 1000 / dt)`` samples (scipy's default 50 %
    overlap), sampling frequency ``1000 / dt`` Hz and ``scaling="spectrum"`` (power in squared units of the
    activity). With ``dt = 0.1`` ms and 1 s windows the frequency grid is 0, 1, ..., 69 Hz.

    Parameters
    ----------
    activity : array_like, shape (T,) or (1, T)
        The time series, sampled every ``dt`` ms.
    dt : float
        Sampling interval in ms.
    maxfr : float, optional
        Only frequencies strictly below ``maxfr`` (Hz) are returned.
    spectrum_windowsize : float, optional
        Length of the Welch segments in s; sets the frequency resolution ``1 / spectrum_windowsize`` Hz.
    normalize : bool, optional
        Divide the power by its maximum.

    Returns
    -------
    freqs : numpy.ndarray
        Frequencies in Hz.
    power : numpy.ndarray
        Power at ``freqs`` (squared unit of ``activity``, or dimensionless if normalized); NaN everywhere when the
        activity contains NaN.

    Raises
    ------
    neurolib.errors.ParameterError
        (a ``ValueError`` and ``AssertionError``) "activity is not one-dimensional!" for any other shape; also if
        the window (``spectrum_windowsize``) is longer than the activity or shorter than two samples, or if
        ``dt`` is not positive.

    Examples
    --------
    >>> t = np.arange(20000) * 0.1  # ms
    >>> freqs, power = getPowerSpectrum(np.sin(2 * np.pi * 0.03 * t), dt=0.1)  # 30 Hz
    >>> float(freqs[np.argmax(power)])
    30.0
    """
    activity = np.asarray(activity, dtype=float)
    if not (activity.ndim == 1 or activity.shape[:1] == (1,) and activity.ndim == 2):
        raise ParameterError(
            f"activity is not one-dimensional! getPowerSpectrum(activity=...) expects shape (T,) or (1, T), got "
            f"{activity.shape}; use getMeanPowerSpectrum for several time series."
        )
    freqs, power = _welch(activity.reshape(-1), dt, maxfr, spectrum_windowsize)
    if normalize:
        power = power / np.max(power)
    return freqs, power


def getMeanPowerSpectrum(
    activities: ArrayLike, dt: float, maxfr: float = 70, spectrum_windowsize: float = 1.0, normalize: bool = False
) -> FrequencyPower:
    """Mean Welch power spectrum over several time series.

    The unnormalized spectra of :func:`getPowerSpectrum` are averaged over the rows; ``normalize`` then divides
    the mean by its maximum.

    Parameters
    ----------
    activities : array_like, shape (N, T)
        One time series per row, sampled every ``dt`` ms (a 1-D array counts as one row).
    dt : float
        Sampling interval in ms.
    maxfr : float, optional
        Only frequencies strictly below ``maxfr`` (Hz) are returned.
    spectrum_windowsize : float, optional
        Length of the Welch segments in s.
    normalize : bool, optional
        Divide the mean power by its maximum.

    Returns
    -------
    freqs : numpy.ndarray
        Frequencies in Hz.
    mean_power : numpy.ndarray
        Power averaged over the rows.

    Raises
    ------
    neurolib.errors.ParameterError
        (a ``ValueError``) if ``activities`` has more than two dimensions, or as :func:`getPowerSpectrum`.

    Examples
    --------
    >>> freqs, power = getMeanPowerSpectrum(np.random.default_rng(0).standard_normal((3, 20000)), dt=0.1)
    >>> freqs.shape, power.shape
    ((70,), (70,))
    """
    activities = np.asarray(activities, dtype=float)
    if activities.ndim > 2:
        raise ParameterError(f"activities must be (N, T), got shape {activities.shape}.")
    freqs, power = _welch(np.atleast_2d(activities), dt, maxfr, spectrum_windowsize)
    mean_power = power.mean(axis=0)
    if normalize:
        mean_power = mean_power / np.max(mean_power)
    return freqs, mean_power
