"""Brain atlases: region names, region centres and region groups.

:class:`AutomatedAnatomicalParcellation2` (AAL2, 120 regions; the bundled datasets use its first 94 regions, of
which the 80 in ``cortex`` remain after :func:`neurolib.utils.loadData.filterSubcortical`) and
:class:`DesikanKilliany` (68 cortical regions). Region indices are 0-based.

The AAL2 region centres are the geometric centres of the regions in the voxel space of the AAL2 authors'
template scan (not MNI millimetres).
"""

import logging

import numpy as np

from neurolib.errors import ParameterError

logger = logging.getLogger(__name__)


class AtlasGroupError(ParameterError, AttributeError):
    """The atlas has no region group of that name: a :class:`~neurolib.errors.ParameterError` that is also an
    ``AttributeError`` (the established package fails with one when the group attribute is missing)."""


class BaseAtlas:
    """An atlas: a mapping from 0-based region index to region name, with optional region centres and groups.

    Parameters
    ----------
    atlas : dict
        ``{index: name}``. If the smallest index is not 0, the regions are re-indexed to ``0 ... n - 1`` in index
        order (with the warning "Atlas doesn't start at 0, reindexing...").
    coords : array_like, shape (3, n), or dict, optional
        Region centres: rows x, y, z with one column per region in index order, or ``{index: [x, y, z]}``.

    Attributes
    ----------
    name : str
        Full name of the atlas.
    label : str
        Short label.

    Notes
    -----
    Groups of regions (e.g. ``cortex``) are attributes holding lists of indices; subclasses list their names in
    ``_group_names`` so that :meth:`remove_rois` keeps them consistent.

    Examples
    --------
    >>> atlas = BaseAtlas({0: "A", 1: "B"}, coords=[[0.0, 1.0], [0.0, 1.0], [0.0, 1.0]])
    >>> len(atlas), atlas[1], atlas.node_names
    (2, 'B', ['A', 'B'])
    """

    name = ""
    label = ""
    _group_names = ()

    def __init__(self, atlas, coords=None):
        atlas = dict(atlas)
        keys = sorted(atlas)
        coords = self._coords_dict(coords, keys)
        if keys and keys[0] != 0:
            logger.warning("Atlas doesn't start at 0, reindexing...")
            mapping = {old: new for new, old in enumerate(keys)}
            atlas = {mapping[k]: atlas[k] for k in keys}
            if coords is not None:
                coords = {mapping[k]: v for k, v in coords.items() if k in mapping}
        self.dict = {k: atlas[k] for k in sorted(atlas)}
        self._coords = coords

    @staticmethod
    def _coords_dict(coords, keys):
        if coords is None:
            return None
        if isinstance(coords, dict):
            return {k: [float(c) for c in v] for k, v in coords.items()}
        coords = np.asarray(coords, dtype=float)
        if coords.ndim != 2 or coords.shape != (3, len(keys)):
            raise ParameterError(f"coords must have shape (3, {len(keys)}) (x, y, z rows), got {coords.shape}.")
        return {k: coords[:, i].tolist() for i, k in enumerate(keys)}

    def __len__(self):
        return len(self.dict)

    def __getitem__(self, index):
        return self.dict[index]

    def __str__(self):
        return f"{self.name} atlas with {len(self.dict)} ROIs."

    __repr__ = __str__

    @property
    def node_names(self):
        """list of str: region names in index order."""
        return [self.dict[k] for k in sorted(self.dict)]

    @property
    def no_rois(self):
        """int: number of regions."""
        return len(self.dict)

    def _group(self, group):
        if group not in self._group_names or not hasattr(self, group):
            known = ", ".join(self._group_names) or "none"
            raise AtlasGroupError(
                f"{self.label or type(self).__name__} atlas has no group {group!r} (groups: {known})."
            )
        return getattr(self, group)

    def names(self, group="cortex"):
        """Names of the regions of a group.

        Parameters
        ----------
        group : str, optional
            Name of a group attribute, e.g. ``"cortex"`` or ``"subcortical"``.

        Returns
        -------
        list of str
            Region names in the group's index order.

        Raises
        ------
        AtlasGroupError
            (an ``AttributeError`` and ``ValueError``) if the atlas has no such group (Desikan-Killiany has none;
            use :attr:`node_names`).
        """
        return [self.dict[i] for i in self._group(group)]

    def coords(self, group="cortex"):
        """Centres of the regions of a group.

        Parameters
        ----------
        group : str, optional
            Name of a group attribute.

        Returns
        -------
        list of [x, y, z] or None
            One centre per region of the group (in the atlas' coordinate space, voxel units for AAL2); None if the
            atlas has no coordinates. Regions added later without coordinates give None entries.
        """
        indices = self._group(group)
        if self._coords is None:
            return None
        return [self._coords.get(i) for i in indices]

    def add_rois(self, extra_rois):
        """Add regions.

        Parameters
        ----------
        extra_rois : dict
            ``{index: name}`` of the new regions (they belong to no group and have no coordinates).

        Raises
        ------
        neurolib.errors.ParameterError
            (also ``ValueError`` and ``AssertionError``) "Node {index} already exists" if an index is taken
            (nothing is added then).
        """
        taken = [key for key in extra_rois if key in self.dict]
        if taken:
            raise ParameterError(
                f"add_rois(extra_rois=...): Node {taken[0]} already exists (indices in use: {taken}); "
                f"pick indices not in 0..{max(self.dict)} or remove the regions first."
            )
        self.dict.update(extra_rois)
        self.dict = {k: self.dict[k] for k in sorted(self.dict)}

    def remove_rois(self, rois_to_remove, reindex=False):
        """Remove regions (and drop them from the groups and coordinates).

        Parameters
        ----------
        rois_to_remove : iterable of int
            Indices to remove; a missing index logs "Node {index} not found, doing nothing...".
        reindex : bool, optional
            Re-index the remaining regions to ``0 ... n - 1`` in index order (groups and coordinates follow).
        """
        for key in rois_to_remove:
            if key not in self.dict:
                logger.warning(f"Node {key} not found, doing nothing...")
                continue
            del self.dict[key]
            if self._coords is not None:
                self._coords.pop(key, None)
        for group in self._group_names:
            setattr(self, group, [i for i in getattr(self, group) if i in self.dict])
        if reindex:
            mapping = {old: new for new, old in enumerate(sorted(self.dict))}
            self.dict = {mapping[k]: v for k, v in self.dict.items()}
            if self._coords is not None:
                self._coords = {mapping[k]: v for k, v in self._coords.items()}
            for group in self._group_names:
                setattr(self, group, [mapping[i] for i in getattr(self, group)])


