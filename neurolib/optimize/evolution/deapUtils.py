"""Individuals, fitness and evolutionary operators of :class:`~neurolib.optimize.evolution.Evolution`.

The operators follow DEAP's conventions (they change individuals in place and draw their random numbers from
Python's :mod:`random` module) so that DEAP's own operators and these can be mixed freely. They never seed or
keep random state themselves: :class:`~neurolib.optimize.evolution.Evolution` runs every operator inside
:func:`local_random`, which swaps the evolution's own generator states into :mod:`random` and ``numpy.random``
for the duration of the call and restores the caller's states afterwards.

Individuals are instances of :class:`Individual` (a ``list`` of genes with a :class:`Fitness`); unlike DEAP's
``creator`` classes they are ordinary module-level classes, so they pickle by reference in any process and two
evolutions with different weights can live side by side.
"""

from __future__ import annotations

import contextlib
import copy
import math
import random

import numpy as np
from deap import base

from neurolib.errors import ParameterError

__all__ = [
    "Fitness",
    "Individual",
    "checkParamValidity",
    "cxNormDraw_adapt",
    "cxUniform_adapt",
    "cxUniform_normDraw_adapt",
    "gaussianAdaptiveMutation_nStepSizes",
    "is_valid",
    "local_random",
    "mutateUntilValid",
    "randomParameters",
    "randomParametersAdaptive",
    "selBest_multiObj",
    "selRank",
]


# ---------------------------------------------------------------------------------------------- types
class Fitness(base.Fitness):
    """DEAP fitness whose weights belong to the instance (not to a class made with ``deap.creator``).

    Parameters
    ----------
    weights : sequence of float
        One weight per objective: positive maximises, negative minimises.
    values : sequence of float, optional
        Initial (unweighted) fitness values.

    Attributes
    ----------
    score : float
        Set by the evolution after evaluation: the mean of the finite weighted values (higher is better).
    """

    def __init__(self, weights=(1.0,), values=()):
        self.weights = tuple(float(w) for w in weights)
        super().__init__(values)

    def __deepcopy__(self, memo):
        new = Fitness.__new__(type(self))
        new.__dict__.update(copy.deepcopy(self.__dict__, memo))
        return new

    def __repr__(self):
        return f"Fitness(weights={self.weights}, values={self.values if self.valid else ()})"


class Individual(list):
    """A candidate solution: a list of genes (floats) with a :class:`Fitness` in ``.fitness``.

    Parameters
    ----------
    genes : iterable of float
    weights : sequence of float
        Weights of the fitness.

    Notes
    -----
    The evolution tags every individual with ``id`` (unique, in order of creation), ``gIdx`` (generation of
    birth), ``params`` (``{name: value}``) and one attribute per parameter, and after evaluation with
    ``outputs`` (the dict the evaluation function returned).
    """

    def __init__(self, genes=(), weights=(1.0,)):
        super().__init__(float(g) for g in genes)
        self.fitness = Fitness(weights)

    def __deepcopy__(self, memo):
        new = type(self).__new__(type(self))
        memo[id(self)] = new
        new.extend(self)
        new.__dict__.update(copy.deepcopy(self.__dict__, memo))
        return new

    def __reduce_ex__(self, protocol):
        return (_rebuild_individual, (type(self), list(self), self.__dict__))

    def __repr__(self):
        return f"Individual(id={getattr(self, 'id', None)}, genes={list(self)!r})"


def _rebuild_individual(cls, genes, state):
    ind = cls.__new__(cls)
    ind.extend(genes)
    ind.__dict__.update(state)
    return ind


def is_valid(individual):
    """True if the individual has a fitness and all its values are finite."""
    w = individual.fitness.wvalues
    return len(w) > 0 and all(math.isfinite(v) for v in w)


def _rank_key(individual):
    """Sort key of the single- and multi-objective selections: the sum of the weighted values, invalid last."""
    if not is_valid(individual):
        return -math.inf
    return float(np.nansum(individual.fitness.wvalues))


# ---------------------------------------------------------------------------------------------- random state
@contextlib.contextmanager
def local_random(state):
    """Run a block with the generator states of ``state`` in :mod:`random` and ``numpy.random``.

    Parameters
    ----------
    state : dict
        ``{"python": random.getstate() tuple, "numpy": numpy.random.get_state() tuple}``; updated in place with
        the states reached at the end of the block.

    Notes
    -----
    The caller's global states are restored when the block ends (also on errors), so no global random state is
    changed. Not thread-safe: do not use :mod:`random` in other threads while an operator runs.
    """
    saved_py = random.getstate()
    saved_np = np.random.get_state()  # noqa: NPY002 (the legacy global state, swapped and restored)
    random.setstate(state["python"])
    np.random.set_state(state["numpy"])  # noqa: NPY002 (the legacy global state, swapped and restored)
    try:
        yield
    finally:
        state["python"] = random.getstate()
        state["numpy"] = np.random.get_state()  # noqa: NPY002 (the legacy global state, swapped and restored)
        random.setstate(saved_py)
        np.random.set_state(saved_np)  # noqa: NPY002 (the legacy global state, swapped and restored)


