"""Slow, obviously-correct pure-numpy reference implementations.

These functions exist only for the test-suite: they restate the model
equations of ``spec/models.md`` (sections 0, 1.4-1.8, 3, 4, 5, 6, 7, 8) and the
Balloon-Windkessel model of ``spec/bold.md`` (sections 1-4) as plain Python
loops over time steps and nodes, so that the fast engine can be compared with
them.  They know nothing about parameter dictionaries of the real models,
input alignment, chunking or random number generation: all of that is decided
by the caller and passed in explicitly.

Common conventions (shared by every model function below)
----------------------------------------------------------
N      number of nodes; T number of integration steps; dt step in ms.
S      history length (number of history columns).
D      (N, N) integer array of delay steps.  At step i node n sees node m
       through buffer column ``i - 1 - D[n, m]``, i.e. with zero delay it sees
       the previous step's value (coupling is never same-step).
p      dict of parameters.  Every numeric parameter is a scalar or an (N,)
       per-node array; it is read per node through
       ``np.broadcast_to(value, (N,))``.
Cmat   (N, N) coupling matrix, ``Cmat[n, m]`` = coupling from m to n.  Used as
       given (no diagonal zeroing, no normalisation).
hist   dict of history arrays of the buffered state variables, each (N, S).
       Column S-1 is the last value before step 1.  All history arrays of a
       model must have the same number of columns S, and S >= max(D) + 1.
ou0    dict of initial OU states, each (N,).
ext    dict of external inputs that are ALREADY ALIGNED, each (N, T):
       ``ext[name][:, k]`` is the value read by step k+1 (k = 0..T-1).
       A missing key means the input is 0.
noise  dict of standard normals, each (N, T): ``noise[ou_name][:, k]`` is the
       xi used in the OU update at the end of step k+1.  A missing key means no
       noise (xi = 0).
return dict with every output variable as (N, T) (history removed; column k is
       the value after step k+1) and the final OU states (N,) under their
       names.

Time stepping: explicit Euler for the state variables, all right-hand sides
evaluated from the values at the start of the step; the OU states are updated
AFTER the state variables (Euler-Maruyama, see ``ou_update``), so a noise
sample first acts on the dynamics one step later.
"""

import numpy as np

__all__ = [
    "delay_steps",
    "history_from_init",
    "ou_update",
    "hopf",
    "fhn",
    "wc",
    "ww",
    "kuramoto",
    "thalamus",
    "aln",
    "aln_lookup",
    "bold",
    "bold_sample_indices",
    "bold_times",
]


# ---------------------------------------------------------------------------
# small helpers
# ---------------------------------------------------------------------------


def delay_steps(lengthMat, signalV, dt):
    """Integer delay matrix D (N, N) from fibre lengths, per models.md §1.4.

    ``lengthMat`` in mm, ``signalV`` in mm/ms, ``dt`` in ms.
    N == 1 gives ``[[0]]`` (lengthMat ignored).  Otherwise
    ``Dms = lengthMat / signalV`` (zeros if signalV <= 0), the diagonal is set
    to 0, and ``D = round_half_even(Dms / dt)`` as integers (the quotient order
    lengthMat/signalV then /dt is kept).  History length is ``D.max() + 1``.
    This is the rule of Hopf, FHN, WC and WW (not upstream's Kuramoto O2).
    """
    L = np.asarray(lengthMat, dtype=float)
    N = L.shape[0]
    if N == 1:
        return np.zeros((1, 1), dtype=int)
    if signalV is not None and signalV > 0:
        Dms = L / signalV
    else:
        Dms = 0.0 * L
    Dms = Dms.copy()
    np.fill_diagonal(Dms, 0.0)
    return np.around(Dms / dt).astype(int)  # np.around rounds half to even


def history_from_init(init, S):
    """History block (N, S) from an initial-condition parameter (models.md §1.5).

    ``init`` is 2-D (N, K): if K == 1 every history column is ``init[:, 0]``;
    otherwise the last S columns ``init[:, -S:]`` are used (K >= S required).
    A 1-D (N,) array is treated as (N, 1).
    """
    a = np.asarray(init, dtype=float)
    if a.ndim == 1:
        a = a[:, None]
    if a.shape[1] == 1:
        return np.repeat(a, S, axis=1)
    if a.shape[1] < S:
        raise ValueError("initial condition has fewer than S columns")
    return a[:, -S:].copy()


def _per_node(p, key, N):
    """Parameter ``p[key]`` as a float (N,) array (scalar or per-node)."""
    return np.broadcast_to(np.asarray(p[key], dtype=float), (N,))


def _series(d, key, N, T):
    """``d[key]`` as a float (N, T) array; zeros when the key is missing."""
    if d is None or key not in d or d[key] is None:
        return np.zeros((N, T))
    a = np.asarray(d[key], dtype=float)
    if a.shape != (N, T):
        raise ValueError(f"{key!r} must have shape {(N, T)}, got {a.shape}")
    return a


def _buffer(hist, key, N, T, D):
    """Integration buffer (N, S+T) whose first S columns are ``hist[key]``.

    Returns the buffer and S.  Checks that S >= max(D) + 1.
    """
    h = np.asarray(hist[key], dtype=float)
    if h.ndim != 2 or h.shape[0] != N:
        raise ValueError(f"history {key!r} must have shape (N, S)")
    S = h.shape[1]
    if S < int(np.max(D)) + 1:
        raise ValueError(f"history {key!r} has S={S} < max(D)+1")
    buf = np.zeros((N, S + T))
    buf[:, :S] = h
    return buf, S


def _ou_state(ou0, key, N):
    """Initial OU state ``ou0[key]`` as a fresh float (N,) array (0 if missing)."""
    if ou0 is None or key not in ou0 or ou0[key] is None:
        return np.zeros(N)
    return np.array(np.broadcast_to(np.asarray(ou0[key], dtype=float), (N,)))


def _check_common(Cmat, D, T):
    Cmat = np.asarray(Cmat, dtype=float)
    D = np.asarray(D)
    N = Cmat.shape[0]
    if Cmat.shape != (N, N) or D.shape != (N, N):
        raise ValueError("Cmat and D must both be (N, N)")
    if np.any(D < 0):
        raise ValueError("delays must be non-negative")
    return Cmat, D.astype(int), N, int(T)


# ---------------------------------------------------------------------------
# OU noise
# ---------------------------------------------------------------------------


def ou_update(ou, mean, tau, sigma, dt, xi):
    """One Euler-Maruyama step of an Ornstein-Uhlenbeck process (models.md §1.8).

    ``ou + (mean - ou) * dt / tau + sigma * sqrt(dt) * xi``

    All arguments broadcast (scalars or (N,) arrays); ``xi`` is a standard
    normal sample (0 for no noise).  Returns a new array; ``ou`` is not
    modified.  Every model function calls this once per OU channel at the END
    of each step, after the state variables were updated.
    """
    ou = np.asarray(ou, dtype=float)
    return ou + (mean - ou) * dt / tau + sigma * np.sqrt(dt) * xi


