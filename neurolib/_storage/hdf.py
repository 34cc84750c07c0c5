"""Where explorations are stored: one HDF5 file, fed through a crash-proof journal while a search runs.

Layout of the HDF5 file
-----------------------
One group per exploration ("trajectory", as in the published package) at the root::

    /<trajectory>/                attrs: format, fingerprint, nRuns, kind, model, created, search_seed, ...
        parameters/__pickle__     the parameters every run starts from (a pickled dict)
        parameters/<name>         the same, readable: one dataset per number, string or numeric array
        explored/__pickle__       {name: list of per-run values} (pickled); explored/<name>: numeric columns
        shared/<sha1_dtype_shape> time axes shared by many runs, hard-linked into each run's group
        runs/run_00000012/...     one group per finished run: its results (nested dicts as nested groups)
        run_seed, run_nonfinite,  one value per run (index = run): its seed, whether its results hold NaN or
        run_elapsed               inf, and the seconds it took
        failed/run_00000003       attrs: error (the traceback), params

Runs are ``run_`` + the 8-digit run index (the row of ``dfResults``).

Why HDF5, and why a journal in front of it
------------------------------------------
* h5py is already a dependency (the ALN table and the datasets are HDF5), the file opens in every HDF5 tool,
  and it stays where users of the published package look for it (``./data/hdf/<name>.hdf``). pypet is not
  needed. Several explorations share one file, each in its own group.
* Workers never touch the files: they return their results to the driver process, the only writer. No locks
  between workers, no parallel HDF5, and the same code path for local processes and a Dask cluster (zarr would
  let workers write directly, but a run's results are small next to its cost, and zarr would be one more
  dependency and thousands of small files per exploration).
* HDF5 itself is not safe against ``kill -9`` of the writer, even with a flush after every run: a killed flush
  leaves half-updated metadata (group B-trees, heaps, the end-of-file address). Measured here: a writer creating
  one run group per flush (about 3000 per second) and killed at random moments left an unreadable run index
  ("Link iteration failed", "addr overflow") in 3 of about 150 kills. So while a search runs, each finished run
  is first appended to a *journal* next to the file (``<file>.<trajectory>.journal``, see
  :mod:`neurolib._storage.journal`): one record per run, checksummed, a torn last record ignored. A killed
  search therefore loses no finished run and leaves readable results, and running it again continues from the
  journal. Alongside, the run is written into a private copy of the HDF5 file (``<file>.tmp-<pid>-...``,
  copied from the file when the first run is stored); when the search ends, the copy atomically replaces the file
  (``os.replace``), so the HDF5 file is always a complete file, old or new, never a half-written one; then the
  journal is deleted. (A search that adds to a large file shared with other explorations pays for one copy of
  it; if another search replaced the file in the meantime, the copy is rebuilt from the new file and the
  journal.) Copies left by killed searches are deleted by the next search on the file.
* Reading while a search runs: :class:`Reader` merges the HDF5 file (opened read-only, without the HDF5 file
  lock) with the journals, so results are readable at any moment, from any process.
* Only one process writes a given exploration (an exclusive lock on ``<journal>.lock``; a second one gets a clear
  error), and the replacements of the HDF5 file are serialised by a lock file (``.<file>.lock``). Both locks come
  from the ``filelock`` package (``flock`` on Unix, ``msvcrt`` locking on Windows), imported where they are taken.
* A run's results keep the order in which the evaluation produced them: the run groups (and nested groups) track
  the creation order of their links, so the file gives the keys back in that order, as the journal does.
"""

from __future__ import annotations

import glob
import hashlib
import numbers
import os
import pickle
import shutil
import time
from collections.abc import Mapping

import h5py
import numpy as np

from neurolib._storage import journal as J

FORMAT = "neurolib-exploration-1"
_PICKLE = "__pickle__"
_RETRIES = 8


class StoreError(OSError):
    """The result file cannot be created, opened or read."""


def run_name(index):
    """Group name of run ``index``: ``run_`` + 8 digits."""
    return f"run_{int(index):08d}"


def _run_index(name):
    return int(name[4:])


