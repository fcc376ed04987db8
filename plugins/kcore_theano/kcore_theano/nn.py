"""Neural-network functions of the Theano-family backend: activations, losses, dropout,
convolution, pooling, resizing and padding, on PyTensor.

PyTensor's own convolution ops (``pytensor.tensor.conv``) run in Python loops over
samples and channels, and it has no pooling op. So every convolution here is built
from C-compiled ops: the input (channels-last) is padded as TensorFlow's 'same' would,
each kernel tap is one strided slice, the slices are concatenated along the channels
("im2col") and contracted with the reshaped kernel by one matrix product. Pooling is
separable: one axis at a time, the window's strided slices are combined by
``maximum`` or summed. Gradients come from PyTensor's differentiation of those ops;
``deconv2d`` is that gradient of the convolution w.r.t. its input. 'th' tensors are
transposed to channels-last and back (views, no copies).

float32 conv1d, conv2d and pool2d run native Ops instead (native_conv.py: im2col and
sgemm per sample, over several threads; benchmarks/theano_conv.py compares both);
conv3d, pool3d, deconv2d and separable_conv2d keep the graph above.
"""
import itertools

import numpy as np
import pytensor
import pytensor.tensor as pt
from pytensor.ifelse import ifelse
from pytensor.graph.basic import Constant
from pytensor.graph.traversal import graph_inputs
from pytensor.tensor.exceptions import NotScalarConstantError
from pytensor.tensor.sharedvar import SharedVariable
from pytensor.tensor.special import log_softmax
from pytensor.tensor.special import softmax as _softmax

from kcore.backend import arguments
from kcore.backend.arguments import is_int as _is_int, positive_ints as _ints
from kcore.backend.spatial_ops import SpatialOps
from kcore.utils.conv_utils import same_padding
from kcore_theano import fast_tanh, native_conv

# 'th' -> channels-last and back, by the number of axes of the tensor.
_TO_LAST = {3: (0, 2, 1), 4: (0, 2, 3, 1), 5: (0, 2, 3, 4, 1)}
_TO_FIRST = {3: (0, 2, 1), 4: (0, 3, 1, 2), 5: (0, 4, 1, 2, 3)}


# ----------------------------------------------------------------- arguments
_border = arguments.border_mode


def _pads_arg(fn, value, n):
    values = tuple(value) if np.ndim(value) else (value,) * n
    if len(values) != n or not all(_is_int(v) and v >= 0 for v in values):
        raise ValueError('%s: paddings must be %d non-negative ints; got %r.' % (fn, n, value))
    return tuple(int(v) for v in values)


def _tensor(x):
    return x if isinstance(x, pt.TensorVariable) else pt.as_tensor_variable(x)


def _check_ndim(fn, x, *allowed):
    arguments.check_ndim(fn, x.type.ndim, x.type.shape, *allowed)


def _like(value, x):
    """``value`` (a number or a tensor) in the dtype of ``x``."""
    if isinstance(value, pytensor.graph.basic.Variable):
        return pt.cast(value, x.dtype)
    return pt.constant(np.asarray(value, dtype=x.dtype))


def _dim(x, axis):
    """The size of ``axis``: an int when static, else a symbolic scalar."""
    size = x.type.shape[axis]
    return int(size) if size is not None else x.shape[axis]


def _known_shape(fn, x):
    """The full static shape of ``x`` (a kernel) as ints: from its type, the value of a
    shared variable, or by evaluating the shape of a graph of shared variables and
    constants only."""
    shape = list(x.type.shape)
    if None not in shape:
        return tuple(int(s) for s in shape)
    if isinstance(x, SharedVariable):
        return tuple(int(s) for s in x.get_value(borrow=True).shape)
    if all(isinstance(v, (SharedVariable, Constant)) for v in graph_inputs([x])):
        value = pytensor.function([], x.shape, mode='FAST_COMPILE')()
        return tuple(int(s) for s in value)
    raise ValueError('%s: the kernel shape must be known when the graph is built; got a '
                     'kernel of static shape %s that depends on inputs.' % (fn, x.type.shape))


def _to_last(x, ordering):
    return x.dimshuffle(_TO_LAST[x.ndim]) if ordering == 'th' else x


def _from_last(x, ordering):
    return x.dimshuffle(_TO_FIRST[x.ndim]) if ordering == 'th' else x


