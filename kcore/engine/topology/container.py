"""Container: a graph of layers from input tensors to output tensors, usable as a layer."""
from kcore.engine.topology import container_config
from kcore.engine.topology import graph as graph_module
from kcore.engine.topology.layer import Input, Layer, output_shapes
from kcore.engine.topology.container_io import ContainerIOMixin
from kcore.engine.topology.container_weights import ContainerWeightsMixin
from kcore.engine.topology.input_spec import InputSpec
from kcore.engine.topology.node import Node
from kcore.engine.tensors import (call_layer, describe_tensor, is_keras_tensor,
                                  normalize_shape, same_tensors, shape_of, to_list, unpack)


class Container(ContainerWeightsMixin, ContainerIOMixin, Layer):
    """The layers between ``input`` and ``output`` (Keras tensors, or lists of them).

    Calling a container on new tensors runs its layers on them, with the same weights.
    ``layers`` is in bottom-up order; ``get_layer(name=..., index=...)`` finds one.
    """

    def __init__(self, input, output, name=None):
        self._init_layer(name)
        inputs = [_as_input(self, i, x) for i, x in enumerate(to_list(input))]
        outputs = to_list(output)
        self._init_graph(inputs, outputs)
        self.layers = self._graph.layers
        Node(self, [], [], [], self.inputs, self.outputs, [None] * len(self.inputs),
             self.output_masks, self.internal_input_shapes, self.internal_output_shapes)

    def _init_graph(self, inputs, outputs):
        """Compute everything the container knows of its graph."""
        for index, x in enumerate(outputs):
            if not is_keras_tensor(x):
                raise ValueError('Output %d of model %s is not the output of a kcore layer: got '
                                 '%r. Build outputs by calling layers on Input tensors.'
                                 % (index, self.name, x))
        self.inputs, self.outputs = list(inputs), list(outputs)
        self.input_layers = [x._keras_history[0] for x in inputs]
        self.input_layers_node_indices = [x._keras_history[1] for x in inputs]
        self.input_layers_tensor_indices = [x._keras_history[2] for x in inputs]
        self.output_layers = [x._keras_history[0] for x in outputs]
        self.output_layers_node_indices = [x._keras_history[1] for x in outputs]
        self.output_layers_tensor_indices = [x._keras_history[2] for x in outputs]
        self._graph = graph_module.build_graph(self.inputs, self.outputs)
        _check_unique_names(self, self._graph.layers)
        self.container_nodes = self._graph.node_keys()
        self.nodes_by_depth = self._graph.nodes_by_depth
        self.layers_by_depth = self._graph.layers_by_depth
        self.input_names = [layer.name for layer in self.input_layers]
        self.output_names = [layer.name for layer in self.output_layers]
        self.internal_input_shapes = [shape_of(x) for x in self.inputs]
        self.internal_output_shapes = [shape_of(x) for x in self.outputs]
        self.output_masks = [layer.inbound_nodes[n].output_masks[t] for layer, n, t in zip(
            self.output_layers, self.output_layers_node_indices,
            self.output_layers_tensor_indices)]
        self._run_cache = []
        self._pending_losses = []
        self.built = True

    # ------------------------------------------------------------- look-ups
    def get_layer(self, name=None, index=None):
        """The layer called ``name``, or at ``index`` in ``layers`` (bottom-up order)."""
        if index is not None:
            if not -len(self.layers) <= index < len(self.layers):
                raise ValueError('Model %s was asked for the layer at index %d, but it has only '
                                 '%d layers.' % (self.name, index, len(self.layers)))
            return self.layers[index]
        if name is None:
            raise ValueError('get_layer needs a name or an index.')
        for layer in self.layers:
            if layer.name == name:
                return layer
        raise ValueError('Model %s has no layer named %r; its layers are %s.'
                         % (self.name, name, [layer.name for layer in self.layers]))

    def _weight_layers(self):
        """The layers whose weights make up the container's, in order."""
        return self.layers

    @property
    def input_spec(self):
        return [InputSpec(shape=(None,) + tuple(s[1:])) for s in self.internal_input_shapes]

    @property
    def uses_learning_phase(self):
        return any(getattr(x, '_uses_learning_phase', False) for x in self.outputs)

    @property
    def stateful(self):
        return any(getattr(layer, 'stateful', False) for layer in self._weight_layers())

    def reset_states(self):
        for layer in self._weight_layers():
            if getattr(layer, 'stateful', False):
                layer.reset_states()

    # ------------------------------------------------------ running the graph
    def call(self, input, mask=None):
        outputs, _, _ = self._run(to_list(input), to_list(mask))
        return unpack(outputs)

    def compute_mask(self, input, mask=None):
        _, masks, _ = self._run(to_list(input), to_list(mask))
        return unpack(masks)

    def _call_losses(self, outputs):
        losses, self._pending_losses = self._pending_losses, []
        return losses

    def get_output_shape_for(self, input_shape):
        shapes = [tuple(s) for s in to_list(normalize_shape(input_shape))]
        known = graph_module.walk(self._graph, self.inputs, shapes, _shape_step)
        return unpack([known[id(x)] for x in self.outputs])

    def run_internal_graph(self, inputs, masks=None):
        """Compute the outputs for new input tensors: (outputs, masks, shapes)."""
        return self._run(list(inputs), to_list(masks))

    def _run(self, inputs, masks):
        if len(masks) == 1 and masks[0] is None:
            masks = [None] * len(inputs)
        for ins, ms, result in self._run_cache:
            if same_tensors(ins, inputs) and same_tensors(ms, masks):
                self._pending_losses = list(result[3])
                return result[:3]
        losses = []
        known = graph_module.walk(
            self._graph, self.inputs, list(zip(inputs, masks)),
            lambda node, values: self._tensor_step(node, values, inputs, losses))
        try:
            pairs = [known[id(x)] for x in self.outputs]
        except KeyError:
            raise ValueError('Model %s could not compute its outputs from %s.'
                             % (self.name, ', '.join(map(describe_tensor, inputs)))) from None
        outputs = [p[0] for p in pairs]
        result = (outputs, [p[1] for p in pairs], [shape_of(y) for y in outputs], losses)
        self._run_cache.append((inputs, masks, result))
        self._pending_losses = list(losses)
        return result[:3]

    def _tensor_step(self, node, values, inputs, losses):
        layer = node.outbound_layer
        if not node.inbound_layers and not isinstance(layer, Container):
            return values    # an Input: its value is given
        tensors, masks = [v[0] for v in values], [v[1] for v in values]
        x, mask = unpack(tensors), unpack(masks)
        outputs = to_list(call_layer(layer, x, mask))
        out_masks = layer.compute_mask(x, mask)
        out_masks = [None] * len(outputs) if out_masks is None else to_list(out_masks)
        shapes = output_shapes(layer, unpack([shape_of(t) for t in tensors]), outputs)
        learning = layer.uses_learning_phase or any(
            getattr(t, '_uses_learning_phase', False) for t in tensors)
        for y, shape in zip(outputs, shapes):
            if not is_keras_tensor(y):
                y._keras_shape = shape
                y._uses_learning_phase = getattr(y, '_uses_learning_phase', False) or learning
        losses.extend(layer._call_losses(outputs))
        updates = layer.get_updates_for(tensors)
        if updates:   # e.g. moving averages computed for these inputs
            self.add_update(updates, inputs=inputs)
        return list(zip(outputs, out_masks))

    # --------------------------------------------------------------- config
    def get_config(self):
        return container_config.get_config(self)

    @classmethod
    def from_config(cls, config, custom_objects=None):
        return container_config.from_config(cls, config, custom_objects)


