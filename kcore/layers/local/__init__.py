"""Locally-connected layers (``kcore.layers.local``): convolutions with unshared weights."""
from kcore.layers.local.locally_connected1d import LocallyConnected1D
from kcore.layers.local.locally_connected2d import LocallyConnected2D
from kcore.plugins import hookimpl

# Names Keras 1.1.2's module also offered (through its own imports), for scripts that use them.
from kcore import activations, constraints, initializations, regularizers  # noqa: F401
from kcore import backend as K  # noqa: F401
from kcore.engine.topology import InputSpec, Layer  # noqa: F401
from kcore.utils.conv_utils import conv_output_length  # noqa: F401

LAYERS = (LocallyConnected1D, LocallyConnected2D)

__all__ = [layer.__name__ for layer in LAYERS]


@hookimpl
def register_layers(register):
    for layer in LAYERS:
        register(layer.__name__, layer)
