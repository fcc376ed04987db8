"""kcore-jax's fused LSTM and GRU kernels (``fused_rnn``): the same values and gradients as
the protocol's step loop on ``rnn``, and really used by ``K.lstm``, ``K.gru`` and the
layers."""
import numpy as np
import pytest


B, T, H = 3, 6, 4
ACTIVATIONS = [('tanh', 'sigmoid'), ('tanh', 'hard_sigmoid'), ('relu', 'sigmoid'),
               ('linear', 'tanh')]


def _arrays(gates, seed):
    rng = np.random.RandomState(seed)
    return [rng.randn(B, T, gates * H).astype('float32'),
            (rng.randn(H, gates * H) * 0.5).astype('float32'),
            (rng.randn(B, H) * 0.5).astype('float32'),
            (rng.randn(B, H) * 0.5).astype('float32')]


def _mask(seed):
    mask = (np.random.RandomState(seed).rand(B, T) > 0.3).astype('float32')
    mask[0, :2] = 0.   # a sample that starts late
    return mask


def _dropout(shape, seed):
    return ((np.random.RandomState(seed).rand(*shape) > 0.3) / 0.7).astype('float32')


def _run(K, kind, fused, arrays, activations, go_backwards, mask, dropout, monkeypatch):
    """Outputs, last states and the gradients of a loss on both w.r.t. x, U, h0, c0."""
    monkeypatch.setenv('KCORE_JAX_FUSED_RNN', 'lstm,gru' if fused else '0')
    x, U, h0, c0 = [K.variable(a) for a in arrays]
    m = None if mask is None else K.variable(mask)
    d = None if dropout is None else K.variable(dropout)
    if kind == 'lstm':
        last, outputs, states = K.lstm(x, U, [h0, c0], *activations, go_backwards=go_backwards,
                                       mask=m, dropout=d)
        wrt = [x, U, h0, c0]
    else:
        last, outputs, states = K.gru(x, U, [h0], *activations, go_backwards=go_backwards,
                                      mask=m, dropout=d)
        wrt = [x, U, h0]
    weights = K.variable(np.random.RandomState(7).randn(B, T, H).astype('float32'))
    loss = K.sum(outputs * weights) + K.sum(K.square(states[-1])) + K.sum(last)
    grads = K.gradients(loss, wrt)
    return K.function([], [outputs, last] + list(states) + grads)([])


def _compare(K, kind, monkeypatch, activations=('tanh', 'sigmoid'), go_backwards=False,
             mask=None, dropout=None, seed=0):
    arrays = _arrays(4 if kind == 'lstm' else 3, seed)
    fused = _run(K, kind, True, arrays, activations, go_backwards, mask, dropout, monkeypatch)
    steps = _run(K, kind, False, arrays, activations, go_backwards, mask, dropout, monkeypatch)
    assert len(fused) == len(steps)
    for got, want in zip(fused, steps):
        np.testing.assert_allclose(got, want, rtol=2e-4, atol=2e-5)


@pytest.mark.parametrize('kind', ['lstm', 'gru'])
@pytest.mark.parametrize('activations', ACTIVATIONS)
def test_fused_equals_step_loop(K, monkeypatch, kind, activations):
    _compare(K, kind, monkeypatch, activations)


@pytest.mark.parametrize('kind', ['lstm', 'gru'])
@pytest.mark.parametrize('go_backwards', [False, True])
def test_fused_equals_step_loop_with_a_mask(K, monkeypatch, kind, go_backwards):
    _compare(K, kind, monkeypatch, go_backwards=go_backwards, mask=_mask(1), seed=2)


@pytest.mark.parametrize('kind, shape', [('lstm', (B, H)), ('lstm', (B, 4, H)),
                                         ('gru', (B, H)), ('gru', (B, 3, H))])
