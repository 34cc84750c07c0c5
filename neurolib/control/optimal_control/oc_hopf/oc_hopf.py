"""Optimal control of the Hopf model."""

from neurolib.control.optimal_control.oc import OC


class OcHopf(OC):
    """Optimal control of a :class:`~neurolib.models.hopf.HopfModel` (inputs ``x_ext``, ``y_ext``; outputs ``x``,
    ``y``).

    Arguments and attributes as :class:`~neurolib.control.optimal_control.oc.OC`; ``maximum_control_strength``
    follows ``weights`` as in the established package.
    """

    model_name = "hopf"
    model_title = "Hopf"
    param_names = ("a", "w")