# (AAL2 name, center x, center y, center z) for 0-based indices 0-119 (AAL2 codes 1-120)
_AAL2_REGIONS = (
    ("Precentral_L", 71.31516853, 133.91200634, 173.28640568),
    ("Precentral_R", 173.95768398, 130.63284367, 168.65816171),
    ("Frontal_Sup_2_L", 95.24989269, 196.31406388, 172.29010226),
    ("Frontal_Sup_2_R", 151.19834526, 191.86604369, 170.50384851),
    ("Frontal_Mid_2_L", 74.52836592, 193.63212808, 166.31060777),
    ("Frontal_Mid_2_R", 171.543507, 192.56488101, 160.42796984),
    ("Frontal_Inf_Oper_L", 55.58722414, 168.03704544, 145.6567198),
    ("Frontal_Inf_Oper_R", 185.04809904, 169.63131039, 141.26061316),
    ("Frontal_Inf_Tri_L", 59.18980643, 193.00851424, 146.46240327),
    ("Frontal_Inf_Tri_R", 185.31195327, 192.21824031, 139.17263954),
    ("Frontal_Inf_Orb_2_L", 61.43053161, 202.61166655, 124.09846239),
    ("Frontal_Inf_Orb_2_R", 179.73808422, 204.95174192, 118.35301117),
    ("Rolandic_Oper_L", 56.81794636, 141.20358006, 131.8744676),
    ("Rolandic_Oper_R", 187.1461036, 144.82183274, 126.20448063),
    ("Supp_Motor_Area_L", 115.24512323, 144.92727889, 187.36563814),
    ("Supp_Motor_Area_R", 133.13072148, 138.74857687, 185.52072225),
    ("Olfactory_L", 105.2196235, 181.88438867, 108.43221145),
    ("Olfactory_R", 129.61279269, 183.25623453, 107.76413478),
    ("Frontal_Sup_Medial_L", 114.85255091, 213.45355882, 169.46412865),
    ("Frontal_Sup_Medial_R", 133.5019304, 215.19441506, 168.60826105),
    ("Frontal_Med_Orb_L", 110.64765988, 232.23286888, 128.59842801),
    ("Frontal_Med_Orb_R", 128.83632218, 229.15061318, 127.1576385),
    ("Rectus_L", 108.86728656, 213.6534235, 109.17926579),
    ("Rectus_R", 127.13277537, 212.17121782, 107.68409107),
    ("OFCmed_L", 96.69134934, 213.87581634, 108.52215412),
    ("OFCmed_R", 139.31019614, 215.55833615, 106.53593169),
    ("OFCant_L", 83.43701538, 225.82496504, 120.48125079),
    ("OFCant_R", 156.56297549, 227.64623838, 116.47455621),
    ("OFCpost_L", 77.19295302, 195.97493091, 106.20568496),
    ("OFCpost_R", 161.61877598, 197.40326791, 102.39282607),
    ("OFClat_L", 59.25373134, 216.09259259, 119.79325594),
    ("OFClat_R", 182.65699208, 211.56669598, 109.69451774),
    ("Insula_L", 71.14166567, 164.02235089, 124.80022201),
    ("Insula_R", 169.08800157, 165.87844599, 117.44317996),
    ("Cingulate_Ant_L", 113.28624173, 200.74702804, 144.85418104),
    ("Cingulate_Ant_R", 130.49484354, 201.64838667, 146.57548798),
    ("Cingulate_Mid_L", 112.94762641, 124.10527355, 158.51751818),
    ("Cingulate_Mid_R", 130.19460512, 133.5334746, 157.69512055),
    ("Cingulate_Post_L", 112.57996093, 89.90985208, 127.87510466),
    ("Cingulate_Post_R", 127.34814675, 93.5612708, 125.05257186),
    ("Hippocampus_L", 83.51110075, 132.40755201, 96.82570946),
    ("Hippocampus_R", 153.49899146, 135.35293071, 93.9790579),
    ("ParaHippocampal_L", 87.63039921, 142.2248582, 85.45206152),
    ("ParaHippocampal_R", 147.49505571, 144.40181371, 83.81491486),
    ("Amygdala_L", 85.33577564, 162.00682163, 95.64729661),
    ("Amygdala_R", 151.3536401, 163.97515662, 93.08295528),
    ("Calcarine_L", 108.14173754, 49.62336828, 91.02415447),
    ("Calcarine_R", 138.61021223, 58.59151082, 97.24077687),
    ("Cuneus_L", 112.03682751, 40.78278136, 114.99554174),
    ("Cuneus_R", 136.98237904, 43.74940442, 117.05130206),
    ("Lingual_L", 96.78036518, 67.42754697, 82.61423657),
    ("Lingual_R", 136.69068417, 70.66225844, 84.05270349),
    ("Occipital_Sup_L", 97.91694408, 34.88369643, 114.47056593),
    ("Occipital_Sup_R", 150.78151187, 41.2640723, 118.20361515),
    ("Occipital_Mid_L", 75.28163615, 44.48127974, 103.20102218),
    ("Occipital_Mid_R", 166.09355205, 46.52850484, 104.46127644),
    ("Occipital_Inf_L", 67.0816092, 54.41367816, 76.45994253),
    ("Occipital_Inf_R", 164.85827664, 51.17324263, 71.57052154),
    ("Fusiform_L", 73.66615272, 110.5576603, 77.31629956),
    ("Fusiform_R", 158.48139379, 111.8914675, 74.18979227),
    ("Postcentral_L", 66.33153749, 112.06795841, 165.28073409),
    ("Postcentral_R", 173.05648263, 106.75631203, 163.38737593),
    ("Parietal_Sup_L", 91.61978056, 59.80065267, 161.47917363),
    ("Parietal_Sup_R", 155.09553994, 59.25726796, 162.43740135),
    ("Parietal_Inf_L", 66.39655524, 80.89854555, 152.82760908),
    ("Parietal_Inf_R", 179.86147147, 81.63707702, 150.73006441),
    ("SupraMarginal_L", 48.44893442, 102.83413981, 140.83429424),
    ("SupraMarginal_R", 192.4856517, 105.91200125, 138.66509153),
    ("Angular_L", 62.75728204, 65.04195063, 134.6973093),
    ("Angular_R", 177.96237714, 66.99809772, 132.99813295),
    ("Precuneus_L", 111.58202079, 66.82652807, 150.49072765),
    ("Precuneus_R", 133.15252374, 68.76876363, 144.54019426),
    ("Paracentral_Lobule_L", 112.80247129, 101.79076977, 186.67331791),
    ("Paracentral_Lobule_R", 131.96000555, 93.95286615, 181.53060234),
    ("Caudate_L", 101.46164333, 169.20790729, 131.6530334),
    ("Caudate_R", 137.59898836, 171.83036006, 129.6622974),
    ("Putamen_L", 85.10126375, 160.75307768, 121.40843229),
    ("Putamen_R", 154.06777031, 163.93729953, 118.60957062),
    ("Pallidum_L", 93.14814815, 156.40722222, 116.39092593),
    ("Pallidum_R", 144.63333333, 158.29888268, 114.43649907),
    ("Thalamus_L", 103.48633996, 130.1727437, 118.90182843),
    ("Thalamus_R", 133.37664152, 131.88220173, 118.01810562),
    ("Heschl_L", 62.82978723, 127.38728791, 122.80554807),
    ("Heschl_R", 177.85610766, 132.08281573, 118.67236025),
    ("Temporal_Sup_L", 48.52667194, 128.40333495, 119.32751973),
    ("Temporal_Sup_R", 192.98045395, 126.5464879, 110.67782716),
    ("Temporal_Pole_Sup_L", 61.89922101, 183.83029487, 101.4901505),
    ("Temporal_Pole_Sup_R", 180.94243156, 181.41831723, 97.86646538),
    ("Temporal_Mid_L", 43.65812985, 112.74128064, 104.27922607),
    ("Temporal_Mid_R", 191.32951518, 108.49340386, 94.98366187),
    ("Temporal_Pole_Mid_L", 64.65809751, 187.67814524, 84.22986703),
    ("Temporal_Pole_Mid_R", 175.2343377, 185.33581048, 79.67752106),
    ("Temporal_Inf_L", 49.06896014, 127.70758198, 82.20284432),
    ("Temporal_Inf_R", 185.02990309, 122.49721581, 73.48358714),
    ("Cerebelum_Crus1_L", 66.39794063, 76.66069012, 57.64971668),
    ("Cerebelum_Crus1_R", 163.73326141, 76.20414207, 52.06401388),
    ("Cerebelum_Crus2_L", 75.76868545, 69.93301962, 43.63114954),
    ("Cerebelum_Crus2_R", 155.3089584, 76.24374932, 39.62299378),
    ("Cerebelum_3_L", 103.93187232, 112.08956646, 79.75655074),
    ("Cerebelum_3_R", 131.35811014, 116.29250677, 78.83538971),
    ("Cerebelum_4_5_L", 95.78770626, 104.42495651, 78.7233908),
    ("Cerebelum_4_5_R", 137.76860677, 105.87311566, 76.49070506),
    ("Cerebelum_6_L", 84.51427994, 85.25084198, 67.14054291),
    ("Cerebelum_6_R", 147.16997392, 86.79816193, 63.17929148),
    ("Cerebelum_7b_L", 70.01577929, 90.90949812, 41.71139163),
    ("Cerebelum_7b_R", 155.62003109, 85.99300466, 32.11614479),
    ("Cerebelum_8_L", 78.73889922, 98.02760106, 40.15115331),
    ("Cerebelum_8_R", 145.05210579, 95.10999527, 34.04905621),
    ("Cerebelum_9_L", 98.16479302, 104.19177357, 42.64541727),
    ("Cerebelum_9_R", 125.34246877, 103.01322557, 41.04761205),
    ("Cerebelum_10_L", 84.17020425, 123.96395675, 53.79855827),
    ("Cerebelum_10_R", 147.90809859, 123.34260563, 51.72007042),
    ("Vermis_1_2", 116.16666667, 109.78390805, 76.8045977),
    ("Vermis_3", 117.53409407, 106.23406624, 86.64375174),
    ("Vermis_4_5", 117.98524526, 88.7930428, 87.16152042),
    ("Vermis_6", 117.21655151, 72.10568467, 70.76570352),
    ("Vermis_7", 116.06942393, 68.07237814, 56.91432792),
    ("Vermis_8", 114.97199908, 80.26692678, 49.77622217),
    ("Vermis_9", 114.58530184, 93.28638087, 52.03441237),
    ("Vermis_10", 114.6412116, 104.73976109, 59.375),
)

