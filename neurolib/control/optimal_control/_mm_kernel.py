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

The layout follows the forward kernel (``builder/base/_source.py`` and ``_templates.py``): the network couplings
recorded as plans are loops over connection tables (weights, read slots), and nodes with equal node-relative
equations share one loop body, whose per-node tables give the state offset, the parameters, the read slots, the
coupling values and the input channels; so the code, and the compile time, do not grow with the network. Where the
nodes cannot be written node-relative, every equation is printed instead (:func:`_flat`).

The equations are printed by the same printer as the forward kernel, with complex versions of the functions
(``cmath``, and the helpers below where ``cmath`` has none). Callbacks (e.g. the ALN transfer-function tables) take
real numbers: each gets a wrapper that evaluates it at the real parts and adds the imaginary parts times its slopes,
from central differences (step :data:`SLOPE_STEP` relative), which for piecewise-linear tables is the slope of the
cell to rounding.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass, field

import numpy as np
import symengine as se
from numba import njit

from neurolib.errors import ParameterError
from neurolib.models.multimodel.builder.base import _source, _templates
from neurolib.models.multimodel.builder.base._codegen import _FUNCTIONS, Printer, order_helpers
from neurolib.models.multimodel.builder.base.numba_backend import ExprVector

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
    """Prints equations for complex arguments: states ``current.format(k=k)`` (``y[k]``), inputs
    ``inputs.format(c=c)`` (``u[c]``), delayed reads as ``read(delay, k)`` says: ``(key, code)``, the key recorded
    in ``read_used`` (what the expression being printed depends on)."""

    functions = _COMPLEX_FUNCTIONS

    def __init__(self, names, callbacks, read, current="y[{k}]", inputs="u[{c}]"):
        super().__init__(names, callbacks, current=current, past="", inputs=inputs)
        self.read = read
        self.read_used: set = set()
        self.all_names: set = set()  # every name printed so far
        self.arity: dict = {}  # callback code -> number of (non-table) arguments

    def past_read(self, m, k):
        key, code = self.read(self.delay_exprs[m], k)
        self.read_used.add(key)
        return code

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
def sweep(Y, S, U, P, D, RD, RK, dt, t0, H, GP, GC, EP, ER, EC, J, HB{extra}{tables}):
    """Non-zero step Jacobian entries along the trajectory Y (history rows first), one complex evaluation per colour
    g: its columns GC[GP[g]:GP[g+1]] (states, then delayed reads, then inputs) are perturbed together, and its
    entries EP[g]:EP[g+1] (rows ER, columns EC) read off: J[t, e] = d s(t+1)[ER[e]] / d column EC[e] (the identity
    of the Euler step included). HB: room for the helper values of one evaluation."""
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
            rhs(y, z, u, P, tt, out, HB{extra}{tables})
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

_PLANS = [  # network couplings (the forward kernel's plans) as loops over connection tables
    "for q in range(QH.shape[0]):",
    "    a = 0j",
    "    own = y[QO[q]]",
    "    for c in range(QP[q], QP[q + 1]):",
    "        x = z[QZ[c]]",
    "        if QK[q] == 0:",
    "            a += QW[c] * x",
    "        elif QK[q] == 1:",
    "            a += QW[c] * (x - own)",
    "        else:",
    "            a += QW[c] * (x * own)",
    "    HB[QH[q]] = a",
]
_KINDS = {"additive": 0, "diffusive": 1, "multiplicative": 2}


class _Reads:
    """The delayed reads of the equations: one slot per (delay, state), delays numbered in order of appearance."""

    def __init__(self):
        self.index, self.delay_exprs, self.slots = {}, [], {}

    def slot(self, delay, k):
        key = str(delay)
        if key not in self.index:
            self.index[key] = len(self.delay_exprs)
            self.delay_exprs.append(delay)
        return self.slots.setdefault((self.index[key], int(k)), len(self.slots))

    def global_read(self, delay, k):
        r = self.slot(delay, k)
        return ("z", r), f"z[{r}]"

    @property
    def reads(self):
        return sorted(self.slots, key=self.slots.get)


def _printed(printer, expr, name_deps):
    """Code of ``expr`` and what it depends on: ("y", state), read keys, ("u", input), and through the names it uses
    (helpers, network couplings) ``name_deps(name)``."""
    printer.used_y, printer.used_inputs, printer.used_names, printer.read_used = set(), set(), set(), set()
    code = printer(expr)
    deps = {("y", k) for k in printer.used_y} | set(printer.read_used) | {("u", c) for c in printer.used_inputs}
    for name in printer.used_names:
        deps |= name_deps(name)
    printer.all_names |= printer.used_names
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


@dataclass
class JacobianSource:
    """A generated Jacobian module and what its arguments mean.

    Attributes
    ----------
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
    n_helpers : int
        Length of the helper row ``HB``.
    extra : callable
        ``extra(P)``: the tables the kernel takes after ``HB`` (connection weights from the parameter vector P).
    """

    text: str
    importable: bool
    namespace: dict
    reads: list
    delay_exprs: list
    pattern: list
    n_helpers: int = 1
    extra: Callable = field(default=lambda P: [])


