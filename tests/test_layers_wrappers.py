"""TimeDistributed and Bidirectional: the doc's examples (layers and whole models in time,
the video question-answering model), numpy references, weights, configs and training."""
import numpy as np
import pytest

from kcore import backend as K
from kcore import regularizers
from kcore.layers import (LSTM, Activation, Bidirectional, Convolution2D, Dense, Dropout, GRU,
                          Input, Masking, SimpleRNN, TimeDistributed, TimeDistributedDense)
from kcore.models import Model, Sequential
from kcore.testing import reference as ref
from kcore_test_helpers.layers import fresh_graph  # noqa: F401 (autouse fixture)
from kcore_test_helpers.layers import (
    assert_trains, keras_input, model_json_roundtrip, roundtrip, run)

rng = np.random.RandomState(11)
X = rng.randn(3, 5, 4).astype('float32')


# --------------------------------------------------------- TimeDistributed
def test_time_distributed_doc_example():
    model = Sequential()
    model.add(TimeDistributed(Dense(8), input_shape=(10, 16)))
    assert model.output_shape == (None, 10, 8)
    model.add(TimeDistributed(Dense(32)))
    assert model.output_shape == (None, 10, 32)
    x = rng.randn(32, 10, 16).astype('float32')
    assert model.layers[0].layer.get_weights()[0].shape == (16, 8)
    W1, b1, W2, b2 = model.get_weights()
    np.testing.assert_allclose(model.predict(x), (x @ W1 + b1) @ W2 + b2, rtol=1e-4, atol=1e-5)


def test_time_distributed_fixed_batch_runs_step_by_step():
    # With a batch size the wrapped layer runs per step (K.rnn), as in Keras 1.1.2: the
    # program's output for a batch of 32 is (32, 10, 8).
    model = Sequential([TimeDistributed(Dense(8), batch_input_shape=(32, 10, 16))])
    x = rng.randn(32, 10, 16).astype('float32')
    W, b = model.get_weights()
    out = model.predict(x, batch_size=32)
    assert out.shape == (32, 10, 8)
    np.testing.assert_allclose(out, x @ W + b, rtol=1e-4, atol=1e-5)


def test_time_distributed_dense_equals_time_distributed_dense_layer():
    wrapped = TimeDistributed(Dense(3, activation='tanh'))
    out = run(wrapped, X)
    old = TimeDistributedDense(3, activation='tanh', weights=wrapped.get_weights())
    np.testing.assert_allclose(run(old, X), out, rtol=1e-5, atol=1e-6)


def test_time_distributed_convolution_doc_example():
    model = Sequential()
    model.add(TimeDistributed(Convolution2D(64, 3, 3, dim_ordering='th'),
                              input_shape=(10, 3, 299, 299)))
    assert model.output_shape == (None, 10, 64, 297, 297)
    conv = Convolution2D(2, 3, 3, dim_ordering='tf', border_mode='same')
    x = rng.randn(2, 4, 5, 5, 3).astype('float32')
    out = run(TimeDistributed(conv), x)
    W, b = conv.get_weights()
    for t in range(4):
        np.testing.assert_allclose(out[:, t], ref.conv(x[:, t], W, (1, 1), 'same') + b,
                                   rtol=1e-4, atol=1e-5)


def test_time_distributed_model_doc_example():
    # L1730-1745: a model applied to each of 20 steps of 784 features gives 20 vectors
    # of 10; the weights are the model's.
    inputs = Input(shape=(784,))
    x = Dense(64, activation='relu')(inputs)
    predictions = Dense(10, activation='softmax')(x)
    model = Model(input=inputs, output=predictions)
    input_sequences = Input(shape=(20, 784))
    wrapped = TimeDistributed(model)
    processed_sequences = wrapped(input_sequences)
    assert processed_sequences._keras_shape == (None, 20, 10)
    assert len(wrapped.weights) == 4
    assert all(a is b for a, b in zip(wrapped.weights, model.weights))
    seq = rng.rand(2, 20, 784).astype('float32')
    out = Model(input_sequences, processed_sequences).predict(seq)
    expected = model.predict(seq.reshape(-1, 784)).reshape(2, 20, 10)
    np.testing.assert_allclose(out, expected, rtol=1e-5, atol=1e-6)
    from kcore.models import model_from_json
    outer = Model(input_sequences, processed_sequences)
    again = model_from_json(outer.to_json())
    again.set_weights(outer.get_weights())
    np.testing.assert_allclose(again.predict(seq), out, rtol=1e-5, atol=1e-6)