class SharedRef:
    """Stands for a shared array (a time axis) in a journal record."""

    __slots__ = ("name",)

    def __init__(self, name):
        self.name = name

    def __reduce__(self):
        return (SharedRef, (self.name,))


# ---------------------------------------------------------------------------------------------- values
def _pickled(obj):
    return np.void(pickle.dumps(obj, protocol=pickle.HIGHEST_PROTOCOL))


def _unpickled(dataset):
    return pickle.loads(dataset[()].tobytes())


def _is_time_axis(key):
    return key == "t" or key.startswith("t_")


def has_nonfinite(value):
    """True if a result value (a number, an array, or a nested dict of them) holds NaN or inf."""
    if isinstance(value, Mapping):
        return any(has_nonfinite(v) for v in value.values())
    if isinstance(value, (bool, np.bool_, str, bytes)) or value is None:
        return False
    if isinstance(value, numbers.Number):
        return not np.isfinite(value) if not isinstance(value, numbers.Integral) else False
    if isinstance(value, (np.ndarray, list, tuple)):
        try:
            arr = np.asarray(value)
        except (ValueError, TypeError):  # ragged lists
            return any(has_nonfinite(v) for v in value)
        if arr.dtype.kind in "fc":
            return not bool(np.isfinite(arr).all())
        if arr.dtype == object:
            return any(has_nonfinite(v) for v in arr.ravel())
    return False


class _Writer:
    """Writes result trees into a run group, sharing identical time axes across runs."""

    def __init__(self, traj):
        self.shared = traj.require_group("shared")
        self._datasets = {}  # name -> shared dataset (saves a lookup per run)

    def shared_dataset(self, name, array=None):
        """The shared dataset ``name`` (created from ``array`` if missing)."""
        ds = self._datasets.get(name)
        if ds is None:
            if name not in self.shared:
                self.shared.create_dataset(name, data=array)
            ds = self._datasets[name] = self.shared[name]
        return ds

    def tree(self, group, tree):
        for key, value in tree.items():
            key = str(key)
            if "/" in key or key in (".", ""):
                raise ValueError(f"Result name {key!r} cannot be stored: names must not be empty or contain '/'.")
            if isinstance(value, Mapping):
                self.tree(group.create_group(key, track_order=True), value)
            else:
                self.leaf(group, key, value)

    def leaf(self, group, key, value):
        if isinstance(value, SharedRef):
            group[key] = self.shared_dataset(value.name)
        elif isinstance(value, np.ndarray) and value.dtype.kind in "biufc" and _is_time_axis(key) and value.size >= 16:
            self.shared_array(group, key, value)
        else:
            write_value(group, key, value)

    def shared_array(self, group, key, value):
        group[key] = self.shared_dataset(shared_name(value), value)  # a hard link: stored once


def write_value(group, key, value):
    """Store ``value`` as dataset ``key`` of ``group`` so that :func:`read_value` gives it back: None, strings,
    booleans, Python and numpy numbers, numeric arrays, lists and tuples of numbers; anything else pickled."""
    if value is None:
        group.create_dataset(key, data=h5py.Empty("f8")).attrs["kind"] = "none"
    elif isinstance(value, (str, np.str_)):
        group.create_dataset(key, data=value, dtype=h5py.string_dtype()).attrs["kind"] = "str"
    elif isinstance(value, (bool, np.bool_)):
        group.create_dataset(key, data=np.bool_(value)).attrs["kind"] = "bool"
    elif isinstance(value, numbers.Number) and not isinstance(value, np.generic):
        group.create_dataset(key, data=value).attrs["kind"] = "py"  # read back as a Python number
    elif isinstance(value, np.generic) and value.dtype.kind in "biufc":
        group.create_dataset(key, data=value)
    elif isinstance(value, np.ndarray) and value.dtype.kind in "biufc":
        _write_array(group, key, value)
    elif isinstance(value, (list, tuple)) and _numeric_list(value):
        ds = group.create_dataset(key, data=np.asarray(value))
        ds.attrs["kind"] = type(value).__name__
    else:
        group.create_dataset(key, data=_pickled(value)).attrs["kind"] = "pickle"


