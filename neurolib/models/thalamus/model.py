"""Thalamic mass model class."""

import numpy as np

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

    def randomICs(self, min=None, max=None, seed=None):
        """Draw new random initial voltages (and history rates) from their default distributions.

        With ``min`` and ``max`` given, they are drawn uniformly from [min, max) instead. The calcium, gate
        and synaptic initial values are left as they are.
        """
        rng = np.random.default_rng(seed)
        for name in ("V_t_init", "V_r_init", "Q_t_init", "Q_r_init"):
            shape = (1, 1) if np.ndim(self.params[name]) == 2 else (1,)
            if min is None or max is None:
                self.params[name] = np.reshape(self.spec.param(name).value(1, rng), shape)
            else:
                self.params[name] = rng.uniform(min, max, shape)
