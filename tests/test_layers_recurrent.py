"""SimpleRNN, GRU and LSTM: recurrences against numpy loops in every consume_less mode,
go_backwards, unroll, masking, weights, configs, regularizers and training."""
import numpy as np
import pytest

from kcore import backend as K
from kcore import regularizers
from kcore.layers import GRU, LSTM, Dense, Masking, SimpleRNN
from kcore.layers.recurrent import Recurrent
from kcore.models import Sequential
from kcore.testing import reference as ref
from kcore_test_helpers.layers import fresh_graph  # noqa: F401 (autouse fixture)
from kcore_test_helpers.layers import (
    assert_trains, keras_input, model_json_roundtrip, roundtrip, run)

rng = np.random.RandomState(3)
X = rng.randn(3, 5, 4).astype('float32')
MODES = ('cpu', 'mem', 'gpu')


def gate_weights(gates, input_dim=4, n=3, scale=0.5):
    """Random per-gate weights {'W_g', 'U_g', 'b_g'}."""
    w = {}
    for g in gates:
        w['W_' + g] = rng.randn(input_dim, n) * scale
        w['U_' + g] = rng.randn(n, n) * scale
        w['b_' + g] = rng.randn(n) * scale
    return w


def as_list(w, order):
    """Per-gate weights in Keras 1.1.2 order (each gate: W, U, b)."""
    return [w['%s_%s' % (kind, g)] for g in order for kind in 'WUb']


def references(cls, w, x, **kwargs):
    if cls is LSTM:
        return ref.lstm(x, w, **kwargs)
    if cls is GRU:
        return ref.gru(x, w, **kwargs)
    return ref.simple_rnn(x, w['W_'], w['U_'], w['b_'], **kwargs)


CASES = [(SimpleRNN, ('',), ('',)), (GRU, 'zrh', 'zrh'), (LSTM, 'ifco', 'icfo')]


def evaluate(layers, x, phase=None):
    """The outputs of ``layers``, each called on the same input, from one backend
    function (one graph run is much cheaper than one per layer); ``phase`` feeds the
    learning phase."""
    inp = keras_input(x.shape[1:])
    ys = [layer(inp) for layer in layers]
    feeds = [inp] + ([K.learning_phase()] if phase is not None else [])
    outs = K.function(feeds, ys)([x] + ([phase] if phase is not None else []))
    for y, out in zip(ys, outs):
        assert tuple(d for d in y._keras_shape[1:]) == out.shape[1:]
    return outs


# ----------------------------------------------------------- doc examples
def test_doc_example_output_shape_is_last_output():
    # §20 item 6: the doc's comment says (None, 10, 32); the stated rule gives (None, 32).
    model = Sequential()
    model.add(LSTM(32, input_shape=(10, 64)))
    assert model.output_shape == (None, 32)
    same = LSTM(32, input_dim=64, input_length=10)
    assert same.batch_input_shape == (None, 10, 64)
    model = Sequential()
    model.add(same)
    assert model.output_shape == (None, 32)


def test_doc_example_stacking_needs_return_sequences():
    # The doc stacks LSTM(16) on LSTM(32) without return_sequences: the second LSTM then
    # gets 2D input, and the error says so; with return_sequences=True it works.
    model = Sequential()
    model.add(LSTM(32, input_shape=(10, 64)))
    with pytest.raises(ValueError, match=r'lstm_\d+.*3 axes.*\(None, 32\)'):
        model.add(LSTM(16))
    model = Sequential()
    model.add(LSTM(32, input_shape=(10, 64), return_sequences=True))
    model.add(LSTM(16))
    assert model.output_shape == (None, 16)


def test_return_sequences_shapes():
    for cls, _, _ in CASES:
        layer = cls(3, return_sequences=True)
        assert run(layer, X).shape == (3, 5, 3)
        assert layer.get_output_shape_for((None, 7, 4)) == (None, 7, 3)
        assert run(cls(3), X).shape == (3, 3)


def test_unknown_number_of_timesteps():
    # The doc's TensorFlow warning (timesteps must be known) does not apply: the loop
    # runs over however many steps each batch has (unroll=True excepted).
    inp = keras_input((None, 4))
    layer = GRU(3, return_sequences=True)
    y = layer(inp)
    assert y._keras_shape == (None, None, 3)
    f = K.function([inp], [y])
    w = ref.gate_weights(layer.get_weights(), 'zrh')
    for steps in (2, 6):
        x = rng.randn(2, steps, 4).astype('float32')
        np.testing.assert_allclose(f([x])[0], ref.gru(x, w)[1], rtol=1e-4, atol=1e-5)


