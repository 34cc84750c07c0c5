"""Parameter exploration: run a model (or an evaluation function) for every point of a parameter space.

:class:`BoxSearch` keeps the published package's interface (``run``, ``loadResults``, ``dfResults``,
``results``, ``getRun``, ``xr`` and the helpers for evaluation functions) without pypet:

* results go to an HDF5 file through a journal (:mod:`neurolib._storage.hdf`), so a killed search loses no
  finished run, and running the same search again (same file, space, model parameters and run arguments)
  resumes it: finished runs are skipped;
* runs execute in this process (``ncores=1``), in local worker processes (``ncores > 1``), or on any
  ``concurrent.futures``-style executor, a ``dask.distributed.Client`` included (``executor=``);
* every run gets its own seed, derived from the search seed and the run index, so the results do not depend on
  where or in which order the runs happen;
* native models without an evaluation function are integrated in batches: many points per compiled kernel call;
* a progress bar shows the runs done, runs per second and the time left; runs whose results hold NaN or inf
  are flagged in ``dfResults["nonfinite"]``; a failing evaluation is reported with its parameters and traceback
  while the other runs go on.

The object an evaluation function receives as ``traj`` is a small :class:`RunContext`, not a pypet trajectory.
"""

from __future__ import annotations

import datetime
import difflib
import hashlib
import logging
import numbers
import os
import time
import warnings
from collections.abc import Mapping

import numpy as np
import pandas as pd

from neurolib._storage.hdf import Reader, SearchWriter, StoreError, check_writable, trajectory_names
from neurolib.errors import ParameterError, ParameterKeyError, ParameterTypeError
from neurolib.optimize import _runner
from neurolib.optimize.exploration._work import Job, RunContext, execute, is_batchable, portable_model, restore_model
from neurolib.utils import paths
from neurolib.utils.collections import _sanitize_keys, dotdict, unwrap_star_dotdict

logger = logging.getLogger(__name__)

__all__ = ["BoxSearch", "ExplorationError", "RunContext", "StoreError"]

RESULTS_CACHE_BYTES = 2e9  # results of a run() kept in memory for loadResults (they are on disk as well)


class ExplorationError(RuntimeError):
    """Some runs of an exploration raised; the others were stored.

    Attributes
    ----------
    failures : dict
        ``{run index: (parameters, traceback)}`` of the failed runs.
    """

    def __init__(self, message, failures):
        super().__init__(message)
        self.failures = failures