# Desikan-Killiany names for 0-based indices 0-67 (0-33 left, 34-67 right hemisphere)
_DK_NAMES = (
    "Banks_superior_temporal_sulcus_L",
    "Caudal_anterior_cingulate_cortex_L",
    "Caudal_middle_frontal_gyrus_L",
    "Cuneus_cortex_L",
    "Entorhinal_cortex_L",
    "Fusiform_gyrus_L",
    "Inferior_parietal_cortex_L",
    "Inferior_temporal_gyrus_L",
    "Isthmus_cingulate_cortex_L",
    "Lateral_occipital_cortex_L",
    "Lateral_orbital_frontal_cortex_L",
    "Lingual_gyrus_L",
    "Medial_orbital_frontal_cortex_L",
    "Middle_temporal_gyrus_L",
    "Parahippocampal_gyrus_L",
    "Paracentral_lobule_L",
    "Pars_opercularis_L",
    "Pars_orbitalis_L",
    "Pars_triangularis_L",
    "Pericalcarine_cortex_L",
    "Postcentral_gyrus_L",
    "Posterior_cingulate_cortex_L",
    "Precentral_gyrus_L",
    "Precuneus_cortex_L",
    "Rostral_anterior_cingulate_cortex_L",
    "Rostral_middle_frontal_gyrus_L",
    "Superior_frontal_cortex_L",
    "Superior_parietal_cortex_L",
    "Superior_temporal_gyrus_L",
    "Supramarginal_gyrus_L",
    "Frontal_pole_L",
    "Temporal_pole_L",
    "Transverse_temporal_cortex_L",
    "Insula_L",
    "Banks_superior_temporal_sulcus_R",
    "Caudal_anterior_cingulate_cortex_R",
    "Caudal_middle_frontal_gyrus_R",
    "Cuneus_cortex_R",
    "Entorhinal_cortex_R",
    "Fusiform_gyrus_R",
    "Inferior_parietal_cortex_R",
    "Inferior_temporal_gyrus_R",
    "Isthmus_cingulate_cortex_R",
    "Lateral_occipital_cortex_R",
    "Lateral_orbital_frontal_cortex_R",
    "Lingual_gyrus_R",
    "Medial_orbital_frontal_cortex_R",
    "Middle_temporal_gyrus_R",
    "Parahippocampal_gyrus_R",
    "Paracentral_lobule_R",
    "Pars_opercularis_R",
    "Pars_orbitalis_R",
    "Pars_triangularis_R",
    "Pericalcarine_cortex_R",
    "Postcentral_gyrus_R",
    "Posterior_cingulate_cortex_R",
    "Precentral_gyrus_R",
    "Precuneus_cortex_R",
    "Rostral_anterior_cingulate_cortex_R",
    "Rostral_middle_frontal_gyrus_R",
    "Superior_frontal_cortex_R",
    "Superior_parietal_cortex_R",
    "Superior_temporal_gyrus_R",
    "Supramarginal_gyrus_R",
    "Frontal_pole_R",
    "Temporal_pole_R",
    "Transverse_temporal_cortex_R",
    "Insula_R",
)


