"""Optimal control of the Wong-Wang model."""

from neurolib.control.optimal_control.oc import StrengthLastOC


class OcWw(StrengthLastOC):
    """Optimal control of a :class:`~neurolib.models.ww.WWModel` (inputs ``exc_current``, ``inh_current`` (nA); outputs
    ``r_exc``, ``r_inh`` (kHz), ``se``, ``si``).

    Arguments and attributes as :class:`~neurolib.control.optimal_control.oc.OC`; ``maximum_control_strength`` is
    the last argument (the established package had none).
    """

    model_name = "wongwang"
    model_title = "Wong-Wang"