class BoxSearch:
    """Explore a model's behaviour over a grid (or list) of parameter values.

    Parameters
    ----------
    model : neurolib.models.model.Model, optional
        The model to run. Without ``evalFunction`` every run calls ``model.run(**run_kwargs)`` and keeps its
        default output (all outputs with ``saveAllModelOutputs``). Required for star notation and
        ``kind="sequence"``.
    parameterSpace : ParameterSpace
        The parameters and values to explore.
    evalFunction : callable, optional
        ``evalFunction(traj)`` for each run, instead of running the model: read the run's parameters with
        :meth:`getParametersFromTraj` or get the model set to them with :meth:`getModelFromTraj`, and store
        results with :meth:`saveToPypet`. Its return value is ignored. With ``ncores > 1`` it runs in worker
        processes (forked from this one where possible, so it may use global objects); on a Dask cluster it is
        sent with cloudpickle.
    filename : str, optional
        Result file, relative to ``./data/hdf/`` (absolute paths are kept); default ``"exploration.hdf"``.
    saveAllModelOutputs : bool
        Without ``evalFunction``: keep every output of the model, not only the default one.
    ncores : int, optional
        Local worker processes (default: all cores; 1 runs everything in this process). Ignored with
        ``executor``.
    executor : concurrent.futures.Executor or dask.distributed.Client, optional
        Run the tasks there instead (see :mod:`neurolib.optimize._runner`).
    seed : int, optional
        Search seed; run i gets the seed ``SeedSequence(seed, spawn_key=(i,))`` as its parameter ``seed``
        (unless ``seed`` itself is explored). Default: the model's ``seed`` parameter if it is set, else a fresh
        one that is stored with the results (a resumed search uses the stored one).
    batch_size : int
        Points per task; for batched native models also the largest batch of one kernel call. When the batches
        are fewer than ``ncores``, they run in this process with their members spread over ``ncores`` threads
        (results are the same either way).
    resume : bool
        Continue a stored search with the same fingerprint (default). False always starts a new exploration.
    progress : bool
        Show a progress bar.
    max_batch_bytes : float
        Largest state buffer of one batched kernel call (bigger batches are split; default 512 MB: e.g. 4 runs of
        10 s of an 80-node network, 32 single-node runs of 2 s fit easily).

    Attributes
    ----------
    nRuns : int
        Number of runs.
    trajectoryName : str
        Name of the exploration in the result file (of the resumed one after :meth:`run`).
    HDF_FILE : str
        The result file.
    dfResults : pandas.DataFrame
        After :meth:`loadResults` / :meth:`loadDfResults`: one row per run, a column per explored parameter,
        plus the scalar results (after :meth:`loadResults`) and ``nonfinite`` (results with NaN or inf).
    results : dotdict
        After ``loadResults(all=True)``: ``results[i]`` is the dict of results of run i.
    failedRuns : dict
        ``{run index: (parameters, traceback)}`` (both as text) of runs whose evaluation raised.

    Examples
    --------
    >>> import numpy as np
    >>> from neurolib.models.aln import ALNModel                       # doctest: +SKIP
    >>> from neurolib.utils.parameterSpace import ParameterSpace
    >>> model = ALNModel()                                              # doctest: +SKIP
    >>> space = ParameterSpace({"mue_ext_mean": np.linspace(0, 3, 21),
    ...                         "mui_ext_mean": np.linspace(0, 3, 21)})
    >>> search = BoxSearch(model, space, filename="example.hdf")      # doctest: +SKIP
    >>> search.run()                                                    # doctest: +SKIP
    >>> search.loadResults()                                            # doctest: +SKIP
    """

    def __init__(
        self,
        model=None,
        parameterSpace=None,
        evalFunction=None,
        filename=None,
        saveAllModelOutputs=False,
        ncores=None,
        *,
        executor=None,
        seed=None,
        batch_size=32,
        resume=True,
        progress=True,
        max_batch_bytes=512e6,
    ):
        _check_arguments(model, parameterSpace, evalFunction, ncores, seed, batch_size)
        self.model, self.parameterSpace, self.evalFunction = model, parameterSpace, evalFunction
        self.exploreParameters = self.parameterSpace.dict()
        self.filename = "exploration.hdf" if filename is None else filename
        self.HDF_FILE = os.path.abspath(os.path.join(paths.HDF_DIR, self.filename))
        check_writable(self.HDF_FILE)
        self.saveAllModelOutputs = bool(saveAllModelOutputs)
        self.ncores = (os.cpu_count() or 1) if ncores is None else int(ncores)
        self.executor = executor
        self.seed = None if seed is None else int(seed)
        self.batch_size = int(batch_size)
        self.resume = resume
        self.progress = progress
        self.max_batch_bytes = float(max_batch_bytes)
        self.useRandomICs = False
        self.runKwargs = {}
        self.failedRuns = {}
        self._initializeExploration()

    # ------------------------------------------------------------------ set-up
    def _initializeExploration(self):
        """Runs of the space (star names and sequence defaults resolved), validated against the model."""
        self.trajectoryName = "results" + datetime.datetime.now().strftime("-%Y-%m-%d-%HH-%MM-%SS")
        space = self.parameterSpace
        parametrization = space.get_parametrization()
        if space.star:  # glob patterns -> the concrete keys of the model
            parametrization = unwrap_star_dotdict(parametrization, self.model)
        if self.model is not None:
            self._check_names(parametrization)
        if space.kind == "sequence":  # None placeholders -> the model's values
            parametrization = self._fillin_default_parameters_for_sequential(parametrization, self.model.params)
        lengths = {len(v) for v in parametrization.values()}
        if lengths != {next(iter(lengths))}:
            raise ParameterError(f"The explored parameters have different numbers of runs: {sorted(lengths)}.")
        self.nRuns = next(iter(lengths))
        if self.nRuns == 0:
            raise ParameterError("The parameter space is empty: it defines no run.")
        self.pypetParametrization = parametrization
        if self.model is not None:
            self._check_values(parametrization)
        self.base_params = dict(self.model.params) if self.model is not None else {}
        self.initialized = True
        self.results = None
        self.dfResults = None

    def _check_names(self, parametrization):
        """Reject names the model does not have (with the model's own suggestion when it gives one)."""
        params = self.model.params
        for name in parametrization:
            if name in params:
                continue
            if self.parameterSpace.star and "*" in name:
                raise ParameterKeyError(f"The star pattern {name!r} matches no parameter of the model.")
            try:
                params[name]
            except KeyError as e:
                msg = e.args[0] if e.args else str(e)
                raise ParameterKeyError(f"Cannot explore {name!r}: {msg}") from None
            close = difflib.get_close_matches(name, [str(k) for k in params], n=1)
            hint = f" Did you mean '{close[0]}'?" if close else ""
            raise ParameterKeyError(f"Cannot explore {name!r}: the model has no such parameter.{hint}")

    def _check_values(self, parametrization):
        """Numeric parameters must get numbers; native models validate each distinct value before any run."""
        params = self.model.params
        for name, values in parametrization.items():
            default = params.get(name)
            numeric_default = (isinstance(default, numbers.Number) and not isinstance(default, bool)) or (
                isinstance(default, np.ndarray) and default.dtype.kind in "biuf"
            )
            if not numeric_default:
                continue
            for v in values:
                ok = isinstance(v, numbers.Number) and not isinstance(v, (bool, np.bool_))
                if not ok and isinstance(v, (np.ndarray, list, tuple)):
                    try:
                        ok = np.asarray(v).dtype.kind in "biuf"
                    except (ValueError, TypeError):
                        ok = False
                if not ok:
                    raise ParameterError(
                        f"Parameter '{name}' must be numeric (its default is {_short(default)}), but the parameter "
                        f"space gives it the value {v!r}."
                    )
        engine = getattr(self.model, "_engine", None)
        if engine is None:
            return
        base = dict(self.model.params)
        for name, values in parametrization.items():
            seen = []
            for v in values:
                if any(_same_value(v, s) for s in seen):
                    continue
                seen.append(v)
                trial = dict(base)
                trial[name] = v
                try:
                    engine.setup(trial)
                except (ValueError, TypeError, KeyError) as e:
                    raise ParameterError(
                        f"The parameter space gives '{name}' = {_short(v)}, which is invalid: {e}"
                    ) from e
                if len(seen) >= 200:
                    break

    @staticmethod
    def _fillin_default_parameters_for_sequential(parametrization, model_params):
        """Replace the ``None`` placeholders of a sequence by the model's value of that parameter."""
        out = {}
        for name, values in parametrization.items():
            default = model_params[name]
            out[name] = [default if v is None else v for v in values]
        return out

    # ------------------------------------------------------------------ seeds and identity
    def _search_seed(self):
        if self.seed is not None:
            return self.seed
        if self.model is not None:
            s = self.model.params.get("seed")
            if isinstance(s, numbers.Integral) and not isinstance(s, bool):
                return int(s)
        return None

    @staticmethod
    def runSeed(search_seed, index):
        """Seed of run ``index``: ``SeedSequence(search_seed, spawn_key=(index,))`` as a 63-bit integer."""
        ss = np.random.SeedSequence(int(search_seed), spawn_key=(int(index),))
        return int(ss.generate_state(1, np.uint64)[0] >> np.uint64(1))

    def _fingerprint(self):
        h = hashlib.sha256()
        init_vars = set(getattr(self.model, "init_vars", None) or []) if self.model is not None else set()
        base = {k: v for k, v in self.base_params.items() if k not in init_vars and k != "seed"}
        ev = self.evalFunction
        parts = {
            "model": None if self.model is None else f"{type(self.model).__module__}.{type(self.model).__qualname__}",
            "base": base,
            "explored": self.pypetParametrization,
            "kind": self.parameterSpace.kind,
            "run": self.runKwargs,
            "saveAll": bool(self.saveAllModelOutputs),
            "eval": None if ev is None else f"{getattr(ev, '__module__', '')}.{getattr(ev, '__qualname__', repr(ev))}",
            "seed": self._search_seed(),
        }
        _digest(parts, h)
        return h.hexdigest()

    # ------------------------------------------------------------------ running
    def run(self, **kwargs):
        """Run every point of the parameter space that has no stored result yet.

        Parameters
        ----------
        **kwargs
            Passed to ``model.run`` (e.g. ``chunkwise=True, bold=True``) by the built-in evaluation.

        Raises
        ------
        ExplorationError
            After all other runs are stored, if the evaluation raised for some runs (their parameters and
            tracebacks are in the message, in the log and in ``failedRuns``).
        StoreError
            If the result file cannot be written.
        """
        if not getattr(self, "initialized", False):
            raise RuntimeError("This BoxSearch was not set up (its runs are unknown); create it with BoxSearch(...).")
        self.runKwargs = dict(kwargs)
        if self.parameterSpace.kind == "bound" and getattr(self.parameterSpace, "kind_guessed", False):
            # something the user should act on: a warning (once, through warnings only; see neurolib.optimize)
            warnings.warn(
                f"The parameter space {list(self.exploreParameters)} has two values per parameter and was taken as "
                f"kind 'bound': only the {self.nRuns} zipped points are run, not the grid of their combinations. "
                f"Use ParameterSpace(..., kind='grid') for the full product.",
                UserWarning,
                stacklevel=2,
            )
        self._t_start = time.time()
        fingerprint = self._fingerprint() if self.resume else f"new-{os.urandom(8).hex()}"
        search_seed = self._search_seed()

        def make_header(name):
            seed = search_seed if search_seed is not None else np.random.SeedSequence().entropy
            return {
                "attrs": {
                    "fingerprint": fingerprint,
                    "search_seed": str(seed),
                    "nRuns": self.nRuns,
                    "kind": str(self.parameterSpace.kind),
                    "model": "" if self.model is None else str(getattr(self.model, "name", type(self.model).__name__)),
                    "explored": list(map(str, self.pypetParametrization)),
                    "star": bool(self.parameterSpace.star),
                    "evalFunction": "" if self.evalFunction is None else getattr(self.evalFunction, "__name__", ""),
                    "runKwargs": repr(self.runKwargs),
                },
                "base_params": self.base_params,
                "parametrization": self.pypetParametrization,
            }

        writer = SearchWriter.open(self.HDF_FILE, fingerprint, self.trajectoryName, make_header)
        self.trajectoryName = writer.name
        base_params = writer.header["base_params"]
        seed = int(writer.attrs["search_seed"])
        done = set(writer.done)
        pending = [i for i in range(self.nRuns) if i not in done]
        if writer.resumed:
            logger.info(
                f"Resuming exploration {writer.name!r} in {self.HDF_FILE}: {len(done)} of {self.nRuns} runs are "
                f"done, {len(pending)} to go."
            )
        batch = is_batchable(self.model, self.evalFunction, self.runKwargs)
        set_seed = self.model is None or "seed" in self.model.params
        job = Job(
            self.model, self.evalFunction, base_params, self.runKwargs, self.saveAllModelOutputs, batch, set_seed,
            self.max_batch_bytes,
        )  # fmt: skip
        names = list(self.pypetParametrization)
        runs = [
            (i, {name: self.pypetParametrization[name][i] for name in names}, self.runSeed(seed, i)) for i in pending
        ]
        explored = {r[0]: r[1] for r in runs}
        tasks = list(self._tasks(runs, batch, base_params))
        ncores = self.ncores
        if batch and self.executor is None and 0 < len(tasks) < ncores:
            job.threads, ncores = ncores, 1  # few big batches: threads in this process, no results to ship
        serial = self.executor is None and ncores <= 1
        saved_params = dict(self.model.params) if (serial and self.model is not None) else None
        if not pending and writer.unchanged:  # a finished search run again: nothing to do, nothing to rewrite
            writer.abandon()
            logger.info(f"Exploration {writer.name!r} in {self.HDF_FILE} is complete; nothing to run.")
            return
        if self.executor is None and not serial and pending and hasattr(self.model, "_engine"):
            self._warm_up(base_params)
        bar = None
        if self.progress and pending:
            from tqdm.auto import tqdm

            bar = tqdm(total=self.nRuns, initial=len(done), unit="run", desc="exploration", smoothing=0.1)
        self.failedRuns = {}
        nonfinite = 0
        finished = False
        cache, cache_bytes = {}, 0  # this session's results, kept for loadResults (up to RESULTS_CACHE_BYTES)
        # (not the objects an evaluation function in this process handed over: it might change them later)
        keep_results = not (serial and self.evalFunction is not None)
        self._results_cache = None
        outcomes = _runner.run_tasks(execute, job, tasks, ncores=ncores, executor=self.executor)
        try:
            for indices, result in outcomes:
                records = result
                if isinstance(result, _runner.TaskError):
                    records = self._task_failed(indices, explored, result)
                for rec in records:
                    if rec.error is None:
                        writer.write_run(rec.index, rec.results, _run_attrs(rec))
                        nonfinite += rec.nonfinite
                        if keep_results:
                            cache_bytes = self._keep(cache, cache_bytes, rec)
                    else:
                        self._record_failure(writer, rec)
                if bar is not None:
                    bar.update(len(records))
            finished = True
        finally:
            outcomes.close()  # stops the workers at once if the search was interrupted
            if bar is not None:
                bar.close()
            if saved_params is not None:
                self.model.params.update(saved_params)
            if finished:
                self._t_end = time.time()
                writer.finalize(explorationStart=self._t_start, explorationEnd=self._t_end, nDone=len(writer.done))
                self._results_cache = (writer.path, writer.name, cache)
            else:
                writer.close()
        if nonfinite:
            logger.warning(
                f"{nonfinite} run(s) produced NaN or inf; they are flagged in dfResults['nonfinite'] after "
                f"loadResults()."
            )
        logger.info(f"Exploration {self.trajectoryName!r} finished: results in {self.HDF_FILE}.")
        if self.failedRuns:
            first_index, (params, tb) = next(iter(self.failedRuns.items()))
            raise ExplorationError(
                f"{len(self.failedRuns)} of {len(pending)} runs failed (the other runs are stored in "
                f"{self.HDF_FILE}; failed runs are retried when the search runs again). First failure, run "
                f"{first_index} with {params}:\n{tb}",
                dict(self.failedRuns),
            )

    def _tasks(self, runs, batch, base_params):
        """Split the runs into tasks ``(run indices, runs)``: batches of points that can share a kernel call
        (same duration, dt and network), or single runs."""
        if not batch:
            for r in runs:
                yield (r[0],), [r]
            return
        shared = ("duration", "dt", "sampling_dt", "Cmat", "lengthMat", "signalV")
        groups = {}
        for r in runs:
            if not any(name in r[1] for name in shared):  # the usual case: none explored, one group
                groups.setdefault(None, []).append(r)
                continue
            params = dict(base_params)
            params.update(r[1])
            key = _digest_hex(tuple(params.get(name) for name in shared))
            groups.setdefault(key, []).append(r)
        for group in groups.values():
            for start in range(0, len(group), self.batch_size):
                chunk = group[start : start + self.batch_size]
                yield tuple(r[0] for r in chunk), chunk

    def _warm_up(self, base_params):
        """Load the compiled kernel before workers are forked, so that they inherit it."""
        try:
            params = dict(base_params)
            self.model._engine.run(params, 1)
        except Exception:  # the runs will report any problem
            pass

    @staticmethod
    def _keep(cache, nbytes, rec):
        """Keep a run's results in memory while they fit in ``RESULTS_CACHE_BYTES``; returns the new total."""
        size = _tree_nbytes(rec.results)
        if nbytes + size <= RESULTS_CACHE_BYTES:
            cache[rec.index] = rec.results
            return nbytes + size
        return nbytes

    def _cached(self, reader):
        """The results of this search's last ``run()`` held in memory, if ``reader`` reads that exploration."""
        c = getattr(self, "_results_cache", None)
        if c is not None and c[0] == reader.path and c[1] == reader.name:
            return c[2]
        return {}

    def _run_tree(self, reader, i):
        cached = self._cached(reader).get(i)
        return cached if cached is not None else reader.run(i)

    @staticmethod
    def _task_failed(indices, explored, error):
        """Records for the runs of a task that failed as a whole (a worker died, the search did not unpickle)."""
        from neurolib.optimize.exploration._work import RunRecord

        text = f"{error.message}\n{error.traceback}"
        return [RunRecord(i, params=explored[i], error=text) for i in indices]

    def _record_failure(self, writer, rec):
        params = "{" + ", ".join(f"{k!r}: {_short(v)}" for k, v in rec.params.items()) + "}"
        self.failedRuns[rec.index] = (params, rec.error)
        logger.error(f"Run {rec.index} with parameters {params} failed:\n{rec.error}")
        writer.write_failure(rec.index, params, rec.error)

    # ------------------------------------------------------------------ helpers for evaluation functions
    def getParametersFromTraj(self, traj):
        """All parameters of the run ``traj``: the model's, with the explored values and the run's seed.

        Parameters
        ----------
        traj : RunContext
            What the evaluation function received.

        Returns
        -------
        dotdict
        """
        params = dotdict(traj.params)
        if params.get("seed") == "None":
            params["seed"] = None
        return params

    def getModelFromTraj(self, traj):
        """The search's model with the parameters of the run ``traj`` set (the same model object).

        Parameters
        ----------
        traj : RunContext

        Returns
        -------
        Model
        """
        if self.model is None:
            raise RuntimeError(
                "getModelFromTraj: this BoxSearch has no model (it was created with evalFunction only); pass "
                "model=... to BoxSearch, or use getParametersFromTraj(traj)."
            )
        self.model.params.update(self.getParametersFromTraj(traj))
        return self.model

    def saveToPypet(self, outputs, traj):
        """Store the results of the run ``traj`` (a dict; nested dicts are kept as groups).

        Parameters
        ----------
        outputs : dict
            Results: numbers, strings, arrays, lists or nested dicts of them (other objects are pickled).
        traj : RunContext
        """
        if not isinstance(outputs, Mapping):
            raise ParameterTypeError(
                f"saveToPypet(outputs, traj): outputs must be a dict of results, got {type(outputs).__name__}."
            )
        _merge(traj.results, outputs)

    # ------------------------------------------------------------------ loading
    def _reader(self, filename=None, trajectoryName=None):
        path = os.path.abspath(filename) if filename is not None else self.HDF_FILE
        if trajectoryName is None:
            if self.trajectoryName in trajectory_names(path):
                trajectoryName = self.trajectoryName
        return Reader(path, trajectoryName)

    def loadDfResults(self, filename=None, trajectoryName=None):
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

    def loadResults(self, all=True, filename=None, trajectoryName=None, pypetShortNames=True, memory_cap=95.0):
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
            Stop with ``MemoryError`` when the system's memory use exceeds this percentage (needs psutil).
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
            self.results = dotdict()
            done = reader.done()
            if all:
                check = _memory_checker(memory_cap)
                for i in done:
                    check()
                    self.results[i] = _flatten_result(self._run_tree(reader, i), pypetShortNames)
            missing = len(self.dfResults) - len(done)
            if missing:
                logger.warning(f"{missing} of {len(self.dfResults)} runs have no results (not run yet, or failed).")
            self._aggregate(reader, pypetShortNames)
        logger.info("All results loaded.")

    def aggregateResultsToDfResults(self, arrays=True, fillna=False):
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
        collected = {}  # result name -> {run index: value}, in order of first appearance
        for i in df.index:
            if self.results is not None and i in self.results:
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

    def getRun(self, runId, filename=None, trajectoryName=None, pypetShortNames=True):
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

    def getResult(self, runId):
        """Results of run ``runId``: from ``results`` if loaded there, else read from the file."""
        if self.results is not None and runId in self.results:
            return self.results[runId]
        return self.getRun(runId)

    # ------------------------------------------------------------------ inspection
    def info(self):
        """Print a summary of the exploration."""
        rows = [
            ("printed at", datetime.datetime.now().strftime("%Y-%m-%d %H:%M:%S")),
            ("result file", self.HDF_FILE),
            ("exploration (trajectory)", self.trajectoryName),
        ]
        if self.model is not None:
            rows.append(("model", getattr(self.model, "name", type(self.model).__name__)))
        rows += [("Number of runs", self.nRuns), ("explored parameters", ", ".join(map(str, self.exploreParameters)))]
        start, end = getattr(self, "_t_start", None), getattr(self, "_t_end", None)
        if start is not None and end is not None:
            rows.append(("duration", f"{end - start:.2f} s"))
        if self.failedRuns:
            rows.append(("failed runs", sorted(self.failedRuns)))
        print("BoxSearch")
        for label, value in rows:
            print(f"  {label + ':':<27}{value}")

    def xr(self, bold=False):
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

    # ------------------------------------------------------------------ pickling (evaluation functions sent to Dask)
    def __getstate__(self):
        state = dict(self.__dict__)
        state["executor"] = None
        state["model"] = portable_model(self.model)
        return state

    def __setstate__(self, state):
        state["model"] = restore_model(state["model"])
        self.__dict__.update(state)