def new_random_state(seed):
    """Generator states for :func:`local_random`, derived from ``seed`` (a non-negative int)."""
    ss = np.random.SeedSequence(int(seed), spawn_key=(0xE70,))
    py = random.Random(int.from_bytes(ss.generate_state(4, np.uint32).tobytes(), "little"))
    rs = np.random.RandomState(np.random.MT19937(ss.spawn(1)[0]))
    return {"python": py.getstate(), "numpy": rs.get_state()}


# ---------------------------------------------------------------------------------------------- generators
def _bounds(paramInterval):
    return [(float(lo), float(hi)) for lo, hi in paramInterval]


def randomParameters(paramInterval):
    """One gene per parameter, uniform within its bounds (the ``nsga2`` individual).

    Parameters
    ----------
    paramInterval : sequence of (low, high)
        The bounds of each parameter (e.g. ``evolution.paramInterval``).

    Returns
    -------
    list of float
    """
    return [random.uniform(lo, hi) for lo, hi in _bounds(paramInterval)]


def randomParametersAdaptive(paramInterval):
    """Genes of the ``adaptive`` algorithm: one value per parameter, then one mutation step size per parameter.

    Parameters
    ----------
    paramInterval : sequence of (low, high)

    Returns
    -------
    list of float
        ``n`` values uniform within the bounds followed by ``n`` step sizes ``|high - low| / 3``.
    """
    bounds = _bounds(paramInterval)
    return [random.uniform(lo, hi) for lo, hi in bounds] + [abs(hi - lo) / 3.0 for lo, hi in bounds]


# ---------------------------------------------------------------------------------------------- mutation
def gaussianAdaptiveMutation_nStepSizes(individual, gamma_gl=None, gamma=None):
    """Uncorrelated self-adaptive Gaussian mutation with one step size per parameter (in place).

    The individual holds ``n`` values followed by ``n`` step sizes. With one global draw ``g ~ N(0, 1)``, each
    step size becomes ``sigma_i * exp(gamma * N_i(0, 1) + gamma_gl * g)`` and then each value moves by
    ``sigma_i * N(0, 1)`` with the new step size (Eiben & Smith, Introduction to Evolutionary Computing, 4.4.2).

    Parameters
    ----------
    individual : Individual
        Of even length ``2 n``.
    gamma_gl : float, optional
        Global learning rate; default ``1 / sqrt(2 n)``.
    gamma : float, optional
        Per-gene learning rate; default ``1 / sqrt(2 sqrt(n))``.

    Returns
    -------
    tuple
        ``(individual,)``.
    """
    if len(individual) % 2:
        raise ParameterError(
            f"gaussianAdaptiveMutation_nStepSizes needs n values followed by n step sizes; got {len(individual)} genes."
        )
    n = len(individual) // 2
    if gamma_gl is None:
        gamma_gl = 1.0 / math.sqrt(2.0 * n)
    if gamma is None:
        gamma = 1.0 / math.sqrt(2.0 * math.sqrt(n))
    g = random.gauss(0.0, 1.0)
    for i in range(n):
        sigma = individual[n + i] * math.exp(gamma * random.gauss(0.0, 1.0) + gamma_gl * g)
        individual[n + i] = sigma
        individual[i] = individual[i] + sigma * random.gauss(0.0, 1.0)
    return (individual,)


def checkParamValidity(individual, paramInterval):
    """Whether the first ``n`` genes lie within their bounds (inclusive).

    Parameters
    ----------
    individual : sequence of float
    paramInterval : sequence of (low, high)

    Returns
    -------
    bool
    """
    return all(lo <= individual[i] <= hi for i, (lo, hi) in enumerate(_bounds(paramInterval)))


def mutateUntilValid(pop, paramInterval, toolbox, MUTATE_P=None, maxTries=100):
    """Mutate every individual once, redrawing mutations that leave the bounds (in place).

    Each individual is mutated with ``toolbox.mutate(ind, **MUTATE_P)``. While a parameter lies outside its
    bounds, the mutation is undone and drawn again (with the same ``MUTATE_P``), at most ``maxTries`` times;
    values still outside after that are clipped to the bounds.

    Parameters
    ----------
    pop : list of Individual
    paramInterval : sequence of (low, high)
    toolbox : deap.base.Toolbox
        With a registered ``mutate``.
    MUTATE_P : dict, optional
        Keyword arguments of the mutation.
    maxTries : int
        Redraws per individual before clipping.
    """
    MUTATE_P = MUTATE_P or {}
    bounds = _bounds(paramInterval)
    for ind in pop:
        before = list(ind)
        toolbox.mutate(ind, **MUTATE_P)
        tries = 0
        while not checkParamValidity(ind, bounds) and tries < maxTries:
            ind[:] = before
            toolbox.mutate(ind, **MUTATE_P)
            tries += 1
        for i, (lo, hi) in enumerate(bounds):
            ind[i] = min(max(ind[i], lo), hi)


