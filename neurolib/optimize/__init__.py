"""Exploration (``neurolib.optimize.exploration``) and optimisation of model parameters."""
