"""Helpers for result files (named after pypet, which the published package stored its results with).

The files are written by :mod:`neurolib._storage` (HDF5 plus a journal while a search runs); pypet is not used.
"""

from neurolib._storage.hdf import Reader, StoreError, trajectory_names


def getTrajectorynamesInFile(filename):
    """Names of the explorations ("trajectories") in a result file, oldest first.

    Parameters
    ----------
    filename : str
        Path of the result file.

    Returns
    -------
    list of str
    """
    import os

    if not os.path.exists(filename) and not trajectory_names(filename):
        raise StoreError(f"Result file {filename!r} does not exist.")
    return trajectory_names(filename)


def getRun(runId, filename, trajectoryName=None, pypetShortNames=True):
    """Results of one run of an exploration stored in ``filename`` (see ``BoxSearch.getRun``).

    Parameters
    ----------
    runId : int
        Run index.
    filename : str
        Path of the result file.
    trajectoryName : str, optional
        The exploration; None: the newest one.
    pypetShortNames : bool
        Key nested results by their last name (``"BOLD"``) instead of their dotted path (``"BOLD.BOLD"``).

    Returns
    -------
    dotdict
    """
    from neurolib.optimize.exploration.exploration import _flatten_result

    with Reader(filename, trajectoryName) as reader:
        tree = reader.run(runId)
    if tree is None:
        raise KeyError(f"Run {runId} of {filename!r} has no results (not run yet, or it failed).")
    return _flatten_result(tree, pypetShortNames)