def _shape_step(node, shapes):
    layer = node.outbound_layer
    if not node.inbound_layers and not isinstance(layer, Container):
        return shapes
    shapes = normalize_shape(layer.get_output_shape_for(unpack(shapes)))
    if shapes is None:   # the backend would have to tell: use the shapes recorded at build
        return node.output_shapes
    return to_list(shapes)


def _as_input(container, index, x):
    """``x`` as a model input: an Input tensor; a plain backend tensor becomes one. The
    output of another layer is refused, as Keras 1.1.2 refuses it."""
    if not is_keras_tensor(x):
        return Input(tensor=x)
    layer, node_index, _ = x._keras_history
    if layer.inbound_nodes[node_index].inbound_layers:
        raise ValueError('Input %d of model %s is %s, the output of layer %s (%s), but model '
                         'inputs must be Input tensors, made by Input() or an InputLayer. Pass '
                         'the Input tensor(s) that layer %s was built from, or start the model '
                         'from a new Input(shape=%s).' % (
                             index, container.name, describe_tensor(x), layer.name,
                             type(layer).__name__, layer.name, tuple(shape_of(x)[1:])))
    return x


def _check_unique_names(container, layers):
    names = [layer.name for layer in layers]
    for name in names:
        if names.count(name) > 1:
            raise ValueError('The name "%s" is used %d times in model %s. All layer names '
                             'should be unique.' % (name, names.count(name), container.name))

