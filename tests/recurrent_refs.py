"""Numpy references for the recurrent-layer tests: the recurrences written as plain loops
over timesteps (not a test module: imported by tests/test_layers_recurrent*.py)."""
import numpy as np


def sigmoid(x):
    return 1. / (1. + np.exp(-x))


def hard_sigmoid(x):
    return np.clip(0.2 * x + 0.5, 0., 1.)


def run_steps(step, x, states, go_backwards=False, mask=None):
    """Loop ``step(x_t, states) -> (output, states)`` over axis 1 of ``x``; masked steps
    (mask 0) keep the previous output and states. Returns (last, outputs, states) with
    outputs in processing order, as K.rnn."""
    steps = range(x.shape[1] - 1, -1, -1) if go_backwards else range(x.shape[1])
    output, outputs = None, []
    for t in steps:
        new_output, new_states = step(x[:, t], states)
        if mask is not None:
            keep = mask[:, t].astype(bool).reshape((-1,) + (1,) * (new_output.ndim - 1))
            previous = np.zeros_like(new_output) if output is None else output
            new_output = np.where(keep, new_output, previous)
            new_states = [np.where(keep, n, o) for n, o in zip(new_states, states)]
        output, states = new_output, new_states
        outputs.append(output)
    return output, np.stack(outputs, axis=1), states


def simple_rnn(x, W, U, b, h0=None, activation=np.tanh, **kwargs):
    h0 = np.zeros((x.shape[0], U.shape[0])) if h0 is None else h0

    def step(x_t, states):
        h = activation(x_t @ W + states[0] @ U + b)
        return h, [h]
    return run_steps(step, x, [h0], **kwargs)


def gru(x, w, h0=None, activation=np.tanh, inner=hard_sigmoid, **kwargs):
    """``w``: dict of W_z, U_z, b_z, W_r, U_r, b_r, W_h, U_h, b_h."""
    h0 = np.zeros((x.shape[0], w['U_z'].shape[0])) if h0 is None else h0

    def step(x_t, states):
        h_tm1 = states[0]
        z = inner(x_t @ w['W_z'] + h_tm1 @ w['U_z'] + w['b_z'])
        r = inner(x_t @ w['W_r'] + h_tm1 @ w['U_r'] + w['b_r'])
        hh = activation(x_t @ w['W_h'] + (r * h_tm1) @ w['U_h'] + w['b_h'])
        h = z * h_tm1 + (1 - z) * hh
        return h, [h]
    return run_steps(step, x, [h0], **kwargs)


def lstm(x, w, states=None, activation=np.tanh, inner=hard_sigmoid, **kwargs):
    """``w``: dict of W_g, U_g, b_g for g in i, f, c, o."""
    n = w['U_i'].shape[0]
    states = states or [np.zeros((x.shape[0], n)), np.zeros((x.shape[0], n))]

    def step(x_t, states):
        h_tm1, c_tm1 = states
        gate = {g: x_t @ w['W_' + g] + h_tm1 @ w['U_' + g] + w['b_' + g] for g in 'ifco'}
        c = inner(gate['f']) * c_tm1 + inner(gate['i']) * activation(gate['c'])
        h = inner(gate['o']) * activation(c)
        return h, [h, c]
    return run_steps(step, x, states, **kwargs)


def named(layer_weights, order):
    """{'W_i': array, ...} from a layer's get_weights() in Keras 1.1.2 ``order`` (gates)."""
    return {'%s_%s' % (kind, g): layer_weights[3 * i + j]
            for i, g in enumerate(order) for j, kind in enumerate('WUb')}


# ------------------------------------------------------------ convolutions
def conv2d_tf(x, kernel, strides=(1, 1), border_mode='valid'):
    """Cross-correlation of x (n, rows, cols, ch) with kernel (kr, kc, ch, nf); 'same' pads
    as TensorFlow (the odd pixel at the end)."""
    n, rows, cols, _ = x.shape
    kr, kc, _, nf = kernel.shape
    if border_mode == 'same':
        out_r, out_c = -(-rows // strides[0]), -(-cols // strides[1])
        pad_r = max((out_r - 1) * strides[0] + kr - rows, 0)
        pad_c = max((out_c - 1) * strides[1] + kc - cols, 0)
        x = np.pad(x, ((0, 0), (pad_r // 2, pad_r - pad_r // 2),
                       (pad_c // 2, pad_c - pad_c // 2), (0, 0)))
    else:
        out_r = (rows - kr) // strides[0] + 1
        out_c = (cols - kc) // strides[1] + 1
    y = np.zeros((n, out_r, out_c, nf))
    for i in range(out_r):
        for j in range(out_c):
            patch = x[:, i * strides[0]:i * strides[0] + kr, j * strides[1]:j * strides[1] + kc]
            y[:, i, j] = np.tensordot(patch, kernel, axes=([1, 2, 3], [0, 1, 2]))
    return y


def conv_lstm(x, w, strides=(1, 1), border_mode='valid', go_backwards=False):
    """ConvLSTM2D on x (n, time, rows, cols, ch) ('tf' layout, kernels 'tf')."""
    def conv(v, kernel, bias=None, recurrent=False):
        y = conv2d_tf(v, kernel, (1, 1) if recurrent else strides,
                      'same' if recurrent else border_mode)
        return y if bias is None else y + bias

    zero = conv(np.zeros_like(x[:, 0]), np.zeros_like(w['W_i']))

    def step(x_t, states):
        h_tm1, c_tm1 = states
        gate = {g: conv(x_t, w['W_' + g], w['b_' + g]) + conv(h_tm1, w['U_' + g], recurrent=True)
                for g in 'ifco'}
        c = hard_sigmoid(gate['f']) * c_tm1 + hard_sigmoid(gate['i']) * np.tanh(gate['c'])
        h = hard_sigmoid(gate['o']) * np.tanh(c)
        return h, [h, c]
    return run_steps(step, x, [zero, zero], go_backwards=go_backwards)
