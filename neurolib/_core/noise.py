"""Noise streams: one local generator per run, drawn in bulk, step by step in time order.

Normals are drawn per run as an array of shape (steps, N, channels): consecutive draws from one generator
continue the same stream, so the noise a step receives does not depend on how a run is chunked.
"""

from __future__ import annotations

import numpy as np


def generator(seed):
    """The noise generator of a run with ``seed`` (None: fresh entropy)."""
    ss = np.random.SeedSequence(seed, spawn_key=(1,)) if seed is not None else np.random.SeedSequence()
    return np.random.Generator(np.random.PCG64(ss))


def draw(gens, steps, channels, N):
    """Standard normals of shape (B, steps, N, channels), one generator per batch member."""
    B = len(gens)
    if B == 1:
        return gens[0].standard_normal((steps, N, channels))[None]
    Z = np.empty((B, steps, N, channels))
    for b, g in enumerate(gens):
        g.standard_normal(out=Z[b])
    return Z
