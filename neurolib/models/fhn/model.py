"""FitzHugh-Nagumo model class."""

from neurolib.models._native import NativeModel
from neurolib.models.fhn.loadDefaultParams import SPEC, loadDefaultParams
from neurolib.models.fhn.timeIntegration import timeIntegration


class FHNModel(NativeModel):
    """FitzHugh-Nagumo oscillators coupled through x.

    ``dx = -alpha x^3 + beta x^2 + gamma x - y + K_gl * coupling + x_ou + x_ext``,
    ``dy = (x - delta - epsilon y) / tau + y_ou + y_ext`` (time in ms).
    """

    spec = SPEC
    _load_defaults = staticmethod(loadDefaultParams)
    _time_integration = staticmethod(timeIntegration)
