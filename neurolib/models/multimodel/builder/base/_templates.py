"""Node templates: the equations of structurally identical nodes compiled once, as a loop over those nodes.

An 80-node network has 80 copies of the same node equations; printed one after the other they make a kernel that
numba needs minutes to compile. Here each node's equations are rewritten in node-relative form (its state indices
from 0, its parameters, delays, helpers and input channels by local names) and nodes with the same rewritten
equations share one loop body. What differs between them (state offset, which entries of the parameter vector,
delays in steps, coupling slots, input channels) comes from small integer tables built at run time.

Templates apply when every node's equations refer only to the node itself and to network helpers; otherwise the
kernel falls back to printing every equation (``templates`` returns None).
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
import symengine as se
from jitcdde import input as system_input
from jitcdde import t, y

from neurolib.models.multimodel.builder.base._codegen import Printer, order_helpers
from neurolib.models.multimodel.builder.base._symbolic import symbol_name, top_prefix

_NODE, _LOCAL, _NET = "NODE__", "LOCAL__", "NET__"
_FREE = {"t", "input_base_n", "external_input"}


class NotTemplatable(Exception):
    """A node's equations refer to something outside the node (another node's state or parameters)."""


@dataclass
class NodeForm:
    """A node's equations in node-relative form, and how its local names map to the global ones."""

    start: int  # global index of its first state variable
    channels: list  # global input channel of each local channel
    derivatives: list  # canonical expressions
    helpers: list  # canonical node-helper definitions [(local name, expression)]
    params: dict = field(default_factory=dict)  # canonical name -> global parameter symbol name
    net: dict = field(default_factory=dict)  # canonical name -> global helper name
    delays: dict = field(default_factory=dict)  # canonical delay (str) -> actual delay expression


def _nodes(instance):
    """``[(node, parameter prefix)]`` of a node or network."""
    nodes = getattr(instance, "nodes", None)
    if nodes is None:
        return [(instance, symbol_name(top_prefix(instance) + "."))]
    return [(node, symbol_name(f"{top_prefix(instance)}.{node.label}_{node.index}.")) for node in nodes]


def _canonical(expr, form, node, prefix, node_helpers, net_helpers):
    """``expr`` in node-relative form (raises NotTemplatable)."""
    expr = se.sympify(expr)
    symbols = {}
    for s in expr.free_symbols:
        name = s.name
        if name.startswith(prefix):
            symbols[s] = se.Symbol(_NODE + name[len(prefix) :])
            form.params[_NODE + name[len(prefix) :]] = name
        elif name in node_helpers:
            symbols[s] = se.Symbol(_LOCAL + node_helpers[name])
        elif name in net_helpers:
            symbols[s] = se.Symbol(_NET + net_helpers[name])
            form.net[_NET + net_helpers[name]] = name
        elif name not in _FREE:
            raise NotTemplatable(name)
    n = node.num_state_variables
    functions = {}
    for f in expr.atoms(se.FunctionSymbol):
        kind = str(f.get_name())
        if kind == "current_y":
            local = int(f.args[0]) - form.start
            if not 0 <= local < n:
                raise NotTemplatable(str(f))
            functions[f] = y(local)
        elif kind == "past_y":
            index = f.args[1]
            if "input_base_n" in {s.name for s in index.free_symbols}:
                channel = int(index - se.Symbol("input_base_n"))
                if channel not in form.channels:
                    raise NotTemplatable(str(f))
                functions[f] = system_input(form.channels.index(channel))
                continue
            local = int(index) - form.start
            if not 0 <= local < n:
                raise NotTemplatable(str(f))
            tau = se.expand(t - f.args[0])
            canon = tau.xreplace(symbols)
            form.delays[str(se.expand(t - (t - canon)))] = tau  # the key the printer will see
            functions[f] = y(local, t - canon)
    return expr.xreplace(functions).xreplace(symbols)


