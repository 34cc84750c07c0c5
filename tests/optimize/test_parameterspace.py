"""ParameterSpace: kinds, parametrizations, star names, bounds and random points."""

import numpy as np
import pytest

from neurolib.utils.parameterSpace import ParameterSpace


def test_kind_guess():
    assert ParameterSpace({"a": [1.0], "b": [2.0]}).kind == "point"
    two = ParameterSpace({"a": [1.0, 2.0], "b": [3.0, 4.0]})
    assert two.kind == "bound" and two.kind_guessed
    assert ParameterSpace({"a": [1, 2, 3], "b": [4, 5, 6]}).kind == "grid"
    assert ParameterSpace({"a": [1, 2, 3], "b": [4, 5]}).kind == "grid"
    assert ParameterSpace([], []).kind is None
    assert not ParameterSpace({"a": [1.0, 2.0]}, kind="grid").kind_guessed


def test_grid_order_first_slowest():
    p = ParameterSpace({"a": [1, 2, 3], "b": [4, 5]})
    assert p.get_parametrization() == {"a": [1, 1, 2, 2, 3, 3], "b": [4, 5, 4, 5, 4, 5]}


def test_two_values_grid_when_asked():
    # the QUIRK: two values per parameter is a "bound" space of 2 zipped points unless kind="grid" is given
    zipped = ParameterSpace({"x": np.linspace(0, 3, 2), "y": np.linspace(0, 3, 2)})
    assert zipped.get_parametrization() == {"x": [0.0, 3.0], "y": [0.0, 3.0]}
    grid = ParameterSpace({"x": np.linspace(0, 3, 2), "y": np.linspace(0, 3, 2)}, kind="grid")
    assert grid.get_parametrization() == {"x": [0.0, 0.0, 3.0, 3.0], "y": [0.0, 3.0, 0.0, 3.0]}


def test_sequence_and_explicit():
    seq = ParameterSpace._inflate_to_sequence({"a": [1, 2], "b": [3, 4, 5], "c": [12.0, 54.0]})
    assert seq == {
        "a": [1, 2, None, None, None, None, None],
        "b": [None, None, 3, 4, 5, None, None],
        "c": [None, None, None, None, None, 12.0, 54.0],
    }
    ex = ParameterSpace({"a": [1, 2, 3], "b": [4, 5, 6]}, kind="explicit")
    assert ex.get_parametrization() == {"a": [1, 2, 3], "b": [4, 5, 6]}
    with pytest.raises(AssertionError):
        ParameterSpace({"a": [1, 2, 3], "b": [4, 5]}, kind="point").get_parametrization()


def test_list_form_bounds_and_properties():
    p = ParameterSpace(["x", "y"], [[0.0, 1.0], [-2.0, 5.0]])
    assert p.kind == "bound"
    assert p.lowerBound == [0.0, -2.0] and p.upperBound == [1.0, 5.0] and p.ndims == 2
    assert p.x == [0.0, 1.0] and p["y"] == [-2.0, 5.0]
    assert p.named_tuple.x == [0.0, 1.0]
    with pytest.raises(AssertionError, match="bound"):
        ParameterSpace(["x"], [[1.0, 0.0]])
    with pytest.raises(AssertionError):
        ParameterSpace(["x"], [np.array([0.0, 1.0])])  # the list form needs lists or tuples
    with pytest.raises(AssertionError):
        ParameterSpace({"x": [1]}, parameterValues=[[1]])
    with pytest.raises(AssertionError, match="not one-dimensional"):
        ParameterSpace({"x": np.zeros((2, 2))})
    with pytest.raises(AssertionError):
        ParameterSpace({"x": [1, 2, 3]}, kind="cube")


def test_setitem_refreshes_names():
    p = ParameterSpace({"a": [1, 2, 3]})
    p["b"] = np.array([4.0, 5.0, 6.0])
    assert p.parameterNames == ["a", "b"]
    assert p.parameterValues == [[1, 2, 3], [4.0, 5.0, 6.0]]
    assert p.named_tuple.b == [4.0, 5.0, 6.0] and p.b == [4.0, 5.0, 6.0]


def test_star_names_sanitized():
    p = ParameterSpace({"*EXC*.tau": [1.0, 2.0, 3.0]}, allow_star_notation=True)
    assert p.star
    assert p.named_tuple_constructor._fields == ("STAREXCSTARDOTtau",)


def test_get_random_local_generator():
    p = ParameterSpace({"a": np.linspace(0, 1, 11), "b": [1, 2, 3]})
    r1 = p.getRandom(safe=True, seed=5)
    r2 = p.getRandom(safe=True, seed=5)
    assert r1 == r2 and type(r1["a"]) is float and type(r1["b"]) is int
    assert r1["a"] in p.a and r1["b"] in p.b
    assert p.getRandom(seed=np.random.default_rng(5)) == p.getRandom(seed=5)


def test_array_valued_values():
    p = ParameterSpace({"ext": [np.ones(3) * a for a in (0.5, 1.0, 1.5)]})
    assert p.kind == "grid" and len(p.get_parametrization()["ext"]) == 3
