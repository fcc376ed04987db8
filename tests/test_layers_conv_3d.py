"""Convolution3D on both orderings: numpy reference, shapes, configs, weights, training."""
import numpy as np
import pytest

from kcore import backend as K
from kcore import constraints, regularizers
from kcore.layers.convolutional import Conv3D, Convolution3D
from kcore.testing import reference as ref
from kcore_test_helpers.layers import rand
from kcore_test_helpers.layers import fresh_graph  # noqa: F401 (autouse fixture)
from kcore_test_helpers.layers import (
    assert_trains, keras_input, model_json_roundtrip, roundtrip, run)

X = rand(2, 5, 4, 6, 2)     # 'tf' (samples, dim1, dim2, dim3, channels)


def test_doc_example_shape():
    # 10 frames of 128x128 RGB, 'th'
    layer = Convolution3D(8, 3, 3, 3, input_shape=(3, 10, 128, 128), dim_ordering='th')
    assert layer.get_output_shape_for((None, 3, 10, 128, 128)) == (None, 8, 8, 126, 126)
    assert Convolution3D(8, 3, 3, 3, border_mode='same', subsample=(2, 2, 2)).\
        get_output_shape_for((None, 10, 128, 127, 3)) == (None, 5, 64, 64, 8)


@pytest.mark.parametrize('ordering', ['th', 'tf'])
@pytest.mark.parametrize('mode,strides', [('valid', (1, 1, 1)), ('same', (1, 1, 1)),
                                          ('valid', (2, 1, 2)), ('same', (2, 2, 3))])
def test_convolution3d_against_numpy(ordering, mode, strides):
    # Decision (§20 item 18): strides behave as in Convolution2D ('same': ceil(size / s)).
    W, b = rand(2, 3, 2, 2, 3), rand(3)
    kwargs = dict(border_mode=mode, subsample=strides, activation='relu', dim_ordering=ordering)
    if ordering == 'th':
        layer = Convolution3D(3, 2, 3, 2, weights=[ref.kernel_to_th(W), b], **kwargs)
        out = np.moveaxis(run(layer, ref.to_th(X)), 1, -1)
    else:
        out = run(Convolution3D(3, 2, 3, 2, weights=[W, b], **kwargs), X)
    np.testing.assert_allclose(out, np.maximum(ref.conv(X, W, strides, mode) + b, 0),
                               rtol=1e-4, atol=1e-5)


def test_unknown_sizes():
    W, b = rand(2, 2, 2, 2, 1), rand(1)
    layer = Convolution3D(1, 2, 2, 2, weights=[W, b], dim_ordering='tf')
    inp = keras_input((None, 4, None, 2))
    y = layer(inp)
    assert y._keras_shape == (None, None, 3, None, 1)
    x = rand(1, 3, 4, 5, 2)
    np.testing.assert_allclose(K.function([inp], [y])([x])[0],
                               ref.conv(x, W, (1, 1, 1), 'valid') + b, rtol=1e-4, atol=1e-5)


@pytest.mark.parametrize('ordering,shape', [('th', (3, 2, 2, 3, 1)), ('tf', (2, 3, 1, 2, 3))])
def test_weights_layout(ordering, shape):
    layer = Conv3D(3, 2, 3, 1, dim_ordering=ordering, name='c3')
    assert type(layer) is Convolution3D
    layer(keras_input((2, 5, 4, 6) if ordering == 'th' else (5, 4, 6, 2)))
    assert [w.shape for w in layer.get_weights()] == [shape, (3,)]
    assert [w.name.split(':')[0].split('/')[-1] for w in layer.weights] == ['c3_W', 'c3_b']
    assert layer.count_params() == 39


def test_config_regularizers_and_training():
    layer = Convolution3D(2, 2, 2, 2, subsample=[1, 2, 1], border_mode='same',
                          W_regularizer=regularizers.l2(0.1), b_constraint=constraints.nonneg(),
                          dim_ordering='th', name='c3')
    config = layer.get_config()
    assert {k: config[k] for k in ('kernel_dim1', 'kernel_dim2', 'kernel_dim3', 'subsample',
                                   'dim_ordering')} == {
        'kernel_dim1': 2, 'kernel_dim2': 2, 'kernel_dim3': 2, 'subsample': (1, 2, 1),
        'dim_ordering': 'th'}
    assert roundtrip(layer).subsample == (1, 2, 1)
    model_json_roundtrip(Convolution3D(2, 2, 2, 2, activation='tanh'), X)
    assert_trains(layer, ref.to_th(X))


def test_bad_input():
    with pytest.raises(ValueError, match=r"c3d expects 5D input of shape \(samples, dim1, dim2, "
                                         r"dim3, channels\) \('tf' dim_ordering\); got shape "
                                         r'\(None, 5, 4, 2\)'):
        Convolution3D(2, 2, 2, 2, name='c3d')(keras_input((5, 4, 2)))
