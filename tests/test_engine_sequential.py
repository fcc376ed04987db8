"""Sequential (the doc's chapter L1086-1675, the reference L2679-2866 and FAQ snippets)."""
import numpy as np
import pytest

from kcore_test_helpers.engine import Split, fresh_graph  # noqa: F401
from kcore import backend as K
from kcore.layers import Activation, Dense, Dropout, Flatten, Input, Merge
from kcore.models import Sequential


def relu(x):
    return np.maximum(x, 0)


def branches():
    """L1166-1172: two Sequential branches on 784-dimensional inputs."""
    left_branch = Sequential()
    left_branch.add(Dense(32, input_dim=784))
    right_branch = Sequential()
    right_branch.add(Dense(32, input_dim=784))
    return left_branch, right_branch


def test_thirty_second_start():
    """L95-104."""
    model = Sequential()
    model.add(Dense(output_dim=64, input_dim=100))
    model.add(Activation('relu'))
    model.add(Dense(output_dim=10))
    model.add(Activation('softmax'))
    assert model.output_shape == (None, 10) and model.count_params() == 100 * 64 + 64 + 650


def test_list_and_add_construction():
    """L1092-1111."""
    model = Sequential([Dense(32, input_dim=784), Activation('relu'), Dense(10),
                        Activation('softmax')])
    assert [layer.name for layer in model.layers] == ['dense_1', 'activation_1', 'dense_2',
                                                      'activation_2']
    assert model.output_shape == (None, 10)
    other = Sequential()
    other.add(Dense(32, input_dim=784))
    other.add(Activation('relu'))
    assert other.output_shape == (None, 32) and len(other.layers) == 2


@pytest.mark.parametrize('first', [lambda: Dense(32, input_shape=(784,)),
                                   lambda: Dense(32, batch_input_shape=(None, 784)),
                                   lambda: Dense(32, input_dim=784)])
def test_three_equivalent_input_shapes(first):
    """L1126-1143."""
    model = Sequential()
    model.add(first())
    assert model.input_shape == (None, 784) and model.output_shape == (None, 32)
    assert model.layers[0].get_config()['batch_input_shape'] == (None, 784)


def test_fixed_batch_size():
    model = Sequential([Dense(3, batch_input_shape=(4, 5))])
    assert model.input_shape == (4, 5) and model.output_shape == (4, 3)


def test_merge_of_two_sequential_branches():
    """L1164-1177 and L1266-1287: the combined model takes one array per branch."""
    left_branch, right_branch = branches()
    merged = Merge([left_branch, right_branch], mode='concat')
    final_model = Sequential()
    final_model.add(merged)
    final_model.add(Dense(10, activation='softmax'))
    assert merged.output_shape == (None, 64)
    assert final_model.output_shape == (None, 10)
    assert final_model.inputs == left_branch.inputs + right_branch.inputs
    # Keras 1.1.2's weight-file order: the Merge's branches replace the Merge itself.
    assert [layer.name for layer in final_model.flattened_layers] == ['dense_1', 'dense_2',
                                                                      'dense_3']
    data_1, data_2 = np.random.rand(5, 784), np.random.rand(5, 784)
    Wl, bl, Wr, br, W, b = final_model.get_weights()
    logits = np.concatenate([data_1 @ Wl + bl, data_2 @ Wr + br], axis=1) @ W + b
    expected = np.exp(logits) / np.exp(logits).sum(axis=1, keepdims=True)
    np.testing.assert_allclose(final_model.predict([data_1, data_2]), expected, rtol=1e-4)
    assert len(final_model.trainable_weights) == 6


def test_a_merge_of_branches_model_is_callable_on_new_tensors(capsys):
    left_branch, right_branch = branches()
    final_model = Sequential([Merge([left_branch, right_branch], mode='sum'), Dense(2)])
    a, b = Input(shape=(784,)), Input(shape=(784,))
    out = final_model([a, b])
    assert out._keras_shape == (None, 2)
    data = [np.random.rand(3, 784), np.random.rand(3, 784)]
    np.testing.assert_allclose(K.function([a, b], [out])(data)[0], final_model.predict(data),
                               rtol=1e-5)
    final_model.predict(data, batch_size=2, verbose=1)
    assert '3/3' in capsys.readouterr().out


