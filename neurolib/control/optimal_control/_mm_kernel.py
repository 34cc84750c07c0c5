"""Step Jacobians of a MultiModel node or network, compiled from its symbolic equations.

The forward trajectory comes from the MultiModel's own Euler kernel. This module generates a second numba module
from the same :class:`~neurolib.models.multimodel.builder.base._symbolic.System`: a function ``rhs`` that evaluates
every derivative of the whole state vector in complex arithmetic, and a ``sweep`` that differentiates one Euler step
``s(t+1) = s(t) + dt f(s(t), delayed reads, inputs(t))`` along the trajectory by the complex step (perturb an
argument by ``i h``; the imaginary part of ``f`` divided by ``h`` is the derivative, exact to rounding, as for the
native kernels). Each distinct delayed read (state ``k`` delayed by the ``m``-th delay) is an argument of its own.
While printing, the arguments each equation depends on are collected (through the helper definitions), which gives
the structurally non-zero entries of the step Jacobian; arguments that share no equation are perturbed together
(:func:`colour`), so a step costs one evaluation per colour, not one per argument.

The equations are printed by the same printer as the forward kernel, with complex versions of the functions
(``cmath``, and the helpers below where ``cmath`` has none). Callbacks (e.g. the ALN transfer-function tables) take
real numbers: each gets a wrapper that evaluates it at the real parts and adds the imaginary parts times its slopes,
from central differences (step :data:`SLOPE_STEP` relative), which for piecewise-linear tables is the slope of the
cell to rounding.
"""

from __future__ import annotations

import math

from numba import njit

from neurolib.errors import ParameterError
from neurolib.models.multimodel.builder.base import _source
from neurolib.models.multimodel.builder.base._codegen import _FUNCTIONS, Printer, order_helpers

SLOPE_STEP = 1e-7  # relative step of the central differences that give a callback's slopes

_MODULE = "neurolib.control.optimal_control._mm_kernel"


# ------------------------------------------------------------------------------------------ complex helpers
@njit(cache=True, nogil=True)
def cx_abs(z):
    """``|x|`` continued to ``x + i y`` (y infinitesimal): ``sign(x) z``."""
    return z if z.real >= 0.0 else -z


@njit(cache=True, nogil=True)
def cx_max(a, b):
    """The argument with the larger real part."""
    return a if a.real >= b.real else b


@njit(cache=True, nogil=True)
def cx_min(a, b):
    """The argument with the smaller real part."""
    return a if a.real <= b.real else b


@njit(cache=True, nogil=True)
def cx_erf(z):
    """``erf`` continued to ``x + i y`` (y infinitesimal)."""
    x = z.real
    return math.erf(x) + 1j * z.imag * 2.0 / math.sqrt(math.pi) * math.exp(-x * x)


@njit(cache=True, nogil=True)
def cx_erfc(z):
    """``erfc = 1 - erf`` continued to ``x + i y``."""
    return 1.0 - cx_erf(z)


@njit(cache=True, nogil=True)
def cx_floor(z):
    """``floor`` (derivative 0)."""
    return math.floor(z.real) + 0j


@njit(cache=True, nogil=True)
def cx_ceil(z):
    """``ceil`` (derivative 0)."""
    return math.ceil(z.real) + 0j


@njit(cache=True, nogil=True)
def cx_sign(z):
    """``sign`` (derivative 0)."""
    x = z.real
    return (1.0 if x > 0.0 else (-1.0 if x < 0.0 else 0.0)) + 0j


@njit(cache=True, nogil=True)
def cx_atan2(a, b):
    """``atan2(a, b)`` continued to complex arguments with infinitesimal imaginary parts."""
    x, y = b.real, a.real
    return math.atan2(y, x) + 1j * (x * a.imag - y * b.imag) / (x * x + y * y)


_COMPLEX_FUNCTIONS = dict(_FUNCTIONS)
_COMPLEX_FUNCTIONS.update({name: f"cmath.{name}" for name in (
    "sin", "cos", "tan", "asin", "acos", "atan", "sinh", "cosh", "tanh", "asinh", "acosh", "atanh", "log", "exp",
    "sqrt",
)})  # fmt: skip
_COMPLEX_FUNCTIONS.update(
    abs="cx_abs", max="cx_max", min="cx_min", erf="cx_erf", erfc="cx_erfc", floor="cx_floor",
    ceiling="cx_ceil", sign="cx_sign", atan2="cx_atan2", gamma=None,
)  # fmt: skip


