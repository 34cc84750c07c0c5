"""Optimal control of MultiModel nodes and networks."""

from neurolib.control.optimal_control.oc_multimodel.oc_multimodel import OcMultiModel

__all__ = ["OcMultiModel"]
