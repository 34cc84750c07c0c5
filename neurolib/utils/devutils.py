"""Helpers used while developing models and in the example notebooks: an overview plot of a run, the fit of a
run's BOLD to empirical data, power spectra cut at 40 Hz, an n-dimensional sliding-window view and a recursive
size estimate.

This module is **not a stable API** (the established package says so too): signatures follow the established
``neurolib.utils.devutils`` so that example scripts keep running, but the figure layout may change.

Units: times and time steps in ms, frequencies in Hz, BOLD transients in ms (compared with ``model.BOLD.t_BOLD``).
``matplotlib`` is needed only by :func:`plot_outputs` and is imported there.
"""

import sys

import numpy as np

from neurolib.errors import ParameterError, ParameterTypeError
from neurolib.utils import functions as func

__all__ = [
    "plot_outputs", "model_fit", "getPowerSpectrum", "getMeanPowerSpectrum", "rolling_window", "get_size", "short",
    "save_figure",
]  # fmt: skip


# ---------------------------------------------------------------------------------------------------- spectra
def getPowerSpectrum(rate, dt, maxfr=40, spectrum_windowsize=1.0, normalize=False):
    """Welch power spectrum of one time series, cut at 40 Hz by default.

    Same computation as :func:`neurolib.utils.functions.getPowerSpectrum` (Hann window of
    ``spectrum_windowsize`` s, ``scaling="spectrum"``); only the default ``maxfr`` differs.

    Parameters
    ----------
    rate : array_like, shape (T,) or (1, T)
        The time series (e.g. a firing rate in Hz), sampled every ``dt`` ms.
    dt : float
        Sampling interval in ms.
    maxfr : float, optional
        Only frequencies strictly below ``maxfr`` Hz are returned.
    spectrum_windowsize : float, optional
        Length of the Welch segments in s (frequency resolution ``1 / spectrum_windowsize`` Hz).
    normalize : bool, optional
        Divide the power by its maximum.

    Returns
    -------
    freqs : numpy.ndarray
        Frequencies in Hz.
    power : numpy.ndarray
        Power at ``freqs`` (squared unit of ``rate``; dimensionless if normalized).

    Raises
    ------
    neurolib.errors.ParameterError
        As :func:`neurolib.utils.functions.getPowerSpectrum` (shape, window length, ``dt``).
    """
    return func.getPowerSpectrum(rate, dt, maxfr=maxfr, spectrum_windowsize=spectrum_windowsize, normalize=normalize)


def getMeanPowerSpectrum(activities, dt, maxfr=40, spectrum_windowsize=1.0, normalize=False):
    """Welch power spectrum averaged over the rows of ``activities``, cut at 40 Hz by default.

    Same computation as :func:`neurolib.utils.functions.getMeanPowerSpectrum`; only the default ``maxfr`` differs.

    Parameters
    ----------
    activities : array_like, shape (N, T)
        One time series per row, sampled every ``dt`` ms.
    dt : float
        Sampling interval in ms.
    maxfr : float, optional
        Only frequencies strictly below ``maxfr`` Hz are returned.
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
    """
    return func.getMeanPowerSpectrum(
        activities, dt, maxfr=maxfr, spectrum_windowsize=spectrum_windowsize, normalize=normalize
    )


# ---------------------------------------------------------------------------------------------------- model fit
def _bold_after(model, bold_transient):
    """``(t_BOLD, BOLD)`` of a run with the samples at or before ``bold_transient`` ms dropped."""
    try:
        bold = np.asarray(model.BOLD.BOLD, dtype=float)
        t_bold = np.asarray(model.BOLD.t_BOLD, dtype=float)
    except (AttributeError, KeyError, TypeError):
        bold = t_bold = None
    if bold is None or bold.ndim != 2 or bold.shape[1] == 0:
        raise ParameterError(
            "model has no BOLD output: run it with model.run(bold=True) (BOLD is sampled every 2 s, so the run "
            "must be longer than bold_transient plus a few samples)."
        )
    keep = t_bold > bold_transient
    if keep.sum() < 2:
        raise ParameterError(
            f"bold_transient={bold_transient} ms leaves {int(keep.sum())} of the {t_bold.size} BOLD samples (last at "
            f"t_BOLD = {t_bold[-1]:g} ms); run longer or lower bold_transient."
        )
    return t_bold[keep], bold[:, keep]


