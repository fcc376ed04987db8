"""Merge and merge(): combine several tensors into one (``keras.engine.topology.Merge``)."""
from kcore.engine import serialization
from kcore.engine.topology import merge_modes
from kcore.engine.topology.layer import Layer
from kcore.engine.tensors import is_keras_tensor, normalize_shape, shape_of


class Merge(Layer):
    """Merge a list of tensors (or the outputs of a list of layers or models) into one.

    ``mode``: 'sum' (default), 'mul', 'concat' (along ``concat_axis``), 'ave', 'max',
    'cos' (cosine proximity of two 2D tensors), 'dot' (contracting ``dot_axes``, counted
    with the batch axis as 0), or a function of the list of tensors (then
    ``output_shape``, a tuple without the batch axis or a function of the list of input
    shapes, gives the shape; without it the backend's static shape is used).
    ``dot_axis`` (the Sequential guide's spelling) is accepted for ``dot_axes``.

    'cos' takes two 2D tensors, as the doc says, and returns (samples, 1), the shape Keras
    1.1.2 declared (its tensor had an extra axis).
    """

    def __init__(self, layers=None, mode='sum', concat_axis=-1, dot_axes=-1, output_shape=None,
                 output_mask=None, arguments=None, node_indices=None, tensor_indices=None,
                 name=None, dot_axis=None):
        if dot_axis is not None:
            if dot_axes != -1 and dot_axes != dot_axis:
                raise ValueError('Merge got dot_axes=%r and dot_axis=%r; dot_axis is another '
                                 'name for dot_axes: give one of them.' % (dot_axes, dot_axis))
            dot_axes = dot_axis
        self._init_layer(name)
        merge_modes.check_mode(self.name, mode)
        self.mode = mode
        self.concat_axis = concat_axis
        self.dot_axes = list(dot_axes) if isinstance(dot_axes, (list, tuple)) else dot_axes
        self._output_shape = output_shape if callable(output_shape) else \
            normalize_shape(output_shape)
        self._output_mask = output_mask
        self.arguments = arguments or {}
        self.supports_masking = True
        self.layers = None
        self.built = True
        if layers:
            self._connect(list(layers), node_indices, tensor_indices)

    def _connect(self, layers, node_indices, tensor_indices):
        if all(is_keras_tensor(x) for x in layers):
            self(layers)
            return
        if any(is_keras_tensor(x) for x in layers) or not all(
                hasattr(x, 'inbound_nodes') for x in layers):
            raise TypeError('Merge %s: `layers` must be all Keras tensors or all layers/models; '
                            'got %r.' % (self.name, layers))
        self.layers = layers
        self.add_inbound_node(layers, node_indices or [0] * len(layers),
                              tensor_indices or [0] * len(layers))

    def assert_input_compatibility(self, input):
        items = list(input) if isinstance(input, (list, tuple)) else [input]
        if len(items) < 2:
            raise ValueError('Merge %s must be called on a list of at least 2 tensors; got %d '
                             '(of shape %s).' % (self.name, len(items),
                                                 ', '.join(str(shape_of(x)) for x in items)))
        if not callable(self.mode):
            merge_modes.check_shapes(self, [shape_of(x) for x in items])

    def call(self, inputs, mask=None):
        if callable(self.mode):
            return self.mode(inputs, **self.arguments)
        return merge_modes.compute(self, inputs)

    def get_output_shape_for(self, input_shape):
        if callable(self._output_shape):
            return normalize_shape(self._output_shape(input_shape))
        if self._output_shape is not None:
            return (input_shape[0][0],) + tuple(self._output_shape)
        if callable(self.mode):
            return None   # the backend's static shape of the result
        return merge_modes.output_shape(self, input_shape)

    def compute_mask(self, inputs, mask=None):
        if callable(self._output_mask):
            return self._output_mask(mask)
        if self._output_mask is not None or callable(self.mode):
            return self._output_mask
        return merge_modes.output_mask(self, inputs, mask)

    def get_config(self):
        mode, mode_type = serialization.serialize_function(self.mode)
        shape, shape_type = serialization.serialize_function(self._output_shape)
        mask, mask_type = serialization.serialize_function(self._output_mask)
        return {'name': self.name, 'mode': mode, 'mode_type': mode_type,
                'concat_axis': self.concat_axis, 'dot_axes': self.dot_axes,
                'output_shape': shape, 'output_shape_type': shape_type,
                'output_mask': mask, 'output_mask_type': mask_type,
                'arguments': self.arguments}

    @classmethod
    def from_config(cls, config):
        config = dict(config)
        name = config.get('name')
        for key in ('mode', 'output_shape', 'output_mask'):
            kind = config.pop(key + '_type', None)
            owner = 'The %s of Merge layer %r' % (key, name)
            config[key] = serialization.deserialize_function(config.get(key), kind, owner)
        if config.get('layers'):
            config['layers'] = [serialization.deserialize_layer(x) if isinstance(x, dict) else x
                                for x in config['layers']]
        return cls(**config)


def merge(inputs, mode='sum', concat_axis=-1, dot_axes=-1, output_shape=None, output_mask=None,
          arguments=None, node_indices=None, tensor_indices=None, name=None):
    """The functional form of Merge: merge the list of tensors ``inputs`` and return the
    merged tensor."""
    layer = Merge(mode=mode, concat_axis=concat_axis, dot_axes=dot_axes,
                  output_shape=output_shape, output_mask=output_mask, arguments=arguments,
                  node_indices=node_indices, tensor_indices=tensor_indices, name=name)
    return layer(inputs)
