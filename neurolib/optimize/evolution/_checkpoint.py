"""Checkpoints, resume and the results file of an :class:`~neurolib.optimize.evolution.Evolution`, and saving
and loading it (:meth:`saveEvolution`, :meth:`loadEvolution`, :meth:`loadResults`, pickling).

The files themselves are written and read by :mod:`neurolib._storage.evolution`."""

from __future__ import annotations

import contextlib
import hashlib
import json
import logging
import os
import pickle
import time
import warnings

import numpy as np

from neurolib._storage import evolution as ES
from neurolib._storage import journal as J
from neurolib._storage import provenance as _provenance
from neurolib._storage.evolution import EvolutionStore
from neurolib._storage.files import StoreError, write_atomic
from neurolib.errors import ParameterError
from neurolib.optimize._evaluate import lean_model
from neurolib.optimize.evolution import deapUtils as du
from neurolib.optimize.evolution._individuals import _eval_copy
from neurolib.optimize.evolution._setup import _digest, _qualname
from neurolib.utils import paths
from neurolib.utils.parameterSpace import ParameterSpace

logger = logging.getLogger(__name__)

_SAVE_FORMAT = "neurolib-evolution-save-1"
_NAMES_IN_USE: set = set()  # (results file, trajectory name) handed out in this process


class _Unsaved:
    """Stands in for a function that could not be pickled by :meth:`Evolution.saveEvolution`."""

    def __init__(self, name, what):
        self.name, self.what = name, what

    def __call__(self, *args, **kwargs):
        raise RuntimeError(
            f"The {self.what} {self.name} was not saved with the evolution (it cannot be pickled, e.g. a lambda or "
            f"a function defined inside another one). Set it again on the loaded evolution before running it."
        )

    def __repr__(self):
        return f"<unsaved {self.what} {self.name}>"


