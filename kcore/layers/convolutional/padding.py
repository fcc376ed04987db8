"""ZeroPadding1D, ZeroPadding2D, ZeroPadding3D: add zeros at both ends of the spatial
axes."""
from kcore import backend as K
from kcore.layers import base
from kcore.layers.convolutional._spatial import _SpatialLayer


class _ZeroPadding(_SpatialLayer):
    """Pads spatial axis i with ``pairs[i] = (start, end)`` zeros."""

    asymmetric = True   # whether the two ends of an axis may get different amounts

    def __init__(self, padding, dim_ordering='default', **kwargs):
        self._pairs = base.side_pairs(self, 'padding', padding, self.rank)
        symmetric = all(a == b for a, b in self._pairs)
        if not (symmetric or self.asymmetric):
            raise ValueError('%s: padding must pad both ends of an axis equally (an int or '
                             '%d ints); got %r.' % (base.who(self), self.rank, padding))
        if symmetric:
            padding = tuple(a for a, _ in self._pairs)
            self.padding = padding[0] if self.rank == 1 else padding
        else:
            self.padding = self._pairs[0] if self.rank == 1 else self._pairs
        super().__init__(dim_ordering, **kwargs)

    def _length(self, i, length, input_shape):
        return length + sum(self._pairs[i])

    def get_config(self):
        return dict(super().get_config(), padding=self.padding)


class ZeroPadding1D(_ZeroPadding):
    """(samples, steps, features) -> (samples, steps + 2 padding, features); ``padding``
    may also be a (start, end) pair."""

    rank = 1

    def __init__(self, padding=1, **kwargs):
        super().__init__(padding, **kwargs)

    def call(self, x, mask=None):
        (start, end), = self._pairs
        return K.asymmetric_temporal_padding(x, start, end)


class ZeroPadding2D(_ZeroPadding):
    """Pads rows with padding[0] and columns with padding[1] zeros at each end;
    ``padding`` may also be ((top, bottom), (left, right)).

    Decision: the padded axes are the rows and columns, axes 2 and
    3 in 'th' and 1 and 2 in 'tf' (the doc's 3, 4 and 2, 3 count from one).
    """

    def __init__(self, padding=(1, 1), dim_ordering='default', **kwargs):
        super().__init__(padding, dim_ordering, **kwargs)

    def call(self, x, mask=None):
        (top, bottom), (left, right) = self._pairs
        return K.asymmetric_spatial_2d_padding(x, top, bottom, left, right, self.dim_ordering)


class ZeroPadding3D(_ZeroPadding):
    """Pads the three spatial axes of volumes with padding[i] zeros at each end. (Keras
    1.1.2 had it on Theano only; kcore runs it on any backend.)"""

    rank = 3
    asymmetric = False   # the backend's spatial_3d_padding pads both ends equally

    def __init__(self, padding=(1, 1, 1), dim_ordering='default', **kwargs):
        super().__init__(padding, dim_ordering, **kwargs)

    def call(self, x, mask=None):
        return K.spatial_3d_padding(x, self.padding, self.dim_ordering)
