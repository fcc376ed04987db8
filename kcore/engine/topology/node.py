"""Node: one call of a layer on inputs, linking the layers it reads to the layer it feeds."""
from kcore.engine.tensors import is_keras_tensor


class Node:
    """A connection made by calling ``outbound_layer`` on the outputs of
    ``inbound_layers`` (node ``node_indices[i]``, tensor ``tensor_indices[i]`` of each).

    A node without inbound layers is a source: an Input, or a model's own node linking
    its inputs to its outputs. Creating a node registers it with the layers it links.
    ``losses`` holds the penalties (activity regularization) computed for this call.
    """

    def __init__(self, outbound_layer, inbound_layers, node_indices, tensor_indices,
                 input_tensors, output_tensors, input_masks, output_masks,
                 input_shapes, output_shapes, losses=None):
        self.outbound_layer = outbound_layer
        self.inbound_layers = list(inbound_layers)
        self.node_indices = list(node_indices)
        self.tensor_indices = list(tensor_indices)
        self.input_tensors = list(input_tensors)
        self.output_tensors = list(output_tensors)
        self.input_masks = list(input_masks)
        self.output_masks = list(output_masks)
        self.input_shapes = list(input_shapes)
        self.output_shapes = list(output_shapes)
        self.losses = list(losses or [])
        for layer in self.inbound_layers:
            layer.outbound_nodes.append(self)
        outbound_layer.inbound_nodes.append(self)

    @property
    def index(self):
        """This node's index among its outbound layer's inbound nodes."""
        return next(i for i, n in enumerate(self.outbound_layer.inbound_nodes) if n is self)

    def get_config(self):
        return {'outbound_layer': self.outbound_layer.name,
                'inbound_layers': [layer.name for layer in self.inbound_layers],
                'node_indices': self.node_indices,
                'tensor_indices': self.tensor_indices}

    def __repr__(self):
        return '<Node %s[%d] <- %s>' % (
            self.outbound_layer.name, self.index,
            ', '.join('%s[%d][%d]' % (l.name, n, t) for l, n, t in
                      zip(self.inbound_layers, self.node_indices, self.tensor_indices)))


def node_key(layer, node_index):
    """The key Keras 1 uses for a node in a container ('dense_1_ib-0')."""
    return '%s_ib-%d' % (layer.name, node_index)


def get_source_inputs(tensor, layer=None, node_index=None):
    """The source tensors (Input tensors) that ``tensor`` is computed from, in order,
    without repeats."""
    if not is_keras_tensor(tensor):
        raise ValueError('get_source_inputs expects a Keras tensor (the output of a kcore '
                         'layer or Input); got %r.' % (tensor,))
    if layer is None:
        layer, node_index, _ = tensor._keras_history
    if not layer.inbound_nodes:
        return [tensor]
    node = layer.inbound_nodes[node_index]
    if not node.inbound_layers:
        return list(node.input_tensors)
    sources = []
    for x, inbound, index in zip(node.input_tensors, node.inbound_layers, node.node_indices):
        for source in get_source_inputs(x, inbound, index):
            if not any(source is s for s in sources):
                sources.append(source)
    return sources
