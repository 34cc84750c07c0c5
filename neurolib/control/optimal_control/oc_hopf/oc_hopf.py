"""Optimal control of the Hopf model."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import TYPE_CHECKING

import numpy as np

if TYPE_CHECKING:
    from neurolib.models.model import Model


from neurolib.control.optimal_control._classes import check_model, params_tuple
from neurolib.control.optimal_control.oc import OC


class OcHopf(OC):
    """Optimal control of a :class:`~neurolib.models.hopf.HopfModel` (inputs ``x_ext``, ``y_ext``; outputs ``x``,
    ``y``).

    Arguments and attributes as :class:`~neurolib.control.optimal_control.oc.OC`; ``maximum_control_strength``
    follows ``weights`` as in the established package.
    """

    def __init__(
        self,
        model: Model,
        target: np.ndarray,
        weights: Mapping[str, float] | None = None,
        maximum_control_strength: float | None = None,
        print_array: Sequence[int] = (),
        cost_interval: tuple[int | None, int | None] = (None, None),
        control_interval: tuple[int | None, int | None] = (None, None),
        cost_matrix: np.ndarray | None = None,
        control_matrix: np.ndarray | None = None,
        M: int = 1,
        M_validation: int = 0,
        validate_per_step: bool = False,
    ) -> None:
        check_model(model, "hopf", "Hopf", "OcHopf")
        super().__init__(
            model,
            target,
            weights,
            maximum_control_strength,
            print_array,
            cost_interval,
            control_interval,
            cost_matrix,
            control_matrix,
            M,
            M_validation,
            validate_per_step,
        )

    def get_model_params(self):
        """The model's parameters, in this order:
        a, w.
        """
        return params_tuple(self.model.params, ("a", "w"))
