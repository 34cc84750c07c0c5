"""Optimal control of MultiModel nodes and networks: the dynamics adapter (see :mod:`._dynamics` for the interface).

What is controlled: the input channels of every node (``noise_input``; for a built-in node one or two per mass,
e.g. the external currents of ALN's excitatory and inhibitory masses). The control is **added** to the channels'
input processes, so the initial control is zero and the processes' drive (``input_*.mu``) stays the baseline. A
deterministic model's processes are drawn once, when the optimal control is set up, and every run uses that draw
(an OU process with ``sigma = 0`` still relaxes from a random start; a change of the processes' parameters makes a
new draw); if a process is random (``sigma > 0``, a Wiener process), the model is noisy and each realisation draws
them anew.

Runs start from the instance's ``initial_state``, as ``model.run()`` does. The state of node n is its own
variables, in its order, when all nodes are alike (every built-in network); in a network of different nodes every
node must have every output, and a node's state is laid out with the outputs first, then its other variables, padded
with zeros to the largest node (the channels likewise by position).
The step Jacobians act on the whole state vector (:mod:`._mm_kernel`); only their structurally non-zero entries
are computed and kept, columns that share no row being differentiated together (one complex evaluation of the
equations per colour of the columns), so memory grows with the couplings, not with the square of the state (an
error says so before a too large array is allocated). Like the forward kernel, the generated one writes equal
nodes as one loop body, so it compiles in seconds whatever the size of the network.
"""

from __future__ import annotations

from dataclasses import dataclass
from types import SimpleNamespace

import numpy as np
from numba import njit

from neurolib.control.optimal_control import _jacobian
from neurolib.errors import ParameterError
from neurolib.models.multimodel import _runs
from neurolib.models.multimodel.builder.base import _symbolic, numba_backend
from neurolib.models.multimodel.builder.base.numba_backend import ExprVector, history_length, max_lag
from neurolib.utils.stimulus import BaseMultipleInputs, OrnsteinUhlenbeckProcess, WienerProcess

MAX_JACOBIAN_BYTES = 4 << 30  # step Jacobians (their non-zero entries at every step) larger than this: an error


def _random(process):
    """Whether an input process draws random numbers in every run."""
    if isinstance(process, WienerProcess):
        return True
    if isinstance(process, OrnsteinUhlenbeckProcess):
        return float(process.sigma) != 0.0
    if isinstance(process, BaseMultipleInputs):
        return any(_random(p) for p in process.inputs)
    return False


def _nodes(instance):
    return list(getattr(instance, "nodes", [instance]))


def _channels(node):
    """Global input-channel indices of a node and their names (``<mass label>.input_<i>``)."""
    idx, names = [], []
    for mass in node.masses:
        for i, c in enumerate(mass.noise_input_idx):
            idx.append(int(c))
            names.append(f"{mass.label}.input_{i}")
    return idx, names


@dataclass
class MMLinearization:
    """A trajectory of a MultiModel (per node: ``XS`` (T, N, V)) and the non-zero entries of its step Jacobians.

    Columns of the step Jacobian: the ``NS`` states before the step, then the ``R`` delayed reads of the step, then
    the input channels; entry e of every step is row ``ER[e]``, column ``EC[e]``."""

    XS: np.ndarray
    J: np.ndarray  # (T-1, entries)
    ER: np.ndarray
    EC: np.ndarray
    NS: int
    read_state: np.ndarray  # (R,) state index of each delayed read
    read_delay: np.ndarray  # (R,) its delay in steps
    channels: int
    IDX: np.ndarray  # (N, V) state index of node n's variable v (-1: none)
    CH: np.ndarray  # (N, NU) channel index of node n's input j (-1: none)

    def backward(self, CX):
        """Co-state (T, N, V) and input gradient (T, N, NU) of a cost with state derivative ``CX`` (T, N, V)."""
        T = CX.shape[0]
        full = np.zeros((T, self.NS))
        has = self.IDX >= 0
        full[:, self.IDX[has]] = CX[:, has]
        p, gu = _backward(self.J, self.ER, self.EC, full, self.read_state, self.read_delay, self.channels)
        return _gather(p, self.IDX), _gather(gu, self.CH)


