"""Evolutionary optimisation of model parameters (:class:`Evolution`).

An :class:`Evolution` searches the box of a :class:`~neurolib.utils.parameterSpace.ParameterSpace` of kind
``"bound"`` for the parameters that maximise a weighted fitness computed by a user evaluation function. Two
algorithms are built in:

``"adaptive"`` (default)
    each individual carries one mutation step size per parameter (self-adaptive Gaussian mutation), blend
    crossover, linear ranking for the parents and elitist truncation for the survivors;
``"nsga2"``
    simulated binary crossover, polynomial mutation, dominance/crowding tournaments for the parents and NSGA-II
    survival (for several objectives).

Every operator can be replaced (``matingOperator=``, ``MATE_P=``, ...); user-supplied operators and parameters
are used as given.

Compared with the published package:

* no pypet: evaluations run through :func:`neurolib.optimize._runner.run_tasks` (in this process, in local
  worker processes, or on any executor such as a ``dask.distributed.Client``) and results go to an HDF5 file
  written by this process only (:mod:`neurolib.optimize.evolution._store`);
* reproducible: ``seed=`` drives every random choice of the algorithm through generator states owned by the
  evolution (the global :mod:`random` and ``numpy.random`` states are swapped in only while an operator runs and
  restored afterwards), and each individual gets its own seed for noisy evaluations, derived from the evolution
  seed and its id. The same seed gives the same populations whatever the number of workers;
* resumable: every generation is checkpointed; running the same evolution again after a crash continues from
  the last completed generation and ends exactly where an uninterrupted run would have ended;
* invalid individuals (the evaluation raised, or returned NaN/inf) are marked, never preferred to valid ones in
  the selections, replaced by fresh random individuals, and counted in :meth:`Evolution.info`;
* a progress bar shows the generations with the best and mean score;
* :meth:`Evolution.saveEvolution` writes a plain pickle (no dill); lambdas are not needed anywhere.
"""

from __future__ import annotations

import contextlib
import datetime
import hashlib
import json
import logging
import math
import numbers
import os
import pickle
import time
import uuid
import warnings

import numpy as np
from deap import base, tools

from neurolib._storage import provenance as _provenance
from neurolib._storage.files import check_writable
from neurolib.errors import ParameterError, ParameterTypeError
from neurolib.optimize._evaluate import BatchedEvaluation, evaluate_population, individual_params, lean_model
from neurolib.optimize._runner import TaskError, run_tasks
from neurolib.optimize.evolution import _store
from neurolib.optimize.evolution import deapUtils as du
from neurolib.optimize.evolution import evolutionaryUtils as eu
from neurolib.utils import paths
from neurolib.utils.parameterSpace import ParameterSpace

logger = logging.getLogger(__name__)

__all__ = ["Evolution", "EvolutionContext", "EvolutionError"]

ALGORITHMS = ["adaptive", "nsga2"]
_SAVE_FORMAT = "neurolib-evolution-save-1"
_NAMES_IN_USE: set = set()  # (results file, trajectory name) handed out in this process
_RESERVED_ATTRS = {"fitness", "id", "gIdx", "params", "outputs", "parentIds", "simulation_stored", "error"}


def _is_count(value, minimum):
    """An integer (not a bool) of at least ``minimum``."""
    return isinstance(value, numbers.Integral) and not isinstance(value, (bool, np.bool_)) and value >= minimum


def _check_arguments(evalFunction, parameterSpace, weightList, model, ncores, POP_INIT_SIZE, POP_SIZE, NGEN,
                     algorithm, seed):  # fmt: skip
    """Validate the arguments of :class:`Evolution`; returns the weights as a list of floats.

    Every error is a :class:`~neurolib.errors.ParameterError` (also an ``AssertionError``, which the published
    package raised for several of these) naming the argument, what it must be and what it was.
    """
    if not callable(evalFunction):
        raise ParameterTypeError(
            f"evalFunction must be a function evalFunction(traj) -> (fitness, outputs), got "
            f"{type(evalFunction).__name__}."
        )
    if not isinstance(parameterSpace, ParameterSpace):
        raise ParameterTypeError(f"parameterSpace must be a ParameterSpace, got {type(parameterSpace).__name__}.")
    if parameterSpace.kind != "bound":
        raise ParameterError(
            f"Evolution needs a ParameterSpace of kind 'bound' (one [low, high] pair per parameter), got kind "
            f"{parameterSpace.kind!r}."
        )
    if algorithm not in ALGORITHMS:
        raise ParameterError(f"Evolution: algorithm must be one of the following: {ALGORITHMS}; got {algorithm!r}.")
    if weightList is None:
        # reported through logging (nothing to act on: the documented default); see neurolib.optimize
        logger.info("No weightList given: one fitness value per individual, maximised (weightList=[1.0]).")
        weightList = [1.0]
    try:
        weights = [float(w) for w in weightList]
    except (TypeError, ValueError):
        raise ParameterTypeError(
            f"weightList must be a list of numbers (one weight per fitness value), got {weightList!r}."
        ) from None
    if not weights or not all(math.isfinite(w) for w in weights):
        raise ParameterError(f"weightList must hold at least one finite number, got {weightList!r}.")
    for name, value in (("POP_INIT_SIZE", POP_INIT_SIZE), ("POP_SIZE", POP_SIZE), ("NGEN", NGEN)):
        if not _is_count(value, 1):
            raise ParameterError(f"{name} must be a positive integer, got {value!r}.")
    for name, value in (("POP_SIZE", POP_SIZE), ("POP_INIT_SIZE", POP_INIT_SIZE)):
        if value % 2:
            raise ParameterError(
                f"{name} must be even (the offspring are bred in pairs), got {name}={value}; use e.g. {value + 1}."
            )
    if POP_INIT_SIZE < POP_SIZE:
        raise ParameterError(f"POP_INIT_SIZE ({POP_INIT_SIZE}) must be at least POP_SIZE ({POP_SIZE}).")
    if parameterSpace.star and model is None:
        raise ParameterError(
            "model is None, but the parameter space uses star notation: the patterns are matched against the "
            "parameters of a model, so pass model=... ."
        )
    if ncores is not None and not _is_count(ncores, 1):
        raise ParameterError(f"ncores must be None or a positive integer, got {ncores!r}.")
    if seed is not None and not _is_count(seed, 0):
        raise ParameterError(f"seed must be None or a non-negative integer, got {seed!r}.")
    return weights


