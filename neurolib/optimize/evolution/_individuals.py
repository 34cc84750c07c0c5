"""The individuals of an :class:`~neurolib.optimize.evolution.Evolution`: what an evaluation receives
(:class:`EvolutionContext`), copies, ids and seeds, look-ups, and the fitness set from an evaluation's result."""

from __future__ import annotations

import logging
import math
import numbers

import numpy as np

from neurolib.errors import ParameterError, ParameterTypeError
from neurolib.optimize._evaluate import individual_params
from neurolib.optimize.evolution import deapUtils as du
from neurolib.optimize.evolution._setup import _qualname

logger = logging.getLogger(__name__)

_RESERVED_ATTRS = {"fitness", "id", "gIdx", "params", "outputs", "parentIds", "simulation_stored", "error"}


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


class _IndividualsMixin:
    """Individuals of :class:`~neurolib.optimize.evolution.Evolution`: tagging, seeds, look-ups, fitness."""

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