# ---------------------------------------------------------------------------------------------- helpers
def _is_count(value, minimum):
    """An integer (not a bool) of at least ``minimum``."""
    return isinstance(value, numbers.Integral) and not isinstance(value, (bool, np.bool_)) and value >= minimum


def _check_arguments(model, parameterSpace, evalFunction, ncores, seed, batch_size):
    """Validate the arguments of :class:`BoxSearch` (errors name the argument, what was expected and what came)."""
    from neurolib.utils.parameterSpace import ParameterSpace

    if model is None and evalFunction is None:
        raise ParameterError(
            "Either a model has to be specified or an evalFunction: BoxSearch got model=None and evalFunction=None; "
            "pass a model to run, or an evaluation function evalFunction(traj)."
        )
    if parameterSpace is None:
        raise ParameterError(
            "No parameters to explore: parameterSpace is None; pass e.g. "
            "parameterSpace=ParameterSpace({'mue_ext_mean': [0.5, 1.0]})."
        )
    if not isinstance(parameterSpace, ParameterSpace):
        raise ParameterTypeError(
            f"parameterSpace must be a ParameterSpace, got {type(parameterSpace).__name__}: {_short(parameterSpace)}."
        )
    if evalFunction is not None and not callable(evalFunction):
        raise ParameterTypeError(
            f"evalFunction must be a function evalFunction(traj), got {type(evalFunction).__name__}."
        )
    if model is None and parameterSpace.kind == "sequence":
        raise ParameterError(
            "Model must be defined for sequential explore: a ParameterSpace of kind 'sequence' keeps the model's "
            "value of every parameter it does not vary, but model is None."
        )
    if model is None and parameterSpace.star:
        raise ParameterError(
            "With star notation, model cannot be None: the star patterns are matched against the parameters of "
            "the model (pass model=...)."
        )
    if parameterSpace.ndims == 0:
        raise ParameterError("The parameter space is empty: give at least one parameter and its values.")
    empty = [name for name, values in parameterSpace.dict().items() if len(values) == 0]
    if empty:
        raise ParameterError(f"The parameter space is empty: no values for {empty}.")
    if ncores is not None and not _is_count(ncores, 1):
        raise ParameterError(f"ncores must be None or an integer >= 1, got {ncores!r}.")
    if seed is not None and not _is_count(seed, 0):
        raise ParameterError(f"seed must be None or a non-negative integer, got {seed!r}.")
    if not _is_count(batch_size, 1):
        raise ParameterError(f"batch_size must be a positive integer, got {batch_size!r}.")


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