# ---------------------------------------------------------------------------
# Hopf / FitzHugh-Nagumo (same structure: x, y, coupling on x only)
# ---------------------------------------------------------------------------


def _xy_coupling(kind, K, Cmat, xbuf, D, n, i):
    """Coupling term of node n at step i for Hopf/FHN (x buffer only)."""
    N = Cmat.shape[0]
    X = xbuf[n, i - 1]
    cpl = 0.0
    for j in range(N):
        xj = xbuf[j, i - 1 - D[n, j]]
        if kind == "diffusive":
            cpl += K[n] * Cmat[n, j] * (xj - X)
        elif kind == "additive":
            cpl += K[n] * Cmat[n, j] * xj
        else:
            raise ValueError(f"unknown coupling {kind!r}")
    return cpl


def hopf(p, Cmat, D, hist, ou0, ext, noise, dt, T):
    """Stuart-Landau (Hopf) network, models.md §3, forward Euler.

    See the module docstring for the shared conventions (D, p, hist, ou0, ext,
    noise, shapes).  Model-specific keys:
      p:     a, w, K_gl, coupling ("diffusive" | "additive"), tau_ou, sigma_ou,
             x_ou_mean, y_ou_mean
      hist:  "x", "y" (N, S); y is not delayed, only its last column is used
      ou0:   "x_ou", "y_ou"
      ext:   "x_ext", "y_ext"
      noise: "x_ou", "y_ou"
    Step i, node n (X = x[n,i-1], Y = y[n,i-1]):
      diffusive cpl = sum_j K_gl*Cmat[n,j]*(x[j,i-1-D[n,j]] - X)
      additive  cpl = sum_j K_gl*Cmat[n,j]*x[j,i-1-D[n,j]]
      dx = (a - X^2 - Y^2)*X - w*Y + cpl + x_ou[n] + x_ext
      dy = (a - X^2 - Y^2)*Y + w*X + y_ou[n] + y_ext
      x += dt*dx, y += dt*dy; then OU updates of x_ou, y_ou.
    Returns {"x", "y"} as (N, T) and {"x_ou", "y_ou"} as (N,).
    """
    Cmat, D, N, T = _check_common(Cmat, D, T)
    kind = p["coupling"]
    if kind not in ("diffusive", "additive"):
        raise ValueError(f"unknown coupling {kind!r}")
    a = _per_node(p, "a", N)
    w = _per_node(p, "w", N)
    K = _per_node(p, "K_gl", N)
    tau_ou = _per_node(p, "tau_ou", N)
    sigma_ou = _per_node(p, "sigma_ou", N)
    x_mean = _per_node(p, "x_ou_mean", N)
    y_mean = _per_node(p, "y_ou_mean", N)

    x, S = _buffer(hist, "x", N, T, D)
    y, Sy = _buffer(hist, "y", N, T, D)
    if Sy != S:
        raise ValueError("hist['x'] and hist['y'] must have the same length")
    x_ou = _ou_state(ou0, "x_ou", N)
    y_ou = _ou_state(ou0, "y_ou", N)
    x_ext = _series(ext, "x_ext", N, T)
    y_ext = _series(ext, "y_ext", N, T)
    xi_x = _series(noise, "x_ou", N, T)
    xi_y = _series(noise, "y_ou", N, T)

    for k in range(T):  # step k+1 writes column i
        i = S + k
        for n in range(N):
            X = x[n, i - 1]
            Y = y[n, i - 1]
            cpl = _xy_coupling(kind, K, Cmat, x, D, n, i)
            dx = (a[n] - X**2 - Y**2) * X - w[n] * Y + cpl + x_ou[n] + x_ext[n, k]
            dy = (a[n] - X**2 - Y**2) * Y + w[n] * X + y_ou[n] + y_ext[n, k]
            x[n, i] = X + dt * dx
            y[n, i] = Y + dt * dy
        x_ou = ou_update(x_ou, x_mean, tau_ou, sigma_ou, dt, xi_x[:, k])
        y_ou = ou_update(y_ou, y_mean, tau_ou, sigma_ou, dt, xi_y[:, k])

    return {"x": x[:, S:].copy(), "y": y[:, S:].copy(), "x_ou": x_ou, "y_ou": y_ou}


def fhn(p, Cmat, D, hist, ou0, ext, noise, dt, T):
    """FitzHugh-Nagumo network, models.md §4, forward Euler.

    See the module docstring for the shared conventions.  Model-specific keys:
      p:     alpha, beta, gamma, delta, epsilon, tau, K_gl,
             coupling ("diffusive" | "additive"), tau_ou, sigma_ou,
             x_ou_mean, y_ou_mean
      hist:  "x", "y" (N, S); y is not delayed, only its last column is used
      ou0:   "x_ou", "y_ou"
      ext:   "x_ext", "y_ext"  (note: upstream's default x_ext is 1, but a
             missing key here means 0 -- pass it explicitly)
      noise: "x_ou", "y_ou"
    Step i, node n (X = x[n,i-1], Y = y[n,i-1]; cpl as in ``hopf``):
      dx = -alpha*X^3 + beta*X^2 + gamma*X - Y + cpl + x_ou + x_ext
      dy = (X - delta - epsilon*Y)/tau + y_ou + y_ext
      x += dt*dx, y += dt*dy; then OU updates of x_ou, y_ou.
    Returns {"x", "y"} as (N, T) and {"x_ou", "y_ou"} as (N,).
    """
    Cmat, D, N, T = _check_common(Cmat, D, T)
    kind = p["coupling"]
    if kind not in ("diffusive", "additive"):
        raise ValueError(f"unknown coupling {kind!r}")
    alpha = _per_node(p, "alpha", N)
    beta = _per_node(p, "beta", N)
    gamma = _per_node(p, "gamma", N)
    delta = _per_node(p, "delta", N)
    epsilon = _per_node(p, "epsilon", N)
    tau = _per_node(p, "tau", N)
    K = _per_node(p, "K_gl", N)
    tau_ou = _per_node(p, "tau_ou", N)
    sigma_ou = _per_node(p, "sigma_ou", N)
    x_mean = _per_node(p, "x_ou_mean", N)
    y_mean = _per_node(p, "y_ou_mean", N)

    x, S = _buffer(hist, "x", N, T, D)
    y, Sy = _buffer(hist, "y", N, T, D)
    if Sy != S:
        raise ValueError("hist['x'] and hist['y'] must have the same length")
    x_ou = _ou_state(ou0, "x_ou", N)
    y_ou = _ou_state(ou0, "y_ou", N)
    x_ext = _series(ext, "x_ext", N, T)
    y_ext = _series(ext, "y_ext", N, T)
    xi_x = _series(noise, "x_ou", N, T)
    xi_y = _series(noise, "y_ou", N, T)

    for k in range(T):
        i = S + k
        for n in range(N):
            X = x[n, i - 1]
            Y = y[n, i - 1]
            cpl = _xy_coupling(kind, K, Cmat, x, D, n, i)
            dx = -alpha[n] * X**3 + beta[n] * X**2 + gamma[n] * X - Y + cpl + x_ou[n] + x_ext[n, k]
            dy = (X - delta[n] - epsilon[n] * Y) / tau[n] + y_ou[n] + y_ext[n, k]
            x[n, i] = X + dt * dx
            y[n, i] = Y + dt * dy
        x_ou = ou_update(x_ou, x_mean, tau_ou, sigma_ou, dt, xi_x[:, k])
        y_ou = ou_update(y_ou, y_mean, tau_ou, sigma_ou, dt, xi_y[:, k])

    return {"x": x[:, S:].copy(), "y": y[:, S:].copy(), "x_ou": x_ou, "y_ou": y_ou}


