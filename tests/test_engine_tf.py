"""kcore layers and models on plain TensorFlow tensors (the doc's chapter "Keras as a
simplified interface to TensorFlow", L9627-10008), in kcore's graph."""
import numpy as np
import pytest

from kcore_test_helpers.engine import fresh_graph  # noqa: F401
from kcore import backend as K
from kcore.layers import Dense, Dropout
from kcore.models import Model, Sequential, model_from_config

from kcore_test_helpers.session import BACKEND

# The doc's "Keras as a simplified interface to TensorFlow" chapter: TensorFlow only.
pytestmark = pytest.mark.skipif(BACKEND != 'tensorflow', reason='TensorFlow interop')
tf = pytest.importorskip('tensorflow')


def relu(x):
    return np.maximum(x, 0)


def placeholder(shape):
    K.learning_phase()   # make sure kcore's graph is the thread's default graph
    return tf.compat.v1.placeholder(tf.float32, shape=shape)


def test_dense_layers_on_a_tensorflow_placeholder():
    """L9659-9675."""
    img = placeholder((None, 784))
    first = Dense(128, activation='relu')
    x = first(img)
    x = Dense(128, activation='relu')(x)
    preds = Dense(10, activation='softmax')(x)
    assert preds._keras_shape == (None, 10)
    data = np.random.rand(3, 784).astype('float32')
    values = K.get_session().run(preds, feed_dict={img: data})
    np.testing.assert_allclose(values.sum(axis=1), np.ones(3), rtol=1e-5)
    W, b = first.get_weights()
    np.testing.assert_allclose(K.get_session().run(first.output, feed_dict={img: data}),
                               relu(data @ W + b), rtol=1e-4, atol=1e-5)
    model = Model(input=img, output=preds)   # the placeholder is the model's input
    np.testing.assert_allclose(model.predict(data), values, rtol=1e-5)


def test_learning_phase_is_fed_like_any_placeholder():
    """L9722-9763: Dropout acts only when the learning phase is 1."""
    img = placeholder((None, 50))
    out = Dropout(0.5)(img)
    assert out._uses_learning_phase
    data = np.ones((4, 50), dtype='float32')
    sess = K.get_session()
    np.testing.assert_allclose(sess.run(out, feed_dict={img: data, K.learning_phase(): 0}), data)
    trained = sess.run(out, feed_dict={img: data, K.learning_phase(): 1})
    assert set(np.unique(trained)) <= {0., 2.} and (trained == 0).any()


def test_name_scopes_prefix_weight_names():
    """L9766-9772."""
    x = placeholder((None, 64))
    with tf.name_scope('block1'):
        layer = Dense(32, name='mydense')
        layer(x)
    assert layer.W.name.startswith('block1/mydense_W')


def test_shared_layer_on_two_placeholders_and_trainable_weights():
    """L9796-9842."""
    layer = Dense(32)
    x, y = placeholder((None, 64)), placeholder((None, 64))
    x_encoded, y_encoded = layer(x), layer(y)
    assert layer.trainable_weights == [layer.W, layer.b]
    assert layer.get_output_at(1) is y_encoded
    assert all(isinstance(w, tf.Variable) for w in layer.trainable_weights)


def test_set_input_then_build_the_rest_of_the_model():
    """L9859-9880."""
    my_input_tensor = placeholder((None, 784))
    model = Sequential()
    first_layer = Dense(32, activation='relu', input_dim=784)
    first_layer.set_input(my_input_tensor)
    model.add(first_layer)
    model.add(Dense(10, activation='softmax'))
    assert model.input is my_input_tensor
    output_tensor = model.output
    assert output_tensor._keras_shape == (None, 10)
    data = np.random.rand(2, 784).astype('float32')
    np.testing.assert_allclose(K.get_session().run(output_tensor, {my_input_tensor: data}),
                               model.predict(data), rtol=1e-5)


def test_calling_a_sequential_model_on_a_tensorflow_tensor():
    """L9884-9896."""
    model = Sequential()
    model.add(Dense(32, activation='relu', input_dim=784))
    model.add(Dense(10, activation='softmax'))
    x = placeholder((None, 784))
    y = model(x)
    data = np.random.rand(2, 784).astype('float32')
    np.testing.assert_allclose(K.get_session().run(y, {x: data}), model.predict(data), rtol=1e-5)


def test_rebuilding_with_the_learning_phase_fixed():
    """L9973-9986: set_learning_phase(0), model_from_config(config), set_weights."""
    previous_model = Sequential([Dense(4, input_dim=3), Dropout(0.5), Dense(2)])
    config, weights = previous_model.get_config(), previous_model.get_weights()
    try:
        K.set_learning_phase(0)
        new_model = model_from_config(config)
        new_model.set_weights(weights)
        data = np.random.rand(5, 3)
        np.testing.assert_allclose(new_model.predict(data), previous_model.predict(data),
                                   rtol=1e-5)
        assert new_model.predict_function.feeds_phase is False   # the phase is a constant now
    finally:
        K.clear_session()
