"""Optimal control of the ALN model."""

from neurolib.control.optimal_control.oc_aln.oc_aln import OcAln

__all__ = ["OcAln"]
