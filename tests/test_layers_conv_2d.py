"""Convolution2D, AtrousConvolution2D and SeparableConvolution2D on both orderings:
the doc's examples, numpy references, shapes, configs, weights, training."""
import numpy as np
import pytest

from kcore import backend as K
from kcore import constraints, regularizers
from kcore.layers.convolutional import (AtrousConvolution2D, Conv2D, Convolution2D,
                                        SeparableConvolution2D)
from kcore.testing import reference as ref
from kcore_test_helpers.layers import rand
from kcore_test_helpers.layers import fresh_graph  # noqa: F401 (autouse fixture)
from kcore_test_helpers.layers import (
    assert_trains, keras_input, model_json_roundtrip, roundtrip, run)

X = rand(2, 7, 6, 3)    # 'tf' (samples, rows, cols, channels)


def run_ordering(layer_class, ordering, x, weights, *args, **kwargs):
    """The layer's output in 'tf' layout, built with 'tf' weights in either ordering."""
    if ordering == 'th':
        weights = [ref.kernel_to_th(w) if w.ndim == 4 else w for w in weights]
        layer = layer_class(*args, dim_ordering='th', weights=weights, **kwargs)
        return np.moveaxis(run(layer, ref.to_th(x)), 1, -1)
    return run(layer_class(*args, dim_ordering='tf', weights=weights, **kwargs), x)


def test_doc_examples():
    from kcore.models import Sequential
    model = Sequential()
    model.add(Convolution2D(64, 3, 3, border_mode='same', input_shape=(3, 256, 256),
                            dim_ordering='th'))
    assert model.output_shape == (None, 64, 256, 256)
    model.add(Convolution2D(32, 3, 3, border_mode='same', dim_ordering='th'))
    assert model.output_shape == (None, 32, 256, 256)
    # 3x3 with atrous rate 2: an effective 5x5 kernel (3 + (3 - 1) * (2 - 1) = 5)
    layer = AtrousConvolution2D(64, 3, 3, atrous_rate=(2, 2), border_mode='valid',
                                input_shape=(3, 256, 256), dim_ordering='th')
    assert layer.get_output_shape_for((None, 3, 256, 256)) == (None, 64, 252, 252)
    assert SeparableConvolution2D(8, 3, 3, dim_ordering='tf').get_output_shape_for(
        (None, 128, 128, 3)) == (None, 126, 126, 8)


def test_dim_ordering_default_is_the_config():
    # Decision (§20 item 1): 'default' everywhere, read from the config when the layer is
    # made (the doc's text); the signatures' printed 'th' is not used. Configs store it.
    assert Convolution2D(2, 3, 3).dim_ordering == 'tf'
    K.set_image_dim_ordering('th')
    for layer in (Convolution2D(2, 3, 3), AtrousConvolution2D(2, 3, 3),
                  SeparableConvolution2D(2, 3, 3)):
        assert layer.dim_ordering == 'th' and layer.get_config()['dim_ordering'] == 'th'
    assert Convolution2D(2, 3, 3, dim_ordering='tf').dim_ordering == 'tf'
    with pytest.raises(ValueError, match="dim_ordering must be 'th', 'tf' or 'default'"):
        Convolution2D(2, 3, 3, dim_ordering='channels_last')


@pytest.mark.parametrize('ordering', ['th', 'tf'])
@pytest.mark.parametrize('mode', ['valid', 'same'])
@pytest.mark.parametrize('strides', [(1, 1), (2, 3)])
def test_convolution2d_against_numpy(ordering, mode, strides):
    W, b = rand(3, 2, 3, 4), rand(4)
    out = run_ordering(Convolution2D, ordering, X, [W, b], 4, 3, 2, border_mode=mode,
                       subsample=strides, activation='tanh')
    np.testing.assert_allclose(out, np.tanh(ref.conv(X, W, strides, mode) + b),
                               rtol=1e-4, atol=1e-5)


@pytest.mark.parametrize('ordering', ['th', 'tf'])
@pytest.mark.parametrize('mode,strides', [('valid', (1, 1)), ('same', (1, 1)),
                                          ('same', (2, 2)), ('valid', (2, 1))])
def test_atrous_convolution2d_against_numpy(ordering, mode, strides):
    W, b = rand(2, 3, 3, 2), rand(2)
    out = run_ordering(AtrousConvolution2D, ordering, X, [W, b], 2, 2, 3, border_mode=mode,
                       subsample=strides, atrous_rate=(3, 2))
    np.testing.assert_allclose(out, ref.conv(X, W, strides, mode, (3, 2)) + b,
                               rtol=1e-4, atol=1e-5)


@pytest.mark.parametrize('ordering', ['th', 'tf'])
@pytest.mark.parametrize('mode,strides', [('valid', (1, 1)), ('same', (2, 2))])
def test_separable_convolution2d_against_numpy(ordering, mode, strides):
    depthwise, pointwise, b = rand(3, 2, 3, 2), rand(1, 1, 6, 4), rand(4)
    out = run_ordering(SeparableConvolution2D, ordering, X, [depthwise, pointwise, b], 4, 3, 2,
                       border_mode=mode, subsample=strides, depth_multiplier=2)
    want = ref.separable_conv2d(X, depthwise, pointwise, strides, mode) + b
    np.testing.assert_allclose(out, want, rtol=1e-4, atol=1e-5)


