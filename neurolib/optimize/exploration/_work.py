"""What a worker does with a task of an exploration: run its parameter points and return their results.

A :class:`Job` is the read-only part every task needs (the model or the evaluation function, the parameters the
runs start from, the run arguments); it is sent to each worker once (see :mod:`neurolib.optimize._runner`). A
task is a list of runs ``(index, explored values, seed)``; :func:`execute` returns one :class:`RunRecord` per run.

Native models without an evaluation function are *batched*: the points of a task that share the network, ``dt``
and the duration are integrated together by one call of the engine's ``run_batch`` (one set-up pass, one buffer;
single-node points share each compiled call, network points follow each other, optionally on several threads),
which computes exactly what ``model.run()`` computes for each point alone.
"""

from __future__ import annotations

import time
import traceback
from dataclasses import dataclass, field

import numpy as np

from neurolib._storage.hdf import has_nonfinite
from neurolib.utils.collections import dotdict

# run arguments under which ``model.run(**kwargs)`` is a plain run that batching reproduces
_PLAIN_RUN = {"chunkwise": False, "chunksize": None, "bold": False, "append_outputs": False, "continue_run": False}


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


def portable_model(model):
    """A picklable stand-in for ``model`` (native models hold compiled kernels that do not pickle)."""
    if model is None or not hasattr(model, "_engine"):
        return model
    skip = {"_engine", "integration", "params", "outputs", "state", "boldModel", "_gen", "_progress"}
    extra = {}
    for key, value in model.__dict__.items():
        if key in skip:
            continue
        extra[key] = value
    return _NativeModelRecipe(type(model), dict(model.params), extra)


def restore_model(obj):
    """Inverse of :func:`portable_model`."""
    return obj.build() if isinstance(obj, _NativeModelRecipe) else obj


class _NativeModelRecipe:
    """Class, parameters and plain attributes of a native model; ``build()`` makes an equivalent model."""

    def __init__(self, cls, params, extra):
        self.cls, self.params, self.extra = cls, params, extra

    def build(self):
        from neurolib.models._native import NativeModel

        model = self.cls.__new__(self.cls)
        NativeModel.__init__(
            model, params=self.params, Cmat=self.extra.get("Cmat"), Dmat=self.extra.get("Dmat"),
            seed=self.extra.get("seed"),
        )  # fmt: skip
        for key, value in self.extra.items():
            if key not in model.__dict__ or key in ("Cmat", "Dmat", "seed", "lookupTableFileName"):
                model.__dict__[key] = value
        return model


def is_batchable(model, evalFunction, run_kwargs):
    """Whether points can be integrated in batches: a native model, no evaluation function, a plain run."""
    if evalFunction is not None or model is None or getattr(model, "spec", None) is None:
        return False
    if not hasattr(model, "_engine"):
        return False
    from neurolib.models._native import NativeModel
    from neurolib.models.model import Model

    cls = type(model)
    if not issubclass(cls, NativeModel) or cls.run is not Model.run:
        return False
    if cls._integrate_steps is not NativeModel._integrate_steps or cls.storeOutputsAndStates is not (
        Model.storeOutputsAndStates
    ):
        return False
    for key, value in run_kwargs.items():
        if key == "progress":
            continue
        if key not in _PLAIN_RUN or value != _PLAIN_RUN[key]:
            return False
    return True


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
        Integrate the points of a task together (see :func:`is_batchable`).
    set_seed : bool
        Set each run's seed as the parameter ``seed``.
    max_batch_bytes : float
        Largest buffer of one batch (members are split into several batches beyond it).
    threads : int
        Threads that integrate the members of one batch (see ``Engine.run_batch``).
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
        state["model"] = portable_model(self.model)
        return state

    def __setstate__(self, state):
        state["model"] = restore_model(state["model"])
        self.__dict__.update(state)

    def params_of(self, explored, seed):
        """Every parameter of a run: the base parameters, the explored values and the seed."""
        params = dict(self.base_params)
        params.update(explored)
        if self.set_seed and "seed" not in explored:
            params["seed"] = seed
        return params