class _CheckpointMixin:
    """Checkpoints, resume, the results file, saving and loading of :class:`~neurolib.optimize.evolution.Evolution`."""

    # ------------------------------------------------------------------ names and identity
    def _unique_name(self, name):
        """``name``, or ``name-2``, ``name-3`` ... if the results file (or this process) already uses it."""
        taken = set(ES.all_names(self.HDF_FILE)) | {n for f, n in _NAMES_IN_USE if f == self.HDF_FILE}
        unique, k = name, 1
        while unique in taken:
            k += 1
            unique = f"{name}-{k}"
        _NAMES_IN_USE.add((self.HDF_FILE, unique))
        return unique

    def _make_fingerprint(self, seed):
        h = hashlib.sha256()
        model_params = None
        if self.model is not None:
            skip = set(getattr(self.model, "init_vars", None) or []) | {"seed"} | set(self._names)
            model_params = {k: v for k, v in dict(self.model.params).items() if k not in skip}
        ops = {}
        for key in ("individualGenerator", "matingOperator", "mutationOperator", "parentSelectionOperator",
                    "selectionOperator"):  # fmt: skip
            ops[key] = _qualname(getattr(self, key))
        for key in ("IND_GENERATOR_P", "MATE_P", "MUTATE_P", "PARENT_SELECT_P", "SELECT_P"):
            ops[key] = getattr(self, key)
        parts = {
            "format": 1,
            "space": [self._names, self.parameterSpace.parameterValues, bool(self.parameterSpace.star)],
            "weights": self.weightList,
            "sizes": [self.POP_INIT_SIZE, self.POP_SIZE, self.NGEN],
            "algorithm": self.algorithm,
            "operators": ops,
            "eval": _qualname(self.evalFunction),
            "model": None if self.model is None else _qualname(type(self.model)),
            "model_params": model_params,
            "seed": seed,
        }
        _digest(parts, h)
        return h.hexdigest()

    # ------------------------------------------------------------------ state
    @contextlib.contextmanager
    def _generation_guard(self):
        """Undo a generation that did not complete (an exception, Ctrl-C), so that run() can simply be called again."""
        snapshot = {
            "pop": list(self.pop),
            "history": dict(self.history),
            "gIdx": self.gIdx,
            "records": dict(self._records),
            "rng": dict(self._rng),
            "last_id": self.last_id,
            "evaluationCounter": self.evaluationCounter,
            "nInvalid": dict(self.nInvalid),
            "invalidPerGeneration": dict(self.invalidPerGeneration),
            "failures": dict(self.failures),
            "initial": self._gen0_done,
            "times": dict(self._times),
        }
        fitness = [(ind.fitness, dict(ind.fitness.__dict__)) for ind in self.pop]
        try:
            yield
        except BaseException:
            self._apply_state(snapshot)
            for fit, state in fitness:
                fit.__dict__.clear()
                fit.__dict__.update(state)
            raise

    # ------------------------------------------------------------------ checkpoints and results file
    def _state(self):
        """Everything that changes while the evolution runs (pickled together, so objects stay shared)."""
        return {
            "pop": self.pop,
            "history": self.history,
            "gIdx": self.gIdx,
            "records": self._records,
            "rng": self._rng,
            "last_id": self.last_id,
            "evaluationCounter": self.evaluationCounter,
            "nInvalid": self.nInvalid,
            "invalidPerGeneration": self.invalidPerGeneration,
            "failures": self.failures,
            "initial": self._gen0_done,
            "times": self._times,
        }

    def _apply_state(self, state):
        self.pop = state["pop"]
        self.history = state["history"]
        self.gIdx = state["gIdx"]
        self._records = state["records"]
        self._rng = state["rng"]
        self.last_id = state["last_id"]
        self.evaluationCounter = state["evaluationCounter"]
        self.nInvalid = state["nInvalid"]
        self.invalidPerGeneration = state["invalidPerGeneration"]
        self.failures = state["failures"]
        self._gen0_done = state["initial"]
        self._times = state["times"]

    def _open_store(self, target):
        """Open the record file for a ``run()`` towards generation ``target`` (see :mod:`neurolib._storage.evolution`).

        A fresh evolution starts its record file; one that continues (a later ``run()``, or after an exception)
        appends to its own, unless that file is gone or ends elsewhere (a loaded evolution): then it starts a new
        one holding its whole state.
        """
        store = None
        if self._gen0_done or self._run_target is not None:
            try:
                store = EvolutionStore.reopen(self.HDF_FILE, self.trajectoryName)
            except J.JournalLocked as e:
                raise StoreError(f"The evolution {self.trajectoryName!r} is being run by another process ({e}).") from e
            if store is not None and not self._continues(store.replay()):
                store.close()
                store = None
                self.trajectoryName = self._unique_name(self.trajectoryName)
        if store is None:
            try:
                store = EvolutionStore.create(self.HDF_FILE, self.trajectoryName, self._header())
            except (pickle.PicklingError, TypeError) as e:
                warnings.warn(  # to act on (see neurolib.optimize): a crash now loses the run
                    f"Cannot store this evolution ({e}); it runs in memory only and is not resumable.", stacklevel=3
                )
        if store is not None and self._run_target is None:
            store.start_run(target)
        self._store, self._run_target = store, int(target)

    def _continues(self, replay):
        """Whether the records ``replay`` are this evolution's, up to its current generation."""
        gens = [p["gIdx"] for p in replay["generations"] if p.get("record") is not None and "new" in p]
        return replay["header"]["attrs"].get("uid") == self._uid and (gens[-1] if gens else -1) == self.gIdx

    def _close_store(self, finished):
        """Finish the record file (index written) or just release it (resumable)."""
        store, self._store = self._store, None
        if store is None:
            return
        if not finished:
            store.close()
            return
        try:
            aside = store.finish({"attrs": {"evolutionEnd": time.time()}, "records": self._records})
        except Exception as e:
            warnings.warn(  # to act on (see neurolib.optimize): the index is missing, the records are complete
                f"Could not write the index {self.HDF_FILE} ({type(e).__name__}: {e}); the results are in "
                f"{ES.records_path(self.HDF_FILE, self.trajectoryName)} and in memory.",
                stacklevel=3,
            )
            return
        if aside is not None:
            logger.warning(f"The results file could not be read; it was moved to {aside} and written anew.")

    def _checkpoint(self, g, new):
        """Record generation ``g`` (its new individuals' outputs, once, then the state to continue from)."""
        for ind in new:
            if ind.gIdx == g and du.is_valid(ind):
                ind.simulation_stored = True
        if self._store is None:
            return
        candidates = self.history[g]
        stripped = []
        for ind in new:
            c = _eval_copy(ind)
            c.fitness = ind.fitness
            c.outputs = {}
            stripped.append(c)
        payload = {
            "gIdx": g,
            "trajectoryName": self.trajectoryName,
            "new": stripped,
            "candidates": [ind.id for ind in candidates],
            "fitness": {ind.id: dict(ind.fitness.__dict__) for ind in candidates},
            "pop": [ind.id for ind in self.pop],
            "record": self._records[g],
            "rng": dict(self._rng),
            "last_id": self.last_id,
            "evaluationCounter": self.evaluationCounter,
            "nInvalid": dict(self.nInvalid),
            "invalid": self.invalidPerGeneration.get(g, 0),
            "failures": {ind.id: self.failures[ind.id] for ind in new if ind.id in self.failures},
            "times": dict(self._times),
        }
        outputs = {ind.id: getattr(ind, "outputs", None) or {} for ind in new if du.is_valid(ind)}
        failed = self._store.write_generation(g, payload, outputs)
        if failed:
            first = next(iter(failed.values()))
            logger.warning(f"The outputs of {len(failed)} individuals of generation {g} cannot be stored ({first}).")

    def _resume(self, replay):
        """Rebuild the state after the last complete generation from the records (see :meth:`_checkpoint`)."""
        header = replay["header"]
        self.seed = int(header["seed"])
        self._uid = header["attrs"]["uid"]
        self.trajectoryName = header["trajectoryName"]
        self._rng = dict(header["rng"])
        if header["state"] is not None:
            self._apply_state(header["state"])
        by_id = {ind.id: ind for inds in self.history.values() for ind in inds}
        for p in replay["generations"]:
            if "new" not in p:  # written by saveToPypet: nothing to replay
                continue
            for ind in p["new"]:
                ind.outputs = replay["outputs"].get(ind.id, {})
                by_id[ind.id] = ind
            for ind_id, fit in p["fitness"].items():
                by_id[ind_id].fitness.__dict__.update(fit)
            g = p["gIdx"]
            self.gIdx = g
            self.history[g] = [by_id[i] for i in p["candidates"]]
            self.pop = [by_id[i] for i in p["pop"]]
            self._records[g] = p["record"]
            self._rng = dict(p["rng"])
            self.last_id = p["last_id"]
            self.evaluationCounter = p["evaluationCounter"]
            self.nInvalid = dict(p["nInvalid"])
            self.invalidPerGeneration[g] = p["invalid"]
            self.failures.update(p["failures"])
            self._times = dict(p["times"])
            self.trajectoryName = p["trajectoryName"]
            if g == 0:
                self._gen0_done = True
        self._run_target = int([t for t in replay["targets"] if t is not None][-1])
        self.resumedFrom = self.gIdx
        logger.info(
            f"Resuming evolution {self.trajectoryName} from generation {self.gIdx} (of {self._run_target}), "
            f"records in {ES.records_path(self.HDF_FILE, self.trajectoryName)}."
        )

    def _header(self):
        """What the record file starts with: settings, provenance, and the state the records continue."""
        attrs = {
            "format": ES.FORMAT,
            "uid": self._uid,
            "fingerprint": self._fingerprint,
            "created": time.time(),
            "algorithm": self.algorithm,
            "weightList": np.asarray(self.weightList, dtype=float),
            "parameterNames": json.dumps(self._names),
            "lowerBound": np.asarray(self.parameterSpace.lowerBound, dtype=float),
            "upperBound": np.asarray(self.parameterSpace.upperBound, dtype=float),
            "seed": str(self.seed),
            "evalFunction": str(_qualname(self.evalFunction)),
            "model": "None" if self.model is None else str(_qualname(type(self.model))),
        }
        arguments = {
            "algorithm": self.algorithm,
            "POP_INIT_SIZE": self.POP_INIT_SIZE,
            "POP_SIZE": self.POP_SIZE,
            "NGEN": self.NGEN,
            "ncores": None if getattr(self, "executor", None) is not None else getattr(self, "ncores", None),
            "executor": None if getattr(self, "executor", None) is None else type(self.executor).__name__,
            "weightList": list(map(float, self.weightList)),
        }
        parameters = {
            "popsize": self.POP_SIZE,
            "POP_INIT_SIZE": self.POP_INIT_SIZE,
            "NGEN": self.NGEN,
            "ind_len": len(self._names),
            "seed": str(self.seed),
        }
        start = self._times.get("start_initial", time.time())
        return {
            "attrs": attrs,
            "parameters": parameters,
            "model_params": None if self.model is None else dict(self.model.params),
            "provenance": _provenance.collect(start, seeds={"seed": int(self.seed)}, arguments=arguments),
            "seed": int(self.seed),
            "trajectoryName": self.trajectoryName,
            "rng": dict(self._rng),
            "state": self._state() if self._gen0_done else None,
        }

    def _save_generation(self, gIdx, pop):
        """Store ``pop`` as generation ``gIdx`` by hand (``evolutionaryUtils.saveToPypet``)."""
        record = self._record(pop)
        fresh = [ind for ind in pop if du.is_valid(ind) and not getattr(ind, "simulation_stored", False)]
        store, opened = self._store, self._store is None
        if opened:
            store = EvolutionStore.reopen(self.HDF_FILE, self.trajectoryName) or EvolutionStore.create(
                self.HDF_FILE, self.trajectoryName, self._header()
            )
        try:
            store.write_generation(int(gIdx), {"gIdx": int(gIdx), "record": record}, {
                ind.id: getattr(ind, "outputs", None) or {} for ind in fresh})  # fmt: skip
            self._records.setdefault(int(gIdx), record)
            if opened:
                ES.write_index(self.HDF_FILE, self.trajectoryName, store.replay()["header"], store._journal,
                               {"records": self._records})  # fmt: skip
        finally:
            if opened:
                store.close()
        for ind in fresh:
            ind.simulation_stored = True

    # ------------------------------------------------------------------ persistence
    def provenance(self, filename=None, trajectoryName=None):
        """Where and how the evolution was computed: neurolib, Python, numpy and numba versions, host, start and
        end (last generation written) times, the seed and the arguments.

        Parameters
        ----------
        filename, trajectoryName : str, optional
            Which stored evolution (default: this one).

        Returns
        -------
        dict
            See :func:`neurolib.utils.provenance`.
        """
        path = self.HDF_FILE if filename is None else os.path.abspath(filename)
        return ES.provenance(path, trajectoryName or (self.trajectoryName if filename is None else None))

    def loadResults(self, filename=None, trajectoryName=None):
        """Read a stored evolution into ``self.traj`` (returns None).

        Parameters
        ----------
        filename : str, optional
            Results file (relative to ``./data/hdf/``); default this evolution's file.
        trajectoryName : str, optional
            Default: this evolution's if the file holds it, else the newest one.
        """
        path = self.HDF_FILE if filename is None else os.path.abspath(os.path.join(paths.HDF_DIR, filename))
        if trajectoryName is None:
            names = ES.evolution_names(path)
            trajectoryName = self.trajectoryName if self.trajectoryName in names else None
        self.traj = ES.StoredEvolution(path, trajectoryName)

    def __getstate__(self):
        state = dict(self.__dict__)
        for key in ("toolbox", "_bar", "_store", "executor", "parameterSpace", "ParametersInterval", "paramInterval"):
            state.pop(key, None)
        ps = self.parameterSpace
        state["_space"] = (list(ps.parameterNames), [list(v) for v in ps.parameterValues], ps.kind, bool(ps.star))
        if self.model is not None:
            state["model"] = lean_model(self.model)  # the model pickles itself (without its last outputs)
        return state

    def __setstate__(self, state):
        state = dict(state)
        if "_initialPopulationSimulated" in state:  # saved before the attribute was renamed
            state["_gen0_done"] = state.pop("_initialPopulationSimulated")
        names, values, kind, star = state.pop("_space")
        self.__dict__.update(state)
        self.executor = None
        self._bar = None
        self._store = None
        self._set_space(ParameterSpace(names, values, kind=kind, allow_star_notation=star))
        self._build_toolbox()

    def saveEvolution(self, fname=None):
        """Save the evolution (population, history, settings, model) to a pickle file.

        Plain :mod:`pickle` is used (dill is not needed). The evaluation function and operators are saved by
        reference; those that cannot be pickled (lambdas, local functions) are replaced by placeholders that
        raise when called (with a warning now), and must be set again on the loaded evolution before it runs.

        Parameters
        ----------
        fname : str, optional
            Default ``./data/evolution-<trajectoryName>.pickle``.

        Returns
        -------
        str
            The file written.
        """
        if fname is None:
            fname = os.path.join(
                os.path.dirname(os.path.normpath(paths.HDF_DIR)), f"evolution-{self.trajectoryName}.pickle"
            )
        state = self.__getstate__()
        state.pop("traj", None)
        state["_run_target"] = None
        for key, what in (("evalFunction", "evaluation function"), ("individualGenerator", "operator"),
                          ("matingOperator", "operator"), ("mutationOperator", "operator"),
                          ("parentSelectionOperator", "operator"), ("selectionOperator", "operator")):  # fmt: skip
            try:
                pickle.dumps(state[key])
            except Exception:
                warnings.warn(  # to act on (see neurolib.optimize): set it again after loadEvolution
                    f"saveEvolution: the {what} {key} = {state[key]!r} cannot be pickled; not saved (set it again on "
                    f"the loaded evolution).",
                    stacklevel=2,
                )
                state[key] = _Unsaved(_qualname(state[key]), what)
        ops = dict(state["_given_operators"])
        for key, value in ops.items():
            if callable(value) and isinstance(state.get(key), _Unsaved):
                ops[key] = state[key]
        state["_given_operators"] = ops
        folder = os.path.dirname(os.path.abspath(fname))
        os.makedirs(folder, exist_ok=True)

        def write(tmp):
            with open(tmp, "wb") as fh:
                pickle.dump({"format": _SAVE_FORMAT, "state": state}, fh, protocol=pickle.HIGHEST_PROTOCOL)

        write_atomic(fname, write)
        logger.info(f"Saving evolution to {fname}")
        return fname

    def loadEvolution(self, fname):
        """Load an evolution saved with :meth:`saveEvolution` and return it (this object is not changed).

        Parameters
        ----------
        fname : str

        Returns
        -------
        Evolution
        """
        with open(fname, "rb") as fh:
            obj = pickle.load(fh)
        if not isinstance(obj, dict) or obj.get("format") != _SAVE_FORMAT:
            raise ParameterError(
                f"loadEvolution: {fname!r} is not an evolution saved by this version of neurolib (saveEvolution)."
            )
        from neurolib.optimize.evolution.evolution import Evolution

        evolution = Evolution.__new__(Evolution)
        evolution.__setstate__(obj["state"])
        evolution.traj = None
        return evolution
