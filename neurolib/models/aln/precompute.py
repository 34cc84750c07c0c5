"""Precompute the ALN transfer-function table (stationary rate, mean voltage, rate-response time constants).

For every input mean ``mu`` (mV/ms) and input standard deviation ``sigma`` (mV/sqrt(ms)) of a grid, the
exponential integrate-and-fire (EIF) neuron driven by Gaussian white noise is analysed with the
threshold-integration method for its Fokker-Planck equation (Richardson 2007, 2008; Augustin et al. 2017):

* the stationary density is integrated backwards from the spike threshold with an exponential scheme, which
  gives the stationary firing rate ``r_ss`` (kHz, refractoriness included) and the stationary mean membrane
  voltage ``V_mean_ss`` (mV);
* the first-order rate response to a sinusoidal modulation of ``mu`` and of ``sigma`` is integrated the same
  way for 4000 modulation frequencies (0.25 Hz ... 1 kHz) at once;
* the normalised responses are fitted, by a two-stage grid search, with the Fourier transform of a unit-area
  exponential kernel, which gives the time constants ``tau_mu_exp`` and ``tau_sigma_exp`` (ms).

The four quantities form the lookup table that the ALN mean-field model interpolates at run time.

Command line::

    python -m neurolib.models.aln.precompute --out FILE [--processes P] [--mu-points 350] [--sigma-points 64]

An interrupted run keeps its finished rows in ``FILE.partial/`` and continues from there when started again
with the same arguments.
"""

import argparse
import math
import multiprocessing
import os
import sys
import time
from pathlib import Path

import numpy as np
from numba import njit

__all__ = [
    "DEFAULT_PARAMS",
    "METHOD",
    "aln_point",
    "compute_row",
    "compute_table",
    "default_mu_vals",
    "default_sigma_vals",
    "freq_grid",
    "voltage_grid",
    "main",
]

#: Neuron and numerics settings of the precompute (units: ms, mV, mV/ms, mV/sqrt(ms)).
DEFAULT_PARAMS = {
    "tau_m": 20.0,  # membrane time constant, ms
    "EL": -65.0,  # leak reversal potential, mV
    "VT": -50.0,  # threshold slope factor position, mV
    "DeltaT": 1.5,  # exponential slope factor, mV
    "Vs": -40.0,  # spike (cut-off) voltage, mV; absorbing boundary
    "Vr": -70.0,  # reset voltage, mV
    "Tref": 1.5,  # refractory period, ms
    "V_lb": -200.0,  # lower bound of the voltage grid (reflecting), mV
    "dV": 0.01,  # nominal voltage grid spacing, mV
    "d_mu": 1e-5,  # modulation amplitude of mu, mV/ms
    "d_sigma": 1e-5,  # modulation amplitude / finite-difference step of sigma, mV/sqrt(ms)
}

#: Short description of the method, stored as an attribute of the table file.
METHOD = (
    "EIF Fokker-Planck threshold integration (Richardson 2007/2008) with exponential scheme on the voltage grid "
    "arange(V_lb, Vs + dV/2, dV); stationary rate with refractoriness r/(1 + r*Tref); mean voltage of the "
    "unit-mass stationary density; first-order rate responses to mu and sigma modulations at 4000 frequencies "
    "0.25 Hz ... 1 kHz (with the upstream flux-increment quirk at the reset cell); tau from a two-stage grid "
    "search (arange(0.001, 100, 1), then arange(lower, upper, 0.01)) fitting 1/(1 + 2*pi*i*f*tau); "
    "tau_sigma_exp = 0 where d r_ss / d sigma <= 0"
)

N_FREQ = 4000


def default_mu_vals(n=350):
    """Default input-mean grid.

    Parameters
    ----------
    n : int
        Number of points.

    Returns
    -------
    numpy.ndarray
        ``linspace(-1, 7, n)`` in mV/ms.
    """
    return np.linspace(-1.0, 7.0, n)


