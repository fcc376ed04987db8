"""The functional API (the doc's chapter L1678-2099) and Model: graphs, sharing, nesting,
prediction without compile."""
import numpy as np
import pytest

from kcore_test_helpers.engine import Linear, PhaseNoise, fresh_graph  # noqa: F401
from kcore import backend as K
from kcore.engine.topology import Container, get_source_inputs
from kcore.layers import Dense, Dropout, Flatten, Input, merge
from kcore.models import Model, Sequential


def relu(x):
    return np.maximum(x, 0)


def softmax(x):
    e = np.exp(x - x.max(axis=-1, keepdims=True))
    return e / e.sum(axis=-1, keepdims=True)


def first_model():
    """L1700-1711: Input -> Dense(64, relu) -> Dense(64, relu) -> Dense(10, softmax)."""
    inputs = Input(shape=(784,))
    x = Dense(64, activation='relu')(inputs)
    x = Dense(64, activation='relu')(x)
    predictions = Dense(10, activation='softmax')(x)
    return Model(input=inputs, output=predictions)


# -------------------------------------------------------------- doc examples
def test_first_model_and_predict_without_compile_matches_numpy():
    model = first_model()
    assert [type(layer).__name__ for layer in model.layers] == ['InputLayer', 'Dense', 'Dense',
                                                                'Dense']
    assert model.output_shape == (None, 10)
    assert model.input_shape == (None, 784)
    data = np.random.RandomState(0).rand(70, 784).astype('float32')
    W1, b1, W2, b2, W3, b3 = model.get_weights()
    expected = softmax(relu(relu(data @ W1 + b1) @ W2 + b2) @ W3 + b3)
    np.testing.assert_allclose(model.predict(data, batch_size=32), expected, rtol=1e-4,
                               atol=1e-6)
    np.testing.assert_allclose(model.predict_on_batch(data[:5]), expected[:5], rtol=1e-4,
                               atol=1e-6)
    assert model.predict_function is model._make_predict_function()   # built once


def test_a_model_is_callable_like_a_layer():
    """L1717-1725: calling a model on a new tensor reuses its layers and weights."""
    model = first_model()
    x = Input(shape=(784,))
    y = model(x)
    assert y._keras_shape == (None, 10)
    assert len(model.inbound_nodes) == 2
    data = np.random.rand(3, 784)
    np.testing.assert_allclose(K.function([x], [y])([data])[0], model.predict(data), rtol=1e-5)
    outer = Model(input=x, output=y)
    assert [layer.name for layer in outer.layers] == ['input_2', 'model_1']
    np.testing.assert_allclose(outer.predict(data), model.predict(data), rtol=1e-5)


def test_multi_input_multi_output_model_with_named_layers():
    """L1757-1792 (with a Dense standing in for Embedding + LSTM, which come later)."""
    main_input = Input(shape=(100,), name='main_input')
    lstm_out = Dense(32, name='encoder')(main_input)
    auxiliary_output = Dense(1, activation='sigmoid', name='aux_output')(lstm_out)
    auxiliary_input = Input(shape=(5,), name='aux_input')
    x = merge([lstm_out, auxiliary_input], mode='concat')
    assert x._keras_shape == (None, 37)
    for _ in range(3):
        x = Dense(64, activation='relu')(x)
    main_output = Dense(1, activation='sigmoid', name='main_output')(x)
    model = Model(input=[main_input, auxiliary_input], output=[main_output, auxiliary_output])
    assert model.input_names == ['main_input', 'aux_input']
    assert model.output_names == ['main_output', 'aux_output']
    headline, additional = np.random.rand(4, 100), np.random.rand(4, 5)
    by_list = model.predict([headline, additional])
    by_name = model.predict({'main_input': headline, 'aux_input': additional})
    assert [p.shape for p in by_list] == [(4, 1), (4, 1)]
    np.testing.assert_allclose(by_list[0], by_name[0])
    with pytest.raises(ValueError, match=r"no data for input\(s\) \['aux_input'\]"):
        model.predict({'main_input': headline})
    with pytest.raises(ValueError, match=r"expects 2 input array\(s\) \(for main_input, "
                                         r"aux_input\), but got 1"):
        model.predict(headline)


