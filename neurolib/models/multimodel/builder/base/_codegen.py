"""Turn a symbolic MultiModel system (jitcdde conventions) into Python source for a numba kernel.

Why MultiModel kernels have their own time loop: the engine's loop template (``neurolib._core._loop``) integrates N
copies of one node kernel with the same state layout, coupled through one set of features. A MultiModel network is
heterogeneous (an ALN node next to a thalamic node, each with its own variables, couplings and delays, any
mass-to-mass and node-to-node delay), so its equations are compiled as one kernel for the whole state vector, with
its own loop over time steps (``_source``). The rest follows the engine's conventions: explicit Euler with delayed
values read from a history buffer (``Y[i - 1 - d]``, history first), inputs and noise from one array with one row
per step, parameters and delays (in steps) passed as arrays so that new values need no recompilation, network
couplings as loops over connection tables, structurally equal nodes as one loop body (``_templates``), and the
module written as a real file in the user cache folder so that ``@njit(cache=True)`` serves it to later processes.

Symbols understood (those jitcdde's ``y``, ``t`` and ``input`` produce): ``current_y(k)``, ``past_y(t - tau, k,
anchors(...))`` (a delayed state, ``tau`` a number or an expression of parameters), ``past_y(t - external_input,
k + input_base_n, ...)`` (input channel k), ``t``, parameter symbols, helper symbols (the ``_sync()``
definitions) and callbacks (``symengine.Function`` names given by the masses' ``_numba_callbacks()``).
"""

from __future__ import annotations

import symengine as se

from neurolib.errors import ParameterError

_INPUT_BASE = "input_base_n"
_EXTERNAL = "external_input"

_FUNCTIONS = {
    "sin": "math.sin",
    "cos": "math.cos",
    "tan": "math.tan",
    "asin": "math.asin",
    "acos": "math.acos",
    "atan": "math.atan",
    "atan2": "math.atan2",
    "sinh": "math.sinh",
    "cosh": "math.cosh",
    "tanh": "math.tanh",
    "asinh": "math.asinh",
    "acosh": "math.acosh",
    "atanh": "math.atanh",
    "log": "math.log",
    "erf": "math.erf",
    "erfc": "math.erfc",
    "floor": "math.floor",
    "ceiling": "math.ceil",
    "abs": "abs",
    "gamma": "math.gamma",
    "sign": "np.sign",
    "exp": "math.exp",
    "sqrt": "math.sqrt",
    "max": "max",
    "min": "min",
}
_RELATIONS = {
    "StrictLessThan": "<",
    "LessThan": "<=",
    "StrictGreaterThan": ">",
    "GreaterThan": ">=",
    "Equality": "==",
    "Unequality": "!=",
}


def _name(expr):
    return type(expr).__name__


def _number(expr):
    """Python source of a symengine number (always a float literal)."""
    value = float(expr)
    return repr(value) if value >= 0 else f"({value!r})"


