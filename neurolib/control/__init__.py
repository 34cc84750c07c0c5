"""Control of neurolib models (optimal control: :mod:`neurolib.control.optimal_control`)."""
