"""Kuramoto phase-oscillator model."""

from neurolib.models.kuramoto import loadDefaultParams, timeIntegration  # noqa: F401  (upstream module paths)
from neurolib.models.kuramoto.model import KuramotoModel

__all__ = ["KuramotoModel"]
