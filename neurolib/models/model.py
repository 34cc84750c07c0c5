"""The ``Model`` base class: the public run/output API every neurolib model shares."""

from __future__ import annotations

import logging
import warnings

import numpy as np

from neurolib._core.integrate import n_steps
from neurolib._core.params import validate_run
from neurolib.models.bold import BOLDModel
from neurolib.utils.collections import dotdict

logger = logging.getLogger(__name__)


class Model:
    """Base class of all models.

    How to write a model (the native models do this through ``neurolib.models._native``):

    1. Set the class attributes ``name`` (str), ``state_vars`` (names of the arrays the integration
       returns after ``t``, in order), ``default_output`` (one of them), and optionally ``output_vars``
       (default: all state variables), ``init_vars`` (the parameter seeding each state variable, same
       order; needed for chunkwise and continued runs), ``input_vars``, ``default_input`` and
       ``boldInputTransform`` (a function applied to the default output before BOLD).
    2. Write an integration function ``integration(params) -> (t, var_1, ..., var_k)``. ``t`` holds the
       step times ``dt, 2 dt, ..., duration`` (ms). A 2-D variable is ``(N, startindt + len(t))``: its first
       ``startindt = getMaxDelay() + 1`` columns are the initial history. A 1-D variable is its final value.
    3. Call ``super().__init__(integration, params)`` with a dict of parameters holding at least ``dt``
       and ``duration`` (ms), and ``N`` for BOLD.

    The base class then provides ``run`` (single, chunkwise and continued runs, BOLD), the stored
    ``outputs`` and ``state``, ``t``, ``output``, ``model[name]``, ``xr()`` and ``randomICs()``.
    """

    name = "Noname"
    description = ""
    state_vars: list = None
    output_vars: list = None
    default_output: str = None
    init_vars: list = None
    input_vars: list = None
    default_input: str = None

    def __init__(self, integration, params):
        if getattr(self, "name", None) is not None:
            assert isinstance(self.name, str), f"Model name must be a string, got {self.name!r}."
        else:
            self.name = "Noname"
        assert integration is not None, "Model: an integration function is required."
        assert isinstance(params, dict), f"Model: params must be a dictionary, got {type(params).__name__}."
        self.integration = integration
        self.params = params if isinstance(params, dotdict) else dotdict(params)
        assert isinstance(self.state_vars, (list, tuple)) and all(isinstance(s, str) for s in self.state_vars), (
            "Model: the class attribute state_vars (a list of str) is missing."
        )
        assert isinstance(self.default_output, str), "Model: the class attribute default_output (str) is missing."
        if self.output_vars is None:
            self.output_vars = list(self.state_vars)
        self.outputs = dotdict()
        self.state = dotdict()
        self.maxDelay = None
        self.boldInitialized = False
        self._steps_done = 0  # steps simulated since the last fresh run
        self._gen = None  # noise generator of the current run (native models)
        self._progress = None  # callable(steps) advancing a progress bar during run()
        self.initializeRun()
        logger.info(f"{self.name}: Model initialized.")

    # ------------------------------------------------------------------ attribute access to outputs
    def __getattr__(self, item):
        # Only reached when normal lookup fails: outputs are read through, so they never go stale.
        if item.startswith("_") or item in ("outputs", "params", "state"):
            raise AttributeError(item)
        outputs = self.__dict__.get("outputs")
        if outputs is not None and item in outputs:
            return outputs[item]
        raise AttributeError(f"'{type(self).__name__}' has no attribute or output '{item}'.")

    # ------------------------------------------------------------------ set-up
    def getMaxDelay(self):
        """Largest network delay in steps of ``dt`` (``lengthMat / signalV``, rounded half to even)."""
        dt = self.params.get("dt")
        lengthMat = self.params.get("lengthMat")
        if lengthMat is None or dt is None:
            return 0
        signalV = self.params.get("signalV") or 0
        Dmat = np.asarray(lengthMat) / signalV if signalV > 0 else np.zeros_like(np.asarray(lengthMat, float))
        return int(np.max(np.around(Dmat / dt)))

    def initializeRun(self, initializeBold=False):
        """Compute ``maxDelay``, ``startindt`` and ``sample_every``; validate ``sampling_dt``."""
        validate_run(self.params)
        self.maxDelay = self.getMaxDelay()
        self.startindt = self.maxDelay + 1
        self.setSamplingDt()
        if initializeBold and not self.boldInitialized:
            self.initializeBold()

    def setSamplingDt(self):
        """``sample_every``: how many steps of ``dt`` one output sample spans (``sampling_dt / dt``)."""
        sdt = self.params.get("sampling_dt")
        self.sample_every = 1 if sdt is None else int(round(sdt / self.params["dt"]))

    def initializeBold(self):
        """Create a fresh BOLD model (states at rest, sample counter 0)."""
        if not hasattr(self, "boldInputTransform"):
            self.boldInputTransform = None
        N = self.params.get("N")
        if N is None:
            raise ValueError("BOLD needs the number of nodes: parameter 'N' is missing.")
        self.boldModel = BOLDModel(N, self.params["dt"])
        self.boldInitialized = True

    # ------------------------------------------------------------------ running
    def run(
        self, chunkwise=False, chunksize=None, bold=False, append_outputs=False, continue_run=False, progress=False
    ):
        """Simulate the model for ``params['duration']`` ms.

        Parameters
        ----------
        chunkwise : bool
            Integrate in chunks of ``chunksize`` steps (each continues from the previous one); saves memory
            with ``append_outputs=False``, which keeps only the last chunk's output.
        chunksize : int, optional
            Steps per chunk (implies ``chunkwise``); default ``2000 / dt`` (2 s).
        bold : bool
            Also simulate the BOLD signal (``model.BOLD.BOLD``, ``model.BOLD.t_BOLD`` in ms, every 2 s).
        append_outputs : bool
            Append to the outputs of earlier chunks or runs instead of replacing them.
        continue_run : bool
            Continue from the last state (delay history, noise stream and time included).
        progress : bool
            Show a progress bar (it appears once the run has taken 2 s).
        """
        self.initializeRun(initializeBold=bold)
        if continue_run:
            self.setInitialValuesToLastState()
        else:
            self.clearModelState()
        if chunksize is not None:
            chunkwise = True
        total = n_steps(self.params["duration"], self.params["dt"])
        if chunkwise:
            if chunksize is None:
                chunksize = int(2000 / self.params["dt"])
            if isinstance(chunksize, bool) or not isinstance(chunksize, (int, np.integer)) or chunksize < 1:
                raise ValueError(f"'chunksize' must be a positive integer number of steps, got {chunksize!r}.")
            self.checkChunkwise(chunksize)
        bar = None
        if progress:
            from tqdm.auto import tqdm

            bar = tqdm(total=total, delay=2.0, unit="step", unit_scale=True, desc=self.name, leave=False)
            self._progress = bar.update
        try:
            if chunkwise:
                self.integrateChunkwise(chunksize, bold, append_outputs, total=total)
            else:
                self.integrate(append_outputs, simulate_bold=bold, steps=total)
        finally:
            self._progress = None
            if bar is not None:
                bar.close()
        self.checkOutputs()

    def checkChunkwise(self, chunksize):
        """Chunkwise runs need ``init_vars`` pairing each state variable with its initial value."""
        assert self.init_vars is not None, "Initial value variable names not given (init_vars)."
        assert len(self.state_vars) == len(self.init_vars), "state_vars and init_vars must have the same length."

    def integrateChunkwise(self, chunksize, bold=False, append_outputs=False, total=None):
        """Run ``total`` steps (default: the whole duration) in chunks of ``chunksize`` steps."""
        if total is None:
            total = n_steps(self.params["duration"], self.params["dt"])
        start = self._steps_done
        done = 0
        while done < total:
            steps = min(chunksize, total - done)
            self._segment(steps, total, self._steps_done - start, append_outputs, bold)
            self.setInitialValuesToLastState()
            done += steps

    def autochunk(self, inputs=None, chunksize=1, append_outputs=False, bold=False):
        """Integrate one chunk of ``chunksize`` steps continuing the last state, with optional new inputs.

        ``inputs`` is a list of arrays for ``input_vars`` (in that order), right-aligned with this chunk.
        """
        if inputs is not None:
            self.setInputs(inputs)
        self.initializeRun(initializeBold=bold)
        self._segment(chunksize, chunksize, 0, append_outputs, bold)
        self.setInitialValuesToLastState()

    def integrate(self, append_outputs=False, simulate_bold=False, steps=None):
        """Integrate the whole duration in one call and store the outputs (and BOLD)."""
        if steps is None:
            steps = n_steps(self.params["duration"], self.params["dt"])
        self._segment(steps, steps, 0, append_outputs, simulate_bold)

    def _segment(self, steps, T, g_in_run, append, bold):
        """Integrate ``steps`` steps (step ``g_in_run`` of a ``T``-step run) and store the results."""
        g0 = self._steps_done
        if bold and self.boldInitialized and self._bold_by_block:
            pieces = []
            t, variables = self._integrate_steps(steps, T, g_in_run, bold=lambda z: pieces.append(self._bold(z)))
            if pieces:
                self._store("BOLD.t_BOLD", np.concatenate([p[0] for p in pieces]), True)
                self._store("BOLD.BOLD", np.concatenate([p[1] for p in pieces], axis=1), True)
            bold = False
        else:
            t, variables = self._integrate_steps(steps, T, g_in_run)
        self._steps_done += steps
        self.storeOutputsAndStates(t, variables, append, g0=g0)
        if bold and self.boldInitialized:
            self.simulateBold(self.get_bold_variable(variables))

    _bold_by_block = False  # True where _integrate_steps can feed BOLD while integrating

    def _integrate_steps(self, steps, T, g_in_run):
        """Call the integration function for ``steps`` steps; returns ``(t, variables)`` with absolute t."""
        duration = self.params["duration"]
        self.params["duration"] = steps * self.params["dt"]
        try:
            t, *variables = self.integration(self.params)
        finally:
            self.params["duration"] = duration
        assert len(variables) == len(self.state_vars), (
            f"The integration returned {len(variables)} variables, but state_vars lists {len(self.state_vars)}."
        )
        t = np.asarray(t) + self._steps_done * self.params["dt"]
        return t, variables

    # ------------------------------------------------------------------ storing
    def storeOutputsAndStates(self, t, variables, append=False, g0=0):
        """Store ``t``, the output variables (history removed, subsampled) and the last states."""
        keep = self._kept(g0, len(t))
        self._store("t", np.asarray(t)[keep], append)
        self.state["t"] = np.asarray(t)
        for name, data in zip(self.state_vars, variables):
            data = np.asarray(data)
            if name in self.output_vars:
                series = data[:, self.startindt :] if data.ndim == 2 else data
                if data.ndim == 2:
                    series = series[:, keep]
                self._store(name, series, append)
            self.setStateVariables(name, data)

    def _kept(self, g0, length):
        """Slice of the samples kept by ``sampling_dt``: global step indices that are multiples of it."""
        k = self.sample_every
        return slice((-g0) % k, None, k)

    def setOutput(self, name, data, append=False, removeICs=False):
        """Store ``data`` under ``name`` (dotted names create groups), optionally dropping the history."""
        assert not isinstance(data, dict), "setOutput: data must be an array, not a dict."
        assert isinstance(name, str), "setOutput: name must be a string."
        assert isinstance(data, np.ndarray), "setOutput: data must be a numpy array."
        if removeICs and name != "t":
            if data.ndim == 1:
                data = data[self.startindt :]
            elif data.ndim == 2:
                data = data[:, self.startindt :]
            else:
                raise ValueError(f"Don't know how to truncate data of shape {data.shape}.")
        self._store(name, data, append)

    def _store(self, name, data, append):
        *groups, leaf = name.split(".")
        node = self.outputs
        for g in groups:
            if g not in node:
                node[g] = dotdict()
            node = node[g]
        if append and leaf in node:
            node[leaf] = np.concatenate([node[leaf], data], axis=-1)
        else:
            node[leaf] = data

    def setStateVariables(self, name, data):
        """Keep the last ``startindt`` columns of a 2-D variable (its delay history), else the value."""
        data = np.asarray(data)
        self.state[name] = data[:, -self.startindt :].copy() if data.ndim == 2 else data.copy()

    def setInitialValuesToLastState(self):
        """Make the last state the initial values of the next run (delay history included)."""
        if not all(s in self.state for s in self.state_vars):
            return
        for iv, sv in zip(self.init_vars, self.state_vars):
            if iv is None:
                continue
            s = self.state[sv]
            self.params[iv] = s.copy() if s.ndim < 2 else s[:, -self.startindt :].copy()

    def clearModelState(self):
        """Forget outputs and states; restart BOLD, the time axis and the noise stream."""
        self.state = dotdict()
        self.outputs = dotdict()
        self._steps_done = 0
        self._gen = None
        if self.boldInitialized:
            self.initializeBold()

    def setInputs(self, inputs):
        """Set the parameters ``input_vars[i]`` to ``inputs[i]`` (copied)."""
        if self.input_vars is None or len(inputs) > len(self.input_vars):
            raise ValueError(f"setInputs: the model has input_vars {self.input_vars}, got {len(inputs)} inputs.")
        for name, value in zip(self.input_vars, inputs):
            self.params[name] = np.array(value, copy=True)

    def randomICs(self, min=0, max=1, seed=None):
        """Draw every initial value uniformly from [min, max): 1-D ones as (N,), 2-D ones as (N, 1)."""
        rng = np.random.default_rng(seed)
        N = self.params["N"]
        for iv in self.init_vars or []:
            value = self.params.get(iv)
            if value is None:
                continue
            value = np.asarray(value)
            if value.ndim == 1:
                self.params[iv] = rng.uniform(min, max, N)
            elif value.ndim == 2:
                self.params[iv] = rng.uniform(min, max, (N, 1))

    # ------------------------------------------------------------------ BOLD
    def get_bold_variable(self, variables):
        """The default output among ``variables`` (history included)."""
        return variables[list(self.state_vars).index(self.default_output)]

    def simulateBold(self, bold_variable, append=True):
        """Feed the default output (history removed) through ``boldInputTransform`` into the BOLD model."""
        if not self.boldInitialized:
            logger.warning(f"{self.name}: BOLD model not initialized, not simulating BOLD.")
            return
        t_bold, bold = self._bold(np.asarray(bold_variable)[:, self.startindt :])
        self._store("BOLD.t_BOLD", t_bold, True)
        self._store("BOLD.BOLD", bold, True)

    def _bold(self, Z):
        """Advance the BOLD model by the samples Z (N x L) of the default output; returns ``(t_BOLD, BOLD)``."""
        transform = getattr(self, "boldInputTransform", None)
        if transform is not None:
            Z = transform(Z)
        t_bold, bold = self.boldModel.run(Z)
        return t_bold.copy(), bold.copy()

    # ------------------------------------------------------------------ reading
    def checkOutputs(self):
        """Warn about NaN or inf in any output, naming the variable and the first time it happened."""
        for name in self.output_vars:
            data = self.outputs.get(name)
            if data is None or data.ndim != 2:
                continue
            bad = ~np.isfinite(data)
            if bad.any():
                col = int(np.argmax(bad.any(axis=0)))
                t = self.outputs["t"][col] if "t" in self.outputs and col < len(self.outputs["t"]) else col
                msg = f"{self.name}: output '{name}' became NaN or inf at t = {t:.6g} ms."
                logger.error(msg)
                warnings.warn(msg, RuntimeWarning, stacklevel=3)
        if "BOLD" in self.outputs and np.isnan(self.outputs.BOLD.BOLD).any():
            logger.error("nan in BOLD output!")

    def getOutput(self, name):
        """The output ``name``; dotted names reach into groups (``"BOLD.BOLD"``)."""
        assert isinstance(name, str), f"Output name must be a string, got {name!r}."
        node = self.outputs
        for key in name.split("."):
            assert isinstance(node, dict) and key in node, f"Key {name} not found in outputs."
            node = node[key]
        return node

    def __getitem__(self, key):
        return self.getOutput(key)

    def getOutputs(self, group=""):
        """Shallow copy of an output group without its sub-groups (root: ``t`` and every variable)."""
        assert isinstance(group, str), "Group name must be a string."
        node = self.outputs if group == "" else self.getOutput(group)
        assert isinstance(node, dict), f"{group} is not a group of outputs."
        return dotdict({k: v for k, v in node.items() if not isinstance(v, dict)})

    @property
    def output(self):
        """The default output."""
        assert self.default_output is not None, "No default output set."
        return self.getOutput(self.default_output)

    def xr(self, group=""):
        """The outputs of a group as an ``xarray.DataArray`` with dims ``(output, space, time)``."""
        import xarray as xr

        outputs = self.getOutputs(group)
        tkey = "t" if "t" in outputs else next((k for k in outputs if k.startswith("t")), None)
        assert tkey is not None, f"No time array found (starting with t) in output group {group!r}."
        t = outputs.pop(tkey)
        names = list(outputs)
        data = np.stack([outputs[k] for k in names])
        return xr.DataArray(
            data,
            dims=("output", "space", "time"),
            coords={"output": names, "space": np.arange(data.shape[1]), "time": t},
        )