# ---------------------------------------------------------------------------
# Wilson-Cowan
# ---------------------------------------------------------------------------


def _sigmoid(u, a, mu):
    """Logistic 1/(1+exp(-a(u-mu))) with IEEE overflow semantics (no raise)."""
    with np.errstate(over="ignore"):
        return 1.0 / (1.0 + np.exp(-a * (u - mu)))


def wc(p, Cmat, D, hist, ou0, ext, noise, dt, T):
    """Wilson-Cowan network, models.md §5, forward Euler with clipping.

    See the module docstring for the shared conventions.  Model-specific keys:
      p:     tau_exc, tau_inh, c_excexc, c_excinh, c_inhexc, c_inhinh,
             a_exc, a_inh, mu_exc, mu_inh, K_gl, exc_ext_baseline,
             inh_ext_baseline, tau_ou, sigma_ou, exc_ou_mean, inh_ou_mean
      hist:  "exc", "inh" (N, S); inh is not delayed (last column used)
      ou0:   "exc_ou", "inh_ou"
      ext:   "exc_ext", "inh_ext"
      noise: "exc_ou", "inh_ou"
    Step i, node n (E = exc[n,i-1], I = inh[n,i-1],
    S_E(u) = 1/(1+exp(-a_exc(u-mu_exc))), S_I likewise):
      cpl = sum_j K_gl*Cmat[n,j]*exc[j,i-1-D[n,j]]   (always additive)
      dE = (-E + (1-E)*S_E(c_excexc*E - c_inhexc*I + cpl + exc_ext_baseline
                           + exc_ext) + exc_ou) / tau_exc
      dI = (-I + (1-I)*S_I(c_excinh*E - c_inhinh*I + inh_ext_baseline
                           + inh_ext) + inh_ou) / tau_inh
      exc = clip(E + dt*dE, 0, 1), inh = clip(I + dt*dI, 0, 1);
      then OU updates of exc_ou, inh_ou.
    The OU term is added outside the sigmoid and divided by the time constant.
    Returns {"exc", "inh"} as (N, T) and {"exc_ou", "inh_ou"} as (N,).
    """
    Cmat, D, N, T = _check_common(Cmat, D, T)
    tau_exc = _per_node(p, "tau_exc", N)
    tau_inh = _per_node(p, "tau_inh", N)
    c_ee = _per_node(p, "c_excexc", N)
    c_ei = _per_node(p, "c_excinh", N)
    c_ie = _per_node(p, "c_inhexc", N)
    c_ii = _per_node(p, "c_inhinh", N)
    a_exc = _per_node(p, "a_exc", N)
    a_inh = _per_node(p, "a_inh", N)
    mu_exc = _per_node(p, "mu_exc", N)
    mu_inh = _per_node(p, "mu_inh", N)
    K = _per_node(p, "K_gl", N)
    exc_base = _per_node(p, "exc_ext_baseline", N)
    inh_base = _per_node(p, "inh_ext_baseline", N)
    tau_ou = _per_node(p, "tau_ou", N)
    sigma_ou = _per_node(p, "sigma_ou", N)
    exc_mean = _per_node(p, "exc_ou_mean", N)
    inh_mean = _per_node(p, "inh_ou_mean", N)

    exc, S = _buffer(hist, "exc", N, T, D)
    inh, Si = _buffer(hist, "inh", N, T, D)
    if Si != S:
        raise ValueError("hist['exc'] and hist['inh'] must have the same length")
    exc_ou = _ou_state(ou0, "exc_ou", N)
    inh_ou = _ou_state(ou0, "inh_ou", N)
    exc_ext = _series(ext, "exc_ext", N, T)
    inh_ext = _series(ext, "inh_ext", N, T)
    xi_e = _series(noise, "exc_ou", N, T)
    xi_i = _series(noise, "inh_ou", N, T)

    for k in range(T):
        i = S + k
        for n in range(N):
            E = exc[n, i - 1]
            I = inh[n, i - 1]
            cpl = 0.0
            for j in range(N):
                cpl += K[n] * Cmat[n, j] * exc[j, i - 1 - D[n, j]]
            u_e = c_ee[n] * E - c_ie[n] * I + cpl + exc_base[n] + exc_ext[n, k]
            u_i = c_ei[n] * E - c_ii[n] * I + inh_base[n] + inh_ext[n, k]
            dE = (-E + (1.0 - E) * _sigmoid(u_e, a_exc[n], mu_exc[n]) + exc_ou[n]) / tau_exc[n]
            dI = (-I + (1.0 - I) * _sigmoid(u_i, a_inh[n], mu_inh[n]) + inh_ou[n]) / tau_inh[n]
            exc[n, i] = min(max(E + dt * dE, 0.0), 1.0)
            inh[n, i] = min(max(I + dt * dI, 0.0), 1.0)
        exc_ou = ou_update(exc_ou, exc_mean, tau_ou, sigma_ou, dt, xi_e[:, k])
        inh_ou = ou_update(inh_ou, inh_mean, tau_ou, sigma_ou, dt, xi_i[:, k])

    return {
        "exc": exc[:, S:].copy(),
        "inh": inh[:, S:].copy(),
        "exc_ou": exc_ou,
        "inh_ou": inh_ou,
    }


# ---------------------------------------------------------------------------
# Wong-Wang
# ---------------------------------------------------------------------------


def _ww_H(I, a, b, d):
    """Wong-Wang transfer function (a*I - b)/(1 - exp(-d*(a*I - b))) in kHz.

    Unguarded: a*I == b exactly gives 0/0 = NaN, as upstream.
    """
    z = a * I - b
    with np.errstate(over="ignore", invalid="ignore", divide="ignore"):
        return np.float64(z) / (1.0 - np.exp(-d * z))


