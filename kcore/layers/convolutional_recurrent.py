"""``keras.layers.convolutional_recurrent``: ConvLSTM2D and its base (they live in
:mod:`kcore.layers.recurrent`)."""
from kcore.layers.recurrent.conv_lstm import ConvLSTM2D, ConvRecurrent2D

# Names Keras 1.1.2's module also offered (through its own imports), for scripts that use them.
from kcore import activations, initializations, regularizers  # noqa: F401
from kcore import backend as K  # noqa: F401
from kcore.engine.topology import InputSpec, Layer  # noqa: F401
from kcore.utils.conv_utils import conv_output_length  # noqa: F401

__all__ = ['ConvLSTM2D', 'ConvRecurrent2D']
