"""The fused LSTM op: against the generic rnn loop, in the LSTM layer, its build cache and
its fallback."""
import os
import sys
import textwrap

import numpy as np
import pytest
import tensorflow as tf

from kcore import backend as K
from kcore.backend.protocol import LSTM_ACTIVATIONS, Backend
from kcore.layers import LSTM, Embedding
from kcore.models import Sequential
from kcore_tf import fused_lstm

pytestmark = pytest.mark.skipif(fused_lstm.library() is None,
                                reason='the fused LSTM kernel could not be built here')


def _arrays(seed=0, batch=5, steps=7, units=6):
    rng = np.random.RandomState(seed)
    mask = (rng.rand(batch, steps) > 0.3).astype('float32')
    mask[1, :3] = 0      # masked first steps: outputs start at zero, states at h0, c0
    mask[2] = 0          # a sample with no step at all
    return [rng.randn(batch, steps, 4 * units).astype('float32'),
            (rng.randn(units, 4 * units) * 0.3).astype('float32'),
            rng.randn(batch, units).astype('float32'),
            rng.randn(batch, units).astype('float32'), mask]


def _results(lstm, arrays, activation, inner_activation, go_backwards, masked):
    """Outputs, final states and the gradients of a weighted sum of them."""
    inputs = [K.placeholder(shape=a.shape) for a in arrays]
    x, kernel, h, c, mask = inputs
    last, outputs, states = lstm(x, kernel, [h, c], activation, inner_activation,
                                 go_backwards=go_backwards, mask=mask if masked else None)
    rng = np.random.RandomState(1)
    loss = (K.sum(outputs * K.constant(rng.randn(*K.int_shape(outputs))))
            + K.sum(states[1] * K.constant(rng.randn(*arrays[2].shape)))
            + K.sum(last * 2.))
    fetches = [last, outputs] + list(states) + K.gradients(loss, inputs[:4])
    return K.function(inputs, fetches)(arrays)


def _generic(x, kernel, states, *args, **kwargs):
    return Backend.lstm(K, x, kernel, states, *args, **kwargs)


def _fetches_op(tensor, op_type):
    seen, stack = set(), [tensor.op]
    while stack:
        op = stack.pop()
        if op.type == op_type:
            return True
        if op.name not in seen:
            seen.add(op.name)
            stack.extend(t.op for t in op.inputs)
    return False


@pytest.mark.parametrize('activation', LSTM_ACTIVATIONS)
@pytest.mark.parametrize('go_backwards', (False, True))
@pytest.mark.parametrize('masked', (False, True))
def test_matches_the_rnn_loop(activation, go_backwards, masked):
    arrays = _arrays()
    inner = 'hard_sigmoid' if activation == 'tanh' else 'sigmoid'
    got = _results(K.lstm, arrays, activation, inner, go_backwards, masked)
    want = _results(_generic, arrays, activation, inner, go_backwards, masked)
    for g, w in zip(got, want):
        np.testing.assert_allclose(g, w, rtol=1e-5, atol=1e-5)


def test_the_op_is_in_the_graph():
    x, kernel, h, c = [K.placeholder(shape=s) for s in ((2, 3, 8), (2, 8), (2, 2), (2, 2))]
    _, outputs, _ = K.lstm(x, kernel, [h, c], 'tanh', 'sigmoid')
    assert _fetches_op(outputs, 'KcoreLstm')
    assert _fetches_op(K.gradients(K.sum(outputs), [kernel])[0], 'KcoreLstmGrad')


def test_shape_errors_name_the_shapes():
    x, kernel, h, c = [K.placeholder(ndim=n) for n in (3, 2, 2, 2)]
    _, outputs, _ = K.lstm(x, kernel, [h, c], 'tanh', 'sigmoid')
    f = K.function([x, kernel, h, c], [outputs])
    arrays = [np.zeros((2, 3, 8), 'f'), np.zeros((2, 8), 'f'), np.zeros((3, 2), 'f'),
              np.zeros((2, 2), 'f')]
    with pytest.raises(tf.errors.InvalidArgumentError, match=r'initial states must be \[2,2\]'):
        f(arrays)
    arrays[1] = np.zeros((2, 6), 'f')
    with pytest.raises(tf.errors.InvalidArgumentError, match='recurrent kernel must be'):
        f(arrays)


def _model(**lstm_arguments):
    model = Sequential([Embedding(50, 8, input_length=9, mask_zero=True),
                        LSTM(6, return_sequences=True, **lstm_arguments)])
    model.compile('sgd', 'mse')
    return model


