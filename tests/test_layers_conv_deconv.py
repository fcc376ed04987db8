"""Deconvolution2D on both orderings: the doc's examples, a scatter-add numpy reference,
output_shape rules, configs, weights, training."""
import numpy as np
import pytest

from kcore import backend as K
from kcore import regularizers
from kcore.layers.convolutional import Deconv2D, Deconvolution2D
from kcore.testing import reference as ref
from kcore_test_helpers.layers import rand
from kcore_test_helpers.layers import fresh_graph  # noqa: F401 (autouse fixture)
from kcore_test_helpers.layers import (
    assert_trains, keras_input, model_json_roundtrip, roundtrip, run)

X = rand(2, 4, 3, 2)    # 'tf' (samples, rows, cols, channels)


def kernel_th(kernel):
    """A 'tf' deconvolution kernel (rows, cols, out, in) as 'th' (out, in, rows, cols)."""
    return np.ascontiguousarray(np.transpose(kernel, (2, 3, 0, 1)))


def deconv(ordering, W, b, out_rows_cols, x=X, **kwargs):
    """The layer's output in 'tf' layout, for 'tf' weights, in either ordering."""
    nb_filter = W.shape[2]
    if ordering == 'th':
        shape = (None, nb_filter) + tuple(out_rows_cols)
        layer = Deconvolution2D(nb_filter, W.shape[0], W.shape[1], shape, dim_ordering='th',
                                weights=[kernel_th(W), b], **kwargs)
        return np.moveaxis(run(layer, ref.to_th(x)), 1, -1)
    shape = (None,) + tuple(out_rows_cols) + (nb_filter,)
    layer = Deconvolution2D(nb_filter, W.shape[0], W.shape[1], shape, dim_ordering='tf',
                            weights=[W, b], **kwargs)
    return run(layer, x)


def test_doc_examples():
    from kcore.models import Sequential
    model = Sequential()
    model.add(Deconvolution2D(3, 3, 3, output_shape=(None, 3, 14, 14), border_mode='valid',
                              input_shape=(3, 12, 12), dim_ordering='th'))
    assert model.output_shape == (None, 3, 14, 14)
    model = Sequential()
    model.add(Deconvolution2D(3, 3, 3, output_shape=(None, 3, 25, 25), subsample=(2, 2),
                              border_mode='valid', input_shape=(3, 12, 12), dim_ordering='th'))
    assert model.output_shape == (None, 3, 25, 25)
    assert model.predict(np.ones((2, 3, 12, 12), 'float32')).shape == (2, 3, 25, 25)


@pytest.mark.parametrize('ordering', ['th', 'tf'])
@pytest.mark.parametrize('mode,strides,out', [
    ('valid', (1, 1), (6, 5)), ('valid', (2, 3), (9, 9)), ('valid', (2, 2), (10, 8)),
    ('same', (1, 1), (4, 3)), ('same', (2, 2), (8, 6)), ('same', (2, 3), (7, 8))])
def test_deconvolution2d_against_scatter_add(ordering, mode, strides, out):
    W, b = rand(3, 3, 4, 2), rand(4)       # (rows, cols, out, in)
    got = deconv(ordering, W, b, out, border_mode=mode, subsample=strides, activation='tanh')
    np.testing.assert_allclose(got, np.tanh(ref.deconv2d(X, W, out, strides, mode) + b),
                               rtol=1e-4, atol=1e-5)


def test_output_shape_batch_and_none_entries():
    W, b = rand(3, 2, 4, 2), rand(4)
    # Decision: output_shape's batch entry is ignored; the input's batch size is used.
    layer = Deconvolution2D(4, 3, 2, (32, 6, 4, 4), dim_ordering='tf', weights=[W, b])
    np.testing.assert_allclose(run(layer, X), ref.deconv2d(X, W, (6, 4), (1, 1), 'valid') + b,
                               rtol=1e-4, atol=1e-5)
    # Decision: None rows/cols are s (i - 1) + k ('valid') or s i ('same').
    layer = Deconvolution2D(4, 3, 2, (None, None, None, 4), subsample=(2, 2),
                            weights=[W, b])
    assert layer.get_output_shape_for((None, 4, 3, 2)) == (None, 9, 6, 4)
    np.testing.assert_allclose(run(layer, X), ref.deconv2d(X, W, (9, 6), (2, 2), 'valid') + b,
                               rtol=1e-4, atol=1e-5)
    layer = Deconvolution2D(4, 3, 2, (None, 4, None, None), border_mode='same',
                            subsample=(2, 2), dim_ordering='th', weights=[kernel_th(W), b])
    assert layer.get_output_shape_for((None, 2, 4, 3)) == (None, 4, 8, 6)


