"""Optimal control of the thalamic mass model."""

from neurolib.control.optimal_control.oc import StrengthLastOC


class OcThalamus(StrengthLastOC):
    """Optimal control of a :class:`~neurolib.models.thalamus.ThalamicMassModel` (inputs ``ext_current_t``,
    ``ext_current_r``; outputs ``V_t``, ``V_r`` (mV), ``Q_t``, ``Q_r`` (Hz)).

    Arguments and attributes as :class:`~neurolib.control.optimal_control.oc.OC`; ``maximum_control_strength`` is
    the last argument (the established package had none).
    """

    model_name = "thalamus"
    model_title = "thalamic mass"
