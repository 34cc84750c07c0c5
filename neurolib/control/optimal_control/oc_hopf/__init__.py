"""Optimal control of the Hopf model."""

from neurolib.control.optimal_control.oc_hopf.oc_hopf import OcHopf

__all__ = ["OcHopf"]
