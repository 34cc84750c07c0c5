"""FitzHugh-Nagumo neural mass model."""

from neurolib.models.fhn import loadDefaultParams, timeIntegration  # noqa: F401  (upstream module paths)
from neurolib.models.fhn.model import FHNModel

__all__ = ["FHNModel"]
