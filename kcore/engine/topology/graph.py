"""The graph of a container: which nodes and layers lie between its inputs and outputs,
in which order to run them, and a walker that runs them on new values."""
from kcore.engine.topology.node import node_key
from kcore.engine.tensors import describe_tensor


class Graph:
    """Nodes and layers of a container, by depth (0 = the outputs' nodes).

    ``layers`` is ordered bottom-up (inputs first) and, within one depth, in the order
    the layers were reached: the order ``get_layer(index=...)`` uses.
    """

    def __init__(self, nodes, depth):
        self.nodes = nodes                      # every node, inputs first
        self.node_ids = {id(n) for n in nodes}
        self.nodes_by_depth = {}
        for node in nodes:
            self.nodes_by_depth.setdefault(depth[id(node)], []).append(node)
        layer_depth, first_seen = {}, {}
        for position, node in enumerate(nodes):
            layer = node.outbound_layer
            first_seen.setdefault(id(layer), (position, layer))
            layer_depth[id(layer)] = max(layer_depth.get(id(layer), 0), depth[id(node)])
        order = sorted(first_seen.values(), key=lambda p: (-layer_depth[id(p[1])], p[0]))
        self.layers = [layer for _, layer in order]
        self.layers_by_depth = {}
        for layer in self.layers:
            self.layers_by_depth.setdefault(layer_depth[id(layer)], []).append(layer)

    def owns(self, node):
        return id(node) in self.node_ids

    def node_keys(self):
        """The Keras 1 keys ('dense_1_ib-0') of the nodes: ``container_nodes``."""
        return {node_key(n.outbound_layer, n.index) for n in self.nodes}


def _parents(node):
    return [layer.inbound_nodes[index]
            for layer, index in zip(node.inbound_layers, node.node_indices)]


def build_graph(inputs, outputs):
    """The Graph from the Keras tensors ``inputs`` to ``outputs``; raise ValueError when an
    output cannot be computed from the inputs."""
    starts = [t._keras_history[0].inbound_nodes[t._keras_history[1]] for t in outputs + inputs]
    order, seen = [], set()
    for start in starts:
        stack = [(start, False)]
        while stack:
            node, expanded = stack.pop()
            if expanded:
                order.append(node)
                continue
            if id(node) in seen:
                continue
            seen.add(id(node))
            stack.append((node, True))
            stack.extend((p, False) for p in reversed(_parents(node)) if id(p) not in seen)
    depth = {id(n): 0 for n in order}
    for node in reversed(order):   # consumers before producers
        for parent in _parents(node):
            depth[id(parent)] = max(depth[id(parent)], depth[id(node)] + 1)
    order.sort(key=lambda n: -depth[id(n)])   # stable: keeps discovery order per depth
    graph = Graph(order, depth)
    _check_connected(graph, inputs)
    return graph


def _check_connected(graph, inputs):
    known = {id(x) for x in inputs}
    done = []
    for depth in sorted(graph.nodes_by_depth, reverse=True):
        for node in graph.nodes_by_depth[depth]:
            for x in node.input_tensors:
                if id(x) not in known:
                    raise ValueError(
                        'Graph disconnected: cannot obtain a value for %s at layer "%s". The '
                        'model inputs are %s; the layers reached without problems were %s.'
                        % (describe_tensor(x), node.outbound_layer.name,
                           ', '.join(describe_tensor(i) for i in inputs),
                           [layer.name for layer in done] or 'none'))
            known.update(id(y) for y in node.output_tensors)
            done.append(node.outbound_layer)


def walk(graph, sources, values, compute):
    """Run the graph on new values: ``values[i]`` stands for the reference tensor
    ``sources[i]``; ``compute(node, input_values)`` returns a node's output values.
    Returns {id(reference tensor): value}."""
    known = {id(x): v for x, v in zip(sources, values)}
    for depth in sorted(graph.nodes_by_depth, reverse=True):
        for node in graph.nodes_by_depth[depth]:
            refs = node.input_tensors
            if all(id(x) in known for x in refs):
                results = compute(node, [known[id(x)] for x in refs])
                for ref, value in zip(node.output_tensors, results):
                    known[id(ref)] = value
    return known