def _noise_shape(x, noise_shape):
    """dropout's noise shape (entries: ints, None for x's size, or symbolic scalars; or a
    1D int tensor) as a list, and the axes known to be 1 (they broadcast over x)."""
    if isinstance(noise_shape, pytensor.graph.basic.Variable):
        if noise_shape.ndim != 1:
            raise ValueError('dropout: noise_shape must be a 1D shape; got %d axes.'
                             % noise_shape.ndim)
        noise_shape = [noise_shape[i] for i in range(x.ndim)]
    noise_shape = list(noise_shape)
    if len(noise_shape) != x.ndim:
        raise ValueError('dropout: noise_shape must have one entry per axis of x (%d); got %r.'
                         % (x.ndim, noise_shape))
    shape, ones = [], []
    for i, d in enumerate(noise_shape):
        if d is None:
            d = x.shape[i]
        elif isinstance(d, pytensor.graph.basic.Variable):
            try:
                d = int(pt.get_underlying_scalar_constant_value(d))
            except NotScalarConstantError:
                pass
        else:
            d = int(d)
        if _is_int(d) and d == 1:
            ones.append(i)
        shape.append(d)
    return shape, tuple(ones)


# ------------------------------------------------------------------ geometry
def _geometry(size, k, stride, border_mode):
    """(output size, pad before, pad after) of one axis; ``size`` may be symbolic."""
    if border_mode == 'valid':
        if _is_int(size) and size < k:
            raise ValueError('a window of %d does not fit in an axis of %d with '
                             "border_mode='valid'." % (k, size))
        return (size - k) // stride + 1, 0, 0
    before, after = same_padding(size, k, stride)
    if not _is_int(before):
        before, after = pt.maximum(before, 0), pt.maximum(after, 0)
    return (size + stride - 1) // stride, before, after


def _is_zero(v):
    return _is_int(v) and v == 0


def _pad(x, pads, value=0):
    """``x`` padded with ``value``: ``pads`` maps an axis to (before, after) (ints or
    symbolic scalars)."""
    pads = {a: p for a, p in pads.items() if not (_is_zero(p[0]) and _is_zero(p[1]))}
    if not pads:
        return x
    shape, inner = [], []
    for axis in range(x.ndim):
        size = _dim(x, axis)
        if axis in pads:
            before, after = pads[axis]
            shape.append(size + before + after)
            inner.append(slice(before, before + size))
        else:
            shape.append(size)
            inner.append(slice(None))
    return pt.set_subtensor(_filled(x, shape, value)[tuple(inner)], x)


def _filled(x, shape, value):
    """A tensor of ``shape`` holding ``value``. When only the batch axis is symbolic it is
    broadcast from a column of ``x``: an Alloc of a symbolic size infers its static shape
    by rewriting the whole graph behind that size, once per padding (minutes for a model
    like Xception)."""
    rest = shape[1:]
    if x.ndim > 1 and all(x.type.shape[1:]) and all(_is_int(s) for s in rest):
        column = pt.zeros_like(x[(slice(None),) + (slice(0, 1),) * (x.ndim - 1)])
        return column + pt.alloc(_like(value, x), 1, *rest)
    return pt.alloc(_like(value, x), *shape)


def _window(x, axes, offsets, outs, strides):
    """The strided slice of ``x`` that a window tap at ``offsets`` (one per axis of
    ``axes``) meets, one element per output position. One slice for all axes: its
    gradient is then a single IncSubtensor."""
    index = [slice(None)] * x.ndim
    for axis, offset, out, stride in zip(axes, offsets, outs, strides):
        index[axis] = slice(offset, offset + (out - 1) * stride + 1, stride)
    return x[tuple(index)]


