"""Layer, the base class of every layer, and InputLayer/Input, where a graph starts.

They share a module because a Layer makes Inputs itself (``create_input_layer``,
``set_input``, a plain backend tensor passed to ``__call__``) and InputLayer is a Layer."""
import numbers
import warnings

from kcore import backend as K
from kcore.engine.topology.input_spec import check_inputs
from kcore.engine.topology.layer_nodes import NodeAccessMixin
from kcore.engine.topology.layer_weights import WeightsMixin
from kcore.engine.topology.node import Node
from kcore.engine.tensors import (call_layer, fresh, is_keras_tensor, normalize_shape, to_list,
                                  unpack)

LAYER_KWARGS = ('input_shape', 'batch_input_shape', 'input_dim', 'input_dtype', 'name',
                'trainable', 'weights', 'create_input_layer')


class Layer(NodeAccessMixin, WeightsMixin):
    """A layer: ``build`` creates the weights, ``call`` computes the output,
    ``get_output_shape_for`` infers its shape and ``compute_mask`` its mask.

    Keyword arguments every layer accepts: input_shape, batch_input_shape, input_dim,
    input_dtype, name, trainable, weights (initial weight values, set after ``build``)
    and create_input_layer.
    """

    input_spec = None
    supports_masking = False
    uses_learning_phase = False
    stateful = False
    initial_weights = None

    def __init__(self, **kwargs):
        unknown = sorted(set(kwargs) - set(LAYER_KWARGS))
        if unknown:
            raise TypeError('%s got unexpected keyword argument%s %s. Keywords every layer '
                            'accepts: %s.' % (type(self).__name__, 's' if len(unknown) > 1 else '',
                                              ', '.join(repr(k) for k in unknown),
                                              ', '.join(LAYER_KWARGS)))
        self._init_layer(kwargs.get('name'), kwargs.get('trainable', True))
        shape = _batch_input_shape(kwargs)
        if shape is not None:
            self.batch_input_shape = shape
            self.input_dtype = kwargs.get('input_dtype') or K.floatx()
        if kwargs.get('weights') is not None:
            self.initial_weights = kwargs['weights']
        if kwargs.get('create_input_layer') and shape is not None:
            self.create_input_layer(shape, self.input_dtype)

    def _init_layer(self, name, trainable=True):
        """The state every layer (and container) starts with."""
        if not name:
            prefix = type(self).__name__.lower()
            name = '%s_%d' % (prefix, K.get_uid(prefix))
        self.name = name
        self.trainable = trainable
        self.inbound_nodes = []
        self.outbound_nodes = []
        self.built = False
        self._init_weight_state()

    def __repr__(self):
        return '<%s %s>' % (type(self).__name__, getattr(self, 'name', '?'))

    # ------------------------------------------------------ methods to override
    def build(self, input_shape=None):
        """Create the weights for inputs of ``input_shape``; must leave ``built`` True."""
        self.built = True

    def call(self, x, mask=None):
        """The layer's computation on the input tensor(s) ``x``."""
        return x

    def get_output_shape_for(self, input_shape):
        """The output shape for ``input_shape``; None means 'ask the backend'."""
        return input_shape

    def compute_mask(self, input, input_mask=None):
        """The output mask; a layer that does not support masking refuses a mask."""
        if not self.supports_masking:
            masks = input_mask if isinstance(input_mask, list) else [input_mask]
            if any(m is not None for m in masks):
                raise TypeError('Layer %s (%s) does not support masking, but was passed an '
                                'input mask. Put it after a layer that consumes the mask (e.g. '
                                'a recurrent layer), or remove the Masking layer or mask_zero.'
                                % (self.name, type(self).__name__))
            return None
        return input_mask

    def get_config(self):
        """The constructor arguments, as a dict without the class name."""
        config = {'name': self.name, 'trainable': self.trainable}
        if hasattr(self, 'batch_input_shape'):
            config['batch_input_shape'] = self.batch_input_shape
        if hasattr(self, 'input_dtype'):
            config['input_dtype'] = self.input_dtype
        return config

    @classmethod
    def from_config(cls, config):
        return cls(**config)

    # ------------------------------------------------------------ connecting
    def __call__(self, x, mask=None):
        """Apply the layer to a tensor or list of tensors: build it if needed, record a
        new inbound node, and return the output tensor(s). Plain backend tensors are
        accepted; they become Input tensors."""
        inputs = list(x) if isinstance(x, (list, tuple)) else [x]
        inputs = [_as_keras_tensor(t) for t in inputs]
        history = [t._keras_history for t in inputs]
        masks = None if mask is None else to_list(mask)
        self.add_inbound_node([h[0] for h in history], [h[1] for h in history],
                              [h[2] for h in history], input_masks=masks)
        return unpack(self.inbound_nodes[-1].output_tensors)

    def add_inbound_node(self, inbound_layers, node_indices=None, tensor_indices=None,
                         input_masks=None):
        """Call the layer on output ``tensor_indices[i]`` of node ``node_indices[i]`` of each
        of ``inbound_layers`` and record the call as a new Node."""
        node_indices = node_indices or [0] * len(inbound_layers)
        tensor_indices = tensor_indices or [0] * len(inbound_layers)
        sources = [_inbound_node(self, layer, index)
                   for layer, index in zip(inbound_layers, node_indices)]
        tensors = [n.output_tensors[t] for n, t in zip(sources, tensor_indices)]
        shapes = [n.output_shapes[t] for n, t in zip(sources, tensor_indices)]
        if input_masks is None:
            input_masks = [n.output_masks[t] for n, t in zip(sources, tensor_indices)]
        elif len(input_masks) != len(tensors):
            raise ValueError('Layer %s was called on %d tensors with %d masks; give one mask '
                             'per tensor.' % (self.name, len(tensors), len(input_masks)))
        outputs, masks, out_shapes = self._apply(tensors, input_masks, shapes)
        Node(self, inbound_layers, node_indices, tensor_indices, tensors, outputs,
             input_masks, masks, shapes, out_shapes, losses=self._call_losses(outputs))

    def _apply(self, tensors, masks, shapes):
        """Build if needed, run call/compute_mask/get_output_shape_for and tag the outputs."""
        self.assert_input_compatibility(tensors)
        x, mask, shape = unpack(tensors), unpack(masks), unpack(shapes)
        if not self.built:
            self._build_once(shape)
            self.assert_input_compatibility(tensors)
        outputs = [fresh(y, tensors) for y in to_list(call_layer(self, x, mask))]
        if not outputs or outputs[0] is None:
            raise ValueError('The call method of layer %s returned %r; it must return a tensor '
                             '(or a list of tensors).' % (self.name, outputs and outputs[0]))
        out_masks = self.compute_mask(x, mask)
        out_masks = [None] * len(outputs) if out_masks is None else to_list(out_masks)
        out_shapes = output_shapes(self, shape, outputs)
        if len(out_masks) != len(outputs):
            raise ValueError('Layer %s: call returned %d tensors but compute_mask returned %d '
                             'masks.' % (self.name, len(outputs), len(out_masks)))
        learning = self.uses_learning_phase or any(
            getattr(t, '_uses_learning_phase', False) for t in tensors)
        for index, (y, y_shape) in enumerate(zip(outputs, out_shapes)):
            y._keras_shape = y_shape
            y._uses_learning_phase = getattr(y, '_uses_learning_phase', False) or learning
            y._keras_history = (self, len(self.inbound_nodes), index)
        return outputs, out_masks, out_shapes

    def _build_once(self, input_shape):
        self.build(input_shape)
        self.built = True
        if self.initial_weights is not None:
            weights, self.initial_weights = self.initial_weights, None
            self.set_weights(weights)

    def assert_input_compatibility(self, input):
        """Raise ValueError naming the layer when ``input`` does not fit its input_spec."""
        check_inputs(self, to_list(input) if not isinstance(input, tuple)
                                else list(input))

    def create_input_layer(self, batch_input_shape, input_dtype=None, name=None):
        """Connect the layer to a new Input of ``batch_input_shape`` (what a Sequential model
        does for its first layer)."""
        if not name:
            prefix = type(self).__name__.lower() + '_input_'
            name = prefix + str(K.get_uid(prefix))
        self.batch_input_shape = tuple(batch_input_shape)
        self.input_dtype = input_dtype or K.floatx()
        self(Input(batch_shape=self.batch_input_shape, dtype=self.input_dtype, name=name))

    def set_input(self, input_tensor, shape=None):
        """Make ``input_tensor`` (a backend tensor, e.g. from TensorFlow) this layer's only
        input: the layer's previous connections are dropped."""
        if len(self.inbound_nodes) > 1:
            raise ValueError('Cannot set_input for layer %s: it has %d inbound connections.'
                             % (self.name, len(self.inbound_nodes)))
        if self.outbound_nodes:
            warnings.warn('set_input on layer %s, which feeds %d other layer(s): they stay '
                          'connected to its old output.' % (self.name, len(self.outbound_nodes)))
        if shape is None:
            shape = getattr(input_tensor, '_keras_shape', None) or getattr(
                self, 'batch_input_shape', None)
        self.inbound_nodes = []
        self.outbound_nodes = []
        if not is_keras_tensor(input_tensor):
            input_tensor = Input(tensor=input_tensor, batch_shape=shape)
        return self(input_tensor)