# ------------------------------------------------------------- numerics
@pytest.mark.parametrize('mode', MODES)
@pytest.mark.parametrize('cls,gates,order', CASES)
def test_against_numpy(cls, gates, order, mode):
    w = gate_weights(gates)
    last, seq, _ = references(cls, w, X)
    out_seq, out_last = evaluate([
        cls(3, consume_less=mode, return_sequences=True, weights=as_list(w, order)),
        cls(3, consume_less=mode, weights=as_list(w, order))], X)
    np.testing.assert_allclose(out_seq, seq, rtol=1e-4, atol=1e-5)
    np.testing.assert_allclose(out_last, last, rtol=1e-4, atol=1e-5)


@pytest.mark.parametrize('cls,gates,order', CASES)
def test_go_backwards(cls, gates, order):
    w = gate_weights(gates)
    _, seq, _ = references(cls, w, X, go_backwards=True)
    layer = cls(3, go_backwards=True, return_sequences=True, weights=as_list(w, order))
    np.testing.assert_allclose(run(layer, X), seq, rtol=1e-4, atol=1e-5)


@pytest.mark.parametrize('cls,gates,order', CASES)
def test_unroll_agrees_with_loop(cls, gates, order):
    # Decision: unroll=True unrolls on TensorFlow too (the doc calls it a no-op there).
    w = as_list(gate_weights(gates), order)
    rolled, unrolled = evaluate([cls(3, return_sequences=True, weights=w),
                                 cls(3, return_sequences=True, unroll=True, weights=w)], X)
    np.testing.assert_allclose(unrolled, rolled, rtol=1e-5, atol=1e-6)


def test_unroll_needs_known_timesteps():
    with pytest.raises(ValueError, match=r'cannot unroll.*timesteps'):
        LSTM(3, unroll=True)(keras_input((None, 4)))


def test_activations_are_used():
    w = gate_weights('ifco')
    _, seq, _ = ref.lstm(X, w, activation=lambda v: np.maximum(v, 0), inner=ref.sigmoid)
    layer = LSTM(3, activation='relu', inner_activation='sigmoid', return_sequences=True,
                 weights=as_list(w, 'icfo'))
    np.testing.assert_allclose(run(layer, X), seq, rtol=1e-4, atol=1e-5)
    w = gate_weights('zrh')
    _, seq, _ = ref.gru(X, w, activation=ref.sigmoid, inner=ref.sigmoid)
    layer = GRU(3, activation='sigmoid', inner_activation='sigmoid', return_sequences=True,
                weights=as_list(w, 'zrh'))
    np.testing.assert_allclose(run(layer, X), seq, rtol=1e-4, atol=1e-5)


@pytest.mark.parametrize('cls', [GRU, LSTM])
def test_consume_less_modes_share_weights(cls):
    # §20 item 8: 'gpu' (fused weights) is accepted besides the documented 'cpu' and 'mem'.
    # Weights taken from a 'gpu' layer (fused layout) give the same outputs in 'cpu' and
    # 'mem' (per-gate layout), and back.
    gpu = cls(3, consume_less='gpu', return_sequences=True)
    gpu(keras_input((5, 4)))
    layers = [gpu]
    for mode in ('cpu', 'mem'):
        other = cls(3, consume_less=mode, return_sequences=True)
        other(keras_input((5, 4)))
        other.set_weights(gpu.get_weights())
        layers.append(other)
    layers.append(cls(3, consume_less='gpu', weights=other.get_weights(), return_sequences=True))
    outs = evaluate(layers, X)
    for out in outs[1:]:
        np.testing.assert_allclose(out, outs[0], rtol=1e-5, atol=1e-6)


# --------------------------------------------------------------- masking
@pytest.mark.parametrize('cls', [SimpleRNN, GRU, LSTM])
def test_masked_padding_equals_unpadded_sequence(cls):
    x = rng.randn(2, 3, 4).astype('float32')
    layer = cls(3)
    plain = run(layer, x)
    pad = np.zeros((2, 2, 4), 'float32')
    for padded in (np.concatenate([pad, x], axis=1), np.concatenate([x, pad], axis=1)):
        model = Sequential([Masking(0., input_shape=(5, 4)), cls(3, weights=layer.get_weights())])
        np.testing.assert_allclose(model.predict(padded), plain, rtol=1e-5, atol=1e-6)


