"""``MultiModel``: parameters (star access), runs (chunkwise, continued, BOLD, inputs), outputs, errors, caching."""

import importlib
import os
import pickle
import subprocess
import sys
import textwrap

import numpy as np
import pytest

from neurolib.errors import ParameterError
from neurolib.models.multimodel import (
    ALNNetwork,
    ALNNode,
    FitzHughNagumoNetwork,
    FitzHughNagumoNode,
    HopfNetwork,
    MultiModel,
    WilsonCowanNode,
)
from neurolib.utils.stimulus import OrnsteinUhlenbeckProcess, StepInput, ZeroInput


@pytest.fixture
def fhn_net(net4):
    model = MultiModel(FitzHughNagumoNetwork(*net4, seed=2))
    model.params["duration"] = 100.0
    return model


# ---------------------------------------------------------------------------------------------- parameters
def test_parameter_keys_and_defaults(net4):
    model = MultiModel.init_node(WilsonCowanNode())
    p = model.params
    assert p["WCnode_0.WCmassEXC_0.tau"] == 2.5 and p["WCnode_0.WCmassEXC_0.input_0.sigma"] == 0.0
    np.testing.assert_array_equal(p["WCnode_0.local_connectivity"], [[16, 12], [15, 3]])
    assert (p["duration"], p["dt"], p["sampling_dt"], p["backend"], p["N"]) == (2000.0, 0.1, 0.1, "numba", 1)
    assert (p["name"], p["description"]) == ("WCnode", "Wilson-Cowan node")
    net = MultiModel(FitzHughNagumoNetwork(*net4))
    assert net.params["FHNnet.FHNnode_1.FHNmass_0.epsilon"] == 0.5 and net.params["N"] == 4
    np.testing.assert_array_equal(net.params["FHNnet.delays"], net4[1])
    assert net.state_vars == [["x", "y"]] * 4 and net.getMaxDelay() == 45


def test_star_access_reaches_the_equations():
    model = MultiModel.init_node(WilsonCowanNode())
    assert model.params["*tau"].keys() >= {"WCnode_0.WCmassEXC_0.tau", "WCnode_0.WCmassEXC_0.input_0.tau"}
    assert set(model.params["*tau|input"]) == {"WCnode_0.WCmassEXC_0.tau", "WCnode_0.WCmassINH_1.tau"}
    model.params["*EXC*input*mu"] = 0.0
    model.params["duration"] = 200.0
    model.run()
    quiet = model.output.copy()
    model.params["*EXC*ext_drive"] = 1.5
    model.params["*INH*tau|input"] = 4.0
    model.run()
    assert model.model_instance[0].params["ext_drive"] == 1.5 and model.model_instance[1].params["tau"] == 4.0
    assert not np.allclose(model.output, quiet)
    model.params["WCnode_0.WCmassEXC_0.ext_drive"] = 0.0  # a full key
    model.params["*INH*tau|input"] = 3.75
    model.run()
    np.testing.assert_array_equal(model.output, quiet)


# ---------------------------------------------------------------------------------------------- runs
def test_outputs_time_in_seconds_and_shapes(fhn_net):
    fhn_net.params["sampling_dt"] = 0.5
    fhn_net.run()
    assert fhn_net.x.shape == (4, 200) and fhn_net["y"].shape == (4, 200)
    np.testing.assert_allclose(fhn_net.t[:2], [0.0001, 0.0006])
    assert fhn_net.output is fhn_net.outputs["x"]
    xr = fhn_net.xr()
    assert xr.dims == ("output", "space", "time") and list(xr.output.values) == ["x", "y"]


def test_chunkwise_equals_whole_run(fhn_net):
    fhn_net.run()
    whole, t = fhn_net.x.copy(), fhn_net.t.copy()
    fhn_net.run(chunkwise=True, chunksize=77, append_outputs=True)
    np.testing.assert_array_equal(fhn_net.x, whole)
    np.testing.assert_array_equal(fhn_net.t, t)
    fhn_net.params["backend"] = "jitcdde"
    with pytest.raises(ParameterError, match="numba"):
        fhn_net.run(chunkwise=True)