def test_unknown_image_size():
    W, b = rand(3, 3, 3, 2), rand(2)
    layer = Convolution2D(2, 3, 3, subsample=(2, 2), border_mode='same',
                          weights=[ref.kernel_to_th(W), b], dim_ordering='th')
    inp = keras_input((3, None, None))
    y = layer(inp)
    assert y._keras_shape == (None, 2, None, None)
    f = K.function([inp], [y])
    for rows, cols in ((5, 8), (9, 4)):
        x = rand(2, rows, cols, 3)
        np.testing.assert_allclose(np.moveaxis(f([ref.to_th(x)])[0], 1, -1),
                                   ref.conv(x, W, (2, 2), 'same') + b, rtol=1e-4, atol=1e-5)
    assert Convolution2D(2, 3, 3, dim_ordering='tf').get_output_shape_for(
        (None, None, 9, 3)) == (None, None, 7, 2)


@pytest.mark.parametrize('ordering,shapes', [
    ('th', [(4, 3, 3, 2), (4,)]), ('tf', [(3, 2, 3, 4), (4,)])])
def test_convolution2d_weights(ordering, shapes):
    layer = Conv2D(4, 3, 2, dim_ordering=ordering, name='c2')
    assert type(layer) is Convolution2D
    layer(keras_input((3, 7, 6) if ordering == 'th' else (7, 6, 3)))
    assert [w.shape for w in layer.get_weights()] == shapes
    assert [w.name.split(':')[0].split('/')[-1] for w in layer.weights] == ['c2_W', 'c2_b']
    limit = np.sqrt(6. / ((3 + 4) * 6))   # glorot_uniform with the ordering's conv fans
    assert np.abs(layer.get_weights()[0]).max() <= limit
    layer.set_weights([np.ones(shapes[0]), np.arange(4.)])
    np.testing.assert_array_equal(layer.get_weights()[0], np.ones(shapes[0]))
    with pytest.raises(ValueError, match=r'c2.*%s' % (shapes[0][::-1],)):
        layer.set_weights([np.ones(shapes[0][::-1]), np.ones(4)])
    assert layer.count_params() == 76


@pytest.mark.parametrize('ordering,shapes', [
    ('th', [(2, 3, 3, 2), (5, 6, 1, 1), (5,)]), ('tf', [(3, 2, 3, 2), (1, 1, 6, 5), (5,)])])
def test_separable_weights(ordering, shapes):
    layer = SeparableConvolution2D(5, 3, 2, depth_multiplier=2, dim_ordering=ordering,
                                   name='s2')
    layer(keras_input((3, 7, 6) if ordering == 'th' else (7, 6, 3)))
    assert [w.shape for w in layer.get_weights()] == shapes
    assert [w.name.split(':')[0].split('/')[-1] for w in layer.weights] == [
        's2_depthwise_kernel', 's2_pointwise_kernel', 's2_b']
    nobias = SeparableConvolution2D(5, 3, 2, bias=False)
    nobias(keras_input((7, 6, 3)))
    assert len(nobias.weights) == 2


def test_regularizers_and_constraints():
    W, b = rand(3, 2, 3, 2), rand(2)
    layer = Convolution2D(2, 3, 2, weights=[W, b], W_regularizer=regularizers.l1(0.1),
                          b_regularizer=regularizers.l2(0.2),
                          activity_regularizer=regularizers.activity_l1(0.3),
                          W_constraint=constraints.unitnorm(), b_constraints=constraints.nonneg())
    inp = keras_input(X.shape[1:])
    layer(inp)
    out = ref.conv(X, W, (1, 1), 'valid') + b
    penalties = K.function([inp], layer.losses)([X])
    assert sorted(float(p) for p in penalties) == pytest.approx(sorted(
        [0.1 * abs(W).sum(), 0.2 * (b ** 2).sum(), 0.3 * abs(out).mean(axis=0).sum()]),
        rel=1e-4)
    assert isinstance(layer.constraints[layer.W], constraints.UnitNorm)
    assert isinstance(layer.constraints[layer.b], constraints.NonNeg)


def test_separable_regularizers_and_constraints():
    depthwise, pointwise, b = rand(3, 2, 3, 1), rand(1, 1, 3, 2), rand(2)
    layer = SeparableConvolution2D(
        2, 3, 2, weights=[depthwise, pointwise, b], depthwise_regularizer=regularizers.l2(0.1),
        pointwise_regularizer=regularizers.l1(0.2), b_regularizer=regularizers.l2(0.3),
        depthwise_constraint=constraints.maxnorm(1), pointwise_constraint=constraints.nonneg(),
        b_constraint=constraints.unitnorm())
    inp = keras_input(X.shape[1:])
    layer(inp)
    penalties = K.function([inp], layer.losses)([X])
    assert sorted(float(p) for p in penalties) == pytest.approx(sorted(
        [0.1 * (depthwise ** 2).sum(), 0.2 * abs(pointwise).sum(), 0.3 * (b ** 2).sum()]),
        rel=1e-4)
    kinds = {k.name: type(c).__name__ for k, c in layer.constraints.items()}
    assert sorted(kinds.values()) == ['MaxNorm', 'NonNeg', 'UnitNorm']
    assert isinstance(layer.constraints[layer.depthwise_kernel], constraints.MaxNorm)


