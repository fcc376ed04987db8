"""The fused LSTM Ops of kcore-theano: used by K.lstm, their errors and the fallback.
(Their results are checked by the conformance suite: test_lstm*, test_lstm_matches_rnn.)"""
import numpy as np
import pytest
from pytensor.graph.traversal import ancestors

from kcore import backend as K
from kcore_theano import lstm, native

pytestmark = pytest.mark.skipif(lstm.library() is None,
                                reason='the fused LSTM kernel could not be built here')


def _uses(variable, op_type):
    return any(v.owner is not None and isinstance(v.owner.op, op_type)
               for v in ancestors([variable]))


def _lstm(shapes=((2, 3, 8), (2, 8), (2, 2), (2, 2))):
    x, kernel, h, c = [K.placeholder(shape=s) for s in shapes]
    return [x, kernel, h, c], K.lstm(x, kernel, [h, c], 'tanh', 'sigmoid')[1]


def test_k_lstm_runs_the_op_and_its_gradient():
    (_, kernel, _, _), outputs = _lstm()
    assert _uses(outputs, lstm.LstmOp)
    assert _uses(K.gradients(K.sum(outputs), [kernel])[0], lstm.LstmGradOp)


def test_shape_errors_name_the_shapes():
    inputs, outputs = _lstm(shapes=[(None,) * n for n in (3, 2, 2, 2)])
    f = K.function(inputs, [outputs])
    arrays = [np.zeros((2, 3, 8), 'f'), np.zeros((2, 8), 'f'), np.zeros((3, 2), 'f'),
              np.zeros((2, 2), 'f')]
    with pytest.raises(ValueError, match=r'initial states must be \(2, 2\)'):
        f(arrays)
    arrays[1] = np.zeros((2, 6), 'f')
    with pytest.raises(ValueError, match='recurrent kernel must be'):
        f(arrays)


def test_a_failed_build_warns_and_falls_back(monkeypatch):
    def fail():
        raise RuntimeError('no compiler here')
    monkeypatch.setattr(native, '_build', fail)
    monkeypatch.setattr(native.library, '_state', {})
    with pytest.warns(RuntimeWarning, match='no compiler here'):
        assert lstm.library() is None
    _, outputs = _lstm()
    assert not _uses(outputs, lstm.LstmOp)


def test_switched_off(monkeypatch):
    monkeypatch.setenv('KCORE_THEANO_FUSED_LSTM', '0')
    assert lstm.library() is None
    _, outputs = _lstm()
    assert not _uses(outputs, lstm.LstmOp)


@pytest.mark.parametrize('consume_less', ['mem', 'gpu'])
def test_lstm_layer_with_dropout_runs_the_op(consume_less):
    """Recurrent (and input) dropout stay on the fused Ops, forward and gradient; (the
    results against the step loop: tests/test_lstm_dropout_fused.py)."""
    from kcore.layers import LSTM
    layer = LSTM(4, consume_less=consume_less, dropout_W=0.2, dropout_U=0.3)
    outputs = layer(K.placeholder(shape=(2, 3, 5)))
    assert _uses(outputs, lstm.LstmOp)
    assert _uses(K.gradients(K.sum(outputs), layer.trainable_weights)[1], lstm.LstmGradOp)


def test_dropout_shape_errors_name_the_shapes():
    x, kernel, h, c, d = [K.placeholder(shape=(None,) * n) for n in (3, 2, 2, 2, 2)]
    f = K.function([x, kernel, h, c, d], [K.lstm(x, kernel, [h, c], 'tanh', 'sigmoid',
                                                 dropout=d)[1]])
    arrays = [np.zeros((2, 3, 8), 'f'), np.zeros((2, 8), 'f'), np.zeros((2, 2), 'f'),
              np.zeros((2, 2), 'f'), np.zeros((2, 3), 'f')]
    with pytest.raises(ValueError, match=r'dropout mask must be .*\(2, 2\).*got \(2, 3\)'):
        f(arrays)