def test_continued_run_equals_longer_run(fhn_net):
    fhn_net.run()
    first_t = fhn_net.t[-1]
    fhn_net.run(continue_run=True, append_outputs=True)
    assert fhn_net.t[1000] - first_t == pytest.approx(1e-4)
    both = fhn_net.x.copy()
    fhn_net.params["duration"] = 200.0
    fhn_net.run()
    np.testing.assert_array_equal(fhn_net.x, both)


def test_continued_run_of_a_fresh_model_starts_from_the_initial_state(fhn_net):
    """Nothing to continue yet: the first run with continue_run=True is an ordinary run (it used to fail, the
    model's carried history being confused with the base class's carried parameters)."""
    fhn_net.run(continue_run=True)
    continued = fhn_net.x.copy()
    fhn_net.run()
    np.testing.assert_array_equal(fhn_net.x, continued)


def test_bold(fhn_net):
    fhn_net.params["duration"] = 4000.0
    fhn_net.run(bold=True)
    assert fhn_net.BOLD.BOLD.shape == (4, 2) and np.all(np.isfinite(fhn_net.BOLD.BOLD))


def test_noise_inputs_and_seeds():
    model = MultiModel.init_node(FitzHughNagumoNode(seed=1))
    model.params["duration"] = 50.0
    model.noise_input = [OrnsteinUhlenbeckProcess(0.0, 0.05, 5.0), ZeroInput()]
    assert model.params["FHNnode_0.FHNmass_0.input_1.type"] == "ZeroInput"
    assert "FHNnode_0.FHNmass_0.input_1.mu" not in model.params  # no stale keys of the replaced process
    model.params["seed"] = 4
    model.run()
    a = model.x.copy()
    model.run()
    np.testing.assert_array_equal(model.x, a)
    model.params["seed"] = 5
    model.run()
    assert not np.array_equal(model.x, a)
    model.params["*input_0*sigma"] = 0.0
    model.run()
    quiet = model.x.copy()
    model.run(noise_input=np.vstack([np.full(500, 0.2), np.zeros(500)]))  # column k drives step k
    given = model.x.copy()
    model.noise_input = [StepInput(0.2), ZeroInput()]
    model.run()
    np.testing.assert_array_equal(model.x, given)
    assert not np.array_equal(given, quiet)


def test_noise_array_of_the_previous_run_is_rewritten_in_full():
    """A run writes its noise over the previous run's array: a channel that became silent must read zeros."""

    def node(processes):
        model = MultiModel.init_node(FitzHughNagumoNode(seed=1))
        model.params["duration"] = 50.0
        model.noise_input = processes
        model.params["seed"] = 4
        return model

    model = node([OrnsteinUhlenbeckProcess(0.0, 0.05, 5.0), OrnsteinUhlenbeckProcess(0.0, 0.05, 5.0)])
    model.run()
    model.noise_input = [OrnsteinUhlenbeckProcess(0.0, 0.05, 5.0), ZeroInput()]
    model.params["seed"] = 4
    model.run()
    fresh = node([OrnsteinUhlenbeckProcess(0.0, 0.05, 5.0), ZeroInput()])
    fresh.run()
    np.testing.assert_array_equal(model.x, fresh.x)


def test_shared_input_object_is_copied_per_channel(net4):
    model = MultiModel(HopfNetwork(*net4))
    noise = ZeroInput()
    model.noise_input = [noise] * 8
    assert len({id(p) for p in model.noise_input}) == 8


