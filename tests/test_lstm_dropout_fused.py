"""LSTM with dropout_W / dropout_U on K.lstm's fused path: the same values and gradients as
the layer's own step loop with the same masks, for each consume_less, and no dropout at
test time."""
import numpy as np
import pytest

from kcore import backend as K
from kcore.layers import LSTM
from kcore.layers.recurrent import _dense_base, lstm as lstm_module

BATCH, STEPS, INPUT, UNITS = 3, 5, 4, 6


def _fixed_masks(monkeypatch):
    """Replace the random masks by fixed ones, the same for the same (rate, position) on
    either path, in either phase (dropout_U is 0.4 and dropout_W 0.3 here)."""
    def masks(ones, rate, count):
        if not 0 < rate < 1:
            return []
        width = UNITS if rate == 0.4 else INPUT   # the tests' dropout_U and dropout_W
        return [K.constant((np.random.RandomState(i).rand(BATCH, width) > rate)
                           / (1 - rate)) for i in range(count)]
    monkeypatch.setattr(_dense_base, 'dropout_masks', masks)


def _run(layer, x, weights, generic, monkeypatch):
    """The outputs and the gradients of their weighted sum for the weights and input."""
    if generic:   # an activation K.lstm doesn't take: the layer runs its step loop
        monkeypatch.setattr(lstm_module, 'activation_name', lambda f: None)
    inputs = K.placeholder(shape=(BATCH, STEPS, INPUT))
    outputs = layer(inputs)
    layer.set_weights(weights)
    loss = K.sum(outputs * K.constant(np.linspace(-1, 1, BATCH * STEPS * UNITS)
                                      .reshape(BATCH, STEPS, UNITS)))
    grads = K.gradients(loss, [inputs] + layer.trainable_weights)
    monkeypatch.undo()
    return K.function([inputs], [outputs] + grads)([x])


@pytest.mark.parametrize('consume_less', ['cpu', 'mem', 'gpu'])
@pytest.mark.parametrize('dropout_W, dropout_U', [(0., 0.4), (0.3, 0.4), (0.3, 0.)])
def test_fused_dropout_matches_the_step_loop(monkeypatch, consume_less, dropout_W, dropout_U):
    rng = np.random.RandomState(1)
    x = rng.randn(BATCH, STEPS, INPUT).astype('float32')
    results = []
    for generic in (False, True):
        _fixed_masks(monkeypatch)
        layer = LSTM(UNITS, return_sequences=True, consume_less=consume_less,
                     inner_activation='sigmoid', dropout_W=dropout_W, dropout_U=dropout_U)
        if not results:
            layer.build((BATCH, STEPS, INPUT))
            weights = [rng.randn(*w.shape).astype('float32') * 0.4 for w in
                       layer.get_weights()]
        results.append(_run(layer, x, weights, generic, monkeypatch))
    for got, want in zip(*results):
        np.testing.assert_allclose(got, want, rtol=2e-4, atol=2e-5)


def test_no_dropout_at_test_time():
    rng = np.random.RandomState(2)
    x = rng.randn(BATCH, STEPS, INPUT).astype('float32')
    outputs = []
    for rates in ((0.3, 0.5), (0., 0.)):
        layer = LSTM(UNITS, return_sequences=True, dropout_W=rates[0], dropout_U=rates[1])
        inputs = K.placeholder(shape=(BATCH, STEPS, INPUT))
        y = layer(inputs)
        if not outputs:
            weights = layer.get_weights()
        layer.set_weights(weights)
        outputs.append(K.function([inputs, K.learning_phase()], [y])([x, 0])[0])
    np.testing.assert_allclose(outputs[0], outputs[1], rtol=1e-5, atol=1e-6)
