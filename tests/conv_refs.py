"""Numpy references for the convolutional layers, written as direct loops over output
positions, on channels-last arrays; and the th <-> tf rearrangements the tests use.
(Not a test module: imported by tests/test_layers_conv_*.py.)"""
import itertools

import numpy as np

RNG = np.random.RandomState(7)


def rand(*shape):
    return RNG.randn(*shape).astype('float32')


# --------------------------------------------------------------- orderings
def to_th(x):
    """A channels-last batch (n, *spatial, c) as channels-first (n, c, *spatial)."""
    return np.ascontiguousarray(np.moveaxis(x, -1, 1))


def to_tf(x):
    return np.ascontiguousarray(np.moveaxis(x, 1, -1))


def kernel_to_th(kernel):
    """A 'tf' kernel (*spatial, stack, nb_filter) as 'th' (nb_filter, stack, *spatial)."""
    n = kernel.ndim
    return np.ascontiguousarray(np.transpose(kernel, (n - 1, n - 2) + tuple(range(n - 2))))


# ------------------------------------------------------------ convolutions
def same_pads(size, k, stride):
    """TensorFlow's 'same' (before, after) padding of one axis."""
    out = -(-size // stride)
    total = max((out - 1) * stride + k - size, 0)
    return total // 2, total - total // 2


def pad_input(x, kernel_size, strides, mode, dilation):
    """x (n, *spatial, c) padded for the convolution; the dilated kernel sizes."""
    sizes = [(k - 1) * d + 1 for k, d in zip(kernel_size, dilation)]
    if mode == 'same':
        pads = [same_pads(x.shape[1 + i], sizes[i], strides[i]) for i in range(len(sizes))]
        x = np.pad(x, [(0, 0)] + pads + [(0, 0)])
    return x, sizes


def conv_ref(x, kernel, strides, mode, dilation=None):
    """N-D cross-correlation: x (n, *spatial, c), kernel (*k, c, f) -> (n, *out, f)."""
    rank = kernel.ndim - 2
    dilation = dilation or (1,) * rank
    x, sizes = pad_input(x, kernel.shape[:rank], strides, mode, dilation)
    out_sizes = [(x.shape[1 + i] - sizes[i]) // strides[i] + 1 for i in range(rank)]
    out = np.zeros((x.shape[0],) + tuple(out_sizes) + (kernel.shape[-1],), 'float64')
    for n in range(x.shape[0]):
        for pos in itertools.product(*map(range, out_sizes)):
            for f in range(kernel.shape[-1]):
                total = 0.0
                for tap in itertools.product(*map(range, kernel.shape[:rank])):
                    src = tuple(p * s + t * d for p, s, t, d in zip(pos, strides, tap, dilation))
                    total += np.dot(x[(n,) + src], kernel[tap + (slice(None), f)])
                out[(n,) + pos + (f,)] = total
    return out


def separable_ref(x, depthwise, pointwise, strides, mode):
    """Depthwise (r, c, in, mult) per channel, then pointwise (1, 1, in * mult, out)."""
    n_in, mult = depthwise.shape[2:]
    parts = []
    for c in range(n_in):
        for m in range(mult):
            parts.append(conv_ref(x[..., c:c + 1], depthwise[:, :, c:c + 1, m:m + 1],
                                  strides, mode))
    mixed = np.concatenate(parts, axis=-1)     # channel c * mult + m
    return conv_ref(mixed, pointwise, (1, 1), 'valid')


def deconv_ref(x, kernel, out_rows_cols, strides, mode):
    """Transposed convolution as a scatter-add: x (n, i, j, in), kernel (r, c, out, in)."""
    k = kernel.shape[:2]
    full = [(x.shape[1 + a] - 1) * strides[a] + k[a] for a in range(2)]
    before = [0, 0]
    if mode == 'same':
        before = [max(full[a] - out_rows_cols[a], 0) // 2 for a in range(2)]
    canvas = np.zeros((x.shape[0], max(full[0], before[0] + out_rows_cols[0]),
                       max(full[1], before[1] + out_rows_cols[1]), kernel.shape[2]))
    for n, i, j, ci in itertools.product(*map(range, x.shape)):
        for di, dj in itertools.product(range(k[0]), range(k[1])):
            canvas[n, i * strides[0] + di, j * strides[1] + dj, :] += \
                x[n, i, j, ci] * kernel[di, dj, :, ci]
    return canvas[:, before[0]:before[0] + out_rows_cols[0],
                  before[1]:before[1] + out_rows_cols[1]]


# ------------------------------------------------- cropping, upsampling, padding
def crop_ref(x, pairs):
    """x (n, *spatial, c) without pairs[i] = (start, end) elements on spatial axis i."""
    sizes = [x.shape[1 + i] - a - b for i, (a, b) in enumerate(pairs)]
    out = np.zeros((x.shape[0],) + tuple(sizes) + (x.shape[-1],), x.dtype)
    for pos in itertools.product(*map(range, sizes)):
        src = tuple(p + a for p, (a, _) in zip(pos, pairs))
        out[(slice(None),) + pos] = x[(slice(None),) + src]
    return out


def upsample_ref(x, factors):
    sizes = [x.shape[1 + i] * f for i, f in enumerate(factors)]
    out = np.zeros((x.shape[0],) + tuple(sizes) + (x.shape[-1],), x.dtype)
    for pos in itertools.product(*map(range, sizes)):
        src = tuple(p // f for p, f in zip(pos, factors))
        out[(slice(None),) + pos] = x[(slice(None),) + src]
    return out


def zero_pad_ref(x, pairs):
    sizes = [x.shape[1 + i] + a + b for i, (a, b) in enumerate(pairs)]
    out = np.zeros((x.shape[0],) + tuple(sizes) + (x.shape[-1],), x.dtype)
    for pos in itertools.product(*(range(x.shape[1 + i]) for i in range(len(pairs)))):
        dst = tuple(p + a for p, (a, _) in zip(pos, pairs))
        out[(slice(None),) + dst] = x[(slice(None),) + pos]
    return out
