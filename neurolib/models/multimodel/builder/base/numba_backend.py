"""Numba backend: a node's or network's equations compiled into one Euler kernel (see ``_codegen`` for why).

The kernel module is written into the user cache folder under a name that hashes its source, then imported, so
``@njit(cache=True)`` keeps the machine code for the next process. Parameter values and delays (in steps) are
arguments: new values need no recompilation, only new equations (another model or other parameter keys) do.
"""

from __future__ import annotations

import hashlib
import logging
import sys
from dataclasses import dataclass

import numpy as np
import symengine as se
from numba import njit

from neurolib._core import _memory
from neurolib._core._loop import import_generated
from neurolib.errors import ParameterError
from neurolib.models.multimodel.builder.base import _source, _symbolic, _templates

logger = logging.getLogger(__name__)


class ExprVector:
    """Numeric values of symbolic expressions of the parameters (weights, delays) for a parameter vector P."""

    def __init__(self, exprs, names):
        index = {name: k for k, name in enumerate(names)}
        self.n = len(exprs)
        sym_pos, sym_idx, const_pos, const_val, gen_pos, gen = [], [], [], [], [], []
        for k, expr in enumerate(exprs):
            expr = se.sympify(expr)
            if expr.is_Number:
                const_pos.append(k)
                const_val.append(float(expr))
            elif expr.is_Symbol and expr.name in index:
                sym_pos.append(k)
                sym_idx.append(index[expr.name])
            else:
                gen_pos.append(k)
                gen.append(expr)
        self.sym_pos, self.sym_idx = np.array(sym_pos, dtype=np.int64), np.array(sym_idx, dtype=np.int64)
        self.const_pos, self.const_val = np.array(const_pos, dtype=np.int64), np.array(const_val, dtype=float)
        self.gen_pos, self.func, self.args = np.array(gen_pos, dtype=np.int64), None, np.zeros(0, dtype=np.int64)
        if gen:
            free = sorted({s.name for e in gen for s in e.free_symbols})
            unknown = [name for name in free if name not in index]
            if unknown:
                raise ParameterError(f"Weights or delays use symbols {unknown} that are not parameters.")
            self.args = np.array([index[name] for name in free], dtype=np.int64)
            self.func = se.Lambdify([se.Symbol(name) for name in free], gen, backend="lambda")

    def __call__(self, P):
        out = np.empty(self.n)
        out[self.sym_pos] = P[self.sym_idx]
        out[self.const_pos] = self.const_val
        if self.func is not None:
            out[self.gen_pos] = np.asarray(self.func(P[self.args]), dtype=float).ravel()
        return out


@dataclass
class Kernel:
    """A compiled kernel and what its arguments mean."""

    module: object
    system: _symbolic.System
    source: _source.Source
    delays: ExprVector  # delays (ms) of the reads printed with absolute indices
    weights: ExprVector  # every weight of the coupling plans, row by row
    lags: ExprVector  # every delay (ms) of the coupling plans, row by row
    node_tables: list  # per template: (TI, TP, TH, TC) and an ExprVector of its delays (rows x columns)
    fingerprint: tuple


def _callback_table(instance):
    """Callbacks of all masses: ``{name: (function, arrays, with state)}`` (a name means one function)."""
    found = {}
    for entry in instance._numba_callbacks():
        name, function = str(entry[0]), entry[1]
        arrays = tuple(entry[2]) if len(entry) > 2 else ()
        with_state = len(entry) > 3 and entry[3] == "state"
        if name in found and found[name][0] is not function:
            raise ParameterError(f"Two masses give different numba callbacks named {name!r}.")
        if name in found and any(a is not b for a, b in zip(found[name][1], arrays)):
            raise ParameterError(f"Two masses give callback {name!r} different tables; give them different names.")
        found[name] = (function, arrays, with_state)
    return found


_loaded: dict = {}


def load(source, importable, namespace):
    """Import the kernel module of ``source`` (cached on disk when its callbacks are importable)."""
    tag = hashlib.sha256(source.encode()).hexdigest()[:20]
    if tag in _loaded:
        return _loaded[tag]
    name = f"_nl_multimodel_{tag}"
    if importable:
        module = import_generated(name, source)
    else:  # callbacks defined in __main__ or a closure: compiled in this process only
        module = type(sys)(name)
        module.__dict__.update(namespace)
        exec(compile(source, f"<{name}>", "exec"), module.__dict__)  # noqa: S102 - our generated source
    _loaded[tag] = module
    return module


