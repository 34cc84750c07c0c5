"""Post-processing and plots of explorations (imported as ``eu`` in the examples).

:func:`processExplorationResults` adds summary columns (min, max, amplitudes, and fits to empirical data) to a
search's ``dfResults``; :func:`findCloseResults` filters it; :func:`plotExplorationResults` draws 2-D maps of a
column over two explored parameters; :func:`plotResult` shows one run.
"""

from __future__ import annotations

import logging
import os

import numpy as np
import pandas as pd

from neurolib.utils import functions as func
from neurolib.utils import paths

logger = logging.getLogger(__name__)


def processExplorationResults(search, **kwargs):
    """Add summary columns of every run to ``search.dfResults`` (in place).

    Parameters
    ----------
    search : BoxSearch
        A search whose results are loaded (``loadResults``), or at least ``dfResults``.
    **kwargs
        The keywords below.

    Other Parameters
    ----------------
    model : Model, optional
        Gives the output to summarise (its ``default_output``) and ``dt``.
    output : str, optional
        Output to summarise (with ``dt``), instead of ``model``.
    dt : float, optional
        Time step of the output in ms.
    output_last_ms : float
        Summarise only the last ms of the output (default 1000).
    bold_transient : float
        BOLD: ignore the first ms (default 10000).
    bold_until : float, optional
        BOLD: use only samples before this time (ms) for min/max.
    ds : Dataset, optional
        Empirical data: adds ``fc`` (mean correlation of the simulated FC with ``ds.FCs``) and, for BOLD longer
        than 5 minutes and unless ``skip_fcd``, ``fcd`` (mean Kolmogorov distance of the FCD matrices).
    skip_fcd : bool

    Returns
    -------
    pandas.DataFrame
        ``search.dfResults`` with the new columns ``max_<output>``, ``min_<output>``, ``max_amp_<output>``,
        ``min_amp_<output>``, ``relative_amplitude_<output>`` (and the BOLD ones).
    """
    df = getattr(search, "dfResults", None)
    if df is None:
        raise RuntimeError("processExplorationResults: search.dfResults is empty; call search.loadResults() first.")
    model = kwargs.get("model")
    output_name = kwargs.get("output")
    dt = kwargs.get("dt")
    if model is not None:
        output_name = output_name or model.default_output
        dt = dt or model.params["dt"]
    ds = kwargs.get("ds")
    last_ms = kwargs.get("output_last_ms", 1000)
    bold_transient = kwargs.get("bold_transient", 10000)
    bold_until = kwargs.get("bold_until")
    for i in df.index:
        try:
            result = search.getResult(int(i))
        except KeyError:  # no results (not run, or failed)
            continue
        if output_name is not None and dt is not None and output_name in result:
            output = np.atleast_2d(np.asarray(result[output_name]))
            n = int(last_ms / dt)
            computeMinMax(df, i, output[:, -n:], output_name)
        if "BOLD" in result:
            bold = np.asarray(result["BOLD"])
            if bold.ndim == 1:  # stored flat: one value per node
                bold = bold[:, None]
            if "t_BOLD" in result:
                t_bold = np.asarray(result["t_BOLD"])
            else:
                t_bold = np.linspace(0, bold.shape[1] * 2000, bold.shape[1])
            keep = t_bold > bold_transient
            bold = bold[:, keep]
            t_bold = t_bold[keep]
            window = bold if bold_until is None else bold[:, t_bold < bold_until]
            if window.size:
                computeMinMax(df, i, window, "BOLD")
            if ds is not None and bold.shape[1] > 1:
                sim_fc = func.fc(bold)
                df.loc[i, "fc"] = np.mean([func.matrix_correlation(sim_fc, fc) for fc in ds.FCs])
                duration_min = (t_bold[-1] - t_bold[0]) / 1000 / 60 if len(t_bold) > 1 else 0
                if duration_min > 5 and not kwargs.get("skip_fcd", False):
                    sim_fcd = func.fcd(bold)
                    if getattr(ds, "FCDs", None) is not None:
                        emp = ds.FCDs
                    else:
                        emp = [func.fcd(b) for b in ds.BOLDs]
                    df.loc[i, "fcd"] = np.mean([func.matrix_kolmogorov(sim_fcd, e) for e in emp])
    search.dfResults = df
    return df


