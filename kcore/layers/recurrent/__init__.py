"""Recurrent layers (``kcore.layers.recurrent``), registered through the plugin hooks."""
from kcore.layers.recurrent.base import Recurrent
from kcore.layers.recurrent.conv_lstm import ConvLSTM2D, ConvRecurrent2D
from kcore.layers.recurrent.gru import GRU
from kcore.layers.recurrent.lstm import LSTM
from kcore.layers.recurrent.simple_rnn import SimpleRNN
from kcore.plugins import hookimpl

# Names Keras 1.1.2's module also offered (through its own imports), for scripts that use them.
from kcore import activations, initializations, regularizers  # noqa: F401
from kcore import backend as K  # noqa: F401
from kcore.engine.topology import InputSpec, Layer  # noqa: F401
from kcore.layers.recurrent._dense_base import time_distributed_dense  # noqa: F401

LAYERS = (SimpleRNN, GRU, LSTM, ConvLSTM2D)

__all__ = ['Recurrent', 'ConvRecurrent2D'] + [layer.__name__ for layer in LAYERS]


@hookimpl
def register_layers(register):
    for layer in LAYERS:
        register(layer.__name__, layer)
