"""Optimal control of the Kuramoto model."""

from neurolib.control.optimal_control.oc import StrengthLastOC


class OcKuramoto(StrengthLastOC):
    """Optimal control of a :class:`~neurolib.models.kuramoto.KuramotoModel` (input ``theta_ext`` (rad/ms); output
    ``theta`` (rad, wrapped to [0, 2 pi))).

    Arguments and attributes as :class:`~neurolib.control.optimal_control.oc.OC`; ``maximum_control_strength`` is
    the last argument (the established package had none).
    """

    model_name = "kuramoto"
    model_title = "Kuramoto"
    param_names = ("omega", "k")
