"""Thalamic mass model class."""

from neurolib.models._native import NativeModel
from neurolib.models.thalamus.loadDefaultParams import SPEC, loadDefaultParams
from neurolib.models.thalamus.timeIntegration import timeIntegration


class ThalamicMassModel(NativeModel):
    """Thalamocortical relay (TCR) and reticular (TRN) populations of Costa et al. (2016); a single node.

    Outputs: voltages ``V_t``, ``V_r`` (mV) and firing rates ``Q_t``, ``Q_r`` (Hz). Default dt is 0.01 ms.
    """

    spec = SPEC
    _load_defaults = staticmethod(lambda Cmat=None, Dmat=None, seed=None: loadDefaultParams(seed=seed))
    _time_integration = staticmethod(timeIntegration)

    def __init__(self, params=None, seed=None):
        super().__init__(params=params, seed=seed)
