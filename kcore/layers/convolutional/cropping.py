"""Cropping1D, Cropping2D, Cropping3D: drop elements at both ends of the spatial axes."""
from kcore.layers import base
from kcore.layers.convolutional._spatial import _SpatialLayer


class _Cropping(_SpatialLayer):
    """Crops ``cropping[i] = (start, end)`` elements off spatial axis i.

    ``cropping`` may also be one int (every end) or one int per axis (both ends).
    Decision: Cropping2D/3D follow dim_ordering, 'th' (samples,
    channels, axes...) or 'tf' (samples, axes..., channels), although the doc writes only
    'th' shapes.
    """

    def __init__(self, cropping, dim_ordering='default', **kwargs):
        self._pairs = base.side_pairs(self, 'cropping', cropping, self.rank)
        self.cropping = self._pairs[0] if self.rank == 1 else self._pairs
        super().__init__(dim_ordering, **kwargs)

    def _length(self, i, length, input_shape):
        start, end = self._pairs[i]
        if length - start - end < 1:
            raise ValueError('Layer %s: cropping %s leaves nothing of axis %d of its input '
                             '(shape %s); each cropped axis needs more elements than it '
                             'crops.' % (self.name, self.cropping, self._axes()[i],
                                         tuple(input_shape)))
        return length - start - end

    def call(self, x, mask=None):
        index = [slice(None)] * (self.rank + 2)
        for (start, end), axis in zip(self._pairs, self._axes()):
            index[axis] = slice(start, -end if end else None)
        return x[tuple(index)]

    def get_config(self):
        return dict(super().get_config(), cropping=self.cropping)


class Cropping1D(_Cropping):
    """(samples, steps, features) -> (samples, steps - start - end, features)."""

    rank = 1

    def __init__(self, cropping=(1, 1), **kwargs):
        super().__init__(cropping, **kwargs)


class Cropping2D(_Cropping):
    """Crops rows and columns: cropping ((top, bottom), (left, right))."""

    def __init__(self, cropping=((0, 0), (0, 0)), dim_ordering='default', **kwargs):
        super().__init__(cropping, dim_ordering, **kwargs)


class Cropping3D(_Cropping):
    """Crops the three spatial axes of volumes: cropping ((start, end),) * 3."""

    rank = 3

    def __init__(self, cropping=((1, 1), (1, 1), (1, 1)), dim_ordering='default', **kwargs):
        super().__init__(cropping, dim_ordering, **kwargs)
