"""Reading explorations, finished or still running: :class:`Reader` and :func:`trajectory_names`, and the names
and index layout that the writer (:mod:`neurolib._storage.hdf`, which describes the files) shares with them."""

from __future__ import annotations

import glob
import os
import pickle
import time

import h5py
import numpy as np

from neurolib._storage import journal as J
from neurolib._storage import provenance as P
from neurolib._storage.files import StoreError, open_hdf_read
from neurolib._storage.values import resolve_shared

FORMAT = "neurolib-exploration-2"
_PICKLE = "__pickle__"
_RETRIES = 8
_RUN_TABLES = {"seed": ("run_seed", np.uint64, 0), "nonfinite": ("run_nonfinite", bool, False),
               "elapsed": ("run_elapsed", float, np.nan)}  # fmt: skip


def records_path(path, name):
    """The record file of exploration ``name`` of the index ``path``."""
    return f"{path}.{name}.records"


def _record_files(path):
    """{exploration name: record file} of the record files next to ``path``."""
    prefix = f"{path}."
    return {rp[len(prefix) : -len(".records")]: rp for rp in glob.glob(glob.escape(path) + ".*.records")}


def _is_exploration(header):
    """Whether a record file's header (or None) is an exploration's (evolutions keep records next to them too)."""
    return isinstance(header, dict) and header.get("attrs", {}).get("format") == FORMAT


def _unpickled(dataset):
    return pickle.loads(dataset[()].tobytes())


def _trajectories(f):
    if f is None:
        return {}
    return {k: dict(g.attrs) for k, g in f.items() if isinstance(g, h5py.Group) and g.attrs.get("format") == FORMAT}


def _read_index(group, attrs=None):
    """What the index holds about one exploration: header, record entries and their end, run tables (``attrs``:
    the group's attributes, if already read)."""
    attrs = dict(group.attrs) if attrs is None else attrs
    header = {
        "attrs": attrs,
        "base_params": _unpickled(group["parameters"][_PICKLE]),
        "parametrization": _unpickled(group["explored"][_PICKLE]),
    }
    rows = group["records"][()] if "records" in group else np.zeros((0, 4), np.int64)
    entries = [J.Entry(int(k), int(key), int(off), int(n)) for k, key, off, n in rows]
    tables = {key: group[dset][()] for key, (dset, _, _) in _RUN_TABLES.items() if dset in group}
    failures = {int(k[4:]): (g.attrs.get("params", ""), g.attrs.get("error", "")) for k, g in group["failed"].items()}
    return header, (entries, int(attrs.get("records_end", 0))), tables, failures


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
    for name, rp in _record_files(path).items():
        header = J.read_header(rp)
        if _is_exploration(header):
            attrs[name] = header["attrs"]
    f = open_hdf_read(path)
    if f is not None:
        with f:
            attrs.update(_trajectories(f))
    return sorted(attrs, key=lambda k: (float(attrs[k].get("created", 0.0)), k))