# ---------------------------------------------------------------- convolution
def _convolve(x, kernel, kshape, strides, border_mode, dilation):
    """Channels-last N-D cross-correlation: x (n, *spatial, stack), kernel of static shape
    ``kshape`` (*taps, stack, filters); returns (n, *out, filters)."""
    nsp = len(strides)
    taps = kshape[:nsp]
    stack, filters = kshape[nsp], kshape[nsp + 1]
    xstack = x.type.shape[-1]
    if xstack is not None and xstack != stack:
        raise ValueError('the input has %d channels but the kernel expects %d.'
                         % (xstack, stack))
    outs, pads = [], {}
    for i in range(nsp):
        eff = (taps[i] - 1) * dilation[i] + 1
        out, before, after = _geometry(_dim(x, i + 1), eff, strides[i], border_mode)
        outs.append(out)
        pads[i + 1] = (before, after)
    xp = _pad(x, pads)
    columns = []
    axes = tuple(range(1, nsp + 1))
    for q in itertools.product(*[range(t) for t in taps]):
        offsets = [q[i] * dilation[i] for i in range(nsp)]
        columns.append(_window(xp, axes, offsets, outs, strides))
    patches = columns[0] if len(columns) == 1 else pt.concatenate(columns, axis=nsp + 1)
    weights = kernel.reshape((int(np.prod(taps)) * stack, filters))
    return pt.tensordot(patches, weights, axes=[[nsp + 1], [0]])


def _native(*tensors):
    """Whether the native Ops (native_conv.py) take these tensors: float32, library built."""
    return (all(t.dtype == 'float32' for t in tensors)
            and native_conv.library() is not None)


def _native_conv(fn, x, kernel, kshape, strides, border_mode, dilation):
    """The native conv2d Op; one spatial axis (conv1d) as images of one column."""
    stack = kshape[-2]
    if x.type.shape[-1] is not None and x.type.shape[-1] != stack:
        raise ValueError('%s: the input has %d channels but the kernel expects %d.'
                         % (fn, x.type.shape[-1], stack))
    if len(strides) == 2:
        return native_conv.conv2d(x, kernel, kshape, strides, border_mode, dilation)
    kshape = (kshape[0], 1) + tuple(kshape[1:])
    y = native_conv.conv2d(x.dimshuffle(0, 1, 'x', 2), kernel.reshape(kshape), kshape,
                           strides + (1,), border_mode, dilation + (1,))
    return y[:, :, 0, :]


def _kernel_to_last(kernel, ordering):
    """'th' kernel (filters, stack, *taps) -> (*taps, stack, filters)."""
    if ordering != 'th':
        return kernel
    n = kernel.ndim
    return kernel.dimshuffle(tuple(range(2, n)) + (1, 0))


def _shape_to_last(kshape, ordering):
    if ordering != 'th':
        return tuple(kshape)
    return tuple(kshape[2:]) + (kshape[1], kshape[0])


