"""Batched evaluations: fitting a model with simulations integrated in batches (BoxSearch and Evolution).

The established style, ``evalFunction(traj)``, runs the model itself, once per point. An evaluation that only
needs each run's outputs can instead be wrapped with :func:`batched`: the search then integrates the points of a
task together with ``model.run_batch`` (in the worker that runs the task) and calls the function on each run's
outputs there, so only its small results travel back and get stored::

    from neurolib.optimize import batched
    from neurolib.utils import functions as func

    def fc_fit(outputs, params):
        fc = func.fc(outputs["BOLD"]["BOLD"])
        return {"fc": np.mean([func.matrix_correlation(fc, emp) for emp in ds.FCs])}

    search = BoxSearch(model=model, parameterSpace=space, evalFunction=batched(fc_fit, bold=True, outputs=[]))

For :class:`~neurolib.optimize.evolution.Evolution` the function returns ``(fitness tuple, outputs dict)``, as
an ``evalFunction(traj)`` does. Each run gets exactly the parameters (seed included) that
``getModelFromTraj(traj)`` would give it, so a batched evaluation stores exactly what the equivalent
``evalFunction(traj)`` that calls ``model.run(bold=...)`` stores.
"""

from __future__ import annotations

import copy

from neurolib.errors import ParameterError, ParameterTypeError
from neurolib.models._batch import DEFAULT_BATCH_BYTES, RunFailure
from neurolib.models.model import Model
from neurolib.optimize._runner import TaskError, n_workers, run_tasks
from neurolib.utils.collections import BACKWARD_REPLACE, dotdict, unwrap_star_dotdict

__all__ = ["BatchedEvaluation", "batched"]

# BoxSearch.run(**kwargs) under which a run is one that run_batch reproduces (with bold as it is)
_PLAIN_RUN = {"chunkwise": False, "chunksize": None, "append_outputs": False, "continue_run": False}


class BatchedEvaluation:
    """An evaluation function that works on each run's outputs; made by :func:`batched`.

    Calling it, ``evaluation(outputs, params)``, calls the wrapped function. ``bold`` and ``outputs`` say what
    the runs simulate and keep (see ``Model.run_batch``).
    """

    def __init__(self, fn, bold=False, outputs=None, max_bytes=DEFAULT_BATCH_BYTES):
        if not callable(fn):
            raise ParameterTypeError(f"batched: 'fn' must be a function fn(outputs, params), got {type(fn).__name__}.")
        if not isinstance(bold, bool):
            raise ParameterTypeError(f"batched: 'bold' must be True or False, got {bold!r}.")
        if outputs is not None and (isinstance(outputs, str) or not all(isinstance(n, str) for n in outputs)):
            raise ParameterTypeError(f"batched: 'outputs' must be a list of output names or None, got {outputs!r}.")
        if isinstance(max_bytes, bool) or not isinstance(max_bytes, (int, float)) or not max_bytes > 0:
            raise ParameterError(f"batched: 'max_bytes' must be a positive number of bytes, got {max_bytes!r}.")
        self.fn, self.bold = fn, bold
        self.outputs = None if outputs is None else list(outputs)
        self.max_bytes = float(max_bytes)
        name = getattr(fn, "__name__", type(fn).__name__)
        self.__name__ = name
        self.__module__ = getattr(fn, "__module__", None)
        # what identifies the evaluation of a search (its fingerprint, used to resume it)
        self.__qualname__ = f"{getattr(fn, '__qualname__', name)}[batched, bold={bold}, outputs={self.outputs}]"

    def __call__(self, outputs, params):
        return self.fn(outputs, params)

    def __repr__(self):
        return f"batched({self.__qualname__})"

    def run(self, model, param_sets, threads=1):
        """``model.run_batch`` of ``param_sets`` with this evaluation; one result or ``RunFailure`` per set."""
        return model.run_batch(
            param_sets,
            bold=self.bold,
            outputs=self.outputs,
            evaluate=self.fn,
            threads=threads,
            max_bytes=self.max_bytes,
        )


def batched(fn, *, bold=False, outputs=None, max_bytes=DEFAULT_BATCH_BYTES):
    """Wrap ``fn(outputs, params)`` as an evaluation function whose runs are integrated in batches.

    Pass the result as ``evalFunction=`` to :class:`~neurolib.optimize.exploration.BoxSearch` (``fn`` returns a
    dict of results to store, as given to ``saveToPypet``) or to :class:`~neurolib.optimize.evolution.Evolution`
    (``fn`` returns ``(fitness tuple, outputs dict)``). The search needs ``model=``.

    Parameters
    ----------
    fn : callable
        ``fn(outputs, params)``: ``outputs`` is what ``model.run(bold=bold)`` would leave in ``model.outputs`` for
        the run (a dotdict: ``t`` in ms, the model's outputs, ``outputs["BOLD"]["BOLD"]`` with ``bold``),
        ``params`` the run's full parameters (explored values and seed included). It runs in the worker.
    bold : bool
        Simulate BOLD as well (sampled every 2 s).
    outputs : list of str, optional
        Outputs of the model to keep for ``fn`` (default: all, as ``run()``). ``[]`` keeps only ``t`` and BOLD:
        long network runs are then integrated in segments and never hold their full time series.
    max_bytes : float
        Largest integration buffer of one batch, in bytes (see ``Model.run_batch``).

    Returns
    -------
    BatchedEvaluation
    """
    return BatchedEvaluation(fn, bold=bold, outputs=outputs, max_bytes=max_bytes)