def test_bad_inputs(fhn_net):
    with pytest.raises(ValueError, match="Unknown backend"):
        fhn_net.params["backend"] = "rk4"
        fhn_net.run()
    fhn_net.params["backend"] = "numba"
    with pytest.raises(ValueError, match="shape"):
        fhn_net.run(noise_input=np.zeros((8, 10)))
    with pytest.raises(TypeError, match="numpy array"):
        fhn_net.run(noise_input=[[0.0]])
    with pytest.raises(ValueError, match="NaN"):
        fhn_net.run(noise_input=np.full((8, 1000), np.nan))
    with pytest.raises(ValueError, match="input processes"):
        fhn_net.noise_input = [ZeroInput()]
    with pytest.raises(ValueError, match="initial state"):
        fhn_net.model_instance.initial_state = np.zeros(3)
    with pytest.raises(ValueError, match="sampling_dt"):
        fhn_net.params["sampling_dt"] = 0.15
        fhn_net.run()
    with pytest.raises(TypeError, match="Node or a Network"):
        MultiModel("FHN")
    with pytest.raises(ValueError, match="initialise"):
        MultiModel(FitzHughNagumoNode())
    with pytest.raises(TypeError, match="Node"):
        MultiModel.init_node(FitzHughNagumoNetwork(*[np.zeros((2, 2))] * 2))
    for err in (ValueError, AssertionError):  # input errors are both
        with pytest.raises(err):
            MultiModel.init_node(FitzHughNagumoNode()).run(noise_input=np.zeros((1, 1)))


def test_delay_history_is_used(net4):
    """A 2-D initial state is the delay history (newest column last): changing its oldest column changes the run."""
    model = MultiModel(HopfNetwork(*net4))
    model.params["duration"] = 20.0
    S = model.getMaxDelay() + 1
    history = np.tile(model.model_instance.initial_state[:, None], (1, S))
    model.model_instance.initial_state = history
    model.run()
    constant = model.x.copy()
    history[:, 0] += 0.1
    model.model_instance.initial_state = history
    model.run()
    assert not np.allclose(model.x, constant)
    model.model_instance.initial_state = history[:, 1:]
    with pytest.raises(ValueError, match="history"):
        model.run()


def test_pickle_and_run_batch():
    """(ALN's default inputs are OU processes starting at U(0, 1) * mu: a seed makes them reproducible.)"""
    model = MultiModel.init_node(ALNNode(exc_seed=1, inh_seed=2))
    model.params["duration"] = 20.0
    model.params["seed"] = 8
    model.run()
    copy = pickle.loads(pickle.dumps(model))
    copy.run()
    np.testing.assert_array_equal(copy.output, model.output)
    results = model.run_batch([{"*EXC*b": 0.0}, {"*EXC*b": 40.0}])
    np.testing.assert_array_equal(results[1]["r_mean_EXC"], model.output)
    assert not np.array_equal(results[0]["I_A_EXC"], model["I_A_EXC"])
    assert model.params["ALNNode_0.ALNMassEXC_0.b"] == 40.0  # left as it was


def test_kernel_cached_for_the_next_process(tmp_path):
    """The generated kernel is a module file in the cache folder that numba serves to a second process."""
    code = textwrap.dedent(
        """
        from neurolib.models.multimodel import MultiModel, HopfNode
        from neurolib.models.multimodel.builder.base import numba_backend
        model = MultiModel.init_node(HopfNode(seed=0))
        model.params["duration"] = 5.0
        model.run()
        kernel = model.model_instance._backend.kernel.module.integrate
        print("HITS", sum(kernel.stats.cache_hits.values()), "MISSES", sum(kernel.stats.cache_misses.values()))
        """
    )
    env = dict(os.environ, NEUROLIB_CACHE=str(tmp_path))
    runs = [subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, env=env) for _ in range(2)]
    for r in runs:
        assert r.returncode == 0, r.stderr[-2000:]
    assert "HITS 0 MISSES 1" in runs[0].stdout and "HITS 1 MISSES 0" in runs[1].stdout
    assert list((tmp_path / "kernels").glob("_nl_multimodel_*.py"))


def test_missing_extra_gives_one_clear_error(monkeypatch):
    for name in [m for m in sys.modules if m.startswith("neurolib.models.multimodel")]:
        monkeypatch.delitem(sys.modules, name)
    monkeypatch.setitem(sys.modules, "symengine", None)
    with pytest.raises(ImportError, match=r"neurolib\[multimodel\]"):
        importlib.import_module("neurolib.models.multimodel")


