"""Dropout layers: active in the training phase only (``K.in_train_phase``)."""
import numbers

from kcore import backend as K
from kcore.engine.topology import InputSpec, Layer


class Dropout(Layer):
    """Set a random fraction ``p`` of the input units to 0 at each training update
    (the others are scaled by 1 / (1 - p)); the identity at test time."""

    def __init__(self, p, **kwargs):
        super().__init__(**kwargs)
        if isinstance(p, bool) or not isinstance(p, numbers.Real) or not 0. <= p < 1.:
            raise ValueError('%s: p (the fraction of units to drop) must be a number in [0, 1); '
                             'got %r.' % (type(self).__name__, p))
        self.p = p
        self.supports_masking = True
        self.uses_learning_phase = 0. < p < 1.

    def _noise_shape(self, x):
        return None

    def call(self, x, mask=None):
        if not 0. < self.p < 1.:
            return x
        # A callable: the mask is drawn inside the training branch only, so that predict
        # and evaluate do not pay for random numbers they throw away.
        return K.in_train_phase(lambda: K.dropout(x, self.p, self._noise_shape(x)), x)

    def get_output_shape_for(self, input_shape):
        return input_shape

    def get_config(self):
        return dict(super().get_config(), p=self.p)


class SpatialDropout1D(Dropout):
    """Drop whole 1D feature maps (channels) of (samples, timesteps, channels)."""

    def __init__(self, p, **kwargs):
        super().__init__(p, **kwargs)
        self.input_spec = [InputSpec(ndim=3)]

    def _noise_shape(self, x):
        shape = K.shape(x)
        return (shape[0], 1, shape[2])


class _SpatialDropoutND(Dropout):
    """Drop whole feature maps of images ('th': channels first, 'tf': channels last)."""

    rank = None

    def __init__(self, p, dim_ordering='default', **kwargs):
        super().__init__(p, **kwargs)
        # 'default' means the config's image_dim_ordering ('tf' if never set).
        self.dim_ordering = K.normalize_dim_ordering(dim_ordering)
        self.input_spec = [InputSpec(ndim=self.rank + 2)]

    def _noise_shape(self, x):
        shape = K.shape(x)
        ones = (1,) * self.rank
        if self.dim_ordering == 'th':
            return (shape[0], shape[1]) + ones
        return (shape[0],) + ones + (shape[self.rank + 1],)

    def get_config(self):
        return dict(super().get_config(), dim_ordering=self.dim_ordering)


class SpatialDropout2D(_SpatialDropoutND):
    """Drop whole 2D feature maps: 'th' (samples, channels, rows, cols), 'tf' (samples,
    rows, cols, channels)."""

    rank = 2


class SpatialDropout3D(_SpatialDropoutND):
    """Drop whole 3D feature maps: 'th' (samples, channels, d1, d2, d3), 'tf' (samples,
    d1, d2, d3, channels)."""

    rank = 3
