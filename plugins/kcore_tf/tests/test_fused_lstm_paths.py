"""The fused LSTM op's faster paths against the generic loop (KCORE_TF_FUSED_LSTM=0) or
against themselves switched off: the layer's input bias folded into the op
(KCORE_TF_LSTM_FOLD_BIAS), the recurrent kernel's gradient from the unshifted outputs
(KCORE_TF_LSTM_FLAT_GRAD); outputs and the gradients of every weight and of the inputs."""
import numpy as np
import pytest
import tensorflow as tf

from kcore import backend as K
from kcore_tf import fused_lstm

pytestmark = pytest.mark.skipif(fused_lstm.library() is None,
                                reason='the fused LSTM kernel could not be built here')


def _types(tensors):
    seen, stack, types = set(), [t.op for t in tensors], set()
    while stack:
        op = stack.pop()
        if op.name not in seen:
            seen.add(op.name)
            types.add(op.type)
            stack.extend(t.op for t in op.inputs)
    return types


def _run(monkeypatch, settings, steps, mask, phase=1, **layer_args):
    """Outputs and gradients (weights, then inputs) of a seeded LSTM layer under ``settings``,
    and the op types they reach."""
    from kcore.layers import LSTM
    for name, value in settings.items():
        monkeypatch.setenv(name, value)
    rng = np.random.RandomState(7)
    x = K.placeholder(shape=(3, steps, 5))
    layer = LSTM(6, inner_activation='sigmoid', **layer_args)
    layer.build((3, steps, 5))
    # Non-zero biases, so that a lost or doubled bias shows.
    K.batch_set_value([(w, rng.uniform(-.5, .5, K.int_shape(w)).astype('f'))
                       for w in layer.trainable_weights])
    mask_value = np.ones((3, steps), 'f')
    if mask:
        mask_value[1, 1:] = 0.
        mask_value[2, 0] = 0.
    m = K.placeholder(shape=(3, steps))
    y = layer.call(x, mask=K.cast(m, 'bool'))
    weights = rng.uniform(-1, 1, (3, steps, 6) if layer.return_sequences else (3, 6))
    loss = K.sum(y * K.constant(weights.astype('f')))
    grads = K.gradients(loss, layer.trainable_weights + [x])
    f = K.function([x, m, K.learning_phase()], [y] + grads)
    values = f([rng.randn(3, steps, 5).astype('f'), mask_value, phase])
    return values, _types([y] + grads)


@pytest.mark.parametrize('steps,mask,args', [
    (4, False, {}),
    (1, False, {}),
    (5, True, {'return_sequences': True}),
    (4, True, {'go_backwards': True}),
])
def test_folded_bias_and_flat_gradient_match_the_generic_loop(monkeypatch, steps, mask, args):
    fused, types = _run(monkeypatch, {}, steps, mask, **args)
    assert 'KcoreLstmGrad' in types
    # go_backwards reverses the biased input: the BiasAdd stays before the op there.
    assert ('BiasAddGrad' in types) == bool(args.get('go_backwards'))
    monkeypatch.setenv('KCORE_TF_FUSED_LSTM', '0')
    generic, _ = _run(monkeypatch, {}, steps, mask, **args)
    for a, b in zip(fused, generic):
        np.testing.assert_allclose(a, b, rtol=2e-5, atol=2e-6)


@pytest.mark.parametrize('consume_less', ['cpu', 'gpu'])
def test_dropout_keeps_the_folded_bias_right(monkeypatch, consume_less):
    """dropout_U: the bias added after each gate's product ('cpu': one mask per gate). The
    test phase gives masks of ones, the same in both runs; against the switches off."""
    args = dict(phase=0, dropout_U=0.3, consume_less=consume_less)
    on, _ = _run(monkeypatch, {}, 4, True, **args)
    off, types = _run(monkeypatch, {'KCORE_TF_LSTM_FOLD_BIAS': '0',
                                    'KCORE_TF_LSTM_FLAT_GRAD': '0'}, 4, True, **args)
    assert 'KcoreLstmGrad' in types
    for a, b in zip(on, off):
        np.testing.assert_allclose(a, b, rtol=2e-5, atol=2e-6)


def test_switched_off_leaves_the_graph_as_it_was(monkeypatch):
    _, types = _run(monkeypatch, {'KCORE_TF_LSTM_FOLD_BIAS': '0'}, 4, False)
    assert {'KcoreLstmGrad', 'BiasAddGrad'} <= types


def test_bias_shape_error_names_the_shapes():
    zx, kernel, h, c, b = [K.placeholder(shape=(None,) * n) for n in (3, 2, 2, 2, 1)]
    y = fused_lstm.lstm(tf.nn.bias_add(zx, b), kernel, h, c, None, 'tanh', 'sigmoid')[0]
    f = K.function([zx, kernel, h, c, b], [y])
    arrays = [np.zeros((2, 3, 8), 'f'), np.zeros((2, 8), 'f'), np.zeros((2, 2), 'f'),
              np.zeros((2, 2), 'f'), np.zeros((8,), 'f')]
    f(arrays)
    with pytest.raises(tf.errors.InvalidArgumentError, match='bias must be'):
        K.function([zx, kernel, h, c, b], [fused_lstm.library().kcore_lstm(
            zx, kernel, h, c, tf.zeros([0]), tf.zeros([0]), b[:5],
            activation='tanh', inner_activation='sigmoid')[0]])(arrays)