def generate(instance, system, callbacks):
    """The Jacobian module of ``system`` (:class:`JacobianSource`): structurally equal nodes as one loop body with
    the couplings as loops over connection tables, like the forward kernel (compile time independent of the
    number of nodes), else every equation printed."""
    codes, tables, imports, importable = _source._callback_codes(callbacks)
    namespace = {codes[name][0]: callbacks[name][0] for name in callbacks}
    made = _templated(instance, system, codes)
    if made is None:
        made = _flat(system, codes)
    lines, rows, reads, printers, n_helpers, extra_names, extra = made
    n_state, n_reads = len(system.derivatives), len(reads.slots)
    offset = {"y": 0, "z": n_state, "u": n_state + n_reads}
    pattern = sorted({(k, offset[kind] + j) for k, deps in enumerate(rows) for kind, j in deps} | {
        (k, k) for k in range(n_state)})  # fmt: skip
    params = {name: k for k, name in enumerate(system.names)}
    used = sorted(params[n] for n in printers[0].all_names if n in params)  # the first printer's names are global
    table_args = "".join(f", A{k}" for k in range(len(tables)))
    extra_args = "".join(f", {name}" for name in extra_names)
    arity = {code: n for p in printers for code, n in p.arity.items()}
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
    wrappers = [_wrapper(code, arity[code], len(codes_tables)) for code, codes_tables in _tables_by_code(codes)
                if code in arity]  # fmt: skip
    rhs = [
        "",
        "@njit(cache=CACHE, nogil=True)",
        f"def rhs(y, z, u, P, t, out, HB{extra_args}{table_args}):",
        *[f"    p{k} = P[{k}]" for k in used],
        *["    " + line for line in lines],
    ]
    text = "\n".join(head + ["\n\n".join(wrappers)] + rhs) + _SWEEP.format(extra=extra_args, tables=table_args)
    return JacobianSource(text, importable, namespace, reads.reads, reads.delay_exprs, pattern, n_helpers, extra)


def _flat(system, codes):
    """Every helper and derivative printed in turn (the dependencies of each equation recorded)."""
    params = {name: k for k, name in enumerate(system.names)}
    helpers = order_helpers(system.helpers, system.derivatives)
    names = {name: f"p{k}" for name, k in params.items()}
    names.update({name: f"h{k}" for k, (name, _) in enumerate(helpers)})
    reads = _Reads()
    printer = ComplexPrinter(names, codes, reads.global_read)
    helper_deps, lines, rows = {}, [], []
    for name, expr in helpers:
        code, deps = _printed(printer, expr, lambda n: helper_deps.get(n, set()))
        helper_deps[name] = deps
        lines.append(f"{names[name]} = {code}")
    for k, expr in enumerate(system.derivatives):
        code, deps = _printed(printer, expr, lambda n: helper_deps.get(n, set()))
        rows.append(deps)
        lines.append(f"out[{k}] = {code}")
    return lines, rows, reads, [printer], 1, [], lambda P: []


def _templated(instance, system, codes):
    """Nodes as template loops, couplings as connection loops (the layout of the forward kernel's ``_source``), or
    None when the nodes cannot be written node-relative."""
    groups, slots, _, others, forms = _source.layout(instance, system)
    if forms is None:
        return None
    params = {name: k for k, name in enumerate(system.names)}
    reads = _Reads()
    coupling, weights, helper_deps = _coupling_tables(groups, slots, reads)
    names = {name: f"p{k}" for name, k in params.items()}
    names.update({name: f"HB[{k}]" for name, k in slots.items()})
    printer = ComplexPrinter(names, codes, reads.global_read)
    lines = list(_PLANS)
    for name, expr in others:  # network-level helpers that are not couplings: printed
        code, deps = _printed(printer, expr, lambda n: helper_deps.get(n, set()))
        helper_deps[name] = deps
        lines.append(f"HB[{slots[name]}] = {code}")
    printers, rows, static, extra_names = [printer], [set() for _ in system.derivatives], [], list(_COUPLING_NAMES)
    for g, members in enumerate(_alike(forms)):
        body, local_rows, local_reads, node_printer = _node_body(g, members[0], codes)
        printers.append(node_printer)
        lines += body
        TZ = np.array([[reads.slot(f.delays[d], f.start + k) for d, k in local_reads] for f in members], dtype=np.int64)
        static += [
            np.array([f.start for f in members], dtype=np.int64),
            np.array([[params[f.params[c]] for c in sorted(f.params)] for f in members], dtype=np.int64),
            TZ,
            np.array([[slots[f.net[c]] for c in sorted(f.net)] for f in members], dtype=np.int64),
            np.array([list(f.channels) for f in members], dtype=np.int64),
        ]
        static[-4:] = [a.reshape(len(members), -1) for a in static[-4:]]
        extra_names += [f"TI{g}", f"TP{g}", f"TZ{g}", f"TH{g}", f"TC{g}"]
        for r, f in enumerate(members):  # each node's rows depend on its own columns and on its couplings
            for k, deps in enumerate(local_rows):
                for kind, j in deps:
                    rows[f.start + k] |= _columns(kind, j, f, TZ[r], helper_deps)
    weight_values = ExprVector(weights, system.names) if weights else None

    def extra(P):
        QW = weight_values(P) if weight_values is not None else np.zeros(0)
        return [coupling[0], QW, *coupling[1:], *static]

    return lines, rows, reads, printers, max(len(slots), 1), extra_names, extra


