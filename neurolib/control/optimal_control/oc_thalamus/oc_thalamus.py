"""Optimal control of the thalamic mass model."""

from neurolib.control.optimal_control._classes import check_model
from neurolib.control.optimal_control.oc import OC


class OcThalamus(OC):
    """Optimal control of a :class:`~neurolib.models.thalamus.ThalamicMassModel` (inputs ``ext_current_t``,
    ``ext_current_r``; outputs ``V_t``, ``V_r`` (mV), ``Q_t``, ``Q_r`` (Hz)).

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
        check_model(model, "thalamus", "thalamic mass", "OcThalamus")
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
