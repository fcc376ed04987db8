"""Model configs: the Keras 1.x format, round trips through get_config / JSON / YAML, class
look-up through the plugin registries, custom objects and safe mode.

Decision: a Dense's config records ``input_dim`` only when the user gave it (Keras 1.1.2
recorded the built value too, so its first rebuild gained a ``batch_input_shape``); with
that, every round trip below gives an identical config.
"""
import json

import numpy as np
import pytest

from kcore_test_helpers.engine import Linear, fresh_graph  # noqa: F401
from kcore import backend as K
from kcore.engine.topology import Input, Merge, merge
from kcore.layers import Dense, Dropout, Flatten
from kcore.models import (Model, Sequential, model_from_config, model_from_json,
                          model_from_yaml)
from kcore.utils.layer_utils import layer_from_config

LINEAR = {'Linear': Linear}


def functional_model():
    a, b = Input(shape=(4,), name='a'), Input(shape=(4,), name='b')
    shared = Linear(3, name='shared')
    merged = merge([shared(a), shared(b)], mode='concat', name='merged')
    out = Linear(2, name='out')(merged)
    return Model(input=[a, b], output=[out, merged], name='two_heads')


# -------------------------------------------------------------------- format
def test_functional_config_is_in_the_keras1_format():
    config = functional_model().get_config()
    assert set(config) == {'name', 'layers', 'input_layers', 'output_layers'}
    assert config['input_layers'] == [['a', 0, 0], ['b', 0, 0]]
    assert config['output_layers'] == [['out', 0, 0], ['merged', 0, 0]]
    entry = {e['name']: e for e in config['layers']}
    assert entry['shared']['class_name'] == 'Linear'
    assert entry['shared']['inbound_nodes'] == [[['a', 0, 0]], [['b', 0, 0]]]
    assert entry['merged']['inbound_nodes'] == [[['shared', 0, 0], ['shared', 1, 0]]]
    assert entry['a']['inbound_nodes'] == []
    assert entry['a']['config'] == {'batch_input_shape': (None, 4), 'input_dtype': 'float32',
                                    'sparse': False, 'name': 'a'}


def test_sequential_config_is_a_list_of_layer_configs():
    model = Sequential([Dense(3, input_dim=2, name='d'), Dropout(0.5, name='drop')])
    config = model.get_config()
    assert [entry['class_name'] for entry in config] == ['Dense', 'Dropout']
    assert config[0]['config']['batch_input_shape'] == (None, 2)
    assert config[1]['config']['name'] == 'drop'


# ---------------------------------------------------------------- round trips
def test_functional_round_trips_are_identical():
    model = functional_model()
    config = model.get_config()
    rebuilt = Model.from_config(config, custom_objects=LINEAR)
    assert rebuilt.get_config() == config
    shared = rebuilt.get_layer('shared')
    assert len(shared.inbound_nodes) == 2 and rebuilt.output_names == ['out', 'merged']
    as_json = model.to_json()
    assert model_from_json(as_json, custom_objects=LINEAR).to_json() == as_json
    as_yaml = model.to_yaml()
    assert model_from_yaml(as_yaml, custom_objects=LINEAR).to_yaml() == as_yaml
    rebuilt.set_weights(model.get_weights())
    data = [np.random.rand(2, 4), np.random.rand(2, 4)]
    for got, want in zip(rebuilt.predict(data), model.predict(data)):
        np.testing.assert_allclose(got, want, rtol=1e-6)


def test_sequential_round_trips():
    model = Sequential([Linear(3, input_dim=2), Linear(4), Dense(2, activation='softmax')])
    config = model.get_config()
    rebuilt = Sequential.from_config(config, custom_objects=LINEAR)
    assert rebuilt.get_config() == config
    as_json = model.to_json()
    assert json.loads(as_json)['class_name'] == 'Sequential'
    again = model_from_json(as_json, custom_objects=LINEAR)
    assert isinstance(again, Sequential)
    assert json.loads(again.to_json()) == json.loads(as_json)
    assert model_from_yaml(model.to_yaml(), custom_objects=LINEAR).to_yaml() == model.to_yaml()


def test_doc_first_model_round_trips_through_json_and_yaml():
    inputs = Input(shape=(784,))
    x = Dense(64, activation='relu')(inputs)
    predictions = Dense(10, activation='softmax')(Dense(64, activation='relu')(x))
    model = Model(input=inputs, output=predictions)
    for text, load in ((model.to_json(), model_from_json), (model.to_yaml(), model_from_yaml)):
        rebuilt = load(text)
        assert rebuilt.get_config() == \
            model.get_config()
        rebuilt.set_weights(model.get_weights())
        data = np.random.rand(3, 784)
        np.testing.assert_allclose(rebuilt.predict(data), model.predict(data), rtol=1e-5)


def test_merge_of_sequentials_round_trip():
    left = Sequential([Linear(3, input_dim=4)])
    right = Sequential([Linear(3, input_dim=4)])
    model = Sequential([Merge([left, right], mode='concat'), Linear(2)])
    config = model.get_config()
    assert [b['class_name'] for b in config[0]['config']['layers']] == ['Sequential'] * 2
    rebuilt = model_from_config(config, custom_objects=LINEAR)
    assert rebuilt.get_config() == config
    assert len(rebuilt.inputs) == 2
    rebuilt.set_weights(model.get_weights())
    data = [np.random.rand(2, 4), np.random.rand(2, 4)]
    np.testing.assert_allclose(rebuilt.predict(data), model.predict(data), rtol=1e-6)


