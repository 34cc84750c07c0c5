"""What the optimal control needs from a model: its state layout, how its inputs take the control, and, along a
controlled trajectory, the Jacobians of each integration step. :class:`NativeDynamics` serves every native model from
its spec and its one kernel; MultiModel nodes and networks are served by :mod:`._multimodel`.

Plugging in another kind of model: give the model a method ``oc_dynamics()`` returning an object with the attributes
and methods of :class:`NativeDynamics`: the layout (``state_vars``, ``algebraic``, ``input_vars``, ``output_vars``,
``layout``), the model's inputs (``initial_control``, ``check_inputs``, ``write_control``, ``run``) and the
linearisation (``setup``, ``delays``, ``initial_states``, ``prepare``, ``linearize``). ``linearize`` returns an object
with the trajectory ``XS`` (T, N, state) and a method ``backward(CX)`` giving the co-state and the input gradient of a
cost; for a native model that is a :class:`Linearization`: per step, the Jacobians of the step map with respect to
the state before the step (``JA``), the network and self-delayed inputs of the step (``JB``, with the coupling
structure that maps them back to the source states through the feature Jacobians ``JG``) and the external inputs
(``JU``), which the adjoint (:mod:`._adjoint`) uses.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from neurolib.control.optimal_control import _jacobian, _setup
from neurolib.errors import ParameterError


@dataclass
class Linearization:
    """A trajectory of T time points and the Jacobians of its T - 1 steps (one node's state: ``NST`` values).

    Attributes
    ----------
    XS : ndarray
        States (T, N, NST), time 0 = the initial state; internal order = ``state_vars`` of the dynamics.
    JA : ndarray
        (T-1, N, NST, NST): d state(t+1) / d state(t) of the same node.
    JB : ndarray
        (T-1, N, NST, NIN): d state(t+1) / d input channel, for the network channels then the self-delayed reads.
    JU : ndarray
        (T-1, N, NST, NU): d state(t+1) / d external input(t).
    JG : ndarray
        (S+T-1, N, NF, NX): d feature / d buffered state at every time from the oldest history column on
        (index S-1 = time 0).
    S : int
        History columns (maximal delay + 1).
    conn : tuple
        Network connections ``(target n, source m, channel c, weight, delay in steps)`` as five arrays.
    chan_feature : ndarray
        Feature read by each of the ``NIN`` channels.
    self_delay : ndarray
        Delay (steps) of each self-delayed read (channels NC ...).
    """

    XS: np.ndarray
    JA: np.ndarray
    JB: np.ndarray
    JU: np.ndarray
    JG: np.ndarray
    S: int
    conn: tuple
    chan_feature: np.ndarray
    self_delay: np.ndarray

    def backward(self, CX):
        """Co-state dJ/ds(t) (T, N, NST) and input gradient dJ/du(t) (T, N, NU) of a cost whose derivative with
        respect to the state at each time is ``CX`` (T, N, NST); see :func:`._adjoint.backward`."""
        from neurolib.control.optimal_control._adjoint import backward

        return backward(self, CX)


class NativeDynamics:
    """State layout and step Jacobians of a native model (one kernel in ``neurolib.models.<name>``)."""

    def __init__(self, model):
        from neurolib.models._native import engine

        self.spec = spec = model.spec
        self._engine = engine(spec)
        self._sizes = _jacobian.sizes(spec)
        self.state_vars = tuple(spec.buffered) + tuple(spec.unbuffered)  # internal order (OU states left out)
        self.algebraic = np.array([v in spec.algebraic for v in self.state_vars])
        self.input_vars = tuple(spec.inputs)
        self.output_vars = tuple(spec.output_vars)
        self._kernel = None

    # ------------------------------------------------------------------------------------------ model I/O
    def layout(self, model):
        """``(state_vars, input_vars, output_vars)`` of the model, as the optimal control sees them."""
        return list(model.state_vars or []), list(model.input_vars or []), list(model.output_vars or [])

    def initial_control(self, model, N, T):
        """The model's inputs as (N, T) series in its parameters, and the control (N, NU, T) made of them."""
        series = [_setup.input_series(v, model.params.get(v), N, T) for v in model.input_vars]
        for v, s in zip(model.input_vars, series):
            model.params[v] = s
        return np.stack(series, axis=1)

    def check_inputs(self, model, control):
        """Raise unless the model's inputs are the control."""
        for i, v in enumerate(model.input_vars):
            if not np.array_equal(np.asarray(model.params[v]), control[:, i, :]):
                raise ParameterError(f"Input '{v}' of the model differs from control[:, {i}, :].")

    def write_control(self, model, control):
        """Make the control the model's inputs, one (N, T) array per input variable."""
        for i, v in enumerate(model.input_vars):
            model.params[v] = control[:, i, :].copy()

    def run(self, model):
        """One ``model.run()`` with the inputs in its parameters."""
        model.run()

    # ------------------------------------------------------------------------------------------ Jacobians
    @property
    def kernel(self):
        """The compiled sweep (generated and loaded on first use)."""
        if self._kernel is None:
            self._kernel = _jacobian.load(self.spec)
        return self._kernel

    def setup(self, params):
        """The engine's packed set-up of ``params`` (validated)."""
        return self._engine.setup(params)

    def delays(self, params):
        """Network delays in steps (N, N); the diagonal holds the local delay where the model has one."""
        return self.setup(params).D

    def initial_states(self, params, setup=None):
        """Initial buffered history (S, N, NX), other states (N, NY) and OU states (N, NOU)."""
        setup = self.setup(params) if setup is None else setup
        H, Y, Q = self._engine.initial_state(params, setup)
        return np.ascontiguousarray(H.transpose(1, 2, 0)), Y, Q

    def prepare(self, params):
        """Everything a trajectory needs besides the control, derived once from ``params`` (validated)."""
        z = self._sizes
        setup = self.setup(params)
        H, Y0, Q0 = self.initial_states(params, setup)
        spec = self.spec
        N = H.shape[1]
        coupled = spec.coupling_var is not None
        weights = (spec.weights(params) if spec.weights else [params["Cmat"]]) if coupled else []
        W = np.ascontiguousarray(np.stack([np.asarray(w, float) for w in weights]) if weights else np.zeros((1, N, N)))
        chans = spec.channels if coupled else ()
        ch_w = np.array([c[0] for c in chans], dtype=np.int64)
        ch_f = np.array([c[1] for c in chans], dtype=np.int64)
        sf = np.array(spec.self_features, dtype=np.int64)
        sd = np.asarray(setup.self_lag, dtype=np.int64) - 1
        D = np.ascontiguousarray(setup.D, dtype=np.int64)
        return Prepared(
            setup=setup, H=H, Y0=Y0, Q0=Q0, W=W, ch_w=ch_w, ch_f=ch_f, sf=sf, sd=sd, D=D,
            P=np.ascontiguousarray(setup.P[0]), OUc=np.ascontiguousarray(setup.OU[0]), noisy=bool(setup.noisy),
            conn=_connections(W, D, ch_w), chan_feature=np.concatenate((ch_f, sf)).astype(np.int64),
            nz=z["nou"] + z["nwn"], linked=np.ascontiguousarray((W[ch_w] != 0).any(axis=2).T.reshape(N, len(ch_w))),
        )  # fmt: skip

    def linearize(self, prepared, control, rng=None, jacobians=True, inputs=None):
        """Trajectory of ``control`` (N, NU, T) from the prepared initial values, and its step Jacobians.

        Parameters
        ----------
        prepared : Prepared or dict
            Result of :meth:`prepare`, or the model parameters (prepared on the fly).
        control : ndarray
            Inputs (N, NU, T); column t drives the step t -> t+1.
        rng : numpy.random.Generator, optional
            Noise source of a noisy model (OU and white-noise channels); None integrates without noise.
        jacobians : bool
            Also differentiate every step (else only the trajectory; the Jacobian arrays are empty).
        inputs : array of bool, optional
            (N, NU) or (NU,): the inputs to differentiate for (default all; the others' columns of ``JU`` stay 0).

        Returns
        -------
        Linearization
        """
        pr = prepared if isinstance(prepared, Prepared) else self.prepare(prepared)
        z = self._sizes
        S, N = pr.H.shape[0], pr.H.shape[1]
        T = control.shape[2]
        nst, nin, nu, nx, nf = z["nx"] + z["ny"], z["nc"] + z["nsf"], z["nu"], z["nx"], z["nf"]
        U = np.ascontiguousarray(control.transpose(2, 0, 1), dtype=float)
        if inputs is None:
            ucols = np.ones((N, nu), dtype=np.bool_)
        else:
            ucols = np.ascontiguousarray(np.broadcast_to(np.asarray(inputs, dtype=np.bool_), (N, nu)))
        if rng is not None and pr.noisy:
            Z = rng.standard_normal((T - 1, N, pr.nz))
        else:
            Z = pr.zeros(T)
        XB = np.empty((S + T - 1, N, nx))
        YS = np.empty((T, N, z["ny"]))
        G = np.empty((S + T - 1, N, max(nf, 1)))
        if jacobians:
            JA, JB, JU = np.zeros((T - 1, N, nst, nst)), np.zeros((T - 1, N, nst, nin)), np.zeros((T - 1, N, nst, nu))
            JG = np.zeros((S + T - 1, N, nf, nx))
        else:
            JA = JB = JU = JG = _EMPTY4
        self.kernel.sweep(
            pr.H, pr.Y0, pr.Q0, U, pr.P, pr.OUc, Z, pr.setup.dt, pr.D, pr.W, pr.ch_w, pr.ch_f, pr.sf, pr.sd,
            pr.setup.aux, _jacobian.H, jacobians, ucols, pr.linked, XB, YS, G, JA, JB, JU, JG,
        )  # fmt: skip
        XS = np.concatenate((XB[S - 1 :], YS), axis=2) if z["ny"] else XB[S - 1 :]
        return Linearization(XS, JA, JB, JU, JG, S, pr.conn, pr.chan_feature, pr.sd)


_EMPTY4 = np.zeros((0, 0, 0, 0))


@dataclass
class Prepared:
    """A model's packed parameters, initial state and coupling structure, ready for :meth:`NativeDynamics.linearize`."""

    setup: object
    H: np.ndarray
    Y0: np.ndarray
    Q0: np.ndarray
    W: np.ndarray
    ch_w: np.ndarray
    ch_f: np.ndarray
    sf: np.ndarray
    sd: np.ndarray
    D: np.ndarray
    P: np.ndarray
    OUc: np.ndarray
    noisy: bool
    conn: tuple
    chan_feature: np.ndarray
    nz: int
    linked: np.ndarray  # (N, NC): node n has a non-zero weight in channel c

    def zeros(self, T):
        """A zero noise array for T time points (made once, never written)."""
        z = getattr(self, "_zeros", None)
        if z is None or z.shape[0] != T - 1:
            z = np.zeros((T - 1, self.H.shape[1], self.nz))
            self._zeros = z
        return z


def _connections(W, D, ch_w):
    """Non-zero couplings as arrays (target, source, channel, weight, delay), channel by channel."""
    rows = []
    for c, w in enumerate(ch_w):
        n, m = np.nonzero(W[w])
        rows.append((n, m, np.full(n.size, c), W[w][n, m], D[n, m]))
    if not rows:
        e = np.zeros(0, dtype=np.int64)
        return e, e, e, np.zeros(0), e
    cat = [np.concatenate(col) for col in zip(*rows)]
    return (
        cat[0].astype(np.int64),
        cat[1].astype(np.int64),
        cat[2].astype(np.int64),
        cat[3].astype(float),
        cat[4].astype(np.int64),
    )


def dynamics_of(model):
    """The dynamics adapter of ``model``: native models from their spec, others through ``model.oc_dynamics()``."""
    if getattr(model, "spec", None) is not None and getattr(model.spec, "kernel_module", None):
        return NativeDynamics(model)
    hook = getattr(model, "oc_dynamics", None)
    if callable(hook):
        return hook()
    raise ParameterError(
        f"model: optimal control needs a model that gives its step Jacobians (a native neurolib model, or one with "
        f"an 'oc_dynamics()' method); got {type(model).__name__}."
    )
