"""Checks the layer tests share: seeded random inputs, run a layer, compare shapes,
round-trip configs, take a gradient step. (Not a test module: imported by
tests/test_layers_*.py.)"""
import base64
import json
import marshal

import numpy as np
import pytest

from kcore import backend as K

RNG = np.random.RandomState(7)


def rand(*shape):
    """float32 standard-normal samples from this module's seeded generator."""
    return RNG.randn(*shape).astype('float32')


@pytest.fixture(autouse=True)
def fresh_graph():
    """Each test builds in a new graph (imported by the test modules to take effect)."""
    K.clear_session()
    yield


def keras_input(shape):
    """An Input tensor for samples of ``shape`` (batch axis excluded)."""
    from kcore.layers import Input
    return Input(shape=tuple(shape))


def run(layer, x, phase=None, inputs=None):
    """The layer's output on numpy ``x`` (a list for several inputs); ``phase`` 0/1 feeds
    the learning phase. Also checks the output's shape against get_output_shape_for."""
    xs = x if isinstance(x, list) else [x]
    inputs = inputs or [keras_input(a.shape[1:]) for a in xs]
    y = layer(inputs if isinstance(x, list) else inputs[0])
    feeds = list(inputs) + ([K.learning_phase()] if phase is not None else [])
    values = list(xs) + ([phase] if phase is not None else [])
    out = K.function(feeds, [y])(values)[0]
    check_shape(y._keras_shape, out.shape)
    expected = layer.get_output_shape_for(
        [i._keras_shape for i in inputs] if isinstance(x, list) else inputs[0]._keras_shape)
    if expected is not None:
        check_shape(expected, out.shape)
    return out


def check_shape(inferred, actual):
    """``inferred`` (None = any size) matches the array shape ``actual``."""
    assert len(inferred) == len(actual), (inferred, actual)
    for want, got in zip(inferred, actual):
        assert want is None or want == got, (inferred, actual)


def roundtrip(layer, custom_objects=None, safe_mode=True):
    """Rebuild ``layer`` from its config, directly and through JSON; check both
    configs equal the original; return the JSON-rebuilt layer."""
    from kcore.engine import serialization
    from kcore.utils.layer_utils import layer_from_config
    config = layer.get_config()
    assert 'class_name' not in config
    with serialization.scope(custom_objects, safe_mode):
        again = type(layer).from_config(config)
    assert normalize(again.get_config()) == normalize(config)
    text = json.dumps({'class_name': type(layer).__name__, 'config': config})
    rebuilt = layer_from_config(json.loads(text), custom_objects=custom_objects,
                                safe_mode=safe_mode)
    assert type(rebuilt) is type(layer)
    assert normalize(rebuilt.get_config()) == normalize(config)
    return rebuilt


def normalize(config):
    """Tuples as lists, as JSON keeps them; bytecode as code objects (marshal's bytes for
    equal code may differ)."""
    config = json.loads(json.dumps(config))
    for key in ('function', 'output_shape'):
        if config.get(key + '_type') == 'lambda':
            code, defaults, closure = config[key]
            config[key] = [marshal.loads(base64.b64decode(code)), defaults, closure]
    return config


def model_json_roundtrip(layer, x, custom_objects=None, safe_mode=True):
    """A one-layer model, saved with to_json, reloaded with model_from_json and given the
    same weights, predicts the same outputs."""
    from kcore.engine.training import Model
    from kcore.models import model_from_json
    inp = keras_input(x.shape[1:])
    model = Model(input=inp, output=layer(inp))
    again = model_from_json(model.to_json(), custom_objects=custom_objects, safe_mode=safe_mode)
    again.set_weights(model.get_weights())
    np.testing.assert_allclose(again.predict(x), model.predict(x), rtol=1e-5, atol=1e-6)
    return again


def gradient_step(layer, x, lr=0.1):
    """One step of gradient descent on mean((output - 1) ** 2) plus the layer's penalties;
    return (weights before, weights after, loss before, loss after)."""
    inp = keras_input(x.shape[1:])
    y = layer(inp)
    loss = K.mean(K.square(y - 1.))
    for penalty in layer.losses:
        loss = loss + penalty
    params = layer.trainable_weights
    grads = K.gradients(loss, params)
    updates = [(p, p - lr * g) for p, g in zip(params, grads)]
    step = K.function([inp, K.learning_phase()], [loss], updates=updates)
    evaluate = K.function([inp, K.learning_phase()], [loss])
    before = layer.get_weights()
    loss_before = evaluate([x, 1])[0]
    step([x, 1])
    return before, layer.get_weights(), loss_before, evaluate([x, 1])[0]


def assert_trains(layer, x):
    """A gradient step changes every trainable weight and lowers the loss."""
    before, after, loss_before, loss_after = gradient_step(layer, x)
    assert len(after) == len(before) > 0
    for b, a in zip(before, after):
        assert not np.allclose(a, b)
    assert loss_after < loss_before
