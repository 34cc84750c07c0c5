"""BoxSearch's stored results: reading an exploration back (``loadResults``, ``loadDfResults``, ``getRun``,
``getResult``, ``aggregateResultsToDfResults``, ``xr``, ``provenance``).

:class:`StoredResults` is a base class of :class:`~neurolib.optimize.exploration.BoxSearch`; it reads through
:class:`neurolib._storage.reader.Reader`, which works while a search runs and after it was killed.
"""

from __future__ import annotations

import logging
import numbers
import os
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd

from neurolib._storage import journal as J
from neurolib._storage.files import StoreError
from neurolib._storage.reader import Reader, records_path, trajectory_names
from neurolib._storage.values import resolve_shared
from neurolib.errors import ParameterError
from neurolib.utils.collections import _sanitize_keys, dotdict, unwrap_star_dotdict

if TYPE_CHECKING:
    import xarray

logger = logging.getLogger(__name__)


DF_ARRAY_BYTES = 256e6  # loadResults() copies array results into dfResults up to this total size (bytes)


class LazyResults(Mapping):
    """``search.results`` after :meth:`~StoredResults.loadResults`: ``results[i]`` is run i's results (a
    :class:`~neurolib.utils.collections.dotdict`), read from the record file when asked, so a search of any size
    can be loaded; the run read last is kept."""

    def __init__(self, reader, short_names, cached):
        self._records = records_path(reader.path, reader.name)
        self._runs, self._shared = reader.run_entries()
        self._short, self._cached, self._last = short_names, cached, (None, None)

    def __getitem__(self, i):
        if isinstance(i, bool) or not isinstance(i, numbers.Integral) or int(i) not in self._runs:
            raise KeyError(i)
        i = int(i)
        if self._last[0] != i:
            tree = self._cached.get(i)
            if tree is None:
                if not os.path.exists(self._records):
                    raise StoreError(f"The results are in {self._records!r}, which is missing (keep the .records "
                                     f"files next to the .hdf file).")  # fmt: skip
                tree = resolve_shared(J.load(self._records, [self._runs[i]])[0][1], self._shared)
            self._last = (i, _flatten_result(tree, self._short))
        return self._last[1]

    def __iter__(self):
        return iter(sorted(self._runs))

    def __len__(self):
        return len(self._runs)

    def __repr__(self):
        return f"<results of {len(self._runs)} runs in {self._records} (read when asked)>"