def test_shared_layer_model():
    """L1839-1866, a shared Dense standing in for the shared LSTM."""
    tweet_a, tweet_b = Input(shape=(256,)), Input(shape=(256,))
    shared = Dense(64)
    encoded_a, encoded_b = shared(tweet_a), shared(tweet_b)
    merged_vector = merge([encoded_a, encoded_b], mode='concat', concat_axis=-1)
    predictions = Dense(1, activation='sigmoid')(merged_vector)
    model = Model(input=[tweet_a, tweet_b], output=predictions)
    assert merged_vector._keras_shape == (None, 128)
    assert model.layers.count(shared) == 1 and len(shared.inbound_nodes) == 2
    assert len(model.trainable_weights) == 4     # the shared weights count once
    a, b = np.random.rand(2, 256), np.random.rand(2, 256)
    W, bias, W2, b2 = model.get_weights()
    expected = 1 / (1 + np.exp(-(np.concatenate([a @ W + bias, b @ W + bias], 1) @ W2 + b2)))
    np.testing.assert_allclose(model.predict([a, b]), expected, rtol=1e-4)


def test_inception_and_residual_structures():
    """L1959-1987 with Dense towers instead of convolutions: concat along axis 1, sum."""
    input_img = Input(shape=(16,))
    towers = [Dense(8, activation='relu')(Dense(8, activation='relu')(input_img)),
              Dense(8, activation='relu')(Dense(8, activation='relu')(input_img)),
              Dense(8, activation='relu')(input_img)]
    output = merge(towers, mode='concat', concat_axis=1)
    assert output._keras_shape == (None, 24)
    x = Input(shape=(3,))
    y = Dense(3)(x)
    z = merge([x, y], mode='sum')
    data = np.random.rand(2, 3)
    W, b = y._keras_history[0].get_weights()
    np.testing.assert_allclose(Model(x, z).predict(data), data + data @ W + b, rtol=1e-5)


def test_shared_vision_model():
    """L1993-2018, with Flatten + Dense instead of convolutions; positional Model(...)."""
    digit_input = Input(shape=(1, 27, 27))
    out = Dense(64)(Flatten()(digit_input))
    vision_model = Model(digit_input, out)
    digit_a, digit_b = Input(shape=(1, 27, 27)), Input(shape=(1, 27, 27))
    out_a, out_b = vision_model(digit_a), vision_model(digit_b)
    concatenated = merge([out_a, out_b], mode='concat')
    out = Dense(1, activation='sigmoid')(concatenated)
    classification_model = Model([digit_a, digit_b], out)
    assert classification_model.output_shape == (None, 1)
    assert vision_model in classification_model.layers
    assert len(classification_model.get_weights()) == 4
    a = np.random.rand(2, 1, 27, 27)
    both = classification_model.predict([a, a])
    assert both.shape == (2, 1)


def test_sequential_vision_model_inside_a_functional_model():
    """L2028-2060 (VQA), smaller: a Sequential called on an Input, merged with a question."""
    vision_model = Sequential()
    vision_model.add(Flatten(input_shape=(3, 8, 8)))
    vision_model.add(Dense(16, activation='relu'))
    image_input = Input(shape=(3, 8, 8))
    encoded_image = vision_model(image_input)
    question_input = Input(shape=(10,))
    encoded_question = Dense(12)(question_input)
    merged = merge([encoded_question, encoded_image], mode='concat')
    output = Dense(20, activation='softmax')(merged)
    vqa_model = Model(input=[image_input, question_input], output=output)
    assert vqa_model.output_shape == (None, 20)
    # L2087-2092: a sub-model reusing the question encoder's weights on a new input
    question_encoder = Model(input=question_input, output=encoded_question)
    video_question_input = Input(shape=(10,))
    assert question_encoder(video_question_input)._keras_shape == (None, 12)
    assert vqa_model.predict([np.random.rand(2, 3, 8, 8), np.random.rand(2, 10)]).shape == (2, 20)


