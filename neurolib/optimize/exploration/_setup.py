"""Setting up a :class:`~neurolib.optimize.exploration.BoxSearch`: checking its arguments, resolving and
validating its runs against the model, the run seeds, and the fingerprint that identifies a search (to resume
it)."""

from __future__ import annotations

import datetime
import difflib
import hashlib
import numbers
from collections.abc import Mapping

import numpy as np

from neurolib.errors import ParameterError, ParameterKeyError, ParameterTypeError
from neurolib.optimize.exploration._results import _short
from neurolib.utils.collections import unwrap_star_dotdict


class _SetupMixin:
    """The runs, seeds and fingerprint of :class:`~neurolib.optimize.exploration.BoxSearch`."""

    # ------------------------------------------------------------------ set-up
    def _initializeExploration(self):
        """Runs of the space (star names and sequence defaults resolved), validated against the model."""
        self.trajectoryName = "results" + datetime.datetime.now().strftime("-%Y-%m-%d-%HH-%MM-%SS")
        space = self.parameterSpace
        parametrization = space.get_parametrization()
        if space.star:  # glob patterns -> the concrete keys of the model
            parametrization = unwrap_star_dotdict(parametrization, self.model)
        if self.model is not None:
            self._check_names(parametrization)
        if space.kind == "sequence":  # None placeholders -> the model's values
            parametrization = self._fillin_default_parameters_for_sequential(parametrization, self.model.params)
        lengths = {len(v) for v in parametrization.values()}
        if lengths != {next(iter(lengths))}:
            raise ParameterError(f"The explored parameters have different numbers of runs: {sorted(lengths)}.")
        self.nRuns = next(iter(lengths))
        if self.nRuns == 0:
            raise ParameterError("The parameter space is empty: it defines no run.")
        self.pypetParametrization = parametrization
        if self.model is not None:
            self._check_values(parametrization)
        self.base_params = dict(self.model.params) if self.model is not None else {}
        self.initialized = True
        self.results = None
        self.dfResults = None

    def _check_names(self, parametrization):
        """Reject names the model does not have (with the model's own suggestion when it gives one)."""
        params = self.model.params
        for name in parametrization:
            if name in params:
                continue
            if self.parameterSpace.star and "*" in name:
                raise ParameterKeyError(f"The star pattern {name!r} matches no parameter of the model.")
            try:
                params[name]
            except KeyError as e:
                msg = e.args[0] if e.args else str(e)
                raise ParameterKeyError(f"Cannot explore {name!r}: {msg}") from None
            close = difflib.get_close_matches(name, [str(k) for k in params], n=1)
            hint = f" Did you mean '{close[0]}'?" if close else ""
            raise ParameterKeyError(f"Cannot explore {name!r}: the model has no such parameter.{hint}")

    def _check_values(self, parametrization):
        """Numeric parameters must get numbers; native models validate each distinct value before any run."""
        params = self.model.params
        for name, values in parametrization.items():
            default = params.get(name)
            numeric_default = (isinstance(default, numbers.Number) and not isinstance(default, bool)) or (
                isinstance(default, np.ndarray) and default.dtype.kind in "biuf"
            )
            if not numeric_default:
                continue
            for v in values:
                ok = isinstance(v, numbers.Number) and not isinstance(v, (bool, np.bool_))
                if not ok and isinstance(v, (np.ndarray, list, tuple)):
                    try:
                        ok = np.asarray(v).dtype.kind in "biuf"
                    except (ValueError, TypeError):
                        ok = False
                if not ok:
                    raise ParameterError(
                        f"Parameter '{name}' must be numeric (its default is {_short(default)}), but the parameter "
                        f"space gives it the value {v!r}."
                    )
        check = getattr(self.model, "check_params", None)  # models that are not a neurolib Model check nothing
        if check is None:
            return
        base = dict(self.model.params)
        for name, values in parametrization.items():
            seen = []
            for v in values:
                if any(_same_value(v, s) for s in seen):
                    continue
                seen.append(v)
                trial = dict(base)
                trial[name] = v
                try:
                    check(trial)
                except (ValueError, TypeError, KeyError) as e:
                    raise ParameterError(
                        f"The parameter space gives '{name}' = {_short(v)}, which is invalid: {e}"
                    ) from e
                if len(seen) >= 200:
                    break

    @staticmethod
    def _fillin_default_parameters_for_sequential(parametrization, model_params):
        """Replace the ``None`` placeholders of a sequence by the model's value of that parameter."""
        out = {}
        for name, values in parametrization.items():
            default = model_params[name]
            out[name] = [default if v is None else v for v in values]
        return out

    # ------------------------------------------------------------------ seeds and identity
    def _search_seed(self):
        if self.seed is not None:
            return self.seed
        if self.model is not None:
            s = self.model.params.get("seed")
            if isinstance(s, numbers.Integral) and not isinstance(s, bool):
                return int(s)
        return None

    @staticmethod
    def runSeed(search_seed, index):
        """Seed of run ``index``: ``SeedSequence(search_seed, spawn_key=(index,))`` as a 63-bit integer."""
        ss = np.random.SeedSequence(int(search_seed), spawn_key=(int(index),))
        return int(ss.generate_state(1, np.uint64)[0] >> np.uint64(1))

    def _fingerprint(self):
        h = hashlib.sha256()
        init_vars = set(getattr(self.model, "init_vars", None) or []) if self.model is not None else set()
        base = {k: v for k, v in self.base_params.items() if k not in init_vars and k != "seed"}
        ev = self.evalFunction
        parts = {
            "model": None if self.model is None else f"{type(self.model).__module__}.{type(self.model).__qualname__}",
            "base": base,
            "explored": self.pypetParametrization,
            "kind": self.parameterSpace.kind,
            "run": self.runKwargs,
            "saveAll": bool(self.saveAllModelOutputs),
            "eval": None if ev is None else f"{getattr(ev, '__module__', '')}.{getattr(ev, '__qualname__', repr(ev))}",
            "seed": self._search_seed(),
        }
        _digest(parts, h)
        return h.hexdigest()