_COUPLING_NAMES = ("QP", "QW", "QZ", "QO", "QK", "QH")


def _columns(kind, j, form, slots, helper_deps):
    """The columns of a node's local dependency (``kind`` "y", "zl", "u" or "v", index ``j``); ``slots``: the read
    slots of the node's local reads."""
    if kind == "y":
        return {("y", form.start + j)}
    if kind == "zl":
        return {("z", int(slots[j]))}
    if kind == "u":
        return {("u", form.channels[j])}
    return helper_deps[form.net[sorted(form.net)[j]]]  # one of the node's couplings


def _coupling_tables(groups, slots, reads):
    """The coupling plans as connection tables: per target row q its connections ``QP[q] .. QP[q+1] - 1`` (read
    slots QZ; their weights as expressions), own state QO, kind QK and helper slot QH; and the columns each coupling
    depends on.

    Returns
    -------
    tables : list of ndarray
        ``[QP, QZ, QO, QK, QH]``.
    weights : list
        One weight expression per connection.
    deps : dict
        Helper name -> set of ("z", read slot) and, unless additive, ("y", own state).
    """
    QP, QZ, QO, QK, QH, weights, deps = [0], [], [], [], [], [], {}
    for plan in groups:
        for (sym, _), row, own in zip(plan.definitions, plan.rows, plan.own):
            own = int(own) if own is not None else 0
            found = {("y", own)} if plan.kind != "additive" else set()
            for w, source, delay in row:
                slot = reads.slot(se.sympify(delay), source)
                QZ.append(slot)
                weights.append(w)
                found.add(("z", slot))
            QP.append(len(QZ))
            QO.append(own)
            QK.append(_KINDS[plan.kind])
            QH.append(slots[str(sym)])
            deps[str(sym)] = found
    return [np.array(a, dtype=np.int64) for a in (QP, QZ, QO, QK, QH)], weights, deps


def _alike(forms):
    """The node forms grouped by equal node-relative equations (one loop body per group), in order."""
    bodies = {}
    for form in forms:
        key = (
            tuple(str(e) for e in form.derivatives),
            tuple((str(n), str(e)) for n, e in form.helpers),
            tuple(sorted(form.params)),
            tuple(sorted(form.net)),
        )
        bodies.setdefault(key, []).append(form)
    return list(bodies.values())


def _node_body(g, form, codes):
    """Loop over the nodes of template ``g`` (source lines at rhs indentation), the dependencies of each of its
    derivatives in local terms (("y", local state), ("zl", local read), ("u", local channel), ("v", coupling)),
    its local reads ``[(canonical delay key, local state)]`` and its printer."""
    params, net, helpers, names = _templates.local_names(form)
    local_reads = {}

    def read(delay, k):
        j = local_reads.setdefault((str(delay), int(k)), len(local_reads))
        return ("zl", j), f"z[TZ{g}[r, {j}]]"

    printer = ComplexPrinter(names, codes, read, current="y[b + {k}]", inputs="u[TC{g}[r, {c}]]".replace("{g}", str(g)))
    helper_deps = {}

    def name_deps(name):
        if name in helper_deps:
            return helper_deps[name]
        return {("v", net.index(name))} if name in net else set()

    body, rows = [], []
    for name, expr in helpers:
        code, deps = _printed(printer, expr, name_deps)
        helper_deps[name] = deps
        body.append(f"    {names[name]} = {code}")
    for k, expr in enumerate(form.derivatives):
        code, deps = _printed(printer, expr, name_deps)
        rows.append(deps)
        body.append(f"    out[b + {k}] = {code}")
    used = [j for j, name in enumerate(params) if name in printer.all_names]
    loads = [f"    q{j} = P[TP{g}[r, {j}]]" for j in used] + [f"    v{j} = HB[TH{g}[r, {j}]]" for j in range(len(net))]
    lines = [f"for r in range(TI{g}.shape[0]):", f"    b = TI{g}[r]", *loads, *body]
    return lines, rows, sorted(local_reads, key=local_reads.get), printer


def _tables_by_code(codes):
    return [(code, tables) for code, tables, _ in codes.values()]