def default_sigma_vals(n=64):
    """Default input-standard-deviation grid.

    Parameters
    ----------
    n : int
        Number of points.

    Returns
    -------
    numpy.ndarray
        ``linspace(0.5, 5, n)`` in mV/sqrt(ms).
    """
    return np.linspace(0.5, 5.0, n)


def voltage_grid(params=None):
    """Voltage grid of the Fokker-Planck integration.

    Parameters
    ----------
    params : dict, optional
        Neuron settings (keys of :data:`DEFAULT_PARAMS`); defaults to :data:`DEFAULT_PARAMS`.

    Returns
    -------
    V : numpy.ndarray
        ``arange(V_lb, Vs + dV/2, dV)`` in mV (NumPy semantics: ``V_k = V_0 + k * (fl(V_0 + dV) - V_0)``).
    dV : float
        Effective spacing ``V[1] - V[0]`` in mV.
    kr : int
        Index of the grid point closest to the reset voltage.
    """
    p = DEFAULT_PARAMS if params is None else {**DEFAULT_PARAMS, **params}
    V = np.arange(p["V_lb"], p["Vs"] + p["dV"] / 2, p["dV"])
    dV = V[1] - V[0]
    kr = int(np.argmin(np.abs(V - p["Vr"])))
    return V, dV, kr


def freq_grid():
    """Modulation frequencies of the linear-response computation.

    Returns
    -------
    numpy.ndarray
        4000 frequencies 0.25 Hz ... 1000 Hz in steps of 0.25 Hz, expressed in kHz.
    """
    return np.arange(0.25, 1000.1, 0.25) / 1000.0


# ---------------------------------------------------------------------------------------------------------------
# numba kernels
# ---------------------------------------------------------------------------------------------------------------


@njit(cache=True, nogil=True)
def _exp_coeffs(V, dV, mu, sigma, tau_m, EL, VT, DeltaT):
    """Exponential-scheme cell coefficients A_k = exp(dV F_k) and B_k of the backward flux recursion."""
    n = V.shape[0]
    A = np.empty(n)
    B = np.empty(n)
    c = 2.0 / (sigma * sigma)
    for k in range(n):
        psi = DeltaT * math.exp((V[k] - VT) / DeltaT)
        F = c * ((V[k] - EL - psi) / tau_m - mu)
        A[k] = math.exp(dV * F)
        if F == 0.0:
            B[k] = dV * c
        else:
            B[k] = c * (A[k] - 1.0) / F
    return A, B


@njit(cache=True, nogil=True)
def _unit_flux_density(A, B, kr):
    """Stationary density for unit flux above the reset index kr and zero flux below (unnormalised)."""
    n = A.shape[0]
    p = np.empty(n)
    p[n - 1] = 0.0
    for j in range(1, n - kr):  # k = n - 1 down to kr + 1
        k = n - j
        p[k - 1] = p[k] * A[k] + B[k]
    for k in range(kr, 0, -1):
        p[k - 1] = p[k] * A[k]
    return p


@njit(cache=True, nogil=True)
def _stationary_rate(V, dV, kr, mu, sigma, tau_m, EL, VT, DeltaT):
    """Stationary firing rate (kHz, without refractoriness) of the EIF neuron at (mu, sigma)."""
    A, B = _exp_coeffs(V, dV, mu, sigma, tau_m, EL, VT, DeltaT)
    p = _unit_flux_density(A, B, kr)
    return 1.0 / (dV * np.sum(p))


@njit(cache=True, nogil=True)
def _cdiv(ar, ai, br, bi):
    """Complex division (ar + i ai) / (br + i bi) by Smith's method (no overflow of |b|^2)."""
    if abs(br) >= abs(bi):
        rat = bi / br
        scl = 1.0 / (br + bi * rat)
        return (ar + ai * rat) * scl, (ai - ar * rat) * scl
    rat = br / bi
    scl = 1.0 / (bi + br * rat)
    return (ar * rat + ai) * scl, (ai * rat - ar) * scl


