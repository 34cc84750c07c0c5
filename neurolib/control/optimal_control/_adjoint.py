"""The adjoint sweep: gradient of a cost of the trajectory with respect to the inputs, from the step Jacobians.

:func:`backward` works on a :class:`~._dynamics.Linearization`. For the discrete map the engine iterates,
``s(t+1) = F(s(t), net(t), u(t))`` with ``net`` the delayed features of other nodes (and of the node itself), and a
cost ``J`` whose derivative with respect to the state at time t is ``CX[t]``, the co-state ``p(t) = dJ/ds(t)`` obeys

    p(t) = CX[t] + JA[t]^T p(t+1) + sum over the steps t' = t + delay that read s(t) of their share,

and ``dJ/du(t) = JU[t]^T p(t+1)``. This is the exact gradient of the discretised problem.

The functions with upstream's names (:func:`solve_adjoint`, :func:`adjoint_input`, :func:`adjoint_nw_input`,
:func:`compute_gradient`) work on the dense per-model arrays of the established package's interface (``hx`` =
-d rhs/d state, network blocks ``hx_nw`` of shape (N, N, T, V, V)); in that form the adjoint is the co-state above
with the opposite sign, divided by ``dt`` for algebraic variables (``Dxdoth`` 0), shifted by one time step.
"""

from __future__ import annotations

import numpy as np
from numba import njit

from neurolib.errors import ParameterError


@njit(cache=True, nogil=True)
def _backward(JA, JB, JU, JG, CX, S, nx, nc, cn, cm, cc, cw, cd, chan_f, self_d):
    T, N, NST = CX.shape
    NU = JU.shape[3]
    NIN = JB.shape[3]
    p = CX.copy()
    GU = np.zeros((T, N, NU))
    vb = np.zeros((N, max(NIN, 1)))
    for s in range(T - 2, -1, -1):
        for n in range(N):
            for k in range(NST):
                a = 0.0
                for v in range(NST):
                    a += JA[s, n, v, k] * p[s + 1, n, v]
                p[s, n, k] += a
            for k in range(NU):
                a = 0.0
                for v in range(NST):
                    a += JU[s, n, v, k] * p[s + 1, n, v]
                GU[s, n, k] = a
            for c in range(NIN):
                a = 0.0
                for v in range(NST):
                    a += JB[s, n, v, c] * p[s + 1, n, v]
                vb[n, c] = a
        for j in range(cn.shape[0]):  # network: the state of source m at s - delay entered this step
            tau = s - cd[j]
            if tau >= 0:
                n, m, c = cn[j], cm[j], cc[j]
                a = cw[j] * vb[n, c]
                f = chan_f[c]
                for k in range(nx):
                    p[tau, m, k] += a * JG[S - 1 + tau, m, f, k]
        for r in range(self_d.shape[0]):  # delayed reads of a node's own history
            tau = s - self_d[r]
            if tau >= 0:
                f = chan_f[nc + r]
                for n in range(N):
                    a = vb[n, nc + r]
                    for k in range(nx):
                        p[tau, n, k] += a * JG[S - 1 + tau, n, f, k]
    return p, GU


def backward(lin, CX):
    """Co-state and input gradient of a cost along a linearised trajectory.

    Parameters
    ----------
    lin : Linearization
        Trajectory and step Jacobians (see :mod:`._dynamics`).
    CX : ndarray
        dJ/d state at each time, (T, N, NST).

    Returns
    -------
    p : ndarray
        dJ/d state(t), (T, N, NST).
    GU : ndarray
        dJ/d input(t), (T, N, NU); the last time is 0 (it drives no step).
    """
    cn, cm, cc, cw, cd = lin.conn
    nx = lin.JG.shape[3]
    nc = lin.JB.shape[3] - lin.self_delay.shape[0]
    return _backward(
        lin.JA, lin.JB, lin.JU, lin.JG, np.ascontiguousarray(CX), lin.S, nx, nc,
        cn, cm, cc, cw, cd, lin.chan_feature, lin.self_delay,
    )  # fmt: skip


# ---------------------------------------------------------------------------------------------------------------
# the established interface (dense Jacobian arrays)
# ---------------------------------------------------------------------------------------------------------------


@njit(cache=True)
def _adjoint_input(hx, dl, t, T_lim, V, adj, n, k):
    total = 0.0
    for j in range(hx.shape[0]):
        tt = t + 1 + dl[j]
        if tt < T_lim:
            for v in range(V):
                total += adj[n, v, tt] * hx[j, n, tt, v, k]
    return total


@njit(cache=True)
def _adjoint_nw_input(N, n, k, dmat_ndt, t, T_lim, V, adj, hx_nw):
    total = 0.0
    for n2 in range(N):
        tt = t + 1 + dmat_ndt[n2, n]
        if tt < T_lim:
            for v in range(V):
                total += adj[n2, v, tt] * hx_nw[n2, n, tt, v, k]
    return total


