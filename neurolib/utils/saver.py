"""Save xarray results to disk: pickle, or netCDF with the attributes in a JSON side file.

netCDF is written with the ``netcdf4`` engine when the ``netCDF4`` package is installed, otherwise with xarray's
``scipy`` engine (netCDF3: 64-bit integers are stored as 32-bit ones, complex values are not supported).
"""

import importlib.util
import json
import pickle

import numpy as np


def netcdf_engine():
    """The xarray engine used to write netCDF files.

    Returns
    -------
    str
        ``"netcdf4"`` when the ``netCDF4`` package is importable, else ``"scipy"`` (netCDF3 classic format).
    """
    return "netcdf4" if importlib.util.find_spec("netCDF4") is not None else "scipy"


def _check_xarray(datafield):
    import xarray as xr

    assert isinstance(datafield, (xr.DataArray, xr.Dataset)), (
        f"Data must be an xarray.DataArray or xarray.Dataset, got {type(datafield).__name__}."
    )


def _jsonable(value):
    """Recursively turn numpy arrays (and numpy scalars) inside dicts, lists and tuples into plain Python."""
    if isinstance(value, np.ndarray):
        return value.tolist()
    if isinstance(value, np.generic):
        return value.item()
    if isinstance(value, dict):
        return {key: _jsonable(item) for key, item in value.items()}
    if isinstance(value, (list, tuple)):
        return [_jsonable(item) for item in value]
    return value


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
    AssertionError
        If ``datafield`` is not an xarray object.

    Examples
    --------
    >>> import os, tempfile, xarray as xr
    >>> save_to_pickle(xr.DataArray([1.0, 2.0]), os.path.join(tempfile.mkdtemp(), "result"))
    """
    _check_xarray(datafield)
    filename = str(filename)
    if not filename.endswith(".pkl"):
        filename += ".pkl"
    with open(filename, "wb") as handle:
        pickle.dump(datafield, handle, protocol=pickle.HIGHEST_PROTOCOL)


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
    AssertionError
        If ``datafield`` is not an xarray object.

    Examples
    --------
    >>> import os, tempfile, xarray as xr
    >>> da = xr.DataArray([1.0, 2.0], dims="time", attrs={"model": "hopf", "K_gl": np.array([0.6])})
    >>> save_to_netcdf(da, os.path.join(tempfile.mkdtemp(), "result"))
    """
    _check_xarray(datafield)
    datafield = datafield.copy(deep=True)
    filename = str(filename)
    if not filename.endswith(".nc"):
        filename += ".nc"
    if datafield.attrs:
        with open(filename[: -len(".nc")] + ".json", "w") as handle:
            json.dump(_jsonable(dict(datafield.attrs)), handle)
        datafield.attrs = {}
    datafield.to_netcdf(filename, engine=netcdf_engine())