@njit(cache=True, nogil=True)
def _np_arange(start, stop, step):
    """Float range with NumPy ``arange`` semantics: start + i*(fl(start+step)-start), ceil((stop-start)/step) values."""
    n = int(math.ceil((stop - start) / step))
    if n < 0:
        n = 0
    out = np.empty(n)
    if n > 0:
        out[0] = start
    if n > 1:
        delta = (start + step) - start
        for i in range(1, n):
            out[i] = start + i * delta
    return out


@njit(cache=True, nogil=True)
def _exp_fit_cost(tau, freqs, rho_re, rho_im):
    """Sum over frequencies of |1/(1 + 2 pi i f tau) - rho(f)|^2."""
    err = 0.0
    for j in range(freqs.shape[0]):
        x = 2.0 * math.pi * freqs[j] * tau
        den = 1.0 + x * x
        dr = 1.0 / den - rho_re[j]
        di = -x / den - rho_im[j]
        err += dr * dr + di * di
    return err


@njit(cache=True, nogil=True)
def _argmin_cost(taus, freqs, rho_re, rho_im):
    """Index of the first minimum of the exponential-fit cost over the candidate taus."""
    best = 0
    best_err = np.inf
    for i in range(taus.shape[0]):
        e = _exp_fit_cost(taus[i], freqs, rho_re, rho_im)
        if e < best_err:
            best_err = e
            best = i
    return best


@njit(cache=True, nogil=True)
def _fit_tau_exp(freqs, rho_re, rho_im):
    """Two-stage grid-search fit (ms) of an exponential kernel to the normalised rate response rho(f)."""
    coarse = _np_arange(0.001, 100.0, 1.0)
    j = _argmin_cost(coarse, freqs, rho_re, rho_im)
    lower = coarse[j - 1] if j > 0 else 0.001
    upper = coarse[j + 1] if j < coarse.shape[0] - 1 else 100.0
    fine = _np_arange(lower, upper, 0.01)
    return fine[_argmin_cost(fine, freqs, rho_re, rho_im)]


