"""ALN model class."""

from neurolib.models._native import NativeModel
from neurolib.models.aln.loadDefaultParams import SPEC, loadDefaultParams
from neurolib.models.aln.timeIntegration import timeIntegration


class ALNModel(NativeModel):
    """Adaptive linear-nonlinear cascade mean field of coupled excitatory and inhibitory AdEx populations.

    Rates ``rates_exc``, ``rates_inh`` in Hz, adaptation current ``IA`` in pA. The population rates are read
    from a transfer-function table (``lookupTableFileName``; default: the table computed by
    ``python -m neurolib.models.aln.precompute``).
    """

    spec = SPEC
    _load_defaults = staticmethod(loadDefaultParams)
    _time_integration = staticmethod(timeIntegration)

    def __init__(self, params=None, Cmat=None, Dmat=None, lookupTableFileName=None, seed=None):
        self.lookupTableFileName = lookupTableFileName
        if params is None:
            params = loadDefaultParams(Cmat=Cmat, Dmat=Dmat, lookupTableFileName=lookupTableFileName, seed=seed)
        super().__init__(params=params, Cmat=Cmat, Dmat=Dmat, seed=seed)
