"""Transfer-function table lookups of the ALN masses (bilinear in mean current mu and input sigma)."""

from __future__ import annotations

import functools
import hashlib
import os

import numpy as np
from numba import njit


@njit(cache=True)
def _get_interpolation_values(xi, yi, sigma_range, mu_range, d_sigma, d_mu):
    """Cell and fractions of (sigma ``xi``, mu ``yi``) on the table grids, clamped at the edges.

    Returns
    -------
    tuple
        ``(sigma index, mu index, sigma fraction, mu fraction)``; out of range a coordinate sits on the nearest
        edge with fraction 0, at the last grid point on the last cell with fraction 1. A NaN sigma (from a
        negative variance, when the Euler step of a synaptic variance is unstable) is read at the lowest sigma,
        as the established package does; a NaN mu gives NaN.
    """
    ns, nm = sigma_range.shape[0], mu_range.shape[0]
    if xi != xi or xi < sigma_range[0]:
        xid1, dxid = 0, 0.0
    elif xi >= sigma_range[ns - 1]:
        xid1, dxid = ns - 2, 1.0
    else:
        q = (xi - sigma_range[0]) / d_sigma
        xid1 = min(int(np.floor(q)), ns - 2)
        dxid = q - xid1
    if yi != yi:
        yid1, dyid = 0, yi
    elif yi < mu_range[0]:
        yid1, dyid = 0, 0.0
    elif yi >= mu_range[nm - 1]:
        yid1, dyid = nm - 2, 1.0
    else:
        q = (yi - mu_range[0]) / d_mu
        yid1 = min(int(np.floor(q)), nm - 2)
        dyid = q - yid1
    return xid1, yid1, dxid, dyid


@njit(cache=True)
def _table_lookup(current_mu, current_sigma, sigma_range, mu_range, d_sigma, d_mu, transfer_function_table):
    """Bilinear interpolation of a (mu, sigma) table (rows mu, columns sigma) at (``current_mu``, ``current_sigma``)."""
    j, m, fx, fy = _get_interpolation_values(current_sigma, current_mu, sigma_range, mu_range, d_sigma, d_mu)
    t = transfer_function_table
    return (
        t[m, j] * (1.0 - fx) * (1.0 - fy)
        + t[m, j + 1] * fx * (1.0 - fy)
        + t[m + 1, j] * (1.0 - fx) * fy
        + t[m + 1, j + 1] * fx * fy
    )


@njit(cache=True)
def table_lookup(mu, sigma, mu_vals, sigma_vals, table):
    """The numba callback: ``table`` (rows mu, columns sigma) at ``mu`` (mV/ms) and ``sigma`` (mV/sqrt(ms)).

    The same cells, fractions and sums as :func:`_table_lookup` (bit for bit), written for the kernels, which call it
    for every mass at every step: every branch is plain arithmetic on values loaded up front, so the compiler turns
    the branches into selects (nodes in different table regions cost no mispredicted branches). The exact edge test
    of the original (a value against the last grid point) is only needed in the last cell.
    """
    ns, nm = sigma_vals.shape[0], mu_vals.shape[0]
    s0, m0 = sigma_vals[0], mu_vals[0]
    s_last, m_last = sigma_vals[ns - 1], mu_vals[nm - 1]
    qs = (sigma - s0) / (sigma_vals[1] - s0)
    qm = (mu - m0) / (mu_vals[1] - m0)
    if not (qs >= 0.0):  # NaN or below the grid
        j, fx = 0, 0.0
    elif qs < ns - 2:
        j = int(qs)  # q >= 0: int() is the floor
        fx = qs - j
    elif sigma >= s_last:
        j, fx = ns - 2, 1.0
    else:
        j = ns - 2
        fx = qs - j
    if qm != qm:
        m, fy = 0, mu
    elif qm < 0.0:
        m, fy = 0, 0.0
    elif qm < nm - 2:
        m = int(qm)
        fy = qm - m
    elif mu >= m_last:
        m, fy = nm - 2, 1.0
    else:
        m = nm - 2
        fy = qm - m
    return (
        table[m, j] * (1.0 - fx) * (1.0 - fy)
        + table[m, j + 1] * fx * (1.0 - fy)
        + table[m + 1, j] * (1.0 - fx) * fy
        + table[m + 1, j + 1] * fx * fy
    )


@functools.lru_cache(maxsize=8)
def load_table(path):
    """The table arrays of the file ``path`` (read once per process; the arrays are shared, read-only)."""
    from neurolib.models.aln.loadDefaultParams import load_table as read

    table = read(path)
    for arr in table.values():
        arr.setflags(write=False)
    return table


_TABLES = {"firing_rate_lookup": "r_ss", "voltage_lookup": "V_mean_ss", "tau_lookup": "tau_mu_exp"}


class TableMixin:
    """Table handling of an ALN mass: loading, callback names, jitcdde and numba callbacks."""

    def _load_table(self, filename):
        from neurolib.models.aln.loadDefaultParams import DEFAULT_TABLE

        path = os.path.abspath(DEFAULT_TABLE if filename is None else os.fspath(filename))
        self.lin_nonlin_transfer_function_filename = filename
        self._table_path = path
        self._table = load_table(path)
        default = path == os.path.abspath(DEFAULT_TABLE)
        self._table_tag = "" if default else "_" + hashlib.sha256(path.encode()).hexdigest()[:8]

    @property
    def mu_range(self):
        """Grid of the mean input current, mV/ms."""
        return self._table["mu_vals"]

    @property
    def sigma_range(self):
        """Grid of the input standard deviation, mV/sqrt(ms)."""
        return self._table["sigma_vals"]

    def _callback_name(self, what):
        return what + self._table_tag

    def _callback_names(self):
        return [self._callback_name(what) for what in type(self).python_callbacks]

    def _python_lookup(self, what):
        mu_vals, sigma_vals, table = self.mu_range, self.sigma_range, self._table[_TABLES[what]]

        def lookup(y, mu, sigma):  # jitcdde calls it with the state first
            return table_lookup(float(mu), float(sigma), mu_vals, sigma_vals, table)

        return lookup

    def _callbacks(self):
        return [
            (self.callback_functions[self._callback_name(what)], self._python_lookup(what), 2)
            for what in type(self).python_callbacks
        ]

    def _numba_callbacks(self):
        return [
            (self._callback_name(what), table_lookup, (self.mu_range, self.sigma_range, self._table[_TABLES[what]]))
            for what in type(self).python_callbacks
        ]

    def __getstate__(self):
        state = dict(self.__dict__)
        state.pop("_table", None)  # read again from the file
        return state

    def __setstate__(self, state):
        self.__dict__.update(state)
        self._table = load_table(self._table_path)
