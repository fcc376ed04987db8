"""Dense, TimeDistributedDense, MaxoutDense and Highway: every documented argument,
numpy references, shapes, configs, weights, training."""
import numpy as np
import pytest

from kcore import backend as K
from kcore import constraints, regularizers
from kcore.layers.core import Dense, Highway, MaxoutDense, TimeDistributedDense
from kcore_test_helpers.layers import fresh_graph  # noqa: F401 (autouse fixture)
from kcore_test_helpers.layers import (
    assert_trains, keras_input, model_json_roundtrip, roundtrip, run)

rng = np.random.RandomState(1)
X = rng.randn(5, 4).astype('float32')
X3 = rng.randn(3, 6, 4).astype('float32')


def sigmoid(x):
    return 1. / (1. + np.exp(-x))


# ------------------------------------------------------------------- Dense
def test_dense_doc_example_shapes():
    # Dense(32, input_dim=16) == Dense(32, input_shape=(16,)) == batch_input_shape=(None, 16)
    for kwargs in ({'input_dim': 16}, {'input_shape': (16,)}, {'batch_input_shape': (None, 16)}):
        layer = Dense(32, **kwargs)
        assert layer.batch_input_shape == (None, 16)
    layer = Dense(32)
    y = layer(keras_input((16,)))
    assert y._keras_shape == (None, 32)
    assert layer.get_output_shape_for((None, 16)) == (None, 32)


def test_dense_output_against_numpy():
    W = rng.randn(4, 3).astype('float32')
    b = rng.randn(3).astype('float32')
    out = run(Dense(3, activation='tanh', weights=[W, b]), X)
    np.testing.assert_allclose(out, np.tanh(X @ W + b), rtol=1e-5, atol=1e-6)
    out = run(Dense(3, bias=False, weights=[W]), X)
    np.testing.assert_allclose(out, X @ W, rtol=1e-5, atol=1e-6)
    out = run(Dense(3, activation=K.relu, weights=[W, b]), X)
    np.testing.assert_allclose(out, np.maximum(X @ W + b, 0), rtol=1e-5, atol=1e-6)


def test_dense_weights_layout_and_names():
    layer = Dense(3, name='dense_x')
    layer(keras_input((4,)))
    W, b = layer.get_weights()
    assert W.shape == (4, 3) and b.shape == (3,) and not b.any()
    assert [w.name.split(':')[0].split('/')[-1] for w in layer.weights] == ['dense_x_W',
                                                                          'dense_x_b']
    new = [np.ones((4, 3)), np.arange(3.)]
    layer.set_weights(new)
    np.testing.assert_array_equal(layer.get_weights()[1], np.arange(3.))
    with pytest.raises(ValueError, match=r'dense_x.*\(3, 4\).*\(4, 3\)'):
        layer.set_weights([np.ones((3, 4)), np.ones(3)])
    assert layer.count_params() == 15


def test_dense_init():
    layer = Dense(3, init='one')
    layer(keras_input((4,)))
    np.testing.assert_array_equal(layer.get_weights()[0], np.ones((4, 3)))

    def my_init(shape, name=None):            # the doc's custom initialization
        return K.variable(np.full(shape, 0.5), name=name)
    layer = Dense(3, init=my_init)
    layer(keras_input((4,)))
    np.testing.assert_array_equal(layer.get_weights()[0], np.full((4, 3), 0.5))


def test_dense_regularizers_and_constraints():
    W = rng.randn(4, 3).astype('float32')
    b = rng.randn(3).astype('float32')
    layer = Dense(3, weights=[W, b], W_regularizer=regularizers.l2(0.1),
                  b_regularizer=regularizers.l1(0.2),
                  activity_regularizer=regularizers.activity_l2(0.3),
                  W_constraint=constraints.maxnorm(2), b_constraint=constraints.nonneg())
    inp = keras_input((4,))
    layer(inp)
    penalties = K.function([inp], layer.losses)([X])
    out = X @ W + b
    assert sorted(float(p) for p in penalties) == pytest.approx(sorted(
        [0.1 * (W ** 2).sum(), 0.2 * abs(b).sum(), 0.3 * (out ** 2).mean(axis=0).sum()]),
        rel=1e-4)
    assert isinstance(layer.constraints[layer.W], constraints.MaxNorm)
    assert isinstance(layer.constraints[layer.b], constraints.NonNeg)


