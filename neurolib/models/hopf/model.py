"""Hopf (Stuart-Landau) model class."""

from neurolib.models._native import NativeModel
from neurolib.models.hopf.loadDefaultParams import SPEC, loadDefaultParams
from neurolib.models.hopf.timeIntegration import timeIntegration


class HopfModel(NativeModel):
    """Stuart-Landau oscillators near a Hopf bifurcation, coupled through x.

    ``dx = (a - x^2 - y^2) x - w y + K_gl * coupling + x_ou + x_ext``,
    ``dy = (a - x^2 - y^2) y + w x + y_ou + y_ext`` (time in ms).
    """

    spec = SPEC
    _load_defaults = staticmethod(loadDefaultParams)
    _time_integration = staticmethod(timeIntegration)