class Printer:
    """Python source of symengine expressions, with the names the kernel uses for each kind of symbol.

    Sums and products are printed with their terms sorted by text, so that the source depends only on the
    expression (not on symengine's hash order): equal node equations print alike, and kernels are found in the
    disk cache by later processes.

    Parameters
    ----------
    names : dict
        Symbol name (parameter or helper) -> its code, e.g. ``"p3"`` or ``"H[7]"``.
    callbacks : dict
        Callback name -> ``(code name, indices of its table arguments, whether the state vector comes first)``.
    current, past, inputs : str
        Formats of a current state ``{k}``, a delayed state ``{m}`` (delay number) ``{k}``, an input ``{c}``.
    """

    functions = _FUNCTIONS  # symengine function name (lower case) -> code of the function

    def __init__(self, names, callbacks, current="y{k}", past="Y[im1 - d{m}, {k}]", inputs="u{c}"):
        self.names, self.callbacks = names, callbacks
        self.current_format, self.past_format, self.input_format = current, past, inputs
        self.used_names, self.used_y, self.used_inputs, self.delays = set(), set(), set(), {}
        self.delay_exprs = []
        self.uses_t = False

    # ------------------------------------------------------------------------------------------ leaves
    def _symbol(self, expr):
        name = expr.name
        if name in self.names:
            self.used_names.add(name)
            return self.names[name]
        if name == "t":
            self.uses_t = True
            return "t"
        raise ParameterError(
            f"The equations use the symbol {name!r}, which is neither a parameter nor a helper (sync) variable."
        )

    def delay_index(self, tau):
        """Index of the delay ``tau`` (ms, a symengine expression) among the delays of the printed expressions."""
        key = str(tau)
        if key not in self.delays:
            self.delays[key] = len(self.delay_exprs)
            self.delay_exprs.append(tau)
        return self.delays[key]

    def _past(self, expr):
        time, index = expr.args[0], expr.args[1]
        free = {s.name for s in index.free_symbols}
        if _INPUT_BASE in free:
            channel = int(index - se.Symbol(_INPUT_BASE))
            self.used_inputs.add(channel)
            return self.input_format.format(c=channel)
        k = int(index)
        tau = se.expand(se.Symbol("t") - time)
        if tau.is_Number and float(tau) == 0.0:
            self.used_y.add(k)
            return self.current_format.format(k=k)
        if _EXTERNAL in {s.name for s in tau.free_symbols} or "t" in {s.name for s in tau.free_symbols}:
            raise ParameterError(f"Unsupported delayed read {expr}: the delay must not depend on time.")
        return self.past_read(self.delay_index(tau), k)

    def past_read(self, m, k):
        """Code of the value of state ``k`` delayed by the ``m``-th delay."""
        return self.past_format.format(m=m, k=k)

    def operand(self, text):
        """Code of an operand of a comparison (a hook for printers of other number types)."""
        return text

    def _function(self, expr):
        name = str(expr.get_name())
        if name == "current_y":
            k = int(expr.args[0])
            self.used_y.add(k)
            return self.current_format.format(k=k)
        if name == "past_y":
            return self._past(expr)
        if name in self.callbacks:
            code, tables, with_state = self.callbacks[name]
            args = (["Y[im1]"] if with_state else []) + [self(a) for a in expr.args] + [f"A{k}" for k in tables]
            return f"{code}({', '.join(args)})"
        raise ParameterError(f"The equations call {name}(), which no mass provides as a numba callback.")

    # ------------------------------------------------------------------------------------------ operators
    def _mul(self, expr):
        numerator, denominator, sign = [], [], ""
        for factor in expr.args:
            if factor.is_Number and float(factor) == -1.0:
                sign = "-" if not sign else ""
                continue
            if _name(factor) == "Pow" and factor.args[1].is_Number and float(factor.args[1]) < 0:
                denominator.append(self._pow_parts(factor.args[0], -factor.args[1]))
            else:
                numerator.append(self(factor))
        top = " * ".join(sorted(numerator)) if numerator else "1.0"
        text = top if not denominator else f"{top} / ({' * '.join(sorted(denominator))})"
        return f"({sign}{text})" if sign else f"({text})"

    def _pow_parts(self, base, exponent):
        if _name(base) == "Exp1":
            return f"{self.functions['exp']}({self(exponent)})"
        b = self(base)
        if exponent.is_Number:
            value = float(exponent)
            if value == 1.0:
                return b
            if value == 0.5:
                return f"{self.functions['sqrt']}({b})"
            if value == -0.5:
                return f"(1.0 / {self.functions['sqrt']}({b}))"
            if exponent.is_Integer:
                return f"({b} ** {int(exponent)})"
        return f"({b} ** {self(exponent)})"

    def _piecewise(self, expr):
        args = list(expr.args)
        pairs = list(zip(args[0::2], args[1::2]))
        text = "np.nan"
        for value, cond in reversed(pairs):
            text = f"({self(value)} if {self(cond)} else {text})"
        return text

    def __call__(self, expr):
        kind = _name(expr)
        if expr.is_Number:
            return _number(expr)
        if kind in ("Symbol", "Dummy"):
            return self._symbol(expr)
        if kind == "Add":  # terms sorted by their text: the same source whatever symengine's internal order
            return "(" + " + ".join(sorted(self(a) for a in expr.args)) + ")"
        if kind == "Mul":
            return self._mul(expr)
        if kind == "Pow":
            base, exponent = expr.args
            if exponent.is_Number and float(exponent) < 0 and _name(base) != "Exp1":
                return f"(1.0 / {self._pow_parts(base, -exponent)})"
            return self._pow_parts(base, exponent)
        if kind == "FunctionSymbol":
            return self._function(expr)
        if kind == "Pi":
            return "math.pi"
        if kind == "Exp1":
            return "math.e"
        if kind in ("BooleanTrue", "BooleanFalse"):
            return "True" if kind == "BooleanTrue" else "False"
        if kind in _RELATIONS:
            left, right = (self.operand(self(a)) for a in expr.args[:2])
            return f"({left} {_RELATIONS[kind]} {right})"
        if kind in ("And", "Or"):
            joiner = " and " if kind == "And" else " or "
            return "(" + joiner.join(self(a) for a in expr.args) + ")"
        if kind == "Not":
            return f"(not {self(expr.args[0])})"
        if kind == "Piecewise":
            return self._piecewise(expr)
        if kind in ("Max", "Min"):
            func = self.functions[kind.lower()]
            text = self(expr.args[0])
            for arg in expr.args[1:]:
                text = f"{func}({text}, {self(arg)})"
            return text
        lower = kind.lower()
        if lower in self.functions:
            return f"{self.functions[lower]}({', '.join(self(a) for a in expr.args)})"
        raise ParameterError(f"The numba backend cannot translate {kind} in {expr}.")


def order_helpers(helpers, derivatives):
    """The helper definitions needed by ``derivatives``, each after the helpers it uses.

    Parameters
    ----------
    helpers : list of (symbol, expression)
    derivatives : list of expression
    """
    defined = {}
    for sym, expr in helpers:
        defined[str(sym)] = se.sympify(expr)
    needed, order, visiting = set(), [], set()

    def visit(name):
        if name in needed:
            return
        if name in visiting:
            raise ParameterError(f"The helper (sync) variable {name!r} is defined in terms of itself.")
        visiting.add(name)
        for s in defined[name].free_symbols:
            if s.name in defined:
                visit(s.name)
        visiting.discard(name)
        needed.add(name)
        order.append(name)

    for expr in derivatives:
        for s in se.sympify(expr).free_symbols:
            if s.name in defined:
                visit(s.name)
    return [(name, defined[name]) for name in order]
