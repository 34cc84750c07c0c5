"""Optimal control of the Wilson-Cowan model."""

from neurolib.control.optimal_control.oc_wc.oc_wc import OcWc

__all__ = ["OcWc"]
