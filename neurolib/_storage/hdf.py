"""Where explorations are stored: an append-only record file per exploration, indexed by an HDF5 file.

Files
-----
``<file>`` (``./data/hdf/<name>.hdf`` by default)
    The HDF5 *index*, one group per exploration ("trajectory") at the root::

        /<trajectory>/          attrs: format, fingerprint, nRuns, kind, model, created, search_seed, records
                                (the record file's name), records_end, explorationStart/End, nDone, provenance
            parameters/__pickle__   the parameters every run starts from (pickled); readable copies of the
                                    numbers, strings and numeric arrays as attributes of parameters/
            explored/__pickle__     {name: list of per-run values} (pickled); explored/<name>: numeric columns
            records                 (n, 4) int64: kind, key, offset, length of every record of the record file
            run_seed, run_nonfinite,  one value per run (index = run): its seed, whether its results hold NaN or
            run_elapsed               inf, and the seconds it took
            failed/run_00000003     attrs: error (the traceback), params

    It is written when a search ends, as a whole new file that replaces the old one (:func:`files.write_atomic`,
    under the lock ``.<file>.lock``): it is always complete, old or new.
``<file>.<trajectory>.records``
    The results themselves: a :mod:`~neurolib._storage.journal` of one record per finished run (its attributes
    and results; arrays blosc2-compressed), per failure, and per shared time axis, after a header record (the
    exploration's attributes, parameters and provenance). Each result is written once, here, when its run ends;
    a ``kill -9`` loses no finished run, and the same search started again continues from the records.

Reading
-------
:class:`~neurolib._storage.reader.Reader` (in :mod:`~neurolib._storage.reader`) takes the index (if the
exploration is in it) and the records appended after ``records_end`` (a search running, or killed and not yet
resumed), so results are readable at any moment, from any process, and one run is read without the others.
"""

from __future__ import annotations

import numbers
import os
import pickle
import time
from collections.abc import Mapping

import h5py
import numpy as np

from neurolib._storage import journal as J
from neurolib._storage import provenance as P
from neurolib._storage.files import Lock, StoreError, check_writable, open_hdf_read, remove_stale, write_atomic
from neurolib._storage.reader import (
    _PICKLE,
    _RUN_TABLES,
    FORMAT,
    Reader,
    _is_exploration,
    _read_index,
    _record_files,
    _trajectories,
    records_path,
    trajectory_names,
)
from neurolib._storage.values import check_names, has_nonfinite, share_time_axes

__all__ = ["Reader", "SearchWriter", "StoreError", "check_writable", "has_nonfinite", "trajectory_names"]


def run_name(index):
    """Name of run ``index``: ``run_`` + 8 digits."""
    return f"run_{int(index):08d}"


def _pickled(obj):
    return np.void(pickle.dumps(obj, protocol=pickle.HIGHEST_PROTOCOL))