def _run_attrs(rec):
    attrs = {"nonfinite": bool(rec.nonfinite), "elapsed": float(rec.elapsed)}
    if rec.seed is not None:
        attrs["seed"] = np.uint64(rec.seed)
    return attrs


def _tree_nbytes(tree):
    total = 0
    for value in tree.values():
        if isinstance(value, Mapping):
            total += _tree_nbytes(value)
        elif isinstance(value, np.ndarray):
            total += value.nbytes
        else:
            total += 64
    return total


def _merge(target, source):
    for key, value in source.items():
        if isinstance(value, Mapping) and isinstance(target.get(key), dict):
            _merge(target[key], value)
        elif isinstance(value, Mapping):
            target[key] = _merge({}, value)
        else:
            target[key] = value
    return target


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


def _same_value(a, b):
    try:
        if isinstance(a, np.ndarray) or isinstance(b, np.ndarray):
            return np.array_equal(np.asarray(a), np.asarray(b))
        return type(a) is type(b) and a == b
    except Exception:
        return False


def _digest(obj, h):
    """Feed a canonical form of ``obj`` into the hash ``h`` (order-independent for dicts)."""
    if isinstance(obj, Mapping):
        h.update(b"{")
        for key in sorted(obj, key=str):
            h.update(str(key).encode() + b":")
            _digest(obj[key], h)
        h.update(b"}")
    elif isinstance(obj, np.ndarray):
        if obj.dtype == object:
            h.update(b"O[")
            for v in obj.ravel():
                _digest(v, h)
            h.update(b"]")
        else:
            h.update(f"a{obj.dtype.str}{obj.shape}".encode())
            h.update(np.ascontiguousarray(obj).view(np.uint8).ravel().tobytes())
    elif isinstance(obj, (list, tuple)):
        h.update(b"[")
        for v in obj:
            _digest(v, h)
        h.update(b"]")
    elif isinstance(obj, (bool, np.bool_)):
        h.update(b"b1" if obj else b"b0")
    elif isinstance(obj, numbers.Integral):
        h.update(f"i{int(obj)}".encode())
    elif isinstance(obj, numbers.Real):
        h.update(f"f{float(obj)!r}".encode())
    elif isinstance(obj, (str, bytes)):
        h.update(b"s" + (obj.encode() if isinstance(obj, str) else obj))
    elif obj is None:
        h.update(b"N")
    elif callable(obj):
        h.update(f"c{getattr(obj, '__module__', '')}.{getattr(obj, '__qualname__', '')}".encode())
    else:
        h.update(f"o{type(obj).__qualname__}".encode())
    h.update(b";")


def _digest_hex(obj):
    h = hashlib.sha1()
    _digest(obj, h)
    return h.hexdigest()


def _memory_checker(cap):
    if not cap:
        return lambda: None
    try:
        import psutil
    except ImportError:
        return lambda: None

    last = [-1.0]

    def check():  # at most every 20 ms (asking the system costs ~40 us)
        now = time.monotonic()
        if now - last[0] < 0.02:
            return
        last[0] = now
        used = psutil.virtual_memory().percent
        if used > cap:
            raise MemoryError(f"Memory use is {used:.0f}% (over memory_cap = {cap}%): stopped loading results.")

    return check