class EvolutionError(RuntimeError):
    """Every evaluation of a generation raised (the first traceback is in the message)."""


class EvolutionContext:
    """What the evaluation function receives as ``traj`` (it replaces pypet's trajectory).

    Attributes
    ----------
    id : int
        The individual's id.
    individual : Individual
        A copy of the individual (genes, ``id``, ``gIdx``, ``params`` and one attribute per parameter).
    generation : int
        Generation the individual was born in.
    params : dict
        ``{parameter name: value}`` (sanitized names for star parameters).
    seed : int
        Seed for anything random in this evaluation, derived from the evolution seed and ``id``;
        :meth:`Evolution.getModelFromTraj` sets it as the model's ``seed`` when the model has none.
    """

    def __init__(self, individual, seed):
        self.individual = individual
        self.id = individual.id
        self.generation = individual.gIdx
        self.params = dict(individual.params)
        self.seed = seed

    def __repr__(self):
        return f"EvolutionContext(id={self.id}, generation={self.generation}, params={self.params})"


def _evaluate(evalFunction, ctx):
    """What a worker runs for one individual."""
    return evalFunction(ctx)


def _eval_copy(ind):
    """The copy of an individual sent to the evaluation (no outputs, no fitness values)."""
    new = du.Individual(ind, ind.fitness.weights)
    for key, value in ind.__dict__.items():
        if key not in ("fitness", "outputs"):
            new.__dict__[key] = value
    return new


def _clone(ind):
    """Copy of a parent for breeding: genes, fitness and tags, without the outputs."""
    new = du.Individual(ind, ind.fitness.weights)
    new.fitness.__dict__.update({k: v for k, v in ind.fitness.__dict__.items() if k != "weights"})
    for key, value in ind.__dict__.items():
        if key not in ("fitness", "outputs", "params"):
            new.__dict__[key] = value
    return new


def _qualname(obj):
    if obj is None:
        return None
    return f"{getattr(obj, '__module__', '')}.{getattr(obj, '__qualname__', type(obj).__qualname__)}"


def _digest(obj, h):
    """Feed a stable description of ``obj`` (dicts, sequences, arrays, numbers, strings) into the hash ``h``."""
    if isinstance(obj, dict):
        h.update(b"{")
        for key in sorted(obj, key=str):
            h.update(str(key).encode())
            _digest(obj[key], h)
        h.update(b"}")
    elif isinstance(obj, (list, tuple)):
        h.update(b"[")
        for v in obj:
            _digest(v, h)
        h.update(b"]")
    elif isinstance(obj, np.ndarray):
        h.update(f"{obj.dtype.str}{obj.shape}".encode())
        if obj.dtype != object:
            h.update(np.ascontiguousarray(obj).tobytes())
        else:
            _digest(obj.tolist(), h)
    elif callable(obj):
        h.update(str(_qualname(obj)).encode())
    else:
        h.update(repr(obj).encode())


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


