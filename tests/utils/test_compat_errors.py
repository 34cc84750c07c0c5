"""Issue 7, item 6: bad input to the helpers in neurolib.utils raises the project's ParameterError family, which is
a ValueError and an AssertionError (code written against the established package catches AssertionError).
Item 14: the helpers contain no passages identical to the established package's source."""

import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest
import xarray as xr

from neurolib.errors import ParameterError, ParameterKeyError, ParameterTypeError

ROOT = Path(__file__).resolve().parents[2]


def _signal():
    from neurolib.utils.signal import RatesSignal

    data = xr.DataArray(
        np.random.default_rng(0).standard_normal((2, 3, 400)),
        dims=("output", "space", "time"),
        coords={"output": ["rates_exc", "rates_inh"], "space": [0, 1, 2], "time": np.arange(400) * 0.1},
    )
    return RatesSignal(data, time_in_ms=True)


def _bad_calls():
    from neurolib.utils import atlases, collections, functions, loadData, model_utils, saver, signal, stimulus

    sig = _signal()
    return {
        "Signal(no DataArray)": lambda: signal.Signal(np.zeros((2, 5))),
        "Signal(no time)": lambda: signal.Signal(xr.DataArray(np.zeros((2, 5)), dims=("a", "b"))),
        "Signal.iterate": lambda: next(sig.iterate(return_as="numpy")),
        "Signal.sel": lambda: sig.sel([0.0, 0.01, 0.02]),
        "Signal.isel": lambda: sig.isel([3]),
        "Signal.pad": lambda: sig.pad(3, side="middle"),
        "Signal.hilbert_transform": lambda: sig.hilbert_transform(return_as="phase"),
        "Signal.sliding_window": lambda: next(sig.sliding_window(1000)),
        "Signal.resample": lambda: sig.resample(-5.0),
        "Signal.rolling": lambda: sig.rolling(10.0),
        "Signal.__eq__": lambda: sig == 3,
        "scipy_iir_filter_data": lambda: signal.scipy_iir_filter_data(np.zeros(100), 100.0, 80.0, None),
        "getPowerSpectrum": lambda: functions.getPowerSpectrum(np.zeros((2, 100)), 0.1),
        "getMeanPowerSpectrum": lambda: functions.getMeanPowerSpectrum(np.zeros((2, 2, 100)), 0.1),
        "kuramoto": lambda: functions.kuramoto(np.zeros(10)),
        "fcd": lambda: functions.fcd(np.zeros((3, 10)), windowsize=30),
        "filterSubcortical": lambda: loadData.filterSubcortical(np.zeros((94, 94)), axis=2),
        "Dataset(unknown)": lambda: loadData.Dataset("no_such_dataset"),
        "Dataset(normalization)": lambda: loadData.Dataset("gw", normalizeCmats="median"),
        "save_to_pickle": lambda: saver.save_to_pickle(np.zeros(3), "x"),
        "save_to_netcdf": lambda: saver.save_to_netcdf([1, 2], "x"),
        "adjustArrayShape": lambda: model_utils.adjustArrayShape(np.zeros((2, 2, 2)), np.zeros((2, 3))),
        "add_rois": lambda: atlases.AutomatedAnatomicalParcellation2().add_rois({0: "again"}),
        "atlas group": lambda: atlases.DesikanKilliany().names(),
        "star filter": lambda: collections.star_dotdict({"a.b": 1})["*b|x|y"],
        "flat_dict_to_nested": lambda: collections.flat_dict_to_nested({"a": 1, "a.b": 2}),
        "StepInput": lambda: stimulus.StepInput(step_size="big"),
        "ExponentialInput": lambda: stimulus.ExponentialInput(1.0, exp_type="sideways"),
        "to_model": lambda: stimulus.ZeroInput().to_model("model"),
        "ConcatenatedStimulus": lambda: stimulus.ConcatenatedStimulus([stimulus.ZeroInput()], length_ratios=[0]),
    }


@pytest.mark.parametrize("name", sorted(_bad_calls()))
def test_issue7_item6_utils_errors_are_parameter_errors(name, monkeypatch, tmp_path):
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("NEUROLIB_DATA", str(tmp_path))  # no download attempts for the dataset cases
    with pytest.raises(ParameterError) as info:
        _bad_calls()[name]()
    assert isinstance(info.value, ValueError) and isinstance(info.value, AssertionError)
    assert str(info.value), f"{name}: empty message"


def test_issue7_item6_error_classes_keep_their_names():
    from neurolib.utils.atlases import AtlasGroupError
    from neurolib.utils.loadData import DatasetNotFoundError, NormalizationMethodError
    from neurolib.utils.stimulus import StimulusAttributeError, StimulusTypeError, StimulusValueError

    assert issubclass(StimulusValueError, ParameterError)
    assert issubclass(StimulusTypeError, ParameterTypeError) and issubclass(StimulusTypeError, TypeError)
    assert issubclass(StimulusAttributeError, ParameterError) and issubclass(StimulusAttributeError, AttributeError)
    assert issubclass(DatasetNotFoundError, ParameterError)
    assert issubclass(NormalizationMethodError, ParameterError) and issubclass(
        NormalizationMethodError, NotImplementedError
    )
    assert issubclass(AtlasGroupError, ParameterError) and issubclass(AtlasGroupError, AttributeError)


def test_issue7_item6_messages_name_the_argument():
    sig = _signal()
    with pytest.raises(ParameterError, match=r"pad\(side='middle'\): expected 'before', 'after' or 'both'"):
        sig.pad(3, side="middle")
    with pytest.raises(ParameterError, match=r"isel\(isel_args=\.\.\.\) expects two bounds"):
        sig.isel([3])
    with pytest.raises(ParameterTypeError, match=r"RatesSignal\(data=\.\.\.\) expects an xarray.DataArray, got list"):
        type(sig)([1, 2])


def test_issue7_item6_missing_subject_data_is_key_error(shared_datasets):
    from neurolib.utils.loadData import Dataset

    ds = Dataset("gw")
    with pytest.raises(ParameterKeyError, match="getDataPerSubject\\(name='waytotal'\\)"):
        ds.getDataPerSubject("waytotal")


OWN_WORK_CHECK = ROOT.parent / "shared" / "tools" / "own_work_check.py"
MY_PATHS = [
    *(str(p.relative_to(ROOT)) for p in sorted((ROOT / "neurolib" / "utils").glob("*.py"))),
    "neurolib/models/aln/loadDefaultParams.py",
    "neurolib/models/thalamus/loadDefaultParams.py",
    "tests/utils",
]
OTHER_OWNERS = ("parameterSpace.py", "pypetUtils.py")  # checked with their own items


@pytest.mark.skipif(not OWN_WORK_CHECK.is_file(), reason=f"own-work check not available: {OWN_WORK_CHECK}")
def test_issue7_item14_utils_have_no_lines_identical_to_upstream():
    paths = [p for p in MY_PATHS if not p.endswith(OTHER_OWNERS)]
    done = subprocess.run(
        [sys.executable, str(OWN_WORK_CHECK), *paths], cwd=ROOT, capture_output=True, text=True, check=False
    )
    flagged = [line for line in done.stdout.splitlines() if ".py:" in line]
    assert not flagged, "lines identical to the established package:\n" + "\n".join(flagged)
    assert done.returncode == 0, done.stdout
