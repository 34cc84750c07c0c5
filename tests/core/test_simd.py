"""The engine's vector multiply-adds give, lane by lane, the bits of the scalar multiply-then-add."""

import numpy as np
import pytest
from numba import njit

from neurolib._core._simd import axpy2, axpy4, axpy8


@njit
def _vector(acc, g, offsets, weights, lanes):
    for k in range(offsets.size):
        if lanes == 8:
            axpy8(acc, 0, g, offsets[k], weights[k])
        elif lanes == 4:
            axpy4(acc, 0, g, offsets[k], weights[k])
        else:
            axpy2(acc, 0, g, offsets[k], weights[k])


@njit
def _scalar(acc, g, offsets, weights, lanes):
    for k in range(offsets.size):
        for e in range(lanes):
            acc[e] += weights[k] * g[offsets[k] + e]


@pytest.mark.parametrize("lanes", [8, 4, 2])
def test_vector_sums_equal_scalar_sums_bitwise(lanes):
    rng = np.random.default_rng(lanes)
    g = rng.standard_normal(1000) * 10.0 ** rng.integers(-8, 8, 1000)
    offsets = rng.integers(0, 1000 - lanes, 500)
    weights = rng.standard_normal(500)
    a, b = np.zeros(lanes), np.zeros(lanes)
    _vector(a, g, offsets, weights, lanes)
    _scalar(b, g, offsets, weights, lanes)
    assert np.array_equal(a, b)
    assert not np.array_equal(a, np.zeros(lanes))
