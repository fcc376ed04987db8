"""Neural-net functions of the jax backend: activations, losses, dropout and random
tensors, convolutions (``lax.conv_general_dilated``), pooling (strided slices; reduce_window
in programs without a derivative),
padding and resizing."""
import functools
import itertools

import jax
import jax.numpy as jnp
import numpy as np

from kcore.backend import arguments
from kcore.backend.arguments import positive_ints
from kcore.backend.spatial_ops import SpatialOps
from kcore_jax.graph import Tensor
from kcore_jax.ops import _ints, node
from kcore_jax.session import as_tensor as _t

# lax dimension numbers per (spatial rank, ordering): (input, kernel, output).
_DIMS = {(1, 'tf'): ('NWC', 'WIO', 'NWC'),
         (2, 'tf'): ('NHWC', 'HWIO', 'NHWC'), (2, 'th'): ('NCHW', 'OIHW', 'NCHW'),
         (3, 'tf'): ('NDHWC', 'DHWIO', 'NDHWC'), (3, 'th'): ('NCDHW', 'OIDHW', 'NCDHW')}


def _random(fn, shape, dtype, seed):
    """A node drawing ``fn(key, shape, dtype)`` anew at each evaluation; with a seed the
    draws are a reproducible sequence."""
    def draw(ctx, s, uid):
        key = ctx.key_for(uid)
        if seed is not None:
            key = jax.random.fold_in(key, seed)  # the seed picks the stream
        return fn(key, _ints(s), np.dtype(dtype))
    uid = next(_uid_counter)
    return Tensor(lambda ctx, s: draw(ctx, s, uid), (shape,), random=True)


def _bernoulli(key, p, shape):
    """True with probability ``p``: random bits against a threshold (no float draws)."""
    threshold = np.uint32(min(max(p, 0.0), 1.0) * 4294967295.0)
    if p >= 1.0:
        return jnp.ones(shape, bool)
    return jax.random.bits(key, shape, 'uint32') < threshold


# Each random node draws from its own stream: the call's key folded with this number.
_uid_counter = iter(range(1, 1 << 62))