def node_forms(instance, system, global_helpers):
    """Node-relative forms of all nodes, or None when some node refers outside itself.

    Parameters
    ----------
    instance : Node or Network
    system : _symbolic.System
    global_helpers : set of str
        Names of helpers the kernel computes before the nodes (network couplings).
    """
    definitions = {str(sym): expr for sym, expr in system.helpers}
    forms, start = [], 0
    for node, prefix in _nodes(instance):
        n = node.num_state_variables
        channels = [c for mass in node for c in mass.noise_input_idx]
        form = NodeForm(start, channels, [], [])
        suffix = f"_{node.index}"
        node_helpers = {name: name[: -len(suffix)] for name in node.sync_symbols if name.endswith(suffix)}
        net_helpers = {name: name[: -len(suffix)] for name in global_helpers if name.endswith(suffix)}
        try:
            form.derivatives = [
                _canonical(e, form, node, prefix, node_helpers, net_helpers)
                for e in system.derivatives[start : start + n]
            ]
            for name in node_helpers:
                if name in definitions:
                    canon = _canonical(definitions[name], form, node, prefix, node_helpers, net_helpers)
                    form.helpers.append((se.Symbol(_LOCAL + node_helpers[name]), canon))
        except NotTemplatable:
            return None
        forms.append(form)
        start += n
    if start != len(system.derivatives):
        return None
    return forms


_ATOM, _CSE, _PRE = "ATOM__", "CSE__", "PRE__"


def _state_atoms(exprs):
    """The state and input reads of ``exprs`` (``current_y``/``past_y``), sorted by text."""
    found = {}
    for expr in exprs:
        for f in se.sympify(expr).atoms(se.FunctionSymbol):
            if str(f.get_name()) in ("current_y", "past_y"):
                found[str(f)] = f
    return [found[key] for key in sorted(found)]


def _is_invariant(expr, invariant):
    """Whether ``expr`` is a computation (not a bare symbol or number) of per-node constants only."""
    if expr.is_Number or expr.is_Symbol:
        return False
    free = expr.free_symbols
    return bool(free) and all(s.name in invariant for s in free) and not expr.atoms(se.FunctionSymbol)


def _hoist(expr, invariant, pre, seen):
    """``expr`` with its maximal subexpressions of per-node constants replaced by ``PRE__`` symbols (their
    definitions appended to ``pre``); in sums and products the constant terms are gathered first."""
    if _is_invariant(expr, invariant):
        key = str(expr)
        if key not in seen:
            seen[key] = se.Symbol(f"{_PRE}{len(pre)}")
            pre.append((seen[key], expr))
            invariant.add(seen[key].name)
        return seen[key]
    kind = type(expr).__name__
    if kind in ("Add", "Mul"):
        args = list(expr.args)
        const = [a for a in args if (a.is_Symbol and a.name in invariant) or _is_invariant(a, invariant)]
        rest = [_hoist(a, invariant, pre, seen) for a in args if not any(a is c for c in const)]
        if len(const) > 1 or (const and not const[0].is_Symbol):
            joined = se.Add(*const) if kind == "Add" else se.Mul(*const)
            rest.append(_hoist(joined, invariant, pre, seen) if not joined.is_Symbol else joined)
        else:
            rest += const
        return se.Add(*rest) if kind == "Add" else se.Mul(*rest)
    if kind == "Pow":
        base, exponent = expr.args
        return se.Pow(_hoist(base, invariant, pre, seen), _hoist(exponent, invariant, pre, seen))
    if kind == "FunctionSymbol" or not expr.args:
        if kind == "FunctionSymbol":
            new = [_hoist(a, invariant, pre, seen) for a in expr.args]
            if all(a is b for a, b in zip(new, expr.args)):
                return expr
            return expr.xreplace({a: b for a, b in zip(expr.args, new) if a is not b})
        return expr
    try:
        return expr.func(*[_hoist(a, invariant, pre, seen) for a in expr.args])
    except (TypeError, ValueError, RuntimeError):
        return expr


def _canonical_order(definitions, users, prefix):
    """``definitions`` ``[(symbol, expression)]`` renamed ``prefix0, prefix1, ...`` in an order that depends only on
    the expressions (``symengine.cse`` numbers them in an order that varies between equal inputs), and ``users``
    rewritten with the new names. Each step names, among the definitions whose dependencies are named, the one
    with the smallest text."""
    pending = {sym.name: (sym, e) for sym, e in definitions}
    rename, ordered = {}, []
    while pending:
        ready = []
        for name, (_sym, e) in pending.items():
            if not any(s.name in pending for s in e.free_symbols):
                ready.append((str(e.xreplace(rename)), name))
        text, name = min(ready)
        sym, e = pending.pop(name)
        new = se.Symbol(f"{prefix}{len(ordered)}")
        ordered.append((new, e.xreplace(rename)))
        rename[sym] = new
    return ordered, [e.xreplace(rename) for e in users]


