"""Recurrences written as plain loops over timesteps: the SimpleRNN, GRU, LSTM and
ConvLSTM steps of Keras 1.1.2, and the generic loop that K.rnn implements.

Activations are numpy functions or their Keras names ('tanh', 'hard_sigmoid', ...).
"""
import numpy as np

from .convolution import conv
from .nn import activation as _activation, hard_sigmoid


def rnn(step, inputs, initial_states, go_backwards=False, mask=None, constants=()):
    """Loop ``step(x_t, states) -> (output, states)`` over axis 1 of ``inputs``; masked
    steps (mask 0) carry the previous output and states over. Returns (last output,
    outputs stacked in the order the steps are taken, last states), as K.rnn."""
    states = list(initial_states)
    outputs = []
    steps = range(inputs.shape[1])
    for t in (reversed(steps) if go_backwards else steps):
        output, new_states = step(inputs[:, t], states + list(constants))
        if mask is not None:
            keep = mask[:, t].astype(bool)
            previous = outputs[-1] if outputs else np.zeros_like(output)
            output = np.where(_along(keep, output), output, previous)
            new_states = [np.where(_along(keep, s), n, s) for n, s in zip(new_states, states)]
        outputs.append(output)
        states = list(new_states)
    return outputs[-1], np.stack(outputs, axis=1), states


def _along(keep, array):
    """A per-sample boolean reshaped to broadcast against ``array``."""
    return keep.reshape((-1,) + (1,) * (array.ndim - 1))


def lstm_cell(z_i, z_f, z_c, z_o, c_tm1, activation=np.tanh, inner=hard_sigmoid):
    """One LSTM step from the gates' pre-activations: (h, c)."""
    act, inner = _activation(activation), _activation(inner)
    c = inner(z_f) * c_tm1 + inner(z_i) * act(z_c)
    return inner(z_o) * act(c), c


def simple_rnn(x, W, U, b, h0=None, activation=np.tanh, **kwargs):
    """SimpleRNN: h = activation(x_t W + h_tm1 U + b); ``kwargs`` go to ``fused_simple_rnn``."""
    h0 = np.zeros((x.shape[0], U.shape[0])) if h0 is None else h0
    return fused_simple_rnn(x @ W + b, U, [h0], activation, **kwargs)


def gru(x, w, h0=None, activation=np.tanh, inner=hard_sigmoid, **kwargs):
    """GRU; ``w``: dict of W_z, U_z, b_z, W_r, U_r, b_r, W_h, U_h, b_h; ``kwargs`` go to
    ``fused_gru``."""
    h0 = np.zeros((x.shape[0], w['U_z'].shape[0])) if h0 is None else h0
    inputs = np.concatenate([x @ w['W_' + g] + w['b_' + g] for g in 'zrh'], axis=-1)
    kernel = np.concatenate([w['U_' + g] for g in 'zrh'], axis=-1)
    return fused_gru(inputs, kernel, [h0], activation, inner, **kwargs)


def fused_simple_rnn(inputs, kernel, initial_states, activation, go_backwards=False,
                     mask=None, dropout=None):
    """SimpleRNN on inputs that already hold x W + b; ``dropout`` is None or a recurrent
    dropout mask (samples, units) multiplying h before the product with ``kernel``."""
    act = _activation(activation)
    keep = 1 if dropout is None else dropout

    def step(x_t, states):
        h = act(x_t + (states[0] * keep) @ kernel)
        return h, [h]
    return rnn(step, inputs, initial_states, go_backwards, mask)