class ComplexPrinter(Printer):
    """Prints equations for complex arguments: states ``y[k]``, delayed reads ``z[r]``, inputs ``u[c]``."""

    functions = _COMPLEX_FUNCTIONS

    def __init__(self, names, callbacks):
        super().__init__(names, callbacks, current="y[{k}]", past="", inputs="u[{c}]")
        self.reads: dict = {}  # (delay index m, state k) -> slot r of z
        self.read_used: set = set()  # the slots read by the expression being printed
        self.arity: dict = {}  # callback code -> number of (non-table) arguments

    def past_read(self, m, k):
        r = self.reads.setdefault((m, k), len(self.reads))
        self.read_used.add(r)
        return f"z[{r}]"

    def operand(self, text):
        return f"({text}).real"

    def _function(self, expr):
        name = str(expr.get_name())
        if name in self.callbacks:
            code, tables, with_state = self.callbacks[name]
            if with_state:
                raise ParameterError(
                    f"Optimal control cannot differentiate the callback {name}(), which reads the whole state."
                )
            self.arity[code] = len(expr.args)
            args = [self(a) for a in expr.args] + [f"A{k}" for k in tables]
            return f"{code}z({', '.join(args)})"
        return super()._function(expr)

    def __call__(self, expr):
        if type(expr).__name__.lower() == "gamma":
            raise ParameterError("Optimal control cannot differentiate gamma() in the equations.")
        return super().__call__(expr)


def _wrapper(code, arity, n_tables):
    """A callback taking complex arguments: its value at the real parts plus i (imaginary parts . slopes)."""
    args = [f"a{j}" for j in range(arity)]
    tables = "".join(f", T{k}" for k in range(n_tables))
    reals = [f"x{j}" for j in range(arity)]
    lines = [
        "@njit(cache=CACHE, nogil=True)",
        f"def {code}z({', '.join(args)}{tables}):",
        *[f"    x{j} = a{j}.real" for j in range(arity)],
        f"    value = {code}({', '.join(reals)}{tables})",
        "    slope = 0.0",
    ]
    for j in range(arity):
        up = [f"x{i} + e" if i == j else f"x{i}" for i in range(arity)]
        down = [f"x{i} - e" if i == j else f"x{i}" for i in range(arity)]
        lines += [
            f"    if a{j}.imag != 0.0:",
            f"        e = SLOPE_STEP * max(abs(x{j}), 1.0)",
            f"        slope += a{j}.imag * ({code}({', '.join(up)}{tables}) - {code}({', '.join(down)}{tables})) "
            "/ (2.0 * e)",
        ]
    lines.append("    return value + 1j * slope")
    return "\n".join(lines)


_SWEEP = '''

@njit(cache=CACHE, nogil=True)
def sweep(Y, S, U, P, D, RD, RK, dt, t0, H, GP, GC, EP, ER, EC, J{tables}):
    """Non-zero step Jacobian entries along the trajectory Y (history rows first), one complex evaluation per colour
    g: its columns GC[GP[g]:GP[g+1]] (states, then delayed reads, then inputs) are perturbed together, and its
    entries EP[g]:EP[g+1] (rows ER, columns EC) read off: J[t, e] = d s(t+1)[ER[e]] / d column EC[e] (the identity
    of the Euler step included)."""
    y = np.empty(N_STATE, dtype=np.complex128)
    z = np.empty(max(N_READS, 1), dtype=np.complex128)
    u = np.empty(max(N_INPUTS, 1), dtype=np.complex128)
    out = np.empty(N_STATE, dtype=np.complex128)
    for t in range(U.shape[0]):
        i = S - 1 + t
        tt = t0 + t * dt
        for k in range(N_STATE):
            y[k] = Y[i, k]
        for r in range(N_READS):
            z[r] = Y[i - D[RD[r]], RK[r]]
        for c in range(N_INPUTS):
            u[c] = U[t, c]
        for g in range(GP.shape[0] - 1):
            for q in range(GP[g], GP[g + 1]):
                _nudge(GC[q], 1j * H, y, z, u)
            rhs(y, z, u, P, tt, out{table_args})
            for q in range(GP[g], GP[g + 1]):
                _nudge(GC[q], -1j * H, y, z, u)
            for e in range(EP[g], EP[g + 1]):
                J[t, e] = dt * out[ER[e]].imag / H
        for e in range(J.shape[1]):  # the Euler step's own state: s(t+1) = s(t) + dt f
            if ER[e] == EC[e]:
                J[t, e] += 1.0


@njit(cache=CACHE, nogil=True, inline="always")
def _nudge(col, d, y, z, u):
    """Add the imaginary ``d`` to column ``col`` (a state, a delayed read or an input)."""
    if col < N_STATE:
        y[col] += d
    elif col < N_STATE + N_READS:
        z[col - N_STATE] += d
    else:
        u[col - N_STATE - N_READS] += d
'''


