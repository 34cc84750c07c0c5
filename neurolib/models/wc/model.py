"""Wilson-Cowan model class."""

from neurolib.models._native import NativeModel
from neurolib.models.wc.loadDefaultParams import SPEC, loadDefaultParams
from neurolib.models.wc.timeIntegration import timeIntegration


class WCModel(NativeModel):
    """Wilson-Cowan excitatory/inhibitory rate model, coupled additively E to E; rates clipped to [0, 1]."""

    spec = SPEC
    _load_defaults = staticmethod(loadDefaultParams)
    _time_integration = staticmethod(timeIntegration)
