"""Stateful recurrent layers: the FAQ's example, states carried between batches through
the model's functions, reset_states, and the fixed-batch-size requirement."""
import numpy as np
import pytest

from kcore import backend as K
from kcore.layers import GRU, LSTM, Dense, Input, SimpleRNN
from kcore.models import Model, Sequential
from kcore.testing import reference as ref
from kcore_test_helpers.layers import fresh_graph  # noqa: F401 (autouse fixture)
from kcore_test_helpers.layers import keras_input

rng = np.random.RandomState(5)


def faq_model():
    """The FAQ's stateful model (L2345-2389): batches of 32 sequences of 10 steps of 16."""
    model = Sequential()
    model.add(LSTM(32, batch_input_shape=(32, 10, 16), stateful=True))
    model.add(Dense(16, activation='softmax'))
    return model


def test_faq_example_states_carry_over_and_reset():
    X = rng.rand(32, 21, 16).astype('float32')
    model = faq_model()
    assert model.stateful and model.layers[0].stateful
    first = model.predict(X[:, :10], batch_size=32)
    follow_up = model.predict(X[:, 10:20], batch_size=32)
    # The follow-up batch continues the sequences: the same as one 20-step pass.
    whole = Sequential([LSTM(32, input_shape=(20, 16)), Dense(16, activation='softmax')])
    whole.set_weights(model.get_weights())
    np.testing.assert_allclose(follow_up, whole.predict(X[:, :20]), rtol=1e-4, atol=1e-6)
    assert not np.allclose(model.predict(X[:, :10], batch_size=32), first)
    model.reset_states()
    np.testing.assert_allclose(model.predict(X[:, :10], batch_size=32), first, rtol=1e-5,
                               atol=1e-7)
    model.predict(X[:, :10], batch_size=32)
    model.layers[0].reset_states()   # "another way to do it in this case"
    np.testing.assert_allclose(model.predict(X[:, :10], batch_size=32), first, rtol=1e-5,
                               atol=1e-7)


def test_faq_example_training_updates_weights_and_states():
    X = rng.rand(32, 21, 16).astype('float32')
    model = faq_model()
    lstm = model.layers[0]
    model.compile(optimizer='rmsprop', loss='categorical_crossentropy')
    before = model.get_weights()
    # we train the network to predict the 11th timestep given the first 10:
    model.train_on_batch(X[:, :10, :], np.reshape(X[:, 10, :], (32, 16)))
    h, c = K.batch_get_value(lstm.states)
    assert h.shape == c.shape == (32, 32) and np.abs(h).sum() > 0
    # the state of the network has changed. We can feed the follow-up sequences:
    model.train_on_batch(X[:, 10:20, :], np.reshape(X[:, 20, :], (32, 16)))
    assert not np.allclose(K.get_value(lstm.states[0]), h)
    for b, a in zip(before, model.get_weights()):
        assert not np.allclose(a, b)
    model.reset_states()
    assert not any(np.any(s) for s in K.batch_get_value(lstm.states))
    model.predict_classes(X[:, :10], batch_size=32, verbose=0)   # predicting updates them too
    assert np.abs(K.get_value(lstm.states[0])).sum() > 0
    model.layers[0].reset_states()
    assert not any(np.any(s) for s in K.batch_get_value(lstm.states))


@pytest.mark.parametrize('cls', [SimpleRNN, GRU, LSTM])
def test_reset_states_to_given_values(cls):
    x = rng.randn(2, 4, 3).astype('float32')
    layer = cls(5, stateful=True, return_sequences=True, go_backwards=True)
    inp = Input(batch_shape=(2, 4, 3))
    model = Model(inp, layer(inp))
    states = [rng.randn(2, 5) for _ in layer.states]
    layer.reset_states(states if cls is LSTM else states[0])
    for got, want in zip(K.batch_get_value(layer.states), states):
        np.testing.assert_allclose(got, want, rtol=1e-6)
    out = model.predict(x, batch_size=2)
    w = layer.get_weights()
    if cls is LSTM:
        _, seq, final = ref.lstm(x, ref.gate_weights(w, 'icfo'), states=states, go_backwards=True)
    elif cls is GRU:
        _, seq, final = ref.gru(x, ref.gate_weights(w, 'zrh'), h0=states[0], go_backwards=True)
    else:
        _, seq, final = ref.simple_rnn(x, *w, h0=states[0], go_backwards=True)
    np.testing.assert_allclose(out, seq, rtol=1e-4, atol=1e-5)
    for got, want in zip(K.batch_get_value(layer.states), final):
        np.testing.assert_allclose(got, want, rtol=1e-4, atol=1e-5)


def test_stateful_needs_fixed_batch_size():
    with pytest.raises(ValueError, match=r'lstm_s is stateful.*fixed batch size.*\(None, 10, 16\)'
                                         r'.*batch_input_shape'):
        Sequential([LSTM(4, input_shape=(10, 16), stateful=True, name='lstm_s')])
    with pytest.raises(ValueError, match=r'batch_shape'):
        LSTM(4, stateful=True)(Input(shape=(10, 16)))


def test_reset_states_errors():
    plain = LSTM(3, name='plain')
    plain(keras_input((4, 2)))
    with pytest.raises(ValueError, match=r'plain is not stateful'):
        plain.reset_states()
    with pytest.raises(ValueError, match=r'no states yet'):
        LSTM(3, stateful=True, name='unbuilt').reset_states()
    layer = GRU(3, stateful=True, name='g')
    layer(Input(batch_shape=(2, 4, 2)))
    with pytest.raises(ValueError, match=r'g: reset_states got arrays of shapes \[\(3, 3\)\]; '
                                         r'its states have shapes \[\(2, 3\)\]'):
        layer.reset_states(np.zeros((3, 3)))


def test_stateful_config_roundtrip_keeps_batch_size():
    model = faq_model()
    config = model.layers[0].get_config()
    assert config['stateful'] is True and config['batch_input_shape'] == (32, 10, 16)
    from kcore.models import model_from_json
    again = model_from_json(model.to_json())
    assert again.layers[0].stateful and again.input_shape == (32, 10, 16)
    again.set_weights(model.get_weights())
    X = rng.rand(32, 10, 16).astype('float32')
    np.testing.assert_allclose(again.predict(X, batch_size=32), model.predict(X, batch_size=32),
                               rtol=1e-5, atol=1e-7)
