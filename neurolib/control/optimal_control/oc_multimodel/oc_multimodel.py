"""Optimal control of MultiModel nodes and networks."""

from neurolib.control.optimal_control.oc import StrengthLastOC
from neurolib.errors import ParameterTypeError


class OcMultiModel(StrengthLastOC):
    """Optimal control of a :class:`~neurolib.models.multimodel.MultiModel` node or network.

    The control acts on every node's input channels (``noise_input``; ``oc.model`` lists them per node in the order
    of ``OcMultiModel(...).dynamics.input_vars``, e.g. ``["WCmassEXC.input_0", "WCmassINH.input_0"]``) and is
    **added** to the channels' input processes: it starts at zero, shape (nodes, channels per node, T). Targets have
    shape (nodes, len(model.output_vars), T). In a network of different nodes every node must have every output,
    channels are numbered per node (``input_0``, ...) and a node's state is laid out outputs first. A deterministic
    model's input processes are drawn once and kept; with random processes (``sigma > 0``) the optimisation is noisy
    (use ``M`` > 1). The step Jacobians come from the model's symbolic equations (no hand-written derivatives).

    Arguments and attributes as :class:`~neurolib.control.optimal_control.oc.OC`; ``maximum_control_strength`` is
    the last argument.
    """

    def __init__(self, model, target, *args, **kwargs):
        from neurolib.models.multimodel import MultiModel

        if not isinstance(model, MultiModel):
            raise ParameterTypeError(
                f"model: OcMultiModel controls a MultiModel, got {type(model).__name__}; use the OC class of that "
                "model."
            )
        super().__init__(model, target, *args, **kwargs)