_NO_ROWS = np.zeros((2, 2), order="F")  # no variables kept (KR empty): never written


@njit(cache=True, nogil=True)
def _shift(Y, S, m):
    """Move the last ``S`` of the ``S + m`` rows of ``Y`` to its start (the history of the next block)."""
    for h in range(S):
        for v in range(Y.shape[1]):
            Y[h, v] = Y[m + h, v]


class NumbaBackend:
    """Compiles and runs a node's or network's equations with forward Euler (see the module docstring)."""

    name = "numba"

    def __init__(self):
        self.kernel = None

    def prepare(self, instance):
        """The kernel for the instance's current equations (compiled, or reused while they are unchanged)."""
        flat = _symbolic.flat_params(instance)
        if self.kernel is not None:
            if _symbolic.fingerprint(flat, self.kernel.system.symbolic) == self.kernel.fingerprint:
                return self.kernel
        system = _symbolic.derive_any(instance)
        params = {name: k for k, name in enumerate(system.names)}
        source = _source.generate(instance, system, _callback_table(instance), params)
        module = load(source.text, source.importable, source.namespace)
        rows = [entry for plan in source.groups for row in plan.rows for entry in row]
        node_tables = []
        for template in source.templates:
            static = _templates.static_tables(template, params, source.helper_slots)
            node_tables.append((static, ExprVector(_templates.delay_exprs(template), system.names)))
        self.kernel = Kernel(
            module,
            system,
            source,
            ExprVector(source.delay_exprs, system.names),
            ExprVector([w for w, _, _ in rows], system.names),
            ExprVector([d for _, _, d in rows], system.names),
            node_tables,
            _symbolic.fingerprint(flat, system.symbolic),
        )
        return self.kernel

    def arguments(self, instance, dt):
        """``(P, D, couplings, nodes, tables)`` for the instance's current values: parameters, delays (steps) of the
        absolute reads, connection tables, node-template tables and callback tables."""
        kernel = self.prepare(instance)
        P = _symbolic.parameter_vector(kernel.system, _symbolic.flat_params(instance))

        def steps(ms):
            if np.any(~np.isfinite(ms)) or np.any(ms < 0):
                raise ParameterError(f"{instance.name}: delays must be finite and >= 0 ms, got {ms.tolist()}.")
            return np.round(ms / dt).astype(np.int64)

        D = steps(kernel.delays(P))
        couplings = _connection_tables(kernel, kernel.weights(P), steps(kernel.lags(P)))
        nodes = []
        for (TI, TP, TH, TC), delays in kernel.node_tables:
            TD = steps(delays(P)).reshape(len(TI), -1)
            nodes += [TI, TP, TD, TH, TC]
        tables = [np.ascontiguousarray(a, dtype=float) for a in _table_arrays(instance)]
        return P, D, couplings, tuple(nodes), tables

    def integrate(self, instance, history, inputs, dt, t0=0.0, steps=None, args=None):
        """Integrate ``steps`` Euler steps after ``history``.

        Parameters
        ----------
        instance : Node or Network
        history : ndarray
            ``(S, num_state_variables)`` past values, oldest first; S must exceed the largest delay in steps.
        inputs : ndarray
            ``(steps, num_noise_variables)``: row k drives step k (the sample at the end of that step).
        dt : float
            Step, ms.
        t0 : float
            Time at the start of the first step, ms.
        steps : int, optional
            Number of steps (default: the rows of ``inputs``).
        args : tuple, optional
            What :meth:`arguments` returns (computed if omitted).

        Returns
        -------
        ndarray
            ``(S + steps, num_state_variables)``: the history, then the new states.
        """
        kernel = self.prepare(instance)
        args = args if args is not None else self.arguments(instance, dt)
        P, D, couplings, nodes, tables = args
        S = history.shape[0]
        steps = inputs.shape[0] if steps is None else int(steps)
        if max_lag(args) >= S:
            raise ParameterError(f"{instance.name}: a delay of {max_lag(args)} steps needs more than {S} history rows.")
        Y = np.empty((S + steps, history.shape[1]))
        Y[:S] = history
        U = np.ascontiguousarray(inputs, dtype=float)
        if U.shape[1] == 0:
            U = np.zeros((max(steps, 1), 1))
        none = np.zeros(0, dtype=np.int64)
        kernel.module.integrate(
            Y, S, S + steps, float(dt), float(t0), P, D, U, 0, none, _NO_ROWS, 0, *couplings, *nodes, *tables
        )
        return Y

    def integrate_rows(self, instance, history, inputs, row0, steps, dt, t0, args, rows, ready=None):
        """Integrate ``steps`` Euler steps after ``history`` in blocks, keeping only the variables ``rows``.

        The history buffer holds ``S`` rows plus one block (a few times S), so that it stays in the cache and memory
        does not grow with the run. ``inputs`` is ``(channels, steps of the run)``: step ``j`` reads column
        ``row0 + j`` (each block's columns are transposed for the kernel). The kernel writes the kept variables of
        every step into a block buffer, copied into the output after each block. ``ready(c)``, if given, is called
        before a block reads the inputs' columns before ``c`` (they may still be being made).

        Returns
        -------
        X : ndarray
            ``(len(rows), steps)``: the kept variables after every step.
        last : ndarray
            ``(num_state_variables, S)``: the last ``S`` states (the delay history of the next run), oldest first.
        """
        kernel = self.prepare(instance)
        S, n = history.shape
        if max_lag(args) >= S:
            raise ParameterError(f"{instance.name}: a delay of {max_lag(args)} steps needs more than {S} history rows.")
        block = int(max(1, min(steps, max(4 * S, 512))))
        Y = np.empty((S + block, n))
        Y[:S] = history
        rows = np.asarray(rows, dtype=np.int64)
        X = np.empty((len(rows), steps))
        # the kernel writes a step's kept variables next to each other into a block buffer (its transpose, the same
        # layout as _NO_ROWS: one compiled signature), copied into X per block: written straight into X, every
        # step would touch one page per variable
        staged = len(rows) >= 2 and block >= 2
        out = np.empty((block, len(rows))).T if staged else X
        stop = None
        if X.nbytes >= _memory.MIN_BYTES:  # map the output's pages ahead on a helper thread, in the order of the blocks
            c = max(block, (64 << 10) // 8)
            stop = _memory.prefault([X[r, s : s + c] for s in range(0, steps, c) for r in range(len(rows))])
        try:
            self._blocks(kernel, Y, X, out, staged, inputs, row0, steps, block, dt, t0, args, rows, ready)
        finally:
            if stop is not None:
                stop.set()
        return X, np.ascontiguousarray(Y[:S].T)

    @staticmethod
    def _blocks(kernel, Y, X, out, staged, inputs, row0, steps, block, dt, t0, args, rows, ready):
        """The block loop of :meth:`integrate_rows`."""
        P, D, couplings, nodes, tables = args
        S = Y.shape[0] - block
        channels = inputs.shape[0]
        done = 0
        while done < steps:
            m = min(block, steps - done)
            if ready is not None:
                ready(row0 + done + m)
            if channels:  # this block's inputs as (steps, channels): the kernel reads one row per step
                U = np.ascontiguousarray(inputs[:, row0 + done : row0 + done + m].T, dtype=float)
            else:
                U = np.zeros((m, 1))
            kernel.module.integrate(
                Y, S, S + m, float(dt), float(t0 + done * dt), P, D, U, 0, rows, out, 0 if staged else done,
                *couplings, *nodes, *tables,
            )  # fmt: skip
            if staged:
                X[:, done : done + m] = out[:, :m]
            _shift(Y, S, m)
            done += m


def _connection_tables(kernel, weights, lags):
    """``(CP, CW, CS, CL, CO, SRC)`` of the fused coupling plans: per target row q the far connections
    ``CP[2 q] .. CP[2 q + 1] - 1`` (additive sums, delay >= KF - 1 steps) and the others up to ``CP[2 q + 2] - 1``,
    each in the plans' order; weights (connection, plan of the fused set), source (index into SRC, the state indices
    of the sources), lag (steps); own variable per row. Connections whose weights are all 0 are left out."""
    groups = kernel.source.groups
    offsets, k = [], 0
    for plan in groups:  # position of each plan's first connection in weights / lags
        offsets.append(k)
        k += sum(len(row) for row in plan.rows)
    width = max((len(members) for members in kernel.source.fused), default=1)
    ptr, w_out, src_out, lag_out, own_out, sources = [0], [], [], [], [], {}
    for members in kernel.source.fused:
        first = groups[members[0]]
        additive = first.kind == "additive"
        pos = 0
        for row, own in zip(first.rows, first.own):
            far, near = [], []
            for _, source, _ in row:
                w = [weights[offsets[g] + pos] for g in members]
                if any(v != 0.0 for v in w):
                    lag = int(lags[offsets[members[0]] + pos])
                    entry = (w + [0.0] * (width - len(w)), sources.setdefault(source, len(sources)), lag)
                    (far if additive and lag >= _source.KF - 1 else near).append(entry)
                pos += 1
            for part in (far, near):
                for w, src, lag in part:
                    w_out.append(w)
                    src_out.append(src)
                    lag_out.append(lag)
                ptr.append(len(w_out))
            own_out.append(own)

    def ints(values):
        return np.array(values if values else [0], dtype=np.int64)

    weights_out = np.array(w_out if w_out else [[0.0] * width], dtype=float).reshape(-1, width)
    SRC = np.array(list(sources), dtype=np.int64)
    return np.array(ptr, dtype=np.int64), weights_out, ints(src_out), ints(lag_out), ints(own_out), SRC


def max_lag(args):
    """Largest delay (steps) of a kernel's arguments (``NumbaBackend.arguments``)."""
    _, D, couplings, nodes, _ = args
    lag = int(D.max()) if D.size else 0
    if couplings[0][-1] > 0:
        lag = max(lag, int(couplings[3][: couplings[0][-1]].max()))
    for TD in nodes[2::5]:
        if TD.size:
            lag = max(lag, int(TD.max()))
    return lag


def _table_arrays(instance):
    """The callback tables, in the order of the kernel's table arguments (current objects of the masses)."""
    arrays, seen = [], set()
    for _, (_, tables, _) in _callback_table(instance).items():
        for arr in tables:
            if id(arr) not in seen:
                seen.add(id(arr))
                arrays.append(arr)
    return arrays


def history_rows(instance, initial_state, S):
    """The initial state as ``(S, num_state_variables)`` history rows, oldest first.

    A 1-D state is a constant past; a 2-D one ``(num_state_variables, S)`` is the history itself, newest column last.
    """
    x0 = np.asarray(initial_state, dtype=float)
    n = instance.num_state_variables
    if x0.ndim == 1 and x0.shape == (n,):
        return np.repeat(x0[None, :], S, axis=0)
    if x0.ndim == 2 and x0.shape[0] == n and x0.shape[1] == 1:
        return np.repeat(x0[:, 0][None, :], S, axis=0)
    if x0.ndim == 2 and x0.shape == (n, S):
        return np.ascontiguousarray(x0.T)
    raise ParameterError(
        f"{instance.name}: the initial state must have shape ({n},) or ({n}, {S}) (a history of "
        f"round(max_delay / dt) + 1 columns, oldest first), got {x0.shape}."
    )


def history_length(instance, D, dt):  # D: the largest delay in steps (see max_lag)
    """Rows of history a run needs: ``round(max_delay / dt) + 1``, and more than the largest delay in steps."""
    S = int(round(instance.max_delay / dt)) + 1
    return max(S, D + 1)


def run(instance, duration, dt, noise_input):
    """One run of ``duration`` ms from ``instance.initial_state``; returns ``(times (T,), states (n, T))`` in ms."""
    from neurolib._core.integrate import n_steps

    backend = instance._backend
    T = n_steps(duration, dt)
    U = np.asarray(noise_input, dtype=float)
    if U.shape != (instance.num_noise_variables, T):
        raise ParameterError(
            f"{instance.name}: the input array must have shape ({instance.num_noise_variables}, {T}) "
            f"(channels, steps of {dt} ms), got {U.shape}."
        )
    args = backend.arguments(instance, dt)
    S = history_length(instance, max_lag(args), dt)
    Y = backend.integrate(instance, history_rows(instance, instance.initial_state, S), U.T, dt, args=args)
    return np.arange(1, T + 1) * dt, Y[S:].T.copy()