def model_fit(model, ds, bold_transient=10000, fc=True, fcd=False):
    """How well the BOLD of a run matches empirical data.

    Parameters
    ----------
    model : neurolib.models.model.Model
        A model after ``run(bold=True)``.
    ds : neurolib.utils.loadData.Dataset
        Empirical data: ``ds.FCs`` for the FC fit; ``ds.FCDs`` (if computed) or else ``ds.BOLDs`` for the FCD fit.
    bold_transient : float, optional
        BOLD samples with ``t_BOLD <= bold_transient`` (ms) are dropped before the comparison.
    fc : bool, optional
        Compute the FC fit: the correlation (:func:`~neurolib.utils.functions.matrix_correlation`) of the
        simulated FC with each subject's FC.
    fcd : bool, optional
        Compute the FCD distance: the Kolmogorov-Smirnov distance of the simulated FCD values to each subject's
        (:func:`~neurolib.utils.functions.matrix_kolmogorov` against ``ds.FCDs``, or
        :func:`~neurolib.utils.functions.ts_kolmogorov` against ``ds.BOLDs``).

    Returns
    -------
    dict
        ``fc_scores`` (list, one correlation per subject) and ``mean_fc_score`` (float) when ``fc``; ``fcd``
        (list, one KS distance per subject) and ``mean_fcd`` (float) when ``fcd``. Higher FC scores and lower FCD
        distances are better.

    Raises
    ------
    neurolib.errors.ParameterError
        If the model has no BOLD output or ``bold_transient`` leaves fewer than 2 samples.
    """
    _, bold = _bold_after(model, bold_transient)
    result = {}
    if fc:
        simulated_fc = func.fc(bold)
        scores = [func.matrix_correlation(simulated_fc, empirical) for empirical in ds.FCs]
        result["fc_scores"] = scores
        result["mean_fc_score"] = float(np.mean(scores))
    if fcd:
        empirical_fcds = getattr(ds, "FCDs", None)
        if empirical_fcds is not None:
            simulated_fcd = func.fcd(bold)
            distances = [func.matrix_kolmogorov(simulated_fcd, empirical) for empirical in empirical_fcds]
        else:
            distances = [func.ts_kolmogorov(bold, empirical) for empirical in ds.BOLDs]
        result["fcd"] = distances
        result["mean_fcd"] = float(np.mean(distances))
    return result


# ---------------------------------------------------------------------------------------------------- overview plot
def _peak_labels(ax, freqs, power, color):
    """Mark the strongest spectral peak with its frequency (Hz)."""
    if power.size == 0 or not np.isfinite(power).any():
        return
    top = int(np.nanargmax(power))
    ax.annotate(f"{freqs[top]:.1f} Hz", (freqs[top], power[top]), color=color, fontsize=8, ha="left", va="bottom")