class Evolution:
    """Optimise model parameters with an evolutionary algorithm.

    Parameters
    ----------
    evalFunction : callable
        ``evalFunction(traj) -> (fitness, outputs)`` for one individual: ``fitness`` is a tuple with one number per
        entry of ``weightList``, ``outputs`` a dict (possibly empty) stored with the individual. ``traj`` is an
        :class:`EvolutionContext`; get the individual with :meth:`getIndividualFromTraj` (its parameters are
        attributes: ``ind.x``) or the model set to its parameters with :meth:`getModelFromTraj`. NaN or inf in
        the fitness, or an exception, marks the individual invalid. With ``ncores > 1`` it runs in forked worker
        processes (so it may use global objects such as the evolution itself); on an executor it is sent with
        cloudpickle.
    parameterSpace : ParameterSpace
        One ``[low, high]`` pair per parameter (kind ``"bound"``).
    weightList : list of float, optional
        One weight per fitness value: positive maximises, negative minimises. Default ``[1.0]``.
    model : Model, optional
        The model :meth:`getModelFromTraj` sets the parameters of.
    filename : str
        Results file, relative to ``./data/hdf/`` (absolute paths are kept).
    ncores : int, optional
        Local worker processes (default: all cores; 1 evaluates in this process). Ignored with ``executor``.
    POP_INIT_SIZE : int
        Size of the random initial population (even).
    POP_SIZE : int
        Size of the population after each generation (even; a multiple of 4 for ``nsga2``).
    NGEN : int
        Generations of a :meth:`run`, the initial one included.
    algorithm : {"adaptive", "nsga2"}
        The preset of operators (see the module docstring).
    matingOperator, mutationOperator, parentSelectionOperator, selectionOperator : callable, optional
        Replace the preset's crossover ``(ind1, ind2, **MATE_P)``, mutation ``(ind, **MUTATE_P)``, parent
        selection ``(pop, k, **PARENT_SELECT_P)`` and survivor selection ``(pop, k, **SELECT_P)``. DEAP operators
        and those of :mod:`~neurolib.optimize.evolution.deapUtils` fit. Random numbers must come from
        :mod:`random` or ``numpy.random`` (the evolution makes them reproducible).
    MATE_P, MUTATE_P, PARENT_SELECT_P, SELECT_P : dict, optional
        Keyword arguments of the operators. Default: the preset's for a preset operator, none for a given one.
    individualGenerator : callable, optional
        ``individualGenerator(paramInterval, **IND_GENERATOR_P) -> list of genes`` (the first genes are the
        parameters, in order). Default: the preset's.
    IND_GENERATOR_P : dict, optional
        Keyword arguments of ``individualGenerator``.
    executor : concurrent.futures.Executor or dask.distributed.Client, optional
        Evaluate there instead of in local processes.
    seed : int, optional
        Seed of every random choice of the algorithm and of the individuals' seeds. Default: the model's ``seed``
        parameter if it is an integer, else a fresh one (stored in the checkpoints, so a resumed evolution uses
        it).
    resume : bool
        Continue an unfinished evolution of the same results file and configuration (same space, weights,
        sizes, operators, evaluation function name, model parameters and seed) from its last completed
        generation. False starts a new evolution.
    progress : bool
        Show a progress bar with the best and mean score of each generation.

    Attributes
    ----------
    pop : list of Individual
        The current population (after survivor selection).
    history : dict
        ``{generation: individuals evaluated or kept in it}`` (generation 0: the whole initial population).
    gIdx : int
        The last completed generation (-1 before :meth:`runInitial`).
    toolbox : deap.base.Toolbox
        ``individual``, ``mate``, ``mutate``, ``selectParents``, ``select``, ``selBest``, ``evaluate``, ``clone``.
    paramInterval : namedtuple
        ``[low, high]`` of each parameter (sanitized names).
    trajectoryName, HDF_FILE : str
        Name of this evolution in the results file, and the file.
    seed : int
        The seed in use.
    evaluationCounter : int
        Evaluations so far.
    nInvalid : dict
        ``{"exception": n, "nonfinite": m}``: invalid evaluations so far.
    failures : dict
        ``{id: traceback}`` of the evaluations that raised.
    traj : StoredEvolution or None
        The stored evolution read by :meth:`loadResults`.
    tree, id_genx, id_score : dict
        After :meth:`run`: parents, generation and score of every individual (a genealogy for networkx).

    Examples
    --------
    >>> from neurolib.utils.parameterSpace import ParameterSpace
    >>> pars = ParameterSpace(["x", "y"], [[-5.0, 5.0], [-5.0, 5.0]])
    >>> def fitness(traj):
    ...     ind = evo.getIndividualFromTraj(traj)
    ...     return (abs(ind.x**2 + ind.y**2 - 1),), {}
    >>> evo = Evolution(fitness, pars, weightList=[-1.0], POP_INIT_SIZE=8, POP_SIZE=8, NGEN=3,
    ...                 filename="circle.hdf", ncores=1, seed=1, progress=False)   # doctest: +SKIP
    >>> evo.run()                                                                   # doctest: +SKIP
    >>> best = evo.toolbox.selBest(evo.pop, 1)[0]                                   # doctest: +SKIP
    """

    def __init__(
        self,
        evalFunction,
        parameterSpace,
        weightList=None,
        model=None,
        filename="evolution.hdf",
        ncores=None,
        POP_INIT_SIZE=100,
        POP_SIZE=20,
        NGEN=10,
        algorithm="adaptive",
        matingOperator=None,
        MATE_P=None,
        mutationOperator=None,
        MUTATE_P=None,
        selectionOperator=None,
        SELECT_P=None,
        parentSelectionOperator=None,
        PARENT_SELECT_P=None,
        individualGenerator=None,
        IND_GENERATOR_P=None,
        *,
        executor=None,
        seed=None,
        resume=True,
        progress=True,
    ):
        weightList = _check_arguments(
            evalFunction, parameterSpace, weightList, model, ncores, POP_INIT_SIZE, POP_SIZE, NGEN, algorithm, seed
        )
        self.evalFunction, self.weightList = evalFunction, weightList
        self.model = model
        self.NGEN = int(NGEN)
        self.POP_SIZE = int(POP_SIZE)
        self.POP_INIT_SIZE = int(POP_INIT_SIZE)
        self.ncores = int(ncores) if ncores is not None else (os.cpu_count() or 1)
        self.executor = executor
        self.algorithm = algorithm
        self.progress = progress
        self._set_space(parameterSpace)

        self.filename = filename
        self.HDF_FILE = os.path.abspath(os.path.join(paths.HDF_DIR, filename))
        self.trajectoryFileName = self.HDF_FILE
        check_writable(self.HDF_FILE)
        self._uid = uuid.uuid4().hex
        self.trajectoryName = self._unique_name("results" + datetime.datetime.now().strftime("-%Y-%m-%d-%HH-%MM-%SS"))

        self._given_operators = dict(
            individualGenerator=individualGenerator, IND_GENERATOR_P=IND_GENERATOR_P,
            matingOperator=matingOperator, MATE_P=MATE_P, mutationOperator=mutationOperator, MUTATE_P=MUTATE_P,
            parentSelectionOperator=parentSelectionOperator, PARENT_SELECT_P=PARENT_SELECT_P,
            selectionOperator=selectionOperator, SELECT_P=SELECT_P,
        )  # fmt: skip
        self._resolve_operators()
        if self.parentSelectionOperator is tools.selTournamentDCD and self.POP_SIZE % 4:
            raise ParameterError(
                f"The parent selection of nsga2 (selTournamentDCD) needs POP_SIZE divisible by 4, got {POP_SIZE}."
            )

        # the state of a fresh evolution: nothing evaluated yet
        self.pop, self.history, self.gIdx, self.last_id, self.evaluationCounter = [], {}, -1, 0, 0
        self.nInvalid = {"exception": 0, "nonfinite": 0}
        self.invalidPerGeneration, self.failures = {}, {}
        self.tree, self.id_genx, self.id_score = {}, {}, {}
        self._records, self._times, self._gen0_done = {}, {}, False
        # reporting (set by run()) and the user's notes
        self.verbose, self.verbose_plotting, self.plotColor, self.comments = False, True, "C0", "no comments"
        # stored results and checkpoints
        self.traj, self.resumedFrom = None, None
        self._run_target = self._ckpt_folder = self._lock = None

        model_seed = None
        if model is not None:
            s = model.params.get("seed")
            if isinstance(s, numbers.Integral) and not isinstance(s, bool):
                model_seed = int(s)
        self._model_seed_free = model is not None and "seed" in model.params and model.params.get("seed") is None
        requested = int(seed) if seed is not None else model_seed
        self._fingerprint = self._make_fingerprint(requested)
        self.seed = requested if requested is not None else int(np.random.SeedSequence().entropy)
        self._rng = du.new_random_state(self.seed)
        self._build_toolbox()

        if resume:
            folder, fh = _store.Checkpoints(self.HDF_FILE).find(self._fingerprint)
            if folder is not None:
                self._lock = fh
                try:
                    self._resume(folder)
                except BaseException:
                    _store.unlock(fh)
                    self._lock = None
                    raise

    def _unique_name(self, name):
        """``name``, or ``name-2``, ``name-3`` ... if the results file (or this process) already uses it."""
        taken = set(_store.all_names(self.HDF_FILE)) | {n for f, n in _NAMES_IN_USE if f == self.HDF_FILE}
        unique, k = name, 1
        while unique in taken:
            k += 1
            unique = f"{name}-{k}"
        _NAMES_IN_USE.add((self.HDF_FILE, unique))
        return unique

    # ------------------------------------------------------------------ set-up
    def _set_space(self, space):
        """The space, its bounds as a namedtuple (sanitized names) and the parameter names."""
        self.parameterSpace, self.paramInterval = space, space.named_tuple
        self.ParametersInterval = space.named_tuple_constructor
        self._names, self._fields = list(space.parameterNames), list(space.named_tuple_constructor._fields)

    @property
    def _initialPopulationSimulated(self):
        """Whether generation 0 is done (the published package's name for it)."""
        return self._gen0_done

    def _presets(self):
        n_obj = len(self.weightList)
        if self.algorithm == "adaptive":
            return dict(
                individualGenerator=du.randomParametersAdaptive, IND_GENERATOR_P={},
                matingOperator=tools.cxBlend, MATE_P={"alpha": 0.5},
                mutationOperator=du.gaussianAdaptiveMutation_nStepSizes, MUTATE_P={},
                parentSelectionOperator=du.selRank, PARENT_SELECT_P={"s": 1.5},
                selectionOperator=du.selBest_multiObj, SELECT_P={},
            )  # fmt: skip
        low, up = list(self.parameterSpace.lowerBound), list(self.parameterSpace.upperBound)
        return dict(
            individualGenerator=du.randomParameters, IND_GENERATOR_P={},
            matingOperator=tools.cxSimulatedBinaryBounded, MATE_P={"low": low, "up": up, "eta": 20.0},
            mutationOperator=tools.mutPolynomialBounded,
            MUTATE_P={"low": low, "up": up, "eta": 20.0, "indpb": 1.0 / n_obj},
            parentSelectionOperator=tools.selTournamentDCD, PARENT_SELECT_P={},
            selectionOperator=tools.selNSGA2, SELECT_P={},
        )  # fmt: skip

    def _resolve_operators(self):
        """A given operator is used with the given parameters (or none); otherwise the preset's."""
        presets = self._presets()
        pairs = [
            ("individualGenerator", "IND_GENERATOR_P"), ("matingOperator", "MATE_P"),
            ("mutationOperator", "MUTATE_P"), ("parentSelectionOperator", "PARENT_SELECT_P"),
            ("selectionOperator", "SELECT_P"),
        ]  # fmt: skip
        for op_name, p_name in pairs:
            op, p = self._given_operators[op_name], self._given_operators[p_name]
            if op is not None and not callable(op):
                raise ParameterTypeError(f"{op_name} must be callable, got {type(op).__name__}.")
            if p is not None and not isinstance(p, dict):
                raise ParameterTypeError(f"{p_name} must be a dict of keyword arguments, got {type(p).__name__}.")
            if op is None:
                op = presets[op_name]
                p = dict(presets[p_name]) if p is None else dict(p)
            else:
                p = {} if p is None else dict(p)
            setattr(self, op_name, op)
            setattr(self, p_name, p)

    def _build_toolbox(self):
        """DEAP toolbox: ``individual()`` and ``population(n=...)`` make new (untagged, unevaluated) individuals;
        ``mate``, ``mutate``, ``selectParents``, ``select``, ``selBest``, ``evaluate`` and ``clone`` as configured."""
        tb = base.Toolbox()
        tb.register("individual", self._new_individual)
        tb.register("population", tools.initRepeat, list, tb.individual)
        tb.register("mate", self.matingOperator)
        tb.register("mutate", self.mutationOperator)
        tb.register("selectParents", self.parentSelectionOperator)
        tb.register("select", self.selectionOperator)
        tb.register("selBest", du.selBest_multiObj)
        tb.register("evaluate", self.evalFunction)
        tb.register("clone", _clone)
        self.toolbox = tb

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

    # ------------------------------------------------------------------ individuals
    def _new_individual(self):
        genes = self.individualGenerator(self.paramInterval, **self.IND_GENERATOR_P)
        return du.Individual(genes, self.weightList)

    def _tag(self, ind, gIdx):
        """Give a new individual its id, generation, ``params`` and one attribute per parameter."""
        if hasattr(ind, "id"):
            raise ParameterError(
                f"Cannot tag individual {ind.id} as new in generation {gIdx}: it already carries an id (ids are "
                f"never reused); pass individuals made by toolbox.individual() or toolbox.population(n=...)."
            )
        ind.id, ind.gIdx, ind.simulation_stored = self.last_id, gIdx, False
        self.last_id += 1
        ind.params = self.individualToDict(ind)
        for field, value in ind.params.items():
            if field not in _RESERVED_ATTRS:
                setattr(ind, field, value)

    def individualSeed(self, ind_id):
        """Seed of the evaluation of individual ``ind_id``: ``SeedSequence(seed, spawn_key=(id,))``, 63 bits."""
        ss = np.random.SeedSequence(int(self.seed), spawn_key=(int(ind_id),))
        return int(ss.generate_state(1, np.uint64)[0] >> np.uint64(1))

    def individualToDict(self, individual):
        """``{parameter name: value}`` of the first genes of ``individual`` (star names sanitized).

        Parameters
        ----------
        individual : Individual or sequence of float

        Returns
        -------
        dict
        """
        return {field: float(individual[i]) for i, field in enumerate(self._fields)}

    def getIndividualFromTraj(self, traj):
        """The individual an evaluation is about.

        Parameters
        ----------
        traj : EvolutionContext or Individual
            What the evaluation function received (an individual is returned as it is).

        Returns
        -------
        Individual
        """
        if isinstance(traj, du.Individual):
            return traj
        ind = getattr(traj, "individual", None)
        if isinstance(ind, du.Individual):
            return ind
        ind_id = getattr(traj, "id", None)
        for candidate in self.pop:
            if getattr(candidate, "id", None) == ind_id:
                return candidate
        found = self.getIndividualFromHistory(ind_id)
        if found is None:
            raise KeyError(f"No individual with id {ind_id!r}.")
        return found

    def getModelFromTraj(self, traj):
        """The evolution's model with the parameters of the individual of ``traj``.

        Star parameters are expanded to every matching key. When the model had no ``seed`` when the evolution
        was created, the individual's own seed (:meth:`individualSeed`) is set, so noisy evaluations are
        reproducible and independent of where they run.

        Parameters
        ----------
        traj : EvolutionContext or Individual

        Returns
        -------
        Model
            ``self.model`` itself (not a copy), its parameters updated.
        """
        if self.model is None:
            raise ParameterError("This evolution has no model: pass model= to Evolution to use getModelFromTraj.")
        ind = self.getIndividualFromTraj(traj)
        self.model.params.update(individual_params(self, ind, getattr(traj, "seed", None)))
        return self.model

    def getIndividualFromHistory(self, id):
        """The individual with this id from any generation, or None (with a warning)."""
        for g in sorted(self.history):
            for ind in self.history[g]:
                if getattr(ind, "id", None) == id:
                    return ind
        logger.warning(f"No individual with id={id} found in the history.")
        return None

    def getValidPopulation(self, pop=None):
        """Individuals of ``pop`` (default: the current population) whose fitness values are all finite."""
        pop = self.pop if pop is None else pop
        return [ind for ind in pop if du.is_valid(ind)]

    def getInvalidPopulation(self, pop=None):
        """Individuals of ``pop`` (default: the current population) with a NaN/inf or missing fitness."""
        pop = self.pop if pop is None else pop
        return [ind for ind in pop if not du.is_valid(ind)]

    # ------------------------------------------------------------------ evaluation
    def _evaluate_population(self, inds):
        if isinstance(self.evalFunction, BatchedEvaluation):  # the individuals' runs in batches (model.run_batch)
            results = evaluate_population(self, inds)
        else:
            tasks = [(k, EvolutionContext(_eval_copy(ind), self.individualSeed(ind.id))) for k, ind in enumerate(inds)]
            results = [None] * len(inds)
            for k, res in run_tasks(_evaluate, self.evalFunction, tasks, ncores=self.ncores, executor=self.executor):
                results[k] = res
        n_raised = 0
        first_error = None
        for ind, res in zip(inds, results):
            self.evaluationCounter += 1
            if isinstance(res, TaskError):
                n_raised += 1
                first_error = first_error or res
                self._set_invalid(ind, res)
            else:
                self._set_fitness(ind, res)
        if inds and n_raised == len(inds):
            raise EvolutionError(
                f"Every evaluation of generation {inds[0].gIdx} raised; the first one:\n{first_error.traceback}"
            )
        return n_raised

    def _set_invalid(self, ind, err):
        nan = (math.nan,) * len(self.weightList)
        ind.fitness.values = nan
        ind.fitness.score = math.nan
        ind.fitness.crowding_dist = -math.inf
        ind.outputs = {}
        ind.error = err.traceback
        self.failures[ind.id] = err.traceback
        self.nInvalid["exception"] += 1
        if self.nInvalid["exception"] == 1:
            logger.warning(f"The evaluation of individual {ind.id} ({ind.params}) raised:\n{err.traceback}")
        else:
            logger.warning(f"The evaluation of individual {ind.id} ({ind.params}) raised {err.message}")

    def _set_fitness(self, ind, res):
        if not (isinstance(res, (tuple, list)) and len(res) == 2):
            raise ParameterTypeError(
                f"Evaluation function must return tuple with shape (fitness, output_data); evalFunction "
                f"{_qualname(self.evalFunction)} returned {type(res).__name__}: {res!r:.200}"
            )
        fitness, outputs = res
        if isinstance(fitness, numbers.Number) or (isinstance(fitness, np.ndarray) and fitness.ndim == 0):
            fitness = (fitness,)
        fitness = tuple(fitness)
        if len(fitness) != len(self.weightList):
            raise ParameterError(
                f"The evaluation returned {len(fitness)} fitness values, but weightList has {len(self.weightList)} "
                f"entries ({self.weightList}); return one value per weight."
            )
        if outputs is None:
            outputs = {}
        if not isinstance(outputs, dict):
            raise ParameterTypeError(
                f"The second value returned by the evaluation function must be a dict of outputs, got "
                f"{type(outputs).__name__}."
            )
        values = tuple(math.nan if v is None else float(v) for v in fitness)
        ind.fitness.values = values
        w = [v for v in ind.fitness.wvalues if math.isfinite(v)]
        ind.fitness.score = float(sum(w) / len(self.weightList))
        ind.outputs = outputs
        if du.is_valid(ind):
            ind.fitness.crowding_dist = 0.0
        else:
            ind.fitness.crowding_dist = -math.inf
            self.nInvalid["nonfinite"] += 1

    # ------------------------------------------------------------------ selection
    def _select_survivors(self, candidates, k):
        """Survivor selection among the valid candidates; invalid ones only fill up missing places."""
        valid = [c for c in candidates if du.is_valid(c)]
        invalid = [c for c in candidates if not du.is_valid(c)]
        if len(valid) >= k:
            return list(self.toolbox.select(valid, k, **self.SELECT_P))
        chosen = list(self.toolbox.select(valid, len(valid), **self.SELECT_P)) if valid else []
        return chosen + invalid[: k - len(chosen)]

    @staticmethod
    def _record(pop):
        """The stored summary of a population: raw fitness, scores, genes and ids (NaN where not evaluated)."""

        def raw(fit):
            return fit.values if fit.valid else (math.nan,) * len(fit.weights)

        return {
            "fitness": np.array([raw(ind.fitness) for ind in pop], dtype=float),
            "scores": np.array([getattr(ind.fitness, "score", math.nan) for ind in pop], dtype=float),
            "population": np.array([list(ind) for ind in pop], dtype=float),
            "ind_ids": np.array([ind.id for ind in pop], dtype=np.int64),
        }

    # ------------------------------------------------------------------ running
    def run(self, verbose=False, verbose_plotting=True):
        """Run the evolution: the initial population (if not done yet), then the generations.

        A fresh evolution runs generations ``0 ... NGEN-1``; calling :meth:`run` again continues for ``NGEN - 1``
        more. A resumed evolution (see ``resume``) continues the interrupted run where it stopped.

        Parameters
        ----------
        verbose : bool
            Print the best individual of every generation and :meth:`info` at the end of each.
        verbose_plotting : bool
            With ``verbose``: also plot.

        Raises
        ------
        EvolutionError
            If every evaluation of a generation raised.
        AssertionError
            If the evaluation function returns something else than ``(fitness tuple, outputs dict)``.
        """
        self.verbose, self.verbose_plotting = bool(verbose), bool(verbose_plotting)
        if self._run_target is None:
            target = self.NGEN - 1 if not self._gen0_done else self.gIdx + self.NGEN - 1
            self._start_checkpoints(target)
        else:
            target = self._run_target
            if self._ckpt_folder is not None and not os.path.isdir(self._ckpt_folder):
                self._ckpt_folder = None
                self._start_checkpoints(target)  # the checkpoints were removed meanwhile: start new ones
            if self._ckpt_folder is not None and self._lock is None:  # continuing after an exception
                self._lock = _store.lock(self._ckpt_folder)
                if self._lock is None:
                    raise _store.StoreError(f"The checkpoints {self._ckpt_folder!r} are in use by another process.")
            self._sync_results()
        bar = self._progress_bar(target)
        self._bar = bar
        try:
            if not self._gen0_done:
                self.runInitial()
            self.runEvolution(target)
        except BaseException:
            _store.unlock(self._lock)  # the checkpoints stay for a resume, by this or another process
            self._lock = None
            raise
        finally:
            self._bar = None
            if bar is not None:
                bar.close()
        self._times["end"] = time.time()
        self._buildEvolutionTree()
        if self._ckpt_folder is not None:
            _store.Checkpoints.remove(self._ckpt_folder, self._lock)
            self._ckpt_folder = None
        self._lock = None
        self._run_target = None

    def _progress_bar(self, target):
        if not self.progress:
            return None
        from tqdm.auto import tqdm

        done = self.gIdx + 1
        bar = tqdm(total=target + 1, initial=done, unit="gen", desc="evolution", leave=True)
        if self.pop:
            bar.set_postfix(self._bar_stats(), refresh=True)
        return bar

    def _bar_stats(self):
        scores = self.getScores()
        if len(scores) == 0:
            return {"best": "nan", "mean": "nan"}
        return {"best": f"{np.max(scores):.4g}", "mean": f"{np.mean(scores):.4g}"}

    def _after_generation(self, new):
        """Checkpoint, store, report."""
        g = self.gIdx
        self._checkpoint(g, new)
        self._write_results([g])
        bar = getattr(self, "_bar", None)
        if bar is not None:
            bar.set_postfix(self._bar_stats(), refresh=False)
            bar.update(1)
        valid = self.getValidPopulation()
        if valid:
            best = self.toolbox.selBest(valid, 1)[0]
            msg = (
                f"Generation {g}: best individual {best.id} score {best.fitness.score:.4g} fitness "
                f"{best.fitness.values} {best.params}"
            )
            if self.verbose:
                print(msg)
            else:
                logger.info(msg)
        if self.verbose and g > 0:
            self.info(self.verbose_plotting)

    def runInitial(self):
        """Create, evaluate and select the initial population (generation 0)."""
        if self._gen0_done:
            raise RuntimeError("runInitial(): generation 0 of this evolution is done already; use runEvolution().")
        with self._generation_guard():
            self._times["start_initial"] = time.time()
            self.gIdx = 0
            with du.local_random(self._rng):
                pop = [self.toolbox.individual() for _ in range(self.POP_INIT_SIZE)]
            for ind in pop:
                self._tag(ind, 0)
            self._evaluate_population(pop)
            self.invalidPerGeneration[0] = len(self.getInvalidPopulation(pop))
            self.history[0] = list(pop)
            self._records[0] = self._record(pop)
            with du.local_random(self._rng):
                self.pop = self._select_survivors(pop, self.POP_SIZE)
            self._gen0_done = True
            self._times["end_initial"] = time.time()
            self._after_generation(pop)

    def runEvolution(self, target=None):
        """Run generations ``gIdx + 1 ... target`` (default: ``NGEN - 1`` more).

        Parameters
        ----------
        target : int, optional
            The last generation to run.
        """
        if not self._gen0_done:
            raise RuntimeError("runEvolution(): there is no initial population yet; call runInitial() or run() first.")
        if target is None:
            target = self.gIdx + self.NGEN - 1
        self._times.setdefault("start_evolution", time.time())
        for g in range(self.gIdx + 1, target + 1):
            with self._generation_guard():
                self.gIdx = g
                valid = self.getValidPopulation()
                invalid = self.getInvalidPopulation()
                with du.local_random(self._rng):
                    fresh = [self.toolbox.individual() for _ in invalid]
                    parents = self.toolbox.selectParents(self.pop, self.POP_SIZE, **self.PARENT_SELECT_P)
                    offspring = [self.toolbox.clone(p) for p in parents]
                    for a, b in zip(offspring[::2], offspring[1::2]):
                        ids = (getattr(a, "id", None), getattr(b, "id", None))
                        self.toolbox.mate(a, b, **self.MATE_P)
                        a.parentIds = b.parentIds = ids
                    for child in offspring:
                        del child.fitness.values
                        child.fitness.__dict__.pop("score", None)
                        child.fitness.__dict__.pop("crowding_dist", None)
                        for key in ("id", "gIdx", "simulation_stored", "error"):
                            child.__dict__.pop(key, None)
                        for field in self._fields:
                            child.__dict__.pop(field, None)
                    du.mutateUntilValid(offspring, self.paramInterval, self.toolbox, self.MUTATE_P)
                for ind in fresh:
                    self._tag(ind, g)
                for ind in offspring:
                    self._tag(ind, g)
                new = offspring + fresh
                self._evaluate_population(new)
                self.invalidPerGeneration[g] = len(self.getInvalidPopulation(new))
                candidates = valid + new
                self.history[g] = candidates
                with du.local_random(self._rng):
                    self.pop = self._select_survivors(candidates, self.POP_SIZE)
                self._records[g] = self._record(self.pop)
                self._after_generation(new)
        self._times["end_evolution"] = time.time()

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

    def _start_checkpoints(self, target):
        ckpt = _store.Checkpoints(self.HDF_FILE)
        base_state = self._state() if self._gen0_done else None
        base = {
            "fingerprint": self._fingerprint,
            "uid": self._uid,
            "seed": self.seed,
            "trajectoryName": self.trajectoryName,
            "created": time.time(),
            "target": int(target),
            "first_generation": self.gIdx + 1,
            "rng": dict(self._rng),
            "state": base_state,
        }
        try:
            self._ckpt_folder, self._lock = ckpt.start(self._uid, base, held=self._lock)
        except Exception as e:  # e.g. outputs that cannot be pickled: run without checkpoints
            warnings.warn(  # to act on (see neurolib.optimize): a crash now loses the run
                f"Cannot write the checkpoint of this evolution ({e}); it will not be resumable.", stacklevel=3
            )
            self._ckpt_folder = None
        self._run_target = int(target)

    def _checkpoint(self, g, new):
        if self._ckpt_folder is None:
            return
        candidates = self.history[g]
        payload = {
            "gIdx": g,
            "trajectoryName": self.trajectoryName,
            "new": new,
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
        try:
            _store.Checkpoints.write_generation(self._ckpt_folder, g, payload)
        except (pickle.PicklingError, TypeError, AttributeError) as e:
            logger.warning(f"The outputs of generation {g} cannot be pickled ({e}); checkpointing without them.")
            stripped = []
            for ind in new:
                c = pickle.loads(pickle.dumps(_eval_copy(ind)))
                c.fitness = ind.fitness
                c.outputs = {}
                stripped.append(c)
            payload["new"] = stripped
            _store.Checkpoints.write_generation(self._ckpt_folder, g, payload)

    def _resume(self, folder):
        base, payloads = _store.Checkpoints.load(folder)
        self.seed = int(base["seed"])
        self._uid = base["uid"]
        self.trajectoryName = base["trajectoryName"]
        self._rng = dict(base["rng"])
        if base["state"] is not None:
            self._apply_state(base["state"])
        by_id = {ind.id: ind for inds in self.history.values() for ind in inds}
        for p in payloads:
            for ind in p["new"]:
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
        self._ckpt_folder = folder
        self._run_target = int(base["target"])
        self.resumedFrom = self.gIdx
        logger.info(
            f"Resuming evolution {self.trajectoryName} from generation {self.gIdx} (of {self._run_target}), "
            f"checkpoints in {folder}."
        )

    def _header(self):
        attrs = {
            "algorithm": self.algorithm,
            "weightList": np.asarray(self.weightList, dtype=float),
            "parameterNames": json.dumps(self._names),
            "lowerBound": np.asarray(self.parameterSpace.lowerBound, dtype=float),
            "upperBound": np.asarray(self.parameterSpace.upperBound, dtype=float),
            "seed": str(self.seed),
            "evalFunction": str(_qualname(self.evalFunction)),
            "model": "None" if self.model is None else str(_qualname(type(self.model))),
            "provenance": _provenance.to_json(
                _provenance.collect(
                    self._times.get("start_initial", time.time()),
                    seeds={"seed": int(self.seed)},
                    arguments={
                        "algorithm": self.algorithm,
                        "POP_INIT_SIZE": self.POP_INIT_SIZE,
                        "POP_SIZE": self.POP_SIZE,
                        "NGEN": self.NGEN,
                        "ncores": getattr(self, "ncores", None),
                        "weightList": list(map(float, self.weightList)),
                    },
                )
            ),  # fmt: skip
        }
        parameters = {
            "popsize": self.POP_SIZE,
            "POP_INIT_SIZE": self.POP_INIT_SIZE,
            "NGEN": self.NGEN,
            "ind_len": len(self.pop[0]) if self.pop else 0,
            "seed": str(self.seed),
        }
        model_params = None if self.model is None else dict(self.model.params)
        return attrs, parameters, model_params

    def _outputs_of(self, g):
        out = {}
        for ind in self.history.get(g, []):
            if ind.gIdx == g and du.is_valid(ind):
                out[ind.id] = getattr(ind, "outputs", {}) or {}
        return out

    def _write_results(self, gens):
        try:
            items = [(g, self._records[g], self._outputs_of(g)) for g in gens]
            try:
                _store.write_generations(self.HDF_FILE, self.trajectoryName, self._uid, self._header, items)
            except _store.NameTaken:  # another evolution took the name: continue under a new one
                old = self.trajectoryName
                self.trajectoryName = _store.name_of_uid(self.HDF_FILE, self._uid) or self._unique_name(old)
                logger.warning(
                    f"{old!r} is taken in {self.HDF_FILE}; this evolution is stored as {self.trajectoryName!r}."
                )
                items = [(g, self._records[g], self._outputs_of(g)) for g in sorted(self._records)]
                _store.write_generations(self.HDF_FILE, self.trajectoryName, self._uid, self._header, items)
            for g in gens:
                for ind in self.history.get(g, []):
                    if ind.gIdx == g and du.is_valid(ind):
                        ind.simulation_stored = True
        except Exception as e:
            warnings.warn(  # to act on (see neurolib.optimize): the results are only in memory
                f"Could not store the results in {self.HDF_FILE} ({type(e).__name__}: {e}); they are kept in memory "
                f"(dfEvolution(), saveEvolution()).",
                stacklevel=2,
            )

    def _sync_results(self):
        """After a resume: store the generations the results file may lack (a damaged file is set aside)."""
        if os.path.exists(self.HDF_FILE):
            try:
                _store.evolution_names(self.HDF_FILE)
            except Exception as e:
                aside = f"{self.HDF_FILE}.damaged-{time.strftime('%Y%m%d-%H%M%S')}"
                os.replace(self.HDF_FILE, aside)
                logger.warning(
                    f"The results file {self.HDF_FILE} cannot be read ({e}); it was moved to {aside} and this "
                    f"evolution's results are written anew from its checkpoints."
                )
        if self._records:
            self._write_results(sorted(self._records))

    # ------------------------------------------------------------------ genealogy
    def _buildEvolutionTree(self):
        """Fill ``tree`` {id: parent ids}, ``id_genx`` {id: generation} and ``id_score`` {id: score}."""
        self.tree, self.id_genx, self.id_score = {}, {}, {}
        for g in sorted(self.history):
            for ind in self.history[g]:
                self.tree.setdefault(ind.id, tuple(getattr(ind, "parentIds", ())))
                self.id_genx.setdefault(ind.id, ind.gIdx)
                self.id_score.setdefault(ind.id, getattr(ind.fitness, "score", math.nan))

    # ------------------------------------------------------------------ inspection
    def getScores(self):
        """Scores of the valid individuals of the current population (numpy array)."""
        return np.array([ind.fitness.score for ind in self.getValidPopulation()], dtype=float)

    def getScoresDuringEvolution(self, traj=None, drop_first=True, reverse=False):
        """Scores of the population after every generation.

        Parameters
        ----------
        traj : StoredEvolution, optional
            A stored evolution (default: ``self.traj`` after :meth:`loadResults`, else this evolution).
        drop_first : bool
            Leave out generation 0 (the whole initial population, of another size).
        reverse : bool
            Accepted for compatibility and ignored: generations always come in increasing order (the published
            package needed ``reverse=True`` to get that order from a loaded file).

        Returns
        -------
        gens : numpy.ndarray
            Generation indices.
        all_scores : numpy.ndarray
            ``(n_gens, POP_SIZE)``; rows of different length (generation 0) are padded with NaN.
        """
        traj = self.traj if traj is None else traj
        if traj is None:
            items = [(g, np.asarray(r["scores"], float)) for g, r in sorted(self._records.items())]
        else:
            evo = traj.results.evolution
            items = sorted((int(k[4:]), np.asarray(v["scores"], float)) for k, v in evo.items())
        if drop_first:
            items = [(g, s) for g, s in items if g != 0]
        gens = np.array([g for g, _ in items], dtype=int)
        if not items:
            return gens, np.zeros((0, self.POP_SIZE))
        width = max(len(s) for _, s in items)
        all_scores = np.full((len(items), width), np.nan)
        for i, (_, s) in enumerate(items):
            all_scores[i, : len(s)] = s
        return gens, all_scores

    def _df(self, inds, outputs):
        """One row per individual; works for individuals the evolution has not tagged (e.g. from
        ``toolbox.population``): a missing id/generation is NaN, a missing score is computed from the fitness."""
        n_obj = len(self.weightList)
        rows = []
        for ind in inds:
            row = {name: ind[i] for i, name in enumerate(self._names)}
            fit = ind.fitness
            row["score"] = getattr(fit, "score", None)
            if row["score"] is None:
                finite = [w for w in fit.wvalues if math.isfinite(w)]
                row["score"] = sum(finite) / n_obj if fit.valid else math.nan
            row["id"] = getattr(ind, "id", math.nan)
            row["gen"] = getattr(ind, "gIdx", math.nan)
            if outputs:
                row.update(getattr(ind, "outputs", None) or {})
            raw = list(fit.values) if fit.valid else []
            raw += [math.nan] * (n_obj - len(raw))
            row.update({f"f{i}": v for i, v in enumerate(raw[:n_obj])})
            rows.append(row)
        import pandas as pd  # only needed here; keeps `import neurolib.optimize.evolution` light

        if not rows:
            return pd.DataFrame(columns=[*self._names, "score", "id", "gen", *(f"f{i}" for i in range(n_obj))])
        return pd.DataFrame(rows)

    def dfPop(self, outputs=False):
        """The valid individuals of the current population as a DataFrame.

        Parameters
        ----------
        outputs : bool
            Add one column per output of the evaluation (arrays in object columns).

        Returns
        -------
        pandas.DataFrame
            Columns: the parameters (original names), ``score``, ``id``, ``gen``, the outputs, ``f0 ... f{k-1}``
            (raw fitness values).
        """
        return self._df(self.getValidPopulation(), outputs)

    def dfEvolution(self, outputs=False):
        """Every individual of the history (once, in order of generation) as a DataFrame.

        Parameters
        ----------
        outputs : bool
            Add one column per output of the evaluation.

        Returns
        -------
        pandas.DataFrame
            The columns of :meth:`dfPop`; invalid individuals included (NaN fitness).
        """
        seen, inds = set(), []
        for g in sorted(self.history):
            for ind in self.history[g]:
                if ind.id not in seen:
                    seen.add(ind.id)
                    inds.append(ind)
        return self._df(inds, outputs).reset_index(drop=True)

    def info(self, plot=True, bestN=5, info=True, reverse=False):
        """Print a summary of the evolution and of the current population; optionally plot.

        Parameters
        ----------
        plot : bool
            Plot the progress and the population (saved into ``paths.FIGURES_DIR``).
        bestN : int
            How many of the best individuals to print.
        info : bool
            Also print the settings of the evolution.
        reverse : bool
            Passed to :meth:`plotProgress` (ignored there).
        """
        if info:
            eu.printEvolutionInfo(self)
        valid = self.getValidPopulation()
        scores = self.getScores()
        n_exc, n_nan = self.nInvalid["exception"], self.nInvalid["nonfinite"]
        rule = "=" * 24
        summary = [
            f"{rule} population after generation {self.gIdx} {rule}",
            f"valid individuals: {len(valid)} of {len(self.pop)}",
            f"mean score (weighted fitness): {np.mean(scores) if len(scores) else math.nan:.4g}",
            f"invalid evaluations so far: {n_exc + n_nan} of {self.evaluationCounter} ({n_exc} raised, {n_nan} "
            f"returned NaN/inf)",
        ]
        print("\n".join(summary))
        eu.printParamDist(self.pop, self.paramInterval, self.gIdx, names=self._names)
        top = self.toolbox.selBest(valid, bestN)
        print(f"{rule} the {len(top)} best (of {bestN} asked) {rule}")
        eu.printIndividuals(top, self.paramInterval, names=self._names)
        print("=" * (2 * len(rule) + 2))
        if not plot:
            return
        try:
            eu.plotProgress(self, reverse)
        except Exception as e:  # a plot must not break the summary
            logger.warning(f"Could not plot the progress: {e}")
        eu.plotPopulation(self, plotScattermatrix=True, save_plots=self.trajectoryName, color=self.plotColor)

    def plotProgress(self, reverse=False):
        """Plot the scores of every generation (image) and their mean and range (see :mod:`evolutionaryUtils`)."""
        return eu.plotProgress(self, reverse=reverse)

    def plotPopulation(self, **kwargs):
        """Plot the current population (score histogram, parameter pairs); see ``evolutionaryUtils.plotPopulation``."""
        return eu.plotPopulation(self, **kwargs)

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
        return _store.provenance(path, trajectoryName or (self.trajectoryName if filename is None else None))

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
            names = _store.evolution_names(path)
            trajectoryName = self.trajectoryName if self.trajectoryName in names else None
        self.traj = _store.StoredEvolution(path, trajectoryName)

    def __getstate__(self):
        state = dict(self.__dict__)
        for key in ("toolbox", "_bar", "_lock", "executor", "parameterSpace", "ParametersInterval", "paramInterval"):
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
        self._lock = None
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
        state["_ckpt_folder"] = None
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
        _store.write_atomic(fname, {"format": _SAVE_FORMAT, "state": state})
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
        evolution = Evolution.__new__(Evolution)
        evolution.__setstate__(obj["state"])
        evolution.traj = None
        return evolution

    def __repr__(self):
        return (
            f"<Evolution {self.trajectoryName}: {self.algorithm}, {len(self._names)} parameters, "
            f"generation {self.gIdx}, population {len(self.pop)}>"
        )
