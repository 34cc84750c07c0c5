"""Module-level functions of ``neurolib.control.optimal_control.oc`` and the cost functionals."""

import numpy as np
import pytest

from neurolib.control.optimal_control import cost_functions as cf
from neurolib.control.optimal_control.oc import (
    adjoint_input,
    adjoint_nw_input,
    compute_gradient,
    convert_interval,
    getdefaultweights,
    limit_control_to_interval,
    solve_adjoint,
    update_control_with_limit,
)
from neurolib.errors import ParameterError, ParameterKeyError


def test_default_weights():
    w = getdefaultweights()
    assert dict(w) == {"w_p": 1.0, "w_2": 0.0, "w_1D": 0.0}
    with pytest.raises(ParameterKeyError, match="w_x"):
        w["w_x"] = 1.0


@pytest.mark.parametrize("interval, expected", [((-6, -2), (4, 8)), ((1, 7), (1, 7)), ((None, None), (0, 10)),
                                                ((0, None), (0, 10)), ((None, -1), (0, 9))])  # fmt: skip
def test_convert_interval(interval, expected):
    assert convert_interval(interval, 10) == expected


@pytest.mark.parametrize("interval", [(5, -7), (-11, 5), (9, 11), (3, 3), (-10, 4)])
def test_convert_interval_rejects(interval):
    with pytest.raises(AssertionError):
        convert_interval(interval, 10)
    with pytest.raises(ParameterError, match="cost_interval"):
        convert_interval(interval, 10, "cost_interval")


def test_update_control_with_limit():
    u = np.array([[[0.2, -0.4, np.inf, -np.inf]]])
    g = np.array([[[1.0, -1.0, 0.0, 0.0]]])
    out = update_control_with_limit(1, 1, 4, u, 0.5, g, 0.5)
    np.testing.assert_array_equal(out, [[[0.5, -0.5, 0.5, -0.5]]])
    np.testing.assert_array_equal(
        update_control_with_limit(1, 1, 4, u[..., :2], 0.5, g[..., :2], None), [[[0.7, -0.9]]]
    )


def test_limit_control_to_interval():
    u = np.ones((2, 1, 6))
    out = limit_control_to_interval(2, 1, 6, u, (2, 4))
    np.testing.assert_array_equal(out[0, 0], [0, 0, 1, 1, 0, 0])
    assert u.sum() == 12  # input untouched


def test_compute_gradient_pinned():
    N, V, T = 1, 2, 5
    ones = np.ones((N, V, T))
    grad = compute_gradient(N, V, V, ones, ones, np.ones((N, V)), np.ones((N, V, V, T)), (0, T))
    np.testing.assert_array_equal(grad, 3.0)
    grad = compute_gradient(N, V, V, ones, np.zeros((N, V, T)), np.ones((N, V)), np.ones((N, V, V, T)), (0, T))
    np.testing.assert_array_equal(grad, ones)
    grad = compute_gradient(N, V, V, ones, ones, np.ones((N, V)), np.ones((N, V, V, T)), (1, 3))
    np.testing.assert_array_equal(grad[0, 0], [0, 3, 3, 0, 0])


def test_solve_adjoint_pinned():
    N, V, T = 1, 2, 6
    hx = np.ones((N, T, V, V))
    hx_nw = np.zeros((N, N, T, V, V))
    fx = np.ones((N, V, T))
    dxdoth = np.ones((N, V, V))
    names = ["a", "b"]
    adj = solve_adjoint([hx], [0], hx_nw, fx, (N, V, T), 1.0, N, T, np.zeros((N, N)), dxdoth, names, names)
    for v in range(V):
        np.testing.assert_array_equal(adj[0, v], [-1, 0, -1, 0, -1, 0])
    zero = solve_adjoint([hx], [0], hx_nw, 0 * fx, (N, V, T), 1.0, N, T, np.zeros((N, N)), dxdoth, names, names)
    np.testing.assert_array_equal(zero, 0.0)
    with pytest.raises(NotImplementedError):
        solve_adjoint([hx], [0], hx_nw, fx, (N, V, T), 1.0, N, T, np.zeros((N, N)), 2 * dxdoth, names, names)


def test_adjoint_input_functions():
    N, V, T = 2, 1, 4
    adj = np.arange(N * V * T, dtype=float).reshape(N, V, T)
    hx = np.ones((N, T, V, V))
    assert adjoint_input([hx, 2 * hx], [0, 1], 0, T, V, adj, 1, 0) == adj[1, 0, 1] + 2 * adj[1, 0, 2]
    assert adjoint_input([hx], [2], 1, T, V, adj, 0, 0) == 0.0  # t + 1 + d reaches T
    hx_nw = np.ones((N, N, T, V, V))
    D = np.array([[0, 1], [0, 0]])
    # node 0 reads node 1 with a delay of 1 step: node 1 at t = 0 acts on node 0 at t + 1 + 1 = 2
    assert adjoint_nw_input(N, 1, 0, D, 0, T, V, adj, hx_nw) == adj[0, 0, 2] + adj[1, 0, 1]


def test_precision_costs():
    rng = np.random.default_rng(0)
    target = rng.standard_normal((2, 2, 10))
    x = target.copy()
    x[:, :, 3] = -target[:, :, 3]
    weights = getdefaultweights()
    dt = 0.1
    expected = 0.5 * np.sum((2 * target[:, :, 3]) ** 2) * dt
    assert cf.accuracy_cost(x, target, weights, np.ones((2, 2)), dt) == pytest.approx(expected, rel=1e-14)
    assert cf.accuracy_cost(x, target, weights, np.ones((2, 2)), dt, (4, None)) == 0.0
    der = cf.derivative_accuracy_cost(x, target, weights, np.ones((2, 2)), (0, None))
    np.testing.assert_allclose(der[:, :, 3], -2 * target[:, :, 3])
    weights["w_p"] = 0.0
    assert cf.accuracy_cost(x, target, weights, np.ones((2, 2)), dt) == 0.0


def test_accuracy_cost_is_dt_weighted():
    values = []
    for dt in (0.1, 1e-3, 1e-4):
        t = np.arange(0.0, 10.0 + dt / 2, dt)
        x = np.sin(t)[None, None, :]
        values.append(cf.accuracy_cost(x, np.zeros_like(x), getdefaultweights(), np.ones((1, 1)), dt))
    assert values[0] == pytest.approx(values[1], abs=1e-2) and values[1] == pytest.approx(values[2], abs=1e-3)


def test_control_costs():
    dt = 0.1
    u = np.ones((1, 2, 10))
    weights = getdefaultweights()
    weights["w_2"] = 1.0
    assert cf.control_strength_cost(u, weights, dt) == pytest.approx(np.sum(u**2) * dt / 2)
    np.testing.assert_array_equal(cf.derivative_control_strength_cost(u, weights, dt), u)
    weights["w_2"], weights["w_1D"] = 0.0, 1.0
    u2 = np.stack([np.linspace(0, 1, 10), np.zeros(10)])[None]
    assert cf.L1D_cost_integral(u2, dt) == pytest.approx(np.sqrt(np.sum(u2[0, 0] ** 2) * dt))
    der = cf.derivative_L1D_cost(u2, dt)
    assert np.all(der[0, 1] == 0.0)
    np.testing.assert_allclose(der[0, 0], u2[0, 0] / np.sqrt(np.sum(u2[0, 0] ** 2) * dt))
    assert cf.L2_cost(u).sum() == 10.0
    np.testing.assert_array_equal(cf.derivative_L2_cost(u), u)
