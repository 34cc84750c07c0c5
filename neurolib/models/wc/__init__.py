"""Wilson-Cowan neural mass model."""

from neurolib.models.wc import loadDefaultParams, timeIntegration  # noqa: F401  (upstream module paths)
from neurolib.models.wc.model import WCModel

__all__ = ["WCModel"]
