"""Optimal control of the thalamic mass model."""

from neurolib.control.optimal_control.oc_thalamus.oc_thalamus import OcThalamus

__all__ = ["OcThalamus"]
