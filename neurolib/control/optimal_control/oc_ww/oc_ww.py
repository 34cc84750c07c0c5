"""Optimal control of the Wong-Wang model."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import TYPE_CHECKING

import numpy as np

if TYPE_CHECKING:
    from neurolib.models.model import Model


from neurolib.control.optimal_control._classes import check_model
from neurolib.control.optimal_control.oc import OC


class OcWw(OC):
    """Optimal control of a :class:`~neurolib.models.ww.WWModel` (inputs ``exc_current``, ``inh_current`` (nA); outputs
    ``r_exc``, ``r_inh`` (kHz), ``se``, ``si``).

    Arguments and attributes as :class:`~neurolib.control.optimal_control.oc.OC`; ``maximum_control_strength`` is
    the last argument (the established package had none).
    """

    def __init__(
        self,
        model: Model,
        target: np.ndarray,
        weights: Mapping[str, float] | None = None,
        print_array: Sequence[int] = (),
        cost_interval: tuple[int | None, int | None] = (None, None),
        control_interval: tuple[int | None, int | None] = (None, None),
        cost_matrix: np.ndarray | None = None,
        control_matrix: np.ndarray | None = None,
        M: int = 1,
        M_validation: int = 0,
        validate_per_step=False,
        maximum_control_strength: float | None = None,
    ):
        check_model(model, "wongwang", "Wong-Wang", "OcWw")
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
