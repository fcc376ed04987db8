"""Drawing a model's graph with graphviz (``keras.utils.visualize_util``).

``model_to_dot(model)`` returns a ``pydot.Dot`` with one node per layer and one edge per
connection; ``plot(model, to_file='model.png')`` writes it in the format of the file's
extension. They need pydot (``pip install pydot``, or pydot-ng as Keras 1 used) and, to
draw, graphviz's ``dot`` program (``apt-get install graphviz`` or ``brew install
graphviz``): the optional extra ``kcore[plot]``.
"""
import os
import re
import shutil

from kcore.layers.wrappers import Wrapper
from kcore.models import Sequential

__all__ = ['model_to_dot', 'plot', 'Sequential', 'Wrapper']


class MissingDependencyError(ImportError):
    """pydot or graphviz's ``dot`` program is missing; ``missing`` names which."""

    def __init__(self, missing, message):
        super().__init__(message)
        self.missing = missing


def model_to_dot(model, show_shapes=False, show_layer_names=True):
    """The graph of ``model`` as a ``pydot.Dot``: a node per layer, labelled 'name:
    ClassName' (and, with ``show_shapes``, its input and output shapes), and an edge per
    connection between layers. A nested model is one node."""
    pydot = _pydot()
    nodes = _nodes(model)
    layers = list({id(node.outbound_layer): node.outbound_layer for node in nodes}.values())
    dot = pydot.Dot(graph_type='digraph')
    dot.set('rankdir', 'TB')
    dot.set('concentrate', True)
    dot.set_node_defaults(shape='record')
    for layer in layers:
        label = _title(layer, show_layer_names)
        if show_shapes:
            own = [node for node in nodes if node.outbound_layer is layer]
            label = '%s|{input:|output:}|{{%s}|{%s}}' % (
                label, _escape(_shapes(own, 'input_shapes')),
                _escape(_shapes(own, 'output_shapes')))
        dot.add_node(pydot.Node(str(id(layer)), label=label))
    for node in nodes:
        for inbound in node.inbound_layers:
            dot.add_edge(pydot.Edge(str(id(inbound)), str(id(node.outbound_layer))))
    return dot


def plot(model, to_file='model.png', show_shapes=False, show_layer_names=True):
    """Draw ``model`` into ``to_file``, in the format its extension names (png without
    one); needs graphviz's ``dot`` program."""
    dot = model_to_dot(model, show_shapes, show_layer_names)
    program = getattr(dot, 'prog', 'dot')
    if shutil.which(program) is None:
        raise MissingDependencyError(
            'graphviz', "plot needs graphviz's %r program, which is not on the PATH: install "
            'graphviz (apt-get install graphviz, or brew install graphviz).' % (program,))
    extension = os.path.splitext(to_file)[1][1:].lower()
    dot.write(to_file, format=extension or 'png')


def _pydot():
    """The pydot module (or pydot-ng, which Keras 1 preferred)."""
    for name in ('pydot', 'pydot_ng'):
        try:
            return __import__(name)
        except ImportError:
            continue
    raise MissingDependencyError(
        'pydot', 'Drawing a model needs pydot, which is not installed: pip install pydot '
        '(or pip install kcore[plot]); graphviz is needed as well (apt-get install graphviz).')


def _nodes(model):
    """The model's nodes, from its inputs to its outputs."""
    by_depth = getattr(model, 'nodes_by_depth', None)
    if not by_depth:
        raise ValueError('Model %s has no layers to draw; add layers (or build it) first.'
                         % (getattr(model, 'name', model),))
    return [node for depth in sorted(by_depth, reverse=True) for node in by_depth[depth]]


def _title(layer, show_layer_names):
    """'name: ClassName'; a wrapper shows its inner layer: 'td(dense): TimeDistributed(Dense)'."""
    name, class_name = layer.name, type(layer).__name__
    if isinstance(layer, Wrapper):
        name = '%s(%s)' % (name, layer.layer.name)
        class_name = '%s(%s)' % (class_name, type(layer.layer).__name__)
    return _escape('%s: %s' % (name, class_name) if show_layer_names else class_name)


def _shapes(nodes, attribute):
    """The shape(s) of a layer's inputs or outputs in this model, 'multiple' when its
    calls differ."""
    found = [getattr(node, attribute) for node in nodes]
    if any(shapes != found[0] for shapes in found[1:]):
        return 'multiple'
    shapes = found[0]
    return str(shapes[0]) if len(shapes) == 1 else ', '.join(map(str, shapes))


def _escape(text):
    """Text safe inside a graphviz record label, where {}|<> are structure."""
    return re.sub(r'([{}|<>\\])', r'\\\1', text)
