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
  worker processes, or on any executor such as a ``dask.distributed.Client``) and results go to a record file
  indexed by an HDF5 file, written by this process only (:mod:`neurolib._storage.evolution`);
* reproducible: ``seed=`` drives every random choice of the algorithm through generator states owned by the
  evolution (the global :mod:`random` and ``numpy.random`` states are swapped in only while an operator runs and
  restored afterwards), and each individual gets its own seed for noisy evaluations, derived from the evolution
  seed and its id. The same seed gives the same populations whatever the number of workers;
* resumable: every generation is recorded as it ends; running the same evolution again after a crash continues from
  the last completed generation and ends exactly where an uninterrupted run would have ended;
* invalid individuals (the evaluation raised, or returned NaN/inf) are marked, never preferred to valid ones in
  the selections, replaced by fresh random individuals, and counted in :meth:`Evolution.info`;
* a progress bar shows the generations with the best and mean score;
* :meth:`Evolution.saveEvolution` writes a plain pickle (no dill); lambdas are not needed anywhere.
"""

from __future__ import annotations

import datetime
import logging
import numbers
import os
import time
import uuid
from collections.abc import Callable, Sequence
from typing import TYPE_CHECKING, Any

import numpy as np
from deap import base, tools

from neurolib._storage.evolution import EvolutionStore
from neurolib._storage.files import check_writable
from neurolib.errors import ParameterError, ParameterTypeError
from neurolib.optimize._evaluate import BatchedEvaluation, evaluate_population
from neurolib.optimize._runner import TaskError, run_tasks
from neurolib.optimize.evolution import deapUtils as du
from neurolib.optimize.evolution._analysis import _AnalysisMixin
from neurolib.optimize.evolution._checkpoint import _SAVE_FORMAT, _CheckpointMixin, _Unsaved  # noqa: F401 (saves)
from neurolib.optimize.evolution._individuals import EvolutionContext, _clone, _eval_copy, _IndividualsMixin
from neurolib.optimize.evolution._setup import ALGORITHMS, _check_arguments  # noqa: F401 (ALGORITHMS: public)
from neurolib.utils import paths

if TYPE_CHECKING:
    from neurolib.models.model import Model
    from neurolib.utils.parameterSpace import ParameterSpace

logger = logging.getLogger(__name__)

__all__ = ["Evolution", "EvolutionContext", "EvolutionError"]


class EvolutionError(RuntimeError):
    """Every evaluation of a generation raised (the first traceback is in the message)."""


def _evaluate(evalFunction, ctx):
    """What a worker runs for one individual."""
    return evalFunction(ctx)


class Evolution(_IndividualsMixin, _CheckpointMixin, _AnalysisMixin):
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

    # the operators and their keyword arguments (set from the arguments by _resolve_operators)
    individualGenerator: Callable[..., Any]
    matingOperator: Callable[..., Any]
    mutationOperator: Callable[..., Any]
    selectionOperator: Callable[..., Any]
    parentSelectionOperator: Callable[..., Any]
    IND_GENERATOR_P: dict
    MATE_P: dict
    MUTATE_P: dict
    SELECT_P: dict
    PARENT_SELECT_P: dict

    def __init__(
        self,
        evalFunction: Callable[..., Any],
        parameterSpace: ParameterSpace,
        weightList: Sequence[float] | None = None,
        model: Model | None = None,
        filename: str = "evolution.hdf",
        ncores: int | None = None,
        POP_INIT_SIZE: int = 100,
        POP_SIZE: int = 20,
        NGEN: int = 10,
        algorithm: str = "adaptive",
        matingOperator: Callable[..., Any] | None = None,
        MATE_P: dict | None = None,
        mutationOperator: Callable[..., Any] | None = None,
        MUTATE_P: dict | None = None,
        selectionOperator: Callable[..., Any] | None = None,
        SELECT_P: dict | None = None,
        parentSelectionOperator: Callable[..., Any] | None = None,
        PARENT_SELECT_P: dict | None = None,
        individualGenerator: Callable[..., Any] | None = None,
        IND_GENERATOR_P: dict | None = None,
        *,
        executor: Any = None,
        seed: int | None = None,
        resume: bool = True,
        progress: bool = True,
    ) -> None:
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
        self._run_target = self._store = None

        model_seed = None
        if model is not None:
            s = model.params.get("seed")
            if isinstance(s, numbers.Integral) and not isinstance(s, bool):
                model_seed = int(s)
        self._model_seed_free = model is not None and "seed" in model.params and model.params.get("seed") is None
        requested = int(seed) if seed is not None else model_seed
        self._fingerprint = self._make_fingerprint(requested)
        self.seed = requested if requested is not None else int(np.random.SeedSequence().entropy)  # type: ignore[arg-type]
        self._rng = du.new_random_state(self.seed)
        self._build_toolbox()

        if resume:
            store, replay = EvolutionStore.resume(self.HDF_FILE, self._fingerprint)
            if store is not None:
                try:
                    self._resume(replay)
                except BaseException:
                    store.close()
                    raise
                self._store = store  # held until run() returns: no other process resumes it meanwhile

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

    # ------------------------------------------------------------------ selection
    def _select_survivors(self, candidates, k):
        """Survivor selection among the valid candidates; invalid ones only fill up missing places."""
        valid = [c for c in candidates if du.is_valid(c)]
        invalid = [c for c in candidates if not du.is_valid(c)]
        if len(valid) >= k:
            return list(self.toolbox.select(valid, k, **self.SELECT_P))
        chosen = list(self.toolbox.select(valid, len(valid), **self.SELECT_P)) if valid else []
        return chosen + invalid[: k - len(chosen)]

    # ------------------------------------------------------------------ running
    def run(self, verbose: bool = False, verbose_plotting: bool = True) -> None:
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
            self._open_store(target)
        else:
            target = self._run_target
            if self._store is None:  # continuing after an exception
                self._open_store(target)
        bar = self._progress_bar(target)
        self._bar = bar
        try:
            if not self._gen0_done:
                self.runInitial()
            self.runEvolution(target)
        except BaseException:
            self._close_store(finished=False)  # the records stay for a resume, by this or another process
            raise
        finally:
            self._bar = None
            if bar is not None:
                bar.close()
        self._times["end"] = time.time()
        self._buildEvolutionTree()
        self._close_store(finished=True)
        self._run_target = None

    def _after_generation(self, new):
        """Checkpoint, store, report."""
        g = self.gIdx
        self._checkpoint(g, new)
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

    def runInitial(self) -> None:
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

    def runEvolution(self, target: int | None = None) -> None:
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
