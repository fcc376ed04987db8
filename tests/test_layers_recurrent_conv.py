"""ConvLSTM2D: the recurrence against a numpy loop of convolutions on both orderings,
border modes, subsample, shapes, weights, configs, stateful use, dropout and training."""
import numpy as np
import pytest

from kcore import backend as K
from kcore import regularizers
from kcore.layers import ConvLSTM2D, Input
from kcore.layers.convolutional_recurrent import ConvLSTM2D as PublicConvLSTM2D
from kcore.models import Model, Sequential
from kcore.testing import reference as ref
from kcore_test_helpers.layers import fresh_graph  # noqa: F401 (autouse fixture)
from kcore_test_helpers.layers import (
    assert_trains, keras_input, model_json_roundtrip, roundtrip, run)

rng = np.random.RandomState(7)
X_TF = rng.randn(2, 3, 5, 6, 2).astype('float32')      # (samples, time, rows, cols, channels)
X_TH = X_TF.transpose(0, 1, 4, 2, 3).copy()            # (samples, time, channels, rows, cols)


def tf_weights(nb_filter=3, stack=2, k=(3, 2)):
    """Random 'tf' kernels and biases per gate."""
    w = {}
    for g in 'ifco':
        w['W_' + g] = rng.randn(k[0], k[1], stack, nb_filter) * 0.3
        w['U_' + g] = rng.randn(k[0], k[1], nb_filter, nb_filter) * 0.3
        w['b_' + g] = rng.randn(nb_filter) * 0.3
    return w


def as_list(w, dim_ordering='tf'):
    """Keras 1.1.2 order, kernels in the layer's layout ('th': (out, in, rows, cols))."""
    out = []
    for g in 'icfo':
        for kind in 'WUb':
            value = w['%s_%s' % (kind, g)]
            if kind != 'b' and dim_ordering == 'th':
                value = value.transpose(3, 2, 0, 1)
            out.append(value)
    return out


def to_th(y):
    """A 'tf' output (samples, [time,] rows, cols, filters) in 'th' layout."""
    return np.moveaxis(y, -1, -3)


def test_public_path_and_registry():
    from kcore import plugins
    assert PublicConvLSTM2D is ConvLSTM2D
    assert plugins.get('layers', 'ConvLSTM2D') is ConvLSTM2D


@pytest.mark.parametrize('border_mode,subsample', [('valid', (1, 1)), ('same', (1, 1)),
                                                   ('same', (2, 2)), ('valid', (2, 1))])
def test_against_numpy_both_orderings(border_mode, subsample):
    w = tf_weights()
    last, seq, _ = ref.conv_lstm(X_TF, w, subsample, border_mode)
    kwargs = dict(nb_filter=3, nb_row=3, nb_col=2, border_mode=border_mode, subsample=subsample,
                  return_sequences=True)
    out_tf = run(ConvLSTM2D(dim_ordering='tf', weights=as_list(w), **kwargs), X_TF)
    np.testing.assert_allclose(out_tf, seq, rtol=1e-4, atol=1e-5)
    out_th = run(ConvLSTM2D(dim_ordering='th', weights=as_list(w, 'th'), **kwargs), X_TH)
    np.testing.assert_allclose(out_th, to_th(seq), rtol=1e-4, atol=1e-5)


def test_last_output_and_go_backwards():
    w = tf_weights()
    last, _, _ = ref.conv_lstm(X_TF, w, border_mode='same', go_backwards=True)
    layer = ConvLSTM2D(3, 3, 2, dim_ordering='tf', border_mode='same', go_backwards=True,
                       weights=as_list(w))
    np.testing.assert_allclose(run(layer, X_TF), last, rtol=1e-4, atol=1e-5)


