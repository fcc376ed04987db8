"""Saving real models: model.save / load_model give the same predictions (the FAQ
example), weights by name, Lambda and safe mode, nested models, and a whole-model file
written by Keras 1.1.2 (built here by hand in its exact layout)."""
import json

import h5py
import numpy as np
import pytest

from kcore import backend as K
from kcore.layers import Dense, Dropout, Input, Lambda
from kcore.models import Model, Sequential, load_model


@pytest.fixture(autouse=True)
def fresh_graph():
    K.clear_session()
    yield
    K.clear_session()


X = np.random.RandomState(0).rand(4, 3).astype('float32')


def _sequential():
    model = Sequential()
    model.add(Dense(2, input_dim=3, name='dense_1'))
    model.add(Dropout(0.5))
    model.add(Dense(3, activation='softmax', name='dense_2'))
    return model


def test_faq_save_then_load_model_gives_identical_predictions(tmp_path):
    path = str(tmp_path / 'my_model.h5')
    model = _sequential()
    expected = model.predict(X)
    model.save(path)   # creates a HDF5 file 'my_model.h5'
    del model
    K.clear_session()
    model = load_model(path)
    assert isinstance(model, Sequential)
    assert [layer.name for layer in model.layers][0] == 'dense_1'
    np.testing.assert_allclose(model.predict(X), expected, rtol=1e-6)


def test_functional_model_round_trip_through_save_weights_and_load_weights(tmp_path):
    def build():
        x = Input(shape=(3,), name='x')
        h = Dense(4, activation='relu', name='hidden')(x)
        return Model(input=x, output=Dense(2, name='out')(h))

    path = str(tmp_path / 'w.h5')
    source = build()
    source.save_weights(path)
    target = build()
    assert not np.allclose(target.predict(X), source.predict(X))
    target.load_weights(path)
    np.testing.assert_allclose(target.predict(X), source.predict(X), rtol=1e-6)
    with h5py.File(path, 'r') as f:
        assert [bytes(n) for n in f.attrs['layer_names']] == [b'x', b'hidden', b'out']
        assert [bytes(n) for n in f['hidden'].attrs['weight_names']] == [b'hidden_W',
                                                                          b'hidden_b']


def test_faq_load_weights_by_name_only_affects_dense_1(tmp_path):
    fname = str(tmp_path / 'old.h5')
    old = Sequential()
    old.add(Dense(2, input_dim=3, name='dense_1'))
    old.add(Dense(3, name='dense_2'))
    old.save_weights(fname)
    model = Sequential()
    model.add(Dense(2, input_dim=3, name='dense_1'))   # will be loaded
    model.add(Dense(10, name='new_dense'))             # will not be loaded
    untouched = model.layers[1].get_weights()
    model.load_weights(fname, by_name=True)
    for a, b in zip(old.layers[0].get_weights(), model.layers[0].get_weights()):
        np.testing.assert_array_equal(a, b)
    for a, b in zip(untouched, model.layers[1].get_weights()):
        np.testing.assert_array_equal(a, b)
    with pytest.raises(ValueError, match=r"old\.h5' into layer 'new_dense': weight 'dense_2_W(:0)?' "
                                         r"of the file's layer 'dense_2' has shape \(2, 3\), but "
                                         r"the layer expects \(2, 10\)"):
        model.load_weights(fname)   # by order, dense_2's weights go to new_dense


def test_a_lambda_model_loads_only_with_safe_mode_off(tmp_path):
    path = str(tmp_path / 'lambda.h5')
    model = Sequential()
    model.add(Dense(2, input_dim=3, name='dense_1'))
    model.add(Lambda(lambda x: x * 2. + 1.))
    expected = model.predict(X)
    model.save(path)
    K.clear_session()
    with pytest.raises(ValueError, match='safe_mode=False'):
        load_model(path)
    K.clear_session()
    loaded = load_model(path, safe_mode=False)
    np.testing.assert_allclose(loaded.predict(X), expected, rtol=1e-6)


def double_plus_one(x):
    return x * 2. + 1.


def test_a_named_lambda_function_loads_in_safe_mode_through_custom_objects(tmp_path):
    path = str(tmp_path / 'lambda_named.h5')
    model = Sequential([Dense(2, input_dim=3), Lambda(double_plus_one)])
    expected = model.predict(X)
    model.save(path)
    K.clear_session()
    loaded = load_model(path, custom_objects={'double_plus_one': double_plus_one})
    np.testing.assert_allclose(loaded.predict(X), expected, rtol=1e-6)


