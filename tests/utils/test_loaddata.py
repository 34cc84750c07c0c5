"""Tests for neurolib.utils.loadData (and the FC/FCD functions it uses), on the shared example datasets."""

import hashlib

import numpy as np
import pytest

from neurolib.utils import functions as func
from neurolib.utils import loadData
from neurolib.utils._registry import REGISTRY
from neurolib.utils.loadData import Dataset, DatasetNotFoundError, filterSubcortical

GW_SUBJECTS = ["NAP_001", "NAP_002", "NAP_007", "NAP_009", "NAP_013"]
HCP_SUBJECTS = ["101309", "102311", "102816", "131217", "211619", "213522", "377451"]


def _naive_fcd(ts, windowsize, stepsize):
    fcs = [np.corrcoef(ts[:, t : t + windowsize]) for t in range(0, ts.shape[1] - windowsize, stepsize)]
    return np.array([[np.corrcoef(a.ravel(), b.ravel())[0, 1] for b in fcs] for a in fcs])


# ---------------------------------------------------------------- datasets


@pytest.mark.parametrize(
    "name, subjects, n_time, dmat_max",
    [("gw", GW_SUBJECTS, 355, 233.6), ("hcp", HCP_SUBJECTS, 1200, 248.3)],
)
def test_dataset_defaults(shared_datasets, name, subjects, n_time, dmat_max):
    ds = Dataset(name)
    assert ds.has_subjects is True
    assert list(ds.data["subjects"]) == subjects
    assert ds.Cmat.shape == ds.Dmat.shape == (80, 80)
    assert len(ds.Cmats) == len(ds.Dmats) == len(ds.BOLDs) == len(ds.FCs) == len(subjects)
    assert np.all(np.diag(ds.Cmat) == 0)
    assert np.all(np.diag(ds.Dmat) == 0)
    assert ds.Dmat.max() == pytest.approx(dmat_max, abs=0.1)
    assert all(b.shape == (80, n_time) for b in ds.BOLDs)
    assert all(fc.shape == (80, 80) for fc in ds.FCs)
    assert not hasattr(ds, "FCDs")
    for bold, fc in zip(ds.BOLDs, ds.FCs):
        np.testing.assert_allclose(fc, np.corrcoef(bold), atol=1e-12)
    assert ds.dsBaseDirectory == str(shared_datasets / name)


def test_gw_max_normalization(shared_datasets):
    ds = Dataset("gw")
    assert ds.Cmat.max() == pytest.approx(0.9759, abs=1e-3)
    assert all(cm.max() == 1.0 for cm in ds.Cmats)
    assert not np.allclose(ds.Cmat, ds.Cmat.T)


def test_hcp_cmat_symmetric_max_one(shared_datasets):
    ds = Dataset("hcp")
    assert ds.Cmat.max() == 1.0
    np.testing.assert_array_equal(ds.Cmat, ds.Cmat.T)


def test_cmat_is_mean_of_normalized_subject_matrices(shared_datasets):
    raw = Dataset("gw", normalizeCmats=None)
    cms = [
        filterSubcortical(
            raw.loadMatrix(shared_datasets / "gw" / "subjects" / s / "structural" / "DTI_CM.mat", key="sc")
        )
        for s in GW_SUBJECTS
    ]
    np.testing.assert_array_equal(raw.Cmat, np.mean(cms, axis=0))
    ds = Dataset("gw")
    np.testing.assert_allclose(ds.Cmat, np.mean([cm / cm.max() for cm in cms], axis=0))


@pytest.mark.parametrize("method, scale_column", [("waytotal", "waytotal"), ("nvoxel", "nvoxel")])
def test_hcp_per_region_normalization(shared_datasets, method, scale_column):
    ds = Dataset("hcp", normalizeCmats=method)
    raw = Dataset("hcp", normalizeCmats=None)
    assert ds.Cmat.shape == (80, 80)
    assert not np.allclose(ds.Cmat, ds.Cmat.T)
    stored = getattr(ds, scale_column)
    assert len(stored) == len(HCP_SUBJECTS)
    if method == "waytotal":
        expected = raw.Cmats[0] / stored[0][np.newaxis, :]
    else:
        expected = raw.Cmats[0] / (stored[0][:, 0] * 5000)[np.newaxis, :]
    np.testing.assert_allclose(ds.Cmats[0], expected)