class StoredResults:
    """The reading half of :class:`~neurolib.optimize.exploration.BoxSearch` (see there for the attributes)."""

    # set by BoxSearch
    model: Any
    parameterSpace: Any
    exploreParameters: dict
    pypetParametrization: dict
    HDF_FILE: str
    trajectoryName: str
    results: Any
    dfResults: Any

    def _cached(self, reader):
        """The results of this search's last ``run()`` held in memory, if ``reader`` reads that exploration."""
        c = getattr(self, "_results_cache", None)
        if c is not None and c[0] == reader.path and c[1] == reader.name:
            return c[2]
        return {}

    def _run_tree(self, reader, i):
        cached = self._cached(reader).get(i)
        return cached if cached is not None else reader.run(i)

    def _reader(self, filename=None, trajectoryName=None):
        path = os.path.abspath(filename) if filename is not None else self.HDF_FILE
        if trajectoryName is None and self.trajectoryName is not None:
            try:  # this search's exploration if the file holds it ...
                return Reader(path, self.trajectoryName)
            except StoreError:
                if self.trajectoryName in trajectory_names(path):
                    raise  # it is there but cannot be read: say so, do not read another one
            # ... else the newest one of the file
        return Reader(path, trajectoryName)

    def loadDfResults(self, filename: str | None = None, trajectoryName: str | None = None) -> None:
        """Read the explored values of every run into ``dfResults`` (one row per run).

        Parameters
        ----------
        filename : str, optional
            Result file (default: this search's).
        trajectoryName : str, optional
            Exploration to read (default: this search's if stored, else the newest in the file).
        """
        with self._reader(filename, trajectoryName) as reader:
            self._load_meta(reader)
            self.dfResults = self._df_from(reader)

    def _load_meta(self, reader):
        from neurolib.utils.pypetUtils import ExplorationRef

        self.trajectoryName = reader.name
        self._loaded_from = (reader.path, reader.name)
        self.pypetTrajectory = ExplorationRef(reader.path, reader.name)  # what getRun(runId, ...) accepts
        self.loadedParametrization = reader.parametrization()
        self.nResults = len(reader.done())
        self.failedRuns = {k: v for k, v in reader.failures().items()}
        attrs = reader.attrs
        self._t_start = attrs.get("explorationStart", getattr(self, "_t_start", None))
        self._t_end = attrs.get("explorationEnd", getattr(self, "_t_end", None))
        self._stored_kind = attrs.get("kind")
        self._stored_star = bool(attrs.get("star", False))

    def _df_from(self, reader):
        parametrization = self.loadedParametrization
        n = len(next(iter(parametrization.values()))) if parametrization else 0
        columns = {}
        for name, values in parametrization.items():
            column = _strip_parameters_prefix(name)
            if all(isinstance(v, numbers.Number) and not isinstance(v, (bool, np.bool_)) for v in values):
                columns[column] = pd.Series(values, dtype=float)
            else:
                columns[column] = pd.Series(list(values), dtype=object)
        df = pd.DataFrame(columns, index=pd.RangeIndex(n))
        flags = reader.nonfinite()
        df["nonfinite"] = pd.Series([bool(flags.get(i, False)) for i in range(n)], dtype=bool)
        return df

    def loadResults(
        self,
        all: bool = True,
        filename: str | None = None,
        trajectoryName: str | None = None,
        pypetShortNames: bool = True,
        memory_cap: float | None = 95.0,
    ) -> None:
        """Load the stored results (also of a search that is still running, or was killed).

        Parameters
        ----------
        all : bool
            Load every run's results into ``results`` (else only ``dfResults`` with the scalar results).
        filename : str, optional
            Result file (default: this search's).
        trajectoryName : str, optional
            Exploration to load (default: this search's if stored, else the newest in the file).
        pypetShortNames : bool
            Key nested results by their last name (``"BOLD"``), not their dotted path (``"BOLD.BOLD"``).
        memory_cap : float, optional
            Accepted for compatibility (checked, then unused): ``results`` reads each run when it is asked for,
            so loading never fills the memory.
        """
        if memory_cap:
            ok = isinstance(memory_cap, numbers.Real) and not isinstance(memory_cap, bool) and 0 < memory_cap < 100
            if not ok:
                raise ParameterError(
                    f"memory_cap must be a percentage between 0 and 100 (exclusive), or None/0 to switch the check "
                    f"off; got {memory_cap!r}."
                )
        with self._reader(filename, trajectoryName) as reader:
            self._load_meta(reader)
            self.dfResults = self._df_from(reader)
            done = reader.done()
            self.results = LazyResults(reader, pypetShortNames, self._cached(reader)) if all else dotdict()
            missing = len(self.dfResults) - len(done)
            if missing:
                logger.warning(f"{missing} of {len(self.dfResults)} runs have no results (not run yet, or failed).")
            self._aggregate(reader, pypetShortNames, arrays="auto")
        logger.info("All results loaded.")

    def aggregateResultsToDfResults(self, arrays: bool = True, fillna: bool = False) -> None:
        """Add the results of every run to ``dfResults``: numbers as columns, arrays as object columns.

        Parameters
        ----------
        arrays : bool
            Also add list and array results (object columns).
        fillna : bool
            Replace NaN by 0.
        """
        with self._reader(*getattr(self, "_loaded_from", (None, None))) as reader:
            self._aggregate(reader, True, arrays, fillna)

    def _aggregate(self, reader, short_names, arrays=True, fillna=False):
        """Add the numeric (and, with ``arrays``, list/array) results of every run as columns of ``dfResults``.

        Columns come in the order the evaluation produced the results (the order of the keys of the first run
        that has them), wherever the results are read from; a result that is NaN in every run keeps its column.
        """
        df = self.dfResults
        if arrays == "auto":  # loadResults: arrays as columns only while they are small in total
            sizes = [(reader.run_attrs(i) or {}).get("nbytes") for i in reader.done()]
            arrays = None in sizes or sum(sizes) <= DF_ARRAY_BYTES
            if not arrays:
                logger.info(
                    f"The array results ({sum(sizes) / 1e6:.0f} MB) are not copied into dfResults; read them from "
                    f"search.results[i] (one run at a time), or call aggregateResultsToDfResults()."
                )
        collected = {}  # result name -> {run index: value}, in order of first appearance
        for i in df.index:
            skeleton = None if arrays else (reader.run_attrs(i) or {}).get("skeleton")
            if skeleton is not None:  # the run's scalars, recorded with it: its arrays are not read
                result = _flatten_result(skeleton, short_names)
            elif self.results is not None and i in self.results:
                result = self.results[i]
            else:
                tree = self._run_tree(reader, i)
                if tree is None:
                    continue
                result = _flatten_result(tree, short_names)
            for key, value in result.items():
                if _is_plain_number(value):
                    collected.setdefault(key, {})[i] = float(value)
                elif arrays and isinstance(value, (list, tuple, np.ndarray)):
                    collected.setdefault(key, {})[i] = value
        for key, by_run in collected.items():
            if key == "nonfinite" or key in df.columns:
                continue  # never overwrite the flag or an explored parameter
            if all(isinstance(v, float) for v in by_run.values()):
                column = pd.Series([by_run.get(i, np.nan) for i in df.index], index=df.index, dtype=float)
            else:
                column = pd.Series([by_run.get(i) for i in df.index], index=df.index, dtype=object)
            df[key] = column
        if fillna:
            df.fillna(0, inplace=True)
        self.dfResults = df

    def getRun(
        self, runId: int, filename: str | None = None, trajectoryName: str | None = None, pypetShortNames: bool = True
    ) -> dotdict:
        """Results of one run plus its parameters.

        Parameters
        ----------
        runId : int
            Run index (row of ``dfResults``).
        filename, trajectoryName : str, optional
            Where to read (default: this search's file and exploration).
        pypetShortNames : bool
            As in :meth:`loadResults`.

        Returns
        -------
        dotdict
            The results, and ``params``: the explored values of the run and its seed.

        Raises
        ------
        KeyError
            If the run has no results (not run yet, or it failed).
        """
        if trajectoryName is None and filename is None and hasattr(self, "_loaded_from"):
            filename, trajectoryName = self._loaded_from
        with self._reader(filename, trajectoryName) as reader:
            return _run_with_params(reader, runId, pypetShortNames)

    def getResult(self, runId: int) -> Mapping[str, Any]:
        """Results of run ``runId``: from ``results`` if loaded there, else read from the file."""
        if self.results is not None and runId in self.results:
            return self.results[runId]
        return self.getRun(runId)

    def provenance(self, filename: str | None = None, trajectoryName: str | None = None) -> dict:
        """Where and how the exploration was computed: neurolib, Python, numpy and numba versions, host, start and
        end times, seeds and run arguments.

        Parameters
        ----------
        filename, trajectoryName : str, optional
            Which exploration (default: this search's).

        Returns
        -------
        dict
            See :func:`neurolib.utils.provenance`.
        """
        if trajectoryName is None and filename is None and hasattr(self, "_loaded_from"):
            filename, trajectoryName = self._loaded_from
        with self._reader(filename, trajectoryName) as reader:
            return reader.provenance()

    # ------------------------------------------------------------------ as an xarray
    def xr(self, bold: bool = False) -> xarray.DataArray:
        """The results as an ``xarray.DataArray`` with one dimension per explored parameter.

        Parameters
        ----------
        bold : bool
            Use the BOLD results (keys containing ``"BOLD"``) instead of the others.

        Returns
        -------
        xarray.DataArray
            Named ``"exploration"``, dims: the explored parameters (names with ``*``, ``.``, ``|`` replaced
            by ``_``), then ``output``, ``space``, ``time``; a ``sequence`` exploration has a ``run_no``
            dimension instead.
        """
        import xarray as xr

        if not self.results:
            raise ParameterError(
                "Run `loadResults()` first to populate the results: xr() builds the DataArray from search.results."
            )
        parametrization = getattr(self, "loadedParametrization", self.pypetParametrization)
        n = len(next(iter(parametrization.values())))
        if len(self.results) != n:
            raise ParameterError(
                f"Only {len(self.results)} of {n} runs have results; xr() needs all of them (finish the search first)."
            )
        replace = {"*": "_", ".": "_", "|": "_"}
        kind = getattr(self, "_stored_kind", None) or self.parameterSpace.kind
        arrays = []
        for i in range(n):
            result = self.results[i]
            keys = [k for k in result if ("BOLD" in k) == bool(bold) and isinstance(result[k], np.ndarray)]
            tkey = "t" if "t" in keys else next((k for k in keys if k.startswith("t")), None)
            if tkey is None:
                raise ParameterError(f"Run {i} has no time array (a result starting with 't'), which xr() needs.")
            names = [k for k in keys if k != tkey]
            data = np.stack([np.atleast_2d(result[k]) for k in names])
            da = xr.DataArray(
                data, dims=("output", "space", "time"),
                coords={"output": names, "space": np.arange(data.shape[1]), "time": result[tkey]},
            )  # fmt: skip
            coords = {}
            for name, values in parametrization.items():
                value = values[i]
                if isinstance(value, (np.ndarray, list, tuple)):
                    arr = np.asarray(value, dtype=float).ravel()
                    if not np.all(arr == arr[0]):
                        raise ValueError(
                            f"Cannot squeeze coordinates: run {i} gives {name!r} an array with different elements, "
                            f"which cannot label a dimension of the DataArray ({_short(value)})."
                        )
                    value = float(arr[0])
                coords[_sanitize_keys(_strip_parameters_prefix(name), replace)] = value
            if kind == "sequence":
                arrays.append(da.assign_coords(coords))
            else:
                arrays.append(da.expand_dims({k: [v] for k, v in coords.items()}))
        if kind == "sequence":
            out = xr.concat(arrays, dim="run_no")
        else:
            out = xr.combine_by_coords(arrays)
            if isinstance(out, xr.Dataset):  # pragma: no cover - unnamed arrays combine to a DataArray
                out = out.to_array().squeeze("variable", drop=True)
        out.name = "exploration"
        star = bool(self.parameterSpace.star)
        out.attrs = {
            _sanitize_keys(pattern, replace): list(unwrap_star_dotdict({pattern: None}, self.model))
            for pattern in (self.exploreParameters if star else ())
        }
        return out


