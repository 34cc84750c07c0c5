"""Shared pytest fixtures."""

from pathlib import Path

import pytest

# the project's shared folder lies next to the repository checkout
SHARED = Path(__file__).resolve().parents[1].parent / "shared"
SHARED_DATASETS = SHARED / "data" / "datasets"


@pytest.fixture
def shared_datasets(monkeypatch):
    """Point ``NEUROLIB_DATA`` at the shared copy of the example datasets and return that folder.

    Skips the test when the shared folder is not present, since the datasets are not part of the repository and
    cannot be downloaded in the test environment.
    """
    if not SHARED_DATASETS.is_dir():
        pytest.skip(f"example datasets not available: {SHARED_DATASETS} does not exist")
    monkeypatch.setenv("NEUROLIB_DATA", str(SHARED_DATASETS))
    return SHARED_DATASETS