def computeMinMax(dfResults, i, output, output_name):
    """Add ``max_``, ``min_``, ``max_amp_``, ``min_amp_`` and ``relative_amplitude_<output_name>`` of run i.

    Parameters
    ----------
    dfResults : pandas.DataFrame
    i : int
        Row (run index).
    output : ndarray
        Output of run i, (nodes, time).
    output_name : str

    Returns
    -------
    pandas.DataFrame
        ``dfResults``, changed in place.
    """
    output = np.atleast_2d(np.asarray(output))
    amplitudes = np.max(output, axis=1) - np.min(output, axis=1)
    dfResults.loc[i, f"max_{output_name}"] = float(np.max(output))
    dfResults.loc[i, f"min_{output_name}"] = float(np.min(output))
    dfResults.loc[i, f"max_amp_{output_name}"] = float(np.max(amplitudes))
    dfResults.loc[i, f"min_amp_{output_name}"] = float(np.min(amplitudes))
    span = dfResults[f"max_{output_name}"] - dfResults[f"min_{output_name}"]
    with np.errstate(divide="ignore", invalid="ignore"):
        dfResults[f"relative_amplitude_{output_name}"] = dfResults[f"max_amp_{output_name}"] / span
    return dfResults


def findCloseResults(dfResults, dist=None, relative=False, **kwargs):
    """Rows of ``dfResults`` whose columns are close to given values.

    Parameters
    ----------
    dfResults : pandas.DataFrame
    dist : float, optional
        Largest distance from each value (default 0.01).
    relative : bool
        Distance relative to the value (``dist * value``).
    **kwargs
        ``column=value`` (within ``dist``) or ``column=[low, high]`` (strictly between).

    Returns
    -------
    pandas.DataFrame
        The matching rows.

    Examples
    --------
    >>> import pandas as pd
    >>> df = pd.DataFrame({"a": [0.0, 0.5, 1.0], "b": [1.0, 2.0, 3.0]})
    >>> findCloseResults(df, a=0.5, dist=0.1).index.tolist()
    [1]
    """
    dist = 0.01 if dist is None else dist
    selection = dfResults
    for key, value in kwargs.items():
        if isinstance(value, (list, tuple)) and len(value) == 2:
            low, high = value
            selection = selection[(selection[key] > low) & (selection[key] < high)]
        else:
            d = dist * abs(value) if relative else dist
            selection = selection[(selection[key] > value - d) & (selection[key] < value + d)]
    return selection


def paramsRun(dfResults, runNr):
    """The row ``runNr`` of ``dfResults`` as a dict."""
    row = dfResults.loc[runNr]
    return dict(row.items())


