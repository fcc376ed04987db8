"""``keras.layers.convolutional_recurrent``: ConvLSTM2D and its base (they live in
:mod:`kcore.layers.recurrent`)."""
from kcore.layers.recurrent.conv_lstm import ConvLSTM2D, ConvRecurrent2D

__all__ = ['ConvLSTM2D', 'ConvRecurrent2D']