def _gather(a, index):
    """``a[:, index]`` (time, node, position) with 0 where ``index`` is -1 (a node with fewer variables)."""
    out = a[:, np.where(index >= 0, index, 0)]
    out[:, index < 0] = 0.0
    return out


@njit(cache=True, nogil=True)
def _backward(J, ER, EC, CX, RK, RL, NU):
    """``p(t) = CX(t) + (d s(t+1) / d s(t))^T p(t+1)`` plus the shares of the later steps that read ``s(t)`` through a
    delay; ``dJ/du(t) = (d s(t+1) / d u(t))^T p(t+1)``, from the non-zero entries (row ER, column EC) of each step."""
    T, NS = CX.shape
    R = RK.shape[0]
    p = CX.copy()
    gu = np.zeros((T, NU))
    for s in range(T - 2, -1, -1):
        for e in range(ER.shape[0]):
            a = J[s, e] * p[s + 1, ER[e]]
            c = EC[e]
            if c < NS:
                p[s, c] += a
            elif c < NS + R:
                tau = s - RL[c - NS]
                if tau >= 0:
                    p[tau, RK[c - NS]] += a
            else:
                gu[s, c - NS - R] += a
    return p, gu


class MultiModelDynamics:
    """State layout, inputs and step Jacobians of a :class:`~neurolib.models.multimodel.MultiModel` (the object
    its ``oc_dynamics()`` returns; one per optimal-control problem, bound to the model it controls)."""

    def __init__(self, model):
        if model.params.get("backend", "numba") != "numba":
            raise ParameterError(
                f"model: optimal control of a MultiModel integrates with the numba backend (the Euler steps its "
                f"gradient is exact for); set model.params['backend'] = 'numba' (got {model.params['backend']!r})."
            )
        self.model = model
        instance = model.model_instance
        nodes = _nodes(instance)
        layouts = [tuple(names) for names in model.state_vars] if isinstance(model.state_vars[0], list) else None
        if layouts is None:
            layouts = [tuple(model.state_vars)]
        chans = [_channels(node) for node in nodes]
        self.output_vars = tuple(model.output_vars)
        same = all(layouts[n] == layouts[0] and chans[n][1] == chans[0][1] for n in range(len(nodes)))
        if same:  # every node alike: its own variables and channels
            order = [list(range(len(layouts[0])))] * len(nodes)
            self.state_vars = layouts[0]
            self.input_vars = tuple(chans[0][1])
        else:  # nodes of different kinds: the outputs first, then each node's other variables; channels by position
            for n, names in enumerate(layouts):
                missing = [o for o in self.output_vars if o not in names]
                if missing:
                    raise ParameterError(
                        f"model: optimal control of a network of different nodes needs every output in every node; "
                        f"node {n} has no {missing} (its variables: {list(names)})."
                    )
            order = [
                [names.index(o) for o in self.output_vars]
                + [v for v, x in enumerate(names) if x not in self.output_vars]
                for names in layouts
            ]
            width = max(len(o) for o in order)
            self.state_vars = self.output_vars + tuple(f"state_{j}" for j in range(len(self.output_vars), width))
            self.input_vars = tuple(f"input_{j}" for j in range(max(len(c[1]) for c in chans)))
        V, NU = len(self.state_vars), len(self.input_vars)
        self.algebraic = np.zeros(V, dtype=bool)
        # state / channel index of node n's variable v / input j; -1 where the node has fewer
        self.IDX = np.full((len(nodes), V), -1, dtype=np.int64)
        self.CH = np.full((len(nodes), NU), -1, dtype=np.int64)
        for n, node in enumerate(nodes):
            self.IDX[n, : len(order[n])] = [node.idx_state_var + v for v in order[n]]
            self.CH[n, : len(chans[n][0])] = chans[n][0]
        self.inputs_available = self.CH >= 0
        self._control = None
        self._base = None
        self._jac = None

    # ------------------------------------------------------------------------------------------ model I/O
    def layout(self, model):
        """``(state_vars, input_vars, output_vars)`` of one node, as the optimal control sees them."""
        return list(self.state_vars), list(self.input_vars), list(self.output_vars)

    def initial_control(self, model, N, T):
        """The control starts at zero (it is added to the input processes)."""
        self._control = np.zeros((N, len(self.input_vars), T))
        return self._control.copy()

    def check_inputs(self, model, control):
        """Nothing to compare: the model's inputs are its processes, the control comes on top."""

    def write_control(self, model, control):
        """Use ``control`` (N, NU, T) in the next runs."""
        self._control = np.array(control, dtype=float)

    def run(self, model):
        """``model.run()`` with the processes (this realisation) plus the control as its inputs."""
        U = self._inputs(model, self._process_draw(model, model.params.get("seed")), self._control)
        model.run(noise_input=U)

    # ------------------------------------------------------------------------------------------ set-up
    def setup(self, params):
        """History rows ``S``, delays (N, N, steps) of the network and whether runs are noisy."""
        model = self.model
        model._push_params()
        instance = model.model_instance
        dt = float(params["dt"])
        args = instance.backend_for("numba").arguments(instance, dt)
        S = history_length(instance, max_lag(args), dt)
        N = len(_nodes(instance))
        delays = np.asarray(getattr(instance, "delays", np.zeros((N, N))), dtype=float)
        D = np.round(delays / dt).astype(np.int64) if delays.shape == (N, N) else np.zeros((N, N), dtype=np.int64)
        return SimpleNamespace(S=S, D=D, noisy=self._noisy(), args=args, dt=dt)

    def _noisy(self):
        return any(_random(p) for p in self.model.noise_input)

    def delays(self, params):
        """Network delays in steps (N, N)."""
        return self.setup(params).D

    def initial_states(self, params, setup=None):
        """Initial history (S, N, V), and empty algebraic and OU states (N, 0)."""
        setup = self.setup(params) if setup is None else setup
        H = self._start(setup.S)
        N = self.IDX.shape[0]
        return np.ascontiguousarray(_gather(H, self.IDX)), np.zeros((N, 0)), np.zeros((N, 0))

    def _start(self, S):
        """History (S, all state variables) of a run: the instance's initial state (as ``model.run()`` starts)."""
        instance = self.model.model_instance
        return numba_backend.history_rows(instance, instance.initial_state, S)

    def _process_draw(self, model, seed):
        """The input processes of a run, (channels, T - 1), drawn with ``seed`` (the first draw for a deterministic
        model, kept for every later run)."""
        model._push_params()  # parameters set in model.params since the last run reach the processes
        noisy = self._noisy()
        key = (repr([p.get_params() for p in model.noise_input]), seed, model.params["duration"], model.params["dt"])
        if self._base is not None and not noisy and self._base[0] == key:
            return self._base[1]
        saved_seed, saved_runs = model.params.get("seed"), model._runs
        model.params["seed"] = seed
        model._runs = 0
        try:
            T1 = _jacobian_steps(model.params)
            draw = _runs.process_arrays(model, model.params["duration"], float(model.params["dt"]), T1)
        finally:
            model.params["seed"], model._runs = saved_seed, saved_runs
        if not noisy:
            self._base = (key, draw)
        return draw

    def _inputs(self, model, draw, control):
        """Inputs of a run (channels, T - 1): the processes plus the control of every node's channels."""
        U = np.array(draw, dtype=float)
        if control is not None:
            has = self.CH >= 0
            U[self.CH[has]] += control[:, :, : U.shape[1]][has]
        return U

    def prepare(self, params):
        """Everything a trajectory needs besides the control (validated parameters, history, Jacobian kernel)."""
        setup = self.setup(params)
        instance = self.model.model_instance
        H = self._start(setup.S)
        return SimpleNamespace(
            setup=setup, H=H, noisy=setup.noisy, jac=self._kernel(instance, setup), draw=self._process_draw(
                self.model, self.model.params.get("seed")
            ),
        )  # fmt: skip

    def _kernel(self, instance, setup):
        """The compiled Jacobian module, its read tables and its colouring (made again only when the equations
        change)."""
        backend = instance.backend_for("numba")
        kernel = backend.prepare(instance)
        if self._jac is None or self._jac[0] is not kernel:
            from neurolib.control.optimal_control import _mm_kernel

            callbacks = numba_backend._callback_table(instance)
            source = _mm_kernel.generate(instance, kernel.system, callbacks)
            module = numba_backend.load(source.text, source.importable, source.namespace)
            n_cols = instance.num_state_variables + len(source.reads) + instance.num_noise_variables
            groups = _mm_kernel.colour(source.pattern, instance.num_state_variables, n_cols)
            colour_of = {c: g for g, cols in enumerate(groups) for c in cols}
            entries = sorted(source.pattern, key=lambda rc: (colour_of[rc[1]], rc[1], rc[0]))
            EP = np.searchsorted([colour_of[c] for _, c in entries], np.arange(len(groups) + 1)).astype(np.int64)
            tables = SimpleNamespace(
                RD=np.array([m for m, _ in source.reads], dtype=np.int64),
                RK=np.array([k for _, k in source.reads], dtype=np.int64),
                GP=np.cumsum([0] + [len(g) for g in groups]).astype(np.int64),
                GC=np.array([c for g in groups for c in g], dtype=np.int64),
                EP=EP,
                ER=np.array([r for r, _ in entries], dtype=np.int64),
                EC=np.array([c for _, c in entries], dtype=np.int64),
                n_helpers=source.n_helpers,
                extra=source.extra,
            )
            self._jac = (kernel, module, tables, ExprVector(source.delay_exprs, kernel.system.names))
        kernel, module, tables, delays = self._jac
        P = _symbolic.parameter_vector(kernel.system, _symbolic.flat_params(instance))
        D = np.round(delays(P) / setup.dt).astype(np.int64) if tables.RD.size else np.zeros(1, dtype=np.int64)
        return SimpleNamespace(
            module=module, P=P, D=D, tables=tables, callback_tables=setup.args[4], extra=tables.extra(P),
            HB=np.empty(tables.n_helpers, dtype=np.complex128),
        )  # fmt: skip

    def linearize(self, prepared, control, rng=None, jacobians=True, inputs=None):
        """Trajectory of ``control`` (N, NU, T) and its step Jacobians (see :class:`MMLinearization`); the
        derivatives for every input channel are computed (``inputs`` is accepted for the interface)."""
        pr = prepared if isinstance(prepared, SimpleNamespace) else self.prepare(prepared)
        model, setup, jac = self.model, pr.setup, pr.jac
        tb = jac.tables
        T = control.shape[2]
        draw = pr.draw
        if rng is not None and pr.noisy:
            draw = self._process_draw(model, int(rng.integers(2**31)))
        U = np.ascontiguousarray(self._inputs(model, draw, control).T)
        instance = model.model_instance
        backend = instance.backend_for("numba")
        Y = backend.integrate(instance, pr.H, U, setup.dt, args=setup.args)
        S = pr.H.shape[0]
        XS = _gather(Y[S - 1 :], self.IDX)
        NS, NC = Y.shape[1], instance.num_noise_variables
        delays = jac.D[tb.RD]
        if not jacobians:
            return MMLinearization(XS, np.zeros((0, 0)), tb.ER, tb.EC, NS, tb.RK, delays, NC, self.IDX, self.CH)
        need = 8 * (T - 1) * tb.ER.size
        if need > MAX_JACOBIAN_BYTES:
            raise ParameterError(
                f"model: the step Jacobians of this MultiModel would take {need / 2**30:.1f} GiB ({tb.ER.size} "
                f"non-zero entries per step, {T} time points); control a shorter run or fewer nodes."
            )
        J = np.empty((T - 1, tb.ER.size))
        Uk = U if NC else np.zeros((T - 1, 1))
        jac.module.sweep(
            Y, S, Uk, jac.P, jac.D, tb.RD, tb.RK, setup.dt, 0.0, _jacobian.H, tb.GP, tb.GC, tb.EP, tb.ER, tb.EC, J,
            jac.HB, *jac.extra, *jac.callback_tables,
        )  # fmt: skip
        return MMLinearization(XS, J, tb.ER, tb.EC, NS, tb.RK, delays, NC, self.IDX, self.CH)


def _jacobian_steps(params):
    from neurolib._core.integrate import n_steps

    return n_steps(float(params["duration"]), float(params["dt"]))