def fused_gru(inputs, kernel, initial_states, activation, inner_activation,
              go_backwards=False, mask=None, dropout=None):
    """The GRU on inputs that already hold x W + b of the gates z, r, h side by side;
    ``kernel`` is the recurrent (units, 3 * units) matrix in the same order. ``dropout``:
    None or the recurrent dropout mask, (samples, units) for all gates or (samples, 3,
    units) one per gate, multiplying h (r * h for h) before the products."""
    act, inner = _activation(activation), _activation(inner_activation)
    U_z, U_r, U_h = np.split(kernel, 3, axis=-1)
    if dropout is None or np.ndim(dropout) == 2:
        d_z = d_r = d_h = 1 if dropout is None else dropout
    else:
        d_z, d_r, d_h = np.moveaxis(dropout, 1, 0)

    def step(x_t, states):
        h_tm1 = states[0]
        x_z, x_r, x_h = np.split(x_t, 3, axis=-1)
        z = inner(x_z + (h_tm1 * d_z) @ U_z)
        r = inner(x_r + (h_tm1 * d_r) @ U_r)
        hh = act(x_h + (r * h_tm1 * d_h) @ U_h)
        h = z * h_tm1 + (1 - z) * hh
        return h, [h]
    return rnn(step, inputs, initial_states, go_backwards, mask)


def lstm(x, w, states=None, activation=np.tanh, inner=hard_sigmoid, **kwargs):
    """LSTM; ``w``: dict of W_g, U_g, b_g for the gates g in i, f, c, o."""
    n = w['U_i'].shape[0]
    states = states or [np.zeros((x.shape[0], n)), np.zeros((x.shape[0], n))]

    def step(x_t, states):
        h_tm1, c_tm1 = states
        z = [x_t @ w['W_' + g] + h_tm1 @ w['U_' + g] + w['b_' + g] for g in 'ifco']
        h, c = lstm_cell(*z, c_tm1, activation, inner)
        return h, [h, c]
    return rnn(step, x, states, **kwargs)


def fused_lstm(inputs, kernel, initial_states, activation, inner_activation,
               go_backwards=False, mask=None, dropout=None):
    """The LSTM on inputs that already hold x W + b of the gates i, f, c, o side by side;
    ``kernel`` is the recurrent (units, 4 * units) matrix in the same gate order.
    ``dropout``: None or the recurrent dropout masks multiplying h before the products,
    (samples, units) for all gates or (samples, 4, units) one per gate i, f, c, o."""
    kernels = np.split(kernel, 4, axis=-1)
    if dropout is not None and np.ndim(dropout) == 2:
        dropout = np.stack([dropout] * 4, axis=1)

    def step(x_t, states):
        h = states[0]
        if dropout is None:
            recurrent = h.dot(kernel)
        else:
            recurrent = np.concatenate([(h * dropout[:, g]).dot(kernels[g])
                                        for g in range(4)], axis=-1)
        h, c = lstm_cell(*np.split(x_t + recurrent, 4, axis=-1), states[1],
                         activation, inner_activation)
        return h, [h, c]
    return rnn(step, inputs, initial_states, go_backwards, mask)


def conv_lstm(x, w, strides=(1, 1), border_mode='valid', go_backwards=False):
    """ConvLSTM2D on x (n, time, rows, cols, ch), 'tf' kernels; the input convolutions use
    ``strides`` and ``border_mode``, the recurrent ones stride 1 and 'same'."""
    def gates(x_t, h_tm1):
        return [conv(x_t, w['W_' + g], strides, border_mode) + w['b_' + g]
                + conv(h_tm1, w['U_' + g], (1, 1), 'same') for g in 'ifco']

    zero = conv(np.zeros_like(x[:, 0]), np.zeros_like(w['W_i']), strides, border_mode)

    def step(x_t, states):
        h, c = lstm_cell(*gates(x_t, states[0]), states[1])
        return h, [h, c]
    return rnn(step, x, [zero, zero], go_backwards=go_backwards)


def gate_weights(layer_weights, order):
    """{'W_i': array, 'U_i': ..., 'b_i': ...} from a recurrent layer's get_weights(), whose
    Keras 1.1.2 order is W, U, b per gate, the gates in ``order`` (e.g. 'icfo' for LSTM)."""
    return {'%s_%s' % (kind, g): layer_weights[3 * i + j]
            for i, g in enumerate(order) for j, kind in enumerate('WUb')}
