"""Convolution1D and AtrousConvolution1D: the doc's examples, numpy references, shapes,
arguments, configs, weights, training."""
import numpy as np
import pytest

from kcore import backend as K
from kcore import constraints, regularizers
from kcore.layers.convolutional import AtrousConvolution1D, Conv1D, Convolution1D
from kcore.testing import reference as ref
from kcore_test_helpers.layers import rand
from kcore_test_helpers.layers import fresh_graph  # noqa: F401 (autouse fixture)
from kcore_test_helpers.layers import (
    assert_trains, keras_input, model_json_roundtrip, roundtrip, run)

X = rand(2, 9, 3)


def conv1d_ref(x, W, b, stride, mode, rate=1):
    """Through the N-D reference: steps as the single spatial axis."""
    return ref.conv(x, W, (stride,), mode, (rate,)) + b


def test_doc_examples():
    from kcore.models import Sequential
    model = Sequential()
    model.add(Convolution1D(64, 3, border_mode='same', input_shape=(10, 32)))
    assert model.output_shape == (None, 10, 64)
    model.add(Convolution1D(32, 3, border_mode='same'))
    assert model.output_shape == (None, 10, 32)
    model = Sequential()
    model.add(AtrousConvolution1D(64, 3, atrous_rate=2, border_mode='same', input_shape=(10, 32)))
    assert model.output_shape == (None, 10, 64)
    model.add(AtrousConvolution1D(32, 3, atrous_rate=2, border_mode='same'))
    assert model.output_shape == (None, 10, 32)


@pytest.mark.parametrize('mode', ['valid', 'same'])
@pytest.mark.parametrize('stride', [1, 2])
def test_convolution1d_against_numpy(mode, stride):
    W, b = rand(3, 3, 4), rand(4)
    layer = Convolution1D(4, 3, border_mode=mode, subsample_length=stride, weights=[W, b])
    np.testing.assert_allclose(run(layer, X), conv1d_ref(X, W, b, stride, mode),
                               rtol=1e-4, atol=1e-5)


@pytest.mark.parametrize('mode,stride', [('valid', 1), ('same', 1), ('same', 2), ('valid', 2)])
def test_atrous_convolution1d_against_numpy(mode, stride):
    W, b = rand(2, 3, 4), rand(4)
    layer = AtrousConvolution1D(4, 2, atrous_rate=3, border_mode=mode, subsample_length=stride,
                                activation='tanh', weights=[W, b])
    np.testing.assert_allclose(run(layer, X), np.tanh(conv1d_ref(X, W, b, stride, mode, 3)),
                               rtol=1e-4, atol=1e-5)


def test_no_bias_and_activation():
    W = rand(3, 3, 2)
    layer = Convolution1D(2, 3, bias=False, activation='relu', weights=[W])
    np.testing.assert_allclose(run(layer, X), np.maximum(ref.conv(X, W, (1,), 'valid'), 0),
                               rtol=1e-4, atol=1e-5)
    assert len(layer.weights) == 1 and layer.count_params() == 18


def test_unknown_number_of_steps():
    W, b = rand(3, 3, 2), rand(2)
    layer = AtrousConvolution1D(2, 3, atrous_rate=2, subsample_length=2, weights=[W, b])
    inp = keras_input((None, 3))
    y = layer(inp)
    assert y._keras_shape == (None, None, 2)
    f = K.function([inp], [y])
    for steps in (7, 12):
        x = rand(2, steps, 3)
        np.testing.assert_allclose(f([x])[0], conv1d_ref(x, W, b, 2, 'valid', 2),
                                   rtol=1e-4, atol=1e-5)


def test_input_dim_and_input_length():
    assert Convolution1D(4, 3, input_dim=5, input_length=7).batch_input_shape == (None, 7, 5)
    assert Convolution1D(4, 3, input_dim=5).batch_input_shape == (None, None, 5)
    # Decision (§20 item 5): AtrousConvolution1D takes them too, as its argument list says.
    assert AtrousConvolution1D(4, 3, input_dim=5, input_length=7).batch_input_shape == (
        None, 7, 5)
    # input_length lets Flatten -> Dense follow (the doc's reason for it).
    from kcore.layers.core import Dense, Flatten
    from kcore.models import Sequential
    model = Sequential([Convolution1D(4, 3, input_dim=5, input_length=7), Flatten(), Dense(2)])
    assert model.output_shape == (None, 2)
    assert model.predict(rand(3, 7, 5)).shape == (3, 2)


