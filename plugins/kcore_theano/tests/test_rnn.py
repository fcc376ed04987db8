"""kcore_theano.rnn: what the scan loop gets as non-sequences, and what that changes for
recurrent layers (one dropout mask per sequence, a trainable LSTM with recurrent dropout)."""
import numpy as np
import pytest

pytensor = pytest.importorskip('pytensor')
import pytensor.tensor as pt  # noqa: E402
from pytensor.compile.sharedvalue import SharedVariable  # noqa: E402
from pytensor.scan.op import Scan  # noqa: E402
from pytensor.tensor.random.op import RandomVariable  # noqa: E402
from pytensor.tensor.random.utils import RandomStream  # noqa: E402

from kcore_theano import rnn  # noqa: E402


def test_loop_invariants_are_the_values_computed_outside_the_loop():
    x_t, h = pt.matrix('x_t'), pt.matrix('h')
    u1, u2 = pytensor.shared(np.ones((2, 2)), name='u1'), pytensor.shared(np.ones((2, 2)))
    joined = pt.concatenate([u1, u2], axis=1)      # loop-invariant, computed once outside
    mask = pt.matrix('mask')                        # an outside input
    noise = RandomStream(1).uniform(size=(2, 4))    # a draw in the step: stays in the loop
    out = pt.tanh(x_t + pt.dot(h, joined) * mask + noise)
    invariants = rnn.loop_invariants([out], [x_t, h])
    assert joined in invariants and mask in invariants
    assert noise not in invariants  # drawn at each step
    assert not [v for v in invariants if isinstance(v, SharedVariable)]  # scan follows those


def backend():
    from kcore import backend as K
    if K.backend() != 'theano':
        pytest.skip('the theano backend is not the active one')
    return K


def test_constants_are_the_same_at_every_step():
    # A dropout mask given as a constant is drawn once per sequence (as in Keras), not per
    # step.
    K = backend()
    x = K.placeholder(shape=(2, 6, 5))
    mask = K.random_binomial((2, 5), p=0.5, seed=2)

    def step(x_t, states):
        out = x_t * states[1]
        return out, [out]

    _, outputs, _ = K.rnn(step, x, [K.zeros((2, 5))], constants=[mask])
    got = K.function([x], [outputs])([np.ones((2, 6, 5), 'float32')])[0]
    assert 0 < got.sum() < got.size
    np.testing.assert_array_equal(got, np.repeat(got[:, :1], 6, axis=1))


def test_lstm_with_recurrent_dropout_trains():
    K = backend()
    from kcore.layers import LSTM
    from kcore.models import Sequential
    model = Sequential([LSTM(4, dropout_W=0.5, dropout_U=0.5, input_shape=(5, 3))])
    model.compile('sgd', 'mse')
    x, y = np.random.RandomState(0).rand(8, 5, 3), np.zeros((8, 4))
    before = [w.copy() for w in model.get_weights()]
    model.train_on_batch(x, y)
    assert not all(np.array_equal(a, b) for a, b in zip(before, model.get_weights()))
    for node in model.train_function.function._fn.maker.fgraph.toposort():
        if isinstance(node.op, Scan):  # the masks come in from outside the loops
            assert not any(isinstance(n.op, RandomVariable) for n in node.op.fgraph.apply_nodes)


def test_lstm_gradient_sums_the_recurrent_weights_after_the_loop(monkeypatch):
    # With the gates' recurrent weights joined outside the loop, PyTensor moves the sum of
    # their gradient out of the gradient's loop: no (units, units) accumulators per gate.
    # (The generic scan, which LSTM runs without the fused kernel.)
    monkeypatch.setenv('KCORE_THEANO_FUSED_LSTM', '0')
    K = backend()
    from kcore.layers import LSTM
    from kcore.models import Sequential
    model = Sequential([LSTM(8, input_shape=(5, 3))])
    model.compile('sgd', 'mse')
    model.train_on_batch(np.ones((2, 5, 3)), np.zeros((2, 8)))
    scans = [node.op for node in model.train_function.function._fn.maker.fgraph.toposort()
             if isinstance(node.op, Scan)]
    assert len(scans) == 2
    for op in scans:
        assert op.info.n_sit_sot <= 2  # the states h and c only