def plot_outputs(model, ds=None, activity_xlim=None, bold_transient=10000, spectrum_windowsize=1, plot_fcd=None):
    """Overview figure of a run: activity, node image, spectra, BOLD, FC (and its fit), FCD.

    Panels: the default output of every node over time (and their mean); an image of nodes x time; the power
    spectrum of each node and of the mean with the strongest peak labelled; and, if the run has BOLD beyond
    ``bold_transient``: the BOLD time series, the simulated FC (titled with the mean fit to ``ds.FCs`` when ``ds``
    is given), the FC fit per subject, and, when ``plot_fcd`` allows and the BOLD is long enough for one FCD
    window, the FCD matrix and the distribution of its values.

    Parameters
    ----------
    model : neurolib.models.model.Model
        A model after ``run()``.
    ds : neurolib.utils.loadData.Dataset, optional
        Empirical data for the FC fit.
    activity_xlim : tuple of float, optional
        Time range (ms) of the activity panels.
    bold_transient : float, optional
        BOLD samples at or before this time (ms) are left out.
    spectrum_windowsize : float, optional
        Welch segment length in s (at most the simulated duration).
    plot_fcd : bool, optional
        False leaves the FCD panels out; otherwise (default None) they are drawn when the BOLD after the transient
        gives at least two FCD windows (30 samples each, every 5 samples: 36 samples or more).

    Returns
    -------
    matplotlib.figure.Figure
        The figure (not shown; call ``plt.show()`` or ``fig.savefig``).
    """
    import matplotlib.pyplot as plt

    activity = np.atleast_2d(np.asarray(model.output, dtype=float))
    t = np.asarray(model.t, dtype=float)
    if activity.size == 0 or t.size < 2:
        raise ParameterError("plot_outputs(model=...): the model has no outputs; call model.run() first.")
    sample_dt = float(t[1] - t[0])  # ms, the spacing of the stored outputs (sampling_dt or dt)
    try:
        t_bold, bold = _bold_after(model, bold_transient)
    except ParameterError:
        t_bold = bold = None
    # FCD: windows of 30 BOLD samples every 5 samples; it needs at least two windows to say anything
    fcd_matrix = func.fcd(bold) if bold is not None and plot_fcd is not False else None
    fcd_rows = fcd_matrix is not None and np.ndim(fcd_matrix) == 2 and fcd_matrix.shape[0] >= 2
    n_rows = 2 + (bold is not None) + bool(fcd_rows)
    fig, axes = plt.subplots(n_rows, 3, figsize=(14, 3.2 * n_rows), squeeze=False)
    for ax in axes.ravel():
        ax.set_visible(False)

    def panel(row, col):
        ax = axes[row, col]
        ax.set_visible(True)
        return ax

    name = getattr(model, "default_output", "output")
    ax = panel(0, 0)
    ax.plot(t, activity.T, lw=0.5, alpha=0.6)
    ax.plot(t, activity.mean(axis=0), c="k", lw=1.2, label="mean")
    ax.set(xlabel="t [ms]", ylabel=name, title="activity", xlim=activity_xlim)
    ax.legend(loc="upper right", fontsize=8)

    ax = panel(0, 1)
    image = ax.imshow(activity, aspect="auto", extent=(t[0], t[-1], activity.shape[0] - 0.5, -0.5))
    ax.set(xlabel="t [ms]", ylabel="node", title=f"{name} per node", xlim=activity_xlim)
    fig.colorbar(image, ax=ax)

    duration_s = activity.shape[1] * sample_dt / 1000.0
    window = min(float(spectrum_windowsize), duration_s)
    if window * 1000.0 / sample_dt >= 2 and np.isfinite(activity).all():
        ax = panel(1, 0)
        for row in activity:
            freqs, power = getPowerSpectrum(row, sample_dt, spectrum_windowsize=window)
            ax.plot(freqs, power, lw=0.6, alpha=0.6)
        freqs, power = getMeanPowerSpectrum(activity, sample_dt, spectrum_windowsize=window)
        ax.plot(freqs, power, c="k", lw=1.2)
        _peak_labels(ax, freqs, power, "k")
        ax.set(xlabel="frequency [Hz]", ylabel="power", title="power spectra (black: mean)")

    if bold is not None:
        ax = panel(2, 0)
        ax.plot(t_bold / 1000.0, bold.T, lw=0.6)
        ax.set(xlabel="t [s]", ylabel="BOLD", title="BOLD")
        ax = panel(2, 1)
        simulated_fc = func.fc(bold)
        title = "simulated FC"
        if ds is not None:
            fit = model_fit(model, ds, bold_transient=bold_transient, fc=True)
            title += f" (mean fit {fit['mean_fc_score']:.2f})"
            ax_fit = panel(2, 2)
            ax_fit.bar(np.arange(len(fit["fc_scores"])), fit["fc_scores"])
            ax_fit.set(xlabel="subject", ylabel="FC correlation", title="FC fit per subject")
        image = ax.imshow(simulated_fc, vmin=-1, vmax=1, cmap="RdBu_r")
        ax.set(title=title, xlabel="node", ylabel="node")
        fig.colorbar(image, ax=ax)

    if fcd_rows:
        ax = panel(3, 0)
        image = ax.imshow(fcd_matrix, vmin=-1, vmax=1, cmap="viridis")
        ax.set(title="FCD", xlabel="window", ylabel="window")
        fig.colorbar(image, ax=ax)
        ax = panel(3, 1)
        ax.hist(fcd_matrix[np.triu_indices_from(fcd_matrix, k=1)], bins=30, range=(-1, 1))
        ax.set(title="FCD values", xlabel="correlation", ylabel="count")
    fig.tight_layout()
    return fig


