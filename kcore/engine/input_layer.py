"""InputLayer and Input(): where a model's data comes in."""
from kcore import backend as K
from kcore.engine.base_layer import Layer
from kcore.engine.node import Node
from kcore.engine.tensors import is_keras_tensor


class InputLayer(Layer):
    """A layer with no inbound layers whose output is a placeholder, or ``input_tensor``
    (any backend tensor, e.g. a TensorFlow placeholder)."""

    def __init__(self, input_shape=None, batch_input_shape=None, input_dtype=None,
                 input_tensor=None, sparse=False, name=None):
        if not name:
            name = 'input_%d' % K.get_uid('input')
        self._init_layer(name, trainable=False)
        self.built = True
        self.sparse = sparse
        batch_input_shape = _resolve_shape(name, input_shape, batch_input_shape, input_tensor)
        if input_dtype is None:
            input_dtype = K.dtype(input_tensor) if input_tensor is not None else K.floatx()
        self.batch_input_shape = batch_input_shape
        self.input_dtype = input_dtype
        if input_tensor is None:
            input_tensor = K.placeholder(shape=batch_input_shape, dtype=input_dtype,
                                         sparse=sparse, name=name)
        elif is_keras_tensor(input_tensor):
            layer = input_tensor._keras_history[0]
            raise ValueError('InputLayer %s: the tensor given is already the output of layer %s; '
                             'Input(tensor=...) takes a backend tensor that no kcore layer made.'
                             % (name, layer.name))
        input_tensor._uses_learning_phase = False
        input_tensor._keras_history = (self, 0, 0)
        input_tensor._keras_shape = batch_input_shape
        Node(self, [], [], [], [input_tensor], [input_tensor], [None], [None],
             [batch_input_shape], [batch_input_shape])

    def get_config(self):
        return {'batch_input_shape': self.batch_input_shape,
                'input_dtype': self.input_dtype,
                'sparse': self.sparse,
                'name': self.name}


def _resolve_shape(name, input_shape, batch_input_shape, input_tensor):
    if batch_input_shape is not None:
        shape = tuple(batch_input_shape)
    elif input_shape is not None:
        shape = (None,) + tuple(input_shape)
    elif input_tensor is not None:
        shape = tuple(K.int_shape(input_tensor))
    else:
        raise ValueError('InputLayer %s needs input_shape, batch_input_shape or input_tensor; '
                         'got none of them.' % (name,))
    if input_tensor is not None:
        known = K.int_shape(input_tensor)
        if known is not None and (len(known) != len(shape) or any(
                a is not None and b is not None and a != b for a, b in zip(known, shape))):
            raise ValueError('InputLayer %s: the tensor given has shape %s, which does not match '
                             'the shape asked for, %s.' % (name, tuple(known), shape))
    return shape


def Input(shape=None, batch_shape=None, name=None, dtype=None, tensor=None, sparse=False):
    """A Keras tensor to build a model from: a placeholder of ``shape`` (without the batch
    axis) or ``batch_shape`` (with it), or the backend tensor ``tensor`` made a model input.
    ``dtype`` defaults to the config's floatx (or the tensor's dtype)."""
    if isinstance(shape, int):
        shape = (shape,)
    if batch_shape is None and shape is None and tensor is None:
        raise ValueError('Input() needs shape= (without the batch axis, e.g. shape=(784,)), '
                         'batch_shape= or tensor=; got none of them.')
    if batch_shape is None and shape is not None:
        batch_shape = (None,) + tuple(shape)
    layer = InputLayer(batch_input_shape=batch_shape, name=name, input_dtype=dtype,
                       input_tensor=tensor, sparse=sparse)
    return layer.inbound_nodes[0].output_tensors[0]
