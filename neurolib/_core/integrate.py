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
    P: np.ndarray  # (node, 1, param)
    OU: np.ndarray  # (node, 1, ou, 3): mean, dt / tau, sigma * sqrt(dt)
    far: tuple  # far connections (lag >= K), see network.coupling_lists
    near: tuple  # near connections (lag < K)
    self_lag: np.ndarray  # lag (steps) of each read of a node's own history
    noisy: bool
    aux: np.ndarray  # 3-D array for the kernel


class Engine:
    """Integrates one native model described by a :class:`ModelSpec`."""

    def __init__(self, spec: ModelSpec):
        self.spec = spec
        self._kernel = None

    @property
    def kernel(self):
        """The compiled loop module (generated and loaded on first use)."""
        if self._kernel is None:
            s = self.spec
            coupled = s.coupling_var is not None
            self._kernel = _loop.load(
                s.kernel_module,
                s.has_features,
                s.has_post,
                len(s.buffered),
                len(s.unbuffered),
                len(s.ou),
                len(s.white_noise),
                len(s.kernel_params),
                len(s.inputs),
                s.n_features if coupled or s.self_features else 0,
                s.channels if coupled else (),
                s.self_features,
                tuple(s.buffered.index(v) for v in s.algebraic),
                s.buffered.index(s.coupling_var) if coupled else -1,
            )
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
        P = np.stack([values[name] for name in spec.kernel_params], axis=-1) if values else np.zeros((N, 0))
        P = np.ascontiguousarray(P[:, None, :])
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
            ou_rows.append(np.stack([m, dt / tau, sigma * np.sqrt(dt)], axis=-1))
        OU = np.stack(ou_rows, axis=1) if ou_rows else np.zeros((N, 0, 3))
        OU = np.ascontiguousarray(OU[:, None])
        self_delay = spec.self_delay_steps(params, dt) if spec.self_delay_steps else 0
        signalV = params.get("signalV") or 0.0
        D = network.delay_steps(params.get("lengthMat"), signalV, dt, N, self_delay)
        self_delays = np.asarray(spec.self_delays(params, dt) if spec.self_delays else (), dtype=np.int64)
        S = int(max(D.max(), self_delays.max(initial=0))) + 1
        weights = (spec.weights(params) if spec.weights else [params["Cmat"]]) if spec.coupling_var else []
        far, near = network.coupling_lists(weights, D, _loop.K)
        noisy = bool(spec.ou) and bool(np.any(sigma > 0))
        for name in spec.white_noise:
            strength = P_.node_values(name, params.get(name), N)
            noisy = noisy or bool(np.any(strength != 0))
        aux = np.ascontiguousarray(spec.aux(params), dtype=float) if spec.aux else np.zeros((0, 0, 0))
        return Setup(N, dt, S, D, P, OU, far, near, 1 + self_delays, noisy, aux)

    def initial_state(self, params, setup: Setup):
        """History (var, S, node), other states (node, var) and OU states (node, var) from the init parameters."""
        spec, N, S = self.spec, setup.N, setup.S
        inits = dict(zip(spec.state_vars, spec.init_vars))
        H = np.zeros((len(spec.buffered), S, N))
        for v, name in enumerate(spec.buffered):
            key = inits.get(name)
            if key is not None and params.get(key) is not None:
                H[v] = P_.history(key, params[key], N, S).T
        Y = np.zeros((N, len(spec.unbuffered)))
        for v, name in enumerate(spec.unbuffered):
            key = inits.get(name)
            if key is not None and params.get(key) is not None:
                Y[:, v] = P_.ou_state(key, params[key], N)
        Q = np.zeros((N, len(spec.ou)))
        for v, name in enumerate(spec.ou):
            Q[:, v] = P_.ou_state(name, params.get(inits[name]), N)
        return H, Y, Q

    def run(self, params, steps, *, T=None, g0=0, gen=None, setup=None, state=None, progress=None, on_block=None):
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
            ``(H, Y, Q)`` initial history, other states and OU states; default from the init parameters.
        progress : callable, optional
            Called with the number of steps done after each block.
        on_block : callable, optional
            ``on_block(X, i0, i1)`` is called for every finished block of buffer columns i0 .. i1-1, in order,
            on a second thread while the next block integrates (e.g. to feed BOLD); it must only read X.

        Returns
        -------
        X : ndarray
            Buffered variables (var, S + steps, node, 1), history first.
        Y : ndarray
            Final other states (node, 1, var).
        Q : ndarray
            Final OU states (node, 1, var).
        setup : Setup
        """
        T = steps if T is None else T
        setup = setup or self.setup(params)
        spec, N, S = self.spec, setup.N, setup.S
        H, Y0, Q0 = state if state is not None else self.initial_state(params, setup)
        X = np.empty((len(spec.buffered), S + steps, N, 1))
        X[:, :S, :, 0] = H
        Y = Y0[:, None, :].copy()
        Q = Q0[:, None, :].copy()
        ins = [inputs.normalize(name, params.get(name, 0.0), N, T) for name in spec.inputs]
        nou = len(spec.ou) + len(spec.white_noise)
        if setup.noisy and gen is None:
            gen = noise.generator(params.get("seed"))
        U_const = None  # constant inputs: one row serves every step
        if all(arr.shape[1] == 1 for arr in ins):
            U_const = np.zeros((1, N, 1, max(len(ins), 1)))
            for v, arr in enumerate(ins):
                U_const[0, :, 0, v] = inputs.block(arr, T, g0, 1)[0]
        per_step = N * ((0 if U_const is not None else len(ins)) + (nou if setup.noisy else 0)) or 1
        blk = int(max(1, min(steps, BLOCK_VALUES // per_step)))
        starts = list(range(0, steps, blk))
        empty_Z = np.zeros((0, N, 1, max(nou, 1)))
        kernel = self.kernel
        R = 2 ** int(np.ceil(np.log2(S + _loop.K + 1)))  # ring length: holds every lag and a K-step block
        G = np.zeros((max(spec.n_features, 1), N, 1, 2 * R))
        kernel.fill_features(X, G, 0, S)

        def draw(s):
            return noise.draw([gen], min(blk, steps - s), nou, N)

        pool = ThreadPoolExecutor(1) if (setup.noisy and len(starts) > 1) or on_block is not None else None
        consumers = []
        try:
            pending = None
            for bi, s in enumerate(starts):
                e = min(s + blk, steps)
                if setup.noisy:
                    Z = pending.result() if pending is not None else draw(s)
                    pending = pool.submit(draw, starts[bi + 1]) if pool and bi + 1 < len(starts) else None
                else:
                    Z = empty_Z
                if U_const is None:
                    U = np.empty((e - s, N, 1, max(len(ins), 1)))
                    for v, arr in enumerate(ins):
                        U[:, :, 0, v] = inputs.block(arr, T, g0 + s, e - s)
                else:
                    U = U_const
                kernel.run_block(
                    S + s,
                    S + e,
                    setup.dt,
                    X,
                    Y,
                    G,
                    Q,
                    setup.P,
                    U,
                    Z,
                    setup.OU,
                    *setup.far,
                    *setup.near,
                    setup.self_lag,
                    setup.aux,
                )
                if on_block is not None:
                    consumers.append(pool.submit(on_block, X, S + s, S + e))
                if progress is not None:
                    progress(e - s)
            for c in consumers:
                c.result()  # re-raises an error of the consumer
        finally:
            if pool is not None:
                pool.shutdown(wait=True)
        return X, Y, Q, setup