def test_branch_penalties_reach_the_merged_model():
    from kcore import regularizers
    left = Sequential([Dense(2, input_dim=3, activity_regularizer=regularizers.activity_l2(1.))])
    right = Sequential([Dense(2, input_dim=3, W_regularizer=regularizers.l1(1.))])
    model = Sequential([Merge([left, right], mode='sum'), Dense(1)])
    assert len(model.losses) == 2


def test_merge_with_a_function_mode():
    """L1198-1201."""
    left_branch, right_branch = branches()
    merged = Merge([left_branch, right_branch], mode=lambda x: x[0] - x[1])
    model = Sequential([merged])
    assert model.output_shape == (None, 32)
    data = np.random.rand(2, 784)
    Wl, bl, Wr, br = model.get_weights()
    np.testing.assert_allclose(model.predict([data, data]), data @ (Wl - Wr) + bl - br,
                               rtol=1e-4, atol=1e-5)


@pytest.mark.parametrize('hidden', [
    # L1337-1351: Dense + Activation + Dropout, init='uniform'
    lambda: [Dense(64, input_dim=20, init='uniform'), Activation('tanh'), Dropout(0.5),
             Dense(64, init='uniform'), Activation('tanh'), Dropout(0.5),
             Dense(10, init='uniform'), Activation('softmax')],
    # L1364-1370: activation= keyword
    lambda: [Dense(64, input_dim=20, activation='relu'), Dropout(0.5),
             Dense(64, activation='relu'), Dropout(0.5), Dense(10, activation='softmax')],
])
def test_mlp_examples(hidden):
    model = Sequential(hidden())
    assert model.output_shape == (None, 10)
    assert model.uses_learning_phase
    probabilities = model.predict(np.random.rand(8, 20), batch_size=3)
    np.testing.assert_allclose(probabilities.sum(axis=1), np.ones(8), rtol=1e-5)
    assert model.count_params() == 20 * 64 + 64 + 64 * 64 + 64 + 64 * 10 + 10


def test_binary_mlp_and_predict_classes_and_proba():
    """L1380-1386 and the 30-second start (predict_classes, predict_proba)."""
    model = Sequential()
    model.add(Dense(64, input_dim=20, init='uniform', activation='relu'))
    model.add(Dropout(0.5))
    model.add(Dense(64, activation='relu'))
    model.add(Dropout(0.5))
    model.add(Dense(1, activation='sigmoid'))
    data = np.random.rand(6, 20)
    proba = model.predict_proba(data, verbose=0)
    assert proba.shape == (6, 1)
    np.testing.assert_array_equal(model.predict_classes(data, verbose=0), (proba > 0.5))
    multi = Sequential([Dense(3, input_dim=2, activation='softmax')])
    x = np.random.rand(4, 2)
    np.testing.assert_array_equal(multi.predict_classes(x, verbose=0),
                                  multi.predict(x).argmax(axis=-1))
    raw = Sequential([Dense(3, input_dim=2, weights=[-np.ones((2, 3)), np.zeros(3)])])
    with pytest.warns(UserWarning, match='outside \\[0, 1\\]'):
        raw.predict_proba(np.ones((1, 2)), verbose=0)


def test_two_encoders_merged():
    """L1636-1656, Flatten + Dense encoders standing in for the LSTMs."""
    timesteps, data_dim, nb_classes = 8, 16, 10
    encoder_a = Sequential([Flatten(input_shape=(timesteps, data_dim)), Dense(32)])
    encoder_b = Sequential([Flatten(input_shape=(timesteps, data_dim)), Dense(32)])
    decoder = Sequential()
    decoder.add(Merge([encoder_a, encoder_b], mode='concat'))
    decoder.add(Dense(32, activation='relu'))
    decoder.add(Dense(nb_classes, activation='softmax'))
    assert decoder.output_shape == (None, nb_classes)
    out = decoder.predict([np.random.rand(3, timesteps, data_dim)] * 2)
    assert out.shape == (3, nb_classes)