# ---------------------------------------------------------------------------------------------------- sliding windows
def _int_vector(argument, value):
    vector = np.atleast_1d(np.asarray(value))
    if vector.ndim != 1:
        raise ParameterError(f"rolling_window: {argument} must be an int or a 1-D sequence of ints, got {value!r}.")
    if vector.size and not np.issubdtype(vector.dtype, np.integer):
        if not np.all(np.equal(np.mod(vector, 1), 0)):
            raise ParameterTypeError(f"rolling_window: {argument} must hold whole numbers, got {value!r}.")
    return vector.astype(int)


def rolling_window(array, window=(0,), asteps=None, wsteps=None, axes=None, toend=True):
    """A strided view of all (n-dimensional) windows of an array, without copying.

    Parameters
    ----------
    array : array_like
        The data.
    window : int or sequence of int, optional
        Window length per axis; aligned with the **last** axes of ``array`` (or with ``axes``). 0 leaves that
        axis unwindowed.
    asteps : int or sequence of int, optional
        Step between window starts per axis (aligned with the last axes); default 1.
    wsteps : int or sequence of int, optional
        Step between the samples inside a window (same length as ``window``); default 1.
    axes : int or sequence of int, optional
        The axes the entries of ``window`` apply to (instead of the last ones).
    toend : bool, optional
        Put the window dimensions after all array dimensions (True) or right after the axis they window.

    Returns
    -------
    numpy.ndarray
        Read-only view. With ``toend``, shape ``(*positions, *window[window > 0])`` where ``positions`` along an
        axis of length ``n`` is ``(n - ((w - 1) * wstep + 1)) // astep + 1`` (``n`` itself, stepped, for axes that
        are not windowed).

    Raises
    ------
    neurolib.errors.ParameterError
        (a ``ValueError``) if ``window`` has more entries than ``array`` has axes, has negative entries, does not fit
        into the array, or if ``asteps``/``wsteps`` are not >= 1 or have the wrong length.

    Examples
    --------
    >>> rolling_window(np.arange(5), 3)
    array([[0, 1, 2],
           [1, 2, 3],
           [2, 3, 4]])
    >>> rolling_window(np.zeros((4, 6)), (2, 3), asteps=(2, 3)).shape
    (2, 2, 2, 3)
    """
    array = np.asarray(array)
    ndim = array.ndim
    sizes = _int_vector("window", window)
    if axes is not None:
        chosen = _int_vector("axes", axes)
        if chosen.size != sizes.size:
            raise ParameterError(
                f"rolling_window: axes {chosen.tolist()} and window {sizes.tolist()} must have the same length."
            )
        placed = np.zeros(ndim, dtype=int)
        try:
            placed[chosen] = sizes
        except IndexError:
            raise ParameterError(f"rolling_window: axes {chosen.tolist()} out of range for a {ndim}-D array.") from None
        sizes = placed
    if sizes.size > ndim:
        raise ParameterError(
            f"rolling_window: window has {sizes.size} entries but the array only {ndim} dimension(s) {array.shape}."
        )
    if np.any(sizes < 0):
        raise ParameterError(f"rolling_window: window entries must be >= 0 (0: axis not windowed), got {sizes}.")
    lead = ndim - sizes.size  # the window is aligned with the last axes
    win = np.concatenate([np.zeros(lead, dtype=int), sizes])

    inner = np.ones(ndim, dtype=int)
    if wsteps is not None:
        given = _int_vector("wsteps", wsteps)
        if given.shape != sizes.shape:
            raise ParameterError(
                f"rolling_window: wsteps {given.tolist()} must have as many entries as window {sizes.tolist()}."
            )
        if np.any(given < 1):
            raise ParameterError(f"rolling_window: wsteps entries must be >= 1, got {given.tolist()}.")
        inner[lead:] = given
    inner[win == 0] = 1

    outer = np.ones(ndim, dtype=int)
    if asteps is not None:
        given = _int_vector("asteps", asteps)
        if given.size > ndim:
            raise ParameterError(
                f"rolling_window: asteps has {given.size} entries but the array only {ndim} dimension(s)."
            )
        if np.any(given < 1):
            raise ParameterError(f"rolling_window: asteps entries must be >= 1, got {given.tolist()}.")
        outer[ndim - given.size :] = given

    shape = np.asarray(array.shape, dtype=int)
    reach = (np.maximum(win, 1) - 1) * inner + 1  # samples spanned by one window along each axis
    if np.any(reach > shape):
        raise ParameterError(
            f"rolling_window: the windows {win.tolist()} (sample steps {inner.tolist()}) do not fit into an array "
            f"of shape {array.shape}."
        )
    positions = (shape - reach) // outer + 1
    base = np.asarray(array.strides, dtype=np.intp)
    windowed = win > 0
    if toend:
        new_shape = [*positions, *win[windowed]]
        new_strides = [*(base * outer), *(base * inner)[windowed]]
    else:
        new_shape, new_strides = [], []
        for axis in range(ndim):
            new_shape.append(positions[axis])
            new_strides.append(base[axis] * outer[axis])
            if windowed[axis]:
                new_shape.append(win[axis])
                new_strides.append(base[axis] * inner[axis])
    return np.lib.stride_tricks.as_strided(
        array, shape=tuple(int(n) for n in new_shape), strides=tuple(int(s) for s in new_strides), writeable=False
    )


