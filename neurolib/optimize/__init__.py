"""Exploration (``neurolib.optimize.exploration``) and optimisation of model parameters."""

# How the optimisation code talks to the user (each message is emitted exactly once, through one channel):
# * ``warnings.warn`` for what the user should act on (a parameter space that does not mean what it probably
#   should, a function that cannot be saved, results that could not be written);
# * ``logging`` (logger ``neurolib.optimize...``) for progress and reports of what happened (runs resumed or
#   finished, runs that failed or produced NaN/inf, which are also recorded in the results).
# Never both for the same event.

from neurolib.optimize._evaluate import BatchedEvaluation, batched  # noqa: E402  (after the notes above)

__all__ = ["BatchedEvaluation", "batched"]
