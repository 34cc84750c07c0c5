"""What a worker does with a task of an exploration: run its parameter points and return their results.

A :class:`Job` is the read-only part every task needs (the model or the evaluation function, the parameters the
runs start from, the run arguments); it is sent to each worker once (see :mod:`neurolib.optimize._runner`). A
task is a list of runs ``(index, explored values, seed)``; :func:`execute` returns one :class:`RunRecord` per run.

Batchable models without an evaluation function, and any model with a batched evaluation
(:func:`neurolib.optimize.batched`), go through the model's public batch entry point, ``model.run_batch``: the
points of a task are integrated together (for batchable models) and give exactly what ``model.run()`` gives for
each point alone. This module uses only the model's public API.
"""

from __future__ import annotations

import numbers
import time
import traceback
from collections.abc import Mapping
from dataclasses import dataclass, field

import numpy as np

from neurolib._storage.values import has_nonfinite
from neurolib.models._batch import RunFailure
from neurolib.optimize._evaluate import BatchedEvaluation, lean_model
from neurolib.utils.collections import dotdict


@dataclass
class RunRecord:
    """Outcome of one run."""

    index: int
    results: dict | None = None  # None when the run failed
    error: str | None = None  # traceback of the failure
    params: dict = field(default_factory=dict)  # explored values (for error messages)
    seed: int | None = None
    elapsed: float = 0.0
    nonfinite: bool = False


class RunContext(dotdict):
    """The ``traj`` object an evaluation function receives (replaces pypet's trajectory).

    Attributes
    ----------
    id, v_idx : int
        Run index (the row of ``dfResults``).
    v_crun : str
        Run name, ``run_`` + 8 digits.
    params : dotdict
        Every parameter of this run: the model's parameters with the explored values and the run's seed.
    explored : dict
        Only the explored values.
    results : dict
        What ``saveToPypet`` stored so far.
    """

    def __init__(self, index, params, explored):
        index = int(index)
        super().__init__(
            id=index,
            v_idx=index,
            v_crun=f"run_{index:08d}",
            params=dotdict(params),
            explored=dict(explored),
            results={},
        )

    def __repr__(self):
        return f"RunContext(run {self.id}, explored={self.explored!r})"


class Job:
    """The part of an exploration every task needs.

    Parameters
    ----------
    model : Model or None
    evalFunction : callable or None
        None: run the model and keep its outputs.
    base_params : dict
        Parameters every run starts from (the model's parameters when the search was created).
    run_kwargs : dict
        Passed to ``model.run``.
    save_all : bool
        Keep every output (else the default output, ``t`` and BOLD).
    batch : bool
        Integrate the points of a task together (see :func:`neurolib.optimize._evaluate.uses_batches`).
    set_seed : bool
        Set each run's seed as the parameter ``seed``.
    max_batch_bytes : float
        Largest integration buffer of one batch, in bytes (``max_bytes`` of ``model.run_batch``).
    threads : int
        Threads that integrate the members of one batch (``threads`` of ``model.run_batch``).
    """

    def __init__(self, model, evalFunction, base_params, run_kwargs, save_all, batch, set_seed, max_batch_bytes):
        self.model, self.evalFunction, self.base_params = model, evalFunction, base_params
        self.run_kwargs = dict(run_kwargs)
        self.save_all = save_all
        self.batch = batch
        self.set_seed = set_seed
        self.max_batch_bytes = max_batch_bytes
        self.threads = 1

    def __getstate__(self):
        state = dict(self.__dict__)
        state["model"] = lean_model(self.model)  # the model pickles itself; its last outputs stay here
        return state

    def params_of(self, explored, seed):
        """Every parameter of a run: the base parameters, the explored values and the seed."""
        params = dict(self.base_params)
        params.update(explored)
        if self.set_seed and "seed" not in explored:
            params["seed"] = seed
        return params


def execute(job, task):
    """Run the points of ``task`` (list of ``(index, explored, seed)``); returns a list of :class:`RunRecord`."""
    if job.batch or isinstance(job.evalFunction, BatchedEvaluation):
        return _execute_batch(job, task)
    return [_execute_one(job, index, explored, seed) for index, explored, seed in task]


def _execute_one(job, index, explored, seed):
    rec = RunRecord(index, params=explored, seed=seed)
    t0 = time.perf_counter()
    try:
        params = job.params_of(explored, seed)
        if job.evalFunction is not None:
            traj = RunContext(index, params, explored)
            job.evalFunction(traj)
            results = traj.results
        else:
            results = run_model(job.model, params, job.run_kwargs, job.save_all)
        rec.results = results
        rec.nonfinite = has_nonfinite(results)
    except Exception:
        rec.error = traceback.format_exc()
    rec.elapsed = time.perf_counter() - t0
    return rec