# ---------------------------------------------------------------------------------------------- reading
class Reader:
    """Read access to one exploration, finished or still running.

    Use as a context manager: ``with Reader(path) as r: r.run(3)``. Nothing is locked, so this works while a
    search writes.

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
        self._fh = None
        last = None
        for attempt in range(_RETRIES):
            try:
                self._open(name)
                return
            except FileNotFoundError as e:  # the index was replaced while opening: read again
                last = e
                time.sleep(0.05 * (attempt + 1))
        raise StoreError(f"Cannot read the results in {self.path!r}: {last}") from last

    def _open(self, name):
        records = _record_files(self.path)
        headers = {n: h for n, h in ((n, J.read_header(rp)) for n, rp in records.items()) if _is_exploration(h)}
        f = open_hdf_read(self.path)
        with f if f is not None else _Nothing():
            trajs = _trajectories(f)
            if name is None:
                every = {**{n: h["attrs"] for n, h in headers.items()}, **trajs}
                if not every:
                    if not os.path.exists(self.path):
                        raise StoreError(f"Result file {self.path!r} does not exist.")
                    raise StoreError(f"The file {self.path!r} holds no exploration.")
                name = max(every, key=lambda k: (float(every[k].get("created", 0.0)), k))
            if name not in trajs and name not in headers:
                known = sorted(set(trajs) | set(headers))
                raise StoreError(f"The file {self.path!r} holds no exploration {name!r}; it holds {known}.")
            self.name = name
            self.indexed = name in trajs
            if self.indexed:
                self.header, (entries, end), self._tables, self._old_failures = _read_index(f[name], trajs[name])
            else:
                self.header, entries, end, self._tables, self._old_failures = headers[name], [], 0, {}, {}
        rp = records_path(self.path, name)
        more = []
        if os.path.exists(rp):
            self._fh = open(rp, "rb")
            more, _ = J.scan(rp, end)
        self._extra = bool(more)
        self._runs, self._failures, shared = {}, {}, []
        for e in [*entries, *more]:
            if e.kind == J.RUN:
                self._runs[e.key] = e
            elif e.kind == J.FAILURE:
                self._failures[e.key] = e
            elif e.kind == J.SHARED:
                shared.append(e)
        self._shared = dict(J.load_from(self._fh, shared)) if shared else {}

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.close()

    def close(self):
        """Close the record file."""
        if self._fh is not None:
            self._fh.close()
            self._fh = None

    @property
    def attrs(self):
        """The exploration's attributes (a plain dict)."""
        return dict(self.header["attrs"])

    @property
    def running(self):
        """True while the exploration has records the index does not list (running, or killed and not resumed)."""
        return not self.indexed or self._extra

    def base_params(self):
        """The parameters every run starts from."""
        return self.header["base_params"]

    def parametrization(self):
        """``{name: list of per-run values}`` of the explored parameters (star names expanded)."""
        return self.header["parametrization"]

    def provenance(self):
        """The provenance of the exploration (see :mod:`neurolib._storage.provenance`), or {} if it has none."""
        text = self.header["attrs"].get("provenance")
        if text is not None and not self._extra:
            return P.from_json(text)
        if self._fh is not None:  # still running: the record file's header has the start
            header = J.read_header(self._fh.name)
            if header is not None and header.get("provenance") is not None:
                return dict(header["provenance"])
        return P.from_json(text) if text is not None else {}

    def done(self):
        """Indices of the finished runs (sorted)."""
        return sorted(self._runs)

    def failures(self):
        """``{run index: (params, error text)}`` of the runs whose evaluation raised (and did not finish later)."""
        out = dict(self._old_failures)
        keys = [k for k, e in self._failures.items()]
        if keys and self._fh is not None:
            for key, payload in zip(keys, J.load_from(self._fh, [self._failures[k] for k in keys])):
                out[key] = tuple(payload)
        return {k: v for k, v in sorted(out.items()) if k not in self._runs}

    def _records(self):
        if self._fh is None:
            raise StoreError(
                f"The results of exploration {self.name!r} are in {records_path(self.path, self.name)!r}, which is "
                f"missing (keep the .records files next to the .hdf file)."
            )
        return self._fh

    def run(self, index):
        """Results of run ``index`` as a nested dict, or None if it has not finished."""
        entry = self._runs.get(int(index))
        if entry is None:
            return None
        _, tree = J.load_from(self._records(), [entry])[0]
        return resolve_shared(tree, self._shared)

    def run_entries(self):
        """``({run index: record entry}, {name: shared array})``: what reading runs later needs (see
        :class:`neurolib.optimize.exploration._results.LazyResults`)."""
        return dict(self._runs), dict(self._shared)

    def run_attrs(self, index):
        """Attributes of run ``index`` (seed, nonfinite, elapsed), or None if it has not finished."""
        entry = self._runs.get(int(index))
        if entry is None:
            return None
        if self._fh is None:
            return {k: v[int(index)].item() for k, v in self._tables.items() if int(index) < len(v)}
        return dict(J.load_from(self._fh, [entry], first=True)[0])

    def nonfinite(self):
        """``{run index: bool}``: whether the finished run's results hold NaN or inf."""
        flags = self._tables.get("nonfinite")
        out, unknown = {}, []
        for i in self._runs:
            if flags is not None and i < len(flags) and self._runs[i].offset < self._index_end():
                out[i] = bool(flags[i])
            else:
                unknown.append(i)
        if unknown:
            attrs = J.load_from(self._records(), [self._runs[i] for i in unknown], first=True)
            out.update({i: bool(a.get("nonfinite", False)) for i, a in zip(unknown, attrs)})
        return out

    def _index_end(self):
        return int(self.header["attrs"].get("records_end", 0)) if self.indexed else 0


class _Nothing:
    def __enter__(self):
        return None

    def __exit__(self, *exc):
        return False
