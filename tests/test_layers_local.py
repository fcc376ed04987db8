"""LocallyConnected1D/2D: the doc's examples, outputs against numpy loops (both border
modes, strides, both orderings), configs, weights, training, and weight files."""
import h5py
import numpy as np
import pytest

from kcore import backend as K
from kcore import plugins, regularizers
from kcore.layers import Input, LocallyConnected1D, LocallyConnected2D
from kcore.models import Sequential
from kcore.testing import reference as ref
from kcore_test_helpers.layers import fresh_graph  # noqa: F401 (autouse fixture)
from kcore_test_helpers.layers import (
    assert_trains, keras_input, model_json_roundtrip, roundtrip, run)

RNG = np.random.RandomState(3)


def test_doc_example_1d():
    model = Sequential()
    model.add(LocallyConnected1D(64, 3, input_shape=(10, 32)))
    assert model.output_shape == (None, 8, 64)
    model.add(LocallyConnected1D(32, 3))
    assert model.output_shape == (None, 6, 32)
    assert [w.shape for w in model.layers[0].get_weights()] == [(8, 96, 64), (8, 64)]


def test_doc_example_2d():
    """The doc's example assumes 'th' images (its input_shape is (3, 32, 32))."""
    K.set_image_dim_ordering('th')
    model = Sequential()
    model.add(LocallyConnected2D(64, 3, 3, input_shape=(3, 32, 32)))
    assert model.output_shape == (None, 64, 30, 30)
    assert model.layers[0].count_params() == (30 * 30) * (3 * 3 * 3 * 64) + (30 * 30) * 64
    model.add(LocallyConnected2D(32, 3, 3))
    assert model.output_shape == (None, 32, 28, 28)


@pytest.mark.parametrize('length, stride, border_mode', [(3, 1, 'valid'), (2, 2, 'valid'),
                                                         (3, 2, 'same'), (4, 3, 'same')])
@pytest.mark.parametrize('bias', [True, False])
def test_1d_against_loops(length, stride, border_mode, bias):
    x = RNG.randn(2, 7, 3).astype('float32')
    layer = LocallyConnected1D(4, length, border_mode=border_mode, subsample_length=stride,
                               activation='tanh', bias=bias)
    layer.build((None, 7, 3))
    weights = [RNG.randn(*w.shape).astype('float32') for w in layer.get_weights()]
    layer.set_weights(weights)
    out = run(layer, x)
    want = np.tanh(ref.locally_connected_1d(x, weights[0], weights[1] if bias else None, length,
                                        stride, border_mode))
    np.testing.assert_allclose(out, want, rtol=1e-4, atol=1e-5)


@pytest.mark.parametrize('window, strides, border_mode', [((2, 3), (1, 1), 'valid'),
                                                          ((3, 2), (2, 1), 'valid'),
                                                          ((3, 3), (2, 2), 'same'),
                                                          ((2, 2), (1, 3), 'same')])
@pytest.mark.parametrize('ordering', ['th', 'tf'])
def test_2d_against_loops(window, strides, border_mode, ordering):
    shape = (3, 5, 6) if ordering == 'th' else (5, 6, 3)
    x = RNG.randn(2, *shape).astype('float32')
    layer = LocallyConnected2D(4, window[0], window[1], border_mode=border_mode,
                               subsample=strides, dim_ordering=ordering, activation='relu')
    out = run(layer, x)
    W, b = layer.get_weights()
    b = RNG.randn(*b.shape).astype('float32')
    layer.set_weights([W, b])
    out = K.function([layer.input], [layer.output])([x])[0]
    want = np.maximum(ref.locally_connected_2d(x, W, b, window, strides, border_mode, ordering), 0)
    np.testing.assert_allclose(out, want, rtol=1e-4, atol=1e-5)


def test_2d_weight_shapes_and_defaults():
    layer = LocallyConnected2D(5, 2, 3, dim_ordering='tf')
    layer.build((None, 6, 7, 2))
    assert [tuple(K.int_shape(w)) for w in layer.weights] == [(5 * 5, 2 * 3 * 2, 5), (5, 5, 5)]
    assert [w.name.split(':')[0] for w in layer.weights] == [layer.name + '_W',
                                                            layer.name + '_b']
    assert layer.init.__name__ == 'glorot_uniform' and layer.subsample == (1, 1)
    assert LocallyConnected1D(2, 2).init.__name__ == 'uniform'
    assert LocallyConnected2D(2, 2, 2).dim_ordering == 'tf'   # 'default': the config's
    K.set_image_dim_ordering('th')
    assert LocallyConnected2D(2, 2, 2).dim_ordering == 'th'
    assert LocallyConnected1D(2, 2, bias=False, input_dim=3, input_length=5) \
        .batch_input_shape == (None, 5, 3)


def test_input_shape_must_be_fully_known():
    with pytest.raises(ValueError, match=r'locallyconnected1d_1 needs a fully known input shape '
                                         r'\(samples, steps, input_dim\); got \(None, None, 3\)'):
        LocallyConnected1D(2, 2)(keras_input((None, 3)))
    with pytest.raises(ValueError, match=r'locallyconnected2d_1 needs .*\(samples, rows, cols, '
                                         r'channels\); got \(None, 4, None, 3\)'):
        LocallyConnected2D(2, 2, 2, dim_ordering='tf')(keras_input((4, None, 3)))
    with pytest.raises(ValueError, match=r'locallyconnected1d_2 got input shape \(None, 2, 3\), '
                                         r'too small for filter_length \(3,\)'):
        LocallyConnected1D(2, 3)(keras_input((2, 3)))
    with pytest.raises(ValueError, match=r'LocallyConnected2D locallyconnected2d_\d+: subsample must be'):
        LocallyConnected2D(2, 2, 2, subsample=(1, 0))
    with pytest.raises(ValueError, match="LocallyConnected1D .*: border_mode must be"):
        LocallyConnected1D(2, 2, border_mode='full')