def _write_array(group, key, value):
    """``group.create_dataset(key, data=value)``; plain numeric arrays through h5py's low-level API (the same
    contiguous dataset, in about half the time)."""
    if value.dtype.kind in "iuf" and value.dtype.isnative and value.ndim >= 1 and value.size > 0:
        value = np.ascontiguousarray(value)
        space = h5py.h5s.create_simple(value.shape)
        dset = h5py.h5d.create(group.id, key.encode(), h5py.h5t.py_create(value.dtype), space)
        dset.write(h5py.h5s.ALL, h5py.h5s.ALL, value)
    else:
        group.create_dataset(key, data=value)


def shared_name(value):
    """Name of a shared array: content hash, dtype and shape."""
    value = np.ascontiguousarray(value)
    digest = hashlib.sha1(value.view(np.uint8).ravel()).hexdigest()
    return f"{digest}_{value.dtype.str.strip('<>|=')}_{'x'.join(map(str, value.shape))}"


def share_time_axes(tree, known, emit, recent=None):
    """``tree`` with its time axes (``t``, ``t_*``) replaced by :class:`SharedRef`; ``emit(name, array)`` is
    called for each axis not in ``known`` (a set, updated). ``recent`` ({id: (name, array)}, updated, a few
    entries) skips hashing an array object seen just before (a batch's members share one time axis)."""
    out = {}
    for key, value in tree.items():
        if isinstance(value, Mapping):
            out[key] = share_time_axes(value, known, emit, recent)
        elif (
            _is_time_axis(str(key))
            and isinstance(value, np.ndarray)
            and value.dtype.kind in "biufc"
            and (value.size >= 16)
        ):
            seen = recent.get(id(value)) if recent is not None else None
            if seen is not None and seen[1] is value:
                name = seen[0]
            else:
                name = shared_name(value)
                if recent is not None:
                    if len(recent) >= 8:
                        recent.pop(next(iter(recent)))
                    recent[id(value)] = (name, value)
            if name not in known:
                emit(name, value)
                known.add(name)
            out[key] = SharedRef(name)
        else:
            out[key] = value
    return out


def resolve_shared(tree, arrays):
    """Inverse of :func:`share_time_axes`, with ``arrays`` = {name: array}."""
    out = {}
    for key, value in tree.items():
        if isinstance(value, Mapping):
            out[key] = resolve_shared(value, arrays)
        elif isinstance(value, SharedRef):
            out[key] = arrays[value.name]
        else:
            out[key] = value
    return out


def _numeric_list(value):
    try:
        arr = np.asarray(value)
    except (ValueError, TypeError):
        return False
    return arr.dtype.kind in "biufc" and arr.size > 0


def read_value(ds):
    """The value :func:`write_value` stored in dataset ``ds``."""
    kind = ds.attrs.get("kind")
    if kind == "none":
        return None
    if kind == "pickle":
        return _unpickled(ds)
    if kind == "str":
        value = ds[()]
        return value.decode() if isinstance(value, bytes) else str(value)
    value = ds[()]
    if kind == "py" or kind == "bool":
        return value.item()
    if kind == "list":
        return value.tolist()
    if kind == "tuple":
        return tuple(value.tolist())
    return value


def read_tree(group, mapping=dict):
    """A group's datasets and subgroups as a nested ``mapping`` of values (see :func:`write_value`)."""
    out = mapping()
    for key, obj in group.items():
        out[key] = read_tree(obj, mapping) if isinstance(obj, h5py.Group) else read_value(obj)
    return out


# ---------------------------------------------------------------------------------------------- files
def check_writable(path):
    """Create the folder of ``path`` if needed and make sure files can be written there.

    Raises
    ------
    StoreError
        With the reason, if the folder cannot be created or written, or ``path`` is a folder.
    """
    path = os.path.abspath(path)
    folder = os.path.dirname(path)
    if os.path.isdir(path):
        raise StoreError(f"The result file {path!r} is a folder; give a file name such as 'exploration.hdf'.")
    try:
        os.makedirs(folder, exist_ok=True)
    except OSError as e:
        raise StoreError(
            f"Cannot create the folder {folder!r} for the result file: {e.strerror or e}. Choose a filename in a "
            f"writable folder."
        ) from e
    if os.path.exists(path) and not os.access(path, os.W_OK):
        raise StoreError(f"The result file {path!r} is not writable.")
    if os.path.exists(path) and not h5py.is_hdf5(path):
        raise StoreError(f"{path!r} exists and is not an HDF5 file; choose another filename.")
    probe = os.path.join(folder, f".neurolib-write-test-{os.getpid()}")
    try:
        with open(probe, "wb"):
            pass
        os.unlink(probe)
    except OSError as e:
        raise StoreError(
            f"Cannot write the result file {path!r}: the folder {folder!r} is not writable ({e.strerror or e})."
        ) from e


