"""Public helpers: datasets, analysis functions and parameter containers."""


def provenance(filename, trajectoryName=None):
    """The provenance of a stored exploration or evolution (see :func:`neurolib.utils.pypetUtils.provenance`).

    Parameters
    ----------
    filename : str
        The result file.
    trajectoryName : str, optional
        Which exploration or evolution in it (default: the newest).

    Returns
    -------
    dict
        Versions (neurolib, Python, numpy, numba, ...), host, start and end times, seeds and arguments.
    """
    from neurolib.utils.pypetUtils import provenance as _provenance

    return _provenance(filename, trajectoryName)
