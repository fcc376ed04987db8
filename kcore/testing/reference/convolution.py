"""Convolution, pooling, locally-connected and resizing references, on 'tf' (channels
last) arrays, in float64.

'same' pads as TensorFlow (the odd pixel at the end, ``conv_utils.same_padding``); 'full'
pads the dilated kernel's size minus one on both sides.
"""
import itertools

import numpy as np

from kcore.utils.conv_utils import conv_output_length, same_padding

from .orderings import from_tf, to_tf


def _pads(spatial, kernel, strides, border_mode, dilation):
    """(before, after) per spatial axis; raises ValueError for an unknown border_mode."""
    if border_mode == 'same':
        return [same_padding(n, k, s, d) for n, k, s, d in zip(spatial, kernel, strides, dilation)]
    if border_mode == 'valid':
        return [(0, 0)] * len(spatial)
    if border_mode == 'full':
        return [((k - 1) * d, (k - 1) * d) for k, d in zip(kernel, dilation)]
    raise ValueError("Unknown border_mode %r: expected 'valid', 'same' or 'full'." % (border_mode,))


def _padded(x, kernel, strides, border_mode, dilation, value=0.0):
    """x (n, *spatial, c) padded for windows of ``kernel``; with the output's spatial sizes."""
    xp = np.pad(np.asarray(x, np.float64),
                [(0, 0)] + _pads(x.shape[1:-1], kernel, strides, border_mode, dilation)
                + [(0, 0)], constant_values=value)
    out_size = [conv_output_length(n, k, border_mode, s, d)
                for n, k, s, d in zip(x.shape[1:-1], kernel, strides, dilation)]
    return xp, out_size


def _taps(offset, steps, out_size, strides):
    """The slices of the padded input that window offset ``offset`` meets, one element per
    output position (``steps`` is the distance between taps: the dilation)."""
    return tuple(slice(q * d, q * d + (o - 1) * s + 1, s)
                 for q, d, o, s in zip(offset, steps, out_size, strides))


def conv(x, kernel, strides, border_mode, dilation=None):
    """N-D cross-correlation, one kernel tap at a time.

    x: (n, *spatial, stack); kernel: (*kernel, stack, nb_filter); returns (n, *out, nb_filter):
    out[:, p] = sum over taps q of xp[:, p * strides + q * dilation] . kernel[q].
    """
    rank = x.ndim - 2
    dilation = tuple(dilation or (1,) * rank)
    size = kernel.shape[:rank]
    xp, out_size = _padded(x, size, strides, border_mode, dilation)
    out = np.zeros((x.shape[0],) + tuple(out_size) + (kernel.shape[-1],))
    for q in itertools.product(*map(range, size)):
        out += xp[(slice(None),) + _taps(q, dilation, out_size, strides)].dot(kernel[q])
    return out


def separable_conv2d(x, depthwise, pointwise, strides, border_mode):
    """Depthwise then pointwise convolution; channel c * multiplier + m of the depthwise
    result is input channel c filtered by depthwise[..., c, m]."""
    rows, cols, stack, mult = depthwise.shape
    full = np.zeros((rows, cols, stack, stack * mult))
    for c in range(stack):
        full[:, :, c, c * mult:(c + 1) * mult] = depthwise[:, :, c, :]
    return conv(conv(x, full, strides, border_mode), pointwise, (1, 1), 'valid')


def deconv2d(x, kernel, output_size, strides, border_mode):
    """Transposed 2D convolution, the adjoint of ``conv``, to (rows, cols) = ``output_size``.

    x: (n, i, j, in); kernel: (k_rows, k_cols, out, in); returns (n, rows, cols, out).
    Input pixel (i, j) adds x[:, i, j] . kernel[a, b].T to output pixel
    (i * stride + a - pad_top, j * stride + b - pad_left), for every tap (a, b).
    """
    rows, cols = output_size
    kr, kc = kernel.shape[:2]
    pads = _pads((rows, cols), (kr, kc), strides, border_mode, (1, 1))
    full = np.zeros((len(x), rows + sum(pads[0]) + kr, cols + sum(pads[1]) + kc, kernel.shape[2]))
    for a, b in itertools.product(range(kr), range(kc)):
        full[(slice(None),) + _taps((a, b), (1, 1), x.shape[1:3], strides)] += \
            np.asarray(x, np.float64).dot(kernel[a, b].T)
    return full[:, pads[0][0]:pads[0][0] + rows, pads[1][0]:pads[1][0] + cols, :]