# ---------------------------------------------------------------------------------------------------- sizes
def get_size(obj, seen=None):
    """Approximate memory footprint of an object and everything it references, in bytes.

    ``sys.getsizeof`` of the object plus, recursively, of the keys and values of mappings, the items of lists,
    tuples and sets, and the attributes (``__dict__``/``__slots__``) of other objects; numpy arrays count their
    data buffer (``nbytes``). Each object is counted once.

    Parameters
    ----------
    obj : object
        The object to measure.
    seen : set of int, optional
        ``id()`` of objects already counted (used by the recursion).

    Returns
    -------
    int
        Size in bytes.
    """
    seen = set() if seen is None else seen
    pending = [obj]
    total = 0
    while pending:
        item = pending.pop()
        if id(item) in seen:
            continue
        seen.add(id(item))
        if isinstance(item, np.ndarray):
            owns = item.base is None
            total += sys.getsizeof(item) + (0 if owns else item.nbytes)  # getsizeof includes owned data
            continue
        total += sys.getsizeof(item)
        if isinstance(item, (str, bytes, bytearray, int, float, complex, bool, type(None))):
            continue
        if isinstance(item, dict):
            pending.extend(item.keys())
            pending.extend(item.values())
        elif isinstance(item, (list, tuple, set, frozenset)):
            pending.extend(item)
        attributes = getattr(item, "__dict__", None)
        if isinstance(attributes, dict):
            pending.append(attributes)
        for slot in getattr(type(item), "__slots__", ()):
            if isinstance(slot, str) and hasattr(item, slot):
                pending.append(getattr(item, slot))
    return total


# ---------------------------------------------------------------------------------------------------- examples
def short(full, quick):
    """``quick`` when the examples run in short mode (environment variable ``NEUROLIB_EXAMPLES_SHORT`` set to a
    non-empty value other than ``0``, as in CI), else ``full``: durations, population sizes, iterations.

    Parameters
    ----------
    full, quick : object
        The value of a real run and of a short one.

    Returns
    -------
    object
    """
    import os

    return quick if os.environ.get("NEUROLIB_EXAMPLES_SHORT", "") not in ("", "0") else full


def save_figure(fig, name):
    """Save ``fig`` as ``<example>-<name>.png`` in the folder ``NEUROLIB_FIGURES`` if that variable is set
    (the documentation build shows the figures of the examples); otherwise do nothing.

    Parameters
    ----------
    fig : matplotlib.figure.Figure
    name : str
        Letters, digits, ``-``, ``_`` and ``.``; ``<example>`` is the running script's file name without ``.py``.

    Returns
    -------
    str or None
        The file written.
    """
    import os
    import re

    folder = os.environ.get("NEUROLIB_FIGURES")
    if not folder:
        return None
    if not isinstance(name, str) or not re.fullmatch(r"[\w.-]+", name):
        raise ParameterError(f"save_figure: name must be letters, digits, '-', '_' or '.', got {name!r}.")
    script = os.path.splitext(os.path.basename(sys.argv[0] or "example"))[0] or "example"
    os.makedirs(folder, exist_ok=True)
    path = os.path.join(folder, f"{script}-{name}.png")
    fig.savefig(path, dpi=72, bbox_inches="tight")
    return path
