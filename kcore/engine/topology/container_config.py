"""A functional container's config in the Keras 1.x format, and rebuilding from it.

The config is ``{'name', 'layers', 'input_layers', 'output_layers'}``; each layer entry
is ``{'name', 'class_name', 'config', 'inbound_nodes'}`` where ``inbound_nodes`` lists,
per call of the layer inside the container, ``[layer name, node index, tensor index]``
of each input. Node indices count only the calls inside the container, except that a
nested container's first node is its own (inputs to outputs), as Keras 1 numbers them.
"""
from kcore.engine import serialization
from kcore.engine.topology.container_weights import ContainerWeightsMixin


def _is_container(layer):
    # Every Container has the weights mixin; testing for it spares importing container.py,
    # which imports this module.
    return isinstance(layer, ContainerWeightsMixin)


def _node_numbers(container):
    """{(id(layer), original node index): index in the config}."""
    graph = container._graph
    numbers = {}
    for layer in graph.layers:
        kept = 1 if _is_container(layer) else 0
        for index, node in enumerate(layer.inbound_nodes):
            if graph.owns(node):
                if index == 0 and _is_container(layer):
                    numbers[(id(layer), 0)] = 0
                    continue
                numbers[(id(layer), index)] = kept
                kept += 1
    return numbers


def get_config(container):
    numbers = _node_numbers(container)
    graph = container._graph

    def ref(layer, node_index, tensor_index):
        return [layer.name, numbers[(id(layer), node_index)], tensor_index]

    layers = []
    for layer in graph.layers:
        inbound = [[ref(l, n, t) for l, n, t in zip(node.inbound_layers, node.node_indices,
                                                     node.tensor_indices)]
                   for node in layer.inbound_nodes if graph.owns(node) and node.inbound_layers]
        layers.append({'name': layer.name, 'class_name': type(layer).__name__,
                       'config': layer.get_config(), 'inbound_nodes': inbound})
    return {'name': container.name, 'layers': layers,
            'input_layers': [ref(*h) for h in zip(container.input_layers,
                                                  container.input_layers_node_indices,
                                                  container.input_layers_tensor_indices)],
            'output_layers': [ref(*h) for h in zip(container.output_layers,
                                                   container.output_layers_node_indices,
                                                   container.output_layers_tensor_indices)]}


def from_config(cls, config, custom_objects=None):
    """Rebuild a container of class ``cls`` from ``get_config``'s dict."""
    for key in ('layers', 'input_layers', 'output_layers'):
        if key not in config:
            raise ValueError('%s.from_config: the config has no %r entry; expected the dict of '
                             'model.get_config() (keys name, layers, input_layers, '
                             'output_layers).' % (cls.__name__, key))
    with serialization.custom_object_scope(custom_objects):
        created, pending = {}, []
        for data in config['layers']:
            layer = serialization.deserialize_layer(data)
            if layer.name != data['name'] and _is_container(layer):
                layer.name = data['name']   # a Sequential's config (a list) has no name
            created[data['name']] = layer
            pending.append((layer, list(data.get('inbound_nodes', []))))
        _connect_all(pending, created)
        inputs = [_tensor(created, entry, 'input_layers') for entry in config['input_layers']]
        outputs = [_tensor(created, entry, 'output_layers') for entry in config['output_layers']]
    return cls(input=inputs, output=outputs, name=config.get('name'))


def _connect_all(pending, created):
    """Call each layer on its inbound nodes, in order, as soon as their inputs exist."""
    while any(nodes for _, nodes in pending):
        progress = False
        for layer, nodes in pending:
            while nodes and all(_ready(created, entry) for entry in nodes[0]):
                tensors = [_tensor(created, entry, 'inbound_nodes') for entry in nodes.pop(0)]
                layer(tensors[0] if len(tensors) == 1 else tensors)
                progress = True
        if not progress:
            layer, nodes = next((l, n) for l, n in pending if n)
            raise ValueError('Cannot rebuild the model: layer %s is called on %s, which no layer '
                             'of the config produces.' % (layer.name, nodes[0]))


def _ready(created, entry):
    name, node_index = entry[0], entry[1]
    return name in created and len(created[name].inbound_nodes) > node_index


def _tensor(created, entry, where):
    name, node_index, tensor_index = entry[:3]
    if name not in created:
        raise ValueError('The model config names layer %r in %s, but has no such layer; its '
                         'layers are %s.' % (name, where, sorted(created)))
    layer = created[name]
    if node_index >= len(layer.inbound_nodes):
        raise ValueError('The model config refers to node %d of layer %r (in %s), which has '
                         'only %d.' % (node_index, name, where, len(layer.inbound_nodes)))
    return layer.inbound_nodes[node_index].output_tensors[tensor_index]
