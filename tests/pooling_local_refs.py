"""Numpy references, by direct loops, for the pooling and locally-connected tests.
(Not a test module: imported by tests/test_layers_pooling*.py and test_layers_local*.py.)"""
import numpy as np


def out_length(n, window, stride, border_mode):
    if border_mode == 'same':
        return -(-n // stride)
    return (n - window) // stride + 1


def pad_before(n, window, stride, border_mode):
    """TensorFlow's 'same' rule: the odd pixel of padding goes at the end."""
    if border_mode != 'same':
        return 0
    total = max((out_length(n, window, stride, 'same') - 1) * stride + window - n, 0)
    return total // 2


def pool_tf(x, pool, strides, border_mode, mode):
    """Pool x (samples, *spatial, channels): for each output position, the max or mean of
    the window's pixels that lie inside the input."""
    spatial = x.shape[1:-1]
    outs = [out_length(n, p, s, border_mode) for n, p, s in zip(spatial, pool, strides)]
    starts = [pad_before(n, p, s, border_mode) for n, p, s in zip(spatial, pool, strides)]
    y = np.zeros((x.shape[0],) + tuple(outs) + (x.shape[-1],), dtype=np.float64)
    for position in np.ndindex(*outs):
        window = [slice(max(i * s - b, 0), min(i * s - b + p, n)) for i, s, b, p, n in
                  zip(position, strides, starts, pool, spatial)]
        values = x[(slice(None),) + tuple(window) + (slice(None),)]
        axes = tuple(range(1, len(spatial) + 1))
        y[(slice(None),) + position + (slice(None),)] = (
            values.max(axis=axes) if mode == 'max' else values.mean(axis=axes))
    return y


def to_tf(x):
    """'th' (samples, channels, *spatial) -> 'tf' (samples, *spatial, channels)."""
    return np.moveaxis(x, 1, -1)


def to_th(x):
    return np.moveaxis(x, -1, 1)


def pad_same(x, windows, strides, border_mode):
    """x (samples, *spatial, channels) zero-padded as a 'same' convolution pads."""
    widths = [(0, 0)]
    for n, w, s in zip(x.shape[1:-1], windows, strides):
        before = pad_before(n, w, s, border_mode)
        total = max((out_length(n, w, s, border_mode) - 1) * s + w - n, 0) \
            if border_mode == 'same' else 0
        widths.append((before, total - before))
    return np.pad(x, widths + [(0, 0)])


def locally_connected_1d(x, W, b, length, stride, border_mode):
    """out[n, i, f] = sum over (t, c) of x[n, i * stride + t, c] * W[i, t * input_dim + c, f]
    + b[i, f]."""
    xp = pad_same(x, (length,), (stride,), border_mode)
    samples, _, dim = x.shape
    positions, _, filters = W.shape
    y = np.zeros((samples, positions, filters))
    for n in range(samples):
        for i in range(positions):
            for t in range(length):
                for c in range(dim):
                    y[n, i] += xp[n, i * stride + t, c] * W[i, t * dim + c]
    return y + (0 if b is None else b[None])


def locally_connected_2d(x, W, b, window, strides, border_mode, dim_ordering):
    """Unshared 2D correlation on an image of ``dim_ordering``; W's patch axis is
    (row, col, channel) for 'tf' and (channel, row, col) for 'th'; b is (rows, cols, filters)."""
    xt = pad_same(to_tf(x) if dim_ordering == 'th' else x, window, strides, border_mode)
    samples, channels = x.shape[0], xt.shape[-1]
    rows, cols = [out_length(n, w, s, border_mode) for n, w, s in
                  zip((to_tf(x) if dim_ordering == 'th' else x).shape[1:3], window, strides)]
    (kr, kc), (sr, sc) = window, strides
    y = np.zeros((samples, rows, cols, W.shape[-1]))
    for i in range(rows):
        for j in range(cols):
            for r in range(kr):
                for c in range(kc):
                    for ch in range(channels):
                        feature = ((r * kc + c) * channels + ch if dim_ordering == 'tf'
                                   else (ch * kr + r) * kc + c)
                        y[:, i, j] += np.outer(xt[:, i * sr + r, j * sc + c, ch],
                                               W[i * cols + j, feature])
    y = y + (0 if b is None else b[None])
    return to_th(y) if dim_ordering == 'th' else y
