"""Plain numpy references that kcore's backends and layers are checked against.

One oracle for the backend conformance suite and for kcore's own tests: convolutions
(every border mode, strides, dilation), pooling, locally-connected and resizing layers on
'tf' (channels last) arrays, with the helpers that move 'th' arrays in and out; the
recurrent steps; activations; CTC. Written as loops where that keeps them obviously right,
computed in float64.
"""
from .convolution import (conv, crop, deconv2d, locally_connected_1d, locally_connected_2d,
                          pool, separable_conv2d, upsample, zero_pad)
from .ctc import (ctc_batch_cost, ctc_beam_decode, ctc_best_path, ctc_log_likelihood,
                  ctc_prefix_beam_search)
from .nn import ACTIVATIONS, activation, batch_dot, hard_sigmoid, log_softmax, sigmoid, softmax
from .orderings import from_tf, kernel_from_tf, kernel_to_th, kernel_to_tf, to_tf, to_th
from .recurrent import (conv_lstm, fused_gru, fused_lstm, fused_simple_rnn, gate_weights,
                        gru, lstm, lstm_cell, rnn, simple_rnn)

__all__ = [
    'conv', 'crop', 'deconv2d', 'locally_connected_1d', 'locally_connected_2d', 'pool',
    'separable_conv2d', 'upsample', 'zero_pad',
    'ctc_batch_cost', 'ctc_beam_decode', 'ctc_best_path', 'ctc_log_likelihood',
    'ctc_prefix_beam_search',
    'ACTIVATIONS', 'activation', 'batch_dot', 'hard_sigmoid', 'log_softmax', 'sigmoid', 'softmax',
    'from_tf', 'kernel_from_tf', 'kernel_to_th', 'kernel_to_tf', 'to_tf', 'to_th',
    'conv_lstm', 'fused_gru', 'fused_lstm', 'fused_simple_rnn', 'gate_weights', 'gru', 'lstm',
    'lstm_cell', 'rnn', 'simple_rnn',
]