def test_pop_removes_the_last_layer():
    """L2484-2494."""
    model = Sequential()
    model.add(Dense(32, activation='relu', input_dim=784))
    model.add(Dense(32, activation='relu'))
    assert len(model.layers) == 2
    model.pop()
    assert len(model.layers) == 1
    assert model.output_shape == (None, 32) and model.layers[0].outbound_nodes == []
    assert model.predict(np.ones((1, 784))).shape == (1, 32)
    model.add(Dense(5))
    assert model.output_shape == (None, 5)
    model.pop()
    model.pop()
    assert model.layers == [] and model.outputs == []
    with pytest.raises(ValueError, match='has no layers to pop'):
        model.pop()


def test_sequential_inside_sequential():
    """L9343 (fine-tuning blog): model.add(top_model)."""
    model = Sequential([Flatten(input_shape=(2, 3)), Dense(4, activation='relu')])
    top_model = Sequential([Dense(5, input_dim=4), Dense(2)])
    model.add(top_model)
    assert model.output_shape == (None, 2)
    # As in Keras 1.1.2, a nested model is one unit (one group) of the weight file.
    assert [layer.name for layer in model.flattened_layers] == ['flatten_1', 'dense_1',
                                                                top_model.name]
    data = np.random.rand(3, 2, 3)
    W, b, W2, b2, W3, b3 = model.get_weights()
    expected = (relu(data.reshape(3, 6) @ W + b) @ W2 + b2) @ W3 + b3
    np.testing.assert_allclose(model.predict(data), expected, rtol=1e-4, atol=1e-6)
    top_model.trainable = False
    assert len(model.trainable_weights) == 2 and len(model.non_trainable_weights) == 4
    first = Sequential()
    fresh = Sequential([Dense(5, input_dim=4)])
    first.add(fresh)             # a model as the first layer
    assert first.output_shape == (None, 5) and first.inputs == fresh.inputs
    with pytest.raises(ValueError, match='sequential_2 has 2 inbound nodes'):
        Sequential().add(top_model)   # already connected in `model`


def test_get_layer_and_errors():
    model = Sequential([Dense(3, input_dim=2, name='a'), Dense(4, name='b')])
    assert model.get_layer('b') is model.layers[1]
    assert model.get_layer(index=0).name == 'a'
    with pytest.raises(ValueError, match='first layer of a Sequential model needs the input '
                                         r'shape: give layer dense_1 \(Dense\) input_shape'):
        Sequential().add(Dense(32))   # the reference example with the TODO (L3437-3445)
    connected = Dense(3)
    connected(Input(shape=(2,)))
    connected(Input(shape=(2,)))
    with pytest.raises(ValueError, match='dense_2 has 2 inbound nodes'):
        Sequential([connected])
    with pytest.raises(ValueError, match='returns 2 tensors'):
        Sequential([Dense(4, input_dim=2), Split()])
    with pytest.raises(ValueError, match='has no layers'):
        Sequential().build()


def test_a_sequential_model_is_callable():
    model = Sequential([Dense(3, input_dim=2), Dense(1)])
    x = Input(shape=(2,))
    y = model(x)
    assert y._keras_shape == (None, 1)
    data = np.random.rand(2, 2)
    np.testing.assert_allclose(K.function([x], [y])([data])[0], model.predict(data), rtol=1e-5)


def test_stateful_model_needs_divisible_batches():
    model = Sequential([Dense(2, batch_input_shape=(2, 3))])
    model.layers[0].stateful = True
    with pytest.raises(ValueError, match='is stateful, so predict takes a number of samples'):
        model.predict(np.ones((3, 3)), batch_size=2)
    assert model.predict(np.ones((4, 3)), batch_size=2).shape == (4, 2)
    model.reset_states()
