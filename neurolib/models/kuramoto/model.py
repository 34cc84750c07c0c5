"""Kuramoto model class."""

from neurolib.models._native import NativeModel
from neurolib.models.kuramoto.loadDefaultParams import SPEC, loadDefaultParams
from neurolib.models.kuramoto.timeIntegration import timeIntegration


class KuramotoModel(NativeModel):
    """Kuramoto phase oscillators with delayed sine coupling ``(k / N) sum_j Cmat[n, j] sin(theta_j - theta_n)``."""

    spec = SPEC
    _load_defaults = staticmethod(loadDefaultParams)
    _time_integration = staticmethod(timeIntegration)
