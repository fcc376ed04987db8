"""Neural-network functions of the TensorFlow backend: activations, losses, dropout,
convolution, pooling, resizing and padding.

TensorFlow's CPU kernels take channels-last data only, so 'th' tensors are
transposed to channels-last, computed, and transposed back.
"""
import numpy as np
import tensorflow as tf

from kcore.backend import arguments
from kcore.backend.arguments import is_int as _is_int, positive_ints as _ints
from kcore.backend.spatial_ops import SpatialOps
from kcore.utils.conv_utils import same_padding
from kcore_tf import narrow_dense

# 'th' -> channels-last and back, by the number of axes of the tensor.
_TO_LAST = {4: (0, 2, 3, 1), 5: (0, 2, 3, 4, 1)}
_TO_FIRST = {4: (0, 3, 1, 2), 5: (0, 4, 1, 2, 3)}


def _padding(fn, border_mode):
    return arguments.border_mode(fn, border_mode).upper()


def _check_ndim(fn, x, *allowed):
    arguments.check_ndim(fn, x.shape.rank, x.shape, *allowed)


def _to_last(x, ordering, ndim):
    return tf.transpose(x, _TO_LAST[ndim]) if ordering == 'th' else x


def _from_last(x, ordering, ndim):
    return tf.transpose(x, _TO_FIRST[ndim]) if ordering == 'th' else x


def _same_pads(size, k, stride, dilation):
    """TensorFlow's 'same' padding [before, after] of one axis; ``size`` may be a tensor."""
    pads = same_padding(size, k, stride, dilation)
    return [tf.maximum(p, 0) if tf.is_tensor(p) else p for p in pads]


def _spatial_size(x, axis):
    size = x.shape[axis]
    return size if size is not None else tf.shape(x)[axis]


def _convolve(x, kernel, strides, padding, dilation):
    """Channels-last N-D cross-correlation with strides and dilation together.

    TensorFlow refuses strides > 1 with dilation > 1; then the input is padded as
    TensorFlow's 'same' would be, convolved with stride 1 and subsampled.
    """
    if all(d == 1 for d in dilation) or all(s == 1 for s in strides):
        return tf.nn.convolution(x, kernel, strides=strides, padding=padding,
                                 dilations=dilation)
    spatial = len(strides)
    if padding == 'SAME':
        pads = [_same_pads(_spatial_size(x, i + 1), int(kernel.shape[i]), strides[i],
                           dilation[i]) for i in range(spatial)]
        x = tf.pad(x, [[0, 0]] + pads + [[0, 0]])
    y = tf.nn.convolution(x, kernel, padding='VALID', dilations=dilation)
    return y[(slice(None),) + tuple(slice(None, None, s) for s in strides)]


def _dtype_like(value, x):
    return tf.cast(value, x.dtype)


