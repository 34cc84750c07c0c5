"""The builder API: masses, nodes, networks, their inspection methods and their input errors."""

import numpy as np
import pytest
import symengine as se

from neurolib.errors import ParameterError
from neurolib.models.multimodel import (
    ALNNode,
    FitzHughNagumoNetwork,
    FitzHughNagumoNode,
    HopfNetwork,
    ThalamicNode,
    WilsonCowanNode,
    WongWangNode,
)
from neurolib.models.multimodel.builder.aln import ALN_NODE_DEFAULT_CONNECTIVITY, ExcitatoryALNMass
from neurolib.models.multimodel.builder.base.constants import EXC, INH, LAMBDA_SPEED
from neurolib.models.multimodel.builder.base.network import Network
from neurolib.models.multimodel.builder.fitzhugh_nagumo import FitzHughNagumoMass
from neurolib.models.multimodel.builder.wilson_cowan import ExcitatoryWilsonCowanMass, InhibitoryWilsonCowanMass
from neurolib.utils.stimulus import OrnsteinUhlenbeckProcess, ZeroInput


def _init(node):
    node.index, node.idx_state_var = 0, 0
    node.init_node()
    return node


# ---------------------------------------------------------------------------------------------- masses
def test_mass_description_and_noise_indices():
    mass = FitzHughNagumoMass()
    assert str(mass) == "Neural mass: FitzHugh-Nagumo mass with 2 state variables: x, y"
    assert set(mass.describe()) == set(mass.DESCRIPTION_FIELD)
    mass.index = 0
    mass.init_mass(start_idx_for_noise=6)
    assert mass.noise_input_idx == [6, 7]
    assert mass.params["input_1"]["type"] == "OrnsteinUhlenbeckProcess"
    mass.idx_state_var = 3
    assert [str(s) for s in mass._unwrap_state_vector()] == ["current_y(3)", "current_y(4)"]


def test_mass_update_params_reaches_inputs():
    mass = FitzHughNagumoMass()
    mass.index = 0
    mass.init_mass()
    mass.update_params({"alpha": 2.4, "input_0": {"seed": 12}})
    assert mass.params["alpha"] == 2.4
    assert mass.noise_input[0].seed == 12 and mass.params["input_0"]["seed"] == 12


def test_default_inputs_are_not_shared_between_masses():
    """The class-level default input objects are templates: each mass has its own (upstream shared them)."""
    a, b = FitzHughNagumoMass(), FitzHughNagumoMass()
    assert a.noise_input[0] is not b.noise_input[0]
    a.noise_input[0].sigma = 0.5
    assert b.noise_input[0].sigma == 0.0


def test_mass_input_errors():
    with pytest.raises(AssertionError):
        FitzHughNagumoMass(params=[1, 2])
    with pytest.raises(KeyError, match="alpha"):
        FitzHughNagumoMass(params={"beta": 1.0})
    mass = FitzHughNagumoMass()
    with pytest.raises(ParameterError, match="index"):
        mass.init_mass()
    with pytest.raises(ValueError, match="2 input processes"):
        mass.noise_input = [ZeroInput()]
    with pytest.raises(TypeError, match="Input"):
        mass.noise_input = [ZeroInput(), "noise"]


# ---------------------------------------------------------------------------------------------- nodes
def test_node_inspection():
    node = _init(WilsonCowanNode())
    assert len(node) == 2 and node[1].mass_type == INH
    assert str(node) == "Network node: Wilson-Cowan node with 2 neural mass(es): " + ", ".join(m.name for m in node)
    assert node.describe()["num_masses"] == 2
    assert node.state_variable_names == [["q_mean_EXC", "q_mean_INH"]]
    assert node.num_state_variables == 2 and node.num_noise_variables == 2
    derivatives = node._derivatives()
    assert len(derivatives) == 2 and all(isinstance(d, se.Basic) for d in derivatives)
    sync = node._sync()
    assert [str(s) for s, _ in sync] == ["node_exc_exc_0", "node_inh_exc_0", "node_exc_inh_0", "node_inh_inh_0"]
    assert list(node.get_nested_params()) == ["WCnode_0"]


