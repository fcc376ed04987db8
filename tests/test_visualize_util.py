"""plot and model_to_dot: the doc's examples, shared layers, nested models, wrappers,
shapes in the labels, and the errors when pydot or graphviz is missing."""
import importlib.util
import shutil
import sys

import pytest

from kcore.layers import LSTM, Activation, Dense, Input, TimeDistributed, merge
from kcore.models import Model, Sequential
from kcore.utils import visualize_util
from kcore.utils.visualize_util import model_to_dot, plot

needs_pydot = pytest.mark.skipif(importlib.util.find_spec('pydot') is None,
                                 reason='pydot is not installed (pip install pydot)')
needs_graphviz = pytest.mark.skipif(shutil.which('dot') is None,
                                    reason="graphviz's dot program is not installed")


def mlp(depth):
    model = Sequential([Dense(8, input_dim=4, name='hidden_0')])
    for i in range(1, depth):
        model.add(Dense(8, name='hidden_%d' % i))
    return model


def drawn(dot):
    """({layer name: label}, sorted [(source name, target name)]) of a drawn model."""
    labels = {node.get_name(): node.get_label() for node in dot.get_nodes()
              if node.get_name() not in ('node', 'edge', 'graph')}
    names = {key: label.split(':')[0] for key, label in labels.items()}
    edges = sorted((names[e.get_source()], names[e.get_destination()]) for e in dot.get_edges())
    return {names[key]: label for key, label in labels.items()}, edges


@needs_pydot
@needs_graphviz
def test_plot_writes_an_image_that_grows_with_the_model(tmp_path):
    from PIL import Image
    small, large = tmp_path / 'small.png', tmp_path / 'large.png'
    plot(mlp(1), to_file=str(small))
    plot(mlp(4), to_file=str(large), show_shapes=True)
    with Image.open(small) as a, Image.open(large) as b:
        assert a.format == b.format == 'PNG'
        assert b.size[1] > 1.5 * a.size[1]   # five boxes above each other instead of two
        assert b.size[0] > a.size[0]         # the shapes widen each box
    plot(mlp(2), to_file=str(tmp_path / 'model.svg'))   # the extension picks the format
    svg = (tmp_path / 'model.svg').read_text()
    assert '<svg' in svg and 'hidden_1: Dense' in svg


@needs_pydot
def test_a_shared_layer_is_one_node_with_an_edge_per_connection():
    a, b = Input(shape=(5,), name='a'), Input(shape=(5,), name='b')
    shared = Dense(3, name='shared')
    merged = merge([shared(a), shared(b)], mode='concat', name='both')
    model = Model([a, b], Dense(1, name='out')(merged))
    labels, edges = drawn(model_to_dot(model))
    assert labels == {'a': 'a: InputLayer', 'b': 'b: InputLayer', 'shared': 'shared: Dense',
                      'both': 'both: Merge', 'out': 'out: Dense'}
    assert edges == [('a', 'shared'), ('b', 'shared'), ('both', 'out'), ('shared', 'both'),
                     ('shared', 'both')]


@needs_pydot
def test_show_shapes_and_show_layer_names():
    model = Sequential([Dense(4, input_dim=3, name='first'), Dense(2, name='second')])
    labels, edges = drawn(model_to_dot(model, show_shapes=True))
    assert labels['second'] == 'second: Dense|{input:|output:}|{{(None, 4)}|{(None, 2)}}'
    assert labels['first'] == 'first: Dense|{input:|output:}|{{(None, 3)}|{(None, 4)}}'
    input_name = model.inputs[0]._keras_history[0].name
    assert edges == sorted([(input_name, 'first'), ('first', 'second')])
    dot = model_to_dot(model, show_layer_names=False)
    assert sorted(n.get_label() for n in dot.get_nodes() if n.get_name() != 'node') == [
        'Dense', 'Dense', 'InputLayer']
    a = Input(shape=(5,), name='a')
    merged = merge([Dense(2, name='left')(a), Dense(3, name='right')(a)], mode='concat', name='m')
    labels, _ = drawn(model_to_dot(Model(a, merged), show_shapes=True))
    assert labels['m'] == 'm: Merge|{input:|output:}|{{(None, 2), (None, 3)}|{(None, 5)}}'
    c = Input(shape=(7,), name='c')
    relu = Activation('relu', name='relu')   # shared by inputs of two shapes
    labels, _ = drawn(model_to_dot(Model([a, c], [relu(a), relu(c)]), show_shapes=True))
    assert labels['relu'] == 'relu: Activation|{input:|output:}|{{multiple}|{multiple}}'


@needs_pydot
def test_nested_models_are_one_node_and_wrappers_name_their_layer():
    inner = Sequential([Dense(4, input_dim=3, name='inner_dense')], name='inner')
    outer = Sequential([Dense(3, input_dim=2, name='before'), inner, Dense(1, name='after')])
    labels, edges = drawn(model_to_dot(outer, show_shapes=True))
    assert 'inner_dense' not in labels
    assert labels['inner'] == 'inner: Sequential|{input:|output:}|{{(None, 3)}|{(None, 4)}}'
    assert ('before', 'inner') in edges and ('inner', 'after') in edges

    x = Input(shape=(3,), name='x')
    block = Model(x, Dense(2, name='block_dense')(x), name='block')
    z = Input(shape=(3,), name='z')
    labels, edges = drawn(model_to_dot(Model(z, Dense(1, name='top')(block(z)))))
    assert set(labels) == {'z', 'block', 'top'} and labels['block'] == 'block: Model'
    assert edges == [('block', 'top'), ('z', 'block')]

    sequence = Sequential([TimeDistributed(Dense(4, name='step'), input_shape=(6, 2), name='td'),
                           LSTM(3, name='lstm')])
    labels, _ = drawn(model_to_dot(sequence))
    assert labels['td(step)'] == 'td(step): TimeDistributed(Dense)'


def test_missing_pydot_is_explained(monkeypatch):
    monkeypatch.setitem(sys.modules, 'pydot', None)       # import pydot fails
    monkeypatch.setitem(sys.modules, 'pydot_ng', None)
    with pytest.raises(ImportError, match='needs pydot.*pip install pydot') as info:
        model_to_dot(mlp(1))
    assert info.value.missing == 'pydot'


@needs_pydot
def test_missing_graphviz_is_explained(monkeypatch, tmp_path):
    monkeypatch.setenv('PATH', str(tmp_path))   # no dot program on the PATH
    with pytest.raises(ImportError, match="graphviz's 'dot' program.*apt-get install graphviz"):
        plot(mlp(1), to_file=str(tmp_path / 'model.png'))
    assert not (tmp_path / 'model.png').exists()


def test_module_names_of_keras_1():
    from kcore.layers.wrappers import Wrapper
    assert visualize_util.Sequential is Sequential and visualize_util.Wrapper is Wrapper