@njit(cache=True, nogil=True)
def _linear_response(A, B, dV, kr, omega, Tref, g_mu, g_sigma, do_sigma):
    """First-order rate responses r1(omega) to mu and sigma modulation (real, imag parts), by threshold integration."""
    n = A.shape[0]
    nf = omega.shape[0]
    wdV = omega * dV
    # exp(-i omega Tref): reinjection of the homogeneous solution's flux after the refractory period
    e_re = np.empty(nf)
    e_im = np.empty(nf)
    for j in range(nf):
        x = -omega[j] * Tref
        e_re[j] = math.cos(x)
        e_im[j] = math.sin(x)
    # homogeneous solution "a" (unit output flux), shared by both modulations
    qa_re = np.ones(nf)
    qa_im = np.zeros(nf)
    pa_re = np.zeros(nf)
    pa_im = np.zeros(nf)
    # inhomogeneous solutions "b" for the mu and the sigma modulation
    qm_re = np.zeros(nf)
    qm_im = np.zeros(nf)
    pm_re = np.zeros(nf)
    pm_im = np.zeros(nf)
    qs_re = np.zeros(nf)
    qs_im = np.zeros(nf)
    ps_re = np.zeros(nf)
    ps_im = np.zeros(nf)
    for step in range(1, n):  # k = n - 1 down to 1
        k = n - step
        Ak = A[k]
        Bk = B[k]
        if k == kr + 1:
            # upstream quirk: the flux increment of the reset cell uses q_a instead of p_a
            for j in range(nf):
                qr = qa_re[j]
                qi = qa_im[j]
                pr = pa_re[j]
                pi = pa_im[j]
                w = wdV[j]
                qa_re[j] = qr - w * qi - e_re[j]
                qa_im[j] = qi + w * qr - e_im[j]
                pa_re[j] = pr * Ak + Bk * qr
                pa_im[j] = pi * Ak + Bk * qi
        else:
            for j in range(nf):
                qr = qa_re[j]
                qi = qa_im[j]
                pr = pa_re[j]
                pi = pa_im[j]
                w = wdV[j]
                qa_re[j] = qr - w * pi
                qa_im[j] = qi + w * pr
                pa_re[j] = pr * Ak + Bk * qr
                pa_im[j] = pi * Ak + Bk * qi
        gk = g_mu[k]
        for j in range(nf):
            qr = qm_re[j]
            qi = qm_im[j]
            pr = pm_re[j]
            pi = pm_im[j]
            w = wdV[j]
            pm_re[j] = pr * Ak + Bk * (qr - gk)
            pm_im[j] = pi * Ak + Bk * qi
            qm_re[j] = qr - w * pi
            qm_im[j] = qi + w * pr
        if do_sigma:
            gk = g_sigma[k]
            for j in range(nf):
                qr = qs_re[j]
                qi = qs_im[j]
                pr = ps_re[j]
                pi = ps_im[j]
                w = wdV[j]
                ps_re[j] = pr * Ak + Bk * (qr - gk)
                ps_im[j] = pi * Ak + Bk * qi
                qs_re[j] = qr - w * pi
                qs_im[j] = qi + w * pr
    # r1 = -q_b / q_a at the lower bound (zero total flux there); |q_a| can exceed 1e154, hence Smith's division
    rm_re = np.empty(nf)
    rm_im = np.empty(nf)
    rs_re = np.zeros(nf)
    rs_im = np.zeros(nf)
    for j in range(nf):
        rm_re[j], rm_im[j] = _cdiv(-qm_re[j], -qm_im[j], qa_re[j], qa_im[j])
        if do_sigma:
            rs_re[j], rs_im[j] = _cdiv(-qs_re[j], -qs_im[j], qa_re[j], qa_im[j])
    return rm_re, rm_im, rs_re, rs_im


@njit(cache=True, nogil=True)
def _point(mu, sigma, V, dV, kr, freqs, tau_m, EL, VT, DeltaT, Tref, d_mu, d_sigma):
    """r_ss (kHz), V_mean_ss (mV), tau_mu_exp (ms), tau_sigma_exp (ms) at one (mu, sigma)."""
    n = V.shape[0]
    A, B = _exp_coeffs(V, dV, mu, sigma, tau_m, EL, VT, DeltaT)
    p = _unit_flux_density(A, B, kr)
    r = 1.0 / (dV * np.sum(p))
    p = r * p
    V_mean = dV * np.sum(V * p)
    r_ref = r / (1.0 + r * Tref)
    scale = r_ref / r
    # density and flux rescaled to the non-refractory fraction
    pt = scale * p
    qt = np.zeros(n)
    for k in range(kr, n):
        qt[k] = scale * r
    # finite-difference derivative of the refractory rate with respect to sigma
    r2 = _stationary_rate(V, dV, kr, mu, sigma + d_sigma, tau_m, EL, VT, DeltaT)
    drdsigma = (r2 / (1.0 + r2 * Tref) - r_ref) / d_sigma
    do_sigma = drdsigma > 0.0
    # source terms of the mu and the sigma modulation
    g_mu = d_mu * pt
    g_sigma = np.zeros(n)
    if do_sigma:
        for k in range(n):
            psi = DeltaT * math.exp((V[k] - VT) / DeltaT)
            g_sigma[k] = d_sigma * (2.0 / sigma) * (qt[k] - (mu + (EL - V[k] + psi) / tau_m) * pt[k])
    omega = 2.0 * math.pi * freqs
    rm_re, rm_im, rs_re, rs_im = _linear_response(A, B, dV, kr, omega, Tref, g_mu, g_sigma, do_sigma)
    # mu: normalise by the response at the lowest frequency
    nf = freqs.shape[0]
    rho_re = np.empty(nf)
    rho_im = np.empty(nf)
    for j in range(nf):
        rho_re[j], rho_im[j] = _cdiv(rm_re[j], rm_im[j], rm_re[0], rm_im[0])
    tau_mu = _fit_tau_exp(freqs, rho_re, rho_im)
    tau_sigma = 0.0
    if do_sigma:
        f = 1.0 / (d_sigma * drdsigma)
        tau_sigma = _fit_tau_exp(freqs, rs_re * f, rs_im * f)
    return r_ref, V_mean, tau_mu, tau_sigma