def journal_path(path, name):
    """The journal of exploration ``name`` of the file ``path``."""
    return f"{path}.{name}.journal"


def _journals(path):
    """{exploration name: journal path} of the journals next to ``path``."""
    out = {}
    prefix = f"{path}."
    for jp in glob.glob(glob.escape(path) + ".*.journal"):
        out[jp[len(prefix) : -len(".journal")]] = jp
    return out


def _open_hdf_read(path):
    """Open ``path`` read-only without taking the HDF5 file lock (a search may be writing it); None if missing."""
    last = None
    for attempt in range(_RETRIES):
        if not os.path.exists(path):
            return None
        if not h5py.is_hdf5(path):
            raise StoreError(f"{path!r} is not an HDF5 file.")
        try:
            return h5py.File(path, "r", locking=False)
        except FileNotFoundError:
            return None
        except OSError as e:
            last = e
            time.sleep(0.05 * (attempt + 1))
    raise StoreError(f"Cannot read the result file {path!r}: {last}") from last


def _hdf_trajectories(f):
    if f is None:
        return {}
    return {k: dict(g.attrs) for k, g in f.items() if isinstance(g, h5py.Group) and g.attrs.get("format") == FORMAT}


def trajectory_names(path):
    """Names of the explorations stored in the file ``path`` (finished or still running), oldest first.

    Parameters
    ----------
    path : str
        The result file of :class:`~neurolib.optimize.exploration.BoxSearch`.

    Returns
    -------
    list of str
    """
    path = os.path.abspath(path)
    attrs = {}
    for name, jp in _journals(path).items():
        header = J.read_header(jp)
        if header is not None:
            attrs[name] = header["attrs"]
    f = _open_hdf_read(path)
    if f is not None:
        with f:
            attrs.update(_hdf_trajectories(f))
    return sorted(attrs, key=lambda k: (float(attrs[k].get("created", 0.0)), k))


# ---------------------------------------------------------------------------------------------- writing
_GCPL = []


def _ordered_gcpl():
    """Group-creation property list that tracks (and indexes) link creation order: keys read back in the order
    they were written."""
    if not _GCPL:
        gcpl = h5py.h5p.create(h5py.h5p.GROUP_CREATE)
        gcpl.set_link_creation_order(h5py.h5p.CRT_ORDER_TRACKED | h5py.h5p.CRT_ORDER_INDEXED)
        _GCPL.append(gcpl)
    return _GCPL[0]


_RUN_TABLES = {"seed": ("run_seed", np.uint64, 0), "nonfinite": ("run_nonfinite", bool, False),
               "elapsed": ("run_elapsed", float, np.nan)}  # fmt: skip