def plotExplorationResults(
    dfResults,
    par1,
    par2,
    plot_key,
    nan_to_zero=False,
    by=None,
    by_label=None,
    plot_key_label=None,
    symmetric_colorbar=False,
    one_figure=False,
    contour=None,
    alpha_mask=None,
    multiply_axis=None,
    savename=None,
    **kwargs,
):
    """2-D image of a result column over two explored parameters (one panel per value of the ``by`` columns).

    Parameters
    ----------
    dfResults : pandas.DataFrame
    par1, par2 : str or [str, str]
        Columns on the x and y axes (optionally with an axis label).
    plot_key : str
        Column to colour by.
    nan_to_zero : bool
        Show NaN as 0.
    by : list of str, optional
        Columns to group by: one panel per combination.
    by_label : list of str, optional
        Labels of the ``by`` columns in the panel titles.
    plot_key_label : str, optional
        Colour bar label.
    symmetric_colorbar : bool
        Colour range symmetric around 0.
    one_figure : bool
        All panels in one figure.
    contour : str, DataFrame or list of them, optional
        Draw contours of these columns (or pivoted frames); ``contour_color``, ``contour_levels``,
        ``contour_alpha``, ``contour_kwargs`` in ``kwargs`` (lists when several).
    alpha_mask : str, ndarray or DataFrame, optional
        Fade the image where this column is below ``mask_threshold`` (kwargs ``mask_threshold`` 1,
        ``mask_alpha`` 0.5, ``mask_style`` "stripes", ``mask_invert``).
    multiply_axis : float, optional
        Scale both axes.
    savename : str, optional
        Save the figure under ``paths.FIGURES_DIR``.
    **kwargs
        Also ``plot_clim`` (colour limits).
    """
    import matplotlib.pyplot as plt

    par1, par1_label = par1 if isinstance(par1, (list, tuple)) else (par1, par1)
    par2, par2_label = par2 if isinstance(par2, (list, tuple)) else (par2, par2)
    if by is None:
        groups = [(None, dfResults)]
    else:
        groups = list(dfResults.groupby(by))
    by_label = by_label or by
    n = len(groups)
    axes = None
    if one_figure:
        fig, axes = plt.subplots(1, n, figsize=(4 * n, 3.5), dpi=150, squeeze=False)
        axes = axes[0]
    for k, (key, df) in enumerate(groups):
        if axes is None:
            fig, ax = plt.subplots(figsize=(5, 4), dpi=150)
        else:
            ax = axes[k]
        pivot = df.pivot_table(values=plot_key, index=par2, columns=par1, dropna=False)
        if nan_to_zero:
            pivot = pivot.fillna(0)
        image = pivot.values
        extent = [pivot.columns.min(), pivot.columns.max(), pivot.index.min(), pivot.index.max()]
        if multiply_axis:
            extent = [e * multiply_axis for e in extent]
        clim = kwargs.get("plot_clim")
        if clim is None and symmetric_colorbar:
            m = np.nanmax(np.abs(image))
            clim = (-m, m)
        cmap = "RdBu_r" if symmetric_colorbar else "plasma"
        if alpha_mask is not None:
            mask = alpha_mask
            if isinstance(alpha_mask, str):
                mask = df.pivot_table(values=alpha_mask, index=par2, columns=par1, dropna=False).values
            elif isinstance(alpha_mask, pd.DataFrame):
                mask = alpha_mask.values
            image = alphaMask(
                image,
                kwargs.get("mask_threshold", 1),
                kwargs.get("mask_alpha", 0.5),
                mask=mask,
                invert=kwargs.get("mask_invert", False),
                style=kwargs.get("mask_style", "stripes"),
            )
        im = ax.imshow(image, origin="lower", aspect="auto", extent=extent, cmap=cmap, clim=clim)
        if contour is not None:
            contours = contour if isinstance(contour, list) else [contour]
            colors = _as_list(kwargs.get("contour_color", "white"), len(contours))
            levels = _as_list(kwargs.get("contour_levels"), len(contours))
            alphas = _as_list(kwargs.get("contour_alpha", 1), len(contours))
            ckw = _as_list(kwargs.get("contour_kwargs", {}), len(contours))
            for c, color, lev, alpha, extra in zip(contours, colors, levels, alphas, ckw):
                frame = c
                if isinstance(c, str):
                    frame = df.pivot_table(values=c, index=par2, columns=par1, dropna=False)
                contourPlotDf(frame, color=color, levels=lev, ax=ax, alpha=alpha, contour_kwargs=extra)
        cbar = plt.colorbar(im, ax=ax)
        cbar.set_label(plot_key_label or plot_key)
        ax.set_xlabel(par1_label)
        ax.set_ylabel(par2_label)
        if key is not None:
            keys = key if isinstance(key, tuple) else (key,)
            ax.set_title(" ".join(f"{label}={value}" for label, value in zip(by_label, keys)))
        if savename and axes is None:
            _save(fig, f"{k}_{savename}" if n > 1 else savename)
    if savename and axes is not None:
        _save(fig, savename)
    return None


def _as_list(value, n):
    return value if isinstance(value, list) and len(value) == n else [value] * n


def _save(fig, savename):
    os.makedirs(paths.FIGURES_DIR, exist_ok=True)
    fig.savefig(os.path.join(paths.FIGURES_DIR, savename))


