"""Tensor operations of the TensorFlow backend: shapes, arithmetic, reductions, reshaping."""
import numbers

import numpy as np
import tensorflow as tf

from kcore.backend.arguments import batch_dot_axes
from kcore_tf import narrow_dense


def _static_shape(x):
    """The static shape of ``x`` as a TensorShape (numpy arrays and numbers too)."""
    shape = getattr(x, 'shape', None)
    if isinstance(shape, tf.TensorShape):
        return shape
    return tf.TensorShape(np.shape(x))


def _axes_list(axis):
    return [axis] if isinstance(axis, numbers.Integral) else list(axis)


def _as_float(x, floatx):
    """``x`` cast to floatx unless it is already a float tensor (for means and variances)."""
    x = tf.convert_to_tensor(x)
    return x if x.dtype.is_floating else tf.cast(x, floatx)


class TensorOps:
    """Shapes, linear algebra, reductions, element-wise and shape operations."""

    # ------------------------------------------------------------------ shapes
    def shape(self, x):
        return tf.shape(x)

    def int_shape(self, x):
        """Returns None when even the number of axes is unknown."""
        shape = _static_shape(x)
        return None if shape.rank is None else tuple(shape.as_list())

    def ndim(self, x):
        return _static_shape(x).rank

    def dtype(self, x):
        dtype = getattr(x, 'dtype', None)
        if isinstance(dtype, tf.DType):
            return dtype.base_dtype.name
        return np.asarray(x).dtype.name

    def cast(self, x, dtype):
        return tf.cast(x, dtype)

    # --------------------------------------------------------- linear algebra
    def dot(self, x, y):
        x_ndim, y_ndim = self.ndim(x), self.ndim(y)
        if x_ndim == 2 and y_ndim == 2 or x_ndim is None or y_ndim is None:
            if isinstance(x, tf.SparseTensor):
                return tf.sparse.sparse_dense_matmul(x, y)
            narrow = narrow_dense.product(x, y)
            return tf.matmul(x, y) if narrow is None else narrow
        return tf.tensordot(x, y, axes=[[x_ndim - 1], [max(y_ndim - 2, 0)]])

    def batch_dot(self, x, y, axes=None):
        """One einsum; a (batch,) result is returned as (batch, 1)."""
        x_ndim, y_ndim = self.ndim(x), self.ndim(y)
        x_axis, y_axis = batch_dot_axes(x_ndim, y_ndim, axes)
        letters = 'bcdefghijklmnopqrstuvwxyz'
        x_sub = ['a'] + list(letters[:x_ndim - 1])
        y_sub = ['a'] + list(letters[x_ndim - 1:x_ndim + y_ndim - 2])
        y_sub[y_axis] = x_sub[x_axis]
        out_sub = ([s for i, s in enumerate(x_sub) if i != x_axis]
                   + [s for i, s in enumerate(y_sub) if i not in (0, y_axis)])
        out = tf.einsum('%s,%s->%s' % (''.join(x_sub), ''.join(y_sub), ''.join(out_sub)), x, y)
        return tf.expand_dims(out, 1) if len(out_sub) == 1 else out

    def transpose(self, x):
        if isinstance(x, tf.SparseTensor):
            return tf.sparse.transpose(x)
        return tf.transpose(x)

    def gather(self, reference, indices):
        return tf.gather(reference, indices)

    # -------------------------------------------------------------- reductions
    def max(self, x, axis=None, keepdims=False):
        return tf.reduce_max(x, axis=axis, keepdims=keepdims)

    def min(self, x, axis=None, keepdims=False):
        return tf.reduce_min(x, axis=axis, keepdims=keepdims)

    def sum(self, x, axis=None, keepdims=False):
        return tf.reduce_sum(x, axis=axis, keepdims=keepdims)

    def prod(self, x, axis=None, keepdims=False):
        return tf.reduce_prod(x, axis=axis, keepdims=keepdims)

    def cumsum(self, x, axis=0):
        return tf.cumsum(x, axis=axis)

    def cumprod(self, x, axis=0):
        return tf.math.cumprod(x, axis=axis)

    def var(self, x, axis=None, keepdims=False):
        """Booleans and integers are cast to floatx first."""
        return tf.math.reduce_variance(_as_float(x, self.floatx()), axis=axis, keepdims=keepdims)

    def std(self, x, axis=None, keepdims=False):
        """Booleans and integers are cast to floatx first."""
        return tf.math.reduce_std(_as_float(x, self.floatx()), axis=axis, keepdims=keepdims)

    def mean(self, x, axis=None, keepdims=False):
        """Booleans and integers are cast to floatx first."""
        return tf.reduce_mean(_as_float(x, self.floatx()), axis=axis, keepdims=keepdims)

    def any(self, x, axis=None, keepdims=False):
        return tf.cast(tf.reduce_any(tf.cast(x, tf.bool), axis=axis, keepdims=keepdims), tf.uint8)

    def all(self, x, axis=None, keepdims=False):
        return tf.cast(tf.reduce_all(tf.cast(x, tf.bool), axis=axis, keepdims=keepdims), tf.uint8)

    def argmax(self, x, axis=-1):
        return tf.argmax(x, axis=axis)

    def argmin(self, x, axis=-1):
        return tf.argmin(x, axis=axis)

    # ------------------------------------------------------------ element-wise
    def square(self, x):
        return tf.square(x)

    def abs(self, x):
        return tf.abs(x)

    def sqrt(self, x):
        x = tf.convert_to_tensor(x)
        return tf.sqrt(tf.maximum(x, tf.zeros((), x.dtype)))

    def exp(self, x):
        return tf.exp(x)

    def log(self, x):
        return tf.math.log(x)

    def logsumexp(self, x, axis=None, keepdims=False):
        return tf.reduce_logsumexp(x, axis=axis, keepdims=keepdims)

    def round(self, x):
        return tf.round(x)

    def sign(self, x):
        return tf.sign(x)

    def pow(self, x, a):
        return tf.pow(x, a)

    def clip(self, x, min_value, max_value):
        """A None bound is no bound; max_value below min_value is raised to min_value."""
        x = tf.convert_to_tensor(x)
        if min_value is None:
            min_value = x.dtype.min
        if max_value is None:
            max_value = x.dtype.max
        if isinstance(min_value, numbers.Number) and isinstance(max_value, numbers.Number):
            max_value = max(min_value, max_value)
        return tf.clip_by_value(x, tf.cast(min_value, x.dtype), tf.cast(max_value, x.dtype))

    def equal(self, x, y):
        return tf.equal(x, y)

    def not_equal(self, x, y):
        return tf.not_equal(x, y)

    def greater(self, x, y):
        return tf.greater(x, y)

    def greater_equal(self, x, y):
        return tf.greater_equal(x, y)

    def lesser(self, x, y):
        return tf.less(x, y)

    def lesser_equal(self, x, y):
        return tf.less_equal(x, y)

    def maximum(self, x, y):
        return tf.maximum(x, y)

    def minimum(self, x, y):
        return tf.minimum(x, y)

    def sin(self, x):
        return tf.sin(x)

    def cos(self, x):
        return tf.cos(x)

    # ----------------------------------------------------------- normalization
    def normalize_batch_in_training(self, x, gamma, beta, reduction_axes, epsilon=0.0001):
        """``gamma`` and ``beta`` (either may be None) have the shape of the kept axes, like the
        returned mean and variance."""
        x = tf.convert_to_tensor(x)
        axes = sorted(a % x.shape.rank for a in _axes_list(reduction_axes))
        mean, var = tf.nn.moments(x, axes, keepdims=True)
        kept_shape = tf.shape(mean)

        def broadcastable(t):
            if t is None or _static_shape(t).rank == x.shape.rank:
                return t
            return tf.reshape(t, kept_shape)

        normed = tf.nn.batch_normalization(x, mean, var, broadcastable(beta),
                                           broadcastable(gamma), epsilon)
        return normed, tf.squeeze(mean, axes), tf.squeeze(var, axes)

    def batch_normalization(self, x, mean, var, beta, gamma, epsilon=0.0001):
        return tf.nn.batch_normalization(x, mean, var, beta, gamma, epsilon)

    # ------------------------------------------------------- shape operations
    def concatenate(self, tensors, axis=-1):
        """All sparse tensors give a sparse result; a mix is densified."""
        rank = self.ndim(tensors[0])
        if axis < 0 and rank:
            axis %= rank
        if all(isinstance(t, tf.SparseTensor) for t in tensors):
            return tf.sparse.concat(axis, list(tensors))
        return tf.concat([self.to_dense(t) for t in tensors], axis)

    def reshape(self, x, shape):
        """None in ``shape`` is read as -1."""
        if isinstance(shape, (list, tuple)):
            shape = [-1 if s is None else s for s in shape]
        return tf.reshape(x, shape)

    def permute_dimensions(self, x, pattern):
        return tf.transpose(x, perm=list(pattern))

    def repeat_elements(self, x, rep, axis):
        return tf.repeat(x, rep, axis=axis)

    def repeat(self, x, n):
        if self.ndim(x) != 2:
            raise ValueError('repeat expects a 2D tensor (samples, dim); got shape %s.'
                             % (self.int_shape(x),))
        return tf.tile(tf.expand_dims(x, 1), [1, n, 1])

    def arange(self, start, stop=None, step=1, dtype='int32'):
        if stop is None:
            start, stop = 0, start
        numeric = all(isinstance(v, numbers.Number) for v in (start, stop, step))
        if numeric and step and (stop - start) * step <= 0:
            stop = start  # empty, as np.arange (tf.range refuses it)
        return tf.cast(tf.range(start, stop, step), dtype)

    def tile(self, x, n):
        """As np.tile: an int tiles the last axis; a short tuple is padded with 1s in front."""
        reps = _axes_list(n)
        rank = self.ndim(x)
        if rank is not None:
            for _ in range(len(reps) - rank):
                x = tf.expand_dims(x, 0)
            reps = [1] * (rank - len(reps)) + reps
        return tf.tile(x, reps)

    def flatten(self, x):
        return tf.reshape(x, [-1])

    def batch_flatten(self, x):
        rest = self.int_shape(x)[1:]
        if None not in rest:
            return tf.reshape(x, [-1, int(np.prod(rest, dtype=np.int64))])
        return tf.reshape(x, tf.stack([-1, tf.reduce_prod(tf.shape(x)[1:])]))

    def expand_dims(self, x, dim=-1):
        return tf.expand_dims(x, dim)

    def squeeze(self, x, axis):
        return tf.squeeze(x, [axis])

    def stack(self, tensors, axis=0):
        return tf.stack(tensors, axis=axis)

    def split(self, x, num_or_size_splits, axis=-1):
        return tf.split(x, num_or_size_splits, axis=axis)

    def one_hot(self, indices, nb_classes):
        """The result has dtype floatx."""
        indices = tf.convert_to_tensor(indices)
        if not indices.dtype.is_integer:
            indices = tf.cast(indices, tf.int32)
        return tf.one_hot(indices, nb_classes, dtype=self.floatx())

    def reverse(self, x, axes):
        return tf.reverse(x, _axes_list(axes))
