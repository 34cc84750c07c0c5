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


def _body(form, callbacks):
    """Loop body of a template (source lines) and the printer that made it."""
    params = sorted(form.params)
    net = sorted(form.net)
    helpers = order_helpers(form.helpers, form.derivatives)
    names = {name: f"q{j}" for j, name in enumerate(params)}
    names.update({name: f"v{j}" for j, name in enumerate(net)})
    names.update({name: f"l{j}" for j, (name, _) in enumerate(helpers)})
    printer = Printer(names, callbacks, current="y{k}", past="Y[im1 - e{m}, b + {k}]", inputs="u{c}")
    helper_lines = [f"{names[name]} = {printer(expr)}" for name, expr in helpers]
    updates = []
    for k, expr in enumerate(form.derivatives):
        printer.used_y.add(k)
        updates.append(f"Y[i, b + {k}] = y{k} + dt * {printer(expr)}")
    lines = helper_lines + updates
    return lines, printer, params, net


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
    forms: list = field(default_factory=list)


def templates(forms, callbacks):
    """Group node forms by their loop body; returns the list of :class:`Template`."""
    found = {}
    for form in forms:
        lines, printer, params, net = _body(form, callbacks)
        key = "\n".join(lines) + "|" + ",".join(params) + "|" + ",".join(net)
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
            )
        found[key].forms.append(form)
    return list(found.values())


def loop_lines(g, template):
    """Source lines (at loop-body indentation 8) of template ``g``: load the node's values, run the body."""
    lines = [f"for r in range(TI{g}.shape[0]):", f"    b = TI{g}[r]"]
    lines += [f"    q{j} = P[TP{g}[r, {j}]]" for j in template.used_params]
    lines += [f"    e{m} = TD{g}[r, {m}]" for m in range(len(template.delays))]
    lines += [f"    v{j} = H[TH{g}[r, {j}]]" for j in template.used_net]
    lines += [f"    u{c} = U[k, TC{g}[r, {c}]]" for c in template.used_inputs]
    lines += [f"    y{k} = Y[im1, b + {k}]" for k in template.used_y]
    lines += ["    " + line for line in template.lines]
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