def test_repeated_names_get_mass_type_suffix():
    node = _init(ALNNode())
    names = node.state_variable_names[0]
    assert names[:2] == ["I_mu_EXC", "I_A_EXC"] and names[-1] == "r_mean_INH" and len(names) == 13
    thalamus = _init(ThalamicNode())
    assert thalamus.state_variable_names[0][0] == "V_EXC" and thalamus.num_state_variables == 17
    ww = _init(WongWangNode())
    assert ww.state_variable_names == [["S_EXC", "q_mean_EXC", "S_INH", "q_mean_INH"]]


def test_aln_node_connectivity_rescaled_and_sync():
    node = _init(ALNNode())
    exc, inh = node[0].params, node[1].params
    expected = np.array(ALN_NODE_DEFAULT_CONNECTIVITY, dtype=float)
    expected[0, 0] *= exc["tau_se"] / abs(exc["Jee_max"])
    expected[0, 1] *= exc["tau_si"] / abs(exc["Jei_max"])
    expected[1, 0] *= inh["tau_se"] / abs(inh["Jie_max"])
    expected[1, 1] *= inh["tau_si"] / abs(inh["Jii_max"])
    np.testing.assert_allclose(node.connectivity, expected)
    assert len(node._sync()) == 4 * len(node)
    node.update_params({"local_connectivity": 2 * ALN_NODE_DEFAULT_CONNECTIVITY})
    np.testing.assert_allclose(node.connectivity, 2 * expected)
    node.update_params({"local_connectivity": node.connectivity.copy()})  # the current values: unchanged
    np.testing.assert_allclose(node.connectivity, 2 * expected)


def test_aln_table_lookup_values():
    """Interpolation cell and values at (mu 3.2 mV/ms, sigma 1.7 mV/sqrt(ms)) on the project's table."""
    from neurolib.models.multimodel.builder._aln_lookup import _get_interpolation_values, _table_lookup

    mass = ExcitatoryALNMass()
    s, m = mass.sigma_range, mass.mu_range
    ds, dm = s[1] - s[0], m[1] - m[0]
    idx = _get_interpolation_values(3.2, 1.7, s, m, ds, dm)
    assert idx[:2] == (37, 117)
    np.testing.assert_allclose(idx[2:], (0.8, 0.7875), atol=1e-9)
    rate = _table_lookup(3.2, 1.7, s, m, ds, dm, mass._table["r_ss"])
    np.testing.assert_allclose(rate, 0.09444942503533124, rtol=1e-8)
    low = _get_interpolation_values(float("nan"), 1.7, s, m, ds, dm)
    assert low[0] == 0 and low[2] == 0.0  # a NaN sigma reads the lowest sigma (as the established package)


def test_node_errors():
    with pytest.raises(ValueError, match="Mass types"):
        e1, e2 = ExcitatoryWilsonCowanMass(), ExcitatoryWilsonCowanMass()
        e1.index, e2.index = 0, 1
        WilsonCowanNode.__bases__[0]([e1, e2], local_connectivity=np.zeros((2, 2)))
    with pytest.raises(ValueError, match="shape"):
        WilsonCowanNode(connectivity=np.zeros((3, 3)))
    node = _init(WilsonCowanNode())
    with pytest.raises(ValueError, match="initial state"):
        node.initial_state = np.zeros(3)
    with pytest.raises(ValueError, match="2 input processes"):
        node.noise_input = [ZeroInput()]
    with pytest.raises(TypeError, match="NeuralMass"):
        WilsonCowanNode.__bases__[0]([ExcitatoryWilsonCowanMass(), "mass"], local_connectivity=np.zeros((2, 2)))


def test_node_update_params_routes_to_masses(caplog):
    node = _init(WilsonCowanNode())
    node.update_params({"WCnode_0": {"WCmassINH_1": {"tau": 7.0}, "local_connectivity": np.ones((2, 2), int)}})
    assert node[1].params["tau"] == 7.0
    assert node.connectivity.dtype == float and node.connectivity.sum() == 4.0
    node.update_params({"bogus": 1})
    assert "Not sure what to do with bogus" in caplog.text


