"""Optimal control of the ALN model."""

from __future__ import annotations

import numpy as np

from neurolib.control.optimal_control.oc import StrengthLastOC

_MODEL_PARAMS = (
    "sigmarange", "ds", "Irange", "dI", "C", "precalc_r", "precalc_V", "precalc_tau_mu", "Jee_max", "Jei_max",
    "Jie_max", "Jii_max", "tau_se", "tau_si", "tauA", "C/gL", "sigmae_ext", "sigmai_ext", "a", "b", "c_gl", "Ke_gl",
)  # fmt: skip


class OcAln(StrengthLastOC):
    """Optimal control of an :class:`~neurolib.models.aln.ALNModel`.

    Inputs ``ext_exc_current``, ``ext_inh_current`` (mV/ms) and ``ext_exc_rate``, ``ext_inh_rate`` (kHz); outputs
    ``rates_exc``, ``rates_inh`` (Hz) and ``IA`` (pA). Rates are algebraic variables (set from the transfer-function
    table every step); the derivatives of the table's bilinear interpolation enter the adjoint exactly.
    ``filter_sigma`` and ``distr_delay`` models are supported too. Arguments and attributes as
    :class:`~neurolib.control.optimal_control.oc.OC`; ``maximum_control_strength`` is the last argument.

    Attributes
    ----------
    ndt_de, ndt_di : int
        Local E and I delays in steps (``round(de / dt)``, ``round(di / dt)``).
    """

    model_name = "aln"
    model_title = "ALN"
    param_names = _MODEL_PARAMS  # the 22 of the established interface, in its order

    def get_fullstate(self):
        """Every state variable along the current control, (N, len(model.state_vars), T); OU states are 0."""
        lin = self._linearize()
        full = np.zeros(self.state_dim)
        for i, name in enumerate(self.dynamics.state_vars):
            full[:, self.state_vars_dict[name], :] = lin.XS[:, :, i].T
        return full

    def getinitstate(self):
        """The initial values, one entry per state variable (histories (N, k), other states (N,))."""
        return [np.array(self.model.params[iv], dtype=float, copy=True) for iv in self.model.init_vars]

    def getfinalstate(self):
        """The state at the end of the last run in the form of the initial values (histories of maxDelay + 1)."""
        L = self.dynamics.setup(self.model.params).S
        out = []
        for sv in self.model.state_vars:
            s = np.asarray(self.model.state[sv], dtype=float)
            out.append(s[:, -L:].copy() if s.ndim == 2 else s.copy())
        return out

    def setinitstate(self, state):
        """Set the initial values from a list like :meth:`getinitstate` returns."""
        for iv, value in zip(self.model.init_vars, state):
            self.model.params[iv] = np.array(value, dtype=float, copy=True)
        self._x0 = self._initial_outputs()
