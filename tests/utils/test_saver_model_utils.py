"""Tests for neurolib.utils.saver and neurolib.utils.model_utils."""

import json
import pickle

import numpy as np
import pytest
import xarray as xr

from neurolib.utils.model_utils import adjustArrayShape, computeDelayMatrix
from neurolib.utils.saver import save_to_netcdf, save_to_pickle

# ---------------------------------------------------------------- saver


def _dataset():
    return xr.Dataset(
        {"rates": (("space", "time"), np.arange(12.0).reshape(3, 4))},
        coords={"space": [0, 1, 2], "time": [0.1, 0.2, 0.3, 0.4]},
        attrs={
            "a": "b",
            "c": 0.1,
            "d": [1, 2, 3],
            "e": np.array([[1.5]]),
            "f": {"aa": [np.array([1, 2]), np.array([3.0, 4.0])], "bb": "3"},
        },
    )


def _without_attrs(ds):
    ds = ds.copy()
    ds.attrs = {}
    return ds


def test_save_to_netcdf_round_trip(tmp_path):
    ds = _dataset()
    save_to_netcdf(ds, tmp_path / "result")
    loaded = xr.load_dataset(tmp_path / "result.nc")
    xr.testing.assert_identical(loaded, _without_attrs(ds))
    assert loaded.attrs == {}
    with open(tmp_path / "result.json") as handle:
        attrs = json.load(handle)
    assert attrs == {"a": "b", "c": 0.1, "d": [1, 2, 3], "e": [[1.5]], "f": {"aa": [[1, 2], [3.0, 4.0]], "bb": "3"}}
    assert isinstance(ds.attrs["e"], np.ndarray)  # input untouched


def test_save_to_netcdf_dataarray_without_attrs(tmp_path):
    da = xr.DataArray(np.ones((2, 3)), dims=("space", "time"))
    save_to_netcdf(da, str(tmp_path / "plain.nc"))
    xr.testing.assert_identical(xr.load_dataarray(tmp_path / "plain.nc"), da)
    assert not (tmp_path / "plain.json").exists()


def test_save_to_pickle(tmp_path):
    ds = _dataset()
    save_to_pickle(ds, tmp_path / "result")
    with open(tmp_path / "result.pkl", "rb") as handle:
        loaded = pickle.load(handle)
    xr.testing.assert_identical(_without_attrs(loaded), _without_attrs(ds))
    assert loaded.attrs.keys() == ds.attrs.keys()
    np.testing.assert_array_equal(loaded.attrs["f"]["aa"][1], ds.attrs["f"]["aa"][1])


def test_savers_reject_non_xarray(tmp_path):
    with pytest.raises(AssertionError):
        save_to_pickle(np.ones(3), tmp_path / "x")
    with pytest.raises(AssertionError):
        save_to_netcdf({"a": 1}, tmp_path / "x")


# ---------------------------------------------------------------- model_utils


@pytest.mark.parametrize(
    "original, shape, expected",
    [
        (3.0, (2, 3), np.full((2, 3), 3.0)),
        (np.array([[1.0], [2.0]]), (2, 3), np.array([[1.0, 1, 1], [2, 2, 2]])),
        ([1, 2], (2, 5), np.array([[2, 1, 2, 1, 2]] * 2)),
        (np.array([[1, 2, 3]]), (2, 5), np.array([[2, 3, 1, 2, 3]] * 2)),
        (np.arange(10).reshape(2, 5), (2, 3), np.array([[2, 3, 4], [7, 8, 9]])),
        (np.arange(6).reshape(2, 3), (3, 3), np.array([[0, 1, 2], [3, 4, 5], [0, 1, 2]])),
        (np.arange(12).reshape(4, 3), (2, 2), np.array([[1, 2], [4, 5]])),
    ],
)
def test_adjust_array_shape(original, shape, expected):
    out = adjustArrayShape(original, np.zeros(shape))
    assert out.shape == shape
    np.testing.assert_array_equal(out, expected)


def test_adjust_array_shape_errors():
    with pytest.raises(ValueError):
        adjustArrayShape(np.zeros((2, 2, 2)), np.zeros((2, 2)))
    with pytest.raises(ValueError):
        adjustArrayShape([], np.zeros((2, 2)))
    assert adjustArrayShape(1.0, np.zeros((2, 0))).shape == (2, 0)


def test_compute_delay_matrix():
    lengths = np.array([[0.0, 30.0], [30.0, 0.0]])
    np.testing.assert_array_equal(computeDelayMatrix(lengths, 20.0), lengths / 20.0)
    np.testing.assert_array_equal(computeDelayMatrix(lengths, 20.0, segmentLength=2.0), lengths * 2.0 / 20.0)
    np.testing.assert_array_equal(computeDelayMatrix(lengths, 0.0), np.zeros((2, 2)))
