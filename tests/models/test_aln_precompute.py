"""Tests of the ALN transfer-function table precompute against the reference (upstream) table."""

from pathlib import Path

import numpy as np
import pytest

from neurolib.models.aln import precompute as pc

REFERENCE = Path(__file__).resolve().parents[2].parent / "shared" / "data" / "reference" / "aln_quantities_cascade.h5"
TABLE = Path(pc.__file__).resolve().parent / "data" / "aln_table.h5"
QUANTITIES = ("r_ss", "V_mean_ss", "tau_mu_exp", "tau_sigma_exp")
RTOL = 1e-6
TAU_ATOL = 1e-9  # taus lie on the lattice 0.001 + 0.01 m: they must agree exactly up to float noise


def _read(path, keys):
    h5py = pytest.importorskip("h5py")
    with h5py.File(path, "r") as f:
        return {k: f[k][()] for k in keys}


@pytest.fixture(scope="module")
def reference():
    """The four run-time tables and the grids of the reference file (skips when it is absent)."""
    if not REFERENCE.is_file():
        pytest.skip(f"reference ALN table not available: {REFERENCE} does not exist")
    return _read(REFERENCE, ("mu_vals", "sigma_vals", *QUANTITIES))


def _assert_close(name, got, want):
    """Compare with rtol 1e-6 (atol 1e-9 * max|ref| for rates/voltages) or 1e-9 absolute for the taus."""
    got = np.asarray(got, dtype=float)
    want = np.asarray(want, dtype=float)
    if name.startswith("tau"):
        np.testing.assert_allclose(got, want, rtol=0, atol=TAU_ATOL, err_msg=name)
    else:
        np.testing.assert_allclose(got, want, rtol=RTOL, atol=1e-9 * np.max(np.abs(want)), err_msg=name)


def _sample(n, seed):
    """The four corners, [50, 40] and n - 5 further random (mu_index, sigma_index) pairs."""
    rng = np.random.default_rng(seed)
    fixed = [(0, 0), (0, 63), (349, 0), (349, 63), (50, 40)]
    rand = [tuple(x) for x in rng.integers(0, [350, 64], size=(n - len(fixed), 2))]
    return fixed + rand


def _check_points(reference, points):
    mu, sigma = reference["mu_vals"], reference["sigma_vals"]
    got = np.array([pc.aln_point(mu[i], sigma[j]) for i, j in points])
    for q, name in enumerate(QUANTITIES):
        want = np.array([reference[name][i, j] for i, j in points])
        _assert_close(name, got[:, q], want)


def test_grids_match_reference(reference):
    V, dV, kr = pc.voltage_grid()
    assert V.size == 16001 and kr == 13000 and dV == 0.009999999999990905
    np.testing.assert_array_equal(pc.default_mu_vals(), reference["mu_vals"])
    np.testing.assert_array_equal(pc.default_sigma_vals(), reference["sigma_vals"])
    f = pc.freq_grid()
    assert f.size == 4000 and f[0] == 0.00025 and f[-1] == 1.0


@pytest.mark.parametrize(
    "start, stop, step", [(0.001, 100.0, 1.0), (0.001, 2.001, 0.01), (23.001, 25.001, 0.01), (98.001, 100.0, 0.01)]
)
def test_fit_grids_have_numpy_arange_semantics(start, stop, step):
    np.testing.assert_array_equal(pc._np_arange(start, stop, step), np.arange(start, stop, step))


def test_points_match_reference(reference):
    """60 grid points (corners, [50, 40], 55 random) agree with the reference table."""
    _check_points(reference, _sample(60, seed=20240601))


@pytest.mark.slow
def test_many_points_match_reference(reference):
    """300 further random grid points agree with the reference table."""
    _check_points(reference, _sample(300, seed=7))


def test_compute_table_checkpoint_and_resume(tmp_path, reference):
    """A small table is written as HDF5; finished rows in the checkpoint folder are reused, not recomputed."""
    mu = reference["mu_vals"][[0, 50]]
    sigma = reference["sigma_vals"][[0, 40]]
    out = tmp_path / "t.h5"
    partial = tmp_path / "t.h5.partial"
    partial.mkdir()
    # a finished row 0 from a previous, interrupted run (marked by sentinel values)
    row0 = np.full((4, 2), 42.0)
    pc._save_row(partial / "row_0000.npz", float(mu[0]), sigma, pc._merged(None), row0)
    res = pc.compute_table(mu, sigma, processes=1, progress=False, out=out)
    np.testing.assert_array_equal(res["r_ss"][0], [42.0, 42.0])
    _assert_close("r_ss", res["r_ss"][1, 1], reference["r_ss"][50, 40])
    _assert_close("tau_mu_exp", res["tau_mu_exp"][1, 1], reference["tau_mu_exp"][50, 40])
    assert not partial.exists()
    data = _read(out, ("mu_vals", "sigma_vals", *QUANTITIES))
    for name in QUANTITIES:
        assert data[name].shape == (2, 2) and data[name].dtype == np.float64
        np.testing.assert_array_equal(data[name], res[name])
    # rows made with other settings are not reused
    partial.mkdir()
    pc._save_row(partial / "row_0000.npz", float(mu[0]), sigma[:1] + 1.0, pc._merged(None), row0[:, :1])
    res = pc.compute_table(mu[:1], sigma[:1], processes=1, progress=False, out=out)
    _assert_close("r_ss", res["r_ss"][0, 0], reference["r_ss"][0, 0])


def test_shipped_table_matches_reference(reference):
    """Every entry of the committed table agrees with the reference table."""
    if not TABLE.is_file():
        pytest.skip(f"precomputed ALN table not generated yet: {TABLE} does not exist")
    table = _read(TABLE, ("mu_vals", "sigma_vals", *QUANTITIES))
    np.testing.assert_array_equal(table["mu_vals"], reference["mu_vals"])
    np.testing.assert_array_equal(table["sigma_vals"], reference["sigma_vals"])
    for name in QUANTITIES:
        assert table[name].shape == (350, 64) and table[name].dtype == np.float64
        _assert_close(name, table[name], reference[name])