@pytest.mark.parametrize("method", ["waytotal", "nvoxel"])
def test_gw_has_no_per_region_normalization(shared_datasets, method):
    with pytest.raises(AssertionError, match=f"Data type {method} not found"):
        Dataset("gw", normalizeCmats=method)


def test_unknown_normalization(shared_datasets):
    msg = "\"foo\" is not a known normalization method. Use one of these: [None, 'max', 'waytotal', 'nvoxel']"
    with pytest.raises(NotImplementedError) as err:
        Dataset("gw", normalizeCmats="foo")
    assert str(err.value) == msg


@pytest.mark.parametrize("name", ["gw", "hcp"])
def test_subcortical(shared_datasets, name):
    ds = Dataset(name, subcortical=True)
    assert ds.Cmat.shape == ds.Dmat.shape == ds.FCs[0].shape == (94, 94)
    assert ds.BOLDs[0].shape[0] == 94
    filtered = Dataset(name)
    np.testing.assert_allclose(filterSubcortical(ds.Dmat), filtered.Dmat)


@pytest.mark.parametrize("name, n_windows", [("gw", 33), ("hcp", 117)])
def test_fcd(shared_datasets, name, n_windows):
    ds = Dataset(name, fcd=True)
    assert len(ds.FCDs) == len(ds.BOLDs)
    assert all(f.shape == (n_windows, n_windows) for f in ds.FCDs)
    np.testing.assert_allclose(ds.FCDs[0], _naive_fcd(ds.BOLDs[0], 30, 10), atol=1e-12)


def test_empty_dataset():
    ds = Dataset()
    assert ds.has_subjects is None
    assert not hasattr(ds, "Cmat")


def test_get_data_per_subject(shared_datasets):
    ds = Dataset("gw")
    lengths = ds.getDataPerSubject("bold", apply_function=lambda b: b.shape[1])
    assert lengths == [355] * 5
    total = ds.getDataPerSubject("len", apply="all", apply_function=np.sum, apply_function_kwargs={"axis": 0})
    np.testing.assert_allclose(total / 5, ds.Dmat)
    with pytest.raises(AssertionError, match="Data type nope not found in dataset of subject NAP_001"):
        ds.getDataPerSubject("nope")


def test_load_matrix(shared_datasets, tmp_path):
    ds = Dataset()
    path = shared_datasets / "hcp" / "subjects" / "101309" / "structural" / "DTI_LEN.mat"
    assert ds.loadMatrix(path, key="len").shape == (94, 94)
    np.testing.assert_array_equal(ds.loadMatrix(path), ds.loadMatrix(path, key="len"))
    with pytest.raises(ValueError, match=r"the file holds \[.len.\]"):
        ds.loadMatrix(path, key="sc")


def test_load_matrix_v73_falls_back_to_h5py(tmp_path):
    h5py = pytest.importorskip("h5py")
    path = tmp_path / "v73.mat"
    data = np.arange(6.0).reshape(2, 3)
    with h5py.File(path, "w", userblock_size=512) as f:
        f["tc"] = data.T  # MATLAB stores column-major
    # MATLAB v7.3 header in the user block: text, subsystem offset, version 0x0200, endian indicator
    header = b"MATLAB 7.3 MAT-file, HDF5 schema 1.00 .".ljust(116, b" ") + b"\x00" * 8 + b"\x00\x02IM"
    with open(path, "r+b") as fh:
        fh.write(header)
    np.testing.assert_array_equal(Dataset().loadMatrix(path, key="tc"), data)