class SearchWriter:
    """Writes one exploration: into its journal (the crash-safe record) and, alongside, into a private copy of
    the HDF5 file that replaces the file when the search ends.

    Use :meth:`open`, which finds an exploration with the same fingerprint to resume (in a journal or in the HDF5
    file) or starts a new one. :meth:`finalize` ends a search; :meth:`close` leaves it resumable.

    Attributes
    ----------
    name : str
        The exploration (trajectory) name.
    header : dict
        ``attrs`` (with ``fingerprint`` and ``search_seed``), ``base_params``, ``parametrization``.
    done : set of int
        Finished runs (before this session and since).
    resumed : bool
    """

    def __init__(self, path, name, header, done, resumed, in_file=False):
        self.path = path
        self.name = name
        self.header = header
        self.done = set(done)
        self.resumed = resumed
        self._in_file = in_file
        self._f = None
        self._journal = J.Journal(journal_path(path, name))
        try:
            if not self._journal.entries:
                self._journal.append(J.HEADER, 0, header)
            shared_entries = [e for e in self._journal.entries if e.kind == J.SHARED]
            self._shared = set(J.load(self._journal.path, shared_entries, first=True))
            self._shared_ids = {}  # id(array) -> (name, array): arrays already hashed this session
            self.done |= {e.key for e in self._journal.entries if e.kind == J.RUN}
        except BaseException:
            self._journal.close()
            raise

    @classmethod
    def open(cls, path, fingerprint, new_name, make_header):
        """Resume the exploration of ``path`` with ``fingerprint``, or start one named ``new_name``.

        Parameters
        ----------
        path : str
            The HDF5 file.
        fingerprint : str
            Identifies the search (its space, model parameters, run arguments ...).
        new_name : str
            Name for a new exploration (made unique in the file).
        make_header : callable
            ``make_header(name)`` -> header dict of a new exploration.

        Raises
        ------
        StoreError
            If the folder is not writable or the file is not readable.
        JournalLocked
            If another process is running this search.
        """
        path = os.path.abspath(path)
        check_writable(path)
        _remove_stale_copies(path)
        names = set()
        for name, jp in sorted(_journals(path).items()):
            names.add(name)
            header = J.read_header(jp)
            if header is not None and header["attrs"].get("fingerprint") == fingerprint:
                done, in_file = set(), False
                f = _open_hdf_read(path)
                if f is not None:
                    with f:
                        if name in f:
                            done, in_file = set(_hdf_runs(f[name])), True
                return cls(path, name, header, done, True, in_file)
        f = _open_hdf_read(path) if os.path.exists(path) else None
        if f is not None:
            with f:
                trajs = _hdf_trajectories(f)
                names |= set(f.keys())
                match = [k for k, a in trajs.items() if a.get("fingerprint") == fingerprint]
                if match:
                    name = max(match, key=lambda k: float(trajs[k].get("created", 0.0)))
                    g = f[name]
                    header = {
                        "attrs": dict(g.attrs),
                        "base_params": _unpickled(g["parameters"][_PICKLE]),
                        "parametrization": _unpickled(g["explored"][_PICKLE]),
                    }
                    return cls(path, name, header, set(_hdf_runs(g)), True, True)
        name, k = new_name, 1
        while name in names:
            k += 1
            name = f"{new_name}-{k}"
        header = make_header(name)
        header["attrs"]["created"] = time.time()
        header["attrs"]["format"] = FORMAT
        return cls(path, name, header, set(), False)

    @property
    def attrs(self):
        """The exploration's attributes."""
        return self.header["attrs"]

    # -------------------------------------------------------------- the private copy of the HDF5 file
    def _start_copy(self):
        """Copy the HDF5 file (if any) to a private file and bring it up to date with the journal."""
        self._tmp = f"{self.path}.tmp-{os.getpid()}-{os.urandom(4).hex()}"
        self._base = _file_state(self.path)
        if self._base is not None:
            shutil.copyfile(self.path, self._tmp)
        self._f = h5py.File(self._tmp, "a", libver="earliest")
        self._traj = self._f[self.name] if self.name in self._f else _create_group(self._f, self.name, self.header)
        self._writer = _Writer(self._traj)
        self._runs, self._failed = self._traj["runs"], self._traj["failed"]
        self._run_names, self._failed_names = set(self._runs), set(self._failed)
        self._run_meta = {}
        with open(self._journal.path, "rb") as jfh:
            for e in self._journal.entries:
                if e.kind != J.HEADER:
                    self._apply(e.kind, e.key, J.load_from(jfh, [e])[0])

    def _apply(self, kind, key, payload):
        """Write one journal record into the private HDF5 copy (made on the first record)."""
        if self._f is None:
            self._start_copy()
            return  # the copy replays the journal, this record included
        name = run_name(key)
        runs, failed = self._runs, self._failed
        if kind == J.SHARED:
            self._writer.shared_dataset(*payload)
        elif kind == J.RUN:
            run_attrs, tree = payload
            if name in self._run_names:
                del runs[name]
            self._writer.tree(h5py.Group(h5py.h5g.create(runs.id, name.encode(), gcpl=_ordered_gcpl())), tree)
            self._run_names.add(name)
            self._run_meta[int(key)] = run_attrs
            if name in self._failed_names:
                del failed[name]
                self._failed_names.discard(name)
        elif kind == J.FAILURE and name not in self._run_names:
            if name in self._failed_names:
                del failed[name]
            group = failed.create_group(name)
            group.attrs["params"], group.attrs["error"] = payload
            self._failed_names.add(name)

    def _discard_copy(self):
        if getattr(self, "_f", None) is not None:
            try:
                self._f.close()
            finally:
                self._f = None
        if getattr(self, "_tmp", None) and os.path.exists(self._tmp):
            os.unlink(self._tmp)

    # -------------------------------------------------------------- records
    def write_run(self, index, results, attrs):
        """Record the results (a dict) and attributes (seed, nonfinite, elapsed) of a finished run."""
        if not isinstance(results, Mapping):
            raise TypeError(f"Results must be a dict, got {type(results).__name__}.")
        _check_names(results)
        tree = share_time_axes(results, self._shared, self._emit_shared, self._shared_ids)
        attrs = dict(attrs)
        self._journal.append(J.RUN, index, attrs, tree)  # from here on the run is safe
        self._apply(J.RUN, index, (attrs, tree))
        self.done.add(int(index))

    def _emit_shared(self, name, array):
        self._journal.append(J.SHARED, 0, name, array)
        self._apply(J.SHARED, 0, (name, array))

    def write_failure(self, index, params, error):
        """Record that run ``index`` raised ``error`` (text) for ``params`` (text)."""
        self._journal.append(J.FAILURE, index, params, error)
        self._apply(J.FAILURE, index, (params, error))

    @property
    def unchanged(self):
        """True when the exploration is already in the HDF5 file and the journal holds nothing new."""
        return self._in_file and not any(e.kind != J.HEADER for e in self._journal.entries)

    def abandon(self):
        """Stop without changing the HDF5 file: drop the private copy and the (empty) journal."""
        try:
            self._discard_copy()
        finally:
            self._journal.remove()

    def close(self):
        """Stop without ending the search: the journal stays, to resume from; the private copy is dropped."""
        try:
            self._discard_copy()
        finally:
            self._journal.close()

    def finalize(self, **attrs):
        """End the search: the private copy replaces the HDF5 file (atomically), then the journal is deleted."""
        try:
            if self._f is None:
                self._start_copy()
            self._close_copy(attrs)
            from filelock import FileLock  # portable (no fcntl on Windows); only needed here

            folder, base = os.path.split(self.path)
            with FileLock(os.path.join(folder, f".{base}.lock")):  # one replacement of the file at a time
                if _file_state(self.path) != self._base:  # another search changed the file meanwhile: redo
                    self._rebuild(attrs)
                os.replace(self._tmp, self.path)
        except BaseException:
            self._discard_copy()
            self._journal.close()
            raise
        self._journal.remove()

    def _write_run_tables(self):
        """Seeds, NaN/inf flags and run times of all finished runs, as one array each."""
        n = int(self.header["attrs"].get("nRuns", len(next(iter(self.header["parametrization"].values())))))
        for key, (dset, dtype, fill) in _RUN_TABLES.items():
            if dset in self._traj:
                column = self._traj[dset][()]
                del self._traj[dset]
            else:
                column = np.full(n, fill, dtype=dtype)
            for i, meta in self._run_meta.items():
                if key in meta and 0 <= i < n:
                    column[i] = meta[key]
            self._traj.create_dataset(dset, data=column)

    def _rebuild(self, attrs):
        """The private copy from the current HDF5 file and the whole journal (another search wrote meanwhile)."""
        os.unlink(self._tmp)
        self._start_copy()
        self._close_copy(attrs)

    def _close_copy(self, attrs):
        """Write the final attributes and the run tables into the private copy, and close it."""
        for key, value in attrs.items():
            self._traj.attrs[key] = value
        self._write_run_tables()
        self._f.close()
        self._f = None