def test_unknown_input_size():
    W, b = rand(3, 3, 2, 2), rand(2)
    layer = Deconvolution2D(2, 3, 3, (None, None, None, 2), subsample=(2, 2), weights=[W, b])
    inp = keras_input((None, None, 2))
    y = layer(inp)
    assert y._keras_shape == (None, None, None, 2)
    f = K.function([inp], [y])
    for rows, cols in ((3, 4), (5, 2)):
        x = rand(2, rows, cols, 2)
        out = (2 * rows + 1, 2 * cols + 1)
        np.testing.assert_allclose(f([x])[0], ref.deconv2d(x, W, out, (2, 2), 'valid') + b,
                                   rtol=1e-4, atol=1e-5)
    fixed = Deconvolution2D(2, 3, 3, (None, 7, 9, 2), subsample=(2, 2), weights=[W, b])
    assert fixed(keras_input((None, None, 2)))._keras_shape == (None, 7, 9, 2)


def test_output_shape_checks():
    with pytest.raises(ValueError, match=r"output_shape \(None, 3, 14, 14\) has 14 channels, "
                                         r"but nb_filter is 3 \(the 'tf' layout is "
                                         r'\(samples, rows, cols, nb_filter\)\)'):
        Deconvolution2D(3, 3, 3, output_shape=(None, 3, 14, 14), dim_ordering='tf')
    with pytest.raises(ValueError, match='output_shape must be 4 entries'):
        Deconvolution2D(3, 3, 3, output_shape=(3, 14, 14))
    layer = Deconvolution2D(3, 3, 3, output_shape=(None, 3, 15, 14), dim_ordering='th',
                            name='d_bad')
    with pytest.raises(ValueError, match=r"d_bad: output_shape \(None, 3, 15, 14\) does not fit "
                                         r'its input of shape \(None, 3, 12, 12\).*rows of the '
                                         r'output must be between 14 and 14; got 15'):
        layer(keras_input((3, 12, 12)))
    same = Deconvolution2D(3, 3, 3, output_shape=(None, 3, 23, 25), subsample=(2, 2),
                           border_mode='same', dim_ordering='th', name='d_same')
    with pytest.raises(ValueError, match='cols of the output must be between 23 and 24; got 25'):
        same(keras_input((3, 12, 12)))


@pytest.mark.parametrize('ordering,shape', [('th', (4, 2, 3, 2)), ('tf', (3, 2, 4, 2))])
def test_weights_layout(ordering, shape):
    # The backend protocol's deconv2d layouts: 'th' (out, in, rows, cols), 'tf' (rows, cols,
    # out, in).
    out = (None, 4, 6, 4) if ordering == 'th' else (None, 6, 4, 4)
    layer = Deconv2D(4, 3, 2, out, dim_ordering=ordering, name='dc')
    assert type(layer) is Deconvolution2D
    layer(keras_input((2, 4, 3) if ordering == 'th' else (4, 3, 2)))
    assert [w.shape for w in layer.get_weights()] == [shape, (4,)]
    assert [w.name.split(':')[0].split('/')[-1] for w in layer.weights] == ['dc_W', 'dc_b']


def test_config_roundtrip():
    layer = Deconvolution2D(3, 3, 3, output_shape=(None, 3, 25, 25), subsample=(2, 2),
                            dim_ordering='th', W_regularizer=regularizers.l2(0.1),
                            input_shape=(3, 12, 12))
    config = layer.get_config()
    assert config['output_shape'] == (None, 3, 25, 25) and config['dim_ordering'] == 'th'
    assert roundtrip(layer).output_shape_ == (None, 3, 25, 25)
    model_json_roundtrip(Deconvolution2D(2, 2, 2, (None, 5, 4, 2), activation='relu'), X)


def test_trains():
    assert_trains(Deconvolution2D(2, 3, 3, (None, 9, 7, 2), subsample=(2, 2),
                                  W_regularizer=regularizers.l1(0.01)), X)
    assert_trains(Deconvolution2D(2, 2, 2, (None, 2, 4, 3), border_mode='same',
                                  dim_ordering='th'), ref.to_th(X))
