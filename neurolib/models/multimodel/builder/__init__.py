"""MultiModel builder: base classes and the built-in masses, nodes and networks."""

from neurolib.models.multimodel.builder.aln import ALNNetwork, ALNNode, ExcitatoryALNMass, InhibitoryALNMass
from neurolib.models.multimodel.builder.base.constants import EXC, INH
from neurolib.models.multimodel.builder.base.network import Network, Node, SingleCouplingExcitatoryInhibitoryNode
from neurolib.models.multimodel.builder.base.neural_mass import NeuralMass
from neurolib.models.multimodel.builder.fitzhugh_nagumo import (
    FitzHughNagumoMass,
    FitzHughNagumoNetwork,
    FitzHughNagumoNode,
)
from neurolib.models.multimodel.builder.hopf import HopfMass, HopfNetwork, HopfNode
from neurolib.models.multimodel.builder.thalamus import ThalamicNode, ThalamicReticularMass, ThalamocorticalMass
from neurolib.models.multimodel.builder.wilson_cowan import (
    ExcitatoryWilsonCowanMass,
    InhibitoryWilsonCowanMass,
    WilsonCowanNetwork,
    WilsonCowanNode,
)
from neurolib.models.multimodel.builder.wong_wang import (
    ExcitatoryWongWangMass,
    InhibitoryWongWangMass,
    ReducedWongWangMass,
    ReducedWongWangNetwork,
    ReducedWongWangNode,
    WongWangNetwork,
    WongWangNode,
)

__all__ = [
    "ALNNetwork",
    "ALNNode",
    "ExcitatoryALNMass",
    "InhibitoryALNMass",
    "EXC",
    "INH",
    "Network",
    "Node",
    "SingleCouplingExcitatoryInhibitoryNode",
    "NeuralMass",
    "FitzHughNagumoMass",
    "FitzHughNagumoNetwork",
    "FitzHughNagumoNode",
    "HopfMass",
    "HopfNetwork",
    "HopfNode",
    "ThalamicNode",
    "ThalamicReticularMass",
    "ThalamocorticalMass",
    "ExcitatoryWilsonCowanMass",
    "InhibitoryWilsonCowanMass",
    "WilsonCowanNetwork",
    "WilsonCowanNode",
    "ExcitatoryWongWangMass",
    "InhibitoryWongWangMass",
    "ReducedWongWangMass",
    "ReducedWongWangNetwork",
    "ReducedWongWangNode",
    "WongWangNetwork",
    "WongWangNode",
]