class NNOps(SpatialOps):
    """The neural-network functions of the protocol."""

    # ------------------------------------------------------------ activations
    def relu(self, x, alpha=0.0, max_value=None):
        x = _tensor(x)
        zero = _like(0, x)
        y = pt.maximum(x, zero)
        if max_value is not None:
            y = pt.minimum(y, _like(max_value, x))
        if not (isinstance(alpha, (int, float)) and alpha == 0):
            y = y - _like(alpha, x) * pt.maximum(-x, zero)
        return y

    def elu(self, x, alpha=1.0):
        x = _tensor(x)
        negative = pt.expm1(pt.minimum(x, _like(0, x)))  # no overflow in the unused branch
        if not (isinstance(alpha, (int, float)) and alpha == 1):
            negative = _like(alpha, x) * negative
        return pt.switch(pt.gt(x, 0), x, negative)

    def softmax(self, x):
        x = _tensor(x)
        if x.ndim == 0:
            raise ValueError('softmax: expected a tensor with at least 1 axis; got a scalar.')
        y = _softmax(x, axis=-1)
        if all(s is not None and s > 0 for s in x.type.shape):
            return y
        # PyTensor's C softmax fails on empty arrays ("failed to create Softmax iterator"),
        # e.g. predicting on 0 samples: then the (empty) input is returned as is, lazily.
        return ifelse(pt.eq(x.size, 0), x, y)

    def softplus(self, x):
        return pt.softplus(_tensor(x))

    def softsign(self, x):
        x = _tensor(x)
        return x / (_like(1, x) + pt.abs(x))

    def sigmoid(self, x):
        return pt.sigmoid(_tensor(x))

    def hard_sigmoid(self, x):
        x = _tensor(x)
        return pt.clip(x * _like(0.2, x) + _like(0.5, x), _like(0, x), _like(1, x))

    def tanh(self, x):
        """float32 through FastTanh's C code (kcore_theano/fast_tanh.py: 4x faster)."""
        return fast_tanh.tanh(_tensor(x))

    # ------------------------------------------------------------------ losses
    def _clipped(self, output):
        eps = self.epsilon()
        return pt.clip(output, _like(eps, output), _like(1 - eps, output))

    def categorical_crossentropy(self, output, target, from_logits=False):
        output = _tensor(output)
        target = pt.cast(_tensor(target), output.dtype)
        if from_logits:
            return -pt.sum(target * log_softmax(output, axis=-1), axis=-1)
        output = output / pt.sum(output, axis=-1, keepdims=True)
        return -pt.sum(target * pt.log(self._clipped(output)), axis=-1)

    def sparse_categorical_crossentropy(self, output, target, from_logits=False):
        output, target = _tensor(output), _tensor(target)
        rank, target_rank = output.ndim, target.ndim
        if target_rank not in (rank - 1, rank):
            raise ValueError('sparse_categorical_crossentropy: the target must have the shape '
                             'of the output without its last axis (%d axes), optionally with a '
                             'trailing axis of 1; got %d axes.' % (rank - 1, target_rank))
        if target_rank == rank:
            target = target[..., 0]
        nb_classes = output.shape[-1]
        labels = pt.cast(target, 'int64')
        if from_logits:
            log_p = log_softmax(output, axis=-1)
        else:
            output = output / pt.sum(output, axis=-1, keepdims=True)
            log_p = pt.log(self._clipped(output))
        one_hot = pt.eq(pt.shape_padright(labels), pt.arange(nb_classes, dtype='int64'))
        return -pt.sum(pt.cast(one_hot, output.dtype) * log_p, axis=-1)

    def binary_crossentropy(self, output, target, from_logits=False):
        output = _tensor(output)
        target = pt.cast(_tensor(target), output.dtype)
        if from_logits:  # stable: max(x, 0) - x * t + log(1 + exp(-|x|))
            zero = _like(0, output)
            return (pt.maximum(output, zero) - output * target
                    + pt.log1p(pt.exp(-pt.abs(output))))
        output = self._clipped(output)
        return -(target * pt.log(output) + (_like(1, output) - target) * pt.log1p(-output))

    # ----------------------------------------------------------------- others
    def dropout(self, x, level, noise_shape=None, seed=None):
        x = _tensor(x)
        if not isinstance(level, pytensor.graph.basic.Variable) and not 0 <= level < 1:
            raise ValueError('dropout: level must be in the interval [0, 1); got %r.' % (level,))
        if noise_shape is None:
            shape, ones = x.shape, ()
        else:
            shape, ones = _noise_shape(x, noise_shape)
        retain = _like(1, x) - _like(level, x)
        keep = self.random_binomial(shape, p=retain, dtype=x.dtype, seed=seed)
        if ones:  # size-1 noise axes broadcast over x
            keep = pt.specify_broadcastable(keep, *ones)
        return x * keep / retain

    def l2_normalize(self, x, axis):
        x = _tensor(x)
        square_sum = pt.sum(pt.sqr(x), axis=axis, keepdims=True)
        return x / pt.sqrt(pt.maximum(square_sum, _like(1e-12, x)))

    def in_top_k(self, predictions, targets, k):
        """Ties count for the target: it is in the top k when fewer than k classes score
        strictly higher."""
        predictions = _tensor(predictions)
        targets = pt.cast(_tensor(targets).flatten(), 'int64')
        classes = pt.arange(predictions.shape[-1], dtype='int64')
        is_target = pt.eq(pt.shape_padright(targets), classes)
        score = pt.max(pt.switch(is_target, predictions, -np.inf), axis=1, keepdims=True)
        higher = pt.sum(pt.gt(predictions, score), axis=1)
        return pt.lt(higher, k)

    # ------------------------------------------------------------ convolution
    def _conv_nd(self, fn, x, kernel, ordering, strides, border_mode, dilation):
        x, kernel = _tensor(x), _tensor(kernel)
        kshape = _shape_to_last(_known_shape(fn, kernel), ordering)
        x, kernel = _to_last(x, ordering), _kernel_to_last(kernel, ordering)
        if len(strides) <= 2 and _native(x, kernel):
            y = _native_conv(fn, x, kernel, kshape, strides, border_mode, dilation)
        else:
            y = _convolve(x, kernel, kshape, strides, border_mode, dilation)
        return _from_last(y, ordering)

    def deconv2d(self, x, kernel, output_shape, strides=(1, 1), border_mode='valid',
                 dim_ordering='default', image_shape=None, filter_shape=None):
        """The adjoint of conv2d: the gradient of conv2d(z, kernel) w.r.t. z, with z of
        ``output_shape``, applied to ``x``."""
        ordering = self.normalize_dim_ordering(dim_ordering)
        x, kernel = _tensor(x), _tensor(kernel)
        _check_ndim('deconv2d', x, 4)
        _check_ndim('deconv2d', kernel, 4)
        strides = _ints('deconv2d', 'strides', strides, 2)
        border_mode = _border('deconv2d', border_mode)
        kshape = _known_shape('deconv2d', kernel)
        if ordering == 'th':  # (out, in, rows, cols) -> (rows, cols, out, in)
            kernel = kernel.dimshuffle(2, 3, 0, 1)
            kshape = (kshape[2], kshape[3], kshape[0], kshape[1])
        x_last = _to_last(x, ordering)
        shape = self._deconv_shape(x, output_shape, ordering)
        z = pt.zeros(shape, dtype=x.dtype)
        y = _convolve(z, kernel, kshape, strides, border_mode, (1, 1))
        y_shape = [y.type.shape[i] if x_last.type.shape[i] is None else x_last.type.shape[i]
                   for i in range(4)]
        if any(a is not None and b is not None and a != b
               for a, b in zip(y.type.shape, x_last.type.shape)):
            raise ValueError('deconv2d: output_shape %r does not match the input: a conv2d of '
                             'that shape gives %s (channels-last), the input is %s.'
                             % (tuple(output_shape), y.type.shape, x_last.type.shape))
        if any(s is not None for s in y_shape):  # the gradient must have y's static type
            x_last = pt.specify_shape(x_last, y_shape)
        out = pytensor.grad(None, wrt=z, known_grads={y: pt.cast(x_last, y.dtype)})
        return _from_last(out, ordering)

    def _deconv_shape(self, x, output_shape, ordering):
        """The channels-last output shape: a list of ints and symbolic scalars."""
        if isinstance(output_shape, pytensor.graph.basic.Variable):
            shape = pt.cast(output_shape, 'int64')
            if shape.ndim != 1 or shape.type.shape[0] not in (None, 4):
                raise ValueError('deconv2d: output_shape must have 4 entries; got a tensor '
                                 'of shape %s.' % (shape.type.shape,))
            entries = [shape[i] for i in range(4)]
        else:
            output_shape = tuple(output_shape)
            if len(output_shape) != 4:
                raise ValueError('deconv2d: output_shape must have 4 entries (samples, and '
                                 'the image axes in dim_ordering); got %r.' % (output_shape,))
            entries = [x.shape[0] if output_shape[0] is None else output_shape[0]]
            entries += list(output_shape[1:])
            entries = [int(e) if _is_int(e) else e for e in entries]
        if ordering == 'th':
            entries = [entries[i] for i in _TO_LAST[4]]
        return entries

    def separable_conv2d(self, x, depthwise_kernel, pointwise_kernel, strides=(1, 1),
                         border_mode='valid', dim_ordering='default'):
        fn = 'separable_conv2d'
        ordering = self.normalize_dim_ordering(dim_ordering)
        x = _tensor(x)
        depthwise_kernel, pointwise_kernel = _tensor(depthwise_kernel), _tensor(pointwise_kernel)
        _check_ndim(fn, x, 4)
        _check_ndim(fn, depthwise_kernel, 4)
        _check_ndim(fn, pointwise_kernel, 4)
        strides = _ints(fn, 'strides', strides, 2)
        border_mode = _border(fn, border_mode)
        # 'th' kernels (filters, stack, rows, cols) -> (rows, cols, stack, filters)
        dshape = _shape_to_last(_known_shape(fn, depthwise_kernel), ordering)
        pshape = _shape_to_last(_known_shape(fn, pointwise_kernel), ordering)
        depthwise = _kernel_to_last(depthwise_kernel, ordering)
        pointwise = _kernel_to_last(pointwise_kernel, ordering)
        rows, cols, stack, multiplier = dshape
        if pshape[2] != stack * multiplier:
            raise ValueError('%s: the pointwise kernel takes %d channels; the depthwise one '
                             'gives %d (%d channels x multiplier %d).'
                             % (fn, pshape[2], stack * multiplier, stack, multiplier))
        x = _to_last(x, ordering)
        outs, pads = [], {}
        for i, k in enumerate((rows, cols)):
            out, before, after = _geometry(_dim(x, i + 1), k, strides[i], border_mode)
            outs.append(out)
            pads[i + 1] = (before, after)
        xp = pt.shape_padright(_pad(x, pads))  # (n, rows, cols, stack, 1)
        total = None
        for a, b in itertools.product(range(rows), range(cols)):
            tap = _window(xp, (1, 2), (a, b), outs, strides)
            term = tap * depthwise[a, b]  # (n, out_rows, out_cols, stack, multiplier)
            total = term if total is None else total + term
        n = _dim(x, 0)
        y = total.reshape((n, outs[0], outs[1], stack * multiplier))
        y = _convolve(y, pointwise, pshape, (1, 1), 'valid', (1, 1))
        return _from_last(y, ordering)

    # ---------------------------------------------------------------- pooling
    def _pool_nd(self, fn, x, ordering, pool_size, strides, border_mode, pool_mode):
        """Separable pooling, one spatial axis at a time: 'max' combines the window's
        strided slices with ``maximum`` ('same' pads with -inf), 'avg' sums them ('same'
        pads with 0) and divides by the number of in-image pixels of each window."""
        x = _tensor(x)
        if len(strides) == 2 and _native(x):
            y = native_conv.pool2d(_to_last(x, ordering), pool_size, strides, border_mode,
                                   pool_mode)
            return _from_last(y, ordering)
        first = 2 if ordering == 'th' else 1
        for i in range(len(strides)):
            x = _pool_axis(x, first + i, pool_size[i], strides[i], border_mode, pool_mode)
        return x

    # --------------------------------------------------------------- padding
    def asymmetric_temporal_padding(self, x, left_pad=1, right_pad=1):
        x = _tensor(x)
        _check_ndim('temporal_padding', x, 3)
        pads = _pads_arg('temporal_padding', (left_pad, right_pad), 2)
        return _pad(x, {1: pads})

    def asymmetric_spatial_2d_padding(self, x, top_pad=1, bottom_pad=1, left_pad=1,
                                      right_pad=1, dim_ordering='default'):
        pads = _pads_arg('asymmetric_spatial_2d_padding',
                         (top_pad, bottom_pad, left_pad, right_pad), 4)
        return self._spatial_padding('asymmetric_spatial_2d_padding', x,
                                     [pads[:2], pads[2:]], dim_ordering)

    def spatial_3d_padding(self, x, padding=(1, 1, 1), dim_ordering='default'):
        padding = _pads_arg('spatial_3d_padding', padding, 3)
        return self._spatial_padding('spatial_3d_padding', x, [(p, p) for p in padding],
                                     dim_ordering)

    def _spatial_padding(self, fn, x, pads, dim_ordering):
        ordering = self.normalize_dim_ordering(dim_ordering)
        x = _tensor(x)
        _check_ndim(fn, x, len(pads) + 2)
        first = 2 if ordering == 'th' else 1
        return _pad(x, {first + i: tuple(p) for i, p in enumerate(pads)})