def test_time_distributed_unknown_number_of_steps():
    inp = keras_input((None, 4))
    td = TimeDistributed(Dense(3))
    y = td(inp)
    assert y._keras_shape == (None, None, 3)
    f = K.function([inp], [y])
    W, b = td.get_weights()
    for steps in (2, 7):
        x = rng.randn(2, steps, 4).astype('float32')
        np.testing.assert_allclose(f([x])[0], x @ W + b, rtol=1e-5, atol=1e-6)


def test_video_question_answering_doc_example():
    # L2029-2099 with smaller sizes: a vision model (Sequential) applied to every frame,
    # an LSTM over the frames, a question encoder reused as a model.
    from kcore.layers import Embedding, Flatten, MaxPooling2D, merge
    vision_model = Sequential()
    vision_model.add(Convolution2D(4, 3, 3, activation='relu', border_mode='same',
                                   input_shape=(3, 12, 12), dim_ordering='th'))
    vision_model.add(Convolution2D(4, 3, 3, activation='relu', dim_ordering='th'))
    vision_model.add(MaxPooling2D((2, 2), dim_ordering='th'))
    vision_model.add(Flatten())
    question_input = Input(shape=(100,), dtype='int32')
    embedded_question = Embedding(input_dim=50, output_dim=8, input_length=100)(question_input)
    encoded_question = LSTM(8)(embedded_question)

    video_input = Input(shape=(100, 3, 12, 12))
    encoded_frame_sequence = TimeDistributed(vision_model)(video_input)
    assert encoded_frame_sequence._keras_shape == (None, 100, 4 * 5 * 5)
    encoded_video = LSTM(16)(encoded_frame_sequence)
    assert encoded_video._keras_shape == (None, 16)
    question_encoder = Model(input=question_input, output=encoded_question)
    video_question_input = Input(shape=(100,), dtype='int32')
    encoded_video_question = question_encoder(video_question_input)
    merged = merge([encoded_video, encoded_video_question], mode='concat')
    output = Dense(10, activation='softmax')(merged)
    video_qa_model = Model(input=[video_input, video_question_input], output=output)
    assert video_qa_model.output_shape == (None, 10)
    video = rng.rand(1, 100, 3, 12, 12).astype('float32')
    question = rng.randint(1, 50, size=(1, 100))
    out = video_qa_model.predict([video, question])
    assert out.shape == (1, 10)
    np.testing.assert_allclose(out.sum(), 1., rtol=1e-5)


def test_time_distributed_mask_passes_through():
    x = X.copy()
    x[0, 3:] = 0.
    inp = keras_input((5, 4))
    td = TimeDistributed(Dense(3))
    masked = td(Masking(0.)(inp))
    lstm = LSTM(2)
    y = lstm(masked)
    mask = K.function([inp], [td.get_output_mask_at(0)])([x])[0]
    np.testing.assert_array_equal(mask, np.any(x != 0, axis=-1))
    assert K.function([inp], [y])([x])[0].shape == (3, 2)


def test_time_distributed_learning_phase_and_regularizers():
    td = TimeDistributed(Dropout(0.5))
    assert td.uses_learning_phase
    np.testing.assert_allclose(run(td, X, phase=0), X)
    dense = Dense(3, W_regularizer=regularizers.l2(0.1),
                  activity_regularizer=regularizers.activity_l2(0.2))
    td = TimeDistributed(dense)
    inp = keras_input((5, 4))
    y = td(inp)
    W = dense.get_weights()[0]
    weight_penalty, activity = K.function([inp], td.losses)([X])
    np.testing.assert_allclose(weight_penalty, 0.1 * np.sum(W ** 2), rtol=1e-5)
    out = K.function([inp], [y])([X])[0]
    np.testing.assert_allclose(activity, 0.2 * np.sum(np.mean(out ** 2, axis=0)), rtol=1e-5)


def test_time_distributed_trainable_and_weights():
    td = TimeDistributed(Dense(3))
    td(keras_input((5, 4)))
    assert len(td.trainable_weights) == 2
    td.trainable = False
    assert td.trainable_weights == [] and len(td.non_trainable_weights) == 2
    td.set_weights([np.ones((4, 3)), np.zeros(3)])
    np.testing.assert_array_equal(td.layer.get_weights()[0], np.ones((4, 3)))
    with pytest.raises(ValueError, match=r'weight 0.*\(4, 4\).*\(4, 3\)'):
        td.set_weights([np.ones((4, 4)), np.zeros(3)])
    assert td.count_params() == 15


