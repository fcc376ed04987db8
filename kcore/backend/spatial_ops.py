"""Convolution and pooling entry points shared by backends that compute any number of
spatial axes in one place.

A backend mixes :class:`SpatialOps` in before :class:`~kcore.backend.protocol.Backend` and
implements two hooks that receive checked arguments: ``_conv_nd(fn, x, kernel, ordering,
strides, border_mode, dilation)`` (kernels in the protocol's layout for ``ordering``; 1D
convolutions come as 'tf') and ``_pool_nd(fn, x, ordering, pool_size, strides,
border_mode, pool_mode)``. ``fn`` is the protocol function's name, for error messages.
"""
from kcore.backend.arguments import border_mode as _border_mode
from kcore.backend.arguments import check_ndim, positive_ints

POOL_MODES = ('max', 'avg')


class SpatialOps:
    """conv1d, conv2d, conv3d, pool2d and pool3d of the protocol, on two hooks."""

    def conv1d(self, x, kernel, strides=1, border_mode='valid', image_shape=None,
               filter_shape=None, filter_dilation=1):
        # (samples, steps, input_dim) with a (length, input_dim, nb_filter) kernel is the
        # 'tf' layout of one spatial axis.
        return self._convolution('conv1d', 1, x, kernel, strides, border_mode, 'tf',
                                 filter_dilation)

    def conv2d(self, x, kernel, strides=(1, 1), border_mode='valid', dim_ordering='default',
               image_shape=None, filter_shape=None, filter_dilation=(1, 1)):
        return self._convolution('conv2d', 2, x, kernel, strides, border_mode, dim_ordering,
                                 filter_dilation)

    def conv3d(self, x, kernel, strides=(1, 1, 1), border_mode='valid', dim_ordering='default',
               volume_shape=None, filter_shape=None):
        return self._convolution('conv3d', 3, x, kernel, strides, border_mode, dim_ordering, 1)

    def pool2d(self, x, pool_size, strides=(1, 1), border_mode='valid', dim_ordering='default',
               pool_mode='max'):
        return self._pooling('pool2d', 2, x, pool_size, strides, border_mode, dim_ordering,
                             pool_mode)

    def pool3d(self, x, pool_size, strides=(1, 1, 1), border_mode='valid',
               dim_ordering='default', pool_mode='max'):
        return self._pooling('pool3d', 3, x, pool_size, strides, border_mode, dim_ordering,
                             pool_mode)

    def _convolution(self, fn, n, x, kernel, strides, border_mode, dim_ordering, dilation):
        ordering = self.normalize_dim_ordering(dim_ordering)
        check_ndim(fn, self.ndim(x), self.int_shape(x), n + 2)
        check_ndim(fn, self.ndim(kernel), self.int_shape(kernel), n + 2)
        return self._conv_nd(fn, x, kernel, ordering, positive_ints(fn, 'strides', strides, n),
                             _border_mode(fn, border_mode),
                             positive_ints(fn, 'filter_dilation', dilation, n))

    def _pooling(self, fn, n, x, pool_size, strides, border_mode, dim_ordering, pool_mode):
        ordering = self.normalize_dim_ordering(dim_ordering)
        check_ndim(fn, self.ndim(x), self.int_shape(x), n + 2)
        pool_size = positive_ints(fn, 'pool_size', pool_size, n)
        strides = positive_ints(fn, 'strides', strides, n)
        border_mode = _border_mode(fn, border_mode)
        if pool_mode not in POOL_MODES:
            raise ValueError('%s: unknown pool_mode %r; expected one of %s.'
                             % (fn, pool_mode, ', '.join(map(repr, POOL_MODES))))
        return self._pool_nd(fn, x, ordering, pool_size, strides, border_mode, pool_mode)