def ww(p, Cmat, D, hist, ou0, ext, noise, dt, T):
    """Wong-Wang (Deco 2014, two populations) network, models.md §6, Euler.

    See the module docstring for the shared conventions.  Model-specific keys:
      p:     a_exc, b_exc, d_exc, tau_exc, gamma_exc, w_exc,
             exc_current_baseline, a_inh, b_inh, d_inh, tau_inh, w_inh,
             inh_current_baseline, J_NMDA, J_I, w_ee, K_gl,
             tau_ou, sigma_ou, exc_ou_mean, inh_ou_mean
      hist:  "se", "si" (N, S); si is not delayed (last column used)
      ou0:   "exc_ou", "inh_ou"
      ext:   "exc_current", "inh_current"
      noise: "exc_ou", "inh_ou"
    Step i, node n (se = se[n,i-1], si = si[n,i-1],
    H(I; a,b,d) = (a*I - b)/(1 - exp(-d*(a*I - b)))):
      cpl = sum_j K_gl*Cmat[n,j]*se[j,i-1-D[n,j]]
      I_E = w_exc*(exc_current_baseline + exc_current) + w_ee*J_NMDA*se
            - J_I*si + J_NMDA*cpl
      I_I = w_inh*(inh_current_baseline + inh_current) + J_NMDA*se - si
      r_exc = H(I_E; a_exc,b_exc,d_exc), r_inh = H(I_I; a_inh,b_inh,d_inh)
        (from the pre-step state; stored as the output of step i)
      dse = -se/tau_exc + (1-se)*gamma_exc*r_exc + exc_ou
      dsi = -si/tau_inh + r_inh + inh_ou
      se += dt*dse, si += dt*dsi (no clipping); then OU updates.
    Returns {"r_exc", "r_inh", "se", "si"} as (N, T) and
    {"exc_ou", "inh_ou"} as (N,).
    """
    Cmat, D, N, T = _check_common(Cmat, D, T)
    a_exc = _per_node(p, "a_exc", N)
    b_exc = _per_node(p, "b_exc", N)
    d_exc = _per_node(p, "d_exc", N)
    tau_exc = _per_node(p, "tau_exc", N)
    gamma_exc = _per_node(p, "gamma_exc", N)
    w_exc = _per_node(p, "w_exc", N)
    exc_base = _per_node(p, "exc_current_baseline", N)
    a_inh = _per_node(p, "a_inh", N)
    b_inh = _per_node(p, "b_inh", N)
    d_inh = _per_node(p, "d_inh", N)
    tau_inh = _per_node(p, "tau_inh", N)
    w_inh = _per_node(p, "w_inh", N)
    inh_base = _per_node(p, "inh_current_baseline", N)
    J_NMDA = _per_node(p, "J_NMDA", N)
    J_I = _per_node(p, "J_I", N)
    w_ee = _per_node(p, "w_ee", N)
    K = _per_node(p, "K_gl", N)
    tau_ou = _per_node(p, "tau_ou", N)
    sigma_ou = _per_node(p, "sigma_ou", N)
    exc_mean = _per_node(p, "exc_ou_mean", N)
    inh_mean = _per_node(p, "inh_ou_mean", N)

    se, S = _buffer(hist, "se", N, T, D)
    si, Si = _buffer(hist, "si", N, T, D)
    if Si != S:
        raise ValueError("hist['se'] and hist['si'] must have the same length")
    r_exc = np.zeros((N, T))
    r_inh = np.zeros((N, T))
    exc_ou = _ou_state(ou0, "exc_ou", N)
    inh_ou = _ou_state(ou0, "inh_ou", N)
    exc_cur = _series(ext, "exc_current", N, T)
    inh_cur = _series(ext, "inh_current", N, T)
    xi_e = _series(noise, "exc_ou", N, T)
    xi_i = _series(noise, "inh_ou", N, T)

    for k in range(T):
        i = S + k
        for n in range(N):
            SE = se[n, i - 1]
            SI = si[n, i - 1]
            cpl = 0.0
            for j in range(N):
                cpl += K[n] * Cmat[n, j] * se[j, i - 1 - D[n, j]]
            I_E = w_exc[n] * (exc_base[n] + exc_cur[n, k]) + w_ee[n] * J_NMDA[n] * SE - J_I[n] * SI + J_NMDA[n] * cpl
            I_I = w_inh[n] * (inh_base[n] + inh_cur[n, k]) + J_NMDA[n] * SE - SI
            re = _ww_H(I_E, a_exc[n], b_exc[n], d_exc[n])
            ri = _ww_H(I_I, a_inh[n], b_inh[n], d_inh[n])
            r_exc[n, k] = re
            r_inh[n, k] = ri
            dse = -SE / tau_exc[n] + (1.0 - SE) * gamma_exc[n] * re + exc_ou[n]
            dsi = -SI / tau_inh[n] + ri + inh_ou[n]
            se[n, i] = SE + dt * dse
            si[n, i] = SI + dt * dsi
        exc_ou = ou_update(exc_ou, exc_mean, tau_ou, sigma_ou, dt, xi_e[:, k])
        inh_ou = ou_update(inh_ou, inh_mean, tau_ou, sigma_ou, dt, xi_i[:, k])

    return {
        "r_exc": r_exc,
        "r_inh": r_inh,
        "se": se[:, S:].copy(),
        "si": si[:, S:].copy(),
        "exc_ou": exc_ou,
        "inh_ou": inh_ou,
    }


# ---------------------------------------------------------------------------
# Kuramoto
# ---------------------------------------------------------------------------


def kuramoto(p, Cmat, D, hist, ou0, ext, noise, dt, T):
    """Kuramoto phase oscillators, models.md §8, forward Euler with wrapping.

    See the module docstring for the shared conventions.  Here D is the
    correct per-step delay (no integer-ms truncation, i.e. NOT upstream's
    ODDITY O2).  Model-specific keys:
      p:     k (global coupling), omega, tau_ou, sigma_ou  (OU mean fixed 0)
      hist:  "theta" (N, S)
      ou0:   "theta_ou"
      ext:   "theta_ext"
      noise: "theta_ou"
    Step i, node n (th = theta[n,i-1], N = Cmat.shape[0]):
      cpl = sum_j (k/N)*Cmat[n,j]*sin(theta[j,i-1-D[n,j]] - th)
      theta[n,i] = mod(th + dt*(omega + cpl + theta_ou + theta_ext), 2*pi)
      then OU update of theta_ou with mean 0.
    Returns {"theta"} as (N, T) and {"theta_ou"} as (N,).
    """
    Cmat, D, N, T = _check_common(Cmat, D, T)
    kk = _per_node(p, "k", N)
    omega = _per_node(p, "omega", N)
    tau_ou = _per_node(p, "tau_ou", N)
    sigma_ou = _per_node(p, "sigma_ou", N)

    theta, S = _buffer(hist, "theta", N, T, D)
    theta_ou = _ou_state(ou0, "theta_ou", N)
    theta_ext = _series(ext, "theta_ext", N, T)
    xi = _series(noise, "theta_ou", N, T)

    for k in range(T):
        i = S + k
        for n in range(N):
            th = theta[n, i - 1]
            cpl = 0.0
            for j in range(N):
                cpl += (kk[n] / N) * Cmat[n, j] * np.sin(theta[j, i - 1 - D[n, j]] - th)
            new = th + dt * (omega[n] + cpl + theta_ou[n] + theta_ext[n, k])
            theta[n, i] = np.mod(new, 2.0 * np.pi)
        theta_ou = ou_update(theta_ou, 0.0, tau_ou, sigma_ou, dt, xi[:, k])

    return {"theta": theta[:, S:].copy(), "theta_ou": theta_ou}


