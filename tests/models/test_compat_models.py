"""Issue 7, model side: diverging chunkwise runs, one NaN warning, misspelt attribute reads, parameter errors
that are also ``AssertionError``s, ``Dmat`` in messages, and the memory check of ``run()``."""

import logging
import re
import warnings

import numpy as np
import pytest

from neurolib._core import _memory
from neurolib.errors import ParameterError, ParameterKeyError, ParameterNameError, ParameterTypeError
from neurolib.models.fhn import FHNModel
from neurolib.models.hopf import HopfModel
from neurolib.models.model import Model, OutputTooLargeError


def diverging_fhn(duration):
    """The issue's repro: FHN on the HCP connectome, additive coupling strong enough to blow up at t = 3.6 ms."""
    from neurolib.utils.loadData import Dataset

    ds = Dataset("hcp")
    model = FHNModel(Cmat=ds.Cmat, Dmat=ds.Dmat, seed=0)
    model.params["dt"] = 0.2
    model.params["duration"] = duration
    model.params["x_ext"] = 2.0 * np.ones(model.params["N"])
    model.params["K_gl"] = 2.0
    model.params["coupling"] = "additive"
    return model


def run_recording(model, **kwargs):
    """Run and return every warning it emitted (all categories, none filtered)."""
    with warnings.catch_warnings(record=True) as record:
        warnings.simplefilter("always")
        model.run(**kwargs)
    return [str(w.message) for w in record], [w.category for w in record]


# ---------------------------------------------------------------------------------------------- item 1
def test_issue7_item1_chunkwise_diverging_run_gives_nan(shared_datasets):
    # 3 s at dt = 0.2 ms: a full 2 s chunk (10000 steps) then a second one of 5000 steps, which starts from the
    # NaN state the first one left behind (it used to be rejected as "contains NaN or inf")
    model = diverging_fhn(3000.0)
    messages, categories = run_recording(model, chunkwise=True, bold=True)
    assert categories == [RuntimeWarning]
    assert "'x'" in messages[0] and "t = 3.6 ms" in messages[0]
    # only the last chunk is kept (append_outputs=False): 5000 steps, every value NaN
    assert model.x.shape == (80, 5000) and model.y.shape == (80, 5000)
    assert np.isnan(model.x).all() and np.isnan(model.y).all()
    np.testing.assert_allclose(model.t[[0, -1]], [2000.2, 3000.0])
    # BOLD: samples at t = 0.2 ms (before the divergence: finite) and 2000.2 ms (NaN)
    np.testing.assert_allclose(model.BOLD.t_BOLD, [0.2, 2000.2])
    assert np.isfinite(model.BOLD.BOLD[:, 0]).all()
    assert np.isnan(model.BOLD.BOLD[:, 1]).all()
    assert "t_BOLD = 2000.2 ms" in messages[0]


def test_issue7_item1_chunked_and_whole_run_agree_when_diverging(shared_datasets):
    chunked = diverging_fhn(3000.0)
    chunk_messages, _ = run_recording(chunked, chunkwise=True, bold=True, append_outputs=True)
    whole = diverging_fhn(3000.0)
    whole_messages, _ = run_recording(whole, bold=True)
    assert chunk_messages == whole_messages and len(whole_messages) == 1
    np.testing.assert_array_equal(chunked.x, whole.x)  # NaN in the same places, equal values elsewhere
    np.testing.assert_array_equal(chunked.BOLD.BOLD, whole.BOLD.BOLD)
    first = int(np.argmax(~np.isfinite(whole.x).all(axis=0)))
    assert whole.t[first] == pytest.approx(3.6)


def test_issue7_item1_user_set_nan_initial_value_is_still_rejected():
    model = HopfModel(Cmat=np.ones((2, 2)), Dmat=np.full((2, 2), 40.0), seed=0)
    model.params["duration"] = 5.0
    model.params["xs_init"] = np.full((2, 1), np.nan)
    with pytest.raises(ParameterError, match=re.escape("'xs_init' contains NaN or inf")):
        model.run(chunkwise=True, chunksize=10)


def test_issue7_item1_continue_run_after_divergence_stays_nan(shared_datasets):
    model = diverging_fhn(100.0)
    run_recording(model)
    messages, _ = run_recording(model, continue_run=True)
    assert len(messages) == 1 and "diverged" in messages[0]
    assert model.x.shape == (80, 500) and np.isnan(model.x).all()


