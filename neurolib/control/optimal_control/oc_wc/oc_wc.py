"""Optimal control of the Wilson-Cowan model."""

from neurolib.control.optimal_control.oc import StrengthLastOC


class OcWc(StrengthLastOC):
    """Optimal control of a :class:`~neurolib.models.wc.WCModel` (inputs ``exc_ext``, ``inh_ext``; outputs ``exc``,
    ``inh``).

    Arguments and attributes as :class:`~neurolib.control.optimal_control.oc.OC`; ``maximum_control_strength`` is
    the last argument (the established package had none).
    """

    model_name = "wc"
    model_title = "Wilson-Cowan"
    param_names = (
        "tau_exc",
        "tau_inh",
        "a_exc",
        "a_inh",
        "mu_exc",
        "mu_inh",
        "c_excexc",
        "c_inhexc",
        "c_excinh",
        "c_inhinh",
        "exc_ext_baseline",
        "inh_ext_baseline",
    )
