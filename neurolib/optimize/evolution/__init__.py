"""Evolutionary optimisation of model parameters: :class:`Evolution` (adaptive or NSGA-II, resumable, parallel).

See :mod:`neurolib.optimize.evolution.evolution` (the facade and the generation loop; its individuals, checkpoints
and analysis are in ``_individuals``, ``_checkpoint`` and ``_analysis``); the operators live in
:mod:`~neurolib.optimize.evolution.deapUtils`, the printing and plotting helpers in
:mod:`~neurolib.optimize.evolution.evolutionaryUtils`.
"""

from neurolib.optimize.evolution.evolution import Evolution, EvolutionContext, EvolutionError

__all__ = ["Evolution", "EvolutionContext", "EvolutionError"]