@pytest.mark.parametrize('masked', [False, True])
def test_fused_equals_step_loop_with_recurrent_dropout(K, monkeypatch, kind, shape, masked):
    """One mask shared by the gates (samples, units), or one per gate."""
    _compare(K, kind, monkeypatch, mask=_mask(4) if masked else None,
             dropout=_dropout(shape, 3), seed=5)


def test_both_kernels_are_on_by_default_and_chosen_by_name(K, monkeypatch):
    monkeypatch.delenv('KCORE_JAX_FUSED_RNN', raising=False)
    assert K._fused_gru_kernel() is not None and K._fused_lstm_kernel() is not None
    monkeypatch.setenv('KCORE_JAX_FUSED_RNN', 'gru')
    assert K._fused_gru_kernel() is not None and K._fused_lstm_kernel() is None
    monkeypatch.setenv('KCORE_JAX_FUSED_RNN', '0')
    assert K._fused_gru_kernel() is None and K._fused_lstm_kernel() is None


def _graph_functions(K, outputs):
    from kcore_jax import graph
    return {getattr(node.fn, '__qualname__', '') for node in graph.topological(outputs)}


@pytest.mark.parametrize('kind', ['lstm', 'gru'])
def test_the_fused_kernel_is_used_unless_switched_off(K, monkeypatch, kind):
    gates = 4 if kind == 'lstm' else 3
    x = K.placeholder(shape=(B, T, gates * H))
    U = K.variable(np.zeros((H, gates * H), 'float32'))
    states = [K.zeros((B, H))] * (2 if kind == 'lstm' else 1)
    run = K.lstm if kind == 'lstm' else K.gru
    monkeypatch.setenv('KCORE_JAX_FUSED_RNN', 'lstm,gru')
    names = _graph_functions(K, [run(x, U, states)[1]])
    assert any('_fused_%s_kernel' % kind in n for n in names), names
    monkeypatch.setenv('KCORE_JAX_FUSED_RNN', '0')
    names = _graph_functions(K, [run(x, U, states)[1]])
    assert not any('_fused_%s_kernel' % kind in n for n in names), names


@pytest.mark.parametrize('layer', ['LSTM', 'GRU'])
def test_layers_train_through_the_fused_kernel(K, monkeypatch, layer):
    """A recurrent layer's fit runs the fused kernel, and one training step gives the same
    weights as with the step loop."""
    import kcore.layers as layers
    from kcore import backend as active
    from kcore.models import Sequential
    from kcore_jax import fused_rnn

    if active.backend() != 'jax':
        pytest.skip('the layers run on the active backend; this test is for KCORE_BACKEND=jax')
    rng = np.random.RandomState(0)
    x = rng.randint(1, 50, size=(8, 7)).astype('int32')
    y = rng.randint(2, size=(8, 1)).astype('float32')
    results = []
    for fused in ('lstm,gru', '0'):
        monkeypatch.setenv('KCORE_JAX_FUSED_RNN', fused)
        calls = []
        original = getattr(fused_rnn, layer.lower())
        monkeypatch.setattr(fused_rnn, layer.lower(),
                            lambda *a, **k: calls.append(1) or original(*a, **k))
        K.clear_session()
        model = Sequential([layers.Embedding(50, 6, input_length=7, mask_zero=True),
                            getattr(layers, layer)(5, inner_activation='sigmoid'),
                            layers.Dense(1, activation='sigmoid')])
        model.compile('adam', 'binary_crossentropy')
        weights = [np.random.RandomState(i).uniform(-0.3, 0.3, w.shape).astype('float32')
                   for i, w in enumerate(model.get_weights())]
        model.set_weights(weights)
        model.train_on_batch(x, y)
        results.append(model.get_weights())
        assert bool(calls) == (fused != '0')
        monkeypatch.setattr(fused_rnn, layer.lower(), original)
    for got, want in zip(*results):
        np.testing.assert_allclose(got, want, rtol=1e-4, atol=1e-6)