def contourPlotDf(
    dataframe,
    color="white",
    levels=None,
    ax=None,
    alpha=1.0,
    countour=True,
    contourf=False,
    clabel=False,
    **contour_kwargs,
):
    """Contour lines of a pivoted frame (columns on x, index on y).

    Parameters
    ----------
    dataframe : pandas.DataFrame
    color : str
    levels : list of float, optional
        Default ``[0, 1]``.
    ax : matplotlib axes, optional
    alpha : float
    countour, contourf, clabel : bool
        Draw lines, filled contours, labels.
    **contour_kwargs
        ``contour_kwargs={...}``: passed to matplotlib.
    """
    import matplotlib.pyplot as plt

    ax = ax or plt.gca()
    levels = levels if levels is not None else [0, 1]
    extra = contour_kwargs.get("contour_kwargs", {}) or {}
    x, y = np.meshgrid(dataframe.columns.values, dataframe.index.values)
    z = dataframe.values
    cs = None
    if contourf:
        cs = ax.contourf(x, y, z, levels=levels, colors=color, alpha=alpha, **extra)
    if countour:
        cs = ax.contour(x, y, z, levels=levels, colors=color, alpha=alpha, **extra)
    if clabel and cs is not None:
        ax.clabel(cs, inline=True)
    return ax


def alphaMask(image, threshold, alpha, mask=None, invert=False, style=None):
    """An RGBA image (plasma colour map) that is opaque where ``mask`` exceeds ``threshold`` and has opacity
    ``alpha`` elsewhere (``invert``: the other way round); ``style="stripes"`` adds stripes to the faded part.

    Parameters
    ----------
    image : ndarray, 2-D
    threshold, alpha : float
    mask : ndarray, optional
        Default: the image itself.
    invert : bool
    style : str, optional

    Returns
    -------
    ndarray
        RGBA image, (rows, columns, 4).
    """
    import matplotlib.pyplot as plt
    from matplotlib.colors import Normalize

    image = np.asarray(image, dtype=float)
    mask = image if mask is None else np.asarray(mask, dtype=float)
    rgba = plt.get_cmap("plasma")(Normalize(np.nanmin(image), np.nanmax(image))(image))
    keep = mask < threshold if invert else mask > threshold
    rgba[..., 3] = np.where(keep, 1.0, alpha)
    if style == "stripes":
        rows, cols = np.indices(image.shape)
        stripes = ((rows + cols) % 4) < 2
        rgba[..., 3] = np.where(~keep & stripes, alpha / 2, rgba[..., 3])
    return rgba


def plotResult(search, runId, z_bold=False, **kwargs):
    """Three panels of one run: the FC of its BOLD, the BOLD traces and the default output.

    Parameters
    ----------
    search : BoxSearch
    runId : int
    z_bold : bool
        z-score the BOLD traces.
    **kwargs
        ``bold_transient`` (ms, default 10000), ``xlim`` of the output panel.
    """
    import matplotlib.pyplot as plt

    result = search.getResult(int(runId))
    fig, axs = plt.subplots(1, 3, figsize=(12, 3), dpi=150, gridspec_kw={"width_ratios": [1, 1.5, 1.5]})
    if "BOLD" in result:
        bold = np.atleast_2d(np.asarray(result["BOLD"]))
        t_bold = np.asarray(result.get("t_BOLD", np.arange(bold.shape[1]) * 2000.0))
        keep = t_bold > kwargs.get("bold_transient", 10000)
        bold, t_bold = bold[:, keep], t_bold[keep]
        if z_bold:
            bold = (bold - bold.mean(axis=1, keepdims=True)) / bold.std(axis=1, keepdims=True)
        if bold.shape[1] > 1:
            axs[0].imshow(func.fc(bold), origin="upper")
        axs[0].set_title("FC")
        axs[1].plot(t_bold / 1000, bold.T, lw=0.5)
        axs[1].set_xlabel("t [s]")
        axs[1].set_title("BOLD")
    model = getattr(search, "model", None)
    name = model.default_output if model is not None else next((k for k in result if not k.startswith("t")), None)
    if name in result and "t" in result:
        axs[2].plot(np.asarray(result["t"]), np.atleast_2d(np.asarray(result[name])).T, lw=0.5)
        axs[2].set_xlabel("t [ms]")
        axs[2].set_title(name)
        if kwargs.get("xlim") is not None:
            axs[2].set_xlim(*kwargs["xlim"])
    plt.tight_layout()
    return fig