def test_nested_models_round_trip_with_keras1_node_numbering():
    x = Input(shape=(3,))
    inner = Model(x, Linear(2, name='inner_linear')(x), name='inner')
    seq = Sequential([Linear(2, input_dim=2, name='seq_linear')], name='seq')
    a, b = Input(shape=(3,), name='a'), Input(shape=(3,), name='b')
    out = merge([seq(inner(a)), seq(inner(b))], mode='sum', name='sum')
    model = Model([a, b], out, name='outer')
    config = model.get_config()
    entry = {e['name']: e for e in config['layers']}
    # a container's node 0 is its own; the calls inside `outer` are numbered from 1
    assert entry['sum']['inbound_nodes'] == [[['seq', 1, 0], ['seq', 2, 0]]]
    assert entry['seq']['class_name'] == 'Sequential'
    rebuilt = Model.from_config(config, custom_objects=LINEAR)
    assert rebuilt.get_config() == config
    rebuilt.set_weights(model.get_weights())
    data = [np.random.rand(2, 3), np.random.rand(2, 3)]
    np.testing.assert_allclose(rebuilt.predict(data), model.predict(data), rtol=1e-6)


def test_nested_sequential_in_sequential_round_trip():
    top = Sequential([Linear(2, input_dim=6)])
    model = Sequential([Flatten(input_shape=(2, 3)), top])
    config = model.get_config()
    assert config[1]['class_name'] == 'Sequential'
    rebuilt = Sequential.from_config(config, custom_objects=LINEAR)
    assert rebuilt.get_config() == config and rebuilt.output_shape == (None, 2)


def test_a_shared_layer_called_again_downstream_is_rebuilt():
    # The second call of `shared` needs `mid`, which comes later in bottom-up order:
    # rebuilding defers that node until its input exists.
    x = Input(shape=(2,), name='x')
    shared = Linear(2, name='shared')
    mid = Linear(2, name='mid')(shared(x))
    out = shared(mid)
    model = Model(x, out)
    rebuilt = Model.from_config(model.get_config(), custom_objects=LINEAR)
    assert rebuilt.get_config() == model.get_config()


def test_layer_from_config_and_model_from_config_forms():
    layer = layer_from_config({'class_name': 'Dense', 'config': Dense(3, name='d').get_config()})
    assert isinstance(layer, Dense) and layer.name == 'd'
    model = functional_model()
    # the TF-serving recipe (L9977-9986) passes model.get_config() itself
    assert model_from_config(model.get_config(), custom_objects=LINEAR).name == 'two_heads'
    wrapped = {'class_name': 'Model', 'config': model.get_config()}
    assert isinstance(model_from_config(wrapped, custom_objects=LINEAR), Model)
    with pytest.raises(ValueError, match="model_from_config expects {'class_name'"):
        model_from_config({'name': 'x'})
    with pytest.raises(ValueError, match="A layer config is a dict {'class_name'"):
        layer_from_config({'config': {}})
    with pytest.raises(ValueError, match="Model.from_config: the config has no 'layers'"):
        Model.from_config({'name': 'm'})


def test_keras1_yaml_with_python_tuples_loads_and_unsafe_tags_do_not():
    text = """class_name: Sequential
config:
- class_name: Dense
  config:
    batch_input_shape: !!python/tuple [null, 3]
    input_dim: 3
    name: dense_9
    output_dim: 2
"""
    model = model_from_yaml(text)
    assert model.input_shape == (None, 3) and model.layers[0].name == 'dense_9'
    import yaml
    with pytest.raises(yaml.YAMLError):
        model_from_yaml('!!python/object/apply:os.system ["true"]')


# ------------------------------------------------------------------ look-up
def test_unknown_class_name_error_text():
    with pytest.raises(ValueError) as info:
        layer_from_config({'class_name': 'Densse', 'config': {}})
    message = str(info.value)
    assert "Unknown layer 'Densse'. Did you mean 'Dense'" in message
    assert "No installed kcore plugin registers the layer 'Densse'" in message
    assert "custom_objects={'Densse': <the layer>}" in message
    with pytest.raises(ValueError, match="Unknown layer 'Linear'"):
        Model.from_config(functional_model().get_config())


def test_custom_objects_win_over_the_registry():
    class MyDense(Dense):
        pass

    layer = layer_from_config({'class_name': 'Dense', 'config': {'output_dim': 2}},
                              custom_objects={'Dense': MyDense})
    assert type(layer) is MyDense


def test_a_layer_from_an_installed_plugin_loads_without_custom_objects(fake_dists):
    fake_dists('kcore-fancy', '''
        from kcore import backend as K
        from kcore.engine.topology import Layer
        from kcore.plugins import hookimpl

        class Doubler(Layer):
            def call(self, x, mask=None):
                return 2 * x

        @hookimpl
        def register_layers(register):
            register('Doubler', Doubler)
    ''')
    from kcore import plugins
    plugins.reset()
    import kcore_fancy
    x = Input(shape=(2,), name='x')
    model = Model(x, kcore_fancy.Doubler(name='double')(x))
    rebuilt = model_from_json(model.to_json())
    assert type(rebuilt.get_layer('double')).__name__ == 'Doubler'
    np.testing.assert_allclose(rebuilt.predict(np.ones((1, 2))), [[2., 2.]])
    assert 'Doubler' in plugins.registry('layers')


def test_engine_classes_are_registered():
    from kcore import plugins
    layers = plugins.registry('layers')
    for name in ('Model', 'Sequential', 'InputLayer', 'Merge', 'Container'):
        assert name in layers
    assert plugins.get('layers', 'sequential') is Sequential