# ---------------------------------------------------------------------------
# BOLD (Balloon-Windkessel)
# ---------------------------------------------------------------------------

BOLD_RHO = 0.34
BOLD_ALPHA = 0.32
BOLD_V0 = 0.02
BOLD_K1 = 7 * BOLD_RHO
BOLD_K2 = 2.0
BOLD_K3 = 2 * BOLD_RHO - 0.2
BOLD_GAMMA = 0.41
BOLD_KAPPA = 0.65
BOLD_TAU = 0.98
BOLD_EPS = 1e-120


def bold(Z, dt_ms, X0=None, F0=None, Q0=None, V0=None):
    """Balloon-Windkessel BOLD model, bold.md §1-4, explicit Euler.

    ``Z`` is the (N, L) neural input at the model's full resolution; one BOLD
    step per input sample with ``h = dt_ms * 1e-3`` seconds.  ``X0, F0, Q0,
    V0`` are (N,) start states; each missing one defaults to ONES (the
    ``BOLDModel`` class's initial state, ODDITY B1 -- not the bare function's
    zeros).  Per sample i and node j, in this order:
      1. F = max(F, 1e-120)
      2. X = X + h*(Z[j,i] - kappa*X - gamma*(F - 1))
      3. Q = Q + (h/tau)*(F/rho*(1 - (1-rho)**(1/F)) - Q*V**(1/alpha - 1))
         (old F, V, Q)
      4. V = V + (h/tau)*(F - V**(1/alpha))        (old F, V)
      5. F = F + h*X                               (new X)
      6. BOLD[j,i] = V0*(k1*(1-Q) + k2*(1-Q/V) + k3*(1-V))  (new Q, V)
    with rho 0.34, alpha 0.32, V0 0.02, k1 = 7 rho, k2 = 2, k3 = 2 rho - 0.2,
    gamma 0.41, kappa 0.65, tau 0.98.  Inputs are not modified.
    Returns ``(BOLD_full (N, L), X, F, Q, V)`` with the final (N,) states.
    """
    Z = np.asarray(Z, dtype=float)
    if Z.ndim != 2:
        raise ValueError("Z must be (N, L)")
    N, L = Z.shape

    def start(v):
        if v is None:
            return np.ones(N)
        return np.array(np.broadcast_to(np.asarray(v, dtype=float), (N,)))

    X, F, Q, V = start(X0), start(F0), start(Q0), start(V0)
    h = dt_ms * 1e-3
    inv_alpha = 1.0 / BOLD_ALPHA
    inv_alpha_m1 = 1.0 / BOLD_ALPHA - 1.0
    out = np.zeros((N, L))

    for j in range(N):
        x, f, q, v = float(X[j]), float(F[j]), float(Q[j]), float(V[j])
        zj = Z[j].tolist()
        for i in range(L):
            f = max(f, BOLD_EPS)
            x_new = x + h * (zj[i] - BOLD_KAPPA * x - BOLD_GAMMA * (f - 1.0))
            q_new = q + (h / BOLD_TAU) * (f / BOLD_RHO * (1.0 - (1.0 - BOLD_RHO) ** (1.0 / f)) - q * v**inv_alpha_m1)
            v_new = v + (h / BOLD_TAU) * (f - v**inv_alpha)
            f_new = f + h * x_new
            x, q, v, f = x_new, q_new, v_new, f_new
            out[j, i] = BOLD_V0 * (BOLD_K1 * (1.0 - q) + BOLD_K2 * (1.0 - q / v) + BOLD_K3 * (1.0 - v))
        X[j], F[j], Q[j], V[j] = x, f, q, v

    return out, X, F, Q, V


def bold_sample_indices(g0, L, ndt):
    """Local indices kept in a BOLD call starting at global sample ``g0``.

    ``g0`` = samples consumed before this call (upstream ``idxLastT``), ``L``
    the call's input length, ``ndt = round(2000/dt_ms)`` samples per TR.
    Returns an int array of all local j in [0, L) with
    ``(g0 + j) % ndt == 1 % ndt`` (bold.md §6).  Note: this is the clean rule;
    upstream's ODDITY B5 (when g0 % ndt == 1 and g0 > 0 it also skips j = 0)
    is deliberately not reproduced.
    """
    j = np.arange(int(L))
    return j[(g0 + j) % ndt == 1 % ndt]


def bold_times(g, dt_ms):
    """BOLD time labels in ms for global sample indices ``g``: ``g * dt_ms``."""
    return np.asarray(g) * dt_ms


# ---------------------------------------------------------------------------
# Thalamic mass model (single node)
# ---------------------------------------------------------------------------

THALAMUS_PARAMS = (
    "tau Q_max theta sigma C1 C_m gamma_e gamma_r g_L g_GABA g_AMPA g_LK E_AMPA E_GABA E_L E_K E_Ca "
    "g_T_t g_h E_h alpha_Ca tau_Ca Ca_0 k1 k2 k3 k4 n_P g_inc N_tr d_phi g_T_r N_rt N_rr"
).split()
THALAMUS_STATES = tuple("Ca h_T_t h_T_r m_h1 m_h2 s_et s_gt s_er s_gr ds_et ds_gt ds_er ds_gr".split())