def _run_with_params(reader, runId, short_names):
    """The results of run ``runId`` of the exploration ``reader`` reads, plus ``params`` (explored values, seed)."""
    tree = reader.run(runId)
    if tree is None:
        failure = reader.failures().get(int(runId))
        why = f" It failed:\n{failure[1]}" if failure else " (not run yet, or it failed)."
        raise KeyError(f"Run {runId} of exploration {reader.name!r} has no results.{why}")
    result = _flatten_result(tree, short_names)
    params = dotdict({_strip_parameters_prefix(k): v[int(runId)] for k, v in reader.parametrization().items()})
    attrs = reader.run_attrs(runId)
    if "seed" not in params and attrs is not None and "seed" in attrs:
        params["seed"] = int(attrs["seed"])
    result["params"] = params
    return result


def _is_plain_number(value):
    """A real number result (bools and complex numbers are not numeric columns)."""
    return isinstance(value, numbers.Number) and not isinstance(value, (bool, np.bool_, complex, np.complexfloating))


def _flatten_result(tree, short_names=True, prefix=""):
    """A run's nested results as one dotdict: leaves keyed by their name (short) or dotted path."""
    out = dotdict()

    def walk(node, path):
        for key, value in node.items():
            full = f"{path}.{key}" if path else key
            if isinstance(value, Mapping):
                walk(value, full)
            else:
                name = key if short_names and key not in out else full
                out[name] = value

    walk(tree, prefix)
    return out


def _strip_parameters_prefix(name):
    return name[len("parameters.") :] if name.startswith("parameters.") else name


def _short(value):
    if isinstance(value, np.ndarray) and value.size > 6:
        return f"array(shape={value.shape}, dtype={value.dtype})"
    return repr(value)
