"""The driver: validate and pack parameters, allocate buffers, feed inputs and noise, call the loop.

One :class:`Engine` per model spec. ``Engine.run`` integrates a segment of ``steps`` steps of a run of
``T`` steps in total, starting at global step ``g0`` (chunks and continued runs are segments), and
returns the buffers. Noise is drawn in blocks from the run's generator; for noisy runs the next
block is drawn on a second thread while the compiled loop (which releases the GIL) integrates the
current one.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

from neurolib._core import _loop, _memory, _sync, _threads, inputs, network, noise
from neurolib._core import params as P_
from neurolib._core.spec import ModelSpec
from neurolib.errors import ParameterError

BLOCK_VALUES = 2_000_000  # noise + input values per block (16 MB each)
BLOCK_STEPS = 50_000  # at most this many steps per block, so small models also draw noise while integrating


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
    P: np.ndarray  # (1, node, param); (member, node, param) for a batch
    OU: np.ndarray  # (1, node, ou, 3): mean, dt / tau, sigma * sqrt(dt)
    links: tuple  # the connections by lag class, near ones last (see network.coupling_lists)
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

    def setup(self, params, like=None) -> Setup:
        """Validate ``params`` and pack them for the kernel.

        ``like``: ``(params, setup)`` of another run, e.g. the first member of a batch. Where ``params`` holds the
        very same objects as that run for everything but numeric model parameters, OU settings, initial values
        and the seed, the network part of its setup is reused and only the parameters are packed and checked.
        """
        if like is not None:
            fast = self._setup_like(params, *like)
            if fast is not None:
                return fast
        spec = self.spec
        N, dt, _ = P_.validate_run(params, spec)
        P = self._pack_params(params, N)
        OU, noisy = self._pack_ou(params, N, dt)
        self_delay = spec.self_delay_steps(params, dt) if spec.self_delay_steps else 0
        signalV = params.get("signalV") or 0.0
        D = network.delay_steps(params.get("lengthMat"), signalV, dt, N, self_delay)
        self_delays = np.asarray(spec.self_delays(params, dt) if spec.self_delays else (), dtype=np.int64)
        S = int(max(D.max(), self_delays.max(initial=0))) + 1
        weights = (spec.weights(params) if spec.weights else [params["Cmat"]]) if spec.coupling_var else []
        links = network.coupling_lists(weights, D, _loop.LEVELS)
        if like is not None and spec.aux_params and all(params.get(k) is like[0].get(k) for k in spec.aux_params):
            aux = like[1].aux
        else:
            aux = np.ascontiguousarray(spec.aux(params), dtype=float) if spec.aux else np.zeros((0, 0, 0))
        return Setup(N, dt, S, D, P, OU, links, 1 + self_delays, noisy, aux)

    def _packed_names(self):
        """Parameters that only enter the packed parameters, the OU rows or the initial state."""
        if not hasattr(self, "_packed"):
            spec = self.spec
            declared = {p.name for p in spec.params}
            names = {n for n in spec.kernel_params if n in declared}
            names |= {n for n in spec.ou_mean if n is not None} | set(spec.white_noise) | {"seed"}
            names |= {n for n in spec.init_vars if n is not None}
            if spec.ou:
                names |= {spec.tau_ou, spec.sigma_ou}
            self._packed = frozenset(names)
        return self._packed

    def _setup_like(self, params, params0, setup0):
        """The setup of ``params`` from ``setup0`` (of ``params0``) if they differ only in packed values, else None."""
        if params.keys() != params0.keys():
            return None
        packed = self._packed_names()
        changed = []
        for key, value in params.items():
            if value is not params0[key]:
                if key not in packed:
                    return None
                changed.append(key)
        N, dt = setup0.N, setup0.dt
        P = self._pack_params(params, N, base=(setup0.P, changed))
        spec = self.spec
        ou_names = {spec.tau_ou, spec.sigma_ou, *spec.ou_mean, *spec.white_noise} - {None}
        if any(key in ou_names for key in changed):
            OU, noisy = self._pack_ou(params, N, dt)
        else:  # the OU rows of the other run serve (the kernel only reads them)
            OU, noisy = setup0.OU, setup0.noisy
        su = setup0
        return Setup(N, dt, su.S, su.D, P, OU, su.links, su.self_lag, noisy, su.aux)

    def _pack_params(self, params, N, base=None):
        """Kernel parameters, checked, as (1, node, param).

        ``base``: ``(P, names)``: the packed parameters of another run whose parameters differ from ``params`` only
        in ``names``; only those are packed again (and the derived ones)."""
        spec = self.spec
        declared = self._declared()
        column = {name: c for c, name in enumerate(spec.kernel_params)}
        if base is None:
            P = np.empty((1, N, len(spec.kernel_params)))
            names = spec.kernel_params
        else:
            P, names = base[0].copy(), [name for name in base[1] if name in column]
        for name in names:
            if name in declared:
                P[0, :, column[name]] = P_.packed_value(declared[name], params.get(name), N)
        derived = spec.derived(params, N) if spec.derived is not None else {}
        for name, v in derived.items():
            P[0, :, column[name]] = v
        if len(derived) + sum(name in declared for name in spec.kernel_params) != len(spec.kernel_params):
            missing = [n for n in spec.kernel_params if n not in declared and n not in derived]
            raise KeyError(f"Kernel parameters {missing} of model '{spec.name}' are neither declared nor derived.")
        return P

    def _declared(self):
        if not hasattr(self, "_declared_params"):
            self._declared_params = {p.name: p for p in self.spec.params}
        return self._declared_params

    def _pack_ou(self, params, N, dt):
        """OU coefficients (1, node, ou, 3): mean, dt / tau, sigma sqrt(dt); and whether the run is noisy."""
        spec = self.spec
        ou_rows = []
        tau = P_.node_values(spec.tau_ou, params.get(spec.tau_ou), N) if spec.ou else None
        sigma = P_.node_values(spec.sigma_ou, params.get(spec.sigma_ou), N) if spec.ou else None
        if spec.ou:
            if np.any(tau <= 0):
                raise ParameterError(f"Parameter '{spec.tau_ou}' must be > 0 ms, got {tau.min()}.")
            if np.any(sigma < 0):
                raise ParameterError(f"Parameter '{spec.sigma_ou}' must be >= 0, got {sigma.min()}.")
        for mean in spec.ou_mean:
            m = np.zeros(N) if mean is None else P_.node_values(mean, params.get(mean), N)
            ou_rows.append(np.stack([m, dt / tau, sigma * np.sqrt(dt)], axis=-1))
        OU = np.stack(ou_rows, axis=1) if ou_rows else np.zeros((N, 0, 3))
        OU = np.ascontiguousarray(OU[None])
        noisy = bool(spec.ou) and bool(np.any(sigma > 0))
        for name in spec.white_noise:
            strength = P_.node_values(name, params.get(name), N)
            noisy = noisy or bool(np.any(strength != 0))
        return OU, noisy

    def initial_state(self, params, setup: Setup, carried=()):
        """History (var, S, node), other states (node, var) and OU states (node, var) from the init parameters.

        ``carried``: init parameters holding the state a model carried over from its own previous segment.
        They are not checked for NaN/inf (a diverged run continues as NaN); values a user set always are.
        """
        spec, N, S = self.spec, setup.N, setup.S
        inits = dict(zip(spec.state_vars, spec.init_vars))
        H = np.zeros((len(spec.buffered), S, N))
        for v, name in enumerate(spec.buffered):
            key = inits.get(name)
            if key is not None and params.get(key) is not None:
                H[v] = P_.history(key, params[key], N, S, check_finite=key not in carried).T
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
        """Integrate ``steps`` steps of one parameter set.

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
            ``on_block(X, i0, i1, lo, hi)`` is called for every finished block of time columns i0 .. i1-1 of the
            members lo .. hi-1, in order for each member (e.g. to feed BOLD); it must only read X. With one
            thread it runs on a second thread while the next block integrates; with ``threads > 1`` (see
            :meth:`run_batch`) each integrating thread calls it for its own members.

        Returns
        -------
        X : ndarray
            Buffered variables (1, var, S + steps, node), history first.
        Y : ndarray
            Final other states (1, node, var).
        Q : ndarray
            Final OU states (1, node, var).
        setup : Setup
        """
        setups = [setup] if setup is not None else None
        states = [state] if state is not None else None
        return self.run_batch(
            [params], steps, T=T, g0=g0, gens=[gen], setups=setups, states=states, progress=progress, on_block=on_block
        )

    def run_batch(
        self,
        params_list,
        steps,
        *,
        T=None,
        g0=0,
        gens=None,
        setups=None,
        states=None,
        progress=None,
        on_block=None,
        threads=1,
    ):
        """Integrate ``steps`` steps of B parameter sets at once, in one compiled loop.

        The members may differ in any numeric parameter, initial value, input or seed, but must share the
        network (Cmat, delays), dt and any table. Member b sits at index b of the first axis of the buffers;
        it computes exactly what a run of its parameters alone would (the same operations in the same order),
        whatever the number of threads.

        Parameters
        ----------
        params_list : list of dict
            The B parameter sets.
        steps, T, g0, progress, on_block
            As for :meth:`run`.
        gens : list of numpy.random.Generator, optional
            One noise stream per member (None entries: new ones from each member's ``seed``).
        setups, states : list, optional
            Per member, as ``setup`` and ``state`` of :meth:`run`.
        threads : int
            Threads that integrate disjoint sets of members at once (each draws its members' noise); 1: all in
            this thread, the next block's noise drawn ahead on a helper thread. Single-node members are
            integrated together, one kernel call per block for all of them; members of a network one after the
            other, so that each keeps its delay buffers in cache.

        Returns
        -------
        X, Y, Q : ndarray
            As for :meth:`run`, with B in place of 1.
        setup : Setup
            The combined setup (P and OU hold all members).
        """
        T = steps if T is None else T
        B = len(params_list)
        if B == 0:
            raise ParameterError("run_batch: 'params_list' must hold at least one parameter set, got none.")
        if not setups:
            first = self.setup(params_list[0])
            setups = [first] + [self.setup(p, like=(params_list[0], first)) for p in params_list[1:]]
        setup = _combine(setups)
        spec, N, S = self.spec, setup.N, setup.S
        if not states:  # members with the very same initial-value objects as the first share its state
            p0, keys = params_list[0], [k for k in spec.init_vars if k is not None]
            states = [self.initial_state(p0, setups[0])]
            for p, su in zip(params_list[1:], setups[1:]):
                same = su.S == setups[0].S and all(p.get(k) is p0.get(k) for k in keys)
                states.append(states[0] if same else self.initial_state(p, su))
        X = np.empty((B, len(spec.buffered), S + steps, N))
        Y = np.empty((B, N, len(spec.unbuffered)))
        Q = np.empty((B, N, len(spec.ou)))
        for b, (H, Y0, Q0) in enumerate(states):
            X[b, :, :S] = H
            Y[b] = Y0
            Q[b] = Q0
        ins = [[inputs.normalize(name, p.get(name, 0.0), N, T) for name in spec.inputs] for p in params_list[:1]]
        for p in params_list[1:]:  # inputs given as the same objects as the first member's: normalized once
            same = all(p.get(name, 0.0) is params_list[0].get(name, 0.0) for name in spec.inputs)
            ins.append(ins[0] if same else [inputs.normalize(name, p.get(name, 0.0), N, T) for name in spec.inputs])
        nu = max(len(spec.inputs), 1)
        nou = len(spec.ou) + len(spec.white_noise)
        noisy = setup.noisy
        gens = list(gens) if gens is not None else [None] * B
        if noisy:
            gens = [g if g is not None else noise.generator(p.get("seed")) for g, p in zip(gens, params_list)]
        constant = [all(arr.shape[1] == 1 for arr in member) for member in ins]
        threads = max(1, min(int(threads), B))
        kernel = self.kernel
        R = 2 ** int(np.ceil(np.log2(S + _loop.K + 1)))  # ring length: holds every lag and a K-step block
        G = np.zeros((B, max(spec.n_features, 1), N, 2 * R))
        kernel.fill_features(X, G, 0, S)
        net = (*[a for cls in setup.links for a in cls], setup.self_lag, setup.aux)

        def inputs_of(lo, hi, s, e):
            """Inputs of members lo .. hi-1 for steps s .. e-1 of the segment, (member, steps or 1, N, input)."""
            const = all(constant[lo:hi])
            U = np.zeros((hi - lo, 1 if const else e - s, N, nu))
            for b in range(lo, hi):
                for v, arr in enumerate(ins[b]):
                    U[b - lo, :, :, v] = inputs.block(arr, T, g0 + s, 1 if const else e - s)
            return U

        def span(lo, hi, pool):
            """Integrate members lo .. hi-1 through the whole segment, each exactly as a run of its own, in one
            kernel call per block; with a thread ``pool`` the next block's noise is drawn there meanwhile."""
            n = hi - lo
            rows = X[lo:hi], Y[lo:hi], G[lo:hi], Q[lo:hi], setup.P[lo:hi], setup.OU[lo:hi]
            const = all(constant[lo:hi])
            per = N * n * ((0 if const else len(spec.inputs)) + (nou if noisy else 0)) or 1
            blk = int(max(1, min(steps, BLOCK_VALUES // per, BLOCK_STEPS)))
            bounds = _blocks(steps, blk, ramp=noisy and pool is not None)
            U = inputs_of(lo, hi, 0, steps) if const else None

            def draw(bi):
                return noise.draw(gens[lo:hi], bounds[bi][1] - bounds[bi][0], nou, N)

            pending, Z = None, np.zeros((n, 0, N, max(nou, 1)))  # no noise: an empty array
            for bi, (s, e) in enumerate(bounds):
                if noisy:
                    Z = pending.result() if pending is not None else draw(bi)
                    pending = pool.submit(draw, bi + 1) if pool is not None and bi + 1 < len(bounds) else None
                Ub = U if U is not None else inputs_of(lo, hi, s, e)
                args = (0, n, S + s, S + e, setup.dt, *rows[:5], Ub, Z, rows[5], *net)
                if len(node_cuts) > 2 and n == 1:
                    _split_call(kernel.run_block, args, node_cuts)
                else:
                    kernel.run_block(*args, 0, N, 0, 1, _NO_SYNC)
                if on_block is not None and pool is None:  # an integrating thread of several: its own members
                    on_block(X, S + s, S + e, lo, hi)
                elif on_block is not None:
                    consumers.append(pool.submit(on_block, X, S + s, S + e, lo, hi))
                if progress is not None:
                    progress((e - s) * n / B if B > 1 else e - s)

        def members(lo, hi, pool):
            # single nodes: all together; network members one after the other (each keeps its delay ring in cache)
            for b0, b1 in [(lo, hi)] if N == 1 else [(b, b + 1) for b in range(lo, hi)]:
                span(b0, b1, pool)

        # output pages mapped ahead of the loop on a helper thread, in the order it writes them
        stop = None
        if X[:, :, S:].nbytes >= _memory.MIN_BYTES:
            c = max(1, (8 << 20) // (8 * N))  # steps per piece
            V = X.shape[1]
            stop = _memory.prefault(
                [X[b, v, S + i : S + i + c] for b in range(B) for i in range(0, steps, c) for v in range(V)]
            )
        consumers = []
        # a network member alone on this thread: its nodes split over the threads this run may use (see _threads)
        nth = _threads.node_threads(N) if threads == 1 else 1
        node_cuts = _node_cuts(setup, nth) if nth > 1 else (0, N)
        try:
            if threads > 1:  # disjoint members on each thread, each drawing its own noise
                cuts = np.linspace(0, B, threads + 1).round().astype(int)
                workers = _threads.members(threads)
                futures = [workers.submit(members, cuts[t], cuts[t + 1], None) for t in range(threads)]
                for f in futures:
                    f.exception()  # all finished (they write X) before an error is raised
                for f in futures:
                    f.result()
            else:
                pool = _threads.helper("noise") if noisy or on_block is not None else None
                try:
                    members(0, B, pool)
                finally:
                    for c in consumers:
                        c.exception()  # wait: consumers read X
                for c in consumers:
                    c.result()  # re-raises an error of the consumer
        finally:
            if stop is not None:
                stop.set()
        return X, Y, Q, setup


_NO_SYNC = np.zeros(8, dtype=np.int64)


def _node_cuts(setup, nth):
    """Node ranges of ``nth`` threads, contiguous, with about the same work: a node costs a fixed share plus its
    incoming connections."""
    conns = sum(np.diff(cls[0]) for cls in setup.links)
    cost = np.cumsum(16.0 + conns)
    cuts = [0] + [int(np.searchsorted(cost, cost[-1] * t / nth)) + 1 for t in range(1, nth)] + [setup.N]
    return tuple(int(c) for c in np.maximum.accumulate(np.minimum(cuts, setup.N)))


def _split_call(run_block, args, cuts):
    """``run_block(*args)`` with the nodes of its one member split at ``cuts``: the first range on this thread, the
    others on the node threads, meeting at a barrier after every step; bitwise the result of one call."""
    nth = len(cuts) - 1
    sync = _sync.counters(nth)

    def part(t):
        try:
            run_block(*args, cuts[t], cuts[t + 1], t, nth, sync)
        except BaseException:
            _sync.abort(sync, nth)  # the others stop instead of waiting at the barrier
            raise

    futures = [_threads.nodes(nth - 1).submit(part, t) for t in range(1, nth)]
    try:
        part(0)
    finally:
        for f in futures:
            f.exception()
    for f in futures:
        f.result()


def _blocks(steps, blk, ramp):
    """(start, end) of the blocks of a segment: ``blk`` steps each; with ``ramp`` the first ones are shorter
    (doubling up to ``blk``), so that the second thread starts drawing the next block's noise early."""
    bounds, s = [], 0
    size = max(_loop.K, blk // 32) if ramp else blk
    while s < steps:
        e = min(s + size, steps)
        bounds.append((s, e))
        s, size = e, min(blk, 2 * size)
    return bounds


STRUCTURE = ("N", "dt", "S", "D", "links", "self_lag", "aux")  # what the members of one engine call share


def same(a, b):
    """Whether two setup fields are equal (arrays, or tuples of them, nested)."""
    if a is b:
        return True
    if isinstance(a, tuple) or isinstance(b, tuple):
        return isinstance(a, tuple) and isinstance(b, tuple) and len(a) == len(b) and all(map(same, a, b))
    return np.array_equal(a, b)


def _combine(setups):
    """One setup for a batch: per-member parameters stacked; the shared structure checked to agree."""
    first = setups[0]
    if len(setups) == 1:
        return first
    for k, su in enumerate(setups[1:], start=1):
        for field in STRUCTURE:
            if not same(getattr(first, field), getattr(su, field)):
                raise ParameterError(
                    f"Batch member {k} differs from member 0 in '{field}' (network, dt, delays or tables); "
                    f"members of one batch must share them: run it in a separate batch."
                )
    P = np.ascontiguousarray(np.concatenate([su.P for su in setups], axis=0))
    OU = np.ascontiguousarray(np.concatenate([su.OU for su in setups], axis=0))
    noisy = any(su.noisy for su in setups)
    return Setup(first.N, first.dt, first.S, first.D, P, OU, first.links, first.self_lag, noisy, first.aux)