# ---------------------------------------------------------------------------------------------- item 4
def test_issue7_item4_nan_warning_emitted_once_through_warnings(shared_datasets, caplog):
    model = diverging_fhn(50.0)
    with caplog.at_level(logging.DEBUG):
        messages, categories = run_recording(model, bold=True)
    # x and y both diverge: one warning names both, with their first times; nothing is logged about it
    assert categories == [RuntimeWarning]
    assert re.search(r"'x' became NaN or inf at t = 3\.6 ms", messages[0])
    assert "'y' (t = 3.8 ms)" in messages[0]
    assert [r.getMessage() for r in caplog.records if r.levelno >= logging.WARNING] == []


def test_issue7_item4_check_outputs_warns_once():
    model = HopfModel(seed=0)
    model.params["duration"] = 10.0
    model.run()
    model.outputs["x"][0, 40:] = np.inf
    model.outputs["y"][0, 60:] = np.nan
    with pytest.warns(RuntimeWarning) as record:
        model.checkOutputs()
    assert len(record) == 1
    assert "'x' became NaN or inf at t = 4.1 ms" in str(record[0].message)
    assert "'y' (t = 6.1 ms)" in str(record[0].message)


# ---------------------------------------------------------------------------------------------- item 5
def test_issue7_item5_attribute_read_of_misspelt_parameter_raises():
    model = HopfModel(seed=0)
    with pytest.raises(
        AttributeError, match=re.escape("'sigma_uo' is not a parameter of the hopf model. Did you mean 'sigma_ou'?")
    ):
        _ = model.params.sigma_uo
    with pytest.raises(ParameterNameError):
        _ = model.params.sigma_uo
    with pytest.raises(KeyError, match="Did you mean 'sigma_ou'"):  # item access, as before
        model.params["sigma_uo"]
    # getattr/hasattr keep their meaning; declared parameters read as usual
    assert not hasattr(model.params, "sigma_uo")
    assert getattr(model.params, "sigma_uo", 7) == 7
    assert model.params.sigma_ou == 0.0
    assert model.params.sampling_dt is None  # accepted but unset: None, like item .get()


# ---------------------------------------------------------------------------------------------- item 6
def hopf(duration=20.0, **params):
    model = HopfModel(seed=0)
    model.params["duration"] = duration
    model.params.update(params)
    return model


@pytest.mark.parametrize(
    "params,run_kwargs",
    [
        ({"dt": 10.0, "sampling_dt": 9.0}, {}),  # sampling_dt smaller than dt
        ({"duration": 10.0, "dt": 0.1, "sampling_dt": 30.0}, {}),  # larger than the duration
        ({"duration": 2000.0, "dt": 0.1, "sampling_dt": 11.11}, {"chunksize": 3000}),  # not whole steps
        ({"duration": 2000.0, "dt": 0.1, "sampling_dt": 0.21}, {"chunksize": 210}),
        ({"duration": 2000.0, "dt": 0.1, "sampling_dt": 30.0}, {"chunksize": 210}),  # chunk shorter than it
        ({"dt": -0.1}, {}),
        ({"tau_ou": -1.0}, {}),
        ({"coupling": "foo"}, {}),
    ],
)
def test_issue7_item6_parameter_errors_are_assertion_errors(params, run_kwargs):
    model = HopfModel(seed=0)
    model.params.update(params)
    with pytest.raises(AssertionError) as info:
        model.run(**run_kwargs)
    assert isinstance(info.value, ParameterError) and isinstance(info.value, ValueError)


def test_issue7_item6_negative_sampling_dt_is_a_value_error():
    with pytest.raises(ValueError, match="'sampling_dt'"):
        hopf(sampling_dt=-30.0).run()


def test_issue7_item6_output_and_chunk_checks_are_assertion_errors():
    model = hopf()
    model.run()
    with pytest.raises(AssertionError, match="'BOLD.BOLD'"):
        model.getOutput("BOLD.BOLD")
    with pytest.raises(KeyError):
        model["nope"]
    with pytest.raises(AssertionError):
        model.getOutput(3)
    with pytest.raises(AssertionError):
        model.getOutputs(1)
    with pytest.raises(AssertionError):
        model.setOutput("a", {"b": 1})
    with pytest.raises(TypeError):
        model.setOutput("a", [1, 2])
    with pytest.raises(AssertionError, match="shape"):
        model.setOutput("a", np.zeros((1, 2, 3)), removeICs=True)
    with pytest.raises((AssertionError, TypeError), match="'chunksize'"):
        model.run(chunksize=2.5)
    with pytest.raises(ParameterKeyError):
        model.params["sigma_uo"] = 0.1
    with pytest.raises(ParameterTypeError, match=re.escape("'seed' must be None or a non-negative integer, got 1.5")):
        HopfModel(seed=1.5)


