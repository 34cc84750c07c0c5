"""The command line: ``neurolib run MODEL ...``."""

import numpy as np
import pytest
import xarray as xr

from neurolib.cli import main, parse_assignment
from neurolib.models.hopf import HopfModel


def test_run_writes_netcdf_and_plot(tmp_path, capsys):
    out, png = tmp_path / "hopf.nc", tmp_path / "hopf.png"
    args = ["run", "hopf", "--duration", "50", "--seed", "3", "--set", "K_gl=0.5", "--set", "sigma_ou=0.01"]
    assert main([*args, "--out", str(out), "--plot", str(png), "--quiet"]) == 0
    text = capsys.readouterr().out
    assert "hopf: 1 node(s), 50 ms at dt = 0.1 ms (500 samples)" in text
    assert png.stat().st_size > 1000  # a real PNG was drawn
    ds = xr.load_dataset(out)
    # the same simulation through the Python API gives the stored values
    model = HopfModel(seed=3)
    model.params.update(duration=50.0, K_gl=0.5, sigma_ou=0.01)
    model.run()
    np.testing.assert_array_equal(ds["x"].values, model.x)
    np.testing.assert_array_equal(ds["time"].values, model.t)
    assert ds.attrs["K_gl"] == 0.5 and ds["time"].attrs["units"] == "ms"


def test_run_with_dataset_and_bold(tmp_path, shared_datasets, capsys):
    out = tmp_path / "wc.nc"
    assert main(["run", "wc", "--duration", "4100", "--dataset", "gw", "--bold", "--out", str(out), "--quiet"]) == 0
    ds = xr.load_dataset(out)
    assert ds["exc"].shape == (80, 41000)
    assert ds["BOLD"].shape == (80, 3)
    np.testing.assert_allclose(ds["time_BOLD"].values, [0.1, 2000.1, 4000.1])
    assert "BOLD" in capsys.readouterr().out


def test_misspelt_parameter_is_reported(capsys):
    assert main(["run", "hopf", "--duration", "10", "--set", "sigma_uo=0.1", "--quiet"]) == 2
    assert "Did you mean 'sigma_ou'?" in capsys.readouterr().err


def test_unknown_model_and_single_node_dataset():
    with pytest.raises(SystemExit, match="unknown model 'hopff'"):
        main(["run", "hopff"])
    with pytest.raises(SystemExit, match="single node"):
        main(["run", "thalamus", "--dataset", "gw"])


def test_parse_assignment():
    assert parse_assignment("a=0.5") == ("a", 0.5)
    assert parse_assignment("coupling=additive") == ("coupling", "additive")
    name, value = parse_assignment("omega=[1, 2]")
    assert name == "omega" and np.array_equal(value, [1.0, 2.0])
    with pytest.raises(SystemExit, match="name=value"):
        parse_assignment("novalue")