def _printed(printer, expr, helper_deps, used_names):
    """Code of ``expr`` and the columns it depends on: ("y", state), ("z", read slot), ("u", input), through the
    helpers it uses (whose dependencies are in ``helper_deps``)."""
    printer.used_y, printer.used_inputs, printer.used_names, printer.read_used = set(), set(), set(), set()
    code = printer(expr)
    deps = {("y", k) for k in printer.used_y} | {("z", r) for r in printer.read_used}
    deps |= {("u", c) for c in printer.used_inputs}
    for name in printer.used_names:
        deps |= helper_deps.get(name, set())
    used_names |= printer.used_names
    return code, deps


def colour(pattern, n_rows, n_cols):
    """Groups of columns no two of which share a row of ``pattern`` (a list of (row, column)), greedily, most
    connected columns first: perturbed together, they leave each row's derivative with one column of the group.

    Returns
    -------
    list of list of int
        The columns of each colour.
    """
    rows_of = [[] for _ in range(n_cols)]
    for r, c in pattern:
        rows_of[c].append(r)
    order = sorted(range(n_cols), key=lambda c: -len(rows_of[c]))
    taken = []  # per colour: the rows its columns touch
    groups = []
    for c in order:
        if not rows_of[c]:
            continue
        rows = set(rows_of[c])
        for g, used in enumerate(taken):
            if not used & rows:
                used |= rows
                groups[g].append(c)
                break
        else:
            taken.append(set(rows))
            groups.append([c])
    return groups


def generate(instance, system, callbacks):
    """Source of the Jacobian module of ``system`` and what its arguments mean.

    Returns
    -------
    text : str
        The module source.
    importable : bool
        Whether the module can be cached on disk (its callbacks can be imported by name).
    namespace : dict
        The callbacks by code name (for a module that is not importable).
    reads : list of (int, int)
        Per delayed-read slot: the index of its delay (in ``delay_exprs``) and the state it reads.
    delay_exprs : list
        The delays (ms, expressions of the parameters).
    pattern : list of (int, int)
        The structurally non-zero (row, column) entries of the step Jacobian; columns: the states, then the read
        slots, then the inputs. Every state's own entry is included (the Euler step keeps the state).
    """
    codes, tables, imports, importable = _source._callback_codes(callbacks)
    params = {name: k for k, name in enumerate(system.names)}
    helpers = order_helpers(system.helpers, system.derivatives)
    names = {name: f"p{k}" for name, k in params.items()}
    names.update({name: f"h{k}" for k, (name, _) in enumerate(helpers)})
    printer = ComplexPrinter(names, codes)
    helper_deps, used_names, body, rows = {}, set(), [], []
    for name, expr in helpers:
        code, deps = _printed(printer, expr, helper_deps, used_names)
        helper_deps[name] = deps
        body.append(f"    {names[name]} = {code}")
    for k, expr in enumerate(system.derivatives):
        code, deps = _printed(printer, expr, helper_deps, used_names)
        rows.append(deps)
        body.append(f"    out[{k}] = {code}")
    n_state, n_reads = len(system.derivatives), len(printer.reads)
    offset = {"y": 0, "z": n_state, "u": n_state + n_reads}
    pattern = sorted({(k, offset[kind] + j) for k, deps in enumerate(rows) for kind, j in deps} | {
        (k, k) for k in range(n_state)})  # fmt: skip
    used = sorted(params[n] for n in used_names if n in params)
    table_args = "".join(f", A{k}" for k in range(len(tables)))
    head = [
        '"""Step Jacobians of a MultiModel, generated by neurolib.control.optimal_control. Do not edit."""',
        "import cmath",
        "import math",
        "",
        "import numpy as np",
        "from numba import njit",
        f"from {_MODULE} import SLOPE_STEP, cx_abs, cx_atan2, cx_ceil, cx_erf, cx_erfc, cx_floor, cx_max, cx_min, "
        "cx_sign",
        *imports,
        "",
        f"CACHE = {importable}",
        f"N_STATE, N_READS, N_INPUTS = {n_state}, {n_reads}, {instance.num_noise_variables}",
        "",
    ]
    wrappers = [_wrapper(code, printer.arity[code], len(codes_tables)) for code, codes_tables in _tables_by_code(codes)
                if code in printer.arity]  # fmt: skip
    rhs = [
        "",
        "@njit(cache=CACHE, nogil=True)",
        f"def rhs(y, z, u, P, t, out{table_args}):",
        *[f"    p{k} = P[{k}]" for k in used],
        *body,
    ]
    text = "\n".join(head + ["\n\n".join(wrappers)] + rhs) + _SWEEP.format(tables=table_args, table_args=table_args)
    namespace = {codes[name][0]: callbacks[name][0] for name in callbacks}
    reads = sorted(printer.reads, key=printer.reads.get)
    return text, importable, namespace, reads, printer.delay_exprs, pattern


def _tables_by_code(codes):
    return [(code, tables) for code, tables, _ in codes.values()]