def test_mask_against_numpy_and_propagation():
    x = X.copy()
    x[0, 1] = 0.
    x[2, 3:] = 0.
    w = gate_weights('ifco')
    _, seq, _ = ref.lstm(x, w, mask=np.any(x != 0, axis=-1))
    inp = keras_input((5, 4))
    lstm = LSTM(3, return_sequences=True, weights=as_list(w, 'icfo'))
    y = lstm(Masking(0.)(inp))
    np.testing.assert_allclose(K.function([inp], [y])([x])[0], seq, rtol=1e-4, atol=1e-5)
    mask = K.function([inp], [lstm.get_output_mask_at(0)])([x])[0]
    np.testing.assert_array_equal(mask, np.any(x != 0, axis=-1))
    last = LSTM(3)
    last(Masking(0.)(inp))
    assert last.get_output_mask_at(0) is None


# ---------------------------------------------------------------- weights
def test_lstm_weight_order_names_and_forget_bias():
    layer = LSTM(3, name='mylstm')
    layer(keras_input((5, 4)))
    names = [w.name.split(':')[0].split('/')[-1] for w in layer.weights]
    assert names == ['mylstm_%s_%s' % (k, g) for g in 'icfo' for k in 'WUb']
    values = dict(zip(names, layer.get_weights()))
    np.testing.assert_array_equal(values['mylstm_b_f'], np.ones(3))
    for g in 'ico':
        np.testing.assert_array_equal(values['mylstm_b_' + g], np.zeros(3))
    assert layer.count_params() == 4 * (4 * 3 + 3 * 3 + 3)
    zero_forget = LSTM(3, forget_bias_init='zero')
    zero_forget(keras_input((5, 4)))
    assert not zero_forget.get_weights()[8].any()


def test_gpu_layout_names_and_bias_blocks():
    layer = LSTM(3, consume_less='gpu', name='fused')
    layer(keras_input((5, 4)))
    assert [w.name.split(':')[0] for w in layer.weights] == ['fused_W', 'fused_U', 'fused_b']
    W, U, b = layer.get_weights()
    assert W.shape == (4, 12) and U.shape == (3, 12)
    np.testing.assert_array_equal(b, [0] * 3 + [1] * 3 + [0] * 6)   # gates i, f, c, o
    gru = GRU(3, consume_less='gpu', name='g')
    gru(keras_input((5, 4)))
    assert [w.shape for w in gru.get_weights()] == [(4, 9), (3, 9), (9,)]
    names = [w.name.split(':')[0] for w in GRU(3, name='h')(keras_input((5, 4)))._keras_history[0].weights]
    assert names == ['h_%s_%s' % (k, g) for g in 'zrh' for k in 'WUb']


def test_simple_rnn_weights_argument_and_errors():
    # §20 item 7: the third array of `weights` is the bias, shape (output_dim,).
    W, U, b = rng.randn(4, 3), rng.randn(3, 3), rng.randn(3)
    layer = SimpleRNN(3, weights=[W, U, b])
    run(layer, X)
    for got, want in zip(layer.get_weights(), [W, U, b]):
        np.testing.assert_allclose(got, want, rtol=1e-6)
    with pytest.raises(ValueError, match=r'weight 2.*\(3, 3\).*\(3,\)'):
        layer.set_weights([W, U, np.ones((3, 3))])
    lstm = LSTM(3)
    lstm(keras_input((5, 4)))
    with pytest.raises(ValueError, match=r'fused U.*\(3, 9\).*12'):
        lstm.set_weights([np.ones((4, 12)), np.ones((3, 9)), np.ones(12)])


# ------------------------------------------------------------- configs
@pytest.mark.parametrize('cls', [SimpleRNN, GRU, LSTM])
def test_config_and_json_roundtrip(cls):
    layer = cls(3, init='normal', inner_init='identity', activation='relu', return_sequences=True,
                go_backwards=True, unroll=True, consume_less='mem',
                W_regularizer=regularizers.l2(0.01), U_regularizer=regularizers.l1(0.1),
                b_regularizer=regularizers.l1l2(0.1, 0.2), dropout_W=0.25, dropout_U=0.5,
                input_dim=4, input_length=5)
    config = layer.get_config()
    for key, value in (('output_dim', 3), ('init', 'normal'), ('inner_init', 'identity'),
                       ('activation', 'relu'), ('return_sequences', True),
                       ('go_backwards', True), ('unroll', True), ('consume_less', 'mem'),
                       ('dropout_W', 0.25), ('dropout_U', 0.5), ('input_dim', 4),
                       ('input_length', 5), ('stateful', False)):
        assert config[key] == value, key
    assert config['W_regularizer']['l2'] == 0.01
    again = roundtrip(layer)
    assert again.batch_input_shape == (None, 5, 4)
    model_json_roundtrip(cls(3, return_sequences=True, consume_less='gpu'), X)