def test_configs_round_trip():
    layer = LocallyConnected1D(3, 2, activation='relu', border_mode='same', subsample_length=2,
                               W_regularizer=regularizers.l2(0.01), bias=False, input_dim=4,
                               input_length=6, name='lc')
    config = layer.get_config()
    assert (config['nb_filter'], config['filter_length'], config['subsample_length'],
            config['input_dim'], config['input_length'], config['bias']) == (3, 2, 2, 4, 6, False)
    roundtrip(layer)
    layer = LocallyConnected2D(3, 2, 2, subsample=(2, 1), dim_ordering='th', name='lc2')
    assert roundtrip(layer).get_config()['dim_ordering'] == 'th'
    model_json_roundtrip(LocallyConnected1D(3, 2), RNG.rand(2, 5, 2).astype('float32'))
    model_json_roundtrip(LocallyConnected2D(3, 2, 2, dim_ordering='th', border_mode='same'),
                         RNG.rand(2, 2, 4, 5).astype('float32'))


def test_weights_regularizers_constraints_and_training():
    from kcore.constraints import maxnorm
    layer = LocallyConnected1D(3, 2, W_regularizer=regularizers.l2(0.1),
                               b_regularizer=regularizers.l1(0.1),
                               activity_regularizer=regularizers.activity_l2(0.1),
                               W_constraints=maxnorm(2))       # the doc's plural spelling
    layer(keras_input((5, 2)))
    assert len(layer.losses) == 3
    assert list(layer.constraints.values())[0].m == 2
    x = RNG.rand(4, 5, 2).astype('float32')
    assert_trains(LocallyConnected1D(3, 2), x)
    assert_trains(LocallyConnected2D(2, 2, 2, dim_ordering='th'),
                  RNG.rand(3, 2, 4, 3).astype('float32'))
    layer = LocallyConnected2D(2, 2, 2, dim_ordering='tf', weights=[np.ones((9, 8, 2)),
                                                                    np.zeros((3, 3, 2))])
    out = run(layer, np.ones((1, 4, 4, 2), dtype='float32'))
    np.testing.assert_allclose(out, np.full((1, 3, 3, 2), 8.))
    assert plugins.get('layers', 'LocallyConnected2D') is LocallyConnected2D


def _lc2d_model(ordering):
    shape = (2, 4, 5) if ordering == 'th' else (4, 5, 2)
    inp = Input(shape=shape)
    layer = LocallyConnected2D(3, 2, 3, dim_ordering=ordering, subsample=(1, 2), name='lc')
    from kcore.engine.training import Model
    return Model(input=inp, output=layer(inp)), layer


def test_weights_reload_across_orderings(tmp_path):
    """A 'th' model's weight file loads into a 'tf' model: same outputs on the same images."""
    th_model, th_layer = _lc2d_model('th')
    W, b = th_layer.get_weights()
    th_layer.set_weights([W, RNG.randn(*b.shape).astype('float32')])
    th_model.save_weights(str(tmp_path / 'lc.h5'))
    tf_model, _ = _lc2d_model('tf')
    tf_model.load_weights(str(tmp_path / 'lc.h5'))
    x = RNG.rand(2, 2, 4, 5).astype('float32')
    np.testing.assert_allclose(tf_model.predict(np.moveaxis(x, 1, -1)),
                               np.moveaxis(th_model.predict(x), 1, -1), rtol=1e-5, atol=1e-6)
    again, _ = _lc2d_model('th')
    again.load_weights(str(tmp_path / 'lc.h5'))
    np.testing.assert_allclose(again.predict(x), th_model.predict(x), rtol=1e-6)


def test_keras1_th_file_bias(tmp_path):
    """Keras 1.x added a 'th' layer's bias b (rows, cols, nb_filter) as
    reshape(b, (1, nb_filter, rows, cols)): a Keras 1.x file gives Keras 1.x's outputs."""
    model, layer = _lc2d_model('th')
    W = RNG.randn(*K.int_shape(layer.W)).astype('float32')
    b_file = RNG.randn(*K.int_shape(layer.b)).astype('float32')
    path = str(tmp_path / 'keras1.h5')
    with h5py.File(path, 'w') as f:        # the Keras 1.x save_weights layout
        f.attrs['layer_names'] = [b'lc']
        group = f.create_group('lc')
        group.attrs['weight_names'] = [b'lc_W', b'lc_b']
        group.create_dataset('lc_W', data=W)
        group.create_dataset('lc_b', data=b_file)
    model.load_weights(path)
    x = RNG.rand(2, 2, 4, 5).astype('float32')
    no_bias = ref.locally_connected_2d(x, W, None, (2, 3), (1, 2), 'valid', 'th')
    rows, cols, filters = b_file.shape
    keras1 = no_bias + b_file.reshape(1, filters, rows, cols)
    np.testing.assert_allclose(model.predict(x), keras1, rtol=1e-5, atol=1e-5)


def test_not_flipped_as_convolution_kernels():
    """Keras 1.x computed locally-connected layers with dot products on both backends:
    their weights are not convolution kernels to flip."""
    from kcore.engine.training import Model
    from kcore.utils.layer_utils import convert_all_kernels_in_model
    inp = Input(shape=(4, 4, 2))
    layer = LocallyConnected2D(2, 2, 2, dim_ordering='tf')
    model = Model(input=inp, output=layer(inp))
    before = layer.get_weights()
    convert_all_kernels_in_model(model)
    for a, b in zip(before, layer.get_weights()):
        np.testing.assert_array_equal(a, b)