def _pool_axis(x, axis, k, stride, border_mode, pool_mode):
    """Pool ``x`` along one axis with windows of ``k`` and ``stride``."""
    size = _dim(x, axis)
    out, before, after = _geometry(size, k, stride, border_mode)
    if pool_mode == 'max':
        lowest = -np.inf if x.dtype.startswith('float') else np.iinfo(x.dtype).min
        xp = _pad(x, {axis: (before, after)}, value=lowest)
        result = _window(xp, (axis,), (0,), (out,), (stride,))
        for q in range(1, k):
            result = pt.maximum(result, _window(xp, (axis,), (q,), (out,), (stride,)))
        return result
    xp = _pad(x, {axis: (before, after)})
    result = _window(xp, (axis,), (0,), (out,), (stride,))
    for q in range(1, k):
        result = result + _window(xp, (axis,), (q,), (out,), (stride,))
    if border_mode == 'valid' or (_is_zero(before) and _is_zero(after)):
        return result / _like(k, x)
    # In-image pixels of each window: window [o * stride - before, ... + k) cut to [0, size).
    starts = pt.arange(out) * stride - before
    counts = pt.minimum(starts + k, size) - pt.maximum(starts, 0)
    pattern = ['x'] * x.ndim
    pattern[axis] = 0
    return result / pt.cast(counts, x.dtype).dimshuffle(pattern)