@njit(cache=True)
def _solve_adjoint(hx, dl, hx_nw, fx_full, N, V, T, dt, dmat_ndt, kind):
    adj = np.zeros((N, V, T))
    for t in range(T - 2, -1, -1):
        for n in range(N):
            for k in range(V):
                if kind[n, k] == 1:
                    rate = fx_full[n, k, t + 1] + _adjoint_input(hx, dl, t, T, V, adj, n, k)
                    rate += _adjoint_nw_input(N, n, k, dmat_ndt, t, T - 1, V, adj, hx_nw)
                    adj[n, k, t] = adj[n, k, t + 1] - dt * rate
                else:
                    value = fx_full[n, k, t + 1] + _adjoint_input(hx, dl, t, T, V, adj, n, k)
                    value += _adjoint_nw_input(N, n, k, dmat_ndt, t, T, V, adj, hx_nw)
                    adj[n, k, t] = -value
    return adj


def _stack(hx_list, del_list):
    hx = np.ascontiguousarray(np.stack([np.asarray(h, dtype=float) for h in hx_list]))
    dl = np.asarray(list(del_list), dtype=np.int64)
    if dl.shape[0] != hx.shape[0]:
        raise ParameterError(
            f"del_list: one delay per Jacobian of hx_list expected ({hx.shape[0]}), got {dl.shape[0]}."
        )
    return hx, dl


def adjoint_input(hx_list, del_list, t, T_lim, V, adj, n, k):
    """Local share of the adjoint's rate for node ``n``, state ``k`` at time ``t`` (established interface).

    ``sum over (hx, d) in zip(hx_list, del_list) with t + 1 + d < T_lim of sum_v adj[n, v, t+1+d] hx[n, t+1+d, v, k]``.
    """
    hx, dl = _stack(hx_list, del_list)
    return _adjoint_input(hx, dl, int(t), int(T_lim), int(V), np.asarray(adj, float), int(n), int(k))


def adjoint_nw_input(N, n, k, dmat_ndt, t, T_lim, V, adj, hx_nw):
    """Network share of the adjoint's rate (established interface): the nodes ``n2`` that read node ``n`` with delay
    ``dmat_ndt[n2, n]`` contribute ``sum_v adj[n2, v, t+1+D] hx_nw[n2, n, t+1+D, v, k]`` where ``t + 1 + D < T_lim``."""
    D = np.asarray(dmat_ndt, dtype=np.int64)
    return _adjoint_nw_input(int(N), int(n), int(k), D, int(t), int(T_lim), int(V), np.asarray(adj, float), hx_nw)


def solve_adjoint(hx_list, del_list, hx_nw, fx, state_dim, dt, N, T, dmat_ndt, dxdoth, state_vars, output_vars):
    """Backward sweep of the adjoint equation in the established package's dense form.

    Parameters
    ----------
    hx_list, del_list : sequence
        Jacobians ``-d rhs / d state`` (N, T, V, V) and their delays in steps.
    hx_nw : ndarray
        (N, N, T, V, V): ``-d rhs(n1) / d state(n2)`` through the network (delays ``dmat_ndt``).
    fx : ndarray
        Derivative of the precision cost with respect to the outputs, (N, dim_out, T).
    state_dim : tuple
        (N, V, T).
    dt : float
        Time step (ms).
    N, T : int
        Nodes and time points.
    dmat_ndt : ndarray
        (N, N) delays in steps, ``dmat_ndt[n2, n]``: n2 reads n.
    dxdoth : ndarray
        (N, V, V): 1 on the diagonal for differential variables, 0 for algebraic ones.
    state_vars, output_vars : sequence of str
        Names mapping the outputs onto the state.

    Returns
    -------
    ndarray
        The adjoint (N, V, T); its last column is 0.

    Raises
    ------
    NotImplementedError
        For a diagonal entry of ``dxdoth`` other than 0 or 1.
    """
    N, V, T = (int(a) for a in state_dim)
    fx = np.asarray(fx, dtype=float)
    fx_full = np.zeros((N, V, T))
    state_vars = list(state_vars)
    for o, name in enumerate(output_vars):
        if name in state_vars:
            fx_full[:, state_vars.index(name), :] = fx[:, o, :]
    diag = np.asarray(dxdoth, dtype=float)[:, np.arange(V), np.arange(V)]
    if not np.all((diag == 0) | (diag == 1)):
        raise NotImplementedError("dxdoth: only 1 (differential) and 0 (algebraic) variables are implemented.")
    hx, dl = _stack(hx_list, del_list)
    D = np.asarray(dmat_ndt, dtype=np.int64)
    return _solve_adjoint(hx, dl, np.asarray(hx_nw, float), fx_full, N, V, T, float(dt), D, diag.astype(np.int64))


def compute_gradient(N, V, dim_out, df_du, adjoint_state, control_matrix, d_du, control_interval):
    """Gradient of the total cost per unit time (established interface), zero outside ``control_interval``.

    ``grad[n, v, t] = df_du[n, v, t] + sum_k control_matrix[n, v] adjoint_state[n, k, t] d_du[n, k, v, t]`` for
    ``v < dim_out`` (the number of inputs) and ``t`` in ``[start, stop)``.
    """
    df_du = np.asarray(df_du, dtype=float)
    T = df_du.shape[2]
    start, stop = control_interval
    grad = np.zeros((N, dim_out, T))
    adj = np.asarray(adjoint_state, dtype=float)[:, :V, start:stop]
    share = np.einsum("nkt,nkvt->nvt", adj, np.asarray(d_du, dtype=float)[:, :V, :dim_out, start:stop])
    grad[:, :, start:stop] = df_du[:, :dim_out, start:stop] + np.asarray(control_matrix)[:, :dim_out, None] * share
    return grad
