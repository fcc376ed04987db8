"""Keras 1 code patterns where kcore used to differ from Keras 1.1.2 (issue 20, item 2, the
engine's part): each test runs the Keras 1 code and checks Keras 1.1.2's result."""
import warnings

import numpy as np
import pytest

from kcore import backend as K
from kcore.layers import (BatchNormalization, Dense, Input, Lambda, SimpleRNN,
                          TimeDistributed)
from kcore.models import Model, Sequential
from kcore_test_helpers.training import fresh_graph  # noqa: F401 (autouse fixture)

rng = np.random.RandomState(7)
X10 = rng.rand(10, 3).astype('float32')
W = np.array([[1., -1.], [0.5, 2.], [-2., 0.]], dtype='float32')
B = np.array([0.1, -0.2], dtype='float32')


def fixed_batch_model():
    """The Keras 1 pattern: the first layer has batch_input_shape=(10, 3)."""
    model = Sequential([Dense(2, batch_input_shape=(10, 3), activation='sigmoid')])
    model.set_weights([W, B])
    return model


def sigmoid(z):
    return 1. / (1. + np.exp(-z))


# ------------------------------------------------- fixed batch size (batch_input_shape)
def test_predict_runs_with_the_default_batch_size_when_len_x_is_the_fixed_size():
    model = fixed_batch_model()
    expected = sigmoid(X10.dot(W) + B)
    np.testing.assert_allclose(model.predict(X10), expected, rtol=1e-5)   # batch_size=32
    np.testing.assert_allclose(model.predict_proba(X10, verbose=0), expected, rtol=1e-5)
    np.testing.assert_array_equal(model.predict_classes(X10, verbose=0),
                                  expected.argmax(axis=-1))
    np.testing.assert_allclose(model.predict_on_batch(X10), expected, rtol=1e-5)
    y = np.ones((10, 2), 'float32')
    model.compile('sgd', 'mse')
    mse = np.mean((expected - y) ** 2)
    np.testing.assert_allclose(model.evaluate(X10, y, verbose=0), mse, rtol=1e-5)
    np.testing.assert_allclose(model.test_on_batch(X10, y), mse, rtol=1e-5)
    model.fit(X10, y, nb_epoch=1, verbose=0)                              # batch_size=32
    assert np.isfinite(model.train_on_batch(X10, y))


def test_a_batch_that_the_fixed_size_cannot_take_gets_a_clear_error():
    model = fixed_batch_model()
    X20 = np.concatenate([X10, X10])
    with pytest.raises(ValueError, match=r'fixed batch size of 10 .*every batch of predict must '
                                         r'have 10 samples; 20 samples with batch_size=32 make '
                                         r'batches of 20\. Pass batch_size=10'):
        model.predict(X20)
    np.testing.assert_allclose(model.predict(X20, batch_size=10)[10:], model.predict(X10),
                               rtol=1e-6)
    with pytest.raises(ValueError, match=r'expected arrays of shape \(10, 3\), got an array of '
                                         r'shape \(5, 3\)'):
        model.predict_on_batch(X10[:5])
    with pytest.raises(ValueError, match=r'batch_size must be an integer >= 1; got 0'):
        model.predict(X10, batch_size=0)


def test_the_stateful_check_applies_where_keras_1_1_2_has_it():
    model = Sequential([SimpleRNN(2, batch_input_shape=(4, 3, 2), stateful=True)])
    x = rng.rand(8, 3, 2).astype('float32')
    assert model.predict(x[:4]).shape == (4, 2)   # predict: 4 samples <= batch_size=32
    assert model.predict(x, batch_size=4).shape == (8, 2)
    with pytest.raises(ValueError, match=r'is stateful, so predict takes a number of samples '
                                         r'that batch_size divides.*got 6 samples with '
                                         r'batch_size=4'):
        model.predict(x[:6], batch_size=4)
    model.compile('sgd', 'mse')
    with pytest.raises(ValueError, match=r'is stateful, so fit takes .*got 4 samples with '
                                         r'batch_size=32'):
        model.fit(x[:4], np.zeros((4, 2)), verbose=0)   # Keras 1.1.2: 4 % 32 != 0
    model.fit(x, np.zeros((8, 2)), batch_size=4, nb_epoch=1, shuffle=False, verbose=0)


# ------------------------------------------------------------------ compile(**kwargs)
def test_compile_warns_that_unknown_keywords_are_ignored():
    model = fixed_batch_model()
    with pytest.warns(UserWarning, match='ignore'):
        model.compile('sgd', 'mse', no_such_option=True)
    with warnings.catch_warnings():
        warnings.simplefilter('ignore')   # a backend may warn again for each function
        assert np.isfinite(model.train_on_batch(X10, np.ones((10, 2))))