def _copy_tree(tree):
    return {k: _copy_tree(v) if isinstance(v, dict) else (np.array(v) if isinstance(v, np.ndarray) else v)
            for k, v in tree.items()}  # fmt: skip


def run_model(model, params, run_kwargs, save_all):
    """The built-in evaluation: set the parameters, run, return the outputs to keep."""
    model.params.update(params)
    model.run(**run_kwargs)
    if save_all:
        return _copy_tree(model.outputs)
    results = {model.default_output: np.array(model.output), "t": np.array(model.outputs["t"])}
    if "BOLD" in model.outputs:
        for key, value in model.outputs["BOLD"].items():
            results[key] = np.array(value)
    return results


# ---------------------------------------------------------------------------------------------- batches
def _execute_batch(job, task):
    """The points of ``task`` through ``model.run_batch`` (with the batched evaluation, if any)."""
    model = job.model
    records = [RunRecord(index, params=explored, seed=seed) for index, explored, seed in task]
    sets = [job.params_of(explored, seed) for _, explored, seed in task]
    bold = bool(job.run_kwargs.get("bold", False))
    t0 = time.perf_counter()
    if isinstance(job.evalFunction, BatchedEvaluation):
        ev = job.evalFunction
        out = model.run_batch(
            sets, bold=ev.bold or bold, outputs=ev.outputs, evaluate=ev.fn, threads=job.threads,
            max_bytes=min(ev.max_bytes, job.max_batch_bytes),
        )  # fmt: skip
    else:
        names = None if job.save_all else [model.default_output]
        keep = _all_outputs if job.save_all else _kept_outputs(model.default_output)
        out = model.run_batch(
            sets, bold=bold, outputs=names, evaluate=keep, threads=job.threads, max_bytes=job.max_batch_bytes,
            contiguous=True,
        )  # fmt: skip
    elapsed = (time.perf_counter() - t0) / max(1, len(task))
    for rec, res in zip(records, out):
        if isinstance(res, RunFailure):
            rec.error = res.traceback
        else:
            if not isinstance(res, dict):
                rec.error = (
                    f"The batched evaluation must return a dict of results to store, got {type(res).__name__}: "
                    f"{res!r:.200}"
                )
                continue
            rec.results = res
            rec.nonfinite = has_nonfinite(res)
        rec.elapsed = elapsed
    return records


def _plain(tree):
    return {k: _plain(v) if isinstance(v, dict) else v for k, v in tree.items()}


def _all_outputs(outputs, params):
    """Results of a run with ``saveAllModelOutputs``: every output, BOLD as a group."""
    return _plain(outputs)


def _kept_outputs(default):
    def keep(outputs, params):
        """Results of a run: the default output, ``t`` and the BOLD arrays."""
        results = {default: outputs[default], "t": outputs["t"]}
        results.update(outputs.get("BOLD", {}))
        return results

    return keep


# ---------------------------------------------------------------------------------------------- sizes and records
def node_steps(params):
    """Nodes x integration steps of one run (inf if unknown)."""
    try:
        n = np.asarray(params["Cmat"]).shape[0] if params.get("Cmat") is not None else int(params.get("N", 1))
        return float(n) * float(params["duration"]) / float(params["dt"])
    except (KeyError, TypeError, ValueError):
        return float("inf")


def member_bytes(model, params, job):
    """Bytes of the outputs one run keeps (estimated from N, duration and sampling; 0 if unknown)."""
    try:
        n = np.asarray(params["Cmat"]).shape[0] if params.get("Cmat") is not None else int(params.get("N", 1))
        step = params.get("sampling_dt") or params["dt"]
        names = model.output_vars if job.save_all else [model.default_output]
        return float(n) * float(params["duration"]) / float(step) * len(names) * 8.0
    except (KeyError, TypeError, ValueError, AttributeError):
        return 0.0


def _skeleton(tree):
    """``tree`` with its plain numbers kept and every other leaf None (stored with a run, for dfResults)."""
    out = {}
    for key, value in tree.items():
        if isinstance(value, Mapping):
            out[key] = _skeleton(value)
        elif isinstance(value, numbers.Number) and not isinstance(value, (bool, np.bool_, complex, np.complexfloating)):
            out[key] = value
        else:
            out[key] = None
    return out


def run_attrs(rec):
    attrs = {"nonfinite": bool(rec.nonfinite), "elapsed": float(rec.elapsed), "nbytes": tree_nbytes(rec.results)}
    attrs["skeleton"] = _skeleton(rec.results)
    if rec.seed is not None:
        attrs["seed"] = np.uint64(rec.seed)
    return attrs


def tree_nbytes(tree):
    total = 0
    for value in tree.values():
        if isinstance(value, Mapping):
            total += tree_nbytes(value)
        elif isinstance(value, np.ndarray):
            total += value.nbytes
        else:
            total += 64
    return total