def _file_state(path):
    try:
        st = os.stat(path)
    except FileNotFoundError:
        return None
    return (st.st_ino, st.st_size, st.st_mtime_ns)


def _remove_stale_copies(path):
    """Delete private copies left by searches that were killed (their process is gone)."""
    for tmp in glob.glob(glob.escape(path) + ".tmp-*"):
        pid = tmp[len(path) + 5 :].split("-")[0]
        try:
            os.kill(int(pid), 0)
            continue  # still running
        except ProcessLookupError:
            pass
        except (ValueError, PermissionError):
            continue
        try:
            os.unlink(tmp)
        except OSError:
            pass


def _hdf_runs(traj):
    """Indices of the runs stored in an exploration group of the HDF5 file."""
    return [_run_index(k) for k in traj["runs"]] if "runs" in traj else []


def _check_names(tree):
    for key, value in tree.items():
        if not isinstance(key, str) or "/" in key or key in ("", "."):
            raise ValueError(f"Result name {key!r} cannot be stored: names must be non-empty strings without '/'.")
        if isinstance(value, Mapping):
            _check_names(value)


def _create_group(f, name, header):
    traj = f.create_group(name)
    for key, value in header["attrs"].items():
        traj.attrs[key] = value
    pars = traj.create_group("parameters")
    base = header["base_params"]
    pars.create_dataset(_PICKLE, data=_pickled(dict(base)))
    for key, value in base.items():
        _readable(pars, key, value)
    explored = traj.create_group("explored")
    parametrization = header["parametrization"]
    explored.create_dataset(_PICKLE, data=_pickled(parametrization))
    for key, values in parametrization.items():
        if all(isinstance(v, numbers.Real) and not isinstance(v, (bool, np.bool_)) for v in values):
            _readable(explored, key, np.asarray(values, dtype=float))
    traj.create_group("runs")
    traj.create_group("failed")
    traj.create_group("shared")
    return traj


