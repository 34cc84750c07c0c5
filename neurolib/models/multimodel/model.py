"""``MultiModel``: any MultiModel node or network with the ``Model`` API (params, run, outputs, BOLD, xr)."""

from __future__ import annotations

import copy
import difflib
import logging

import numpy as np

from neurolib.errors import ParameterError, ParameterKeyError, ParameterTypeError
from neurolib.models import _batch
from neurolib.models.bold import BOLDModel
from neurolib.models.model import Model
from neurolib.models.multimodel import _runs
from neurolib.models.multimodel.builder.base.backend import BACKENDS, per_node, variable_layout
from neurolib.models.multimodel.builder.base.network import Network, Node
from neurolib.utils.collections import flat_dict_to_nested, flatten_nested_dict, star_dotdict

logger = logging.getLogger(__name__)

DEFAULT_RUN_PARAMS = {"duration": 2000.0, "dt": 0.1, "seed": None, "backend": "numba"}


def _equal(a, b):
    """Whether two parameter values are the same (arrays element-wise, NaN equal to NaN)."""
    if a is b:
        return True
    if isinstance(a, np.ndarray) or isinstance(b, np.ndarray):
        try:
            return np.array_equal(np.asarray(a), np.asarray(b), equal_nan=True)
        except TypeError:
            return np.array_equal(np.asarray(a), np.asarray(b))
    try:
        return bool(a == b) or (a != a and b != b)
    except (TypeError, ValueError):
        return False


def _unknown_keys_message(unknown, known):
    """Error text for parameter keys the model does not have, with the closest existing keys."""
    parts = []
    for key in unknown:
        close = difflib.get_close_matches(key, list(known), n=1, cutoff=0.6)
        parts.append(f"{key!r}" + (f" (did you mean {close[0]!r}?)" if close else ""))
    return (
        f"Unknown MultiModel parameter {', '.join(parts)}: no mass, node or network has it. Remove it with "
        f"del model.params[key]; star patterns (model.params['*tau'] = ...) set existing keys only."
    )


