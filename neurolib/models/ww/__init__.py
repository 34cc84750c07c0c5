"""Wong-Wang neural mass model."""

from neurolib.models.ww import loadDefaultParams, timeIntegration  # noqa: F401  (upstream module paths)
from neurolib.models.ww.model import WWModel

__all__ = ["WWModel"]
