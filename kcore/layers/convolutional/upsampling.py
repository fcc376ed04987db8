"""UpSampling1D, UpSampling2D, UpSampling3D: repeat each element along the spatial axes."""
from kcore import backend as K
from kcore.layers import base
from kcore.layers.convolutional._spatial import _SpatialLayer


class _UpSampling(_SpatialLayer):
    """Repeats every element ``factors[i]`` times along spatial axis i."""

    def __init__(self, factors, dim_ordering='default', **kwargs):
        self._factors = base.positive_ints(self, self._key, factors, self.rank)
        super().__init__(dim_ordering, **kwargs)

    def _length(self, i, length, input_shape):
        return length * self._factors[i]


class UpSampling1D(_UpSampling):
    """(samples, steps, features) -> (samples, steps * length, features)."""

    rank = 1
    _key = 'length'

    def __init__(self, length=2, **kwargs):
        super().__init__(length, **kwargs)
        self.length = self._factors[0]

    def call(self, x, mask=None):
        return K.repeat_elements(x, self.length, axis=1)

    def get_config(self):
        return dict(super().get_config(), length=self.length)


class UpSampling2D(_UpSampling):
    """Repeats rows size[0] times and columns size[1] times."""

    _key = 'size'

    def __init__(self, size=(2, 2), dim_ordering='default', **kwargs):
        super().__init__(size, dim_ordering, **kwargs)
        self.size = self._factors

    def call(self, x, mask=None):
        return K.resize_images(x, self.size[0], self.size[1], self.dim_ordering)

    def get_config(self):
        return dict(super().get_config(), size=self.size)


class UpSampling3D(_UpSampling):
    """Repeats the three spatial axes size[0], size[1], size[2] times. (Keras 1.1.2 had it
    on Theano only; kcore runs it on any backend.)"""

    rank = 3
    _key = 'size'

    def __init__(self, size=(2, 2, 2), dim_ordering='default', **kwargs):
        super().__init__(size, dim_ordering, **kwargs)
        self.size = self._factors

    def call(self, x, mask=None):
        return K.resize_volumes(x, self.size[0], self.size[1], self.size[2], self.dim_ordering)

    def get_config(self):
        return dict(super().get_config(), size=self.size)