def test_constraint_spelling():
    # Decision (§20 item 2): W_constraint is the argument; W_constraints (the doc's
    # argument lists) is an alias; both at once is an error; configs use the singular.
    layer = Dense(3, W_constraints=constraints.maxnorm(2), b_constraints=constraints.nonneg())
    assert isinstance(layer.W_constraint, constraints.MaxNorm)
    assert isinstance(layer.b_constraint, constraints.NonNeg)
    assert 'W_constraints' not in layer.get_config()
    assert layer.get_config()['W_constraint'] == {'name': 'MaxNorm', 'm': 2, 'axis': 0}
    with pytest.raises(TypeError, match='both W_constraint and W_constraints'):
        Dense(3, W_constraint=constraints.nonneg(), W_constraints=constraints.nonneg())


def test_dense_config_roundtrip():
    layer = Dense(3, init='he_normal', activation='relu', W_regularizer=regularizers.l1l2(),
                  b_regularizer=regularizers.l2(0.5),
                  activity_regularizer=regularizers.activity_l1(),
                  W_constraint=constraints.maxnorm(3), b_constraint=constraints.unitnorm(),
                  bias=True, input_dim=4, name='d1')
    config = layer.get_config()
    assert config['output_dim'] == 3 and config['input_dim'] == 4
    assert config['init'] == 'he_normal' and config['activation'] == 'relu'
    assert config['W_regularizer'] == {'name': 'WeightRegularizer', 'l1': 0.01, 'l2': 0.01}
    assert config['batch_input_shape'] == (None, 4)
    again = roundtrip(layer)
    assert isinstance(again.W_regularizer, regularizers.WeightRegularizer)
    assert isinstance(again.activity_regularizer, regularizers.ActivityRegularizer)
    assert isinstance(again.b_constraint, constraints.UnitNorm)
    model_json_roundtrip(Dense(3, activation='sigmoid'), X)


def test_dense_custom_activation_needs_custom_objects():
    def double(x):
        return 2 * x
    layer = Dense(2, activation=double)
    assert layer.get_config()['activation'] == 'double'
    again = roundtrip(layer, custom_objects={'double': double})
    assert again.activation is double
    with pytest.raises(ValueError, match="custom_objects"):
        roundtrip(layer)


def test_dense_trains():
    assert_trains(Dense(3, W_regularizer=regularizers.l2(0.01)), X)


def test_dense_higher_rank_input():
    W = rng.randn(4, 2).astype('float32')
    out = run(Dense(2, weights=[W, np.zeros(2)]), X3)
    np.testing.assert_allclose(out, X3 @ W, rtol=1e-5, atol=1e-6)


def test_dense_bad_arguments():
    with pytest.raises(ValueError, match='Dense: output_dim must be an integer > 0; got 0'):
        Dense(0)
    with pytest.raises(TypeError, match="Dense got unexpected keyword argument 'units'"):
        Dense(3, units=4)
    layer = Dense(3)
    layer(keras_input((4,)))
    with pytest.raises(ValueError, match=r'dense.*\(None, 4\).*\(None, 5\)'):
        layer(keras_input((5,)))
    with pytest.raises(ValueError, match=r'expected at least 2 axes'):
        Dense(3)(K.placeholder(shape=(4,)))


# ---------------------------------------------------------- TimeDistributedDense
def test_time_distributed_dense():
    W = rng.randn(4, 2).astype('float32')
    b = rng.randn(2).astype('float32')
    layer = TimeDistributedDense(2, activation='sigmoid', weights=[W, b], input_dim=4,
                                 input_length=6)
    assert layer.batch_input_shape == (None, 6, 4)
    out = run(layer, X3)
    np.testing.assert_allclose(out, sigmoid(X3 @ W + b), rtol=1e-5, atol=1e-6)
    assert layer.get_output_shape_for((None, 6, 4)) == (None, 6, 2)
    assert TimeDistributedDense(2, input_dim=4).batch_input_shape == (None, None, 4)
    config = roundtrip(layer).get_config()
    assert config['input_length'] == 6 and config['input_dim'] == 4
    model_json_roundtrip(TimeDistributedDense(2), X3)
    assert_trains(TimeDistributedDense(3, b_regularizer=regularizers.l1(0.1),
                                       W_constraint=constraints.nonneg()), X3)
    with pytest.raises(ValueError, match='expected 3 axes'):
        TimeDistributedDense(2)(keras_input((4,)))


def test_time_distributed_dense_passes_the_mask():
    from kcore.layers.core import Masking
    x = X3.copy()
    x[:, 2, :] = 0.
    inp = keras_input((6, 4))
    masked = Masking()(inp)
    y = TimeDistributedDense(2)(masked)
    mask = y._keras_history[0].get_output_mask_at(0)
    np.testing.assert_array_equal(K.function([inp], [mask])([x])[0],
                                  np.tile([1, 1, 0, 1, 1, 1], (3, 1)))