def test_issue7_item6_chunkwise_without_init_vars_is_an_assertion_error():
    class Leaky(Model):
        name = "leaky"
        state_vars = ["r"]
        default_output = "r"

    def integrate(params):
        T = int(round(params["duration"] / params["dt"]))
        return np.arange(1, T + 1) * params["dt"], np.zeros((1, T + 1))

    model = Leaky(integrate, {"dt": 0.1, "duration": 1.0, "N": 1})
    model.run()
    assert model.r.shape == (1, 10)
    with pytest.raises(AssertionError, match="'init_vars'"):
        model.run(chunkwise=True)


# ---------------------------------------------------------------------------------------------- item 10
def test_issue7_item10_dmat_errors_name_the_dmat_argument():
    Cmat = np.ones((3, 3))
    with pytest.raises(
        ParameterError,
        match=re.escape(
            "'Dmat' (params['lengthMat'], fibre lengths in mm) must have shape (3, 3) to match Cmat, got (2, 2)"
        ),
    ):
        HopfModel(Cmat=Cmat, Dmat=np.ones((2, 2)))
    Dmat = np.ones((3, 3))
    Dmat[0, 2] = -1.5
    with pytest.raises(
        ParameterError,
        match=re.escape(
            "'Dmat' (params['lengthMat'], fibre lengths in mm) must hold lengths >= 0 mm, got a minimum of -1.5"
        ),
    ):
        HopfModel(Cmat=Cmat, Dmat=Dmat)
    Dmat[0, 2] = np.nan
    with pytest.raises(ParameterError, match=re.escape("'Dmat' (params['lengthMat']")):
        HopfModel(Cmat=Cmat, Dmat=Dmat)
    with pytest.raises(TypeError, match="'Dmat'"):
        HopfModel(Cmat=Cmat, Dmat="lengths.csv")
    # set later through params: the message still names both spellings
    model = HopfModel(Cmat=Cmat, seed=0)
    model.params["lengthMat"] = np.ones((2, 2))
    with pytest.raises(ParameterError, match=re.escape("'Dmat' (params['lengthMat']")):
        model.run()


# ---------------------------------------------------------------------------------------------- item 12
def test_issue7_item12_run_refuses_outputs_larger_than_memory():
    model = HopfModel(Cmat=np.ones((80, 80)), Dmat=np.zeros((80, 80)), seed=0)
    model.params["duration"] = 1e12  # 1e13 steps of 80 nodes: ~13 PB, more than any machine has
    with pytest.raises(OutputTooLargeError) as info:
        model.run()
    msg = str(info.value)
    assert isinstance(info.value, MemoryError) and isinstance(info.value, ParameterError)
    assert re.search(r"needs about 1\.28e\+04 TB of memory", msg)
    for remedy in ("sampling_dt", "chunkwise=True", "output_vars"):
        assert remedy in msg
    assert model.outputs == {}  # nothing was run


def test_issue7_item12_memory_estimate_follows_chunking_and_sampling(monkeypatch):
    # 4 nodes, 2 buffered variables, 10000 steps at 8 bytes: 640 kB for a whole run
    monkeypatch.setattr(_memory, "available_bytes", lambda: 300_000)
    monkeypatch.setattr(_memory, "MIN_BYTES", 0)  # small runs normally skip the check
    model = HopfModel(Cmat=np.ones((4, 4)), Dmat=np.zeros((4, 4)), seed=0)
    model.params["duration"] = 1000.0
    with pytest.raises(OutputTooLargeError, match=r"needs about 640 kB of memory, but only 300 kB is available"):
        model.run()
    model.run(chunksize=1000)  # 1000 steps in memory at a time: fits
    assert model.x.shape == (4, 1000)
    with pytest.raises(OutputTooLargeError):  # appending keeps everything again
        model.run(chunksize=1000, append_outputs=True)
    model.params["sampling_dt"] = 1.0  # keeps 1 sample in 10
    model.run(chunksize=1000, append_outputs=True)
    assert model.x.shape == (4, 1000)