def test_time_distributed_config_json_and_training():
    td = TimeDistributed(Dense(3, activation='relu'), input_shape=(5, 4), name='td')
    config = td.get_config()
    assert config['layer']['class_name'] == 'Dense'
    assert config['layer']['config']['output_dim'] == 3
    again = roundtrip(td)
    assert isinstance(again.layer, Dense) and again.name == 'td'
    model_json_roundtrip(TimeDistributed(Dense(3)), X)
    assert_trains(TimeDistributed(Dense(3)), X)


def test_time_distributed_input_errors():
    with pytest.raises(ValueError, match=r'td_x.*at least 3 axes.*\(None, 4\)'):
        TimeDistributed(Dense(3), name='td_x').get_output_shape_for((None, 4))
    with pytest.raises(ValueError, match=r'td_y'):
        TimeDistributed(Dense(3), name='td_y')(keras_input((4,)))
    with pytest.raises(TypeError, match='wraps a layer'):
        TimeDistributed('dense')


# ----------------------------------------------------------- Bidirectional
def test_bidirectional_doc_example():
    model = Sequential()
    model.add(Bidirectional(LSTM(10, return_sequences=True), input_shape=(5, 10)))
    assert model.output_shape == (None, 5, 20)
    model.add(Bidirectional(LSTM(10)))
    assert model.output_shape == (None, 20)
    model.add(Dense(5))
    model.add(Activation('softmax'))
    assert model.output_shape == (None, 5)
    model.compile(loss='categorical_crossentropy', optimizer='rmsprop')
    x = rng.randn(2, 5, 10).astype('float32')
    out = model.predict(x)
    np.testing.assert_allclose(out.sum(axis=1), np.ones(2), rtol=1e-5)
    assert len(model.layers[0].weights) == 24
    before = model.layers[0].get_weights()
    assert np.isfinite(model.train_on_batch(x, np.eye(5)[[1, 3]]))
    assert not any(np.allclose(a, b) for a, b in zip(model.layers[0].get_weights(), before))


def test_weight_files_roundtrip(tmp_path):
    # HDF5 weights of a model with wrapped and recurrent layers load back by order and
    # by name (the names are the Keras 1 ones: forward_lstm_1_W_i, ...).
    def build():
        model = Sequential()
        model.add(Bidirectional(LSTM(3, return_sequences=True, name='enc'), input_shape=(5, 4),
                                name='bi'))
        model.add(TimeDistributed(Dense(2), name='td'))
        model.add(SimpleRNN(2, name='dec'))
        return model
    model = build()
    path = str(tmp_path / 'w.h5')
    model.save_weights(path)
    other = build()
    other.load_weights(path, by_name=True)
    np.testing.assert_allclose(other.predict(X), model.predict(X), rtol=1e-5, atol=1e-6)
    from kcore.models import load_model
    model.save(str(tmp_path / 'm.h5'))   # the whole model: config (JSON) and weights
    np.testing.assert_allclose(load_model(str(tmp_path / 'm.h5')).predict(X), model.predict(X),
                               rtol=1e-5, atol=1e-6)
    import h5py
    with h5py.File(path, 'r') as f:
        names = [(n.decode() if isinstance(n, bytes) else n).split(':')[0]
                 for n in f['bi'].attrs['weight_names']]
    assert names[:3] == ['forward_enc_W_i', 'forward_enc_U_i', 'forward_enc_b_i']
    assert names[12] == 'backward_enc_W_i'


def reference_pair(layer):
    """The forward and backward numpy sequences of a Bidirectional(LSTM) on X."""
    w = layer.get_weights()
    _, forward, _ = ref.lstm(X, ref.gate_weights(w[:12], 'icfo'))
    _, backward, _ = ref.lstm(X, ref.gate_weights(w[12:], 'icfo'), go_backwards=True)
    return forward, backward[:, ::-1]


@pytest.mark.parametrize('merge_mode', ['concat', 'sum', 'mul', 'ave'])
def test_bidirectional_merge_modes_against_numpy(merge_mode):
    layer = Bidirectional(LSTM(3, return_sequences=True), merge_mode=merge_mode)
    out = run(layer, X)
    forward, backward = reference_pair(layer)
    expected = {'concat': np.concatenate([forward, backward], axis=-1),
                'sum': forward + backward, 'mul': forward * backward,
                'ave': (forward + backward) / 2}[merge_mode]
    np.testing.assert_allclose(out, expected, rtol=1e-4, atol=1e-5)