# ---------------------------------------------------------------------------------------------- selection
def selRank(pop, k, s=1.5):
    """Linear ranking selection (Eiben & Smith): ``k`` roulette draws with replacement.

    The individuals are ranked by the sum of their weighted fitness values (invalid ones last); the one at rank
    ``r`` (0 = best) of ``mu`` is drawn with probability ``(2 - s) / mu + 2 (s - 1) (mu - 1 - r) / (mu (mu - 1))``.

    Parameters
    ----------
    pop : list of Individual
    k : int
        Number of draws.
    s : float
        Selection pressure, ``1 < s <= 2``.

    Returns
    -------
    list of Individual
        The drawn individuals (the objects of ``pop``, not copies).
    """
    mu = len(pop)
    if mu == 0 or k <= 0:
        return []
    order = sorted(pop, key=_rank_key, reverse=True)
    if mu == 1:
        return [order[0]] * k
    weights = [(2.0 - s) / mu + 2.0 * (s - 1.0) * (mu - 1 - r) / (mu * (mu - 1)) for r in range(mu)]
    return random.choices(order, weights=weights, k=k)


def selBest_multiObj(pop, k):
    """The ``k`` individuals with the largest sum of weighted fitness values (invalid ones last).

    Parameters
    ----------
    pop : list of Individual
    k : int

    Returns
    -------
    list of Individual
        Best first; ties keep their order in ``pop``.
    """
    return sorted(pop, key=_rank_key, reverse=True)[:k]


# ---------------------------------------------------------------------------------------------- crossover
def _halves(ind1, ind2):
    if len(ind1) != len(ind2) or len(ind1) % 2:
        raise ParameterError(
            f"The adaptive crossovers need two individuals of the same even length (values + step sizes), got "
            f"lengths {len(ind1)} and {len(ind2)}."
        )
    return len(ind1) // 2


def cxNormDraw_adapt(ind1, ind2, sigma_scale=2.0):
    """Redraw every gene and step size of both children from a normal around the parents' mean (in place).

    Gene ``i`` of each child is drawn from ``N((a_i + b_i) / 2, |a_i - b_i| / sigma_scale)``.

    Parameters
    ----------
    ind1, ind2 : Individual
        Adaptive individuals (values followed by step sizes).
    sigma_scale : float

    Returns
    -------
    tuple
        ``(ind1, ind2)``.
    """
    _halves(ind1, ind2)
    for i, (a, b) in enumerate(zip(list(ind1), list(ind2))):
        mean, sd = (a + b) / 2.0, abs(a - b) / sigma_scale
        ind1[i] = random.gauss(mean, sd)
        ind2[i] = random.gauss(mean, sd)
    return ind1, ind2


def cxUniform_adapt(ind1, ind2, indpb):
    """Swap gene ``i`` and its step size between the children with probability ``indpb`` (in place).

    Parameters
    ----------
    ind1, ind2 : Individual
        Adaptive individuals (values followed by step sizes).
    indpb : float

    Returns
    -------
    tuple
        ``(ind1, ind2)``.
    """
    n = _halves(ind1, ind2)
    for i in range(n):
        if random.random() < indpb:
            ind1[i], ind2[i] = ind2[i], ind1[i]
            ind1[n + i], ind2[n + i] = ind2[n + i], ind1[n + i]
    return ind1, ind2


def cxUniform_normDraw_adapt(ind1, ind2, indpb):
    """With probability ``indpb`` per gene: redraw it from ``N(mean, |difference| / 4)`` and swap the step sizes.

    Parameters
    ----------
    ind1, ind2 : Individual
        Adaptive individuals (values followed by step sizes).
    indpb : float

    Returns
    -------
    tuple
        ``(ind1, ind2)``.
    """
    n = _halves(ind1, ind2)
    for i in range(n):
        if random.random() < indpb:
            a, b = ind1[i], ind2[i]
            mean, sd = (a + b) / 2.0, abs(a - b) / 4.0
            ind1[i] = random.gauss(mean, sd)
            ind2[i] = random.gauss(mean, sd)
            ind1[n + i], ind2[n + i] = ind2[n + i], ind1[n + i]
    return ind1, ind2
