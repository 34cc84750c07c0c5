"""The established package's per-model Jacobian arrays, derived from the step Jacobians of the current control.

The optimisation does not use them (the adjoint works on the compact step Jacobians, :mod:`._adjoint`); they exist
for code written against the established interface and for tests, and :func:`~._adjoint.solve_adjoint` applied to
them reproduces ``OC.adjoint_state``. Conventions: ``h = d state/dt - f``, so ``hx = -df/d state`` for differential
variables and ``-d value/d state`` for algebraic ones (set, not integrated); index t is the step from t to t + 1;
rows and columns follow ``model.state_vars`` (OU states: zero).
"""

from __future__ import annotations

import numpy as np


class JacobianArraysMixin:
    """``Dxdoth``, ``Duh``, ``compute_hx``, ``compute_hx_list``, ``compute_hx_nw`` of :class:`~.oc.OC`."""

    def _current_lin(self):
        from neurolib.control.optimal_control._dynamics import Linearization

        lin = getattr(self, "_lin", None)
        if lin is None:
            lin = self._linearize()
            self._lin = lin
        if not isinstance(lin, Linearization):
            raise NotImplementedError(
                f"The established package's per-node Jacobian arrays exist for native models only, not for "
                f"{type(self.model).__name__}; the gradient (compute_gradient) and the adjoint work."
            )
        return lin

    def _rows(self):
        """State-vars index of each internal state, and the divisor turning a step derivative into a rate."""
        idx = np.array([self.state_vars_dict[name] for name in self.dynamics.state_vars])
        per = np.where(self.dynamics.algebraic, 1.0, self.dt)
        return idx, per

    def Dxdoth(self):
        """(N, V, V): 1 on the diagonal for differential state variables, 0 for algebraic ones and OU states."""
        d = np.zeros((self.N, self.dim_vars, self.dim_vars))
        idx, _ = self._rows()
        for i, v in enumerate(idx):
            d[:, v, v] = 0.0 if self.dynamics.algebraic[i] else 1.0
        return d

    def compute_dxdoth(self):
        """Same as :meth:`Dxdoth`."""
        return self.Dxdoth()

    def compute_hx(self):
        """(N, T, V, V): ``-d rhs / d state`` of the same node without delay, along the current control."""
        lin = self._current_lin()
        idx, per = self._rows()
        J = lin.JA.copy()
        nst = J.shape[2]
        for i in range(nst):
            if not self.dynamics.algebraic[i]:
                J[:, :, i, i] -= 1.0
        J /= per[None, None, :, None]
        hx = np.zeros((self.N, self.T, self.dim_vars, self.dim_vars))
        hx[:, : self.T - 1][:, :, idx[:, None], idx[None, :]] = -J.transpose(1, 0, 2, 3)
        return hx

    def _delayed_block(self, lin, c, n, m, delay):
        """-d rhs(n) / d state(m) at delay ``delay`` through input channel c, per step: (T, NST, NX)."""
        _, per = self._rows()
        f = lin.chan_feature[c]
        out = np.zeros((self.T, lin.XS.shape[2], lin.JG.shape[3]))
        for t in range(self.T - 1):
            src = lin.S - 1 + t - delay
            if src >= 0:
                out[t] = -np.outer(lin.JB[t, n, :, c], lin.JG[src, m, f, :]) / per[:, None]
        return out

    def compute_hx_list(self):
        """Local Jacobians and their delays: ``([hx, hx_self_0, ...], [0, d_0, ...])`` (the self-delayed reads,
        e.g. ALN's local E and I delays)."""
        lin = self._current_lin()
        idx, _ = self._rows()
        hxs, delays = [self.compute_hx()], [0]
        nc = lin.JB.shape[3] - lin.self_delay.shape[0]
        nx = lin.JG.shape[3]
        for r, d in enumerate(lin.self_delay):
            hx = np.zeros((self.N, self.T, self.dim_vars, self.dim_vars))
            for n in range(self.N):
                block = self._delayed_block(lin, nc + r, n, n, int(d))
                hx[n][:, idx[:, None], idx[None, :nx]] = block
            hxs.append(hx)
            delays.append(int(d))
        return hxs, delays

    def compute_hx_nw(self):
        """(N, N, T, V, V): ``-d rhs(n) / d state(m)(t - Dmat_ndt[n, m])`` through the network."""
        lin = self._current_lin()
        idx, _ = self._rows()
        nx = lin.JG.shape[3]
        hx_nw = np.zeros((self.N, self.N, self.T, self.dim_vars, self.dim_vars))
        cn, cm, cc, cw, cd = lin.conn
        for n, m, c, w, d in zip(cn, cm, cc, cw, cd):
            block = w * self._delayed_block(lin, int(c), int(n), int(m), int(d))
            hx_nw[n, m][:, idx[:, None], idx[None, :nx]] += block
        return hx_nw

    def Duh(self):
        """(N, V, inputs, T): ``-d rhs / d input`` along the current control."""
        lin = self._current_lin()
        idx, per = self._rows()
        duh = np.zeros((self.N, self.dim_vars, self.dim_in, self.T))
        duh[:, idx, :, : self.T - 1] = -(lin.JU / per[None, None, :, None]).transpose(1, 2, 3, 0)
        return duh