def test_bidirectional_without_merge_returns_two_outputs():
    layer = Bidirectional(LSTM(3, return_sequences=True), merge_mode=None)
    inp = keras_input((5, 4))
    ys = layer(inp)
    assert isinstance(ys, list) and [y._keras_shape for y in ys] == [(None, 5, 3)] * 2
    forward, backward = reference_pair(layer)
    got = K.function([inp], ys)([X])
    np.testing.assert_allclose(got[0], forward, rtol=1e-4, atol=1e-5)
    np.testing.assert_allclose(got[1], backward, rtol=1e-4, atol=1e-5)
    last = Bidirectional(LSTM(3), merge_mode=None)
    assert last.get_output_shape_for((None, 5, 4)) == [(None, 3), (None, 3)]


def test_bidirectional_last_output_is_backward_final_state():
    layer = Bidirectional(LSTM(3))
    out = run(layer, X)
    forward, backward = reference_pair(layer)
    np.testing.assert_allclose(out, np.concatenate([forward[:, -1], backward[:, 0]], axis=-1),
                               rtol=1e-4, atol=1e-5)


def test_bidirectional_weights_names_and_argument():
    layer = Bidirectional(GRU(3, name='g'))
    layer(keras_input((5, 4)))
    names = [w.name.split(':')[0] for w in layer.weights]
    assert names[:3] == ['forward_g_W_z', 'forward_g_U_z', 'forward_g_b_z']
    assert names[9:12] == ['backward_g_W_z', 'backward_g_U_z', 'backward_g_b_z']
    assert layer.forward_layer.go_backwards is False and layer.backward_layer.go_backwards
    weights = [rng.randn(*w.shape) for w in layer.get_weights()]
    again = Bidirectional(GRU(3), weights=weights)
    again(keras_input((5, 4)))
    for got, want in zip(again.get_weights(), weights):
        np.testing.assert_allclose(got, want, rtol=1e-6)
    wrapped = SimpleRNN(3, weights=[np.eye(4, 3), np.eye(3), np.ones(3)])
    layer = Bidirectional(wrapped)
    layer(keras_input((5, 4)))
    np.testing.assert_array_equal(layer.get_weights()[2], np.ones(3))   # forward copy


def test_bidirectional_masking():
    x = rng.randn(2, 3, 4).astype('float32')
    layer = Bidirectional(LSTM(3))
    plain = run(layer, x)
    padded = np.concatenate([np.zeros((2, 2, 4), 'float32'), x], axis=1)
    model = Sequential([Masking(0., input_shape=(5, 4)),
                        Bidirectional(LSTM(3), weights=layer.get_weights())])
    np.testing.assert_allclose(model.predict(padded), plain, rtol=1e-5, atol=1e-6)
    seq = Bidirectional(LSTM(3, return_sequences=True))
    inp = keras_input((5, 4))
    seq(Masking(0.)(inp))
    assert seq.get_output_mask_at(0) is not None


def test_bidirectional_config_json_and_training():
    layer = Bidirectional(LSTM(3, return_sequences=True, consume_less='gpu'), merge_mode='sum',
                          input_shape=(5, 4))
    config = layer.get_config()
    assert config['merge_mode'] == 'sum' and config['layer']['class_name'] == 'LSTM'
    again = roundtrip(layer)
    assert again.forward_layer.consume_less == 'gpu'
    model_json_roundtrip(Bidirectional(GRU(3)), X)
    assert_trains(Bidirectional(SimpleRNN(3, return_sequences=True)), X)


def test_bidirectional_stateful_reset():
    layer = Bidirectional(SimpleRNN(3, stateful=True))
    inp = Input(batch_shape=(3, 5, 4))
    model = Model(inp, layer(inp))
    assert layer.stateful and model.stateful
    first = model.predict(X, batch_size=3)
    assert not np.allclose(model.predict(X, batch_size=3), first)
    model.reset_states()
    np.testing.assert_allclose(model.predict(X, batch_size=3), first, rtol=1e-5, atol=1e-6)
    layer.reset_states([np.ones((3, 3)), np.zeros((3, 3))])
    np.testing.assert_array_equal(K.get_value(layer.forward_layer.states[0]), np.ones((3, 3)))


def test_bidirectional_errors():
    with pytest.raises(ValueError, match=r"merge_mode must be one of 'concat'.*'max'"):
        Bidirectional(LSTM(3), merge_mode='max')
    with pytest.raises(TypeError, match='recurrent layer'):
        Bidirectional(Dense(3))
    with pytest.raises(ValueError, match='3 axes'):
        Bidirectional(LSTM(3))(keras_input((4,)))
