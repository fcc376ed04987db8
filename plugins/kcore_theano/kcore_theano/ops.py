"""Tensor operations of the theano backend on PyTensor: shapes, arithmetic, reductions,
reshaping."""
import numbers

import numpy as np
import pytensor.sparse as pts
import pytensor.tensor as pt
from pytensor.compile.sharedvalue import SharedVariable
from pytensor.gradient import DisconnectedType
from pytensor.graph.basic import Variable
from pytensor.tensor.subtensor import AdvancedSubtensor1

from kcore.backend.arguments import batch_dot_axes


def _graph(x):
    """``x`` as a PyTensor variable (numbers and numpy arrays become constants)."""
    return x if isinstance(x, Variable) else pt.as_tensor_variable(x)


class _RowGather(AdvancedSubtensor1):
    """``matrix[indices]``, rows of a float matrix for an int vector, whose gradient runs
    in C: PyTensor has C code for increments of 1-D arrays but increments matrix rows with
    numpy's ``add.at`` (an Embedding(20000, 128) took 5 ms of a 75 ms training step
    there). The gradient adds each row through one index per element of the flattened
    matrix. The gather itself runs numpy's ``take``, as PyTensor's C code does."""

    def grad(self, inputs, output_grads):
        matrix, indices = inputs
        width = matrix.shape[1]
        flat = (pt.cast(indices, 'int64')[:, None] * width + pt.arange(width)).flatten()
        zeros = pt.zeros((matrix.shape[0] * width,), dtype=matrix.dtype)
        grad = pt.inc_subtensor(zeros[flat], output_grads[0].flatten())
        return [grad.reshape(matrix.shape), DisconnectedType()()]


_gather_rows = _RowGather()


def _is_sparse(x):
    return isinstance(getattr(x, 'type', None), pts.SparseTensorType)


def _axes_list(axis):
    return [axis] if isinstance(axis, numbers.Integral) else list(axis)


def _reduced_axes(axis, ndim):
    """``axis`` (None, an int or a list) as a sorted list of non-negative axes."""
    if axis is None:
        return list(range(ndim))
    return sorted(a % ndim for a in _axes_list(axis))


def _dim(x, i):
    """Axis ``i`` of ``x``: its static size if known, else the symbolic one."""
    size = x.type.shape[i]
    return x.shape[i] if size is None else size


def _product(dims):
    """The product of static ints and symbolic sizes (an int while all are static)."""
    out = 1
    for d in dims:
        out = out * d
    return out


def _as_float(x, floatx):
    """``x`` cast to floatx unless it is already a float tensor (for means and variances)."""
    x = _graph(x)
    return x if x.dtype.startswith('float') else pt.cast(x, floatx)


