"""Lambda: the doc's examples, output_shape forms, arguments, list inputs (VAE), and
function serialization with safe mode."""
import numpy as np
import pytest

from kcore import backend as K
from kcore import activations
from kcore.layers.core import Dense, Lambda
from kcore_test_helpers.layers import fresh_graph  # noqa: F401 (autouse fixture)
from kcore_test_helpers.layers import keras_input, model_json_roundtrip, roundtrip, run

rng = np.random.RandomState(4)
X = rng.randn(4, 3).astype('float32')


def antirectifier(x):
    x -= K.mean(x, axis=1, keepdims=True)
    x = K.l2_normalize(x, axis=1)
    pos = K.relu(x)
    neg = K.relu(-x)
    return K.concatenate([pos, neg], axis=1)


def antirectifier_output_shape(input_shape):
    shape = list(input_shape)
    assert len(shape) == 2
    shape[-1] *= 2
    return tuple(shape)


def antirectifier_numpy(x):
    x = x - x.mean(axis=1, keepdims=True)
    x = x / np.sqrt((x ** 2).sum(axis=1, keepdims=True))
    return np.concatenate([np.maximum(x, 0), np.maximum(-x, 0)], axis=1)


def scale(x, factor=1.0):
    return x * factor


def test_square_lambda():
    layer = Lambda(lambda x: x ** 2)
    np.testing.assert_allclose(run(layer, X), X ** 2, rtol=1e-6)
    assert layer.get_output_shape_for((7, 3)) == (7, 3)   # the function on a placeholder
    assert layer.output_shape == (None, 3)


def test_antirectifier_with_output_shape_function():
    layer = Lambda(antirectifier, output_shape=antirectifier_output_shape)
    np.testing.assert_allclose(run(layer, X), antirectifier_numpy(X), rtol=1e-5, atol=1e-6)
    assert layer.get_output_shape_for((None, 3)) == (None, 6)


def test_output_shape_tuple_and_arguments():
    layer = Lambda(scale, output_shape=(3,), arguments={'factor': 3.0})
    np.testing.assert_allclose(run(layer, X), 3 * X, rtol=1e-6)
    assert layer.get_output_shape_for((None, 3)) == (None, 3)
    assert Lambda(scale, output_shape=[3]).get_output_shape_for((7, 3)) == (7, 3)
    with pytest.raises(TypeError, match='output_shape must be a tuple'):
        Lambda(scale, output_shape=3)
    with pytest.raises(ValueError, match='must return a tuple'):
        Lambda(scale, output_shape=lambda s: 3).get_output_shape_for((None, 3))
    with pytest.raises(TypeError, match='function must be callable'):
        Lambda('x ** 2')


def test_list_input_vae_sampling():
    # §20 item 16: a list input reaches the function as one list (the VAE blog).
    def sampling(args, epsilon_std=0.):
        z_mean, z_log_sigma = args
        epsilon = K.random_normal(shape=(4, 2), mean=0., std=epsilon_std)
        return z_mean + K.exp(z_log_sigma) * epsilon
    mean = rng.randn(4, 2).astype('float32')
    log_sigma = rng.randn(4, 2).astype('float32')
    out = run(Lambda(sampling, output_shape=(2,)), [mean, log_sigma])
    np.testing.assert_allclose(out, mean, rtol=1e-6)
    # without output_shape (the blog: not needed on TensorFlow): read from the tensor
    out = run(Lambda(lambda xs: xs[0] - xs[1]), [mean, log_sigma])
    np.testing.assert_allclose(out, mean - log_sigma, rtol=1e-6)
    layer = Lambda(lambda xs: xs[0] * xs[1], output_shape=lambda shapes: shapes[0])
    assert layer.get_output_shape_for([(None, 2), (None, 2)]) == (None, 2)


def test_mask_argument():
    seen = []

    def keep(x, mask=None):
        seen.append(mask)
        return x
    run(Lambda(keep), X)
    assert seen == [None]


def test_named_function_config_roundtrip():
    layer = Lambda(antirectifier, output_shape=antirectifier_output_shape, name='anti')
    config = layer.get_config()
    assert config['function'] == 'antirectifier' and config['function_type'] == 'function'
    assert config['output_shape'] == 'antirectifier_output_shape'
    assert config['output_shape_type'] == 'function'
    custom = {'antirectifier': antirectifier,
              'antirectifier_output_shape': antirectifier_output_shape}
    again = roundtrip(layer, custom_objects=custom)
    assert again.function is antirectifier
    # safe mode resolves named functions only through custom_objects ...
    with pytest.raises(ValueError, match="custom_objects"):
        roundtrip(layer)
    # ... while safe_mode=False may import them from their module
    assert roundtrip(layer, safe_mode=False).function is antirectifier
    model_json_roundtrip(Lambda(antirectifier, output_shape=antirectifier_output_shape), X,
                         custom_objects=custom)


def test_kcore_functions_load_in_safe_mode():
    assert roundtrip(Lambda(activations.relu)).function is activations.relu
    again = roundtrip(Lambda(K.abs))
    np.testing.assert_allclose(run(again, X), abs(X), rtol=1e-6)
    assert again.get_config()['function_module'] == 'kcore.backend'


def test_lambda_bytecode_needs_safe_mode_off():
    offset = 2.0
    layer = Lambda(lambda x, k=3.0: x * k + offset, output_shape=lambda s: s,
                   arguments={'k': 0.5})
    config = layer.get_config()
    assert config['function_type'] == 'lambda' and config['output_shape_type'] == 'lambda'
    code, defaults, closure = config['function']
    assert isinstance(code, str) and list(defaults) == [3.0] and list(closure) == [2.0]
    with pytest.raises(ValueError, match='arbitrary code.*safe_mode=False'):
        roundtrip(layer)
    again = roundtrip(layer, safe_mode=False)
    np.testing.assert_allclose(run(again, X), X * 0.5 + 2.0, rtol=1e-6)
    assert again.arguments == {'k': 0.5}
    model_json_roundtrip(Lambda(lambda x: K.square(x) + offset), X, safe_mode=False)
    from kcore.models import model_from_json
    from kcore.engine.training import Model
    inp = keras_input((3,))
    model = Model(input=inp, output=Lambda(lambda x: x + offset)(inp))
    with pytest.raises(ValueError, match='arbitrary code'):
        model_from_json(model.to_json())


def test_lambda_in_a_model_with_dense():
    inp = keras_input((3,))
    hidden = Dense(4)(inp)
    out = Lambda(antirectifier, output_shape=antirectifier_output_shape)(hidden)
    assert out._keras_shape == (None, 8)
    assert Lambda(lambda x: x).get_weights() == []
