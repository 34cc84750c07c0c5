"""Analysis functions for simulated and empirical time series (functional connectivity and its dynamics)."""

import numpy as np


def fc(ts):
    """Functional connectivity: Pearson correlation matrix of the rows of a time series.

    Parameters
    ----------
    ts : array_like, shape (N, T)
        One time series per row (region), time along the columns.

    Returns
    -------
    numpy.ndarray, shape (N, N)
        Correlation matrix. Entries that are undefined (a constant row) are set to 0.

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


def matrix_correlation(M1, M2):
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
        Correlation coefficient of the off-diagonal upper-triangle entries.

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


def fcd(ts, windowsize=30, stepsize=5):
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
        FCD matrix over the ``W`` windows; an empty ``(0, 0)`` array when no window fits. If the computation
        fails (e.g. the input is not two-dimensional), the integer ``0`` is returned, as upstream does.

    Examples
    --------
    >>> ts = np.random.default_rng(0).standard_normal((4, 100))
    >>> fcd(ts, windowsize=20, stepsize=10).shape
    (8, 8)
    """
    try:
        ts = np.asarray(ts, dtype=float)
        n_time = ts.shape[1]
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
