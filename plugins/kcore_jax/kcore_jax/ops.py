"""Tensor operations of the jax backend: linear algebra, reductions, element-wise and
shape operations, each a graph node whose value ``jax.numpy`` computes."""
import numbers

import jax
import jax.numpy as jnp
import numpy as np

from kcore_jax import graph
from kcore_jax.graph import Tensor
from kcore_jax.session import as_tensor


def node(fn, *args, **kwargs):
    """A node computing ``fn(*values, **kwargs)``; numpy arguments become constants."""
    return Tensor(lambda ctx, *a, **k: fn(*a, **k), args, kwargs)


def _t(x):
    return as_tensor(x)


def _axes(axis, ndim):
    if axis is None:
        return None
    if isinstance(axis, numbers.Integral):
        return int(axis) % ndim if ndim else int(axis)
    return tuple(int(a) % ndim for a in axis)


def _ints(values):
    """A concrete shape (tuple, list, numpy or jax array) as a tuple of ints."""
    return tuple(int(v) for v in np.asarray(values).reshape(-1))


def _float(a, floatx):
    a = jnp.asarray(a)
    return a if jnp.issubdtype(a.dtype, jnp.floating) else a.astype(floatx)


def _dot(a, b):
    if a.ndim <= 2 and b.ndim <= 2:
        return jnp.dot(a, b)
    # Theano's dot: the last axis of a with the second-to-last of b.
    return jnp.tensordot(a, b, axes=[[a.ndim - 1], [max(b.ndim - 2, 0)]])


def _batch_dot(a, b, axes):
    if axes is None:
        axes = (a.ndim - 1, b.ndim - 2 if b.ndim > 2 else 1)
    elif isinstance(axes, numbers.Integral):
        axes = (axes, axes)
    xa, ya = axes[0] % a.ndim, axes[1] % b.ndim
    if xa == 0 or ya == 0:
        raise ValueError('batch_dot cannot sum over the batch axis 0; got axes %r.' % (axes,))
    out = jax.lax.dot_general(a, b, (((xa,), (ya,)), ((0,), (0,))))
    return out[:, None] if out.ndim == 1 else out


