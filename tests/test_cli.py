"""The command line: ``neurolib run MODEL ...``."""

import numpy as np
import pytest
import xarray as xr

import neurolib
from neurolib import cli
from neurolib.cli import UsageError, main, parse_assignment
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


def test_unknown_model_and_single_node_dataset(capsys):
    assert main(["run", "hopff"]) == 2
    assert "unknown model 'hopff'" in capsys.readouterr().err
    assert main(["run", "thalamus", "--dataset", "gw"]) == 2
    assert "single node" in capsys.readouterr().err


def test_parse_assignment():
    assert parse_assignment("a=0.5") == ("a", 0.5)
    assert parse_assignment("coupling=additive") == ("coupling", "additive")
    name, value = parse_assignment("omega=[1, 2]")
    assert name == "omega" and np.array_equal(value, [1.0, 2.0])
    with pytest.raises(UsageError, match="name=value"):
        parse_assignment("novalue")


# ---------------------------------------------------------------------------------------------- issue 7, item 12
def test_issue7_item12_out_folder_checked_before_the_run(tmp_path, capsys):
    missing = tmp_path / "no" / "such" / "folder" / "x.nc"
    assert main(["run", "hopf", "--duration", "10", "--out", str(missing), "--quiet"]) == 2
    captured = capsys.readouterr()
    assert captured.out == ""  # refused before simulating: no summary
    assert f"--out {str(missing)!r}: the folder" in captured.err and "does not exist" in captured.err
    assert main(["run", "hopf", "--duration", "10", "--out", str(tmp_path), "--quiet"]) == 2
    assert "is a folder" in capsys.readouterr().err
    assert list(tmp_path.iterdir()) == []  # the write test left nothing behind


def test_issue7_item12_version(capsys):
    with pytest.raises(SystemExit) as info:
        main(["--version"])
    assert info.value.code == 0
    assert capsys.readouterr().out.strip() == f"neurolib {neurolib.__version__}"


def test_issue7_item12_params_lists_every_parameter(capsys):
    assert main(["params", "hopf"]) == 0
    lines = capsys.readouterr().out.splitlines()
    rows = {line.split()[0]: line for line in lines[2:]}
    assert list(rows) == [p.name for p in HopfModel.spec.params]
    for p in HopfModel.spec.params:
        assert p.unit in rows[p.name] and p.doc in rows[p.name]
    assert rows["K_gl"].split()[:3] == ["K_gl", "0.6", "-"]
    assert rows["dt"].split()[:3] == ["dt", "0.1", "ms"]
    assert rows["xs_init"].split()[1] == "random"
    assert main(["params", "nope"]) == 2


def test_issue7_item12_out_is_compressed_netcdf4(tmp_path, shared_datasets):
    out = tmp_path / "wc.nc"
    assert (
        main(["run", "wc", "--duration", "2000", "--dataset", "gw", "--seed", "1", "--out", str(out), "--quiet"]) == 0
    )
    assert out.read_bytes()[:8] == b"\x89HDF\r\n\x1a\n"  # netCDF4 is HDF5
    with xr.open_dataset(out, engine="h5netcdf") as ds:
        assert ds["exc"].encoding["zlib"] is True and ds["exc"].encoding["complevel"] == 4
        raw = ds["exc"].nbytes + ds["inh"].nbytes
        assert ds["exc"].shape == (80, 20000)
    assert out.stat().st_size < 0.5 * raw  # 25.6 MB of float64 outputs


def test_issue7_item12_exit_status_of_usage_errors_and_failures(tmp_path, monkeypatch, capsys):
    assert main(["run", "hopf", "--duration", "10", "--set", "dt=-1", "--quiet"]) == 2
    assert "'dt' must be > 0 ms, got -1.0" in capsys.readouterr().err

    def broken(ds, path):
        raise OSError("No space left on device")

    monkeypatch.setattr(cli, "write_netcdf", broken)
    assert main(["run", "hopf", "--duration", "10", "--out", str(tmp_path / "x.nc"), "--quiet"]) == 1
    assert "No space left on device" in capsys.readouterr().err
    with pytest.raises(SystemExit) as info:  # argparse's own usage errors
        main(["run"])
    assert info.value.code == 2


def test_issue7_item12_too_long_duration_fails_before_allocating(capsys):
    assert main(["run", "hopf", "--duration", "1e13", "--quiet"]) == 2
    err = capsys.readouterr().err
    assert "needs about 1.6e+03 TB of memory" in err
    for remedy in ("sampling_dt", "chunkwise=True", "output_vars"):
        assert remedy in err


def test_output_cut_short_by_the_reader_is_not_an_error(monkeypatch, capsys, tmp_path):
    """``neurolib params aln | head -1``: the reader closes the pipe early; the command ends quietly (exit 0)."""
    import io
    import sys

    from neurolib import cli

    class ClosedPipe(io.StringIO):
        def write(self, text):
            raise BrokenPipeError(32, "Broken pipe")

        def fileno(self):  # where the command points stdout at /dev/null
            return target.fileno()

    target = open(tmp_path / "stdout", "w")
    monkeypatch.setattr(sys, "stdout", ClosedPipe())
    assert cli.main(["params", "aln"]) == 0
    target.close()
    assert capsys.readouterr().err == ""
