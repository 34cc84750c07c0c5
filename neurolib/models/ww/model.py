"""Wong-Wang model class."""

from neurolib.models._native import NativeModel
from neurolib.models.ww.loadDefaultParams import SPEC, loadDefaultParams
from neurolib.models.ww.timeIntegration import timeIntegration


class WWModel(NativeModel):
    """Reduced Wong-Wang model with an excitatory (NMDA gating se) and an inhibitory (GABA gating si)
    population per node (Deco et al. 2014), coupled through se. Rates ``r_exc``, ``r_inh`` in kHz."""

    spec = SPEC
    _load_defaults = staticmethod(loadDefaultParams)
    _time_integration = staticmethod(timeIntegration)
