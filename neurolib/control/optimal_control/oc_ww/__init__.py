"""Optimal control of the Wong-Wang model."""

from neurolib.control.optimal_control.oc_ww.oc_ww import OcWw

__all__ = ["OcWw"]
