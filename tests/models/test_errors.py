"""Bad input raises a clear error that names the parameter and the value received.

One test per case. Each checks the exception type and, through ``match``, that the message names the
offending parameter and what was received (a value or a shape). Checks happen at construction where the
bad value is a constructor argument, otherwise at ``run()``.
"""

import re

import numpy as np
import pytest

from neurolib.models.hopf import HopfModel
from neurolib.models.wc import WCModel


def hopf(duration=1.0, **params):
    model = HopfModel(seed=0)
    model.params["duration"] = duration
    for key, value in params.items():
        model.params[key] = value
    return model


def both(*parts):
    """A regex matching a message that contains every part (in any order), literally."""
    return "".join(f"(?=.*{re.escape(p)})" for p in parts)


# ---------------------------------------------------------------------------------------------- network
def test_non_square_cmat():
    with pytest.raises(ValueError, match=both("Cmat", "(2, 3)")):
        HopfModel(Cmat=np.zeros((2, 3)))


def test_one_dimensional_cmat():
    with pytest.raises(ValueError, match=both("Cmat", "(3,)")):
        HopfModel(Cmat=np.zeros(3))


def test_nan_in_cmat():
    Cmat = np.array([[0.0, np.nan], [1.0, 0.0]])
    with pytest.raises(ValueError, match=both("Cmat", "NaN")):
        HopfModel(Cmat=Cmat)


def test_nan_in_cmat_set_after_construction():
    model = HopfModel(Cmat=np.ones((2, 2)), seed=0)
    model.params["duration"] = 1.0
    model.params["Cmat"] = np.array([[0.0, np.inf], [1.0, 0.0]])
    with pytest.raises(ValueError, match="Cmat"):
        model.run()


def test_cmat_dmat_shape_mismatch():
    with pytest.raises(ValueError, match=both("Dmat", "lengthMat", "(3, 3)", "(2, 2)")):
        HopfModel(Cmat=np.ones((3, 3)), Dmat=np.ones((2, 2)))


def test_negative_lengths_in_dmat():
    Dmat = np.array([[0.0, -1.5], [2.0, 0.0]])
    with pytest.raises(ValueError, match=both("Dmat", "lengthMat", ">= 0")):
        HopfModel(Cmat=np.ones((2, 2)), Dmat=Dmat)


def test_negative_lengths_in_dmat_names_value():
    Dmat = np.array([[0.0, -1.5], [2.0, 0.0]])
    with pytest.raises(ValueError, match=both("Dmat", "lengthMat", "-1.5")):
        HopfModel(Cmat=np.ones((2, 2)), Dmat=Dmat)


def test_n_inconsistent_with_cmat():
    model = HopfModel(Cmat=np.ones((3, 3)), seed=0)
    model.params["N"] = 4
    with pytest.raises(ValueError, match=both("'N'", "4", "(3, 3)")):
        model.run()


# ---------------------------------------------------------------------------------------------- time
@pytest.mark.parametrize("dt", [0.0, -0.1])
def test_dt_not_positive(dt):
    with pytest.raises(ValueError, match=both("'dt'", str(dt))):
        hopf(dt=dt).run()


def test_duration_shorter_than_dt():
    with pytest.raises(ValueError, match=both("'duration'", "0.05")):
        hopf(duration=0.05).run()


def test_negative_duration():
    with pytest.raises(ValueError, match=both("'duration'", "-5")):
        hopf(duration=-5.0).run()


def test_sampling_dt_not_multiple_of_dt():
    with pytest.raises(ValueError, match=both("'sampling_dt'", "0.25")):
        hopf(duration=10.0, sampling_dt=0.25).run()


def test_sampling_dt_smaller_than_dt():
    with pytest.raises(ValueError, match=both("'sampling_dt'", "0.05")):
        hopf(duration=10.0, sampling_dt=0.05).run()


def test_sampling_dt_negative():
    with pytest.raises(ValueError, match=both("'sampling_dt'", "-0.3")):
        hopf(duration=10.0, sampling_dt=-0.3).run()


def test_sampling_dt_longer_than_duration():
    with pytest.raises(ValueError, match=both("'sampling_dt'", "2.0", "'duration'", "1.0")):
        hopf(duration=1.0, sampling_dt=2.0).run()


def test_sampling_dt_invalid_in_constructor_params():
    params = dict(HopfModel(seed=0).params)
    params["sampling_dt"] = 0.25
    with pytest.raises(ValueError, match=both("'sampling_dt'", "0.25")):
        HopfModel(params=params)


# ---------------------------------------------------------------------------------------------- values
def test_unknown_coupling():
    with pytest.raises(ValueError, match=both("'coupling'", "'foo'")):
        hopf(coupling="foo").run()


def test_non_numeric_parameter():
    with pytest.raises(ValueError, match=both("'a'", "'big'")):
        hopf(a="big").run()


def test_nan_parameter():
    with pytest.raises(ValueError, match=both("'w'", "nan")):
        hopf(w=np.nan).run()


def test_per_node_parameter_wrong_length():
    model = HopfModel(Cmat=np.ones((3, 3)), seed=0)
    model.params["duration"] = 1.0
    model.params["a"] = np.ones(4)
    with pytest.raises(ValueError, match=both("'a'", "(4,)")):
        model.run()