class MultiModel(Model):
    """A MultiModel node or network as a neurolib ``Model``.

    Parameters are flat dotted keys (``"WCnode_0.WCmassEXC_0.tau"``, ``"FHNnet.connectivity"``) with glob access
    (``model.params["*EXC*input*mu"] = 0.5``, ``model.params["*tau|input"]``), plus ``duration``, ``dt`` and
    ``sampling_dt`` (ms), ``seed`` (of the input processes without a seed of their own) and ``backend``
    (``"numba"``, default, or ``"jitcdde"``). Outputs are stored per node, ``(nodes, time)``; ``t`` is in
    **seconds**, as in the established package. A variable a node does not have is NaN there.

    Parameters
    ----------
    model_instance : Node or Network
        An initialised node (use :meth:`init_node`) or network.

    Examples
    --------
    >>> from neurolib.models.multimodel import MultiModel, WilsonCowanNode
    >>> model = MultiModel.init_node(WilsonCowanNode())
    >>> model.params["*EXC*ext_drive"] = 1.5
    >>> model.params["duration"] = 500.0
    >>> model.run()
    >>> model.q_mean_EXC.shape
    (1, 5000)
    """

    batchable = True

    @classmethod
    def init_node(cls, node):
        """Wrap a single node: set its index and state offset to 0, initialise it, return the model.

        Parameters
        ----------
        node : Node
            The node (not yet part of a network).
        """
        if not isinstance(node, Node):
            raise ParameterTypeError(f"MultiModel.init_node needs a Node, got {type(node).__name__}.")
        node.index = 0
        node.idx_state_var = 0
        node.init_node()
        return cls(node)

    def __init__(self, model_instance):
        if not isinstance(model_instance, (Node, Network)):
            raise ParameterTypeError(
                f"MultiModel needs a Node or a Network, got {type(model_instance).__name__}; wrap a single node with "
                f"MultiModel.init_node(node)."
            )
        if not model_instance.initialised:
            raise ParameterError(f"{model_instance.name}: initialise it first (MultiModel.init_node for a node).")
        self.model_instance = model_instance
        self.name = model_instance.label
        self.description = model_instance.name
        self.default_output = model_instance.default_output
        self.output_vars = list(model_instance.output_vars) or [self.default_output]
        self.init_vars = None
        self._names, where = variable_layout(model_instance)
        self._has = {name: sorted({node for node, _ in where[name]}) for name in self._names}
        self.state_vars = list(self._names)  # flat while the base class checks it; per node below
        params = star_dotdict(self._instance_params())
        for key, value in DEFAULT_RUN_PARAMS.items():
            params[key] = value
        params["name"] = model_instance.label
        params["description"] = model_instance.name
        if isinstance(model_instance, Network):
            params["N"] = model_instance.num_nodes
            params["Cmat"] = np.asarray(model_instance.connectivity, dtype=float)
        else:
            params["N"] = 1
            params["Cmat"] = np.zeros((1, 1))
        params["sampling_dt"] = params["dt"]
        self._run_noise = None
        self._inputs = None
        self._runs = 0
        self._carried_history = None
        self._last_history = None
        super().__init__(integration=self._integration_unsupported, params=params)
        self.state_vars = model_instance.state_variable_names

    # ------------------------------------------------------------------------------------------ parameters
    def _instance_params(self):
        """The instance's parameters, flat (numeric arrays as float)."""
        flat = flatten_nested_dict(self.model_instance.get_nested_params())
        out = {}
        for key, value in flat.items():
            if isinstance(value, np.ndarray) and np.issubdtype(value.dtype, np.number):
                value = value.astype(float)
            out[key] = copy.copy(value) if isinstance(value, (list, dict)) else value
        return out

    def _is_instance_key(self, key):
        return isinstance(key, str) and self.model_instance.label in key and "*" not in key

    def _push_params(self):
        """Give the instance the parameter values changed in ``params``, then read all of them back."""
        current = flatten_nested_dict(self.model_instance.get_nested_params())
        changed = {
            k: v for k, v in self.params.items() if self._is_instance_key(k) and not _equal(v, current.get(k, object()))
        }
        unknown = [k for k in changed if k not in current]
        if unknown:
            raise ParameterKeyError(_unknown_keys_message(unknown, current))
        if changed:
            self.model_instance.update_params(flat_dict_to_nested(changed))
        self._pull_params()

    def _pull_params(self):
        fresh = self._instance_params()
        for key in [k for k in self.params if self._is_instance_key(k) and k not in fresh]:
            dict.__delitem__(self.params, key)
        for key, value in fresh.items():
            dict.__setitem__(self.params, key, value)
        if isinstance(self.model_instance, Network):
            dict.__setitem__(self.params, "Cmat", np.asarray(self.model_instance.connectivity, dtype=float))

    # ------------------------------------------------------------------------------------------ properties
    @property
    def num_noise_variables(self):
        """Number of input channels of the whole model."""
        return self.model_instance.num_noise_variables

    @property
    def num_state_variables(self):
        """Number of state variables of the whole model."""
        return self.model_instance.num_state_variables

    @property
    def noise_input(self):
        """The input processes of all channels (list of :class:`~neurolib.utils.stimulus.Input`)."""
        return self.model_instance.noise_input

    @noise_input.setter
    def noise_input(self, new_inputs):
        new_inputs = list(new_inputs)
        seen, own = set(), []
        for process in new_inputs:  # one object per channel, so that channels stay independent
            own.append(copy.deepcopy(process) if id(process) in seen else process)
            seen.add(id(process))
        self._push_params()
        self.model_instance.noise_input = own
        self._pull_params()

    def getMaxDelay(self):
        """Largest delay in steps of ``dt``: ``round(max_delay / dt)``."""
        return int(round(self.model_instance.max_delay / self.params["dt"]))

    # ------------------------------------------------------------------------------------------ running
    def _integration_unsupported(self, params):
        raise ParameterError("MultiModel integrates through run(); it has no stand-alone integration function.")

    def _backend_name(self):
        name = self.params.get("backend", "numba")
        if name not in BACKENDS:
            raise ParameterError(f"Unknown backend {name!r}; use one of {BACKENDS}.")
        return name

    def run(
        self,
        chunkwise=False,
        chunksize=None,
        bold=False,
        append_outputs=False,
        continue_run=False,
        noise_input=None,
        progress=False,
    ):
        """Simulate ``params['duration']`` ms (see :meth:`neurolib.models.model.Model.run`).

        Parameters
        ----------
        chunkwise, chunksize, bold, append_outputs, continue_run, progress
            As for every model; chunkwise runs need the numba backend.
        noise_input : ndarray, optional
            Inputs of all channels for this run, ``(num_noise_variables, duration / dt)``: column k drives step k
            (numba backend). Default: generated from the input processes (``noise_input``).
        """
        self._push_params()
        self._backend_name()
        if noise_input is not None and not isinstance(noise_input, np.ndarray):
            raise ParameterTypeError(f"'noise_input' must be a numpy array, got {type(noise_input).__name__}.")
        self._run_noise = noise_input
        try:
            super().run(
                chunkwise=chunkwise,
                chunksize=chunksize,
                bold=bold,
                append_outputs=append_outputs,
                continue_run=continue_run,
                progress=progress,
            )
        finally:
            self._run_noise = None

    def checkChunkwise(self, chunksize, append_outputs=False):
        """Chunkwise runs continue the exact delay history between chunks; they need the numba backend."""
        if self._backend_name() != "numba":
            raise ParameterError("Chunkwise MultiModel runs need params['backend'] = 'numba'.")
        sdt = self.params.get("sampling_dt")
        span = chunksize * self.params["dt"]
        if sdt is not None and not append_outputs and span < sdt - 1e-9 * sdt:
            raise ParameterError(
                f"'chunksize' ({chunksize} steps = {span:g} ms) must span at least 'sampling_dt' ({sdt:g} ms) "
                f"when each chunk replaces the outputs of the previous one; use a larger chunksize or "
                f"append_outputs=True."
            )

    def initializeBold(self):
        """A fresh BOLD model fed with the default output at the backend's sampling interval."""
        dt = self.params["dt"]
        if self._backend_name() == "jitcdde":
            dt = self.params.get("sampling_dt") or dt
        self.boldModel = BOLDModel(self.params["N"], dt)
        self.boldInitialized = True

    def clearModelState(self):
        super().clearModelState()
        self._runs = 0
        self._carried_history = None

    def _carry_state(self):
        """Start the next segment from the last stored history of every variable (the instance's
        ``initial_state`` is left as it is)."""
        history = getattr(self, "_last_history", None)
        if history is not None and self.state:
            self._carried_history = history

    def setInitialValuesToLastState(self):
        """Make the last state (the delay history of every variable) the initial state of the next run."""
        self._carry_state()

    def _segment(self, steps, T, g_in_run, append, bold):
        g0 = self._steps_done
        names = list(dict.fromkeys(list(self.output_vars) + ([self.default_output] if bold else [])))
        _, where = variable_layout(self.model_instance)
        if self._backend_name() == "numba":
            rows = [k for name in names for _, k in where[name]]  # by name, then node: each name's rows together
            t_ms, X, last = _runs.numba_segment(self, steps, T, g_in_run, rows)
            every = self.sample_every
        else:
            t_ms, X, last = _runs.jitcdde_segment(self, steps)
            rows = list(range(X.shape[0]))
            every = 1
        self._steps_done += steps
        self._last_history = last.copy()
        position = {k: j for j, k in enumerate(rows)}
        n_nodes = len(self.model_instance.state_variable_names)
        series = {}
        for name in names:
            found = where[name]
            first = position[found[0][1]]
            if [node for node, _ in found] == list(range(n_nodes)) and all(
                position[k] == first + node for node, k in found
            ):
                series[name] = X[first : first + n_nodes]  # every node has it: a view, no copy
                continue
            arr = np.full((n_nodes, X.shape[1]), np.nan)
            for node, k in found:
                arr[node] = X[position[k]]
            series[name] = arr
        keep = slice((-g0) % every, None, every)
        t_kept = t_ms[keep]
        self._store("t", np.round(t_kept / 1000.0, 5), append)
        for name in self.output_vars:
            data = series[name][:, keep]
            has = self._has[name]
            if len(has) < data.shape[0]:
                data_has = data[has]  # nodes without the variable hold NaN
            else:
                data_has = data
            self._note_nonfinite(name, data_has, t_kept)
            self._store(name, data, append)
        self.state = type(self.state)()
        self.state["t"] = np.round(t_ms / 1000.0, 5)
        for name, arr in per_node(self.model_instance, last).items():
            self.state[name] = arr
        if bold and self.boldInitialized:
            self.simulateBold(series[self.default_output], from_history=False)

    def simulateBold(self, bold_variable, append=True, from_history=True):
        """Feed the default output (nodes x samples) into the BOLD model (``from_history``: drop the history)."""
        if not self.boldInitialized:
            return super().simulateBold(bold_variable, append)
        data = np.asarray(bold_variable)
        t_bold, bold = self._bold(data[:, self.startindt :] if from_history else data)
        self._store("BOLD.t_BOLD", t_bold, True)
        self._store("BOLD.BOLD", bold, True)

    def _time_vars(self):
        return max(len(self._names), len(self.output_vars))

    def oc_dynamics(self):
        """What optimal control needs from this model (see ``neurolib.control.optimal_control.OcMultiModel``)."""
        from neurolib.control.optimal_control._multimodel import MultiModelDynamics

        return MultiModelDynamics(self)

    # ------------------------------------------------------------------------------------------ batches
    def run_batch(
        self, param_sets, *, bold=False, outputs=None, evaluate=None, threads=1,
        max_bytes=_batch.DEFAULT_BATCH_BYTES, contiguous=False,
    ):  # fmt: skip
        """Run the model once per parameter set (star keys expanded); see
        :meth:`neurolib.models.model.Model.run_batch`. Members run one after the other on the compiled kernel
        (compiled once: parameter values are arguments)."""
        flat_names = self.state_vars
        self.state_vars = list(self.output_vars)
        try:
            sets, names = _batch.check_args(self, param_sets, bold, outputs, evaluate, threads, max_bytes, contiguous)
        finally:
            self.state_vars = flat_names
        sets = [_runs.expand_stars(self, s) for s in sets]
        return _batch.run_sequential(self, sets, names, bold, evaluate, contiguous)