@pytest.mark.parametrize('arguments, fused', [
    ({}, True),
    ({'go_backwards': True, 'consume_less': 'gpu', 'inner_activation': 'sigmoid'}, True),
    ({'unroll': True}, False),
    ({'dropout_U': 0.2}, False),
    ({'inner_activation': lambda x: K.sigmoid(x)}, False),
])
def test_the_layer_uses_the_op_where_it_can(arguments, fused, monkeypatch):
    tokens = np.random.RandomState(0).randint(0, 50, size=(4, 9))
    tokens[0, :4] = 0      # padding
    targets = np.random.RandomState(1).rand(4, 9, 6)
    model = _model(**arguments)
    assert _fetches_op(model.layers[-1].output, 'KcoreLstm') is fused
    weights = model.get_weights()
    got = [model.predict(tokens), model.train_on_batch(tokens, targets), model.get_weights()]
    monkeypatch.setenv('KCORE_TF_FUSED_LSTM', '0')
    generic = _model(**arguments)
    assert not _fetches_op(generic.layers[-1].output, 'KcoreLstm')
    generic.set_weights(weights)
    want = [generic.predict(tokens), generic.train_on_batch(tokens, targets),
            generic.get_weights()]
    np.testing.assert_allclose(got[0], want[0], rtol=1e-5, atol=1e-6)
    if 'dropout_U' in arguments:   # training draws different random masks
        return
    np.testing.assert_allclose(got[1], want[1], rtol=1e-5)
    for g, w in zip(got[2], want[2]):
        np.testing.assert_allclose(g, w, rtol=1e-5, atol=1e-6)


# ------------------------------------------------------------- build cache and fallback
@pytest.fixture
def fake_compiler(tmp_path, monkeypatch):
    """A 'compiler' that logs its arguments, fails on the flags in $FAIL_ON, and otherwise
    writes the -o file; the cache goes to a fresh folder."""
    script = tmp_path / 'cxx'
    script.write_text(textwrap.dedent('''\
        #!%s
        import os, sys
        with open(os.environ['CXX_LOG'], 'a') as log:
            log.write(' '.join(sys.argv[1:]) + '\\n')
        if any(flag in sys.argv for flag in os.environ.get('FAIL_ON', '').split()):
            sys.exit('error: unsupported flag')
        open(sys.argv[sys.argv.index('-o') + 1], 'w').write('built')
        ''' % sys.executable))
    script.chmod(0o755)
    log = tmp_path / 'log'
    monkeypatch.setenv('CXX', str(script))
    monkeypatch.setenv('CXX_LOG', str(log))
    monkeypatch.setenv('KCORE_CACHE_DIR', str(tmp_path / 'cache'))
    return lambda: log.read_text().splitlines() if log.exists() else []


def test_the_build_is_cached(fake_compiler, tmp_path):
    path = fused_lstm._build()
    assert os.path.dirname(path) == str(tmp_path / 'cache')
    assert fused_lstm._build() == path
    assert len(fake_compiler()) == 1 and '-march=native' in fake_compiler()[0]
    assert os.listdir(tmp_path / 'cache') == [os.path.basename(path)]   # no partial files


def test_the_build_tries_plainer_flags(fake_compiler, monkeypatch, tmp_path):
    monkeypatch.setenv('FAIL_ON', '-march=native')
    path = fused_lstm._build()
    assert len(fake_compiler()) == 3 and '-march' not in fake_compiler()[2]
    assert os.listdir(tmp_path / 'cache') == [os.path.basename(path)]


def test_a_failed_build_falls_back_with_a_warning(fake_compiler, monkeypatch):
    monkeypatch.setenv('FAIL_ON', '-shared')
    monkeypatch.setattr(fused_lstm, '_state', {})
    with pytest.warns(RuntimeWarning, match='unsupported flag'):
        assert fused_lstm.library() is None
    arrays = _arrays()
    got = _results(K.lstm, arrays, 'tanh', 'sigmoid', False, True)
    want = _results(_generic, arrays, 'tanh', 'sigmoid', False, True)
    for g, w in zip(got, want):
        np.testing.assert_allclose(g, w, rtol=1e-6)


def test_no_compiler(monkeypatch, tmp_path):
    monkeypatch.setenv('CXX', str(tmp_path / 'missing-compiler'))
    monkeypatch.setenv('KCORE_CACHE_DIR', str(tmp_path / 'cache'))
    with pytest.raises(RuntimeError, match='cannot run the C.. compiler'):
        fused_lstm._build()


def test_switched_off(monkeypatch):
    monkeypatch.setenv('KCORE_TF_FUSED_LSTM', '0')
    assert fused_lstm.library() is None