class TensorOps:
    """Shapes, linear algebra, reductions, element-wise and shape operations."""

    # ------------------------------------------------------------------ shapes
    def shape(self, x):
        return _graph(x).shape

    def int_shape(self, x):
        """The static shape PyTensor knows (``type.shape``); axes it does not know are taken
        from the ``_keras_shape`` kcore attaches to layer outputs, when it has one."""
        if isinstance(x, (np.ndarray, numbers.Number)):
            return tuple(np.shape(x))
        hint = getattr(x, '_keras_shape', None)
        shape = getattr(getattr(x, 'type', None), 'shape', None)
        if shape is None:
            return None if hint is None else tuple(hint)
        shape = tuple(shape)
        if None in shape and isinstance(x, SharedVariable):
            shape = tuple(x.get_value(borrow=True, return_internal_type=True).shape)
        if None in shape and hint is not None and len(hint) == len(shape):
            shape = tuple(h if s is None else s for s, h in zip(shape, hint))
        return shape

    def ndim(self, x):
        n = getattr(x, 'ndim', None)
        return np.ndim(x) if n is None else n

    def dtype(self, x):
        dtype = getattr(x, 'dtype', None)
        return str(dtype) if isinstance(dtype, str) else np.asarray(x).dtype.name

    def cast(self, x, dtype):
        return pt.cast(x, dtype)

    # --------------------------------------------------------- linear algebra
    def dot(self, x, y):
        """A sparse ``x`` (2D) gives a structured (sparse-dense) product."""
        if _is_sparse(x):
            return pts.structured_dot(x, y)
        if _is_sparse(y):
            return pts.dot(x, y)
        return pt.dot(x, y)

    def batch_dot(self, x, y, axes=None):
        """One batched matrix product; a (batch,) result is returned as (batch, 1)."""
        x, y = _graph(x), _graph(y)
        x_ndim, y_ndim = x.ndim, y.ndim
        x_axis, y_axis = batch_dot_axes(x_ndim, y_ndim, axes)
        # Move the summed axes next to each other, fold the other axes: one batched matrix
        # product (b, m, k) . (b, k, n), then unfold (b, m, n) to the result's axes.
        x_rest = [i for i in range(1, x_ndim) if i != x_axis]
        y_rest = [i for i in range(1, y_ndim) if i != y_axis]
        xt = x.dimshuffle([0] + x_rest + [x_axis])
        yt = y.dimshuffle([0, y_axis] + y_rest)
        x_dims = [_dim(xt, i) for i in range(x_ndim)]
        y_dims = [_dim(yt, i) for i in range(y_ndim)]
        x3 = pt.reshape(xt, (x_dims[0], _product(x_dims[1:-1]), x_dims[-1]))
        y3 = pt.reshape(yt, (y_dims[0], y_dims[1], _product(y_dims[2:])))
        out = pt.matmul(x3, y3)
        out_dims = [x_dims[0]] + x_dims[1:-1] + y_dims[2:]
        if len(out_dims) == 1:
            out_dims.append(1)  # (batch,) is returned as (batch, 1)
        return pt.reshape(out, out_dims)

    def transpose(self, x):
        if _is_sparse(x):
            return pts.transpose(x)
        return pt.transpose(x)

    def gather(self, reference, indices):
        reference, indices = _graph(reference), _graph(indices)
        if reference.ndim != 2 or reference.dtype not in ('float16', 'float32', 'float64'):
            return reference[indices]
        rows = _gather_rows(reference, indices.flatten())
        return rows.reshape([_dim(indices, i) for i in range(indices.ndim)]
                            + [_dim(reference, 1)], ndim=indices.ndim + 1)

    # -------------------------------------------------------------- reductions
    def max(self, x, axis=None, keepdims=False):
        return pt.max(x, axis=axis, keepdims=keepdims)

    def min(self, x, axis=None, keepdims=False):
        return pt.min(x, axis=axis, keepdims=keepdims)

    def sum(self, x, axis=None, keepdims=False):
        return pt.sum(x, axis=axis, keepdims=keepdims)

    def prod(self, x, axis=None, keepdims=False):
        return pt.prod(x, axis=axis, keepdims=keepdims)

    def cumsum(self, x, axis=0):
        return pt.cumsum(x, axis=axis)

    def cumprod(self, x, axis=0):
        return pt.cumprod(x, axis=axis)

    def var(self, x, axis=None, keepdims=False):
        """Booleans and integers are cast to floatx first."""
        return pt.var(_as_float(x, self.floatx()), axis=axis, keepdims=keepdims)

    def std(self, x, axis=None, keepdims=False):
        """Booleans and integers are cast to floatx first."""
        return pt.std(_as_float(x, self.floatx()), axis=axis, keepdims=keepdims)

    def mean(self, x, axis=None, keepdims=False):
        """Booleans and integers are cast to floatx first."""
        return pt.mean(_as_float(x, self.floatx()), axis=axis, keepdims=keepdims)

    def any(self, x, axis=None, keepdims=False):
        return pt.cast(pt.any(pt.neq(x, 0), axis=axis, keepdims=keepdims), 'uint8')

    def all(self, x, axis=None, keepdims=False):
        return pt.cast(pt.all(pt.neq(x, 0), axis=axis, keepdims=keepdims), 'uint8')

    def argmax(self, x, axis=-1):
        return pt.argmax(x, axis=axis)

    def argmin(self, x, axis=-1):
        return pt.argmin(x, axis=axis)

    # ------------------------------------------------------------ element-wise
    def square(self, x):
        return pt.sqr(x)

    def abs(self, x):
        return pt.abs(x)

    def sqrt(self, x):
        x = _graph(x)
        return pt.sqrt(pt.maximum(x, np.asarray(0, dtype=x.dtype)))

    def exp(self, x):
        return pt.exp(x)

    def log(self, x):
        return pt.log(x)

    def logsumexp(self, x, axis=None, keepdims=False):
        """log(sum(exp(x - max))) + max: no overflow, and the max's own gradient cancels."""
        x = _graph(x)
        axes = _reduced_axes(axis, x.ndim)
        top = pt.max(x, axis=axes, keepdims=True)
        out = pt.log(pt.sum(pt.exp(x - top), axis=axes, keepdims=True)) + top
        return out if keepdims else pt.squeeze(out, axis=axes)

    def round(self, x):
        return pt.round(x, mode='half_to_even')

    def sign(self, x):
        return pt.sign(x)

    def pow(self, x, a):
        return pt.pow(x, a)

    def clip(self, x, min_value, max_value):
        """A None bound is no bound; max_value below min_value is raised to min_value."""
        x = _graph(x)
        if x.dtype.startswith('float'):
            low, high = -np.inf, np.inf
        else:
            info = np.iinfo(x.dtype) if x.dtype != 'bool' else np.iinfo('uint8')
            low, high = info.min, info.max
        if min_value is None:
            min_value = low
        if max_value is None:
            max_value = high
        if isinstance(min_value, numbers.Number) and isinstance(max_value, numbers.Number):
            max_value = max(min_value, max_value)
        bounds = [np.asarray(b, dtype=x.dtype) if isinstance(b, numbers.Number)
                  else pt.cast(b, x.dtype) for b in (min_value, max_value)]
        return pt.clip(x, *bounds)

    def equal(self, x, y):
        return pt.eq(x, y)

    def not_equal(self, x, y):
        return pt.neq(x, y)

    def greater(self, x, y):
        return pt.gt(x, y)

    def greater_equal(self, x, y):
        return pt.ge(x, y)

    def lesser(self, x, y):
        return pt.lt(x, y)

    def lesser_equal(self, x, y):
        return pt.le(x, y)

    def maximum(self, x, y):
        return pt.maximum(x, y)

    def minimum(self, x, y):
        return pt.minimum(x, y)

    def sin(self, x):
        return pt.sin(x)

    def cos(self, x):
        return pt.cos(x)

    # ----------------------------------------------------------- normalization
    def normalize_batch_in_training(self, x, gamma, beta, reduction_axes, epsilon=0.0001):
        """``gamma`` and ``beta`` (either may be None) have the shape of the kept axes, like the
        returned mean and variance (or x's number of axes, ready to broadcast)."""
        x = _graph(x)
        axes = _reduced_axes(reduction_axes, x.ndim)
        kept = [i for i in range(x.ndim) if i not in axes]
        mean = pt.mean(x, axis=axes)
        var = pt.var(x, axis=axes)
        pattern = ['x'] * x.ndim
        for position, axis in enumerate(kept):
            pattern[axis] = position

        def broadcastable(t):
            if t is None:
                return None
            t = _graph(t)
            if t.ndim == x.ndim:
                return t
            if t.ndim == len(kept):
                return t.dimshuffle(pattern)
            return pt.reshape(t, [1 if i in axes else x.shape[i] for i in range(x.ndim)])

        normed = self.batch_normalization(x, broadcastable(mean), broadcastable(var),
                                          broadcastable(beta), broadcastable(gamma), epsilon)
        return normed, mean, var

    def batch_normalization(self, x, mean, var, beta, gamma, epsilon=0.0001):
        """``beta`` or ``gamma`` None leaves out the shift or the scale."""
        out = (x - mean) / pt.sqrt(var + epsilon)
        if gamma is not None:
            out = out * gamma
        if beta is not None:
            out = out + beta
        return out

    # ------------------------------------------------------- shape operations
    def concatenate(self, tensors, axis=-1):
        """2D sparse tensors concatenated along axis 0 or 1 stay sparse; a mix is densified."""
        tensors = list(tensors)
        rank = self.ndim(tensors[0])
        if axis < 0 and rank:
            axis %= rank
        if all(_is_sparse(t) for t in tensors) and axis in (0, 1):
            fmt = tensors[0].type.format
            stack = pts.vstack if axis == 0 else pts.hstack
            return stack(tensors, format=fmt)
        return pt.concatenate([self.to_dense(t) for t in tensors], axis=axis)

    def reshape(self, x, shape):
        """None in ``shape`` is read as -1."""
        if isinstance(shape, (list, tuple)):
            shape = [-1 if s is None else s for s in shape]
        return pt.reshape(x, shape)

    def permute_dimensions(self, x, pattern):
        return _graph(x).dimshuffle(list(pattern))

    def identity(self, x):
        """PyTensor's identity dimshuffle is its input itself: a copy op instead."""
        return _graph(x).copy()

    def repeat_elements(self, x, rep, axis):
        return pt.repeat(x, rep, axis=axis)

    def repeat(self, x, n):
        x = _graph(x)
        if x.ndim != 2:
            raise ValueError('repeat expects a 2D tensor (samples, dim); got %d axes.' % x.ndim)
        return pt.repeat(x.dimshuffle(0, 'x', 1), n, axis=1)

    def arange(self, start, stop=None, step=1, dtype='int32'):
        if stop is None:
            start, stop = 0, start
        return pt.arange(start, stop, step, dtype=dtype)

    def tile(self, x, n):
        """As np.tile: an int tiles the last axis; a short tuple is padded with 1s in front."""
        x = _graph(x)
        reps = _axes_list(n)
        for _ in range(len(reps) - x.ndim):
            x = pt.shape_padleft(x)
        reps = [1] * (x.ndim - len(reps)) + reps
        return pt.tile(x, reps)

    def flatten(self, x):
        return pt.flatten(x, ndim=1)

    def batch_flatten(self, x):
        x = _graph(x)
        rest = self.int_shape(x)[1:]
        if None not in rest:
            return pt.reshape(x, (-1, int(np.prod(rest, dtype=np.int64))))
        return pt.flatten(x, ndim=2)

    def expand_dims(self, x, dim=-1):
        return pt.expand_dims(x, dim)

    def squeeze(self, x, axis):
        return pt.squeeze(x, axis=axis)

    def stack(self, tensors, axis=0):
        return pt.stack(list(tensors), axis=axis)

    def split(self, x, num_or_size_splits, axis=-1):
        """One Split op: its gradient is one join."""
        x = _graph(x)
        axis = axis % x.ndim
        sizes = self._split_sizes(x, num_or_size_splits, axis)
        return list(pt.split(x, sizes, len(sizes), axis=axis))

    def one_hot(self, indices, nb_classes):
        """The result has dtype floatx."""
        indices = _graph(indices)
        if not indices.dtype.startswith(('int', 'uint')):
            indices = pt.cast(indices, 'int32')
        hot = pt.eq(pt.shape_padright(indices), pt.arange(nb_classes, dtype=indices.dtype))
        return pt.cast(hot, self.floatx())

    def reverse(self, x, axes):
        x = _graph(x)
        flip = {a % x.ndim for a in _axes_list(axes)}
        return x[tuple(slice(None, None, -1) if i in flip else slice(None)
                       for i in range(x.ndim))]
