"""The engine's coupling lists: every connection with a non-zero weight in exactly one lag class."""

import numpy as np
import pytest

from neurolib._core import _loop, network


@pytest.mark.parametrize("levels", [_loop.LEVELS, (8,), (16, 8, 4, 2)])
def test_lag_classes_partition_the_connections(levels):
    rng = np.random.default_rng(5)
    N = 9
    D = rng.integers(0, 40, (N, N))
    W1 = rng.uniform(0, 1, (N, N)) * (rng.uniform(size=(N, N)) < 0.6)
    W2 = np.where(W1 == 0, rng.uniform(size=(N, N)) * (rng.uniform(size=(N, N)) < 0.2), 0.0)  # links W1 lacks
    classes = network.coupling_lists([W1, W2], D, levels)
    assert len(classes) == len(levels) + 1
    bounds = [np.inf, *levels, 0]
    seen = np.zeros((N, N), dtype=int)
    for (ptr, src, lag, W), hi, lo in zip(classes, bounds[:-1], bounds[1:]):
        assert ptr.shape == (N + 1,) and ptr[0] == 0 and ptr[-1] == len(src) == len(lag) == W.shape[1]
        for n in range(N):
            for j in range(ptr[n], ptr[n + 1]):
                m = src[j]
                assert lag[j] == 1 + D[n, m] and lo <= lag[j] < hi
                assert W[0, j] == W1[n, m] and W[1, j] == W2[n, m]
                seen[n, m] += 1
    assert np.array_equal(seen, ((W1 != 0) | (W2 != 0)).astype(int))