def test_intermediate_output_from_the_faq():
    """L2259-2301: a sub-model from model.input to an inner layer's output."""
    inputs = Input(shape=(4,))
    encoded = Dense(3, activation='relu', name='encoder')(inputs)
    outputs = Dense(2)(Dropout(0.5)(encoded))
    model = Model(input=inputs, output=outputs)
    assert model.uses_learning_phase
    encoder = Model(input=model.input, output=model.get_layer('encoder').output)
    data = np.random.rand(5, 4)
    W, b = model.get_layer('encoder').get_weights()
    # float32 against float64: atol covers sums that cancel to near zero.
    np.testing.assert_allclose(encoder.predict(data), relu(data @ W + b), rtol=1e-5, atol=1e-6)
    f = K.function([model.layers[0].input, K.learning_phase()], [model.layers[3].output])
    assert f([data, 0])[0].shape == (5, 2)


# ----------------------------------------------------------------- the graph
def test_get_layer_by_name_and_bottom_up_index():
    model = first_model()
    assert model.get_layer(index=0).name == 'input_1'
    assert model.get_layer(index=-1) is model.layers[-1]
    assert model.get_layer('dense_2') is model.layers[2]
    with pytest.raises(ValueError, match="no layer named 'dense_9'"):
        model.get_layer('dense_9')
    with pytest.raises(ValueError, match='index 7, but it has only 4 layers'):
        model.get_layer(index=7)


def test_layers_order_is_bottom_up_then_horizontal():
    a, b = Input(shape=(2,), name='a'), Input(shape=(2,), name='b')
    da = Dense(2, name='da')(a)
    deep = Dense(2, name='deep')(Dense(2, name='pre')(b))
    out = merge([da, deep], mode='sum', name='out')
    names = [layer.name for layer in Model([a, b], out).layers]
    # depth from the outputs decides first (b is 3 layers away), then left to right
    assert names == ['b', 'a', 'pre', 'da', 'deep', 'out']
    assert get_source_inputs(out) == [a, b]


def test_graph_errors():
    a, b = Input(shape=(2,)), Input(shape=(2,))
    out = merge([Dense(2)(a), Dense(2)(b)], mode='sum')
    with pytest.raises(ValueError, match=r'Graph disconnected: cannot obtain a value for '
                                         r'input_2.* at layer "input_2"'):
        Model(input=a, output=out)
    hidden = Dense(2, name='hidden')(a)
    with pytest.raises(ValueError, match='the output of layer hidden.*model inputs must be Input tensors'):
        Model(input=hidden, output=Dense(1)(hidden))
    x = Input(shape=(2,))
    same = Dense(2, name='twin')(Dense(2, name='twin')(x))
    with pytest.raises(ValueError, match='The name "twin" is used 2 times'):
        Model(x, same)
    with pytest.raises(ValueError, match='is not the output of a kcore layer'):
        Model(x, K.placeholder(shape=(None, 2)))


def test_duplicate_outputs_and_raw_tensor_input():
    raw = K.placeholder(shape=(None, 3))
    y = Dense(2)(raw)
    model = Model(input=raw, output=[y, y])
    outs = model.predict(np.ones((2, 3)))
    np.testing.assert_allclose(outs[0], outs[1])
    assert model.inputs == [raw]


def test_predict_input_checks():
    model = first_model()
    with pytest.raises(ValueError, match=r"input 'input_1': expected arrays of shape "
                                         r"\(None, 784\), got an array of shape \(2, 100\)"):
        model.predict(np.ones((2, 100)))
    two = Model(*_two_inputs())
    with pytest.raises(ValueError, match=r'same number of samples; got \[2, 3\]'):
        two.predict([np.ones((2, 2)), np.ones((3, 2))])
    assert model.predict(np.ones((0, 784))).shape == (0, 10)


def _two_inputs():
    a, b = Input(shape=(2,)), Input(shape=(2,))
    return [a, b], merge([a, b], mode='sum')