def test_negative_tau_ou():
    with pytest.raises(ValueError, match=both("'tau_ou'", "-1")):
        hopf(tau_ou=-1.0).run()


def test_negative_sigma_ou():
    with pytest.raises(ValueError, match=both("'sigma_ou'", "-0.1")):
        hopf(sigma_ou=-0.1).run()


def test_negative_time_constant_wc():
    model = WCModel(seed=0)
    model.params["duration"] = 1.0
    model.params["tau_exc"] = -2.5
    with pytest.raises(ValueError, match=both("'tau_exc'", "-2.5")):
        model.run()


# ---------------------------------------------------------------------------------------------- names
def test_misspelt_parameter_item():
    model = HopfModel()
    with pytest.raises(KeyError, match=both("'sigma_uo'", "'sigma_ou'")):
        model.params["sigma_uo"] = 0.1
    assert "sigma_uo" not in model.params


def test_misspelt_parameter_attribute():
    model = HopfModel()
    with pytest.raises(KeyError, match=both("'sigma_uo'", "'sigma_ou'")):
        model.params.sigma_uo = 0.1
    assert "sigma_uo" not in model.params


def test_misspelt_parameter_update():
    model = HopfModel()
    with pytest.raises(KeyError, match=both("'sigma_uo'", "'sigma_ou'")):
        model.params.update({"sigma_uo": 0.1})


def test_misspelt_parameter_in_constructor_params():
    params = dict(HopfModel(seed=0).params)
    params["sigma_uo"] = 0.1
    with pytest.raises(KeyError, match=both("'sigma_uo'", "'sigma_ou'")):
        HopfModel(params=params)


def test_unknown_parameter_without_close_match():
    model = HopfModel()
    with pytest.raises(KeyError, match="'completely_unrelated_name'"):
        model.params["completely_unrelated_name"] = 1


# ---------------------------------------------------------------------------------------------- initial values
def test_init_array_wrong_node_count():
    with pytest.raises(ValueError, match=both("'xs_init'", "(2, 1)")):
        hopf(xs_init=np.zeros((2, 1))).run()


def test_init_array_too_short_history():
    model = HopfModel(Cmat=np.ones((2, 2)), Dmat=np.full((2, 2), 20.0), seed=0)  # 1 ms delay: S = 11
    model.params["duration"] = 1.0
    S = model.getMaxDelay() + 1
    assert S == 11
    model.params["xs_init"] = np.zeros((2, 5))
    with pytest.raises(ValueError, match=both("'xs_init'", "5", "11")):
        model.run()


def test_ou_state_wrong_shape():
    with pytest.raises(ValueError, match=both("x_ou", "(3,)")):
        hopf(x_ou=np.zeros(3)).run()


# ---------------------------------------------------------------------------------------------- inputs
def test_input_wrong_node_count():
    model = HopfModel(Cmat=np.ones((2, 2)), seed=0)
    model.params["duration"] = 1.0
    model.params["x_ext"] = np.zeros((3, 10))
    with pytest.raises(ValueError, match=both("'x_ext'", "(3, 10)")):
        model.run()


def test_input_shorter_than_run():
    with pytest.raises(ValueError, match=both("'x_ext'", "5", "10")):
        hopf(duration=1.0, x_ext=np.zeros((1, 5))).run()


def test_input_non_numeric():
    with pytest.raises(ValueError, match=both("'x_ext'", "'strong'")):
        hopf(x_ext="strong").run()


def test_input_nan():
    x = np.zeros((1, 10))
    x[0, 3] = np.nan
    with pytest.raises(ValueError, match=both("'x_ext'", "NaN")):
        hopf(x_ext=x).run()


# ---------------------------------------------------------------------------------------------- run arguments
@pytest.mark.parametrize("chunksize", [0, -1, 1.5])
def test_bad_chunksize(chunksize):
    model = hopf(duration=1.0)
    with pytest.raises(ValueError, match=both("'chunksize'", repr(chunksize))):
        model.run(chunksize=chunksize)


def test_bad_chunksize_chunkwise_flag():
    model = hopf(duration=1.0)
    with pytest.raises(ValueError, match="'chunksize'"):
        model.run(chunkwise=True, chunksize=0)


# ---------------------------------------------------------------------------------------------- seeds
@pytest.mark.parametrize("seed", [-1, "abc", 1.5])
def test_bad_seed_at_construction(seed):
    with pytest.raises(ValueError, match=both("'seed'", repr(seed))):
        HopfModel(seed=seed)


@pytest.mark.parametrize("seed", [-1, "abc"])
def test_bad_seed_at_run(seed):
    with pytest.raises(ValueError, match=both("'seed'", repr(seed))):
        hopf(seed=seed).run()


def test_failed_run_leaves_model_usable():
    model = hopf(duration=1.0)
    model.params["a"] = "big"
    with pytest.raises(ValueError):
        model.run()
    model.params["a"] = 0.25
    assert model.params["duration"] == 1.0
    model.run()
    assert model.output.shape == (1, 10)