class NNOps(SpatialOps):
    """The neural-network functions of the protocol."""

    # ------------------------------------------------------------ activations
    def relu(self, x, alpha=0.0, max_value=None):
        negative = tf.nn.relu(-x) if alpha != 0 else None
        x = tf.nn.relu(x)
        if max_value is not None:
            x = tf.minimum(x, _dtype_like(max_value, x))
        if negative is not None:
            x = x - _dtype_like(alpha, x) * negative
        return x

    def elu(self, x, alpha=1.0):
        y = tf.nn.elu(x)
        return y if alpha == 1 else tf.where(x > 0, y, _dtype_like(alpha, x) * y)

    def softmax(self, x):
        if x.shape.rank == 0:
            raise ValueError('softmax: expected a tensor with at least 1 axis; got a scalar.')
        fused = narrow_dense.with_softmax(x)
        return tf.nn.softmax(x, axis=-1) if fused is None else fused

    def softplus(self, x):
        return tf.nn.softplus(x)

    def softsign(self, x):
        return tf.nn.softsign(x)

    def sigmoid(self, x):
        return tf.nn.sigmoid(x)

    def hard_sigmoid(self, x):
        # clip(0.2 x + 0.5, 0, 1) as relu6(1.2 x + 3) / 6: one fused op whose gradient is a
        # single op too (clip_by_value's takes three), which counts inside recurrent loops.
        return tf.nn.relu6(x * _dtype_like(1.2, x) + _dtype_like(3.0, x)) * _dtype_like(1 / 6., x)

    def tanh(self, x):
        return tf.nn.tanh(x)

    # ------------------------------------------------------------------ losses
    def _clipped(self, output):
        eps = _dtype_like(self.epsilon(), output)
        return tf.clip_by_value(output, eps, 1 - eps)

    def categorical_crossentropy(self, output, target, from_logits=False):
        target = tf.cast(target, output.dtype)
        if from_logits:
            return tf.nn.softmax_cross_entropy_with_logits(labels=target, logits=output)
        output = output / tf.reduce_sum(output, axis=-1, keepdims=True)
        return -tf.reduce_sum(target * tf.math.log(self._clipped(output)), axis=-1)

    def sparse_categorical_crossentropy(self, output, target, from_logits=False):
        rank, target_rank = output.shape.rank, target.shape.rank
        if rank is not None and target_rank is not None and target_rank not in (rank - 1, rank):
            raise ValueError('sparse_categorical_crossentropy: the target must have the shape '
                             'of the output without its last axis (%s), optionally with a '
                             'trailing axis of 1; got %s.' % (output.shape[:-1], target.shape))
        nb_classes = tf.shape(output)[-1]
        labels = tf.cast(tf.reshape(target, [-1]), tf.int64)
        flat = tf.reshape(output, [-1, nb_classes])
        if from_logits:
            loss = tf.nn.sparse_softmax_cross_entropy_with_logits(labels=labels, logits=flat)
        else:
            flat = flat / tf.reduce_sum(flat, axis=-1, keepdims=True)
            log_p = tf.math.log(self._clipped(flat))
            loss = -tf.gather(log_p, labels, axis=1, batch_dims=1)
        loss = tf.reshape(loss, tf.shape(output)[:-1])
        if rank is not None:
            loss.set_shape(output.shape[:-1])
        return loss

    def binary_crossentropy(self, output, target, from_logits=False):
        target = tf.cast(target, output.dtype)
        if from_logits:
            return tf.nn.sigmoid_cross_entropy_with_logits(labels=target, logits=output)
        output = self._clipped(output)
        return -(target * tf.math.log(output) + (1 - target) * tf.math.log(1 - output))

    # ----------------------------------------------------------------- others
    def dropout(self, x, level, noise_shape=None, seed=None):
        if not tf.is_tensor(level) and not 0 <= level < 1:
            raise ValueError('dropout: level must be in the interval [0, 1); got %r.' % (level,))
        if seed is None:
            seed = np.random.randint(10e6)
        if noise_shape is None:
            shape = tf.shape(x)
        else:
            shape = [tf.shape(x)[i] if d is None else d for i, d in enumerate(noise_shape)]
        keep = tf.random.uniform(shape, dtype=x.dtype, seed=seed) >= _dtype_like(level, x)
        # The mask (0 or 1 / (1 - level), a cast and a product by a scalar: a select
        # between scalars broadcasts slowly) times x: x's gradient is one product, and in
        # in_train_phase's training branch no intermediate lies between x and the result
        # (each one would get a zero gradient and a sum in the branch's gradient).
        return x * (tf.cast(keep, x.dtype) * (1 / (1 - _dtype_like(level, x))))

    def l2_normalize(self, x, axis):
        return tf.math.l2_normalize(x, axis=axis, epsilon=1e-12)

    def in_top_k(self, predictions, targets, k):
        targets = tf.cast(tf.reshape(targets, [-1]), tf.int32)
        return tf.math.in_top_k(targets, tf.cast(predictions, tf.float32), k)

    def bias_add(self, x, bias, dim_ordering='tf'):
        """tf.nn.bias_add: its gradient is one BiasAddGrad instead of a broadcast's Sum."""
        channels_first = (self.normalize_dim_ordering(dim_ordering) == 'th'
                          and self.ndim(x) > 2)   # with 2 axes, channels are the last
        fused = narrow_dense.with_bias(x, bias)
        if fused is not None:
            return fused
        return tf.nn.bias_add(x, bias, data_format='NC...' if channels_first else 'N...C')

    # ------------------------------------------------------------ convolution
    def _conv_nd(self, fn, x, kernel, ordering, strides, border_mode, dilation):
        n = len(strides)
        if ordering == 'th':  # (out, in, *spatial) -> (*spatial, in, out)
            kernel = tf.transpose(kernel, tuple(range(2, n + 2)) + (1, 0))
        y = _convolve(_to_last(x, ordering, n + 2), kernel, strides, border_mode.upper(),
                      dilation)
        return _from_last(y, ordering, n + 2)

    def deconv2d(self, x, kernel, output_shape, strides=(1, 1), border_mode='valid',
                 dim_ordering='default', image_shape=None, filter_shape=None):
        ordering = self.normalize_dim_ordering(dim_ordering)
        _check_ndim('deconv2d', x, 4)
        _check_ndim('deconv2d', kernel, 4)
        strides = _ints('deconv2d', 'strides', strides, 2)
        padding = _padding('deconv2d', border_mode)
        shape, static = self._deconv_shape(x, output_shape, ordering)
        if ordering == 'th':  # (out, in, rows, cols) -> (rows, cols, out, in)
            kernel = tf.transpose(kernel, (2, 3, 0, 1))
        y = tf.nn.conv2d_transpose(_to_last(x, ordering, 4), kernel, shape,
                                   strides=(1,) + strides + (1,), padding=padding)
        y.set_shape(static)
        return _from_last(y, ordering, 4)

    def _deconv_shape(self, x, output_shape, ordering):
        """The channels-last output shape as a 1D int32 tensor, and its static part."""
        if tf.is_tensor(output_shape):
            shape = tf.cast(output_shape, tf.int32)
            if shape.shape.rank != 1 or shape.shape[0] not in (None, 4):
                raise ValueError('deconv2d: output_shape must have 4 entries; got a tensor '
                                 'of shape %s.' % (shape.shape,))
            static = [None] * 4
        else:
            if len(output_shape) != 4:
                raise ValueError('deconv2d: output_shape must have 4 entries (samples, and '
                                 'the image axes in dim_ordering); got %r.' % (output_shape,))
            entries = [tf.shape(x)[0] if output_shape[0] is None else output_shape[0]]
            entries += list(output_shape[1:])
            shape = tf.stack([tf.cast(e, tf.int32) for e in entries])
            static = [e if _is_int(e) else None for e in entries]
        if ordering == 'th':
            shape = tf.gather(shape, _TO_LAST[4])
            static = [static[i] for i in _TO_LAST[4]]
        return shape, static

    def separable_conv2d(self, x, depthwise_kernel, pointwise_kernel, strides=(1, 1),
                         border_mode='valid', dim_ordering='default'):
        ordering = self.normalize_dim_ordering(dim_ordering)
        _check_ndim('separable_conv2d', x, 4)
        strides = _ints('separable_conv2d', 'strides', strides, 2)
        padding = _padding('separable_conv2d', border_mode)
        if ordering == 'th':  # (filters, stack, rows, cols) -> (rows, cols, stack, filters)
            depthwise_kernel = tf.transpose(depthwise_kernel, (2, 3, 1, 0))
            pointwise_kernel = tf.transpose(pointwise_kernel, (2, 3, 1, 0))
        y = tf.nn.separable_conv2d(_to_last(x, ordering, 4), depthwise_kernel, pointwise_kernel,
                                   strides=(1,) + strides + (1,), padding=padding)
        return _from_last(y, ordering, 4)

    # ---------------------------------------------------------------- pooling
    def _pool_nd(self, fn, x, ordering, pool_size, strides, border_mode, pool_mode):
        n = len(strides)
        op = tf.nn.max_pool if pool_mode == 'max' else tf.nn.avg_pool  # 'same' avg: in-image
        dtype = x.dtype
        if n == 3 and dtype == tf.float64:  # TensorFlow's 3D pooling has no float64 kernel
            x = tf.cast(x, tf.float32)
        y = op(_to_last(x, ordering, n + 2), pool_size, strides, border_mode.upper())
        return _from_last(tf.cast(y, dtype), ordering, n + 2)

    # --------------------------------------------------------------- padding
    def asymmetric_temporal_padding(self, x, left_pad=1, right_pad=1):
        _check_ndim('asymmetric_temporal_padding', x, 3)
        return tf.pad(x, [[0, 0], [left_pad, right_pad], [0, 0]])

    def asymmetric_spatial_2d_padding(self, x, top_pad=1, bottom_pad=1, left_pad=1,
                                      right_pad=1, dim_ordering='default'):
        return self._spatial_padding('asymmetric_spatial_2d_padding', x,
                                     [(top_pad, bottom_pad), (left_pad, right_pad)],
                                     dim_ordering)

    def spatial_3d_padding(self, x, padding=(1, 1, 1), dim_ordering='default'):
        return self._spatial_padding('spatial_3d_padding', x, [(p, p) for p in padding],
                                     dim_ordering)

    def _spatial_padding(self, fn, x, pads, dim_ordering):
        ordering = self.normalize_dim_ordering(dim_ordering)
        _check_ndim(fn, x, len(pads) + 2)
        pads = [list(p) for p in pads]
        pads = [[0, 0], [0, 0]] + pads if ordering == 'th' else [[0, 0]] + pads + [[0, 0]]
        return tf.pad(x, pads)
