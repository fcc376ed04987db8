"""Global pooling: the max or mean over every step (1D), pixel (2D) or voxel (3D) of each
feature, giving (samples, features)."""
from kcore import backend as K
from kcore.engine.topology import InputSpec, Layer
from kcore.layers import base


class _GlobalPooling1D(Layer):
    """(samples, steps, features) -> (samples, features)."""

    def __init__(self, **kwargs):
        super().__init__(**kwargs)
        self.input_spec = [InputSpec(ndim=3)]

    def get_output_shape_for(self, input_shape):
        return (input_shape[0], input_shape[2])


class _GlobalSpatialPooling(Layer):
    """'th' (samples, channels, *spatial) or 'tf' (samples, *spatial, channels) ->
    (samples, channels): the max or the mean (``mode``) over the ``rank`` spatial axes;
    ``dim_ordering='default'`` is the config's image_dim_ordering."""

    rank = mode = None

    def __init__(self, dim_ordering='default', **kwargs):
        super().__init__(**kwargs)
        self.dim_ordering = base.ordering(self, dim_ordering)
        self.input_spec = [InputSpec(ndim=self.rank + 2)]

    def call(self, x, mask=None):
        first = 2 if self.dim_ordering == 'th' else 1
        axes = list(range(first, first + self.rank))
        return K.max(x, axis=axes) if self.mode == 'max' else K.mean(x, axis=axes)

    def get_output_shape_for(self, input_shape):
        channels = input_shape[1] if self.dim_ordering == 'th' else input_shape[-1]
        return (input_shape[0], channels)

    def get_config(self):
        return dict(super().get_config(), dim_ordering=self.dim_ordering)


class GlobalMaxPooling1D(_GlobalPooling1D):
    """The max over the steps of each feature."""

    def call(self, x, mask=None):
        return K.max(x, axis=1)


class GlobalAveragePooling1D(_GlobalPooling1D):
    """The mean over the steps of each feature."""

    def call(self, x, mask=None):
        return K.mean(x, axis=1)


class GlobalMaxPooling2D(_GlobalSpatialPooling):
    """The max over the pixels of each channel."""

    rank, mode = 2, 'max'


class GlobalAveragePooling2D(_GlobalSpatialPooling):
    """The mean over the pixels of each channel."""

    rank, mode = 2, 'mean'


class GlobalMaxPooling3D(_GlobalSpatialPooling):
    """The max over the voxels of each channel."""

    rank, mode = 3, 'max'


class GlobalAveragePooling3D(_GlobalSpatialPooling):
    """The mean over the voxels of each channel."""

    rank, mode = 3, 'mean'