# ---------------------------------------------------------------------------------------------- writing
class SearchWriter:
    """Writes one exploration: each finished run once, as a record; the index when the search ends.

    Use :meth:`open`, which finds an exploration with the same fingerprint to resume (in the index or in a record
    file) or starts a new one. :meth:`finalize` ends a search; :meth:`close` leaves it resumable.

    Attributes
    ----------
    name : str
        The exploration (trajectory) name.
    header : dict
        ``attrs`` (with ``fingerprint`` and ``search_seed``), ``base_params``, ``parametrization``, ``provenance``.
    done : set of int
        Finished runs (before this session and since).
    resumed : bool
    """

    def __init__(self, path, name, header, resumed, known=None, failures=None):
        self.path = path
        self.name = name
        self.header = header
        self.resumed = resumed
        self._known = known  # (entries, end) listed in the index
        self._old_failures = dict(failures or {})
        self._journal = J.Journal(records_path(path, name), known)
        try:
            if not self._journal.entries:
                self._journal.append(J.HEADER, 0, header)
            shared_entries = [e for e in self._journal.entries if e.kind == J.SHARED]
            self._shared = set(J.load(self._journal.path, shared_entries, first=True))
            self._shared_ids = {}  # id(array) -> (name, array): arrays already hashed this session
            self.done = {e.key for e in self._journal.entries if e.kind == J.RUN}
        except BaseException:
            self._journal.close()
            raise

    @classmethod
    def open(cls, path, fingerprint, new_name, make_header):
        """Resume the exploration of ``path`` with ``fingerprint``, or start one named ``new_name``.

        Parameters
        ----------
        path : str
            The HDF5 index file.
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
        remove_stale(path)
        records = _record_files(path)
        names = set(records)
        f = open_hdf_read(path)
        if f is not None:
            with f:
                names |= set(f.keys())
                trajs = _trajectories(f)
                match = [k for k, a in trajs.items() if a.get("fingerprint") == fingerprint]
                if match:
                    name = max(match, key=lambda k: float(trajs[k].get("created", 0.0)))
                    header, known, _, failures = _read_index(f[name])
                    header = J.read_header(records_path(path, name)) or header
                    return cls(path, name, header, True, known, failures)
        for name, rp in sorted(records.items()):
            header = J.read_header(rp)
            if _is_exploration(header) and header["attrs"].get("fingerprint") == fingerprint:
                return cls(path, name, header, True)
        name, k = new_name, 1
        while name in names:
            k += 1
            name = f"{new_name}-{k}"
        header = make_header(name)
        header["attrs"]["created"] = time.time()
        header["attrs"]["format"] = FORMAT
        return cls(path, name, header, False)

    @property
    def attrs(self):
        """The exploration's attributes."""
        return self.header["attrs"]

    def write_run(self, index, results, attrs):
        """Record the results (a dict) and attributes (seed, nonfinite, elapsed) of a finished run."""
        if not isinstance(results, Mapping):
            raise TypeError(f"Results must be a dict, got {type(results).__name__}.")
        check_names(results)
        tree = share_time_axes(results, self._shared, self._emit_shared, self._shared_ids)
        self._journal.append(J.RUN, index, dict(attrs), tree)  # from here on the run is safe
        self.done.add(int(index))

    def _emit_shared(self, name, array):
        self._journal.append(J.SHARED, 0, name, array)

    def write_failure(self, index, params, error):
        """Record that run ``index`` raised ``error`` (text) for ``params`` (text)."""
        self._journal.append(J.FAILURE, index, params, error)

    @property
    def unchanged(self):
        """True when the index lists every record: nothing was added since the search last ended."""
        return self._known is not None and self._journal.end == self._known[1]

    def abandon(self):
        """Stop without changing anything (the records stay: they are the results)."""
        self.close()

    def close(self):
        """Stop without ending the search: the records stay, to resume from."""
        self._journal.close()

    def finalize(self, **attrs):
        """End the search: write the index of the records into the HDF5 file (replaced atomically).

        Parameters
        ----------
        **attrs
            Attributes for the exploration's group (e.g. the start and end times).
        """
        try:
            end = time.time()
            prov = self.header.get("provenance")
            if prov is not None:
                attrs["provenance"] = P.to_json(P.finish(prov, attrs.get("explorationEnd", end)))
            entries, stop = list(self._journal.entries), self._journal.end
            meta = self._run_meta(entries)
            folder, base = os.path.split(self.path)
            with Lock(os.path.join(folder, f".{base}.lock")):  # one replacement of the index at a time

                def write(tmp):
                    with h5py.File(tmp, "a", libver="earliest") as f:
                        if self.name in f:
                            del f[self.name]
                        _write_index(f, self.name, self.header, entries, stop, meta, self._failures(entries), attrs)

                write_atomic(self.path, write, copy_from=self.path)
        finally:
            self._journal.close()

    def _run_meta(self, entries):
        runs = {}
        for e in entries:
            if e.kind == J.RUN:
                runs[e.key] = e
        keys = list(runs)
        return dict(zip(keys, J.load(self._journal.path, [runs[k] for k in keys], first=True)))

    def _failures(self, entries):
        out = dict(self._old_failures)
        failed = [e for e in entries if e.kind == J.FAILURE and e.offset >= (self._known or ([], 0))[1]]
        for e, payload in zip(failed, J.load(self._journal.path, failed)):
            out[e.key] = tuple(payload)
        done = {e.key for e in entries if e.kind == J.RUN}
        return {k: v for k, v in out.items() if k not in done}


def _write_index(f, name, header, entries, end, run_meta, failures, attrs):
    traj = f.create_group(name)
    for key, value in {**header["attrs"], **attrs}.items():
        traj.attrs[key] = value
    traj.attrs["records"] = os.path.basename(records_path(f.filename, name))
    traj.attrs["records_end"] = int(end)
    pars = traj.create_group("parameters")
    base = header["base_params"]
    pars.create_dataset(_PICKLE, data=_pickled(dict(base)))
    for key, value in base.items():
        _readable_attr(pars, key, value)
    explored = traj.create_group("explored")
    parametrization = header["parametrization"]
    explored.create_dataset(_PICKLE, data=_pickled(parametrization))
    for key, values in parametrization.items():
        if all(isinstance(v, numbers.Real) and not isinstance(v, (bool, np.bool_)) for v in values):
            _readable(explored, key, np.asarray(values, dtype=float))
    rows = np.array([(e.kind, e.key, e.offset, e.length) for e in entries], dtype=np.int64).reshape(-1, 4)
    traj.create_dataset("records", data=rows)
    n = int(header["attrs"].get("nRuns", len(next(iter(parametrization.values()), []))))
    for key, (dset, dtype, fill) in _RUN_TABLES.items():
        column = np.full(n, fill, dtype=dtype)
        for i, meta in run_meta.items():
            if key in meta and 0 <= i < n:
                column[i] = meta[key]
        traj.create_dataset(dset, data=column)
    failed = traj.create_group("failed")
    for i, (params, error) in sorted(failures.items()):
        group = failed.create_group(run_name(i))
        group.attrs["params"], group.attrs["error"] = params, error


def _readable_attr(group, key, value):
    """Best-effort readable copy of a parameter as an attribute of ``group`` (numbers, strings, numeric arrays
    below 64 kB: an attribute is cheaper to write than a dataset; larger arrays are datasets)."""
    key = str(key).replace("/", "|")
    if isinstance(value, np.ndarray) and value.nbytes >= 1 << 16:
        _readable(group, key, value)
        return
    try:
        if isinstance(value, (str, numbers.Number)):
            group.attrs[key] = value
        elif isinstance(value, np.ndarray) and value.dtype.kind in "biuf" and value.size > 0:
            group.attrs[key] = value
    except (TypeError, ValueError):
        pass


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