class AutomatedAnatomicalParcellation2(BaseAtlas):
    """The AAL2 atlas: 120 regions, left/right alternating, with region centres and groups.

    Indices 0-119 are the AAL2 codes 1-120. Groups (0-based indices): ``hippocampus`` 40-43 (hippocampus,
    parahippocampal gyrus), ``amygdala`` 44-45, ``basal_ganglia`` 74-79, ``thalamus`` 80-81, ``cerebellum``
    94-119, ``subcortical`` (cerebellum + thalamus + basal ganglia + amygdala + hippocampus, 40 regions in that
    order) and ``cortex`` (the other 80 indices, ascending). ``cortex`` are exactly the regions kept by
    :func:`neurolib.utils.loadData.filterSubcortical`, so ``names()`` labels the rows of ``Dataset`` matrices.

    Examples
    --------
    >>> aal2 = AutomatedAnatomicalParcellation2()
    >>> len(aal2), len(aal2.cortex), aal2.names()[:2]
    (120, 80, ['Precentral_L', 'Precentral_R'])
    """

    name = "Automated anatomical Parcellation 2"
    label = "AAL2"
    _group_names = ("hippocampus", "amygdala", "basal_ganglia", "thalamus", "cerebellum", "subcortical", "cortex")

    def __init__(self):
        regions = {i: region[0] for i, region in enumerate(_AAL2_REGIONS)}
        centres = np.array([region[1:] for region in _AAL2_REGIONS]).T  # (3, 120)
        super().__init__(regions, coords=centres)
        self.hippocampus = list(range(40, 44))
        self.amygdala = [44, 45]
        self.basal_ganglia = list(range(74, 80))
        self.thalamus = [80, 81]
        self.cerebellum = list(range(94, 120))
        parts = (self.cerebellum, self.thalamus, self.basal_ganglia, self.amygdala, self.hippocampus)
        self.subcortical = [index for part in parts for index in part]
        excluded = set(self.subcortical)
        self.cortex = [i for i in range(len(_AAL2_REGIONS)) if i not in excluded]


class DesikanKilliany(BaseAtlas):
    """The Desikan-Killiany atlas: 68 cortical regions (0-33 left, 34-67 right), no coordinates and no groups.

    Use :attr:`node_names` for the names; :meth:`names` raises ``AttributeError`` since there are no groups.

    Examples
    --------
    >>> dk = DesikanKilliany()
    >>> len(dk), dk[0]
    (68, 'Banks_superior_temporal_sulcus_L')
    """

    name = "Desikan-Killiany"
    label = "DK"

    def __init__(self):
        super().__init__(dict(enumerate(_DK_NAMES)))