def test_weights_layout_names_and_set_weights():
    layer = Conv1D(4, 3, name='c1')
    assert type(layer) is Convolution1D
    layer(keras_input((9, 3)))
    W, b = layer.get_weights()
    # Decision: kcore keeps the backend's conv1d layout (filter_length, input_dim, nb_filter),
    # not Keras 1.1.2's (filter_length, 1, input_dim, nb_filter) (converted on load).
    assert W.shape == (3, 3, 4) and b.shape == (4,) and not b.any()
    assert np.abs(W).max() <= 0.05    # init='uniform' by default, U(-0.05, 0.05)
    assert [w.name.split(':')[0].split('/')[-1] for w in layer.weights] == ['c1_W', 'c1_b']
    layer.set_weights([np.ones((3, 3, 4)), np.arange(4.)])
    np.testing.assert_array_equal(layer.get_weights()[1], np.arange(4.))
    with pytest.raises(ValueError, match=r'c1.*\(3, 1, 3, 4\).*\(3, 3, 4\)'):
        layer.set_weights([np.ones((3, 1, 3, 4)), np.ones(4)])


def test_init_regularizers_and_constraints():
    W, b = rand(3, 3, 2), rand(2)
    layer = Convolution1D(2, 3, weights=[W, b], W_regularizer=regularizers.l2(0.1),
                          b_regularizer=regularizers.l1(0.2),
                          activity_regularizer=regularizers.activity_l2(0.3),
                          W_constraints=constraints.maxnorm(2), b_constraint=constraints.nonneg())
    inp = keras_input((9, 3))
    layer(inp)
    out = conv1d_ref(X, W, b, 1, 'valid')
    penalties = K.function([inp], layer.losses)([X])
    assert sorted(float(p) for p in penalties) == pytest.approx(sorted(
        [0.1 * (W ** 2).sum(), 0.2 * abs(b).sum(), 0.3 * (out ** 2).mean(axis=0).sum()]),
        rel=1e-4)
    assert isinstance(layer.constraints[layer.W], constraints.MaxNorm)
    assert isinstance(layer.constraints[layer.b], constraints.NonNeg)
    seen = []

    def my_init(shape, name=None):
        seen.append(shape)
        return K.variable(np.full(shape, 0.5), name=name)
    layer = Convolution1D(2, 3, init=my_init)
    layer(keras_input((9, 3)))
    assert seen == [(3, 3, 2)]
    np.testing.assert_array_equal(layer.get_weights()[0], np.full((3, 3, 2), 0.5))


def test_config_roundtrip():
    layer = AtrousConvolution1D(4, 3, init='he_normal', activation='relu', border_mode='same',
                                subsample_length=2, atrous_rate=2,
                                W_regularizer=regularizers.l1(), input_dim=3, name='a1')
    config = layer.get_config()
    assert {k: config[k] for k in ('nb_filter', 'filter_length', 'border_mode',
                                   'subsample_length', 'atrous_rate', 'input_dim',
                                   'input_length')} == {
        'nb_filter': 4, 'filter_length': 3, 'border_mode': 'same', 'subsample_length': 2,
        'atrous_rate': 2, 'input_dim': 3, 'input_length': None}
    assert 'dim_ordering' not in config and 'subsample' not in config
    assert roundtrip(layer).atrous_rate == 2
    roundtrip(Convolution1D(2, 5, bias=False))
    model_json_roundtrip(Convolution1D(2, 3, activation='sigmoid', border_mode='same'), X)


def test_trains():
    assert_trains(Convolution1D(2, 3, W_regularizer=regularizers.l2(0.01)), X)
    assert_trains(AtrousConvolution1D(2, 2, atrous_rate=2, border_mode='same'), X)


def test_bad_arguments_and_inputs():
    with pytest.raises(ValueError, match='Convolution1D: nb_filter must be an integer > 0'):
        Convolution1D(0, 3)
    with pytest.raises(ValueError, match="border_mode must be 'valid' or 'same'; got 'full'"):
        Convolution1D(2, 3, border_mode='full')
    with pytest.raises(ValueError, match='subsample_length|subsample must be an integer > 0'):
        Convolution1D(2, 3, subsample_length=0)
    with pytest.raises(ValueError, match='AtrousConvolution1D: atrous_rate must be'):
        AtrousConvolution1D(2, 3, atrous_rate=(2, 2))
    with pytest.raises(ValueError, match=r'conv_x expects 3D input of shape \(samples, steps, '
                                         r'input_dim\); got shape \(None, 4, 4, 3\)'):
        Convolution1D(2, 3, name='conv_x')(keras_input((4, 4, 3)))
    with pytest.raises(ValueError, match=r'conv_y.*\(None, 4, 3\) is smaller than its kernel'):
        AtrousConvolution1D(2, 3, atrous_rate=2, name='conv_y')(keras_input((4, 3)))
    with pytest.raises(TypeError, match='does not support masking'):
        from kcore.layers.core import Masking
        Convolution1D(2, 3)(Masking()(keras_input((9, 3))))