def _is_count(value, minimum):
    """An integer (not a bool) of at least ``minimum``."""
    return isinstance(value, numbers.Integral) and not isinstance(value, (bool, np.bool_)) and value >= minimum


def _check_arguments(model, parameterSpace, evalFunction, ncores, seed, batch_size):
    """Validate the arguments of :class:`BoxSearch` (errors name the argument, what was expected and what came)."""
    from neurolib.utils.parameterSpace import ParameterSpace

    if model is None and evalFunction is None:
        raise ParameterError(
            "Either a model has to be specified or an evalFunction: BoxSearch got model=None and evalFunction=None; "
            "pass a model to run, or an evaluation function evalFunction(traj)."
        )
    if parameterSpace is None:
        raise ParameterError(
            "No parameters to explore: parameterSpace is None; pass e.g. "
            "parameterSpace=ParameterSpace({'mue_ext_mean': [0.5, 1.0]})."
        )
    if not isinstance(parameterSpace, ParameterSpace):
        raise ParameterTypeError(
            f"parameterSpace must be a ParameterSpace, got {type(parameterSpace).__name__}: {_short(parameterSpace)}."
        )
    if evalFunction is not None and not callable(evalFunction):
        raise ParameterTypeError(
            f"evalFunction must be a function evalFunction(traj), got {type(evalFunction).__name__}."
        )
    if model is None and parameterSpace.kind == "sequence":
        raise ParameterError(
            "Model must be defined for sequential explore: a ParameterSpace of kind 'sequence' keeps the model's "
            "value of every parameter it does not vary, but model is None."
        )
    if model is None and parameterSpace.star:
        raise ParameterError(
            "With star notation, model cannot be None: the star patterns are matched against the parameters of "
            "the model (pass model=...)."
        )
    if parameterSpace.ndims == 0:
        raise ParameterError("The parameter space is empty: give at least one parameter and its values.")
    empty = [name for name, values in parameterSpace.dict().items() if len(values) == 0]
    if empty:
        raise ParameterError(f"The parameter space is empty: no values for {empty}.")
    if ncores is not None and not _is_count(ncores, 1):
        raise ParameterError(f"ncores must be None or an integer >= 1, got {ncores!r}.")
    if seed is not None and not _is_count(seed, 0):
        raise ParameterError(f"seed must be None or a non-negative integer, got {seed!r}.")
    if not _is_count(batch_size, 1):
        raise ParameterError(f"batch_size must be a positive integer, got {batch_size!r}.")


def _same_value(a, b):
    try:
        if isinstance(a, np.ndarray) or isinstance(b, np.ndarray):
            return np.array_equal(np.asarray(a), np.asarray(b))
        return type(a) is type(b) and a == b
    except Exception:
        return False


def _digest(obj, h):
    """Feed a canonical form of ``obj`` into the hash ``h`` (order-independent for dicts)."""
    if isinstance(obj, Mapping):
        h.update(b"{")
        for key in sorted(obj, key=str):
            h.update(str(key).encode() + b":")
            _digest(obj[key], h)
        h.update(b"}")
    elif isinstance(obj, np.ndarray):
        if obj.dtype == object:
            h.update(b"O[")
            for v in obj.ravel():
                _digest(v, h)
            h.update(b"]")
        else:
            h.update(f"a{obj.dtype.str}{obj.shape}".encode())
            h.update(np.ascontiguousarray(obj).view(np.uint8).ravel().tobytes())
    elif isinstance(obj, (list, tuple)):
        h.update(b"[")
        for v in obj:
            _digest(v, h)
        h.update(b"]")
    elif isinstance(obj, (bool, np.bool_)):
        h.update(b"b1" if obj else b"b0")
    elif isinstance(obj, numbers.Integral):
        h.update(f"i{int(obj)}".encode())
    elif isinstance(obj, numbers.Real):
        h.update(f"f{float(obj)!r}".encode())
    elif isinstance(obj, (str, bytes)):
        h.update(b"s" + (obj.encode() if isinstance(obj, str) else obj))
    elif obj is None:
        h.update(b"N")
    elif callable(obj):
        h.update(f"c{getattr(obj, '__module__', '')}.{getattr(obj, '__qualname__', '')}".encode())
    else:
        h.update(f"o{type(obj).__qualname__}".encode())
    h.update(b";")


def _digest_hex(obj):
    h = hashlib.sha1()
    _digest(obj, h)
    return h.hexdigest()