def test_config_roundtrips():
    layer = AtrousConvolution2D(3, 2, 3, init='he_uniform', activation='relu',
                                border_mode='same', subsample=[2, 1], atrous_rate=[2, 2],
                                dim_ordering='th', W_constraint=constraints.maxnorm(2),
                                input_shape=(3, 8, 8), name='a2')
    config = layer.get_config()
    assert {k: config[k] for k in ('nb_filter', 'nb_row', 'nb_col', 'subsample', 'atrous_rate',
                                   'dim_ordering', 'border_mode')} == {
        'nb_filter': 3, 'nb_row': 2, 'nb_col': 3, 'subsample': (2, 1), 'atrous_rate': (2, 2),
        'dim_ordering': 'th', 'border_mode': 'same'}
    assert roundtrip(layer).atrous_rate == (2, 2)
    separable = SeparableConvolution2D(4, 3, 3, depth_multiplier=3,
                                       depthwise_regularizer=regularizers.l2(0.1),
                                       pointwise_constraint=constraints.nonneg())
    config = separable.get_config()
    assert 'W_regularizer' not in config and 'W_constraint' not in config
    assert config['depth_multiplier'] == 3
    assert isinstance(roundtrip(separable).pointwise_constraint, constraints.NonNeg)
    model_json_roundtrip(Convolution2D(2, 3, 3, activation='sigmoid', border_mode='same'), X)
    model_json_roundtrip(SeparableConvolution2D(2, 3, 3, depth_multiplier=2), X)
    model_json_roundtrip(AtrousConvolution2D(2, 2, 2, atrous_rate=(2, 2), dim_ordering='th'),
                         ref.to_th(X))


def test_keras1_config_loads():
    """A Convolution2D config as Keras 1.1.2 wrote it (lists, names) builds."""
    from kcore.utils.layer_utils import layer_from_config
    config = {'class_name': 'Convolution2D', 'config': {
        'name': 'convolution2d_1', 'trainable': True, 'batch_input_shape': [None, 3, 8, 8],
        'input_dtype': 'float32', 'nb_filter': 4, 'nb_row': 3, 'nb_col': 3,
        'init': 'glorot_uniform', 'activation': 'relu', 'border_mode': 'valid',
        'subsample': [1, 1], 'dim_ordering': 'th', 'W_regularizer': None, 'b_regularizer': None,
        'activity_regularizer': None, 'W_constraint': None, 'b_constraint': None, 'bias': True}}
    layer = layer_from_config(config)
    assert layer.subsample == (1, 1) and layer.dim_ordering == 'th'
    assert layer.get_output_shape_for((None, 3, 8, 8)) == (None, 4, 6, 6)


def test_trains():
    assert_trains(Convolution2D(2, 3, 3, W_regularizer=regularizers.l2(0.01)), X)
    assert_trains(AtrousConvolution2D(2, 2, 2, atrous_rate=(2, 2), dim_ordering='th'), ref.to_th(X))
    assert_trains(SeparableConvolution2D(2, 3, 3, depth_multiplier=2, border_mode='same'), X)


def test_bad_arguments_and_inputs():
    with pytest.raises(ValueError, match=r'Convolution2D: subsample must be an integer > 0 or '
                                         r'a tuple of 2 integers > 0; got \(1, 1, 1\)'):
        Convolution2D(2, 3, 3, subsample=(1, 1, 1))
    with pytest.raises(ValueError, match='kernel size must be'):
        Convolution2D(2, 0, 3)
    with pytest.raises(ValueError, match='depth_multiplier must be an integer > 0'):
        SeparableConvolution2D(2, 3, 3, depth_multiplier=0)
    with pytest.raises(ValueError, match=r"c_th expects 4D input of shape \(samples, channels, "
                                         r"rows, cols\) \('th' dim_ordering\); got shape "
                                         r'\(None, 8, 3\)'):
        Convolution2D(2, 3, 3, dim_ordering='th', name='c_th')(keras_input((8, 3)))
    with pytest.raises(ValueError, match=r'c_tf.*channels axis of its input must be known'):
        Convolution2D(2, 3, 3, name='c_tf')(keras_input((8, 8, None)))
    with pytest.raises(ValueError, match=r'c_small.*\(None, 2, 8, 1\) is smaller than'):
        Convolution2D(2, 3, 3, name='c_small')(keras_input((2, 8, 1)))
    layer = Convolution2D(2, 3, 3, name='c_used')
    layer(keras_input((8, 8, 3)))
    with pytest.raises(ValueError, match=r'c_used.*\(None, None, None, 3\).*\(None, 8, 8, 4\)'):
        layer(keras_input((8, 8, 4)))
