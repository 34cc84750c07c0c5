"""Helpers for result files (named after pypet, which the published package stored its results with).

The files are written by :mod:`neurolib._storage` (an HDF5 index plus a record file per search); pypet is not used.
Where the published package handed around a pypet trajectory object, neurolib uses an :class:`ExplorationRef`
(the file and the exploration's name), e.g. ``search.pypetTrajectory`` after ``search.loadResults()``.
"""

from __future__ import annotations

import os

from neurolib._storage.files import StoreError
from neurolib._storage.hdf import Reader, trajectory_names
from neurolib.errors import ParameterKeyError, ParameterTypeError

__all__ = ["ExplorationRef", "getRun", "getTrajectorynamesInFile", "loadPypetTrajectory", "provenance"]

_NO_PYPET = (
    "neurolib stores explorations in plain HDF5 files without pypet, so there is no pypet trajectory object. "
    "Use BoxSearch.loadResults(filename=..., trajectoryName=...) for all results, "
    "pypetUtils.getRun(runId, filename, trajectoryName) for one run, and "
    "pypetUtils.getTrajectorynamesInFile(filename) for the names of the explorations in a file."
)


class ExplorationRef:
    """Points at one stored exploration: what neurolib passes around where the published package used a pypet
    trajectory (``search.pypetTrajectory``; accepted by :func:`getRun`).

    Parameters
    ----------
    filename : str
        The result file.
    name : str
        The exploration ("trajectory") name in the file.
    """

    def __init__(self, filename, name):
        self.filename = os.path.abspath(os.fspath(filename))
        self.name = name

    @property
    def v_name(self):
        """The exploration name (pypet's attribute name for it)."""
        return self.name

    def __eq__(self, other):
        return isinstance(other, ExplorationRef) and (self.filename, self.name) == (other.filename, other.name)

    def __hash__(self):
        return hash((self.filename, self.name))

    def __repr__(self):
        return f"ExplorationRef({self.filename!r}, {self.name!r})"


def getTrajectorynamesInFile(filename):
    """Names of the explorations ("trajectories") in a result file, oldest first.

    Parameters
    ----------
    filename : str
        Path of the result file.

    Returns
    -------
    list of str

    Raises
    ------
    StoreError
        If there is no such file (and no search is writing it).
    """
    names = trajectory_names(filename)
    if not names and not os.path.exists(filename):
        raise StoreError(f"Result file {filename!r} does not exist.")
    return names


def loadPypetTrajectory(filename, trajectoryName=None):
    """Not available: there are no pypet trajectories in neurolib (always raises).

    Parameters
    ----------
    filename : str
        Path of the result file.
    trajectoryName : str, optional
        Name of the exploration.

    Raises
    ------
    NotImplementedError
        Always, saying what to use instead.
    """
    raise NotImplementedError(f"loadPypetTrajectory({filename!r}, {trajectoryName!r}): {_NO_PYPET}")


def _where(source, trajectoryName):
    """(file, exploration name or None) from the second argument of :func:`getRun`."""
    if isinstance(source, ExplorationRef):
        return source.filename, trajectoryName if trajectoryName is not None else source.name
    if isinstance(source, (str, os.PathLike)):
        return os.fspath(source), trajectoryName
    loaded = getattr(source, "_loaded_from", None)  # a BoxSearch
    if loaded is not None:
        return loaded[0], trajectoryName if trajectoryName is not None else loaded[1]
    if hasattr(source, "HDF_FILE") and hasattr(source, "trajectoryName"):
        return source.HDF_FILE, trajectoryName if trajectoryName is not None else source.trajectoryName
    if type(source).__module__.split(".")[0] == "pypet":
        raise ParameterTypeError(f"getRun: got a pypet {type(source).__name__}. {_NO_PYPET}")
    raise ParameterTypeError(
        f"getRun(runId, filename, ...): filename must be the path of a result file, an ExplorationRef "
        f"(search.pypetTrajectory) or a BoxSearch; got {type(source).__name__}: {source!r:.100}"
    )


def getRun(runId, filename, trajectoryName=None, pypetShortNames=True):
    """Results of one run of a stored exploration, with its parameters (as ``BoxSearch.getRun``).

    Both the form of the published package, ``getRun(runId, pypetTrajectory, pypetShortNames)``, and
    ``getRun(runId, filename, trajectoryName, pypetShortNames)`` work: the second argument may be a file name, the
    ``search.pypetTrajectory`` of a loaded search (an :class:`ExplorationRef`) or the search itself, and a bool in
    third place is taken as ``pypetShortNames``.

    Parameters
    ----------
    runId : int
        Run index (row of ``dfResults``).
    filename : str, os.PathLike, ExplorationRef or BoxSearch
        Where the exploration is stored.
    trajectoryName : str, optional
        The exploration; None: the one ``filename`` points at, or the newest in the file.
    pypetShortNames : bool
        Key nested results by their last name (``"BOLD"``) instead of their dotted path (``"BOLD.BOLD"``).

    Returns
    -------
    dotdict
        The run's results, and ``params``: its explored values (and seed).

    Raises
    ------
    KeyError
        If the run has no results (not run yet, or it failed).
    """
    if isinstance(trajectoryName, bool):  # the published positional form getRun(runId, trajectory, shortNames)
        trajectoryName, pypetShortNames = None, trajectoryName
    if trajectoryName is not None and not isinstance(trajectoryName, str):
        raise ParameterTypeError(f"getRun: trajectoryName must be a str or None, got {type(trajectoryName).__name__}.")
    if isinstance(runId, bool) or not hasattr(runId, "__index__"):
        raise ParameterTypeError(f"getRun: runId must be an integer run index, got {runId!r}.")
    path, name = _where(filename, trajectoryName)
    from neurolib.optimize.exploration._results import _run_with_params

    with Reader(path, name) as reader:
        if not 0 <= int(runId) < _n_runs(reader):
            raise ParameterKeyError(f"getRun: runId must lie in [0, {_n_runs(reader)}), got {runId!r}.")
        return _run_with_params(reader, int(runId), pypetShortNames)


def _n_runs(reader):
    values = next(iter(reader.parametrization().values()), [])
    return len(values)


def provenance(filename, trajectoryName=None):
    """The provenance of a stored exploration or evolution: which software, machine, times, seeds and arguments.

    Parameters
    ----------
    filename : str
        The result file (of a :class:`~neurolib.optimize.exploration.BoxSearch` or an
        :class:`~neurolib.optimize.evolution.Evolution`).
    trajectoryName : str, optional
        The exploration or evolution in the file (default: the newest).

    Returns
    -------
    dict
        ``neurolib``, ``python``, ``numpy``, ``numba``, ``blosc2``, ``h5py`` (versions), ``platform``, ``host``,
        ``pid``, ``start``/``start_iso`` and (once finished) ``end``/``end_iso``/``duration``, ``seeds`` and
        ``arguments``; {} for a store written before provenance was recorded.

    Raises
    ------
    StoreError
        If there is no such file or exploration/evolution.
    """
    if not isinstance(filename, (str, os.PathLike)):
        raise ParameterTypeError(f"provenance(filename): filename must be a path, got {type(filename).__name__}.")
    path = os.path.abspath(os.fspath(filename))
    if trajectoryName is None or trajectoryName in trajectory_names(path):
        try:
            with Reader(path, trajectoryName) as reader:
                return reader.provenance()
        except StoreError:
            if trajectoryName is not None:
                raise
    from neurolib._storage import evolution

    return evolution.provenance(path, trajectoryName)