def local_names(form):
    """A node form's parameters and network helpers (sorted), its helpers (in order of use) and the names of all
    three in a loop body: ``q<j>``, ``v<j>``, ``l<j>``."""
    params = sorted(form.params)
    net = sorted(form.net)
    helpers = order_helpers(form.helpers, form.derivatives)
    names = {name: f"q{j}" for j, name in enumerate(params)}
    names.update({name: f"v{j}" for j, name in enumerate(net)})
    names.update({name: f"l{j}" for j, (name, _) in enumerate(helpers)})
    return params, net, helpers, names


def _body(form, callbacks):
    """Loop body of a template (source lines), the lines computing its per-node constants before the time loop,
    and the printer that made the body.

    Reads of the state and the inputs are made opaque symbols, then common subexpressions are computed once
    (``symengine.cse``: e.g. the input sigma that every table lookup of a mass needs) and every subexpression of
    the node's parameters alone (divisions by time constants, squared weights) is computed once per run.
    """
    params, net, helpers, names = local_names(form)
    printer = Printer(names, callbacks, current="y{k}", past="Y[im1 - e{m}, b + {k}]", inputs="u{c}")
    inlined = {}
    for name, e in helpers:  # ordered: a definition uses only helpers defined before it
        inlined[se.Symbol(name)] = se.sympify(e).xreplace(inlined)
    exprs = [se.sympify(e).xreplace(inlined) for e in form.derivatives]
    atoms = {}
    for j, f in enumerate(_state_atoms(exprs)):
        atoms[f] = se.Symbol(f"{_ATOM}{j}")
        names[atoms[f].name] = printer(f)
    exprs = [e.xreplace(atoms) for e in exprs]
    if any("Piecewise" in str(e) for e in exprs):
        # a branch may guard a computation (x / q only where q != 0): nothing is moved out of it
        body = [f"{names[name]} = {printer(e)}" for name, e in helpers]
        for k, expr in enumerate(form.derivatives):
            printer.used_y.add(k)
            body.append(f"Y[i, b + {k}] = y{k} + dt * {printer(expr)}")
        printer.pre = ([], [], 0)
        return body, printer, params, net
    replacements, reduced = se.cse(exprs)
    replacements, reduced = _canonical_order(replacements, reduced, _CSE)
    invariant = set(params)
    pre, seen, common = [], {}, []  # the PRE__ names are renumbered below
    for sym, e in replacements:
        if _is_invariant(e, invariant):
            pre.append((sym, e))
            invariant.add(sym.name)
        else:
            common.append((sym, _hoist(e, invariant, pre, seen)))
    reduced = [_hoist(e, invariant, pre, seen) for e in reduced]
    pre, tail = _canonical_order(pre, [e for _, e in common] + reduced, "PREC__")
    common = [(sym, e) for (sym, _), e in zip(common, tail[: len(common)])]
    reduced = tail[len(common) :]
    names.update({sym.name: f"c{j}" for j, (sym, _) in enumerate(common)})
    names.update({sym.name: f"w{j}" for j, (sym, _) in enumerate(pre)})
    pre_printer = Printer(names, callbacks)
    pre_lines = [f"w{j} = {pre_printer(e)}" for j, (_, e) in enumerate(pre)]
    pre_params = sorted(int(names[n][1:]) for n in pre_printer.used_names if names[n].startswith("q"))
    body = [f"c{j} = {printer(e)}" for j, (_, e) in enumerate(common)]
    # every derivative before the first store: the compiler may then share the loads and the arithmetic of
    # calls with equal arguments (the table lookups of one mass), which a store to Y in between would prevent
    body += [f"dy{k} = {printer(expr)}" for k, expr in enumerate(reduced)]
    for k in range(len(reduced)):
        printer.used_y.add(k)
        body.append(f"Y[i, b + {k}] = y{k} + dt * dy{k}")
    printer.pre = (pre_lines, pre_params, len(pre))
    return body, printer, params, net


