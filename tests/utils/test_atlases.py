"""Tests for neurolib.utils.atlases."""

import logging

import numpy as np
import pytest

from neurolib.utils.atlases import AutomatedAnatomicalParcellation2, BaseAtlas, DesikanKilliany
from neurolib.utils.loadData import filterSubcortical


@pytest.fixture
def aal2():
    return AutomatedAnatomicalParcellation2()


def test_aal2_regions(aal2):
    assert len(aal2) == aal2.no_rois == 120
    assert aal2.name == "Automated anatomical Parcellation 2" and aal2.label == "AAL2"
    assert str(aal2) == "Automated anatomical Parcellation 2 atlas with 120 ROIs."
    assert aal2[0] == "Precentral_L" and aal2[93] == "Temporal_Inf_R" and aal2[119] == "Vermis_10"
    names = aal2.node_names
    assert len(names) == len(set(names)) == 120
    # left/right alternating in the paired cortical part
    assert all(a.endswith("_L") and b.endswith("_R") for a, b in zip(names[0:94:2], names[1:94:2]))


def test_aal2_cortex_equals_filter_subcortical(aal2):
    kept = filterSubcortical(np.arange(94), axis=0)
    assert len(aal2.cortex) == 80
    assert aal2.cortex == kept.tolist()
    assert aal2.names() == [aal2[i] for i in kept]
    assert aal2.names("cortex") == aal2.names()


def test_aal2_groups(aal2):
    assert aal2.hippocampus == [40, 41, 42, 43]
    assert aal2.amygdala == [44, 45]
    assert aal2.basal_ganglia == list(range(74, 80))
    assert aal2.thalamus == [80, 81]
    assert aal2.cerebellum == list(range(94, 120))
    assert aal2.subcortical == (aal2.cerebellum + aal2.thalamus + aal2.basal_ganglia + aal2.amygdala + aal2.hippocampus)
    assert len(aal2.subcortical) == 40
    assert sorted(aal2.subcortical + aal2.cortex) == list(range(120))
    assert aal2.names("thalamus") == ["Thalamus_L", "Thalamus_R"]
    with pytest.raises(AttributeError, match="no group 'brainstem'"):
        aal2.names("brainstem")


def test_aal2_coords(aal2):
    coords = aal2.coords()
    assert np.shape(coords) == (80, 3)
    assert coords[0] == [71.31516853, 133.91200634, 173.28640568]
    assert aal2.coords("thalamus")[1] == [133.37664152, 131.88220173, 118.01810562]
    assert np.shape(aal2.coords("subcortical")) == (40, 3)


def test_desikan_killiany():
    dk = DesikanKilliany()
    assert len(dk) == 68
    assert dk.name == "Desikan-Killiany" and dk.label == "DK"
    names = dk.node_names
    assert len(set(names)) == 68
    assert names[0] == "Banks_superior_temporal_sulcus_L" and names[67] == "Insula_R"
    assert all(n.endswith("_L") for n in names[:34]) and all(n.endswith("_R") for n in names[34:])
    assert [n[:-2] for n in names[:34]] == [n[:-2] for n in names[34:]]
    with pytest.raises(AttributeError):
        dk.names()


def test_add_rois(aal2):
    aal2.add_rois({120: "Brainstem", 121: "Extra"})
    assert len(aal2) == 122 and aal2[121] == "Extra"
    assert aal2.node_names[-2:] == ["Brainstem", "Extra"]
    with pytest.raises(AssertionError, match="Node 3 already exists"):
        aal2.add_rois({3: "Duplicate"})
    assert aal2[3] == "Frontal_Sup_2_R"


def test_remove_rois(aal2, caplog):
    with caplog.at_level(logging.WARNING):
        aal2.remove_rois([0, 500])
    assert "Node 500 not found, doing nothing..." in caplog.text
    assert len(aal2) == 119 and 0 not in aal2.dict
    assert len(aal2.cortex) == 79 and aal2.names()[0] == "Precentral_R"
    aal2.remove_rois([40, 41], reindex=True)
    assert sorted(aal2.dict) == list(range(117))
    assert aal2[0] == "Precentral_R"
    assert aal2.names("hippocampus") == ["ParaHippocampal_L", "ParaHippocampal_R"]
    assert aal2.names("thalamus") == ["Thalamus_L", "Thalamus_R"]
    assert aal2.coords("thalamus")[0] == [103.48633996, 130.1727437, 118.90182843]


def test_base_atlas_reindexing(caplog):
    with caplog.at_level(logging.WARNING):
        atlas = BaseAtlas({1: "A", 2: "B", 5: "C"}, coords=[[1, 2, 3], [4, 5, 6], [7, 8, 9]])
    assert "Atlas doesn't start at 0, reindexing..." in caplog.text
    assert atlas.dict == {0: "A", 1: "B", 2: "C"}
    assert str(atlas) == " atlas with 3 ROIs."
    with pytest.raises(ValueError, match="coords"):
        BaseAtlas({0: "A"}, coords=[[1, 2]])