# ---------------------------------------------------------------------------------------------------------------
# Python API
# ---------------------------------------------------------------------------------------------------------------


def _merged(params):
    p = dict(DEFAULT_PARAMS)
    if params is not None:
        unknown = set(params) - set(DEFAULT_PARAMS)
        if unknown:
            raise ValueError(f"unknown precompute parameter(s): {sorted(unknown)}")
        p.update({k: float(v) for k, v in params.items()})
    return p


def aln_point(mu, sigma, params=None):
    """Table quantities of the EIF neuron at one input mean and standard deviation.

    Parameters
    ----------
    mu : float
        Mean input, mV/ms.
    sigma : float
        Standard deviation of the white-noise input, mV/sqrt(ms).
    params : dict, optional
        Overrides of :data:`DEFAULT_PARAMS`.

    Returns
    -------
    r_ss : float
        Stationary firing rate with refractoriness, kHz.
    V_mean_ss : float
        Stationary mean membrane voltage (refractory period ignored), mV.
    tau_mu_exp : float
        Time constant of the exponential fit to the rate response to mu modulation, ms.
    tau_sigma_exp : float
        Same for sigma modulation, ms; 0 where the stationary rate does not increase with sigma.
    """
    p = _merged(params)
    V, dV, kr = voltage_grid(p)
    out = _point(
        float(mu), float(sigma), V, dV, kr, freq_grid(),
        p["tau_m"], p["EL"], p["VT"], p["DeltaT"], p["Tref"], p["d_mu"], p["d_sigma"],
    )  # fmt: skip
    return tuple(float(x) for x in out)


def compute_row(mu, sigma_vals, params=None):
    """Table quantities for one input mean and all standard deviations of a grid.

    Parameters
    ----------
    mu : float
        Mean input, mV/ms.
    sigma_vals : array_like
        Input standard deviations, mV/sqrt(ms).
    params : dict, optional
        Overrides of :data:`DEFAULT_PARAMS`.

    Returns
    -------
    numpy.ndarray
        Array of shape ``(4, len(sigma_vals))``: r_ss (kHz), V_mean_ss (mV), tau_mu_exp (ms), tau_sigma_exp (ms).
    """
    p = _merged(params)
    V, dV, kr = voltage_grid(p)
    freqs = freq_grid()
    sigma_vals = np.asarray(sigma_vals, dtype=float)
    row = np.empty((4, sigma_vals.size))
    for i, sigma in enumerate(sigma_vals):
        row[:, i] = _point(
            float(mu), float(sigma), V, dV, kr, freqs,
            p["tau_m"], p["EL"], p["VT"], p["DeltaT"], p["Tref"], p["d_mu"], p["d_sigma"],
        )  # fmt: skip
    return row


_QUANTITIES = ("r_ss", "V_mean_ss", "tau_mu_exp", "tau_sigma_exp")


def _row_path(partial_dir, i):
    return partial_dir / f"row_{i:04d}.npz"


def _load_row(path, mu, sigma_vals, params):
    """Finished row from a checkpoint file, or None when it is missing, unreadable or from other settings."""
    try:
        with np.load(path) as z:
            ok = (
                float(z["mu"]) == mu
                and np.array_equal(z["sigma_vals"], sigma_vals)
                and np.array_equal(z["params"], np.array([params[k] for k in sorted(params)]))
            )
            return z["row"].copy() if ok else None
    except Exception:
        return None