def test_bad_input_errors_name_the_culprit(net4):
    """Each bad input of check 5 raises an error naming it: a missing mass parameter, a coupling nobody provides,
    a connectivity of the wrong shape, an unknown backend, a misspelt parameter path."""
    from neurolib.errors import ParameterKeyError
    from neurolib.models.multimodel.builder.hopf import HOPF_DEFAULT_PARAMS, HopfMass

    with pytest.raises(KeyError, match="'w'"):
        HopfMass(params={k: v for k, v in HOPF_DEFAULT_PARAMS.items() if k != "w"})

    class Uncoupled(HopfNetwork):  # its masses need network_x, but this network defines no coupling at all
        sync_variables = []
        default_coupling = {}

        def _sync(self):
            return [entry for node in self for entry in node._sync()]

    model = MultiModel(Uncoupled(*net4))
    model.params["duration"] = 1.0
    with pytest.raises(ParameterKeyError, match="network_x"):
        model.run()

    C, D = net4
    with pytest.raises(ValueError, match=r"'connectivity' must have shape \(4, 4\), got \(4, 3\)"):
        HopfNetwork(C[:, :3], D)
    model = MultiModel(HopfNetwork(C, D))
    model.params["duration"] = 1.0
    model.params["HopfNet.connectivity"] = np.ones((3, 3))
    with pytest.raises(ValueError, match="'connectivity' must have shape"):
        model.run()
    model.params["HopfNet.connectivity"] = C

    model.params["backend"] = "rk4"
    with pytest.raises(ValueError, match="Unknown backend 'rk4'"):
        model.run()
    model.params["backend"] = "numba"

    model.params["HopfNet.HopfNode_2.HopfMass_0.x_ex"] = 0.3
    with pytest.raises(ParameterKeyError, match=r"'HopfNet.HopfNode_2.HopfMass_0.x_ex' .*HopfMass_0.x_ext'"):
        model.run()
    del model.params["HopfNet.HopfNode_2.HopfMass_0.x_ex"]
    model.params["HopfNet.HopfNode_7.HopfMass_0.w"] = 0.3  # no node 7
    with pytest.raises(KeyError, match="HopfNode_7"):
        model.run()
    del model.params["HopfNet.HopfNode_7.HopfMass_0.w"]
    model.run()


def test_ou_inputs_equal_the_process_arrays():
    """The runs generate OU inputs without scipy; the numbers are those of ``OrnsteinUhlenbeckProcess.as_array``."""
    from neurolib.models.multimodel._runs import _ou_column

    for mu, sigma, tau, seed, duration, dt in [(0.4, 0.1, 5.0, 3, 100.0, 0.1), (0.0, 0.2, 0.7, 9, 33.3, 0.05)]:
        process = OrnsteinUhlenbeckProcess(mu, sigma, tau, seed=seed)
        expected = process.as_array(duration, dt)[0]
        column = np.empty(len(expected))
        _ou_column(process, duration, dt, len(expected), column)
        np.testing.assert_array_equal(column, expected)


def test_streamed_inputs_equal_the_whole_arrays(net4, monkeypatch):
    """Inputs made in a background thread, chunk by chunk while the kernel runs, are bit for bit those made whole
    before the run, and so are the runs (also with fewer steps per chunk than the run has)."""
    from neurolib.models.multimodel import _runs

    cmat, delays = net4
    model = MultiModel(ALNNetwork(connectivity_matrix=cmat, delay_matrix=delays))
    model.params["duration"] = 300.0
    model.params["seed"] = 11
    model.params["*input*sigma"] = 0.1
    model.params["*EXC*input*mu"] = 0.3
    T = 3000
    model._runs = 2
    whole = _runs.process_arrays(model, 300.0, 0.1, T)
    monkeypatch.setattr(_runs.NoiseStream, "VALUES", 700)  # 87 steps of the 8 channels at a time
    model._runs = 2
    assert _runs.NoiseStream.usable(model, 0.1, T)
    np.testing.assert_array_equal(_runs.NoiseStream(model, 0.1, T).finish(), whole)
    assert model._runs == 3
    model.clearModelState()
    model.run()
    streamed = model.output.copy()
    monkeypatch.setattr(_runs.NoiseStream, "usable", staticmethod(lambda *args: False))
    model.clearModelState()
    model.run()
    np.testing.assert_array_equal(model.output, streamed)
