"""Optimal control of the Wong-Wang model."""

from neurolib.control.optimal_control._classes import check_model
from neurolib.control.optimal_control.oc import OC


class OcWw(OC):
    """Optimal control of a :class:`~neurolib.models.ww.WWModel` (inputs ``exc_current``, ``inh_current`` (nA); outputs
    ``r_exc``, ``r_inh`` (kHz), ``se``, ``si``).

    Arguments and attributes as :class:`~neurolib.control.optimal_control.oc.OC`; ``maximum_control_strength`` is
    the last argument (the established package had none).
    """

    def __init__(
        self,
        model,
        target,
        weights=None,
        print_array=(),
        cost_interval=(None, None),
        control_interval=(None, None),
        cost_matrix=None,
        control_matrix=None,
        M=1,
        M_validation=0,
        validate_per_step=False,
        maximum_control_strength=None,
    ):
        check_model(model, "wongwang", "Wong-Wang", "OcWw")
        super().__init__(
            model,
            target,
            weights,
            maximum_control_strength,
            print_array,
            cost_interval,
            control_interval,
            cost_matrix,
            control_matrix,
            M,
            M_validation,
            validate_per_step,
        )