def lean_model(model):
    """A shallow copy of ``model`` without the outputs and state of its last run, to send to workers."""
    if not isinstance(model, Model):  # None, or an object that only looks like a model: sent as it is
        return model
    lean = copy.copy(model)
    lean.outputs, lean.state = dotdict(), dotdict()
    return lean


# ---------------------------------------------------------------------------------------------- BoxSearch
def uses_batches(model, evalFunction, run_kwargs):
    """Whether a BoxSearch integrates the points of a task together through ``model.run_batch``.

    True for a batchable model (``model.batchable``) without an evaluation function or with a
    :class:`BatchedEvaluation`, when ``run_kwargs`` ask for a plain run (``bold`` and ``progress`` allowed).
    """
    if isinstance(evalFunction, BatchedEvaluation):
        check_batched_search(model, run_kwargs)
    if not (evalFunction is None or isinstance(evalFunction, BatchedEvaluation)):
        return False  # evalFunction(traj) runs the model itself
    if model is None or not getattr(model, "batchable", False):
        return False
    return all(key in ("bold", "progress") or _PLAIN_RUN.get(key, object()) == v for key, v in run_kwargs.items())


def check_batched_search(model, run_kwargs):
    """Raise :class:`ParameterError` unless a search with a batched evaluation can run."""
    if model is None:
        raise ParameterError("A batched evaluation function needs the model: pass model= to the search.")
    other = {k: v for k, v in run_kwargs.items() if k not in ("bold", "progress") and _PLAIN_RUN.get(k, object()) != v}
    if other:
        raise ParameterError(
            f"A batched evaluation runs each point as model.run_batch(..., bold=...); the run arguments {other} "
            f"are not supported with it (only bold and progress are)."
        )


# ---------------------------------------------------------------------------------------------- Evolution
def individual_params(evolution, ind, seed=None):
    """The parameters ``evolution.getModelFromTraj`` sets for the individual ``ind``: its genes (star parameters
    expanded) and, when the model had no seed, ``seed`` (default: the individual's own seed)."""
    values = evolution.individualToDict(ind)
    if evolution.parameterSpace.star:
        params = dict(unwrap_star_dotdict(values, evolution.model, replaced_dict=BACKWARD_REPLACE))
    else:
        params = {name: values[f] for name, f in zip(evolution._names, evolution._fields)}
    if evolution._model_seed_free:
        params["seed"] = seed if seed is not None else evolution.individualSeed(ind.id)
    return params


class _PopulationJob:
    """What each worker needs to evaluate individuals in batches (the model is sent without its outputs)."""

    def __init__(self, model, evaluation, threads):
        self.model, self.evaluation, self.threads = model, evaluation, threads

    def __getstate__(self):
        return {"model": lean_model(self.model), "evaluation": self.evaluation, "threads": self.threads}

    def __setstate__(self, state):
        self.__dict__.update(state)


def _evaluate_sets(job, param_sets):
    """Worker side: one result (``(fitness, outputs)``) or :class:`TaskError` per parameter set."""
    out = []
    for res in job.evaluation.run(job.model, param_sets, threads=job.threads):
        out.append(TaskError(res.message, res.traceback) if isinstance(res, RunFailure) else res)
    return out


def evaluate_population(evolution, inds):
    """Evaluate the individuals ``inds`` of an evolution whose ``evalFunction`` is a :class:`BatchedEvaluation`.

    Batchable models run in this process on ``ncores`` threads (no executor) or in one task per worker;
    others one individual per task. Returns, per individual, what its evaluation returned or a
    :class:`TaskError`.
    """
    model = evolution.model
    if model is None:
        raise ParameterError("A batched evaluation function needs the model: pass model= to Evolution.")
    sets = [individual_params(evolution, ind) for ind in inds]
    ncores, executor = evolution.ncores, evolution.executor
    threads = 1
    if not getattr(model, "batchable", False):
        parts = [[k] for k in range(len(sets))]
    elif executor is None:  # one batch here, its members on ncores threads; nothing to ship
        parts, threads, ncores = [list(range(len(sets)))], max(1, ncores or 1), 1
    else:
        n = max(1, min(len(sets), n_workers(ncores, executor)))
        parts = [list(range(len(sets)))[w::n] for w in range(n)]
    job = _PopulationJob(model, evolution.evalFunction, threads)
    tasks = [(p, [sets[k] for k in p]) for p in parts if p]
    results = [None] * len(inds)
    for part, res in run_tasks(_evaluate_sets, job, tasks, ncores=ncores, executor=executor):
        for j, k in enumerate(part):
            results[k] = res if isinstance(res, TaskError) else res[j]
    return results