def thalamus(p, hist, y0, ext, noise, dt, T):
    """Thalamic mass model (Costa et al. 2016), one node, models.md §7, forward Euler.

    Unlike the network models there are no nodes, no coupling and no OU
    processes; everything is a scalar.  Arguments:
      p:     the scalar parameters listed in ``THALAMUS_PARAMS`` (tau, Q_max,
             theta, sigma, C1, C_m, gamma_e, gamma_r, g_L, g_GABA, g_AMPA,
             g_LK, E_AMPA, E_GABA, E_L, E_K, E_Ca, g_T_t, g_h, E_h, alpha_Ca,
             tau_Ca, Ca_0, k1, k2, k3, k4, n_P, g_inc, N_tr, d_phi, g_T_r,
             N_rt, N_rr).  Scalars or 1-element arrays.
      hist:  "V_t", "V_r": initial voltages (scalar, (1,) or (1, S) -- the
             last column is used; the model has S = 1).
      y0:    the initial values of every name in ``THALAMUS_STATES`` (Ca,
             h_T_t, h_T_r, m_h1, m_h2, s_et, s_gt, s_er, s_gr, ds_et, ds_gt,
             ds_er, ds_gr); all are required.
      ext:   "ext_current_t", "ext_current_r" as ALIGNED (1, T) series
             (``ext[name][0, k]`` is read by step k+1); missing means 0.
      noise: "ds_et": (1, T) standard normals, ``noise["ds_et"][0, k]`` is
             the xi of step k+1; missing means no noise.
    Step k+1 (Vt, Vr and every other state at their start-of-step values;
    Q(V) = Q_max/(1 + exp(-C1 (V - theta)/sigma)) in kHz):
      V_t, V_r: Euler with dV_t, dV_r of §7 (leak, AMPA, GABA, external
              current over tau; potassium leak, T current (and h current for
              TCR) over C_m)
      Q_t = 1000 Q(V_t new), Q_r = 1000 Q(V_r new)          (Hz)
      Ca, h_T_t, h_T_r, m_h1, m_h2: Euler
      s_xy += dt * ds_xy                                      (old ds)
      ds_et += gamma_e^2 d_phi sqrt(dt) xi
      ds_er += dt*(gamma_e^2 (N_rt Q(Vt) - s_er) - 2 gamma_e ds_er)
      ds_gt += dt*(gamma_r^2 (N_tr Q(Vr) - s_gt) - 2 gamma_r ds_gt)
      ds_gr += dt*(gamma_r^2 (N_rr Q(Vr) - s_gr) - 2 gamma_r ds_gr)
      (old s, ds and the pre-step voltages on the right-hand sides)
    Returns {"V_t", "V_r", "Q_t", "Q_r"} as (1, T) and every name of
    ``THALAMUS_STATES`` as its final value, shape (1,).
    """
    import math

    T = int(T)
    P = {k: float(np.asarray(p[k], dtype=float).reshape(-1)[0]) for k in THALAMUS_PARAMS}
    missing = [k for k in THALAMUS_STATES if k not in y0]
    if missing:
        raise KeyError(f"y0 lacks {missing}")
    st = {k: float(np.asarray(y0[k], dtype=float).reshape(-1)[0]) for k in THALAMUS_STATES}
    vt = float(np.asarray(hist["V_t"], dtype=float).reshape(-1)[-1])
    vr = float(np.asarray(hist["V_r"], dtype=float).reshape(-1)[-1])
    ext_t = _series(ext, "ext_current_t", 1, T)[0].tolist()
    ext_r = _series(ext, "ext_current_r", 1, T)[0].tolist()
    xi = _series(noise, "ds_et", 1, T)[0].tolist()

    def Q(v):
        return P["Q_max"] / (1.0 + math.exp(-P["C1"] * (v - P["theta"]) / P["sigma"]))

    out = {k: np.zeros((1, T)) for k in ("V_t", "V_r", "Q_t", "Q_r")}
    ge, gr = P["gamma_e"], P["gamma_r"]
    noise_scale = ge**2 * P["d_phi"] * math.sqrt(dt)
    for k in range(T):
        Ca, h_T_t, h_T_r, m_h1, m_h2 = st["Ca"], st["h_T_t"], st["h_T_r"], st["m_h1"], st["m_h2"]
        s_et, s_gt, s_er, s_gr = st["s_et"], st["s_gt"], st["s_er"], st["s_gr"]
        ds_et, ds_gt, ds_er, ds_gr = st["ds_et"], st["ds_gt"], st["ds_er"], st["ds_gr"]

        I_L_t = P["g_L"] * (vt - P["E_L"])
        I_L_r = P["g_L"] * (vr - P["E_L"])
        I_LK_t = P["g_LK"] * (vt - P["E_K"])
        I_LK_r = P["g_LK"] * (vr - P["E_K"])
        I_AMPA_t = P["g_AMPA"] * s_et * (vt - P["E_AMPA"])
        I_AMPA_r = P["g_AMPA"] * s_er * (vr - P["E_AMPA"])
        I_GABA_t = P["g_GABA"] * s_gt * (vt - P["E_GABA"])
        I_GABA_r = P["g_GABA"] * s_gr * (vr - P["E_GABA"])
        m_inf_t = 1.0 / (1.0 + math.exp(-(vt + 59.0) / 6.2))
        m_inf_r = 1.0 / (1.0 + math.exp(-(vr + 52.0) / 7.4))
        I_T_t = P["g_T_t"] * m_inf_t**2 * h_T_t * (vt - P["E_Ca"])
        I_T_r = P["g_T_r"] * m_inf_r**2 * h_T_r * (vr - P["E_Ca"])
        I_h = P["g_h"] * (m_h1 + P["g_inc"] * m_h2) * (vt - P["E_h"])

        dV_t = -(I_L_t + I_AMPA_t + I_GABA_t + ext_t[k]) / P["tau"] - (I_LK_t + I_T_t + I_h) / P["C_m"]
        dV_r = -(I_L_r + I_AMPA_r + I_GABA_r + ext_r[k]) / P["tau"] - (I_LK_r + I_T_r) / P["C_m"]
        dCa = P["alpha_Ca"] * I_T_t - (Ca - P["Ca_0"]) / P["tau_Ca"]

        h_inf_t = 1.0 / (1.0 + math.exp((vt + 81.0) / 4.0))
        h_inf_r = 1.0 / (1.0 + math.exp((vr + 80.0) / 5.0))
        tau_h_t = (30.8 + (211.4 + math.exp((vt + 115.2) / 5.0)) / (1.0 + math.exp((vt + 86.0) / 3.2))) / 3.7371928
        tau_h_r = (85.0 + 1.0 / (math.exp((vr + 48.0) / 4.0) + math.exp(-(vr + 407.0) / 50.0))) / 3.7371928
        dh_T_t = (h_inf_t - h_T_t) / tau_h_t
        dh_T_r = (h_inf_r - h_T_r) / tau_h_r

        m_inf_h = 1.0 / (1.0 + math.exp((vt + 75.0) / 5.5))
        tau_m_h = 20.0 + 1000.0 / (math.exp((vt + 71.5) / 14.2) + math.exp(-(vt + 89.0) / 11.6))
        P_h = P["k1"] * Ca ** P["n_P"] / (P["k1"] * Ca ** P["n_P"] + P["k2"])
        dm_h1 = (m_inf_h * (1.0 - m_h2) - m_h1) / tau_m_h - P["k3"] * P_h * m_h1 + P["k4"] * m_h2
        dm_h2 = P["k3"] * P_h * m_h1 - P["k4"] * m_h2

        d_ds_er = ge**2 * (P["N_rt"] * Q(vt) - s_er) - 2.0 * ge * ds_er
        d_ds_gt = gr**2 * (P["N_tr"] * Q(vr) - s_gt) - 2.0 * gr * ds_gt
        d_ds_gr = gr**2 * (P["N_rr"] * Q(vr) - s_gr) - 2.0 * gr * ds_gr

        # update order of §7: voltages, rates from the new voltages, the rest
        vt = vt + dt * dV_t
        vr = vr + dt * dV_r
        out["V_t"][0, k] = vt
        out["V_r"][0, k] = vr
        out["Q_t"][0, k] = 1000.0 * Q(vt)
        out["Q_r"][0, k] = 1000.0 * Q(vr)
        st["Ca"] = Ca + dt * dCa
        st["h_T_t"] = h_T_t + dt * dh_T_t
        st["h_T_r"] = h_T_r + dt * dh_T_r
        st["m_h1"] = m_h1 + dt * dm_h1
        st["m_h2"] = m_h2 + dt * dm_h2
        st["s_et"] = s_et + dt * ds_et
        st["s_gt"] = s_gt + dt * ds_gt
        st["s_er"] = s_er + dt * ds_er
        st["s_gr"] = s_gr + dt * ds_gr
        st["ds_et"] = ds_et + noise_scale * xi[k]
        st["ds_gt"] = ds_gt + dt * d_ds_gt
        st["ds_er"] = ds_er + dt * d_ds_er
        st["ds_gr"] = ds_gr + dt * d_ds_gr

    out.update({k: np.array([v]) for k, v in st.items()})
    return out