def test_output_shapes():
    layer = ConvLSTM2D(4, 3, 3, dim_ordering='th', return_sequences=True)
    assert layer.get_output_shape_for((None, 7, 2, 10, 12)) == (None, 7, 4, 8, 10)
    layer = ConvLSTM2D(4, 3, 3, dim_ordering='tf', border_mode='same', subsample=(2, 2))
    assert layer.get_output_shape_for((None, 7, 10, 11, 2)) == (None, 5, 6, 4)
    layer = ConvLSTM2D(4, 3, 3, dim_ordering='tf', border_mode='same', return_sequences=True)
    assert layer.get_output_shape_for((None, None, 10, 11, 2)) == (None, None, 10, 11, 4)


def test_default_dim_ordering_is_the_config():
    # The doc's rule (§20 item 1): 'default' means the config's image_dim_ordering.
    assert ConvLSTM2D(2, 3, 3).dim_ordering == K.image_dim_ordering()
    K.set_image_dim_ordering('th')
    try:
        layer = ConvLSTM2D(2, 3, 3)
        assert layer.dim_ordering == 'th' and layer.get_config()['dim_ordering'] == 'th'
    finally:
        K.set_image_dim_ordering('tf')


def test_weights_order_names_and_shapes():
    layer = ConvLSTM2D(3, 3, 2, dim_ordering='th', name='clstm')
    layer(keras_input((3, 2, 5, 6)))
    names = [w.name.split(':')[0] for w in layer.weights]
    assert names == ['clstm_%s_%s' % (k, g) for g in 'icfo' for k in 'WUb']
    shapes = [w.shape for w in layer.get_weights()[:3]]
    assert shapes == [(3, 2, 3, 2), (3, 3, 3, 2), (3,)]
    np.testing.assert_array_equal(layer.get_weights()[8], np.ones(3))   # b_f
    tf_layer = ConvLSTM2D(3, 3, 2, dim_ordering='tf')
    tf_layer(keras_input((3, 5, 6, 2)))
    assert [w.shape for w in tf_layer.get_weights()[:2]] == [(3, 2, 2, 3), (3, 2, 3, 3)]


def test_theano_file_kernels_are_flipped():
    layer = ConvLSTM2D(3, 3, 2, dim_ordering='tf')
    layer(keras_input((3, 5, 6, 2)))
    weights = layer.get_weights()
    loaded = layer.convert_loaded_weights(
        weights, {'backend': 'theano', 'image_dim_ordering': 'tf', 'kcore_version': None})
    np.testing.assert_array_equal(loaded[0], weights[0][::-1, ::-1])
    np.testing.assert_array_equal(loaded[1], weights[1][::-1, ::-1])
    np.testing.assert_array_equal(loaded[2], weights[2])
    same = layer.convert_loaded_weights(
        weights, {'backend': 'tensorflow', 'image_dim_ordering': 'tf', 'kcore_version': '0.1'})
    np.testing.assert_array_equal(same[0], weights[0])


def test_config_and_json_roundtrip():
    layer = ConvLSTM2D(3, 3, 2, init='normal', inner_init='glorot_uniform',
                       forget_bias_init='zero', activation='relu', inner_activation='sigmoid',
                       dim_ordering='tf', border_mode='same', subsample=(2, 1),
                       W_regularizer=regularizers.l2(0.01), dropout_W=0.1, dropout_U=0.2,
                       return_sequences=True, go_backwards=True, input_shape=(3, 5, 6, 2))
    config = layer.get_config()
    for key in ('consume_less', 'input_dim', 'input_length'):
        assert key not in config
    assert config['subsample'] == (2, 1) and config['nb_filter'] == 3
    assert config['batch_input_shape'] == (None, 3, 5, 6, 2)
    roundtrip(layer)
    model_json_roundtrip(ConvLSTM2D(3, 3, 2, dim_ordering='th', border_mode='same'), X_TH)