def test_gated_configs():
    config = LSTM(2, forget_bias_init='zero', inner_activation='sigmoid').get_config()
    assert config['forget_bias_init'] == 'zero' and config['inner_activation'] == 'sigmoid'
    assert GRU(2).get_config()['inner_activation'] == 'hard_sigmoid'
    assert 'inner_activation' not in SimpleRNN(2).get_config()


# ----------------------------------------------------------- regularizers
@pytest.mark.parametrize('mode', ['cpu', 'gpu'])
def test_regularizers_cover_all_gates(mode):
    layer = LSTM(3, consume_less=mode, W_regularizer=regularizers.l2(0.1),
                 U_regularizer=regularizers.l1(0.2), b_regularizer=regularizers.l2(0.3))
    layer(keras_input((5, 4)))
    weights = layer.get_weights()
    if mode == 'cpu':
        W = np.concatenate(weights[0::3], axis=-1)
        U = np.concatenate(weights[1::3], axis=-1)
        b = np.concatenate(weights[2::3])
    else:
        W, U, b = weights
    want = 0.1 * np.sum(W ** 2) + 0.2 * np.sum(np.abs(U)) + 0.3 * np.sum(b ** 2)
    got = sum(K.eval(loss) for loss in layer.losses)
    np.testing.assert_allclose(got, want, rtol=1e-5)


# ---------------------------------------------------------------- dropout
@pytest.mark.parametrize('mode', MODES)
def test_input_dropout_mask_is_sampled_once_per_sequence(mode):
    # With U = 0 and the same input at every step, every step's output is the same only
    # if the dropped input units are the same at every step.
    layer = SimpleRNN(6, dropout_W=0.5, consume_less=mode, return_sequences=True)
    assert layer.uses_learning_phase
    x = np.repeat(rng.randn(4, 1, 8).astype('float32'), 7, axis=1)
    layer(keras_input((7, 8)))
    W, U, b = layer.get_weights()
    layer.set_weights([W, np.zeros_like(U), b])
    train = run(layer, x, phase=1)
    for t in range(1, 7):
        np.testing.assert_allclose(train[:, t], train[:, 0], rtol=1e-5, atol=1e-6)
    test = run(layer, x, phase=0)
    np.testing.assert_allclose(test, np.tanh(x @ W + b), rtol=1e-5, atol=1e-6)
    assert not np.allclose(train, test)


@pytest.mark.parametrize('cls,modes', [(SimpleRNN, ['mem']), (GRU, ['cpu']),
                                       (LSTM, ['cpu', 'gpu'])])
def test_dropout_only_in_training(cls, modes):
    plain = cls(3, consume_less='mem', return_sequences=True)
    plain(keras_input((5, 4)))
    layers = [plain] + [cls(3, consume_less=mode, return_sequences=True, dropout_W=0.4,
                            dropout_U=0.4, weights=plain.get_weights()) for mode in modes]
    inp = keras_input((5, 4))
    ys = [layer(inp) for layer in layers]
    function = K.function([inp, K.learning_phase()], ys)
    test, train = function([X, 0]), function([X, 1])
    for out in test[1:]:
        np.testing.assert_allclose(out, test[0], rtol=1e-5, atol=1e-6)
    for out in train[1:]:
        assert not np.allclose(out, test[0])


def test_dropout_needs_no_fixed_batch_size():
    # §18.4 item 35: Keras 1.1.2 on TensorFlow needed a fixed batch size for RNN dropout;
    # here the masks take their size from the input.
    model = Sequential([LSTM(3, dropout_W=0.2, dropout_U=0.2, input_shape=(5, 4))])
    assert model.predict(X).shape == (3, 3)
    assert model.predict(X[:1]).shape == (1, 3)


# ---------------------------------------------------------------- training
@pytest.mark.parametrize('cls,mode', [(SimpleRNN, 'cpu'), (GRU, 'mem'), (GRU, 'gpu'),
                                      (LSTM, 'cpu'), (LSTM, 'gpu')])
def test_training_step_changes_weights(cls, mode):
    assert_trains(cls(3, consume_less=mode, return_sequences=True, inner_init='normal'), X)


# ----------------------------------------------------------------- errors
def test_argument_errors():
    with pytest.raises(TypeError, match='abstract'):
        Recurrent()
    with pytest.raises(ValueError, match=r"consume_less.*'cpu'.*'fast'"):
        LSTM(3, consume_less='fast')
    with pytest.raises(ValueError, match=r'GRU: output_dim must be an integer > 0; got 0'):
        GRU(0)
    with pytest.raises(ValueError, match=r'SimpleRNN: dropout_U must be a fraction'):
        SimpleRNN(3, dropout_U=1.5)
    with pytest.raises(TypeError, match=r"LSTM got unexpected keyword argument 'outputs'"):
        LSTM(3, outputs=2)