# -------------------------------------------------------------------- MaxoutDense
def test_maxout_dense():
    # Decision (§20 item 4): MaxoutDense(output_dim, nb_features=4, ...) as Keras 1.1.2.
    W = rng.randn(3, 4, 2).astype('float32')
    b = rng.randn(3, 2).astype('float32')
    layer = MaxoutDense(2, nb_features=3, weights=[W, b], input_dim=4)
    out = run(layer, X)
    expected = (np.einsum('ni,kio->nko', X, W) + b).max(axis=1)
    np.testing.assert_allclose(out, expected, rtol=1e-5, atol=1e-6)
    default = MaxoutDense(2)
    default(keras_input((4,)))
    assert default.nb_features == 4 and [w.shape for w in default.get_weights()] == [
        (4, 4, 2), (4, 2)]
    out = run(MaxoutDense(2, nb_features=3, bias=False, weights=[W]), X)
    np.testing.assert_allclose(out, np.einsum('ni,kio->nko', X, W).max(axis=1), rtol=1e-5,
                               atol=1e-6)
    assert MaxoutDense(2, nb_feature=5).nb_features == 5   # Keras 1.1.2's spelling
    config = roundtrip(layer).get_config()
    assert config['nb_features'] == 3 and 'activation' not in config
    model_json_roundtrip(MaxoutDense(2, nb_features=2), X)
    assert_trains(MaxoutDense(3, nb_features=2, W_regularizer=regularizers.l2(),
                              activity_regularizer=regularizers.activity_l1()), X)
    with pytest.raises(TypeError, match="'activation'"):
        MaxoutDense(2, activation='relu')


# ------------------------------------------------------------------------ Highway
def test_highway_against_numpy():
    n = 4
    W, Wc = rng.randn(n, n).astype('float32'), rng.randn(n, n).astype('float32')
    b, bc = rng.randn(n).astype('float32'), rng.randn(n).astype('float32')
    layer = Highway(activation='tanh', weights=[W, b, Wc, bc], input_dim=n)
    out = run(layer, X)
    t = sigmoid(X @ Wc + bc)
    np.testing.assert_allclose(out, np.tanh(X @ W + b) * t + (1 - t) * X, rtol=1e-5, atol=1e-6)
    out = run(Highway(bias=False, weights=[W, Wc]), X)
    t = sigmoid(X @ Wc)
    np.testing.assert_allclose(out, (X @ W) * t + (1 - t) * X, rtol=1e-5, atol=1e-6)


def test_highway_weights_and_transform_bias():
    layer = Highway(transform_bias=-3, name='hw')
    layer(keras_input((4,)))
    names = [w.name.split(':')[0].split('/')[-1] for w in layer.weights]
    assert names == ['hw_W', 'hw_b', 'hw_W_carry', 'hw_b_carry']
    W, b, Wc, bc = layer.get_weights()
    assert W.shape == Wc.shape == (4, 4) and not b.any()
    np.testing.assert_array_equal(bc, np.full(4, -3.))
    default = Highway()
    default(keras_input((4,)))
    np.testing.assert_array_equal(default.get_weights()[3], np.full(4, -2.))


def test_highway_output_dim():
    # Decision (§20 item 3): output_dim (argument list only) is accepted and must equal
    # input_dim; the output always has the input's size.
    layer = Highway(output_dim=4)
    y = layer(keras_input((4,)))
    assert y._keras_shape == (None, 4) and layer.get_config()['output_dim'] == 4
    assert 'output_dim' not in Highway().get_config()
    with pytest.raises(ValueError, match=r'highway.*output_dim=3.*\(None, 4\)'):
        Highway(output_dim=3)(keras_input((4,)))


def test_highway_config_and_training():
    layer = Highway(init='glorot_normal', transform_bias=-1, activation='relu',
                    W_regularizer=regularizers.l2(0.1), b_regularizer=regularizers.l1(0.1),
                    activity_regularizer=regularizers.activity_l2(0.1),
                    W_constraint=constraints.maxnorm(5), b_constraint=constraints.maxnorm(5),
                    input_dim=4)
    layer(keras_input((4,)))
    assert len(layer.losses) == 3        # W, b and the activity; not the gate weights
    assert set(layer.constraints) == {layer.W, layer.b}
    config = roundtrip(layer).get_config()
    assert config['transform_bias'] == -1 and config['input_dim'] == 4
    model_json_roundtrip(Highway(activation='tanh'), X)
    assert_trains(Highway(activation='tanh'), X)