# ------------------------------------------------- a BatchNormalization on two inputs
def test_a_shared_batch_normalization_keeps_its_updates_per_input():
    bn = BatchNormalization(input_shape=(3,), momentum=0.5)
    x1, x2 = Input(shape=(3,)), Input(shape=(3,))
    y1, y2 = bn(x1), bn(x2)
    model2 = Model(x2, y2)
    assert len(model2.updates) == 2 and len(Model(x1, y1).updates) == 2
    model2.compile('sgd', 'mse')
    data = rng.rand(10, 3).astype('float32') + 2.
    model2.train_on_batch(data, data)   # feeds x2 only
    mean, variance = K.batch_get_value([bn.running_mean, bn.running_std])
    np.testing.assert_allclose(mean, 0.5 * data.mean(axis=0), rtol=1e-4)
    np.testing.assert_allclose(variance, 0.5 + 0.5 * data.var(axis=0), rtol=1e-3)
    model1 = Model(x1, y1)
    model1.compile('sgd', 'mse')
    model1.train_on_batch(data, data)
    np.testing.assert_allclose(K.get_value(bn.running_mean), 0.75 * data.mean(axis=0),
                               rtol=1e-4)


def test_a_shared_model_with_batch_normalization_trains_from_each_input():
    inner_input = Input(shape=(3,))
    inner = Model(inner_input, BatchNormalization()(Dense(3)(inner_input)))
    stack = Sequential([Dense(3, input_dim=3), BatchNormalization()])
    x1, x2 = Input(shape=(3,)), Input(shape=(3,))
    inner(x1), stack(x1)
    model = Model(x2, stack(inner(x2)))
    assert len(model.updates) == 4    # two moving averages per BatchNormalization
    model.compile('sgd', 'mse')
    assert np.isfinite(model.train_on_batch(X10, X10))


# --------------------------------------------------- model inputs must be Input tensors
def test_a_model_input_that_is_a_layer_output_is_refused():
    x = Input(shape=(3,))
    hidden = Dense(4, name='hidden')(x)
    with pytest.raises(ValueError, match=r'Input 0 of model \w+ is .*the output of layer hidden '
                                         r'\(Dense\), but model inputs must be Input tensors, '
                                         r'made by Input\(\) or an InputLayer.*Input\(shape='
                                         r'\(4,\)\)'):
        Model(input=hidden, output=Dense(1)(hidden))
    inner = Model(x, hidden)
    called = inner(Input(shape=(3,)))
    with pytest.raises(ValueError, match='the output of layer %s' % inner.name):
        Model([x, called], Dense(1)(called))


# ---------------------------------------------------- Lambda without output_shape
def test_lambda_infers_the_shape_the_function_produces_batch_axis_included():
    x = Input(shape=(4,))
    summed = Lambda(lambda t: K.sum(t, axis=0, keepdims=True))
    assert K.int_shape(summed(x)) == (1, 4) and summed.output_shape == (1, 4)
    data = rng.rand(5, 4).astype('float32')
    np.testing.assert_allclose(Model(x, summed.output).predict_on_batch(data),
                               data.sum(axis=0, keepdims=True), rtol=1e-5)
    first_two = Lambda(lambda t: t[:, :2])
    fixed = Input(batch_shape=(6, 4))
    assert first_two(fixed)._keras_shape == (6, 2)
    assert first_two.get_output_shape_for((8, 4)) == (8, 2)
    model = Model(x, first_two(x))
    assert model.get_output_shape_for((8, 4)) == (8, 2)


def test_lambda_knows_the_length_of_a_reversed_axis_on_every_backend():
    # PyTensor has no static length for x[:, ::-1]: the Lambda runs the function to find it.
    x = Input(shape=(16, 8))
    reverse = Lambda(lambda t: t[:, ::-1, :])
    y = reverse(x)
    assert y._keras_shape == (None, 16, 8) and reverse.output_shape == (None, 16, 8)
    assert reverse.get_output_shape_for((3, 16, 8)) == (3, 16, 8)
    model = Model(x, y)
    assert model.output_shape == (None, 16, 8)
    data = rng.rand(2, 16, 8).astype('float32')
    np.testing.assert_array_equal(model.predict(data), data[:, ::-1, :])


def test_lambda_leaves_unknown_what_depends_on_an_unknown_axis():
    # The trial lengths 1, 2 and 5 of the unknown axis show that t[:, :2] depends on it.
    sequence = Input(shape=(None, 8))
    assert Lambda(lambda t: t[:, :2])(sequence)._keras_shape == (None, None, 8)
    assert Lambda(lambda t: t[:, ::-1])(sequence)._keras_shape == (None, None, 8)
    pooled = Lambda(lambda t: K.max(t, axis=1))
    assert pooled(sequence)._keras_shape == (None, 8)


def test_lambda_shape_inference_uses_the_input_dtype_and_wrappers_can_ask_for_it():
    labels = Input(shape=(3,), dtype='int32')
    one_hot = Lambda(lambda t: K.one_hot(t, 5))
    assert one_hot(labels)._keras_shape == (None, 3, 5)
    assert one_hot.get_output_shape_for((2, 3)) == (2, 3, 5)
    sequence = Input(shape=(5, 3))
    squared = TimeDistributed(Lambda(K.square))(sequence)
    assert squared._keras_shape == (None, 5, 3)


def test_lambda_output_shape_given_as_a_tuple_or_a_function_is_kept():
    x = Input(batch_shape=(6, 4))
    assert Lambda(lambda t: t[:, :2], output_shape=(2,))(x)._keras_shape == (6, 2)
    by_function = Lambda(lambda t: t[:, :2], output_shape=lambda s: (s[0], 2))
    assert by_function.get_output_shape_for((None, 4)) == (None, 2)
    with warnings.catch_warnings():
        warnings.simplefilter('error')   # no warning when a shape is given
        assert by_function(x)._keras_shape == (6, 2)
