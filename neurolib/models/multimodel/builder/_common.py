"""Helpers shared by the built-in masses, nodes and networks."""

from __future__ import annotations

import numpy as np

from neurolib.errors import ParameterTypeError
from neurolib.models.multimodel.builder.base.network import Network


def uniform(seed, low, high, size):
    """``size`` uniform draws in ``[low, high)`` from a local generator seeded with ``seed`` (None: fresh)."""
    return np.random.default_rng(seed).uniform(low, high, size)


def node_seeds(seed, n):
    """Per-node seeds of a network: None, one int (node i gets ``seed + i``), or a list of n ints/None."""
    if seed is None or isinstance(seed, (int, np.integer)):
        return [None if seed is None else int(seed) + i for i in range(n)]
    seeds = Network._prepare_mass_params(list(seed), n, native_type=(int, np.integer))
    return [None if s is None else int(s) for s in seeds]


def per_node_params(params, n, what):
    """Per-node parameter dicts: None, one dict (shared) or a list of n dicts/None."""
    if params is not None and not isinstance(params, (dict, list)):
        raise ParameterTypeError(f"'{what}' must be a dict, a list of dicts or None, got {type(params).__name__}.")
    return Network._prepare_mass_params(params, n, native_type=dict)


def place_nodes(nodes):
    """Set each node's ``index``, state offset and its masses' input channels (consecutive, node by node)."""
    state, noise = 0, 0
    for i, node in enumerate(nodes):
        node.index = i
        node.idx_state_var = state
        for mass in node:
            mass.noise_input_idx = [noise + k for k in range(mass.num_noise_variables)]
            noise += mass.num_noise_variables
        state += node.num_state_variables
    return nodes


def with_defaults(params, defaults):
    """``params`` (None: ``defaults``), as a new dict; anything but a dict is left for the mass to reject."""
    if params is None:
        return dict(defaults)
    return dict(params) if isinstance(params, dict) else params
