"""Hopf (Stuart-Landau) neural mass model."""

from neurolib.models.hopf import loadDefaultParams, timeIntegration  # noqa: F401  (upstream module paths)
from neurolib.models.hopf.model import HopfModel

__all__ = ["HopfModel"]
