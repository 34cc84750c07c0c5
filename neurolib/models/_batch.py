"""Batches of runs of one model: ``Model.run_batch`` (argument checks, the per-member failure record, the
one-after-the-other fallback) and the engine-driven batch of native models.

A member of a batch is one parameter set: the model's parameters with the member's overrides. What a batch
returns for a member is exactly what ``run()`` with those parameters would leave in ``model.outputs`` (same
shapes, ``sampling_dt`` and ``t``, the ``BOLD`` group with ``bold=True``), or what an evaluation function made
of it. Native models integrate the members that share a network, ``dt``, duration and ``sampling_dt`` in one
engine call, in time segments when their full histories would exceed ``max_bytes``: only the outputs asked
for are kept (subsampled as ``run()`` keeps them) and BOLD is fed block by block while integrating.
"""

from __future__ import annotations

import copy
import traceback
import warnings
from collections.abc import Mapping
from dataclasses import dataclass, field

import numpy as np

from neurolib.errors import ParameterError, ParameterTypeError
from neurolib.models.bold import BOLDModel
from neurolib.utils.collections import dotdict

DEFAULT_BATCH_BYTES = 512e6  # largest integration buffer of one engine call of a batch (bytes)
WORK_BYTES = 8e6  # integration buffer of one segment (small: the allocator reuses its pages, no fresh faults)
_MIN_SEGMENT = 2000  # fewest steps per segment before a batch is split into smaller batches instead


@dataclass
class RunFailure:
    """The slot of a batch member whose run (or evaluation) raised; the other members are unaffected.

    Attributes
    ----------
    error : Exception
        The exception that was raised.
    traceback : str
        Its formatted traceback.
    params : dict
        The member's parameter overrides, as given to ``run_batch``.
    """

    error: BaseException
    traceback: str
    params: dict = field(default_factory=dict)

    @property
    def message(self):
        """``"ExceptionType: message"``."""
        return f"{type(self.error).__name__}: {self.error}"

    @classmethod
    def of(cls, error, params):
        """The failure record of ``error`` raised for the member ``params`` (call inside ``except``)."""
        return cls(error, traceback.format_exc(), dict(params) if isinstance(params, Mapping) else {})

    def __repr__(self):
        return f"RunFailure({self.message!r})"


def check_args(model, param_sets, bold, outputs, evaluate, threads, max_bytes, contiguous=False):
    """Validate the arguments of ``run_batch``; returns ``(list of overrides, names of the outputs to keep)``."""
    if isinstance(param_sets, Mapping) or not hasattr(param_sets, "__iter__"):
        raise ParameterTypeError(
            f"run_batch: 'param_sets' must be a list of parameter dicts, got {type(param_sets).__name__}."
        )
    sets = list(param_sets)
    for k, s in enumerate(sets):
        if not isinstance(s, Mapping):
            raise ParameterTypeError(
                f"run_batch: 'param_sets[{k}]' must be a dict of parameter values, got {type(s).__name__}."
            )
    if not isinstance(bold, (bool, np.bool_)):
        raise ParameterTypeError(f"run_batch: 'bold' must be True or False, got {bold!r}.")
    if not isinstance(contiguous, (bool, np.bool_)):
        raise ParameterTypeError(f"run_batch: 'contiguous' must be True or False, got {contiguous!r}.")
    if evaluate is not None and not callable(evaluate):
        raise ParameterTypeError(
            f"run_batch: 'evaluate' must be a function evaluate(outputs, params) or None, got "
            f"{type(evaluate).__name__}."
        )
    if isinstance(threads, (bool, np.bool_)) or not isinstance(threads, (int, np.integer)) or threads < 1:
        raise ParameterError(f"run_batch: 'threads' must be a positive integer, got {threads!r}.")
    if (
        isinstance(max_bytes, (bool, np.bool_))
        or not isinstance(max_bytes, (int, float, np.number))
        or not (max_bytes > 0)
    ):
        raise ParameterError(f"run_batch: 'max_bytes' must be a positive number of bytes, got {max_bytes!r}.")
    have = list(model.output_vars)
    if outputs is None:
        names = have
    else:
        if isinstance(outputs, str) or not hasattr(outputs, "__iter__"):
            raise ParameterTypeError(
                f"run_batch: 'outputs' must be a list of output names (some of {have}) or None, got {outputs!r}."
            )
        names = list(outputs)
        bad = [n for n in names if n not in have]
        if bad:
            raise ParameterError(f"run_batch: 'outputs' names {bad}, which are not outputs of the model ({have}).")
    return sets, [n for n in model.state_vars if n in names]