def test_filter_subcortical():
    a = np.arange(94 * 94).reshape(94, 94)
    kept = [i for i in range(94) if not (40 <= i <= 45 or 74 <= i <= 81)]
    np.testing.assert_array_equal(filterSubcortical(a), a[np.ix_(kept, kept)])
    np.testing.assert_array_equal(filterSubcortical(a, axis=0), a[kept])
    np.testing.assert_array_equal(filterSubcortical(a, axis=1), a[:, kept])
    assert filterSubcortical(np.arange(94)).shape == (80,)  # 1-D "both" works like axis 0


# ---------------------------------------------------------------- locating files


def test_unknown_dataset_lists_available(shared_datasets):
    with pytest.raises(ValueError, match=r"Available datasets: \['gw', 'hcp'\]"):
        Dataset("nope")


def test_unknown_dataset_without_local_data(monkeypatch):
    monkeypatch.delenv("NEUROLIB_DATA", raising=False)
    with pytest.raises(DatasetNotFoundError, match=r"Available datasets: \['gw', 'hcp'\]"):
        Dataset("nope")


def test_missing_local_dataset_folder(monkeypatch, tmp_path):
    monkeypatch.setenv("NEUROLIB_DATA", str(tmp_path))
    with pytest.raises(DatasetNotFoundError) as err:
        Dataset("gw")
    assert "NEUROLIB_DATA" in str(err.value)
    assert str(tmp_path / "gw") in str(err.value)
    assert isinstance(err.value, AssertionError)  # upstream asserted here


def test_download_path_uses_fetch_for_every_registry_file(shared_datasets, monkeypatch):
    monkeypatch.delenv("NEUROLIB_DATA")
    fetched = []

    def fake_fetch(relpath):
        fetched.append(relpath)
        return str(shared_datasets / relpath)

    monkeypatch.setattr(loadData, "_fetch", fake_fetch)
    ds = Dataset("gw")
    assert sorted(fetched) == sorted(k for k in REGISTRY if k.startswith("gw/"))
    assert list(ds.data["subjects"]) == GW_SUBJECTS
    assert ds.Cmat.max() == pytest.approx(0.9759, abs=1e-3)


def test_registry_matches_shared_files(shared_datasets):
    on_disk = {p.relative_to(shared_datasets).as_posix(): p for p in shared_datasets.rglob("*") if p.is_file()}
    assert set(on_disk) == set(REGISTRY)
    for relpath, path in on_disk.items():
        assert hashlib.sha256(path.read_bytes()).hexdigest() == REGISTRY[relpath], relpath


# ---------------------------------------------------------------- functions used by Dataset


def test_fc_constant_row_is_zero():
    ts = np.vstack([np.sin(np.arange(50)), np.ones(50), np.cos(np.arange(50))])
    out = func.fc(ts)
    assert out.shape == (3, 3)
    assert np.all(out[1] == 0) and np.all(out[:, 1] == 0)
    assert out[0, 0] == pytest.approx(1.0)


def test_matrix_correlation_uses_upper_triangle():
    rng = np.random.default_rng(1)
    a, b = rng.standard_normal((2, 6, 6))
    iu = np.triu_indices(6, k=1)
    assert func.matrix_correlation(a, b) == pytest.approx(np.corrcoef(a[iu], b[iu])[0, 1])
    assert func.matrix_correlation(a, a) == pytest.approx(1.0)


def test_fcd_against_naive_and_edge_cases():
    rng = np.random.default_rng(2)
    ts = rng.standard_normal((5, 97))
    out = func.fcd(ts, windowsize=20, stepsize=7)
    np.testing.assert_allclose(out, _naive_fcd(ts, 20, 7), atol=1e-12)
    assert out.shape == (len(range(0, 97 - 20, 7)),) * 2
    assert func.fcd(ts[:, :30], windowsize=30).shape == (0, 0)
    assert func.fcd(ts[:, :31], windowsize=30).shape == (1, 1)
    assert func.fcd(np.ones(10)) == 0
