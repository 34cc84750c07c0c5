"""The driver: validate and pack parameters, allocate buffers, feed inputs and noise, call the loop.

One :class:`Engine` per model spec. ``Engine.run`` integrates a segment of ``steps`` steps of a run of
``T`` steps in total, starting at global step ``g0`` (chunks and continued runs are segments), and
returns the buffers. Noise is drawn in blocks from the run's generator; for noisy runs the next
block is drawn on a second thread while the compiled loop (which releases the GIL) integrates the
current one.
"""

from __future__ import annotations

import math
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass

import numpy as np

from neurolib._core import _loop, inputs, network, noise
from neurolib._core import params as P_
from neurolib._core.spec import ModelSpec

BLOCK_VALUES = 2_000_000  # noise + input values per block (16 MB each)


def n_steps(duration, dt):
    """Number of integration steps of a run (the established time grid: ``arange(1, round(duration, 6)/dt + 1)``)."""
    return max(0, math.ceil(round(duration, 6) / dt + 1 - 1))


@dataclass
class Setup:
    """Everything a run needs besides its state, derived once from the parameters."""

    N: int
    dt: float
    S: int  # history length (columns): max delay + 1
    D: np.ndarray
    P: np.ndarray  # (param, node, 1)
    OUP: np.ndarray  # (3, ou, node, 1)
    csr: tuple
    cvar: int
    noisy: bool


class Engine:
    """Integrates one native model described by a :class:`ModelSpec`."""

    def __init__(self, spec: ModelSpec):
        self.spec = spec
        self._kernel = None

    @property
    def kernel(self):
        """The compiled loop (generated and loaded on first use)."""
        if self._kernel is None:
            self._kernel = _loop.load(self.spec.kernel_module, self.spec.has_coupling, self.spec.has_post)
        return self._kernel

    def setup(self, params) -> Setup:
        """Validate ``params`` and pack them for the kernel."""
        spec = self.spec
        N, dt, _ = P_.validate_run(params, spec)
        declared = {p.name: p for p in spec.params}
        values = {}
        for name in spec.kernel_params:
            if name in declared:
                v = P_.node_values(name, params.get(name), N)
                P_.check_range(declared[name], v)
                values[name] = v
        if spec.derived is not None:
            for name, v in spec.derived(params, N).items():
                values[name] = np.broadcast_to(np.asarray(v, dtype=float), (N,))
        P = (
            np.stack([values[name] for name in spec.kernel_params])[:, :, None].copy()
            if values
            else np.zeros((0, N, 1))
        )
        ou_rows = []
        tau = P_.node_values(spec.tau_ou, params.get(spec.tau_ou), N) if spec.ou else None
        sigma = P_.node_values(spec.sigma_ou, params.get(spec.sigma_ou), N) if spec.ou else None
        if spec.ou:
            if np.any(tau <= 0):
                raise ValueError(f"Parameter '{spec.tau_ou}' must be > 0 ms, got {tau.min()}.")
            if np.any(sigma < 0):
                raise ValueError(f"Parameter '{spec.sigma_ou}' must be >= 0, got {sigma.min()}.")
        for mean in spec.ou_mean:
            m = np.zeros(N) if mean is None else P_.node_values(mean, params.get(mean), N)
            ou_rows.append(np.stack([m, tau, sigma]))
        OUP = np.stack(ou_rows, axis=1)[..., None].copy() if ou_rows else np.zeros((3, 0, N, 1))
        self_delay = spec.self_delay_steps(params) if spec.self_delay_steps else 0
        signalV = params.get("signalV") or 0.0
        D = network.delay_steps(params.get("lengthMat"), signalV, dt, N, self_delay)
        S = int(D.max()) + 1
        weights = spec.weights(params) if spec.weights else [params["Cmat"]]
        csr = network.coupling_lists(weights, D) if spec.coupling_var else network.coupling_lists([], D)
        cvar = spec.buffered.index(spec.coupling_var) if spec.coupling_var else -1
        noisy = bool(spec.ou) and bool(np.any(sigma > 0))
        return Setup(N, dt, S, D, P, OUP, csr, cvar, noisy)

    def initial_state(self, params, setup: Setup):
        """History buffers (var, S, node) and OU states (var, node) from the init parameters."""
        spec, N, S = self.spec, setup.N, setup.S
        inits = dict(zip(spec.state_vars, spec.init_vars))
        H = np.zeros((len(spec.buffered), S, N))
        for v, name in enumerate(spec.buffered):
            key = inits.get(name)
            if key is not None and params.get(key) is not None:
                H[v] = P_.history(key, params[key], N, S).T
        Q = np.zeros((len(spec.ou), N))
        for v, name in enumerate(spec.ou):
            Q[v] = P_.ou_state(name, params.get(inits[name]), N)
        return H, Q

    def run(self, params, steps, *, T=None, g0=0, gen=None, setup=None, state=None, progress=None):
        """Integrate ``steps`` steps.

        Parameters
        ----------
        params : dict
            Model parameters.
        steps : int
            Steps in this segment.
        T : int, optional
            Steps of the whole run this segment belongs to (aligns time-series inputs); default ``steps``.
        g0 : int
            Global index of the segment's first step within the run.
        gen : numpy.random.Generator, optional
            Noise stream (continued across segments); default: a new one from ``params['seed']``.
        setup : Setup, optional
            Result of :meth:`setup` for these params (computed if omitted).
        state : tuple, optional
            ``(H, Q)`` initial history and OU states; default from the init parameters.
        progress : callable, optional
            Called with the number of steps done after each block.

        Returns
        -------
        X : ndarray
            Buffered variables (var, S + steps, node, 1), history first.
        Q : ndarray
            Final OU states (var, node, 1).
        setup : Setup
        """
        T = steps if T is None else T
        setup = setup or self.setup(params)
        spec, N, S = self.spec, setup.N, setup.S
        H, Q0 = state if state is not None else self.initial_state(params, setup)
        X = np.empty((len(spec.buffered), S + steps, N, 1))
        X[:, :S, :, 0] = H
        Q = Q0[..., None].copy()
        ins = [inputs.normalize(name, params.get(name, 0.0), N, T) for name in spec.inputs]
        nou = len(spec.ou)
        if setup.noisy and gen is None:
            gen = noise.generator(params.get("seed"))
        per_step = N * (len(ins) + (nou if setup.noisy else 0)) or 1
        blk = int(max(1, min(steps, BLOCK_VALUES // per_step)))
        starts = list(range(0, steps, blk))
        empty_Z = np.zeros((0, max(nou, 1), N, 1))
        kernel = self.kernel

        def draw(s):
            return noise.draw([gen], min(blk, steps - s), nou, N)

        pool = ThreadPoolExecutor(1) if setup.noisy and len(starts) > 1 else None
        try:
            pending = None
            for bi, s in enumerate(starts):
                e = min(s + blk, steps)
                if setup.noisy:
                    Z = pending.result() if pending is not None else draw(s)
                    pending = pool.submit(draw, starts[bi + 1]) if pool and bi + 1 < len(starts) else None
                else:
                    Z = empty_Z
                U = np.empty((e - s, len(ins), N, 1))
                for v, arr in enumerate(ins):
                    U[:, v, :, 0] = inputs.block(arr, T, g0 + s, e - s)
                ptr, idx, lag, W = setup.csr
                kernel(S + s, S + e, setup.dt, X, Q, setup.P, U, Z, setup.OUP, ptr, idx, lag, W, setup.cvar)
                if progress is not None:
                    progress(e - s)
        finally:
            if pool is not None:
                pool.shutdown(wait=True)
        return X, Q, setup