@dataclass
class Template:
    """Nodes sharing one loop body, with their tables."""

    lines: list
    params: list  # canonical parameter names, in column order of TP
    net: list  # canonical network helpers, in column order of TH
    delays: list  # canonical delays (str), in column order of TD
    channels: int  # local input channels used
    used_y: list
    used_inputs: list
    used_params: list
    used_net: list
    uses_t: bool
    pre_lines: list = field(default_factory=list)  # per-node constants w0, w1, ... (before the time loop)
    pre_params: list = field(default_factory=list)
    n_pre: int = 0
    forms: list = field(default_factory=list)


def templates(forms, callbacks):
    """Group node forms by their loop body; returns the list of :class:`Template`."""
    found, bodies = {}, {}
    for form in forms:
        same = (  # nodes with equal node-relative equations get equal bodies: made once (cse is slow)
            tuple(str(e) for e in form.derivatives),
            tuple((str(name), str(e)) for name, e in form.helpers),
            tuple(sorted(form.params)),
            tuple(sorted(form.net)),
        )
        if same not in bodies:
            bodies[same] = _body(form, callbacks)
        lines, printer, params, net = bodies[same]
        key = "\n".join(lines + printer.pre[0]) + "|" + ",".join(params) + "|" + ",".join(net)
        if key not in found:
            found[key] = Template(
                lines,
                params,
                net,
                [str(d) for d in printer.delay_exprs],
                len(form.channels),
                sorted(printer.used_y),
                sorted(printer.used_inputs),
                sorted(int(printer.names[n][1:]) for n in printer.used_names if printer.names[n].startswith("q")),
                sorted(int(printer.names[n][1:]) for n in printer.used_names if printer.names[n].startswith("v")),
                printer.uses_t,
                *printer.pre,
            )
        found[key].forms.append(form)
    return list(found.values())


def loop_lines(g, template):
    """Source lines (at loop-body indentation 8) of template ``g``: load the node's values, run the body."""
    lines = [f"for r in range(TI{g}.shape[0]):", f"    b = TI{g}[r]"]
    lines += [f"    q{j} = P[TP{g}[r, {j}]]" for j in template.used_params]
    lines += [f"    e{m} = TD{g}[r, {m}]" for m in range(len(template.delays))]
    lines += [f"    w{j} = W{g}[r, {j}]" for j in range(template.n_pre)]
    lines += [f"    v{j} = H[TH{g}[r, {j}]]" for j in template.used_net]
    lines += [f"    u{c} = U[k, TC{g}[r, {c}]]" for c in template.used_inputs]
    lines += [f"    y{k} = Y[im1, b + {k}]" for k in template.used_y]
    lines += ["    " + line for line in template.lines]
    return lines


def pre_loop_lines(g, template):
    """Source lines (indentation 4, before the time loop) computing template ``g``'s per-node constants ``W{g}``."""
    lines = [f"W{g} = np.empty((TI{g}.shape[0], {max(template.n_pre, 1)}))"]
    if not template.n_pre:
        return lines
    lines += [f"for r in range(TI{g}.shape[0]):"]
    lines += [f"    q{j} = P[TP{g}[r, {j}]]" for j in template.pre_params]
    lines += ["    " + line for line in template.pre_lines]
    lines += [f"    W{g}[r, {j}] = w{j}" for j in range(template.n_pre)]
    return lines


def static_tables(template, param_index, helper_slot):
    """``(TI, TP, TH, TC)`` of a template: state offsets, parameter indices, helper slots, input channels."""
    forms = template.forms
    TI = np.array([f.start for f in forms], dtype=np.int64)
    TP = np.array([[param_index[f.params[p]] for p in template.params] for f in forms], dtype=np.int64)
    TH = np.array([[helper_slot[f.net[h]] for h in template.net] for f in forms], dtype=np.int64)
    TC = np.array([f.channels for f in forms], dtype=np.int64)
    return TI, TP.reshape(len(forms), -1), TH.reshape(len(forms), -1), TC.reshape(len(forms), -1)


def delay_exprs(template):
    """Every node's actual delays, row by row (node) in the column order of TD."""
    return [f.delays[d] for f in template.forms for d in template.delays]
