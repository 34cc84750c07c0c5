"""Optimal control of the Kuramoto model."""

from neurolib.control.optimal_control.oc_kuramoto.oc_kuramoto import OcKuramoto

__all__ = ["OcKuramoto"]