def _pads(x_shape, window, strides, dilation, border_mode, spatial_axes):
    if border_mode == 'valid':
        return [(0, 0)] * len(spatial_axes)
    pads = []
    for axis, k, s, d in zip(spatial_axes, window, strides, dilation):
        size = x_shape[axis]
        eff = (k - 1) * d + 1
        out = -(-size // s)
        total = max((out - 1) * s + eff - size, 0)
        pads.append((total // 2, total - total // 2))
    return pads


def _windows(a, axes, window, strides):
    """The strided slices of ``a`` that each window offset meets, offsets in row-major
    order: pooling becomes element-wise maxima or sums, whose gradient XLA runs far
    faster on CPUs than reduce_window's select-and-scatter (466 ms against 12 ms for the
    2x2 max pooling of a (128, 24, 24, 64) batch)."""
    outs = {ax: (a.shape[ax] - k) // s + 1 for ax, k, s in zip(axes, window, strides)}
    slices = []
    for offsets in itertools.product(*[range(k) for k in window]):
        start, limit, steps = [0] * a.ndim, list(a.shape), [1] * a.ndim
        for ax, o, s in zip(axes, offsets, strides):
            start[ax], limit[ax], steps[ax] = o, o + (outs[ax] - 1) * s + 1, s
        slices.append(jax.lax.slice(a, start, limit, steps))
    return slices


def _conv(a, k, strides, border_mode, ordering, dilation, groups=1):
    n = k.ndim - 2
    lhs, rhs, out = _DIMS[(n, ordering)]
    spatial = [lhs.index(c) for c in lhs if c not in 'NC']
    kspatial = [rhs.index(c) for c in rhs if c not in 'IO']
    window = [k.shape[i] for i in kspatial]
    pads = _pads(a.shape, window, strides, dilation, border_mode, spatial)
    return jax.lax.conv_general_dilated(a, k, strides, pads, rhs_dilation=dilation,
                                        dimension_numbers=(lhs, rhs, out),
                                        feature_group_count=groups)


def _pool(ctx, a, pool_size, strides, border_mode, ordering, mode):
    n = len(pool_size)
    first = 1 if ordering == 'tf' else 2
    spatial = list(range(first, first + n))
    pads = [(0, 0)] * a.ndim
    for axis, p in zip(spatial, _pads(a.shape, pool_size, strides, (1,) * n, border_mode,
                                      spatial)):
        pads[axis] = p
    # 'same': only the pixels inside the image count (a static count per position).
    inside = np.pad(np.ones([a.shape[i] if i in spatial else 1 for i in range(a.ndim)],
                            np.float32), pads)
    if ctx.forward_only:
        # Without a derivative, reduce_window: XLA's CPU library (YNNPACK) fuses it with
        # the convolutions around it, which it does not do with the strided slices.
        window = [pool_size[spatial.index(i)] if i in spatial else 1 for i in range(a.ndim)]
        steps = [strides[spatial.index(i)] if i in spatial else 1 for i in range(a.ndim)]
        if mode == 'max':
            dtype = np.dtype(a.dtype)
            lowest = -np.inf if dtype.kind == 'f' else np.iinfo(dtype).min
            return jax.lax.reduce_window(a, np.array(lowest, dtype), jax.lax.max, window,
                                         steps, pads)
        total = jax.lax.reduce_window(a, np.array(0, a.dtype), jax.lax.add, window, steps,
                                      pads)
        counts = jax.lax.reduce_window(inside, np.float32(0), jax.lax.add, window, steps,
                                       [(0, 0)] * a.ndim)
        return total / counts.astype(a.dtype)
    if mode == 'max':
        padded = jnp.pad(a, pads, constant_values=-np.inf)
        return functools.reduce(jnp.maximum, _windows(padded, spatial, pool_size, strides))
    total = sum(_windows(jnp.pad(a, pads), spatial, pool_size, strides))
    counts = sum(_windows(inside, spatial, pool_size, strides))
    return total / counts.astype(a.dtype)


class NNOps(SpatialOps):
    """Activations, losses, dropout, random tensors, convolutions, pooling, padding."""

    # ------------------------------------------------------------ activations
    def relu(self, x, alpha=0.0, max_value=None):
        def relu(a):
            out = jax.nn.relu(a)
            if alpha:
                out = out + alpha * jnp.minimum(a, 0)
            if max_value is not None:
                out = jnp.minimum(out, jnp.asarray(max_value, a.dtype))
            return out
        return node(relu, _t(x))

    def elu(self, x, alpha=1.0):
        return node(lambda a: jnp.where(a > 0, a, alpha * jnp.expm1(jnp.minimum(a, 0))), _t(x))

    def softmax(self, x):
        return node(lambda a: jax.nn.softmax(a, axis=-1), _t(x))

    def softplus(self, x):
        return node(jax.nn.softplus, _t(x))

    def softsign(self, x):
        return node(lambda a: a / (1 + jnp.abs(a)), _t(x))

    def sigmoid(self, x):
        return node(jax.nn.sigmoid, _t(x))

    def hard_sigmoid(self, x):
        return node(lambda a: jnp.clip(0.2 * a + 0.5, 0.0, 1.0), _t(x))

    def tanh(self, x):
        return node(jnp.tanh, _t(x))

    # ----------------------------------------------------------------- losses
    def categorical_crossentropy(self, output, target, from_logits=False):
        eps = self.epsilon()

        def loss(out, tgt):
            if from_logits:
                return -jnp.sum(tgt * jax.nn.log_softmax(out, axis=-1), axis=-1)
            out = out / jnp.sum(out, axis=-1, keepdims=True)
            out = jnp.clip(out, eps, 1.0 - eps)
            return -jnp.sum(tgt * jnp.log(out), axis=-1)
        return node(loss, _t(output), _t(target))

    def sparse_categorical_crossentropy(self, output, target, from_logits=False):
        eps = self.epsilon()

        def loss(out, tgt):
            classes = out.shape[-1]
            flat = out.reshape(-1, classes)
            if from_logits:
                logp = jax.nn.log_softmax(flat, axis=-1)
            else:
                flat = flat / jnp.sum(flat, axis=-1, keepdims=True)
                logp = jnp.log(jnp.clip(flat, eps, 1.0 - eps))
            idx = jnp.asarray(tgt).reshape(-1).astype('int32')
            picked = jnp.take_along_axis(logp, idx[:, None], axis=1)[:, 0]
            return -picked.reshape(out.shape[:-1])
        return node(loss, _t(output), _t(target))

    def binary_crossentropy(self, output, target, from_logits=False):
        eps = self.epsilon()

        def loss(out, tgt):
            if not from_logits:
                out = jnp.clip(out, eps, 1.0 - eps)
                out = jnp.log(out / (1 - out))
            # log(1 + exp(-|z|)) + max(z, 0) - z t: stable for any logit z.
            return jnp.maximum(out, 0) - out * tgt + jnp.log1p(jnp.exp(-jnp.abs(out)))
        return node(loss, _t(output), _t(target))

    # ------------------------------------------------------- noise and random
    def dropout(self, x, level, noise_shape=None, seed=None):
        if not 0 <= level < 1:
            raise ValueError('dropout: level must be in [0, 1); got %r.' % (level,))
        uid = next(_uid_counter)

        def drop(ctx, a, shape):
            key = ctx.key_for(uid)
            if seed is not None:
                key = jax.random.fold_in(key, seed)
            shape = a.shape if shape is None else _ints(shape)
            keep = _bernoulli(key, 1.0 - level, shape)
            return jnp.where(keep, a / (1.0 - level), jnp.zeros((), a.dtype)).astype(a.dtype)
        return Tensor(drop, (_t(x), noise_shape), random=True)

    def l2_normalize(self, x, axis):
        return node(lambda a: a * jax.lax.rsqrt(jnp.maximum(
            jnp.sum(jnp.square(a), axis=axis, keepdims=True), 1e-12)), _t(x))

    def in_top_k(self, predictions, targets, k):
        def top(p, t):
            t = jnp.asarray(t).reshape(-1).astype('int32')
            target = jnp.take_along_axis(p, t[:, None], axis=1)
            return jnp.sum(p > target, axis=1) < k
        return node(top, _t(predictions), _t(targets))

    def random_normal(self, shape, mean=0.0, std=1.0, dtype=None, seed=None):
        return _random(lambda k, s, d: mean + std * jax.random.normal(k, s, d), shape,
                       dtype or self.floatx(), seed)

    def random_uniform(self, shape, low=0.0, high=1.0, dtype=None, seed=None):
        return _random(lambda k, s, d: jax.random.uniform(k, s, d, low, high), shape,
                       dtype or self.floatx(), seed)

    def random_binomial(self, shape, p=0.0, dtype=None, seed=None):
        return _random(lambda k, s, d: _bernoulli(k, p, s).astype(d), shape,
                       dtype or self.floatx(), seed)

    # ----------------------------------------------------------- convolutions
    # conv1d/2d/3d and pool2d/3d check their arguments in kcore's SpatialOps, then call:
    def _conv_nd(self, fn, x, kernel, ordering, strides, border_mode, dilation):
        return node(_conv, _t(x), _t(kernel), strides=strides, border_mode=border_mode,
                    ordering=ordering, dilation=dilation)

    def deconv2d(self, x, kernel, output_shape, strides=(1, 1), border_mode='valid',
                 dim_ordering='default', image_shape=None, filter_shape=None):
        ordering = self.normalize_dim_ordering(dim_ordering)
        strides = positive_ints('deconv2d', 'strides', strides, 2)
        border_mode = arguments.border_mode('deconv2d', border_mode)

        def deconv(a, k, shape):
            shape = [None if s is None or int(s) < 0 else int(s)
                     for s in np.asarray(shape, dtype=object).reshape(-1)]
            # Unknown axes: the batch, the kernel's channels, the transposed geometry.
            spatial = (1, 2) if ordering == 'tf' else (2, 3)
            kernel_size = k.shape[:2] if ordering == 'tf' else k.shape[2:]
            shape[0] = a.shape[0]
            channel = 3 if ordering == 'tf' else 1
            if shape[channel] is None:
                shape[channel] = k.shape[2] if ordering == 'tf' else k.shape[0]
            for axis, size, stride in zip(spatial, kernel_size, strides):
                if shape[axis] is None:
                    shape[axis] = (a.shape[axis] * stride if border_mode == 'same' else
                                   (a.shape[axis] - 1) * stride + size)
            # The kernel maps the output's channels to x's: conv2d with it goes
            # output -> x, and its transpose (the vjp) goes x -> output.
            if ordering == 'tf':
                fwd = k  # (rows, cols, out, in) is HWIO from the output to x
            else:
                fwd = jnp.transpose(k, (1, 0, 2, 3))  # (out, in, r, c) -> OIHW from output
            zeros = jnp.zeros(shape, a.dtype)
            _, vjp = jax.vjp(lambda y: _conv(y, fwd, strides, border_mode, ordering, (1, 1)),
                             zeros)
            return vjp(a)[0]
        if isinstance(output_shape, Tensor):
            return node(deconv, _t(x), _t(kernel), output_shape)
        shape = list(output_shape)
        if any(isinstance(s, Tensor) for s in shape):
            shape = self.stack([self.reshape(s, ()) if isinstance(s, Tensor) else
                                np.int32(-1 if s is None else s) for s in shape])
        else:
            shape = np.asarray([-1 if s is None else s for s in shape], 'int32')
        return node(deconv, _t(x), _t(kernel), shape)

    def separable_conv2d(self, x, depthwise_kernel, pointwise_kernel, strides=(1, 1),
                         border_mode='valid', dim_ordering='default'):
        ordering = self.normalize_dim_ordering(dim_ordering)
        strides = positive_ints('separable_conv2d', 'strides', strides, 2)
        border_mode = arguments.border_mode('separable_conv2d', border_mode)

        def separable(a, dk, pk):
            if ordering == 'tf':
                rows, cols, inputs, mult = dk.shape
                dk = dk.reshape(rows, cols, 1, inputs * mult)
            else:
                mult, inputs, rows, cols = dk.shape
                dk = jnp.transpose(dk, (1, 0, 2, 3)).reshape(inputs * mult, 1, rows, cols)
            out = _conv(a, dk, strides, border_mode, ordering, (1, 1), groups=inputs)
            return _conv(out, pk, (1, 1), 'valid', ordering, (1, 1))
        return node(separable, _t(x), _t(depthwise_kernel), _t(pointwise_kernel))

    # ---------------------------------------------------------------- pooling
    def _pool_nd(self, fn, x, ordering, pool_size, strides, border_mode, pool_mode):
        return Tensor(_pool, (_t(x),), dict(pool_size=pool_size, strides=strides,
                                            border_mode=border_mode, ordering=ordering,
                                            mode=pool_mode))

    # ------------------------------------------------------ padding, resizing
    def _pad(self, x, pads, first):
        """Zero-pad the axes from ``first`` on by ``pads`` (pairs)."""
        def pad(a):
            widths = [(0, 0)] * a.ndim
            for i, p in enumerate(pads):
                widths[first + i] = p
            return jnp.pad(a, widths)
        return node(pad, _t(x))

    def _spatial_first(self, dim_ordering):
        return 2 if self.normalize_dim_ordering(dim_ordering) == 'th' else 1

    def temporal_padding(self, x, padding=1):
        return self._pad(x, [(padding, padding)], 1)

    def asymmetric_temporal_padding(self, x, left_pad=1, right_pad=1):
        return self._pad(x, [(left_pad, right_pad)], 1)

    def spatial_2d_padding(self, x, padding=(1, 1), dim_ordering='default'):
        return self._pad(x, [(p, p) for p in padding], self._spatial_first(dim_ordering))

    def asymmetric_spatial_2d_padding(self, x, top_pad=1, bottom_pad=1, left_pad=1,
                                      right_pad=1, dim_ordering='default'):
        return self._pad(x, [(top_pad, bottom_pad), (left_pad, right_pad)],
                         self._spatial_first(dim_ordering))

    def spatial_3d_padding(self, x, padding=(1, 1, 1), dim_ordering='default'):
        return self._pad(x, [(p, p) for p in padding], self._spatial_first(dim_ordering))

    def _resize(self, x, factors, dim_ordering):
        first = self._spatial_first(dim_ordering)

        def resize(a):
            for i, f in enumerate(factors):
                a = jnp.repeat(a, int(f), axis=first + i)
            return a
        return node(resize, _t(x))

    def resize_images(self, X, height_factor, width_factor, dim_ordering):
        return self._resize(X, (height_factor, width_factor), dim_ordering)

    def resize_volumes(self, X, depth_factor, height_factor, width_factor, dim_ordering):
        return self._resize(X, (depth_factor, height_factor, width_factor), dim_ordering)
