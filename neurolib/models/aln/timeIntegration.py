"""ALN (adaptive linear-nonlinear cascade) kernel and the upstream-style ``timeIntegration(params)``."""

import numpy as np
from numba import njit

from neurolib.models._native import integration_function

# kernel parameters (order of SPEC.kernel_params)
(
    JEE, JEI, JIE, JII, TAU_SE, TAU_SI, TAUM, C, KE, KI, KE_GL, CEE, CEI, CIE, CII, CGL,
    SIGMAE_EXT, SIGMAI_EXT, A, B, EA, TAUA, TAU_DE, TAU_DI, FILTER_SIGMA, DISTR_DELAY,
    MU0, INV_DMU, SIGMA0, INV_DSIGMA, DT, INV_TSE, INV_TSI, INV_TAUA, INV_C,
) = range(35)  # fmt: skip
R_E, R_I, IA = range(3)  # buffered: rates (Hz, algebraic) and adaptation current (pA)
MUFE, MUFI, SEEM, SEIM, SIEM, SIIM, SEEV, SEIV, SIEV, SIIV, SIGE_F, SIGI_F, RD_E, RD_I = range(14)
MUE_OU, MUI_OU = range(2)
EXT_EC, EXT_IC, EXT_ER, EXT_IR = range(4)
R1, R2, RE_SELF, RI_SELF = range(4)  # network sums of Cmat and Cmat^2 times delayed E rates; own delayed rates
T_R, T_V, T_TAU_MU, T_TAU_SIGMA = range(4)  # lookup tables in aux


@njit(cache=True, inline="always")
def grid_index(value, first, inv_step, n):
    """Lower grid index and fraction of ``value`` on a regular grid of n points (spacing 1 / inv_step), clamped.

    The cell comes from the real part, so a complex ``value`` (complex-step differentiation) keeps the fraction
    linear in it and its derivative flows through the interpolation weights."""
    if not value.real >= first:
        return 0, (0.0 if value.real < first else np.nan)  # below the grid, or NaN (which must propagate)
    q = (value - first) * inv_step
    if q.real >= n - 1:  # at or beyond the last grid point (checked before the integer conversion)
        return n - 2, 1.0
    i = int(q.real)  # q >= 0 here, so truncation is the floor
    return i, q - i


@njit(cache=True, inline="always")
def at_least(value, low):
    """max(value, low) as Python's max, comparing real parts (complex values keep their imaginary part)."""
    return low if low > value.real else value


@njit(cache=True, inline="always")
def weights(fy, fx):
    """Bilinear weights of the corners [m, j], [m, j + 1], [m + 1, j], [m + 1, j + 1] (exactly 0 or 1 at edges)."""
    return (1 - fx) * (1 - fy), fx * (1 - fy), (1 - fx) * fy, fx * fy


@njit(cache=True, inline="always")
def lookup(aux, t, m, j, w):
    """Table t of aux at the cell [m, j] with bilinear weights ``w`` (one cell serves several tables)."""
    return aux[t, m, j] * w[0] + aux[t, m, j + 1] * w[1] + aux[t, m + 1, j] * w[2] + aux[t, m + 1, j + 1] * w[3]


@njit(cache=True, inline="always")
def interpolate(aux, t, m, fy, j, fx):
    """Bilinear interpolation of table t of aux around [m, j] (rows mu, columns sigma)."""
    return lookup(aux, t, m, j, weights(fy, fx))


@njit(cache=True, inline="always")
def features(x, g):
    """What a node shows others and its own future: E and I rates in kHz."""
    g[0] = 1e-3 * x[R_E]
    g[1] = 1e-3 * x[R_I]