def test_predict_feeds_the_test_phase():
    x = Input(shape=(2,))
    model = Model(x, PhaseNoise()(x))
    assert model.uses_learning_phase
    np.testing.assert_allclose(model.predict(np.ones((3, 2))), np.ones((3, 2)))
    f = K.function([x, K.learning_phase()], [model.output])
    np.testing.assert_allclose(f([np.ones((1, 2)), 1])[0], [[101., 101.]])


# ------------------------------------------------------- weights, losses, updates
def test_weights_trainable_flag_and_set_weights():
    model = first_model()
    assert len(model.trainable_weights) == 6 and model.non_trainable_weights == []
    assert model.count_params() == 784 * 64 + 64 + 64 * 64 + 64 + 64 * 10 + 10
    model.layers[1].trainable = False
    assert len(model.trainable_weights) == 4 and len(model.non_trainable_weights) == 2
    model.trainable = False
    assert model.trainable_weights == [] and len(model.non_trainable_weights) == 6
    zeros = [np.zeros_like(w) for w in model.get_weights()]
    model.set_weights(zeros)
    np.testing.assert_allclose(model.predict(np.ones((1, 784))), np.full((1, 10), 0.1), rtol=1e-6)
    with pytest.raises(ValueError, match=r'weight 0 \(dense_1_W.* of layer dense_1\): set_weights '
                                         r'got an array of shape \(2,\)'):
        model.set_weights([np.zeros(2)] + zeros[1:])
    with pytest.raises(ValueError, match='has 6 weights, but set_weights got 1 arrays'):
        model.set_weights(zeros[:1])


def test_model_constraints_gather_the_layers():
    from kcore import constraints
    maxnorm = constraints.maxnorm(2)
    x = Input(shape=(2,))
    first = Dense(2, W_constraint=maxnorm)
    model = Model(x, Dense(1, b_constraint=constraints.nonneg())(first(x)))
    assert model.constraints[first.W] is maxnorm and len(model.constraints) == 2


def test_frozen_and_trainable_models_share_a_layer():
    """L2456-2479: the flag is read when a model collects its weights (at compile)."""
    x = Input(shape=(32,))
    layer = Dense(32)
    layer.trainable = False
    y = layer(x)
    frozen_model = Model(x, y)
    frozen_weights = frozen_model.trainable_weights
    layer.trainable = True
    trainable_model = Model(x, y)
    assert frozen_weights == [] and trainable_model.trainable_weights == [layer.W, layer.b]


def test_model_losses_and_updates_cover_only_its_own_calls():
    from kcore import regularizers
    shared = Dense(2, activity_regularizer=regularizers.activity_l2(1.),
                   W_regularizer=regularizers.l2(0.1))
    a, b = Input(shape=(2,)), Input(shape=(2,))
    model_a = Model(a, shared(a))
    Model(b, shared(b))
    assert len(shared.losses) == 3           # one weight penalty, two activity penalties
    assert len(model_a.losses) == 2          # the weight penalty and model_a's own call
    values = K.function([a], model_a.losses)([np.ones((1, 2))])
    assert all(np.isfinite(v) for v in values)
    counter = K.variable(0.)
    linear = Linear(2)
    c = Input(shape=(2,))
    model = Model(c, linear(c))
    linear.add_update([(counter, counter + 1.)], inputs=c)
    assert len(model.updates) == 1 and model.updates[0][0] is counter
    other = Input(shape=(2,))
    linear(other)
    linear.add_update([(counter, counter + 2.)], inputs=other)
    assert len(model.updates) == 1


def test_nested_model_call_collects_activity_penalties():
    from kcore import regularizers
    x = Input(shape=(2,))
    inner = Model(x, Dense(2, activity_regularizer=regularizers.activity_l1(1.))(x))
    y = Input(shape=(2,))
    outer = Model(y, inner(y))
    assert len(outer.losses) == 1
    value = K.function([y], outer.losses)([np.ones((1, 2))])[0]
    W, b = inner.get_weights()
    np.testing.assert_allclose(value, np.abs(np.ones((1, 2)) @ W + b).sum(), rtol=1e-5)
    assert isinstance(inner, Container) and inner.get_output_shape_for((None, 2)) == (None, 2)
