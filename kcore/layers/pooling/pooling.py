"""Max and average pooling over 1, 2 or 3 spatial axes (``keras.layers.pooling``; the doc
also lists them under ``keras.layers.convolutional``).

Both border modes and the 3D layers work on every backend (Keras 1.1.2 had 'same' on
TensorFlow only and 3D pooling on Theano only): the layers only call ``K.pool2d`` and
``K.pool3d``. With 'same', the padding goes as TensorFlow's (the odd pixel at the end)
and an average counts only the pixels inside the input.
"""
from kcore import backend as K
from kcore.engine.topology import InputSpec, Layer
from kcore.layers import base


class _Pooling1D(Layer):
    """Pooling over the steps of (samples, steps, features)."""

    pool_mode = None

    def __init__(self, pool_length=2, stride=None, border_mode='valid', **kwargs):
        super().__init__(**kwargs)
        self.pool_length = base.positive_int(self, 'pool_length', pool_length)
        self.stride = self.pool_length if stride is None else \
            base.positive_int(self, 'stride', stride)
        self.border_mode = base.border_mode(self, border_mode)
        self.input_spec = [InputSpec(ndim=3)]

    def get_output_shape_for(self, input_shape):
        steps, = base.output_lengths(self, input_shape, input_shape[1:2], (self.pool_length,),
                                self.border_mode, (self.stride,), 'pool_length')
        return (input_shape[0], steps, input_shape[2])

    def call(self, x, mask=None):
        self.get_output_shape_for(K.int_shape(x))   # a clear error for too short inputs
        # (samples, steps, 1, features) pooled as a 'tf' image, then the dummy axis dropped
        y = K.pool2d(K.expand_dims(x, 2), (self.pool_length, 1), strides=(self.stride, 1),
                     border_mode=self.border_mode, dim_ordering='tf', pool_mode=self.pool_mode)
        return K.squeeze(y, 2)

    def get_config(self):
        return dict(super().get_config(), pool_length=self.pool_length, stride=self.stride,
                    border_mode=self.border_mode)


class _PoolingND(Layer):
    """Pooling over the ``rank`` spatial axes of 'th' (samples, channels, *spatial) or
    'tf' (samples, *spatial, channels) inputs.

    Decision: the signatures print dim_ordering='th' but the text says the
    default is the config's image_dim_ordering; ``'default'`` (the config's) is the default.
    """

    rank = None
    pool_mode = None

    def __init__(self, pool_size=None, strides=None, border_mode='valid', dim_ordering='default',
                 **kwargs):
        super().__init__(**kwargs)
        pool_size = (2,) * self.rank if pool_size is None else pool_size
        self.pool_size = base.positive_ints(self, 'pool_size', pool_size, self.rank)
        self.strides = self.pool_size if strides is None else \
            base.positive_ints(self, 'strides', strides, self.rank)
        self.border_mode = base.border_mode(self, border_mode)
        self.dim_ordering = base.ordering(self, dim_ordering)
        self.input_spec = [InputSpec(ndim=self.rank + 2)]

    def _spatial(self, shape):
        return tuple(shape[2:]) if self.dim_ordering == 'th' else tuple(shape[1:-1])

    def get_output_shape_for(self, input_shape):
        pooled = base.output_lengths(self, input_shape, self._spatial(input_shape), self.pool_size,
                                self.border_mode, self.strides, 'pool_size')
        if self.dim_ordering == 'th':
            return tuple(input_shape[:2]) + pooled
        return (input_shape[0],) + pooled + (input_shape[-1],)

    def call(self, x, mask=None):
        self.get_output_shape_for(K.int_shape(x))   # a clear error for too small inputs
        pool = K.pool2d if self.rank == 2 else K.pool3d
        return pool(x, self.pool_size, strides=self.strides, border_mode=self.border_mode,
                    dim_ordering=self.dim_ordering, pool_mode=self.pool_mode)

    def get_config(self):
        return dict(super().get_config(), pool_size=self.pool_size, strides=self.strides,
                    border_mode=self.border_mode, dim_ordering=self.dim_ordering)


class MaxPooling1D(_Pooling1D):
    """Max over windows of ``pool_length`` steps, every ``stride`` steps (default
    ``pool_length``): (samples, steps, features) -> (samples, downsampled_steps, features)."""

    pool_mode = 'max'


class AveragePooling1D(_Pooling1D):
    """Mean over windows of ``pool_length`` steps, every ``stride`` steps (default
    ``pool_length``)."""

    pool_mode = 'avg'


class MaxPooling2D(_PoolingND):
    """Max over ``pool_size`` (rows, cols) windows every ``strides`` (default
    ``pool_size``) pixels."""

    rank = 2
    pool_mode = 'max'


class AveragePooling2D(_PoolingND):
    """Mean over ``pool_size`` (rows, cols) windows every ``strides`` pixels."""

    rank = 2
    pool_mode = 'avg'


class MaxPooling3D(_PoolingND):
    """Max over ``pool_size`` (dim1, dim2, dim3) windows every ``strides`` voxels."""

    rank = 3
    pool_mode = 'max'


class AveragePooling3D(_PoolingND):
    """Mean over ``pool_size`` (dim1, dim2, dim3) windows every ``strides`` voxels."""

    rank = 3
    pool_mode = 'avg'