@njit(cache=True, inline="always")
def rhs(x, y, net, u, q, p, dx, dy, aux):
    """One ALN step: input moments, table lookups (rates set directly), synaptic and adaptation derivatives."""
    if p[DISTR_DELAY] > 0:
        re_loc, ri_loc = y[RD_E], y[RD_I]
    else:
        re_loc, ri_loc = net[RE_SELF], net[RI_SELF]
    mu_e = p[JEE] * y[SEEM] + p[JEI] * y[SEIM] + q[MUE_OU] + u[EXT_EC]
    mu_i = p[JIE] * y[SIEM] + p[JII] * y[SIIM] + q[MUI_OU] + u[EXT_IC]
    cgl, cgl2 = p[CGL] * p[KE_GL], p[CGL] * p[CGL] * p[KE_GL]
    z1ee = p[CEE] * p[KE] * re_loc + cgl * net[R1] + cgl * u[EXT_ER]
    z1ei = p[CEI] * p[KI] * ri_loc
    z1ie = p[CIE] * p[KE] * re_loc + cgl * u[EXT_IR]
    z1ii = p[CII] * p[KI] * ri_loc
    z2ee = p[CEE] * p[CEE] * p[KE] * re_loc + cgl2 * net[R2] + cgl2 * u[EXT_ER]
    z2ei = p[CEI] * p[CEI] * p[KI] * ri_loc
    z2ie = p[CIE] * p[CIE] * p[KE] * re_loc + cgl2 * u[EXT_IR]
    z2ii = p[CII] * p[CII] * p[KI] * ri_loc
    tm, tse, tsi = p[TAUM], p[TAU_SE], p[TAU_SI]
    sig_e = np.sqrt(
        2 * (p[JEE] * p[JEE]) * y[SEEV] * tse * tm / ((1 + z1ee) * tm + tse)
        + 2 * (p[JEI] * p[JEI]) * y[SEIV] * tsi * tm / ((1 + z1ei) * tm + tsi)
        + p[SIGMAE_EXT] * p[SIGMAE_EXT]
    )
    sig_i = np.sqrt(
        2 * (p[JIE] * p[JIE]) * y[SIEV] * tse * tm / ((1 + z1ie) * tm + tse)
        + 2 * (p[JII] * p[JII]) * y[SIIV] * tsi * tm / ((1 + z1ii) * tm + tsi)
        + p[SIGMAI_EXT] * p[SIGMAI_EXT]
    )
    filt = p[FILTER_SIGMA] > 0
    n_mu, n_sig = aux.shape[1], aux.shape[2]
    # E population, mean input reduced by the adaptation current
    m, fy = grid_index(y[MUFE] - x[IA] * p[INV_C], p[MU0], p[INV_DMU], n_mu)
    j, fx = grid_index(y[SIGE_F] if filt else sig_e, p[SIGMA0], p[INV_DSIGMA], n_sig)
    w = weights(fy, fx)
    rate_e = lookup(aux, T_R, m, j, w)
    v_e = lookup(aux, T_V, m, j, w)
    tau_e = lookup(aux, T_TAU_MU, m, j, w)
    tau_sig_e = lookup(aux, T_TAU_SIGMA, m, j, w) if filt else 0.0
    # I population
    m, fy = grid_index(y[MUFI], p[MU0], p[INV_DMU], n_mu)
    j, fx = grid_index(y[SIGI_F] if filt else sig_i, p[SIGMA0], p[INV_DSIGMA], n_sig)
    w = weights(fy, fx)
    rate_i = lookup(aux, T_R, m, j, w)
    tau_i = lookup(aux, T_TAU_MU, m, j, w)
    tau_sig_i = lookup(aux, T_TAU_SIGMA, m, j, w) if filt else 0.0

    dx[R_E] = 1000.0 * rate_e
    dx[R_I] = 1000.0 * rate_i
    dx[IA] = (p[A] * (v_e - p[EA]) - x[IA] + p[TAUA] * p[B] * 1e-3 * x[R_E]) * p[INV_TAUA]
    dy[MUFE] = (mu_e - y[MUFE]) / tau_e
    dy[MUFI] = (mu_i - y[MUFI]) / tau_i
    ie, ii = p[INV_TSE], p[INV_TSI]
    dy[SEEM] = ((1 - y[SEEM]) * z1ee - y[SEEM]) * ie
    dy[SEIM] = ((1 - y[SEIM]) * z1ei - y[SEIM]) * ii
    dy[SIEM] = ((1 - y[SIEM]) * z1ie - y[SIEM]) * ie
    dy[SIIM] = ((1 - y[SIIM]) * z1ii - y[SIIM]) * ii
    dy[SEEV] = ((1 - y[SEEM]) * (1 - y[SEEM]) * z2ee + (z2ee - 2 * tse * (z1ee + 1)) * y[SEEV]) * (ie * ie)
    dy[SEIV] = ((1 - y[SEIM]) * (1 - y[SEIM]) * z2ei + (z2ei - 2 * tsi * (z1ei + 1)) * y[SEIV]) * (ii * ii)
    dy[SIEV] = ((1 - y[SIEM]) * (1 - y[SIEM]) * z2ie + (z2ie - 2 * tse * (z1ie + 1)) * y[SIEV]) * (ie * ie)
    dy[SIIV] = ((1 - y[SIIM]) * (1 - y[SIIM]) * z2ii + (z2ii - 2 * tsi * (z1ii + 1)) * y[SIIV]) * (ii * ii)
    # filtered sigma (per node); a time constant below dt (0 in parts of the table) relaxes within one step
    dy[SIGE_F] = 0.0
    dy[SIGI_F] = 0.0
    if filt:
        dy[SIGE_F] = (sig_e - y[SIGE_F]) / at_least(tau_sig_e, p[DT])
        dy[SIGI_F] = (sig_i - y[SIGI_F]) / at_least(tau_sig_i, p[DT])
    # distributed local delays: low-pass filtered own rates (kHz)
    dy[RD_E] = 0.0
    dy[RD_I] = 0.0
    if p[DISTR_DELAY] > 0:
        dy[RD_E] = (1e-3 * dx[R_E] - y[RD_E]) / p[TAU_DE]
        dy[RD_I] = (1e-3 * dx[R_I] - y[RD_I]) / p[TAU_DI]


@njit(cache=True, inline="always")
def post(x, y, p):
    """Synaptic variances stay >= 0."""
    for v in range(SEEV, SIIV + 1):
        if y[v].real < 0.0:
            y[v] = 0.0


def timeIntegration(params):
    """Integrate the ALN model; returns ``(t, rates_exc, rates_inh, mufe, mufi, IA, seem, ..., mui_ou, ...)``."""
    from neurolib.models.aln.loadDefaultParams import SPEC

    return integration_function(SPEC)(params)