def member_params(model, override):
    """The parameters of a member: a copy of ``model.params`` (same class, same checks) updated by ``override``."""
    params = copy.copy(model.params)
    params.update(override)
    return params


def select(outputs, names, bold, contiguous=False):
    """The outputs ``run()`` left, reduced to ``t``, ``names`` and (with ``bold``) the BOLD group; with
    ``contiguous`` the (node, time) outputs as C-contiguous arrays."""
    out = dotdict()
    for key, value in outputs.items():
        if key == "t" or key in names or (bold and key == "BOLD"):
            contig = contiguous and key in names and isinstance(value, np.ndarray)
            out[key] = np.ascontiguousarray(value) if contig else value
    return out


# ---------------------------------------------------------------------------------------------- sequential
def run_sequential(model, sets, names, bold, evaluate, contiguous=False):
    """Every member through ``model.run()``, one after the other; the model is left as it was."""
    saved_params = dict(model.params)
    saved_attrs = dict(model.__dict__)
    results = []
    try:
        for override in sets:
            try:
                params = member_params(model, override)
                _assign(model.params, params)
                with warnings.catch_warnings():
                    warnings.filterwarnings("ignore", message=".*the run diverged", category=RuntimeWarning)
                    model.run(bold=bold)
                out = select(model.outputs, names, bold, contiguous)
                results.append(evaluate(out, params) if evaluate is not None else out)
            except Exception as e:
                results.append(RunFailure.of(e, override))
    finally:
        _assign(model.params, saved_params)
        for key in [k for k in model.__dict__ if k not in saved_attrs]:
            del model.__dict__[key]
        model.__dict__.update(saved_attrs)
    return results


def _assign(target, values):
    """Make the dict ``target`` (kept as the same object) hold exactly ``values``."""
    for key in [k for k in target if k not in values]:
        del target[key]
    target.update(values)


# ---------------------------------------------------------------------------------------------- native


def _structure_same(a, b):
    """Whether two setups share what the members of one engine call must share (network, dt, delays, tables)."""
    from neurolib._core.integrate import STRUCTURE, same

    return a is b or all(same(getattr(a, n), getattr(b, n)) for n in STRUCTURE)