# ---------------------------------------------------------------------------
# ALN (adaptive linear-nonlinear cascade)
# ---------------------------------------------------------------------------

ALN_PARAMS = (
    "Jee_max Jei_max Jie_max Jii_max tau_se tau_si C gL Ke Ki Ke_gl cee cei cie cii c_gl sigmae_ext sigmai_ext "
    "a b EA tauA tau_de tau_di tau_ou sigma_ou mue_ext_mean mui_ext_mean"
).split()
ALN_STATES = tuple("mufe mufi seem seim siem siim seev seiv siev siiv".split())
ALN_TABLES = ("r_ss", "V_mean_ss", "tau_mu_exp", "tau_sigma_exp")


def _aln_axis(value, grid):
    """Lower index and fraction of ``value`` on a regular grid (aln.md §6), clamped to the grid.

    The spacing is ``grid[1] - grid[0]`` (as stored).  Below the first point: index 0, fraction 0.  At or
    above the last point (also when the computed index reaches the last point through rounding):
    index = last, fraction 0 -- the neighbour above is clamped by :func:`aln_lookup`.
    """
    import math

    value = float(value)
    if math.isnan(value):
        raise ValueError("ALN lookup at NaN")
    n = len(grid)
    first, last = float(grid[0]), float(grid[n - 1])
    if value < first:
        return 0, 0.0
    if value >= last:
        return n - 1, 0.0
    q = (value - first) / (float(grid[1]) - first)
    i = int(math.floor(q))
    if i >= n - 1:
        return n - 1, 0.0
    return i, q - i


def aln_lookup(table, mu_vals, sigma_vals, mu, sigma):
    """Bilinear interpolation of ``table`` (rows mu, columns sigma) at (mu, sigma), aln.md §6, clamped.

    Inside the grid: bilinear; one coordinate outside: linear along the edge; both outside: the corner.
    """
    T = np.asarray(table, dtype=float)
    m, fy = _aln_axis(mu, mu_vals)
    j, fx = _aln_axis(sigma, sigma_vals)
    m1 = min(m + 1, T.shape[0] - 1)
    j1 = min(j + 1, T.shape[1] - 1)
    return float(
        T[m, j] * (1 - fx) * (1 - fy) + T[m, j1] * fx * (1 - fy) + T[m1, j] * (1 - fx) * fy + T[m1, j1] * fx * fy
    )