def execute(job, task):
    """Run the points of ``task`` (list of ``(index, explored, seed)``); returns a list of :class:`RunRecord`."""
    if job.batch:
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
def _same(x, y):
    if x is y:
        return True
    if isinstance(x, tuple) or isinstance(y, tuple):
        return isinstance(x, tuple) and isinstance(y, tuple) and len(x) == len(y) and all(map(_same, x, y))
    return np.array_equal(x, y)


def _structure_same(a, b):
    """Whether two setups share what the members of one batch must share (network, dt, delays, tables)."""
    if a is b:
        return True
    for name in ("N", "dt", "S", "D", "far", "near", "self_lag", "aux"):
        if not _same(getattr(a, name, None), getattr(b, name, None)):
            return False
    return True


def _execute_batch(job, task):
    from neurolib._core.integrate import n_steps
    from neurolib._core.params import validate_run

    model = job.model
    engine = model._engine
    records = []
    members = []  # (record, params, setup)
    for index, explored, seed in task:
        rec = RunRecord(index, params=explored, seed=seed)
        try:
            params = job.params_of(explored, seed)
            validate_run(params)
            like = (members[0][1], members[0][2]) if members else None
            members.append((rec, params, engine.setup(params, like=like)))
        except Exception:
            rec.error = traceback.format_exc()
            records.append(rec)
    # batches: same duration, sampling and structure (network, dt, delays, tables), at most max_batch_bytes each
    groups = []
    for member in members:
        _, params, setup = member
        key = (params["duration"], params.get("sampling_dt"))
        for g in groups:
            if g[0] == key and _structure_same(g[1][0][2], setup):
                g[1].append(member)
                break
        else:
            groups.append((key, [member]))
    for _, group in groups:
        setup0 = group[0][2]
        steps = n_steps(group[0][1]["duration"], setup0.dt)
        per_member = 8.0 * len(model.spec.buffered) * (setup0.S + steps) * setup0.N
        size = max(1, int(job.max_batch_bytes // max(per_member, 1.0)))
        for start in range(0, len(group), size):
            records.extend(_run_group(job, group[start : start + size], steps))
    return records


def _run_group(job, group, steps):
    from neurolib._core import noise

    model = job.model
    spec = model.spec
    t0 = time.perf_counter()
    recs = [m[0] for m in group]
    try:
        params_list = [m[1] for m in group]
        X, Y, Q, setup = model._engine.run_batch(
            params_list, steps, gens=[noise.generator(p.get("seed")) for p in params_list],
            setups=[m[2] for m in group], threads=getattr(job, "threads", 1),
        )  # fmt: skip
    except Exception:
        if len(group) > 1:  # e.g. members the engine cannot batch together: run them one by one
            return [r for m in group for r in _run_group(job, [m], steps)]
        recs[0].error = traceback.format_exc()
        return recs
    elapsed = (time.perf_counter() - t0) / len(group)
    dt = setup.dt
    S = setup.S
    sdt = group[0][1].get("sampling_dt")  # the same for the whole group
    every = 1 if sdt is None else int(round(sdt / dt))
    keep = slice(0, None, every)
    t = (np.arange(1, steps + 1) * dt)[keep]  # one array shared by all members (stored once)
    names = model.output_vars if job.save_all else [model.default_output]
    series = {}
    for name in names:
        if name in spec.buffered:
            series[name] = _members_series(X[:, spec.buffered.index(name), S:][:, keep])
        elif name in spec.unbuffered:
            series[name] = np.ascontiguousarray(Y[:, :, spec.unbuffered.index(name)])
        else:
            series[name] = np.ascontiguousarray(Q[:, :, spec.ou.index(name)])
    del X, Y, Q
    for b, (rec, _, _) in enumerate(group):
        if job.save_all:
            results = {"t": t}
            results.update({name: series[name][b] for name in model.state_vars if name in series})
        else:
            results = {model.default_output: series[model.default_output][b], "t": t}
        rec.results = results
        rec.nonfinite = has_nonfinite(results)
        rec.elapsed = elapsed
    return recs


def _members_series(Xv):
    """(member, time, node) -> (member, node, time), contiguous: each member's upstream-style (node, time) output.
    Copied 256 time steps at a time (a plain transposed copy of a long run is ~8x slower)."""
    B, T, N = Xv.shape
    out = np.empty((B, N, T))
    for b in range(B):
        for s in range(0, T, 256):
            out[b, :, s : s + 256] = Xv[b, s : s + 256].T
    return out