def test_nested_models_round_trip(tmp_path):
    path = str(tmp_path / 'nested.h5')
    inner = Sequential([Dense(4, input_dim=3, name='inner_dense')], name='encoder')
    x = Input(shape=(3,))
    model = Model(input=x, output=Dense(1, name='head')(inner(x)))
    expected = model.predict(X)
    model.save(path)
    K.clear_session()
    np.testing.assert_allclose(load_model(path).predict(X), expected, rtol=1e-6)


def test_frozen_layers_keep_their_weight_order(tmp_path):
    path = str(tmp_path / 'frozen.h5')
    model = _sequential()
    model.layers[0].trainable = False
    expected = model.predict(X)
    model.save_weights(path)
    target = _sequential()
    target.load_weights(path)
    np.testing.assert_allclose(target.predict(X), expected, rtol=1e-6)


def _keras1_dense(name, output_dim, activation, input_dim=None):
    config = {'name': name, 'trainable': True, 'output_dim': output_dim, 'init': 'glorot_uniform',
              'activation': activation, 'W_regularizer': None, 'b_regularizer': None,
              'activity_regularizer': None, 'W_constraint': None, 'b_constraint': None,
              'bias': True, 'input_dim': input_dim}
    if input_dim:
        config.update(batch_input_shape=[None, input_dim], input_dtype='float32')
    return {'class_name': 'Dense', 'config': config}


def test_a_whole_model_file_written_by_keras_1_1_2_loads(tmp_path):
    """The layout keras.models.save_model of Keras 1.1.2 wrote (with h5py 2), no kcore attrs."""
    path = str(tmp_path / 'keras112.h5')
    rng = np.random.RandomState(1)
    W1, b1 = rng.rand(3, 2).astype('float32'), rng.rand(2).astype('float32')
    W2, b2 = rng.rand(2, 3).astype('float32'), rng.rand(3).astype('float32')
    config = {'class_name': 'Sequential', 'config': [
        _keras1_dense('dense_1', 2, 'relu', input_dim=3), _keras1_dense('dense_2', 3, 'linear')]}
    with h5py.File(path, 'w') as f:
        f.attrs['model_config'] = np.bytes_(json.dumps(config).encode('utf8'))
        g = f.create_group('model_weights')
        g.attrs['layer_names'] = np.array([b'dense_1', b'dense_2'])
        for name, arrays in (('dense_1', (W1, b1)), ('dense_2', (W2, b2))):
            layer = g.create_group(name)
            names = [('%s_W:0' % name).encode(), ('%s_b:0' % name).encode()]
            layer.attrs['weight_names'] = np.array(names)
            for weight_name, value in zip(names, arrays):
                dataset = layer.create_dataset(weight_name.decode(), value.shape, value.dtype)
                dataset[:] = value
    model = load_model(path)
    expected = np.maximum(X.dot(W1) + b1, 0).dot(W2) + b2
    np.testing.assert_allclose(model.predict(X), expected, rtol=1e-5)


def test_an_unknown_layer_class_names_the_file_and_the_remedy(tmp_path):
    path = str(tmp_path / 'custom.h5')
    config = {'class_name': 'Sequential', 'config': [
        {'class_name': 'MyFancyLayer', 'config': {'name': 'fancy_1'}}]}
    with h5py.File(path, 'w') as f:
        f.attrs['model_config'] = json.dumps(config).encode('utf8')
        f.create_group('model_weights').attrs['layer_names'] = np.array([b'fancy_1'])
    with pytest.raises(ValueError, match='MyFancyLayer.*custom_objects') as info:
        load_model(path)
    if hasattr(info.value, '__notes__'):
        assert 'custom.h5' in ' '.join(info.value.__notes__)


def test_a_compiled_model_comes_back_compiled_with_its_optimizer_state(tmp_path):
    path = str(tmp_path / 'trained.h5')
    Y = np.random.RandomState(2).rand(4, 3).astype('float32')
    model = Sequential([Dense(2, input_dim=3), Dense(3)])   # no dropout: training is repeatable
    model.compile(optimizer='adam', loss='mse', metrics=['accuracy'])
    model.train_on_batch(X, Y)
    model.save(path)
    with h5py.File(path, 'r') as f:
        assert 'optimizer_weights' in f
    loaded = load_model(path)
    assert type(loaded.optimizer).__name__ == 'Adam'
    for a, b in zip(model.optimizer.get_weights(), loaded.optimizer.get_weights()):
        np.testing.assert_allclose(a, b)
    model.train_on_batch(X, Y)
    loaded.train_on_batch(X, Y)   # training resumes where it stopped
    for a, b in zip(model.get_weights(), loaded.get_weights()):
        np.testing.assert_allclose(a, b, rtol=1e-5)
