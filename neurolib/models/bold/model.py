"""BOLDModel: Balloon-Windkessel hemodynamics driven chunk by chunk, sampled every 2 s."""

import numpy as np

from neurolib.errors import ParameterError
from neurolib.models.bold.timeIntegration import _integrate, kept_samples

TR_MS = 2000.0  # BOLD sampling interval (ms)


class BOLDModel:
    """Balloon-Windkessel model of N regions fed with one neural sample per model step.

    Parameters
    ----------
    N : int
        Number of regions.
    dt : float
        Model step in ms (one BOLD Euler step per sample).
    normalize_input, normalize_max : ignored
        Kept for compatibility.

    Notes
    -----
    States start at X = F = Q = V = 1. A BOLD sample is kept every 2 s of input: the input samples with
    global index g = 1, 1 + NDt, 1 + 2 NDt, ..., labelled ``t_BOLD = g * dt`` ms. Calls of any length
    continue seamlessly, so chunked input gives exactly the BOLD of one long call.
    """

    def __init__(self, N, dt, normalize_input=False, normalize_max=50):
        if not dt > 0:
            raise ParameterError(f"BOLDModel: 'dt' must be > 0 ms, got {dt}.")
        self.N = int(N)
        self.dt = float(dt)
        self.samplingRate_NDt = int(round(TR_MS / dt))
        self.normalize_input, self.normalize_max = normalize_input, normalize_max  # unused (compatibility)
        self.idxLastT = 0
        self.X_BOLD = np.ones(self.N)
        self.F_BOLD = np.ones(self.N)
        self.Q_BOLD = np.ones(self.N)
        self.V_BOLD = np.ones(self.N)
        self.BOLD = np.zeros((self.N, 0))
        self.t_BOLD = np.zeros(0)
        self.BOLD_chunk = self.BOLD

    def run(self, activity, append=False):
        """Advance by the samples of ``activity`` (N x L); keep this call's BOLD in ``BOLD``, ``t_BOLD`` (ms)."""
        Z = np.asarray(activity, dtype=float)
        if Z.ndim != 2 or Z.shape[0] != self.N:
            raise ParameterError(f"BOLDModel.run: 'activity' must have shape ({self.N}, L), got {Z.shape}.")
        g0, L, every = self.idxLastT, Z.shape[1], self.samplingRate_NDt
        keep = kept_samples(g0, L, every)
        out = np.empty((self.N, len(keep)))
        _integrate(Z, self.dt * 1e-3, self.X_BOLD, self.F_BOLD, self.Q_BOLD, self.V_BOLD, g0, every, out)
        self.BOLD = out
        self.BOLD_chunk = out
        self.t_BOLD = (g0 + keep) * self.dt
        self.idxLastT = g0 + L
        return self.t_BOLD, self.BOLD