def run_native(model, sets, names, bold, evaluate, threads, max_bytes, contiguous=False):
    """``run_batch`` of a native model: members grouped by structure and integrated by the engine together."""
    from neurolib._core.params import validate_run

    engine = model._engine
    results = [None] * len(sets)
    members = []  # (slot, params, setup)
    for i, override in enumerate(sets):
        try:
            params = member_params(model, override)
            validate_run(params)
            like = (members[0][1], members[0][2]) if members else None
            setup = engine.setup(params, like=like)
            if bold and params.get("N") is None:
                raise ParameterError("BOLD needs the number of nodes: parameter 'N' is missing.")
            members.append((i, params, setup))
        except Exception as e:
            results[i] = RunFailure.of(e, override)
    groups = []  # same duration and sampling_dt, same structure
    for m in members:
        key = (m[1]["duration"], m[1].get("sampling_dt"))
        for g in groups:
            if g[0] == key and _structure_same(g[1][0][2], m[2]):
                g[1].append(m)
                break
        else:
            groups.append((key, [m]))
    for _, group in groups:
        su = group[0][2]
        column = 8.0 * len(model.spec.buffered) * su.N  # bytes of one time column of one member
        steps = _steps(group[0][1], su.dt)
        fit = max(1, int(max_bytes // (column * (su.S + min(steps, _MIN_SEGMENT)))))
        for start in range(0, len(group), fit):
            batch = group[start : start + fit]
            _run_group(model, batch, sets, names, bold, evaluate, threads, max_bytes, contiguous, results)
    return results


def _steps(params, dt):
    from neurolib._core.integrate import n_steps

    return n_steps(params["duration"], dt)


def _run_group(model, group, sets, names, bold, evaluate, threads, max_bytes, contiguous, results):
    """Integrate the members of ``group`` together (in segments within ``max_bytes``) and fill their slots."""
    try:
        plist, setups = [m[1] for m in group], [m[2] for m in group]
        outs = _integrate(model, plist, setups, names, bold, threads, max_bytes, contiguous)
    except Exception as e:
        if len(group) > 1:  # e.g. one member raised in BOLD: the others do not fail with it
            for m in group:
                _run_group(model, [m], sets, names, bold, evaluate, threads, max_bytes, contiguous, results)
            return
        results[group[0][0]] = RunFailure.of(e, sets[group[0][0]])
        return
    for b, (slot, params, _) in enumerate(group):
        out, outs[b] = outs[b], None  # released after its evaluation
        if evaluate is None:
            results[slot] = out
            continue
        try:
            results[slot] = evaluate(out, params)
        except Exception as e:
            results[slot] = RunFailure.of(e, sets[slot])
        del out


class _BoldFeed:
    """One member's BOLD model, fed block by block exactly as ``Model._bold`` feeds a single run's."""

    def __init__(self, model, N, dt):
        self.transform = model.boldInputTransform
        self.model = BOLDModel(N, dt)
        self.pieces = []

    def __call__(self, Z):
        if self.transform is not None:
            Z = self.transform(Z)
        t_bold, bold = self.model.run(Z)
        self.pieces.append((t_bold.copy(), bold.copy()))

    def group(self):
        return dotdict(
            t_BOLD=np.concatenate([p[0] for p in self.pieces]), BOLD=np.concatenate([p[1] for p in self.pieces], axis=1)
        )


def _integrate(model, plist, setups, names, bold, threads, max_bytes, contiguous):
    """Outputs of each member, as ``run()`` stores them (``contiguous``: each a C-contiguous (node, time) array)."""
    from neurolib._core import noise

    spec, engine = model.spec, model._engine
    su = setups[0]
    B, N, S, dt = len(plist), su.N, su.S, su.dt
    T = _steps(plist[0], dt)
    sdt = plist[0].get("sampling_dt")
    every = 1 if sdt is None else int(round(sdt / dt))
    V = len(spec.buffered)
    # steps per segment: within max_bytes, and a working buffer small enough to be reused from segment to segment
    L = int(max(1, min(T, max_bytes // (8.0 * V * N * B) - S, max(_MIN_SEGMENT, WORK_BYTES // (8.0 * V * N * B)))))
    kept = [n for n in names if n in spec.buffered]
    n_kept = len(range(0, T, every))
    # kept outputs laid out in memory as run() leaves them (a view of the (time, node) buffer; with sampling_dt a
    # strided one), so that even numpy reductions over them (their summation order) give the same bits
    pad = 1 if (every > 1 and N > 1 and not contiguous) else 0
    shape = (N, n_kept) if contiguous else (n_kept, N + pad)
    buffers = [{n: np.empty(shape) for n in kept} for _ in range(B)]
    gens = [noise.generator(p.get("seed")) for p in plist]
    on_block = None
    if bold:
        feeds = [_BoldFeed(model, int(p["N"]), p["dt"]) for p in plist]
        vb = spec.buffered.index(model.default_output)

        def on_block(X, i0, i1, lo, hi):
            for b in range(lo, hi):
                feeds[b](X[b, vb, i0:i1].T)

    states, g = None, 0
    while g < T:
        steps = min(L, T - g)
        X, Y, Q, _ = engine.run_batch(
            plist, steps, T=T, g0=g, gens=gens, setups=setups, states=states, threads=threads, on_block=on_block
        )
        first = (-g) % every  # the global steps kept by sampling_dt are its multiples
        j0 = (g + first) // every
        for name in kept:
            v = spec.buffered.index(name)
            for b in range(B):
                src = X[b, v, S + first :: every]
                if contiguous:  # a transposed copy of a small segment (still in cache)
                    buffers[b][name][:, j0 : j0 + src.shape[0]] = src.T
                else:
                    buffers[b][name][j0 : j0 + src.shape[0], :N] = src
        g += steps
        if g < T:
            states = [(X[b, :, steps:].copy(), Y[b].copy(), Q[b].copy()) for b in range(B)]
        del X
    t = (np.arange(1, T + 1) * dt)[::every]  # one array for all members
    outs = []
    for b in range(B):
        out = dotdict()
        if bold:
            out["BOLD"] = feeds[b].group()
        out["t"] = t
        for name in names:
            if name in spec.buffered:
                out[name] = buffers[b][name] if contiguous else buffers[b][name][:, :N].T
            elif name in spec.unbuffered:
                out[name] = Y[b, :, spec.unbuffered.index(name)].copy()
            else:
                out[name] = Q[b, :, spec.ou.index(name)].copy()
        buffers[b] = None
        outs.append(out)
    return outs
