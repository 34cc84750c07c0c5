"""Thalamic mass model (Costa et al. 2016)."""

from neurolib.models.thalamus import loadDefaultParams, timeIntegration  # noqa: F401  (upstream module paths)
from neurolib.models.thalamus.model import ThalamicMassModel

__all__ = ["ThalamicMassModel"]
