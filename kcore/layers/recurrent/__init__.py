"""Recurrent layers (``kcore.layers.recurrent``), registered through the plugin hooks."""
from kcore.layers.recurrent.base import Recurrent
from kcore.layers.recurrent.conv_lstm import ConvLSTM2D, ConvRecurrent2D
from kcore.layers.recurrent.gru import GRU
from kcore.layers.recurrent.lstm import LSTM
from kcore.layers.recurrent.simple_rnn import SimpleRNN
from kcore.plugins import hookimpl

LAYERS = (SimpleRNN, GRU, LSTM, ConvLSTM2D)

__all__ = ['Recurrent', 'ConvRecurrent2D'] + [layer.__name__ for layer in LAYERS]


@hookimpl
def register_layers(register):
    for layer in LAYERS:
        register(layer.__name__, layer)
