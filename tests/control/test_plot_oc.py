"""Smoke tests of the optimal-control plots (Agg backend)."""

import matplotlib
import numpy as np
import pytest

from neurolib.errors import ParameterError
from neurolib.utils import plot_oc

matplotlib.use("Agg")


def test_plot_singlenode_and_network():
    import matplotlib.pyplot as plt

    T = 101
    a = np.random.default_rng(0).standard_normal((1, 2, T))
    fig = plot_oc.plot_oc_singlenode(10.0, 0.1, a, a + 0.1, a, a, cost_array=[1.0, 0.5, 0.2])
    assert len(fig.axes) == 3
    plt.close(fig)
    fig = plot_oc.plot_oc_singlenode(10.0, 0.1, a, a, a, a, plot_state_vars=[0], plot_control_vars=[1])
    assert len(fig.axes) == 2
    plt.close(fig)
    b = np.random.default_rng(1).standard_normal((3, 2, T))
    fig = plot_oc.plot_oc_network(3, 10.0, 0.1, b, b, b, b, cost_array=[1.0, 0.1], step_array=[0.5])
    assert len(fig.axes) == 9
    plt.close(fig)
    with pytest.raises(ParameterError, match="state"):
        plot_oc.plot_oc_network(2, 10.0, 0.1, b, b, b, b)
    with pytest.raises(ParameterError, match="duration"):
        plot_oc.plot_oc_singlenode(5.0, 0.1, a, a, a, a)