def _save_row(path, mu, sigma_vals, params, row):
    tmp = path.with_name(path.name + ".tmp.npz")
    np.savez(tmp, mu=mu, sigma_vals=sigma_vals, params=np.array([params[k] for k in sorted(params)]), row=row)
    os.replace(tmp, path)


def _worker(args):
    i, mu, sigma_vals, params = args
    t0 = time.perf_counter()
    row = compute_row(mu, sigma_vals, params)
    return i, row, time.perf_counter() - t0


def compute_table(mu_vals, sigma_vals, processes=None, progress=True, out=None, resume=True, params=None):
    """Compute the ALN lookup table on a (mu, sigma) grid, in parallel and with checkpointing.

    Rows (one mu value, all sigma values) are distributed over worker processes. When ``out`` is given, every
    finished row is saved to the folder ``<out>.partial/``; with ``resume=True`` rows already there (computed
    with the same grid and settings) are reused, so an interrupted run continues where it stopped. At the end
    the HDF5 table is written to ``out`` and the checkpoint folder removed.

    Parameters
    ----------
    mu_vals : array_like
        Input means, mV/ms (first table index).
    sigma_vals : array_like
        Input standard deviations, mV/sqrt(ms) (second table index).
    processes : int, optional
        Number of worker processes; defaults to ``os.cpu_count()``. ``1`` computes in the calling process.
    progress : bool
        Print one line per finished row (with an estimate of the remaining time) to stderr.
    out : str or path-like, optional
        HDF5 file to write. Without it nothing is written and no checkpoints are kept.
    resume : bool
        Reuse rows from the checkpoint folder of ``out``.
    params : dict, optional
        Overrides of :data:`DEFAULT_PARAMS`.

    Returns
    -------
    dict
        ``mu_vals`` (n_mu,), ``sigma_vals`` (n_sigma,) and the arrays ``r_ss`` (kHz), ``V_mean_ss`` (mV),
        ``tau_mu_exp`` (ms), ``tau_sigma_exp`` (ms), each of shape (n_mu, n_sigma), float64.
    """
    p = _merged(params)
    mu_vals = np.asarray(mu_vals, dtype=float).ravel()
    sigma_vals = np.asarray(sigma_vals, dtype=float).ravel()
    n_mu, n_sigma = mu_vals.size, sigma_vals.size
    table = np.full((4, n_mu, n_sigma), np.nan)
    done = np.zeros(n_mu, dtype=bool)

    partial_dir = None
    if out is not None:
        out = Path(out)
        partial_dir = out.with_name(out.name + ".partial")
        partial_dir.mkdir(parents=True, exist_ok=True)
        if resume:
            for i, mu in enumerate(mu_vals):
                row = _load_row(_row_path(partial_dir, i), mu, sigma_vals, p)
                if row is not None and row.shape == (4, n_sigma):
                    table[:, i, :] = row
                    done[i] = True

    todo = [(i, float(mu_vals[i]), sigma_vals, p) for i in range(n_mu) if not done[i]]
    if processes is None:
        processes = os.cpu_count() or 1
    processes = max(1, min(int(processes), max(1, len(todo))))

    def log(msg):
        if progress:
            print(msg, file=sys.stderr, flush=True)

    log(
        f"ALN table: {n_mu} x {n_sigma} points, {int(done.sum())} rows reused, {len(todo)} rows to compute "
        f"with {processes} process(es)"
    )
    t_start = time.perf_counter()

    def finish(i, row, dt, count):
        table[:, i, :] = row
        done[i] = True
        if partial_dir is not None:
            _save_row(_row_path(partial_dir, i), float(mu_vals[i]), sigma_vals, p, row)
        elapsed = time.perf_counter() - t_start
        eta = elapsed / count * (len(todo) - count)
        log(
            f"row {i:4d} (mu={mu_vals[i]:+.6f}) done in {dt:7.1f} s; {count}/{len(todo)} rows, "
            f"elapsed {elapsed / 60:6.1f} min, remaining ~{eta / 60:6.1f} min"
        )

    if todo:
        if processes == 1:
            for count, args in enumerate(todo, 1):
                finish(*_worker(args), count)
        else:
            with multiprocessing.get_context("spawn").Pool(processes) as pool:
                for count, res in enumerate(pool.imap_unordered(_worker, todo, chunksize=1), 1):
                    finish(*res, count)

    result = {"mu_vals": mu_vals, "sigma_vals": sigma_vals}
    result.update({name: table[j] for j, name in enumerate(_QUANTITIES)})

    if out is not None:
        _write_table(out, result, p)
        for i in range(n_mu):
            _row_path(partial_dir, i).unlink(missing_ok=True)
        try:
            partial_dir.rmdir()
        except OSError:
            pass
        log(f"wrote {out} ({(time.perf_counter() - t_start) / 60:.1f} min)")
    return result