def aln(p, tables, Cmat, D, nde, ndi, hist, y0, ou0, ext, noise, dt, T):
    """ALN network, aln.md §3-§4 (normative step), forward Euler, with the project's options.

    Arguments (see the module docstring for the shared conventions):
      p:      the parameters of ``ALN_PARAMS`` (scalars or (N,)); optional "filter_sigma", "distr_delay"
              (default 0).
      tables: dict with "mu_vals", "sigma_vals", "r_ss" (kHz), "V_mean_ss" (mV), "tau_mu_exp" (ms),
              "tau_sigma_exp" (ms), tables indexed [mu, sigma].
      Cmat:   (N, N), used as given (diagonal included).
      D:      (N, N) delay steps of the inter-areal input; the caller sets the diagonal (the project: nde).
      nde, ndi: delay steps of the local E and I rates.
      hist:   "rates_exc", "rates_inh" (Hz), "IA" (pA), each (N, S) with
              S >= max(max(D), nde, ndi) + 1.
      y0:     initial values (N,) of every name in ``ALN_STATES``; with filter_sigma also "sigmae_f",
              "sigmai_f" (default sigmae_ext / sigmai_ext); with distr_delay "rd_exc", "rd_inh" (kHz,
              default 0).
      ou0:    "mue_ou", "mui_ou".
      ext:    "ext_exc_current", "ext_inh_current" (mV/ms), "ext_exc_rate", "ext_inh_rate" (kHz), aligned
              (N, T); missing means 0.
      noise:  "mue_ou", "mui_ou" (N, T).
    Step i = S + k, node n (all right-hand sides from pre-step values):
      rEloc = 1e-3 rates_exc[n, i-1-nde], rIloc = 1e-3 rates_inh[n, i-1-ndi]
        (distr_delay: the states rd_exc[n], rd_inh[n] instead)
      R1 = sum_m Cmat[n,m] 1e-3 rates_exc[m, i-1-D[n,m]], R2 the same with Cmat^2 (also with distr_delay)
      mu/z/sigma as aln.md §4.2 steps 1-4; lookups at (mufe - IA[n,i-1]/C, sigma_E) and (mufi, sigma_I)
        (filter_sigma: at the pre-step sigmae_f[n], sigmai_f[n]);
      rates_exc[n,i] = 1000 r_ss(E), rates_inh[n,i] = 1000 r_ss(I);
      Euler for mufe, mufi, IA (with the PREVIOUS rate rates_exc[n,i-1]), s, v; variances < 0 set to 0;
      filter_sigma: sigma_f += dt (sigma - sigma_f) / max(tau_sigma, dt)  (tau_sigma from this step's lookup);
      distr_delay: rd_exc += dt (1e-3 rates_exc[n,i] - rd_exc)/tau_de, rd_inh likewise (the NEW rates);
      then the OU updates.
    Returns {"rates_exc", "rates_inh", "IA"} (N, T) and the final values (N,) of ``ALN_STATES``,
    "sigmae_f", "sigmai_f", "rd_exc", "rd_inh", "mue_ou", "mui_ou".
    """
    Cmat, D, N, T = _check_common(Cmat, D, T)
    P = {k: _per_node(p, k, N) for k in ALN_PARAMS}
    filt = bool(p.get("filter_sigma", 0))
    distr = bool(p.get("distr_delay", 0))
    mu_vals = np.asarray(tables["mu_vals"], dtype=float)
    sigma_vals = np.asarray(tables["sigma_vals"], dtype=float)
    tab = {k: np.asarray(tables[k], dtype=float) for k in ALN_TABLES}

    re, S = _buffer(hist, "rates_exc", N, T, D)
    ri, Si = _buffer(hist, "rates_inh", N, T, D)
    ia, Sa = _buffer(hist, "IA", N, T, D)
    if not (S == Si == Sa):
        raise ValueError("the histories must have the same length")
    if S < max(int(nde), int(ndi)) + 1:
        raise ValueError(f"history length S={S} < max(nde, ndi) + 1")
    st = {k: np.array(np.broadcast_to(np.asarray(y0[k], dtype=float), (N,))) for k in ALN_STATES}
    for k, default in (("sigmae_f", P["sigmae_ext"]), ("sigmai_f", P["sigmai_ext"])):
        st[k] = np.array(np.broadcast_to(np.asarray(y0.get(k, default), dtype=float), (N,)))
    for k in ("rd_exc", "rd_inh"):
        st[k] = np.array(np.broadcast_to(np.asarray(y0.get(k, 0.0), dtype=float), (N,)))
    mue_ou = _ou_state(ou0, "mue_ou", N)
    mui_ou = _ou_state(ou0, "mui_ou", N)
    ec = _series(ext, "ext_exc_current", N, T)
    ic = _series(ext, "ext_inh_current", N, T)
    er = _series(ext, "ext_exc_rate", N, T)
    ir = _series(ext, "ext_inh_rate", N, T)
    xi_e = _series(noise, "mue_ou", N, T)
    xi_i = _series(noise, "mui_ou", N, T)

    def lookup(name, mu, sigma):
        return aln_lookup(tab[name], mu_vals, sigma_vals, mu, sigma)

    for k in range(T):
        i = S + k
        for n in range(N):
            Jee, Jei, Jie, Jii = P["Jee_max"][n], P["Jei_max"][n], P["Jie_max"][n], P["Jii_max"][n]
            tse, tsi = P["tau_se"][n], P["tau_si"][n]
            taum = P["C"][n] / P["gL"][n]
            cee = P["cee"][n] * tse / Jee
            cie = P["cie"][n] * tse / Jie
            cei = P["cei"][n] * tsi / abs(Jei)
            cii = P["cii"][n] * tsi / abs(Jii)
            cgl = P["c_gl"][n] * tse / Jee
            Ke, Ki, Kgl = P["Ke"][n], P["Ki"][n], P["Ke_gl"][n]
            seem, seim, siem, siim = st["seem"][n], st["seim"][n], st["siem"][n], st["siim"][n]
            seev, seiv, siev, siiv = st["seev"][n], st["seiv"][n], st["siev"][n], st["siiv"][n]
            mufe, mufi = st["mufe"][n], st["mufi"][n]
            IA_old = ia[n, i - 1]

            # 4.1 delayed rates (kHz)
            if distr:
                rE_loc, rI_loc = st["rd_exc"][n], st["rd_inh"][n]
            else:
                rE_loc = 1e-3 * re[n, i - 1 - nde]
                rI_loc = 1e-3 * ri[n, i - 1 - ndi]
            R1 = 0.0
            R2 = 0.0
            for m in range(N):
                r = 1e-3 * re[m, i - 1 - D[n, m]]
                R1 += Cmat[n, m] * r
                R2 += Cmat[n, m] ** 2 * r

            # 4.2 steps 1-4
            muE = Jee * seem + Jei * seim + mue_ou[n] + ec[n, k]
            muI = Jie * siem + Jii * siim + mui_ou[n] + ic[n, k]
            z1ee = cee * Ke * rE_loc + cgl * Kgl * R1 + cgl * Kgl * er[n, k]
            z1ei = cei * Ki * rI_loc
            z1ie = cie * Ke * rE_loc + cgl * Kgl * ir[n, k]
            z1ii = cii * Ki * rI_loc
            z2ee = cee**2 * Ke * rE_loc + cgl**2 * Kgl * R2 + cgl**2 * Kgl * er[n, k]
            z2ei = cei**2 * Ki * rI_loc
            z2ie = cie**2 * Ke * rE_loc + cgl**2 * Kgl * ir[n, k]
            z2ii = cii**2 * Ki * rI_loc
            sigE = np.sqrt(
                2 * Jee**2 * seev * tse * taum / ((1 + z1ee) * taum + tse)
                + 2 * Jei**2 * seiv * tsi * taum / ((1 + z1ei) * taum + tsi)
                + P["sigmae_ext"][n] ** 2
            )
            sigI = np.sqrt(
                2 * Jie**2 * siev * tse * taum / ((1 + z1ie) * taum + tse)
                + 2 * Jii**2 * siiv * tsi * taum / ((1 + z1ii) * taum + tsi)
                + P["sigmai_ext"][n] ** 2
            )

            # 5. lookups at the pre-step state
            muE_eff = mufe - IA_old / P["C"][n]
            sE = st["sigmae_f"][n] if filt else sigE
            sI = st["sigmai_f"][n] if filt else sigI
            re[n, i] = 1000.0 * lookup("r_ss", muE_eff, sE)
            VE = lookup("V_mean_ss", muE_eff, sE)
            tauE = lookup("tau_mu_exp", muE_eff, sE)
            ri[n, i] = 1000.0 * lookup("r_ss", mufi, sI)
            tauI = lookup("tau_mu_exp", mufi, sI)

            # 6.-8. right-hand sides, Euler, rectification
            f_IA = (P["a"][n] * (VE - P["EA"][n]) - IA_old + P["tauA"][n] * P["b"][n] * (1e-3 * re[n, i - 1])) / P[
                "tauA"
            ][n]
            st["mufe"][n] = mufe + dt * (muE - mufe) / tauE
            st["mufi"][n] = mufi + dt * (muI - mufi) / tauI
            ia[n, i] = IA_old + dt * f_IA
            for s_name, v_name, z1, z2, tau in (
                ("seem", "seev", z1ee, z2ee, tse),
                ("seim", "seiv", z1ei, z2ei, tsi),
                ("siem", "siev", z1ie, z2ie, tse),
                ("siim", "siiv", z1ii, z2ii, tsi),
            ):
                s, v = st[s_name][n], st[v_name][n]
                st[s_name][n] = s + dt * ((1 - s) * z1 - s) / tau
                v_new = v + dt * ((1 - s) ** 2 * z2 + (z2 - 2 * tau * (z1 + 1)) * v) / tau**2
                st[v_name][n] = 0.0 if v_new < 0 else v_new

            # options
            if filt:
                tsE = lookup("tau_sigma_exp", muE_eff, sE)
                tsI = lookup("tau_sigma_exp", mufi, sI)
                st["sigmae_f"][n] = sE + dt * (sigE - sE) / max(tsE, dt)
                st["sigmai_f"][n] = sI + dt * (sigI - sI) / max(tsI, dt)
            if distr:
                st["rd_exc"][n] = rE_loc + dt * (1e-3 * re[n, i] - rE_loc) / P["tau_de"][n]
                st["rd_inh"][n] = rI_loc + dt * (1e-3 * ri[n, i] - rI_loc) / P["tau_di"][n]

        # 9. OU
        mue_ou = ou_update(mue_ou, P["mue_ext_mean"], P["tau_ou"], P["sigma_ou"], dt, xi_e[:, k])
        mui_ou = ou_update(mui_ou, P["mui_ext_mean"], P["tau_ou"], P["sigma_ou"], dt, xi_i[:, k])

    out = {"rates_exc": re[:, S:].copy(), "rates_inh": ri[:, S:].copy(), "IA": ia[:, S:].copy()}
    out.update({k: v.copy() for k, v in st.items()})
    out.update({"mue_ou": mue_ou, "mui_ou": mui_ou})
    return out
