"""Save xarray results to disk: pickle, or netCDF with the attributes in a JSON side file.

netCDF is written with the ``netcdf4`` engine when the ``netCDF4`` package is installed, otherwise with xarray's
``scipy`` engine (netCDF3: 64-bit integers are stored as 32-bit ones, complex values are not supported).
"""

import importlib.util
import json
import pickle

import numpy as np

from neurolib.errors import ParameterTypeError


def netcdf_engine():
    """The xarray engine used to write netCDF files.

    Returns
    -------
    str
        ``"netcdf4"`` when the ``netCDF4`` package is importable, else ``"scipy"`` (netCDF3 classic format).
    """
    return "netcdf4" if importlib.util.find_spec("netCDF4") is not None else "scipy"


def _check_xarray(function, datafield):
    import xarray as xr

    if not isinstance(datafield, (xr.DataArray, xr.Dataset)):
        raise ParameterTypeError(
            f"{function}(datafield=...) expects an xarray.DataArray or xarray.Dataset, got {type(datafield).__name__}."
        )


def _with_suffix(filename, suffix):
    """``filename`` as a string that ends in ``suffix`` (appended when missing)."""
    path = str(filename)
    return path if path.endswith(suffix) else path + suffix


def _jsonable(value):
    """Recursively turn numpy arrays (and numpy scalars) inside dicts, lists and tuples into plain Python."""
    if isinstance(value, (np.ndarray, np.generic)):
        return value.tolist()  # a numpy scalar's tolist() is its Python value
    if isinstance(value, dict):
        return {key: _jsonable(item) for key, item in value.items()}
    return [_jsonable(item) for item in value] if type(value) in (list, tuple) else value


def save_to_pickle(datafield, filename):
    """Pickle an xarray object with the highest pickle protocol.

    Parameters
    ----------
    datafield : xarray.DataArray or xarray.Dataset
        The data to save.
    filename : str or os.PathLike
        Target file; ``.pkl`` is appended if missing.

    Raises
    ------
    neurolib.errors.ParameterTypeError
        (also ``TypeError`` and ``AssertionError``) if ``datafield`` is not an xarray object.

    Examples
    --------
    >>> import os, tempfile, xarray as xr
    >>> save_to_pickle(xr.DataArray([1.0, 2.0]), os.path.join(tempfile.mkdtemp(), "result"))
    """
    _check_xarray("save_to_pickle", datafield)
    payload = pickle.dumps(datafield, protocol=pickle.HIGHEST_PROTOCOL)
    with open(_with_suffix(filename, ".pkl"), "wb") as target:
        target.write(payload)


def save_to_netcdf(datafield, filename):
    """Write an xarray object to netCDF; its attributes go to a JSON file next to it.

    netCDF attributes cannot hold nested dicts or lists of arrays, so a non-empty ``attrs`` is written to
    ``<basename>.json`` (numpy arrays converted to lists, recursively through dicts and lists) and removed from
    the (deep-copied) data before ``to_netcdf``. The object passed in is not modified.

    Parameters
    ----------
    datafield : xarray.DataArray or xarray.Dataset
        The data to save.
    filename : str or os.PathLike
        Target file; ``.nc`` is appended if missing. The attributes go to the same path with ``.json`` instead.

    Raises
    ------
    neurolib.errors.ParameterTypeError
        (also ``TypeError`` and ``AssertionError``) if ``datafield`` is not an xarray object.

    Examples
    --------
    >>> import os, tempfile, xarray as xr
    >>> da = xr.DataArray([1.0, 2.0], dims="time", attrs={"model": "hopf", "K_gl": np.array([0.6])})
    >>> save_to_netcdf(da, os.path.join(tempfile.mkdtemp(), "result"))
    """
    _check_xarray("save_to_netcdf", datafield)
    datafield = datafield.copy(deep=True)
    nc_path = _with_suffix(filename, ".nc")
    if datafield.attrs:
        json_path = nc_path[: -len(".nc")] + ".json"
        with open(json_path, "w") as handle:
            json.dump(_jsonable(dict(datafield.attrs)), handle)
        datafield.attrs = {}
    datafield.to_netcdf(nc_path, engine=netcdf_engine())