def _write_table(out, result, params):
    """Write the table atomically (temporary file, then rename) as HDF5."""
    import h5py

    from neurolib import __version__

    out = Path(out)
    tmp = out.with_name(out.name + ".tmp")
    units = {"mu_vals": "mV/ms", "sigma_vals": "mV/sqrt(ms)", "r_ss": "kHz", "V_mean_ss": "mV",
             "tau_mu_exp": "ms", "tau_sigma_exp": "ms"}  # fmt: skip
    with h5py.File(tmp, "w") as f:
        for name in ("mu_vals", "sigma_vals", *_QUANTITIES):
            d = f.create_dataset(name, data=np.asarray(result[name], dtype=np.float64))
            d.attrs["unit"] = units[name]
        f.attrs["description"] = "ALN transfer-function lookup table, indexed [mu_index, sigma_index]"
        f.attrs["method"] = METHOD
        f.attrs["n_freq"] = N_FREQ
        f.attrs["freq_range_kHz"] = np.array([0.00025, 1.0])
        f.attrs["neuron_model"] = "EIF (exponential integrate-and-fire) with white-noise input"
        f.attrs["param_units"] = (
            "tau_m ms, EL mV, VT mV, DeltaT mV, Vs mV, Vr mV, Tref ms, V_lb mV, dV mV, d_mu mV/ms, d_sigma mV/sqrt(ms)"
        )
        for k, v in params.items():
            f.attrs[k] = v
        f.attrs["generator"] = f"neurolib {__version__} neurolib.models.aln.precompute"
    os.replace(tmp, out)


def main(argv=None):
    """Command-line entry point: compute the table and write it to ``--out``.

    Parameters
    ----------
    argv : list of str, optional
        Arguments (default: ``sys.argv[1:]``).
    """
    ap = argparse.ArgumentParser(
        prog="python -m neurolib.models.aln.precompute",
        description="Compute the ALN transfer-function lookup table (resumable; checkpoints in OUT.partial/).",
    )
    ap.add_argument("--out", required=True, help="HDF5 file to write")
    ap.add_argument("--processes", type=int, default=None, help="worker processes (default: all CPUs)")
    ap.add_argument("--mu-points", type=int, default=350, help="points of linspace(-1, 7, N) mV/ms")
    ap.add_argument("--sigma-points", type=int, default=64, help="points of linspace(0.5, 5, N) mV/sqrt(ms)")
    ap.add_argument("--no-resume", action="store_true", help="ignore existing checkpoints")
    ap.add_argument("--quiet", action="store_true", help="no progress output")
    a = ap.parse_args(argv)
    Path(a.out).parent.mkdir(parents=True, exist_ok=True)
    compute_table(
        default_mu_vals(a.mu_points),
        default_sigma_vals(a.sigma_points),
        processes=a.processes,
        progress=not a.quiet,
        out=a.out,
        resume=not a.no_resume,
    )


if __name__ == "__main__":
    main()