class TensorOps:
    """Shapes, linear algebra, reductions, element-wise and shape operations."""

    # --------------------------------------------------------- linear algebra
    def dot(self, x, y):
        return node(_dot, _t(x), _t(y))

    def batch_dot(self, x, y, axes=None):
        if self.ndim(x) < 2 or self.ndim(y) < 2:
            raise ValueError('batch_dot needs tensors of at least 2 axes; got ndim %s and %s.'
                             % (self.ndim(x), self.ndim(y)))
        if axes is not None and not isinstance(axes, numbers.Integral):
            if len(axes) != 2:
                raise ValueError('batch_dot: `axes` must be an int or a pair of ints; got %r.'
                                 % (axes,))
            axes = tuple(int(a) for a in axes)
        return node(_batch_dot, _t(x), _t(y), axes=axes)

    def transpose(self, x):
        return node(jnp.transpose, _t(x))

    def gather(self, reference, indices):
        return node(lambda r, i: jnp.take(r, jnp.asarray(i).astype('int32'), axis=0),
                    _t(reference), _t(indices))

    # -------------------------------------------------------------- reductions
    def _reduce(self, fn, x, axis, keepdims):
        x = _t(x)
        return node(fn, x, axis=_axes(axis, self.ndim(x)), keepdims=bool(keepdims))

    def max(self, x, axis=None, keepdims=False):
        return self._reduce(jnp.max, x, axis, keepdims)

    def min(self, x, axis=None, keepdims=False):
        return self._reduce(jnp.min, x, axis, keepdims)

    def sum(self, x, axis=None, keepdims=False):
        return self._reduce(jnp.sum, x, axis, keepdims)

    def prod(self, x, axis=None, keepdims=False):
        return self._reduce(jnp.prod, x, axis, keepdims)

    def cumsum(self, x, axis=0):
        return node(jnp.cumsum, _t(x), axis=axis)

    def cumprod(self, x, axis=0):
        return node(jnp.cumprod, _t(x), axis=axis)

    def var(self, x, axis=None, keepdims=False):
        """Booleans and integers are cast to floatx first."""
        floatx = self.floatx()
        return self._reduce(lambda a, **k: jnp.var(_float(a, floatx), **k), x, axis, keepdims)

    def std(self, x, axis=None, keepdims=False):
        floatx = self.floatx()
        return self._reduce(lambda a, **k: jnp.std(_float(a, floatx), **k), x, axis, keepdims)

    def mean(self, x, axis=None, keepdims=False):
        floatx = self.floatx()
        return self._reduce(lambda a, **k: jnp.mean(_float(a, floatx), **k), x, axis, keepdims)

    def any(self, x, axis=None, keepdims=False):
        return self._reduce(lambda a, **k: jnp.any(a != 0, **k).astype('uint8'), x, axis,
                            keepdims)

    def all(self, x, axis=None, keepdims=False):
        return self._reduce(lambda a, **k: jnp.all(a != 0, **k).astype('uint8'), x, axis,
                            keepdims)

    def argmax(self, x, axis=-1):
        return node(jnp.argmax, _t(x), axis=axis)

    def argmin(self, x, axis=-1):
        return node(jnp.argmin, _t(x), axis=axis)

    # ------------------------------------------------------------ element-wise
    def square(self, x):
        return node(jnp.square, _t(x))

    def abs(self, x):
        # x * sign(x): the derivative at 0 is 0 (jnp.abs gives 1 there).
        return node(lambda a: a * jnp.sign(a), _t(x))

    def sqrt(self, x):
        return node(lambda a: jnp.sqrt(jnp.maximum(a, 0)), _t(x))

    def exp(self, x):
        return node(jnp.exp, _t(x))

    def log(self, x):
        return node(jnp.log, _t(x))

    def logsumexp(self, x, axis=None, keepdims=False):
        return self._reduce(jax.scipy.special.logsumexp, x, axis, keepdims)

    def round(self, x):
        return node(jnp.round, _t(x))

    def sign(self, x):
        return node(jnp.sign, _t(x))

    def pow(self, x, a):
        return graph.binary(jnp.power, _t(x), a)

    def clip(self, x, min_value, max_value):
        """A None bound is no bound; max_value below min_value is raised to min_value."""
        if isinstance(min_value, numbers.Number) and isinstance(max_value, numbers.Number):
            max_value = max(min_value, max_value)

        def clip(a, low, high):
            if low is not None:
                a = jnp.maximum(a, jnp.asarray(low, a.dtype))
            if high is not None:
                a = jnp.minimum(a, jnp.asarray(high, a.dtype))
            return a
        return node(clip, _t(x), min_value, max_value)

    def equal(self, x, y):
        return graph.binary(jnp.equal, x, y)

    def not_equal(self, x, y):
        return graph.binary(jnp.not_equal, x, y)

    def greater(self, x, y):
        return graph.binary(jnp.greater, x, y)

    def greater_equal(self, x, y):
        return graph.binary(jnp.greater_equal, x, y)

    def lesser(self, x, y):
        return graph.binary(jnp.less, x, y)

    def lesser_equal(self, x, y):
        return graph.binary(jnp.less_equal, x, y)

    def maximum(self, x, y):
        return graph.binary(jnp.maximum, x, y)

    def minimum(self, x, y):
        return graph.binary(jnp.minimum, x, y)

    def sin(self, x):
        return node(jnp.sin, _t(x))

    def cos(self, x):
        return node(jnp.cos, _t(x))

    # ----------------------------------------------------------- normalization
    def normalize_batch_in_training(self, x, gamma, beta, reduction_axes, epsilon=0.0001):
        """``gamma`` and ``beta`` (either may be None) have the shape of the kept axes (or
        x's number of axes); the returned mean and variance have the kept axes."""
        ndim = self.ndim(x)
        axes = tuple(sorted(a % ndim for a in reduction_axes))

        def normalize(a, g, b):
            mean, var = jnp.mean(a, axis=axes), jnp.var(a, axis=axes)
            shape = [1 if i in axes else a.shape[i] for i in range(ndim)]

            def broadcast(t):
                return None if t is None else (t if t.ndim == ndim else t.reshape(shape))
            out = (a - broadcast(mean)) / jnp.sqrt(broadcast(var) + epsilon)
            if g is not None:
                out = out * broadcast(g)
            if b is not None:
                out = out + broadcast(b)
            return out, mean, var
        group = node(normalize, _t(x), None if gamma is None else _t(gamma),
                     None if beta is None else _t(beta))
        return tuple(graph.Item(group, i) for i in range(3))

    def batch_normalization(self, x, mean, var, beta, gamma, epsilon=0.0001):
        """``beta`` or ``gamma`` None leaves out the shift or the scale."""
        def normalize(a, m, v, b, g):
            out = (a - m) / jnp.sqrt(v + epsilon)
            if g is not None:
                out = out * g
            return out if b is None else out + b
        return node(normalize, _t(x), _t(mean), _t(var), None if beta is None else _t(beta),
                    None if gamma is None else _t(gamma))

    # ------------------------------------------------------- shape operations
    def concatenate(self, tensors, axis=-1):
        tensors = [_t(t) for t in tensors]
        return node(lambda *ts: jnp.concatenate(ts, axis=axis), *tensors)

    def reshape(self, x, shape):
        """None in ``shape`` is read as -1; ``shape`` may be a symbolic shape."""
        if isinstance(shape, (list, tuple)):
            shape = [-1 if s is None else s for s in shape]
            if any(isinstance(s, Tensor) for s in shape):
                shape = self.stack([self.cast(self.reshape(s, ()), 'int32')
                                    if isinstance(s, Tensor) else np.int32(s) for s in shape])
        return node(lambda a, s: jnp.reshape(a, _ints(s)), _t(x), shape)

    def permute_dimensions(self, x, pattern):
        return node(jnp.transpose, _t(x), axes=tuple(int(p) for p in pattern))

    def repeat_elements(self, x, rep, axis):
        return node(jnp.repeat, _t(x), repeats=int(rep), axis=axis)

    def repeat(self, x, n):
        if self.ndim(x) != 2:
            raise ValueError('repeat expects a 2D tensor (samples, dim); got %s axes.'
                             % self.ndim(x))
        return node(lambda a, n: jnp.repeat(a[:, None, :], int(np.asarray(n)), axis=1),
                    _t(x), n)

    def arange(self, start, stop=None, step=1, dtype='int32'):
        if stop is None:
            start, stop = 0, start
        return node(lambda a, b, c: jnp.arange(int(np.asarray(a)), int(np.asarray(b)),
                                               int(np.asarray(c)), dtype=dtype),
                    start, stop, step)

    def tile(self, x, n):
        """As np.tile: an int tiles the last axis; a short tuple is padded with 1s."""
        return node(lambda a, reps: jnp.tile(a, _ints(reps)), _t(x), n)

    def flatten(self, x):
        return node(lambda a: jnp.reshape(a, (-1,)), _t(x))

    def batch_flatten(self, x):
        return node(lambda a: jnp.reshape(a, (a.shape[0], -1)), _t(x))

    def expand_dims(self, x, dim=-1):
        return node(jnp.expand_dims, _t(x), axis=dim)

    def squeeze(self, x, axis):
        return node(jnp.squeeze, _t(x), axis=axis)

    def stack(self, tensors, axis=0):
        tensors = [t if isinstance(t, Tensor) else np.asarray(t) for t in tensors]
        return node(lambda *ts: jnp.stack(ts, axis=axis)
                    if any(graph.is_tracer(t) for t in ts) else np.stack(ts, axis=axis),
                    *tensors)

    def split(self, x, num_or_size_splits, axis=-1):
        """One split: its gradient is one concatenation."""
        axis = axis % self.ndim(x)
        sizes = self._split_sizes(x, num_or_size_splits, axis)
        cuts = list(np.cumsum(sizes)[:-1])
        group = node(lambda a: tuple(jnp.split(a, cuts, axis=axis)), _t(x))
        return [graph.Item(group, i) for i in range(len(sizes))]

    def one_hot(self, indices, nb_classes):
        """The result has dtype floatx."""
        floatx = self.floatx()
        return node(lambda i: jax.nn.one_hot(i, nb_classes, dtype=floatx), _t(indices))

    def reverse(self, x, axes):
        axes = [axes] if isinstance(axes, numbers.Integral) else list(axes)
        return node(jnp.flip, _t(x), axis=tuple(axes))
