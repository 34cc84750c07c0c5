"""Balloon-Windkessel BOLD model."""

from neurolib.models.bold.model import BOLDModel
from neurolib.models.bold.timeIntegration import simulateBOLD

__all__ = ["BOLDModel", "simulateBOLD"]