# ---------------------------------------------------------------------------------------------- networks
def test_network_inspection(net4):
    C, D = net4
    net = FitzHughNagumoNetwork(C, D)
    assert len(net) == 4 and net[2].index == 2 and str(net) == "Brain network FitzHugh-Nagumo network with 4 nodes"
    assert net.max_delay == 4.5
    assert net.state_variable_names == [["x", "y"]] * 4
    assert set(net.describe()) >= {"name", "num_nodes", "nodes", "connectivity", "delays"}
    assert net.initial_state.shape == (8,)
    assert [m.noise_input_idx for node in net for m in node] == [[0, 1], [2, 3], [4, 5], [6, 7]]
    sync = dict((str(s), e) for s, e in net._sync())
    assert set(sync) == {f"network_{v}_{i}" for v in "xy" for i in range(4)}
    assert sync["network_y_0"] == 0
    assert len(net._derivatives()) == 8
    nested = net.get_nested_params()["FHNnet"]
    assert set(nested) == {"FHNnode_0", "FHNnode_1", "FHNnode_2", "FHNnode_3", "connectivity", "delays"}


def test_network_errors(net4):
    C, D = net4
    with pytest.raises(ValueError, match="shape"):
        HopfNetwork(C, D[:3, :3])
    with pytest.raises(ValueError, match=">= 0"):
        HopfNetwork(C, -D)
    net = HopfNetwork(C, D)
    with pytest.raises(ValueError, match="Unknown coupling type"):
        net._couple("quadratic", "x")
    with pytest.raises(ValueError, match="shape"):
        net.update_params({"connectivity": np.ones((3, 3))})
    assert Network._prepare_mass_params(None, 3) == [None] * 3
    assert Network._prepare_mass_params({"a": 1}, 2) == [{"a": 1}, {"a": 1}]
    with pytest.raises(ValueError):
        Network._prepare_mass_params([{}], 2)


def test_node_run_directly():
    """``node.run`` gives an xarray Dataset with time in seconds, samples at dt .. duration."""
    node = _init(FitzHughNagumoNode(seed=3))
    out = node.run(duration=100.0, dt=0.1, noise_input=np.zeros((2, 1000)), backend="numba")
    assert out["x"].shape == (1000, 1) and out["x"].dims == ("time", "node")
    np.testing.assert_allclose(out.time.values[[0, -1]], [0.0001, 0.1])
    times, states = node.run(100.0, 0.1, np.zeros((2, 1000)), backend="numba", return_xarray=False)
    assert states.shape == (2, 1000) and times[0] == pytest.approx(0.1)
    with pytest.raises(ValueError, match="Unknown backend"):
        node.run(100.0, 0.1, np.zeros((2, 1000)), backend="euler")
    with pytest.raises(TypeError, match="noise_input"):
        node.run(100.0, 0.1, [0.0] * 1000, backend="numba")
    with pytest.raises(ValueError, match="shape"):
        node.run(100.0, 0.1, np.zeros((2, 10)), backend="numba")


def test_constants():
    assert (EXC, INH, LAMBDA_SPEED) == ("EXC", "INH", 10.0)


def test_ou_default_inputs_are_silent():
    node = _init(WilsonCowanNode())
    assert all(isinstance(p, OrnsteinUhlenbeckProcess) and p.sigma == 0 and p.mu == 0 for p in node.noise_input)
    assert isinstance(InhibitoryWilsonCowanMass().noise_input[0], OrnsteinUhlenbeckProcess)


def test_plain_network_numbers_channels_and_states(net4):
    """Nodes given to ``Network`` without indices get consecutive state offsets and input channels."""

    class PlainWC(Network):
        label = "plainWC"
        sync_variables = ["network_exc_exc", "network_inh_exc"]
        default_coupling = {"network_exc_exc": "additive", "network_inh_exc": "none"}
        output_vars = ["q_mean_EXC"]
        coupling_symbols = {"exc_exc": 0}

    net = PlainWC([WilsonCowanNode() for _ in range(4)], *net4)
    assert [node.idx_state_var for node in net] == [0, 2, 4, 6]
    assert [m.noise_input_idx for node in net for m in node] == [[k] for k in range(8)]
    assert net.default_output == "q_mean_EXC" and len(net._derivatives()) == 8
