"""The base of the weightless layers that reshape the spatial axes of sequences,
images and volumes (cropping, upsampling, zero padding)."""
from kcore.engine.topology import InputSpec, Layer
from kcore.layers import base

AXIS_NAMES = {1: ('steps',), 2: ('rows', 'cols'), 3: ('dim1', 'dim2', 'dim3')}


class _SpatialLayer(Layer):
    """Acts on the ``rank`` spatial axes; 2D and 3D layers take a dim_ordering ('default':
    the config's image_dim_ordering), 1D inputs are (samples, steps, features)."""

    rank = 2

    def __init__(self, dim_ordering='default', **kwargs):
        if self.rank > 1:
            self.dim_ordering = base.ordering(self, dim_ordering)
        super().__init__(**kwargs)

    def _ordering(self):
        return getattr(self, 'dim_ordering', 'tf')

    def _axes(self):
        return base.spatial_axes(self._ordering(), self.rank)

    def _check(self, input_shape):
        base.check_input_shape(self, input_shape, self._ordering(), AXIS_NAMES[self.rank],
                                'features' if self.rank == 1 else 'channels')

    def build(self, input_shape):
        self._check(input_shape)
        self.input_spec = [InputSpec(ndim=self.rank + 2)]
        self.built = True

    def get_output_shape_for(self, input_shape):
        self._check(input_shape)
        shape = list(input_shape)
        for i, axis in enumerate(self._axes()):
            if shape[axis] is not None:
                shape[axis] = self._length(i, shape[axis], input_shape)
        return tuple(shape)

    def _length(self, i, length, input_shape):
        """The output size of spatial axis ``i`` (of size ``length``, known)."""
        raise NotImplementedError

    def get_config(self):
        config = super().get_config()
        if self.rank > 1:
            config['dim_ordering'] = self.dim_ordering
        return config