def _readable(group, key, value):
    """Best-effort readable copy of a parameter (numbers, strings, numeric arrays); others are skipped."""
    key = str(key).replace("/", "|")
    if key == _PICKLE or key in group:
        return
    try:
        if isinstance(value, str):
            group.create_dataset(key, data=value, dtype=h5py.string_dtype())
        elif isinstance(value, numbers.Number) or (
            isinstance(value, np.ndarray) and value.dtype.kind in "biuf" and value.size > 0
        ):
            group.create_dataset(key, data=value)
    except (TypeError, ValueError):
        pass


# ---------------------------------------------------------------------------------------------- reading
class Reader:
    """Read access to one exploration, finished or still running (HDF5 file and journal merged).

    Use as a context manager: ``with Reader(path) as r: r.run(3)``. The file is opened read-only and without the
    HDF5 file lock, so this works while a search writes.

    Parameters
    ----------
    path : str
        The result file.
    name : str, optional
        The exploration; None: the newest one.

    Raises
    ------
    StoreError
        If there is no such file or exploration.
    """

    def __init__(self, path, name=None):
        self.path = os.path.abspath(path)
        last = None
        for attempt in range(_RETRIES):
            try:
                self._open(name)
                return
            except FileNotFoundError as e:  # a journal went away while opening: a search just finished
                last = e
                time.sleep(0.05 * (attempt + 1))
        raise StoreError(f"Cannot read the results in {self.path!r}: {last}") from last

    def _open(self, name):
        self._jfh = None
        self._f = None
        journals = _journals(self.path)
        headers = {}
        for n, jp in journals.items():
            header = J.read_header(jp)
            if header is not None:
                headers[n] = header
        if name is not None and name in headers:
            chosen = name
        else:
            chosen = None
        # open the journal before the HDF5 file: a search that finishes in between is then seen in one of them
        if chosen is not None:
            self._jfh = open(journals[chosen], "rb")
        self._f = _open_hdf_read(self.path)
        trajs = _hdf_trajectories(self._f)
        if name is None:
            every = {**{n: h["attrs"] for n, h in headers.items()}, **trajs}
            if not every:
                self.close()
                if not os.path.exists(self.path):
                    raise StoreError(f"Result file {self.path!r} does not exist.")
                raise StoreError(f"The file {self.path!r} holds no exploration.")
            name = max(every, key=lambda k: (float(every[k].get("created", 0.0)), k))
            if name in headers and self._jfh is None:
                self.close()
                return self._open(name)
        if name not in trajs and name not in headers:
            known = sorted(set(trajs) | set(headers))
            self.close()
            raise StoreError(f"The file {self.path!r} holds no exploration {name!r}; it holds {known}.")
        self.name = name
        self.traj = self._f[name] if (self._f is not None and name in trajs) else None
        self.header = headers.get(name)
        self._index_journal()

    def _index_journal(self):
        self._runs = {}
        self._failures = {}
        self._shared = {}
        if self._jfh is None:
            return
        entries, _ = J.scan(self._jfh.name)
        shared = []
        for e in entries:
            if e.kind == J.RUN:
                self._runs[e.key] = e
                self._failures.pop(e.key, None)
            elif e.kind == J.FAILURE:
                self._failures[e.key] = e
            elif e.kind == J.SHARED:
                shared.append(e)
        self._shared = dict(J.load_from(self._jfh, shared))

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.close()

    def close(self):
        """Close the files."""
        if self._f is not None:
            self._f.close()
            self._f = None
        if self._jfh is not None:
            self._jfh.close()
            self._jfh = None

    @property
    def attrs(self):
        """The exploration's attributes (a plain dict)."""
        return dict(self.traj.attrs) if self.traj is not None else dict(self.header["attrs"])

    @property
    def running(self):
        """True while the exploration has a journal (running, or killed and not resumed yet)."""
        return self.header is not None

    def base_params(self):
        """The parameters every run starts from."""
        if self.traj is not None:
            return _unpickled(self.traj["parameters"][_PICKLE])
        return self.header["base_params"]

    def parametrization(self):
        """``{name: list of per-run values}`` of the explored parameters (star names expanded)."""
        if self.traj is not None:
            return _unpickled(self.traj["explored"][_PICKLE])
        return self.header["parametrization"]

    def _hdf_done(self):
        return set(_hdf_runs(self.traj)) if self.traj is not None else set()

    def done(self):
        """Indices of the finished runs (sorted)."""
        return sorted(self._hdf_done() | set(self._runs))

    def failures(self):
        """``{run index: (params, error text)}`` of the runs whose evaluation raised (and did not finish later)."""
        out = {}
        if self.traj is not None:
            for k, g in self.traj["failed"].items():
                out[_run_index(k)] = (g.attrs.get("params", ""), g.attrs.get("error", ""))
        if self._failures:
            keys = list(self._failures)
            for key, payload in zip(keys, J.load_from(self._jfh, [self._failures[k] for k in keys])):
                out[key] = tuple(payload)
        done = set(self.done())
        return {k: v for k, v in sorted(out.items()) if k not in done}

    def run(self, index):
        """Results of run ``index`` as a nested dict, or None if it has not finished."""
        entry = self._runs.get(int(index))
        if entry is not None:
            _, tree = J.load_from(self._jfh, [entry])[0]
            return resolve_shared(tree, self._shared)
        group = self._group(index)
        return None if group is None else read_tree(group)

    def run_attrs(self, index):
        """Attributes of run ``index`` (seed, nonfinite, elapsed), or None if it has not finished."""
        index = int(index)
        entry = self._runs.get(index)
        if entry is not None:
            return dict(J.load_from(self._jfh, [entry], first=True)[0])
        if self._group(index) is None:
            return None
        out = {}
        for key, (dset, _, _) in _RUN_TABLES.items():
            if dset in self.traj and index < self.traj[dset].shape[0]:
                out[key] = self.traj[dset][index].item()
        return out

    def nonfinite(self):
        """``{run index: bool}``: whether the finished run's results hold NaN or inf."""
        out = {}
        if self.traj is not None and "run_nonfinite" in self.traj:
            flags = self.traj["run_nonfinite"][()]
            for i in self._hdf_done():
                out[i] = bool(flags[i]) if i < len(flags) else False
        keys = list(self._runs)
        for key, attrs in zip(keys, J.load_from(self._jfh, [self._runs[k] for k in keys], first=True)):
            out[key] = bool(attrs.get("nonfinite", False))
        return out

    def _group(self, index):
        if self.traj is None:
            return None
        return self.traj["runs"].get(run_name(index))
