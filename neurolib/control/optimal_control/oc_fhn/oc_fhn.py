"""Optimal control of the FitzHugh-Nagumo model."""

from neurolib.control.optimal_control.oc import OC


class OcFhn(OC):
    """Optimal control of a :class:`~neurolib.models.fhn.FHNModel` (inputs ``x_ext``, ``y_ext``; outputs ``x``, ``y``).

    Arguments and attributes as :class:`~neurolib.control.optimal_control.oc.OC`; ``maximum_control_strength``
    follows ``weights`` as in the established package.
    """

    model_name = "fhn"
    model_title = "FitzHugh-Nagumo"
    param_names = ("alpha", "beta", "gamma", "tau", "epsilon")
