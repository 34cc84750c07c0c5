"""Bad input: every error names the argument (ParameterError and kin: ValueError and AssertionError)."""

import numpy as np
import pytest

from neurolib.control.optimal_control import oc_fhn, oc_wc
from neurolib.control.optimal_control.oc import OC
from neurolib.errors import ParameterError, ParameterKeyError, ParameterTypeError
from neurolib.models.model import Model

from .helpers import make_model, n_times, quiet


@pytest.fixture
def fhn():
    model = make_model("fhn", N=2, duration=2.0, settle_ms=10.0)
    return model, np.zeros((2, 2, n_times(model)))


def test_target_shape(fhn):
    model, target = fhn
    with pytest.raises(ParameterError, match="target") as e:
        OC(model, target[:, :, 1:])
    assert isinstance(e.value, ValueError) and isinstance(e.value, AssertionError)
    with pytest.raises(ParameterError, match="target"):
        OC(model, target[:1])


def test_control_shape(fhn):
    model, target = fhn
    model.params["x_ext"] = np.zeros((2, n_times(model) + 5))
    with pytest.raises(ParameterError, match="x_ext"):
        OC(model, target)
    model.params["x_ext"] = 0.0
    oc = quiet(OC, model, target)
    oc.control = np.zeros((2, 2, 3))
    with pytest.raises(ParameterError, match="control"):
        oc.optimize(1)
    oc.control = np.full((2, 2, n_times(model)), np.nan)
    with pytest.raises(ParameterError, match="control"):
        oc.optimize(1)


@pytest.mark.parametrize("kw", ["cost_interval", "control_interval"])
@pytest.mark.parametrize("interval", [(0, 1000), (-1000, None), (5, 2), (0.5, 3)])
def test_interval_outside_run(fhn, kw, interval):
    model, target = fhn
    with pytest.raises(ParameterError, match=kw):
        OC(model, target, **{kw: interval})


def test_interval_edited_later(fhn):
    model, target = fhn
    oc = quiet(OC, model, target)
    oc.cost_interval = (3, 1000)
    with pytest.raises(ParameterError, match="cost_interval"):
        oc.optimize(1)


def test_weights(fhn):
    model, target = fhn
    with pytest.raises(ParameterKeyError, match="w_x"):
        OC(model, target, weights={"w_x": 1.0})
    oc = quiet(OC, model, target)
    with pytest.raises(ParameterKeyError, match="w_P"):
        oc.weights["w_P"] = 1.0
    with pytest.raises(ParameterError, match="w_2"):
        oc.weights["w_2"] = -1.0
    with pytest.raises(ParameterTypeError, match="w_2"):
        oc.weights["w_2"] = "a lot"


def test_matrices(fhn):
    model, target = fhn
    with pytest.raises(ParameterError, match="cost_matrix"):
        OC(model, target, cost_matrix=np.ones((1, 2)))
    with pytest.raises(ParameterError, match="control_matrix"):
        OC(model, target, control_matrix=np.full((2, 2), 0.5))
    quiet(OC, model, target, control_matrix=np.ones((2, 4)))  # wider: extra columns ignored


def test_other_arguments(fhn):
    model, target = fhn
    with pytest.raises(ParameterError, match="maximum_control_strength"):
        OC(model, target, maximum_control_strength=-1.0)
    with pytest.raises(ParameterError, match="M_validation"):
        OC(model, target, M_validation=1.5)
    oc = quiet(OC, model, target)
    with pytest.raises(ParameterError, match="n_max_iterations"):
        oc.optimize(2.5)


def test_model_without_inputs(fhn):
    model, target = fhn
    model.input_vars = []
    with pytest.raises(ParameterError, match="no inputs"):
        OC(model, target)


def test_model_without_dynamics():
    class Plain(Model):
        name = "plain"
        state_vars = ["x"]
        default_output = "x"
        input_vars = ["x_ext"]

    model = Plain(
        integration=lambda p: (np.arange(1, 11) * 0.1, np.zeros((1, 10))), params={"dt": 0.1, "duration": 1.0}
    )
    with pytest.raises(ParameterError, match="model"):
        OC(model, np.zeros((1, 1, 11)))


def test_wrong_model_class(fhn):
    model, target = fhn
    with pytest.raises(ParameterTypeError, match="OcWc"):
        oc_wc.OcWc(model, target)
    quiet(oc_fhn.OcFhn, model, target)