def output_shapes(layer, input_shape, outputs):
    """``layer.get_output_shape_for(input_shape)`` as a list of tuples, one per output; a
    None shape is read from the backend tensor."""
    shapes = normalize_shape(layer.get_output_shape_for(input_shape))
    shapes = [None] * len(outputs) if shapes is None else to_list(shapes)
    if len(shapes) != len(outputs):
        raise ValueError('Layer %s: call returned %d tensors but get_output_shape_for returned '
                         '%d shapes (%s).' % (layer.name, len(outputs), len(shapes), shapes))
    return [tuple(K.int_shape(y)) if s is None else s for s, y in zip(shapes, outputs)]


def _batch_input_shape(kwargs):
    if kwargs.get('batch_input_shape') is not None:
        return _checked_shape('batch_input_shape', kwargs['batch_input_shape'])
    if kwargs.get('input_shape') is not None:
        return (None,) + _checked_shape('input_shape', kwargs['input_shape'])
    if kwargs.get('input_dim') is not None:
        return (None,) + _checked_shape('input_dim', (kwargs['input_dim'],))
    return None


def _checked_shape(what, shape):
    """``shape`` as a tuple of ints >= 0 or None; a string, a non-sequence or a bad
    dimension is a clear error here instead of in the backend."""
    bad = isinstance(shape, (str, bytes)) or not isinstance(shape, (tuple, list))
    if not bad:
        shape = tuple(shape)
        bad = any(d is not None and (isinstance(d, bool) or not isinstance(d, numbers.Integral)
                                     or d < 0) for d in shape)
    if bad:
        raise ValueError('%s=%r: expected a tuple of integers >= 0 (None for any size), '
                         'e.g. (32, 10) for batch_input_shape or (10,) for input_shape.'
                         % (what, shape))
    return tuple(None if d is None else int(d) for d in shape)


def _as_keras_tensor(x):
    if is_keras_tensor(x):
        return x
    return Input(tensor=x)


def _inbound_node(layer, inbound_layer, node_index):
    nodes = getattr(inbound_layer, 'inbound_nodes', None)
    if nodes is None:
        raise TypeError('Layer %s was asked to connect to %r, which is not a layer.'
                        % (layer.name, inbound_layer))
    if not -len(nodes) <= node_index < len(nodes):
        raise ValueError('Layer %s was asked to connect to node %d of layer %s, which has %d '
                         'inbound node(s).' % (layer.name, node_index, inbound_layer.name,
                                               len(nodes)))
    return nodes[node_index]



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
