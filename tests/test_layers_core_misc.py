"""Activation, ActivityRegularization, Masking; the registry and kcore.layers exports."""
import numpy as np
import pytest

from kcore import backend as K
from kcore import plugins
from kcore.layers.core import Activation, ActivityRegularization, Masking
from kcore_test_helpers.layers import fresh_graph  # noqa: F401 (autouse fixture)
from kcore_test_helpers.layers import keras_input, model_json_roundtrip, roundtrip, run

rng = np.random.RandomState(3)
X = rng.randn(4, 5).astype('float32')


@pytest.mark.parametrize('name, reference', [
    ('relu', lambda x: np.maximum(x, 0)),
    ('tanh', np.tanh),
    ('sigmoid', lambda x: 1 / (1 + np.exp(-x))),
    ('linear', lambda x: x),
    ('softmax', lambda x: np.exp(x) / np.exp(x).sum(axis=-1, keepdims=True)),
])
def test_activation(name, reference):
    np.testing.assert_allclose(run(Activation(name), X), reference(X), rtol=1e-5, atol=1e-6)
    assert roundtrip(Activation(name)).get_config()['activation'] == name


def test_activation_callable_and_errors():
    def tanh(x):                               # the doc's element-wise function example
        return K.tanh(x)
    np.testing.assert_allclose(run(Activation(tanh), X), np.tanh(X), rtol=1e-5)
    assert roundtrip(Activation(tanh), custom_objects={'tanh': tanh}).activation is tanh
    with pytest.raises(ValueError, match='Did you mean'):
        Activation('rellu')
    assert Activation('relu').get_output_shape_for((None, 2, 3)) == (None, 2, 3)
    model_json_roundtrip(Activation('softplus'), X)


def test_activity_regularization():
    layer = ActivityRegularization(l1=0.1, l2=0.2)
    inp = keras_input((5,))
    y = layer(inp)
    np.testing.assert_array_equal(K.function([inp], [y])([X])[0], X)   # data unchanged
    (penalty,) = layer.losses
    expected = 0.1 * abs(X).mean(axis=0).sum() + 0.2 * (X ** 2).mean(axis=0).sum()
    assert float(K.function([inp], [penalty])([X])[0]) == pytest.approx(expected, rel=1e-5)
    assert layer.get_weights() == []


def test_activity_regularization_arguments():
    # Decision (§20 item 15): the heading says "ActivityRegularizer" and the argument list
    # "I1"/"I2"; the layer is ActivityRegularization(l1=0., l2=0.), as the signature.
    layer = ActivityRegularization()
    assert (layer.l1, layer.l2) == (0., 0.)
    with pytest.raises(TypeError, match="'I1'"):
        ActivityRegularization(I1=0.1)
    config = roundtrip(ActivityRegularization(l2=0.5, name='ar')).get_config()
    assert (config['l1'], config['l2']) == (0., 0.5)
    with pytest.raises(ValueError, match='l1 must be a number >= 0'):
        ActivityRegularization(l1=-1)
    model_json_roundtrip(ActivityRegularization(l1=0.1), X)


def test_activity_regularization_per_call():
    layer = ActivityRegularization(l1=1.)
    a, b = keras_input((5,)), keras_input((5,))
    layer(a)
    layer(b)
    assert len(layer.losses) == 2


def test_masking_doc_example():
    x = rng.randn(2, 7, 3).astype('float32')
    x[:, 3, :] = 0.
    x[:, 5, :] = 0.
    x[0, 1, :] = [0., 1., 0.]                  # not all features masked: kept
    inp = keras_input((7, 3))
    layer = Masking(mask_value=0., input_shape=(7, 3))
    y = layer(inp)
    out, mask = K.function([inp], [y, layer.get_output_mask_at(0)])([x])
    np.testing.assert_array_equal(out, x)
    np.testing.assert_array_equal(mask, np.tile([1, 1, 1, 0, 1, 0, 1], (2, 1)))


def test_masking_value_zeroes_the_masked_steps():
    x = rng.randn(2, 4, 3).astype('float32')
    x[1, 2, :] = -1.
    x[0, 0, :2] = -1.
    out = run(Masking(mask_value=-1.), x)
    expected = x.copy()
    expected[1, 2, :] = 0.
    np.testing.assert_array_equal(out, expected)
    config = roundtrip(Masking(mask_value=-1.)).get_config()
    assert config['mask_value'] == -1.
    model_json_roundtrip(Masking(0.5), x)
    with pytest.raises(ValueError, match='mask_value must be a number'):
        Masking('x')


def test_masking_reaches_a_layer_without_mask_support():
    # The doc: a downstream layer that does not support masking raises an exception.
    from kcore.layers.core import Flatten
    with pytest.raises(TypeError, match='does not support masking'):
        Flatten()(Masking()(keras_input((4, 3))))


def test_registered_and_exported():
    import kcore.layers as layers
    import kcore.layers.core as core
    for cls in core.LAYERS:
        assert plugins.get('layers', cls.__name__) is cls
        assert getattr(layers, cls.__name__) is cls
    for name in ('Input', 'InputLayer', 'Merge', 'merge'):
        assert hasattr(layers, name)
    assert plugins.get('initializations', 'glorot_uniform').__module__ == 'kcore.initializations'
    assert plugins.get('regularizers', 'l2').__module__ == 'kcore.regularizers'
    assert plugins.get('constraints', 'maxnorm').__name__ == 'MaxNorm'


def test_keras1_activity_regularizer_set_layer():
    # Keras 1 style: reg.set_layer(layer); reg() sums the penalty over the layer's calls.
    from kcore.layers.core import Dense
    from kcore.regularizers import activity_l1
    layer = Dense(2, init='one', bias=False)
    a, b = keras_input((5,)), keras_input((5,))
    layer(a)
    layer(b)
    reg = activity_l1(1.)
    reg.set_layer(layer)
    total = K.function([a, b], [reg()])([X, 2 * X])[0]
    expected = abs(X.sum(axis=1)).mean() * 2 * 3     # two units; the second input doubled
    assert float(total) == pytest.approx(expected, rel=1e-5)