def test_input_shape_errors_name_the_layer():
    with pytest.raises(ValueError, match=r'gru_x.*3 axes.*\(None, 4\)'):
        GRU(3, name='gru_x')(keras_input((4,)))
    layer = LSTM(3, name='lstm_x')
    layer(keras_input((5, 4)))
    with pytest.raises(ValueError, match=r'lstm_x'):
        layer(keras_input((5, 6)))


# -------------------------------------------------- functional quick start
def test_shared_lstm_nodes_doc_example():
    from kcore.layers import Input
    a = Input(shape=(140, 256))
    b = Input(shape=(140, 256))
    lstm = LSTM(32)
    encoded_a = lstm(a)
    assert lstm.output is encoded_a
    encoded_b = lstm(b)
    with pytest.raises(AssertionError, match=r'Layer lstm_\d+ has multiple inbound nodes, hence '
                                             r'the notion of "layer output" is ill-defined. '
                                             r'Use get_output_at\(node_index\) instead.'):
        lstm.output
    assert lstm.get_output_at(0) is encoded_a
    assert lstm.get_output_at(1) is encoded_b
    assert lstm.get_input_shape_at(1) == (None, 140, 256)
    assert lstm.input_shape == (None, 140, 256) and lstm.output_shape == (None, 32)
    assert len(lstm.weights) == 12   # one set of weights for both calls


def test_question_encoder_doc_example():
    from kcore.layers import Embedding, Input
    from kcore.models import Model
    question_input = Input(shape=(100,), dtype='int32')
    embedded = Embedding(input_dim=10000, output_dim=256, input_length=100)(question_input)
    encoded_question = LSTM(256)(embedded)
    assert encoded_question._keras_shape == (None, 256)
    encoder = Model(input=question_input, output=encoded_question)
    video_question_input = Input(shape=(100,), dtype='int32')
    assert encoder(video_question_input)._keras_shape == (None, 256)
    q = rng.randint(1, 10000, size=(2, 100))
    assert encoder.predict(q).shape == (2, 256)


@pytest.mark.parametrize('arguments, uses_lstm', [
    ({}, True),
    ({'go_backwards': True, 'consume_less': 'gpu', 'inner_activation': 'sigmoid'}, True),
    ({'stateful': True, 'consume_less': 'mem', 'activation': 'relu'}, True),
    ({'unroll': True}, False),
    ({'dropout_U': 0.2}, True),
    ({'inner_activation': lambda x: K.sigmoid(x)}, False),
])
def test_lstm_runs_k_lstm_where_it_can(arguments, uses_lstm, monkeypatch):
    """LSTM runs its loop with K.lstm (which a backend may fuse) unless it is unrolled or
    has other activations; both paths give the same results."""
    from kcore.layers import Embedding
    tokens = np.random.RandomState(0).randint(0, 50, size=(4, 9))
    tokens[0, :4] = 0                       # padding: masked first steps
    targets = np.random.RandomState(1).rand(4, 9, 6)

    def model():
        lstm = LSTM(6, return_sequences=True, **arguments)
        shape = {'batch_input_shape': (4, 9)} if arguments.get('stateful') else {}
        built = Sequential([Embedding(50, 8, input_length=9, mask_zero=True, **shape), lstm])
        built.compile('sgd', 'mse')
        return built

    calls = []
    real = K.lstm
    monkeypatch.setattr(K, 'lstm', lambda *a, **k: calls.append(1) or real(*a, **k),
                        raising=False)
    fused = model()
    assert bool(calls) is uses_lstm
    monkeypatch.setattr(LSTM, 'recur', Recurrent.recur)   # the generic K.rnn path
    generic = model()
    generic.set_weights(fused.get_weights())
    results = [[m.predict(tokens, batch_size=4), m.train_on_batch(tokens, targets),
                m.get_weights()] for m in (fused, generic)]
    np.testing.assert_allclose(results[0][0], results[1][0], rtol=1e-5, atol=1e-6)
    if 'dropout_U' in arguments:            # training draws different random masks
        return
    np.testing.assert_allclose(results[0][1], results[1][1], rtol=1e-5)
    for got, want in zip(results[0][2], results[1][2]):
        np.testing.assert_allclose(got, want, rtol=1e-5, atol=1e-6)
