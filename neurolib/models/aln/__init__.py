"""ALN (adaptive linear-nonlinear cascade) neural mass model."""

from neurolib.models.aln import loadDefaultParams, timeIntegration  # noqa: F401  (upstream module paths)
from neurolib.models.aln.model import ALNModel

__all__ = ["ALNModel"]