def test_stateful_th_states_and_reset():
    layer = ConvLSTM2D(3, 3, 2, dim_ordering='th', border_mode='same', stateful=True)
    inp = Input(batch_shape=(2, 3, 2, 5, 6))
    model = Model(inp, layer(inp))
    assert [K.int_shape(s) for s in layer.states] == [(2, 3, 5, 6)] * 2
    first = model.predict(X_TH, batch_size=2)
    assert not np.allclose(model.predict(X_TH, batch_size=2), first)
    layer.reset_states()
    np.testing.assert_allclose(model.predict(X_TH, batch_size=2), first, rtol=1e-5, atol=1e-6)
    with pytest.raises(ValueError, match='fixed batch size'):
        ConvLSTM2D(3, 3, 3, stateful=True)(keras_input((3, 5, 6, 2)))


def test_dropout_only_in_training():
    w = as_list(tf_weights())
    plain, layer = (ConvLSTM2D(3, 3, 2, dim_ordering='tf', border_mode='same', weights=w,
                               **kwargs) for kwargs in ({}, {'dropout_W': 0.3, 'dropout_U': 0.3}))
    assert layer.uses_learning_phase
    inp = keras_input(X_TF.shape[1:])
    f = K.function([inp, K.learning_phase()], [plain(inp), layer(inp)])
    (out, test), (_, train) = f([X_TF, 0]), f([X_TF, 1])
    np.testing.assert_allclose(test, out, rtol=1e-5, atol=1e-6)
    assert not np.allclose(train, out)


def test_training_step_and_regularizers():
    layer = ConvLSTM2D(2, 2, 2, dim_ordering='tf', border_mode='same',
                       W_regularizer=regularizers.l2(0.1), b_regularizer=regularizers.l1(0.1))
    assert_trains(layer, X_TF[:, :2, :4, :4])
    weights = layer.get_weights()
    want = 0.1 * sum(np.sum(w ** 2) for w in weights[0::3]) + 0.1 * sum(
        np.sum(np.abs(b)) for b in weights[2::3])
    np.testing.assert_allclose(sum(K.eval(p) for p in layer.losses), want, rtol=1e-5)


def test_conv_lstm_example_model_builds():
    # The doc's conv_lstm.py example (scaled down): stacked ConvLSTM2D with batch
    # normalization and a Convolution3D head, on sequences of unknown length.
    from kcore.layers import BatchNormalization, Convolution3D
    seq = Sequential()
    seq.add(ConvLSTM2D(nb_filter=4, nb_row=3, nb_col=3, input_shape=(None, 8, 8, 1),
                       border_mode='same', return_sequences=True, dim_ordering='tf'))
    seq.add(BatchNormalization())
    seq.add(ConvLSTM2D(nb_filter=4, nb_row=3, nb_col=3, border_mode='same',
                       return_sequences=True, dim_ordering='tf'))
    seq.add(BatchNormalization())
    seq.add(Convolution3D(nb_filter=1, kernel_dim1=1, kernel_dim2=3, kernel_dim3=3,
                          activation='sigmoid', border_mode='same', dim_ordering='tf'))
    assert seq.output_shape == (None, None, 8, 8, 1)
    movies = rng.rand(2, 5, 8, 8, 1).astype('float32')
    assert seq.predict(movies).shape == (2, 5, 8, 8, 1)


def test_argument_errors():
    with pytest.raises(ValueError, match=r"ConvLSTM2D: border_mode must be 'valid' or 'same'"):
        ConvLSTM2D(2, 3, 3, border_mode='full')
    with pytest.raises(ValueError, match=r'subsample'):
        ConvLSTM2D(2, 3, 3, subsample=(1, 2, 3))
    with pytest.raises(TypeError, match=r"unexpected keyword argument 'consume_less'"):
        ConvLSTM2D(2, 3, 3, consume_less='gpu')
    with pytest.raises(ValueError, match=r'conv_x.*\(samples, time, rows, cols, channels\)'):
        ConvLSTM2D(2, 3, 3, dim_ordering='tf', name='conv_x').build((None, 3, 5, 5))