def pool(x, pool_size, strides, border_mode, pool_mode):
    """N-D pooling on x (n, *spatial, channels); a 'same' window sees only in-image pixels
    (max ignores the padding, avg divides by the in-image count)."""
    rank = x.ndim - 2
    xp, out_size = _padded(x, pool_size, strides, border_mode, (1,) * rank, value=np.nan)
    taps = np.stack([xp[(slice(None),) + _taps(q, (1,) * rank, out_size, strides)]
                     for q in itertools.product(*map(range, pool_size))])
    return np.nanmax(taps, axis=0) if pool_mode == 'max' else np.nanmean(taps, axis=0)


def locally_connected_1d(x, W, b, length, stride, border_mode):
    """Unshared 1D correlation: out[:, i] = x's window i flattened as (step, channel) . W[i],
    plus b[i]. x: (n, steps, input_dim); W: (positions, length * input_dim, filters)."""
    xp, (positions,) = _padded(x, (length,), (stride,), border_mode, (1,))
    y = np.stack([xp[:, i * stride:i * stride + length].reshape(len(x), -1).dot(W[i])
                  for i in range(positions)], axis=1)
    return y if b is None else y + b[None]


def locally_connected_2d(x, W, b, window, strides, border_mode, dim_ordering):
    """Unshared 2D correlation on an image of ``dim_ordering``. W: (rows * cols, features,
    filters) with a patch flattened as (row, col, channel) for 'tf' and (channel, row, col)
    for 'th'; b: (rows, cols, filters)."""
    xp, (rows, cols) = _padded(to_tf(x, dim_ordering), window, strides, border_mode, (1, 1))
    (kr, kc), (sr, sc) = window, strides
    y = np.zeros((len(x), rows, cols, W.shape[-1]))
    for i, j in itertools.product(range(rows), range(cols)):
        patch = xp[:, i * sr:i * sr + kr, j * sc:j * sc + kc, :]
        if dim_ordering == 'th':
            patch = np.moveaxis(patch, -1, 1)
        y[:, i, j] = patch.reshape(len(x), -1).dot(W[i * cols + j])
    return from_tf(y if b is None else y + b[None], dim_ordering)


def crop(x, pairs):
    """x (n, *spatial, c) without pairs[i] = (start, end) elements on spatial axis i."""
    sizes = [x.shape[1 + i] - a - b for i, (a, b) in enumerate(pairs)]
    out = np.zeros((x.shape[0],) + tuple(sizes) + (x.shape[-1],), x.dtype)
    for pos in itertools.product(*map(range, sizes)):
        src = tuple(p + a for p, (a, _) in zip(pos, pairs))
        out[(slice(None),) + pos] = x[(slice(None),) + src]
    return out


def upsample(x, factors):
    """x (n, *spatial, c) with each element repeated factors[i] times along spatial axis i."""
    sizes = [x.shape[1 + i] * f for i, f in enumerate(factors)]
    out = np.zeros((x.shape[0],) + tuple(sizes) + (x.shape[-1],), x.dtype)
    for pos in itertools.product(*map(range, sizes)):
        src = tuple(p // f for p, f in zip(pos, factors))
        out[(slice(None),) + pos] = x[(slice(None),) + src]
    return out


def zero_pad(x, pairs):
    """x (n, *spatial, c) with pairs[i] = (before, after) zeros around spatial axis i."""
    sizes = [x.shape[1 + i] + a + b for i, (a, b) in enumerate(pairs)]
    out = np.zeros((x.shape[0],) + tuple(sizes) + (x.shape[-1],), x.dtype)
    for pos in itertools.product(*(range(x.shape[1 + i]) for i in range(len(pairs)))):
        dst = tuple(p + a for p, (a, _) in zip(pos, pairs))
        out[(slice(None),) + dst] = x[(slice(None),) + pos]
    return out
