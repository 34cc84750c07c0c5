"""Helpers for model set-up: shaping input arrays and turning fibre lengths into delays."""

import numpy as np

from neurolib.errors import ParameterError


def adjustArrayShape(original, target):
    """Tile and cut an array so that it has exactly the shape of ``target``.

    A scalar becomes a constant array. A 1-D input is treated as **one** time series and copied to every row; a
    2-D input with fewer rows than ``target`` is tiled vertically. The result is then tiled horizontally until it
    is long enough and cut from the end: rows ``[:N]`` and the **last** ``T`` columns, so that the end of the
    input lines up with the end of the simulation (leading columns fall into the initial-history region).

    Parameters
    ----------
    original : scalar or array_like, shape (n,) or (n_rows, n)
        Values to spread, e.g. an external input. For one constant per node pass a column of shape (N, 1); a
        1-D vector of per-node values is *not* interpreted per node.
    target : array_like, shape (N, T)
        Array whose shape the result takes (only its shape is used).

    Returns
    -------
    numpy.ndarray, shape (N, T)
        The tiled and cut values (same dtype as ``original``).

    Raises
    ------
    neurolib.errors.ParameterError
        (a ``ValueError``) if ``original`` has more than two dimensions, or is empty while ``target`` is not.

    Examples
    --------
    >>> adjustArrayShape([1, 2], np.zeros((2, 5)))
    array([[2, 1, 2, 1, 2],
           [2, 1, 2, 1, 2]])
    >>> adjustArrayShape(np.array([[1.0], [2.0]]), np.zeros((2, 3)))
    array([[1., 1., 1.],
           [2., 2., 2.]])
    """
    n_rows, n_cols = np.shape(target)
    original = np.asarray(original)
    if original.ndim > 2:
        raise ParameterError(f"adjustArrayShape: original must be a scalar, 1-D or 2-D, got shape {original.shape}.")
    original = original.reshape((1, -1) if original.ndim < 2 else original.shape)
    if original.size == 0:
        if n_rows * n_cols == 0:
            return np.zeros((n_rows, n_cols), dtype=original.dtype)
        raise ParameterError(
            f"adjustArrayShape: cannot spread an empty array of shape {original.shape} to shape {(n_rows, n_cols)}."
        )
    row_reps = -(-n_rows // original.shape[0])  # ceiling division
    col_reps = -(-n_cols // original.shape[1])
    tiled = np.tile(original, (max(row_reps, 1), max(col_reps, 1)))
    return tiled[:n_rows, tiled.shape[1] - n_cols :]


def computeDelayMatrix(lengthMat, signalV, segmentLength=1):
    """Signal transmission delays from fibre lengths and a conduction speed.

    Parameters
    ----------
    lengthMat : array_like, shape (N, N)
        Fibre lengths, in units of ``segmentLength`` (mm for the bundled datasets with ``segmentLength=1``).
    signalV : float
        Signal transmission speed in m/s (= mm/ms).
    segmentLength : float, optional
        Length of one unit of ``lengthMat`` in mm.

    Returns
    -------
    numpy.ndarray, shape (N, N)
        Delays ``lengthMat * segmentLength / signalV`` in ms; all zeros if ``signalV <= 0`` (no delays).

    Examples
    --------
    >>> computeDelayMatrix([[0.0, 20.0], [20.0, 0.0]], signalV=10.0)
    array([[0., 2.],
           [2., 0.]])
    """
    lengthMat = np.asarray(lengthMat, dtype=float)
    if signalV > 0:
        return lengthMat * segmentLength / signalV
    return np.zeros_like(lengthMat)
