"""Optimal control of the FitzHugh-Nagumo model."""

from neurolib.control.optimal_control.oc_fhn.oc_fhn import OcFhn

__all__ = ["OcFhn"]
