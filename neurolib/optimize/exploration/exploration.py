"""Parameter exploration: run a model (or an evaluation function) for every point of a parameter space.

:class:`BoxSearch` keeps the published package's interface (``run``, ``loadResults``, ``dfResults``,
``results``, ``getRun``, ``xr`` and the helpers for evaluation functions) without pypet:

* each finished run is written once, to the exploration's record file next to the HDF5 file, and the HDF5 file
  indexes them when the search ends (:mod:`neurolib._storage.hdf`), so a killed search loses no finished run,
  and running the same search again (same file, space, model parameters and run arguments) resumes it: finished
  runs are skipped; ``provenance()`` tells which software, machine, times, seeds and arguments made the results;
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
import logging
import os
import time
import warnings
from collections.abc import Callable, Mapping
from typing import TYPE_CHECKING, Any

import numpy as np

from neurolib._storage import provenance as _provenance
from neurolib._storage.hdf import SearchWriter, StoreError, check_writable
from neurolib.errors import ParameterTypeError
from neurolib.optimize import _runner
from neurolib.optimize._evaluate import lean_model, uses_batches
from neurolib.optimize.exploration._results import StoredResults, _short
from neurolib.optimize.exploration._setup import _check_arguments, _digest_hex, _SetupMixin
from neurolib.optimize.exploration._work import (
    Job,
    RunContext,
    execute,
    member_bytes,
    node_steps,
    run_attrs,
    tree_nbytes,
)
from neurolib.utils import paths
from neurolib.utils.collections import dotdict

if TYPE_CHECKING:
    from neurolib.models.model import Model
    from neurolib.utils.parameterSpace import ParameterSpace

logger = logging.getLogger(__name__)

__all__ = ["BoxSearch", "ExplorationError", "RunContext", "StoreError"]

RESULTS_CACHE_BYTES = 64e6  # results of a run() kept in memory for loadResults (they are on disk as well)
SHIP_BYTES = 16e6  # from this size of one run's outputs on, batches run on threads here instead of in workers
SMALL_WORK = 5e6  # node-steps of a whole search below which it runs here, serially (workers start in ~0.1 s)
THREAD_MEMBERS = 8  # of such a search, at least this many runs per thread before its batches use ncores threads


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


class BoxSearch(_SetupMixin, StoredResults):
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
        model: Model | None = None,
        parameterSpace: ParameterSpace | Any = None,
        evalFunction: Callable[..., Any] | None = None,
        filename: str | None = None,
        saveAllModelOutputs: bool = False,
        ncores: int | None = None,
        *,
        executor: Any = None,
        seed: int | None = None,
        batch_size: int = 32,
        resume: bool = True,
        progress: bool = True,
        max_batch_bytes: float = 512e6,
    ) -> None:
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
        self.runKwargs: dict[str, Any] = {}
        self.failedRuns = {}
        self._initializeExploration()

    # ------------------------------------------------------------------ running
    def run(self, **kwargs: Any) -> None:
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
                "provenance": _provenance.collect(
                    self._t_start,
                    seeds={"search_seed": int(seed)},
                    arguments={
                        "run": self.runKwargs,
                        "ncores": None if self.executor is not None else self.ncores,
                        "executor": None if self.executor is None else type(self.executor).__name__,
                        "batch_size": self.batch_size,
                        "nRuns": self.nRuns,
                        "saveAllModelOutputs": bool(self.saveAllModelOutputs),
                    },
                ),  # fmt: skip
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
        batch = uses_batches(self.model, self.evalFunction, self.runKwargs)
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
        ncores, ahead = self.ncores, False
        if batch and self.executor is None and ncores > 1 and node_steps(base_params) * len(runs) < SMALL_WORK:
            # little work: starting worker processes would cost more than it saves; the members of a batch are
            # integrated on ncores threads here (results are the same whatever the threads)
            tasks = list(self._tasks(runs, batch, base_params))
            job.threads, ncores = (ncores if len(runs) >= ncores * THREAD_MEMBERS else 1), 1
        elif batch and self.executor is None and member_bytes(self.model, base_params, job) >= SHIP_BYTES:
            # big outputs: batches of one member per core integrated by threads here (nothing shipped between
            # processes), each stored while the next one integrates; memory holds a few batches at most
            tasks = list(self._tasks(runs, batch, base_params, size=ncores))
            job.threads, ncores, ahead = ncores, 1, True
        else:
            tasks = list(self._tasks(runs, batch, base_params))
            if batch and self.executor is None and 0 < len(tasks) < ncores:
                job.threads, ncores = ncores, 1  # few big batches: threads in this process, no results to ship
        serial = self.executor is None and ncores <= 1
        saved_params = dict(self.model.params) if (serial and self.model is not None) else None
        if not pending and writer.unchanged:  # a finished search run again: nothing to do, nothing to rewrite
            writer.abandon()
            logger.info(f"Exploration {writer.name!r} in {self.HDF_FILE} is complete; nothing to run.")
            return
        if self.executor is None and not serial and pending and getattr(self.model, "batchable", False):
            self._warm_up(base_params)
        bar = None
        if self.progress and pending:
            from tqdm.auto import tqdm

            bar = tqdm(total=self.nRuns, initial=len(done), unit="run", desc="exploration", smoothing=0.1)
        self.failedRuns = {}
        nonfinite = 0
        finished = False
        cache: dict[int, dict] = {}
        cache_bytes = 0  # this session's results, kept for loadResults (up to RESULTS_CACHE_BYTES)
        # (not the objects an evaluation function in this process handed over: it might change them later)
        keep_results = not (serial and self.evalFunction is not None)
        self._results_cache = None
        outcomes = _runner.run_tasks(execute, job, tasks, ncores=ncores, executor=self.executor, ahead=ahead)
        try:
            for indices, result in outcomes:
                records = result
                if isinstance(result, _runner.TaskError):
                    records = self._task_failed(indices, explored, result)
                for rec in records:
                    if rec.error is None:
                        writer.write_run(rec.index, rec.results, run_attrs(rec))
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

    def _tasks(self, runs, batch, base_params, size=None):
        """Split the runs into tasks ``(run indices, runs)``: batches of (at most ``size``, default
        ``batch_size``) points that can share a kernel call (same duration, dt and network), or single runs."""
        size = size or self.batch_size
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
            for start in range(0, len(group), size):
                chunk = group[start : start + size]
                yield tuple(r[0] for r in chunk), chunk

    def _warm_up(self, base_params):
        """Load the compiled kernel before workers are forked, so that they inherit it (one step, nothing kept;
        the runs report any problem)."""
        self.model.run_batch([dict(base_params, duration=base_params["dt"], sampling_dt=None)], outputs=[])

    @staticmethod
    def _keep(cache, nbytes, rec):
        """Keep a run's results in memory while they fit in ``RESULTS_CACHE_BYTES``; returns the new total."""
        size = tree_nbytes(rec.results)
        if nbytes + size <= RESULTS_CACHE_BYTES:
            cache[rec.index] = rec.results
            return nbytes + size
        return nbytes

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
    def getParametersFromTraj(self, traj: RunContext) -> dotdict:
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

    def getModelFromTraj(self, traj: RunContext) -> Model:
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

    def saveToPypet(self, outputs: Mapping[str, Any], traj: RunContext) -> None:
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

    # ------------------------------------------------------------------ inspection
    def info(self) -> None:
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

    # ------------------------------------------------------------------ pickling (evaluation functions sent to Dask)
    def __getstate__(self):
        state = dict(self.__dict__)
        state["executor"] = None
        state["model"] = lean_model(self.model)  # the model pickles itself (without its last outputs)
        return state

    def __setstate__(self, state):
        self.__dict__.update(state)


# ---------------------------------------------------------------------------------------------- helpers
def _merge(target, source):
    for key, value in source.items():
        if isinstance(value, Mapping) and isinstance(target.get(key), dict):
            _merge(target[key], value)
        elif isinstance(value, Mapping):
            target[key] = _merge({}, value)
        else:
            target[key] = value
    return target
