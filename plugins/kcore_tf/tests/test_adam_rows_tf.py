"""kcore-tf's Adam from an embedding's gradient rows (adam_rows): the same weights and
state as Adam's own formulas on the dense gradient, over several steps with repeated and
untouched rows; used where it should be, switched off and falling back where it should."""
import warnings

import numpy as np
import pytest
import tensorflow as tf

from kcore import backend as K
from kcore import constraints, native, optimizers
from kcore.layers import Dense, Embedding, Flatten
from kcore.models import Sequential
from kcore_tf import adam_rows


def _train(monkeypatch, env, embedding_constraint=None, steps=4):
    for name, value in env.items():
        monkeypatch.setenv(name, value)
    K.clear_session()
    np.random.seed(7)
    model = Sequential([Embedding(60, 5, input_length=4, W_constraint=embedding_constraint),
                        Flatten(),
                        Dense(2)])
    start = [np.random.RandomState(i).rand(*w.shape).astype('float32')
             for i, w in enumerate(model.get_weights())]
    model.compile(optimizers.Adam(lr=0.02, decay=0.05), 'mse')
    rng = np.random.RandomState(11)
    # Two batches: rows 0-9 only in the first, 30-39 only in the second (their moments
    # decay in the other's steps), 40-59 never (their moments stay 0); row 3 in both, six
    # times or more.
    batches = [rng.permutation(np.concatenate([np.arange(first, first + 30), [3] * 6,
                                               rng.randint(first, first + 30, 4)]))
               .reshape(10, 4) for first in (0, 10)]
    y = rng.rand(10, 2).astype('float32')
    model.train_on_batch(batches[0], y)   # builds the training function and Adam's state
    model.set_weights(start)
    model.optimizer.set_weights([np.zeros_like(w) for w in model.optimizer.get_weights()])
    for step in range(steps):
        if step == 2:   # a schedule changes the learning rate between batches
            K.set_value(model.optimizer.lr, 0.5 * K.get_value(model.optimizer.lr))
        model.train_on_batch(batches[step % 2], y)
    ops = [op.type for op in K.get_session().graph.get_operations()]
    return model.get_weights() + model.optimizer.get_weights(), ops


def _assert_same(got, want):
    for a, b in zip(got, want):
        np.testing.assert_allclose(a, b, rtol=2e-5, atol=1e-6)


def test_rows_step_equals_the_formulas(monkeypatch):
    values, ops = _train(monkeypatch, {'KCORE_TF_FUSED_UPDATES': '1'})
    expected, plain_ops = _train(monkeypatch, {'KCORE_TF_FUSED_UPDATES': '0'})
    assert ops.count('KcoreAdamFromRows') == 1   # the embedding; the Dense weights stay dense
    assert 'ResourceApplyAdam' in ops
    assert 'UnsortedSegmentSum' not in ops       # the gradient is never made dense
    assert 'KcoreAdamFromRows' not in plain_ops
    _assert_same(values, expected)
    start = np.random.RandomState(0).rand(60, 5).astype('float32')
    moved = np.abs(values[0] - start).min(axis=1)
    assert moved[:40].min() > 1e-4 and moved[40:].max() == 0


def test_switched_off_uses_the_dense_gradient(monkeypatch):
    values, ops = _train(monkeypatch, {'KCORE_TF_FUSED_UPDATES': '1', 'KCORE_TF_ADAM_ROWS': '0'})
    rows, _ = _train(monkeypatch, {'KCORE_TF_FUSED_UPDATES': '1'})
    assert 'KcoreAdamFromRows' not in ops and 'UnsortedSegmentSum' in ops
    _assert_same(values, rows)


def test_constrained_embedding_keeps_the_formulas(monkeypatch):
    values, ops = _train(monkeypatch, {'KCORE_TF_FUSED_UPDATES': '1'},
                         embedding_constraint=constraints.maxnorm(0.04))
    expected, _ = _train(monkeypatch, {'KCORE_TF_FUSED_UPDATES': '0'},
                         embedding_constraint=constraints.maxnorm(0.04))
    assert 'KcoreAdamFromRows' not in ops
    assert np.sqrt((values[0] ** 2).sum(axis=0)).max() <= 0.04 + 1e-6
    _assert_same(values, expected)


def test_failed_build_warns_once_and_falls_back(monkeypatch):
    def broken():
        raise RuntimeError('no compiler here')
    monkeypatch.setattr(adam_rows, '_library', native.OnFirstUse(broken, 'kcore-tf: test.'))
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter('always')
        values, ops = _train(monkeypatch, {'KCORE_TF_FUSED_UPDATES': '1'}, steps=1)
        _train(monkeypatch, {'KCORE_TF_FUSED_UPDATES': '1'}, steps=1)
    assert [str(w.message) for w in caught
            if 'no compiler here' in str(w.message)] == ['kcore-tf: test. Reason: no compiler here']
    assert 'KcoreAdamFromRows' not in ops and 'ResourceApplyAdam' in ops


def _numpy_adam(p, m, v, rows, values, lr, b1, b2, b1p, b2p, eps):
    g = np.zeros_like(p)
    np.add.at(g, rows, values)
    m = b1 * m + (1 - b1) * g
    v = b2 * v + (1 - b2) * g * g
    lr_t = lr * np.sqrt(1 - b2p) / (1 - b1p)
    return p - lr_t * m / (np.sqrt(v) + eps), m, v


@pytest.mark.parametrize('index_dtype', ['int32', 'int64'])
def test_op_on_a_table_of_rank_3(index_dtype):
    K.clear_session()
    rng = np.random.RandomState(2)
    p0, m0 = rng.randn(9, 2, 3).astype('float32'), rng.randn(9, 2, 3).astype('float32')
    v0 = rng.rand(9, 2, 3).astype('float32')
    rows = np.array([4, 0, 4, 8, 4], index_dtype)
    values = rng.randn(5, 2, 3).astype('float32')
    p, m, v = (K.variable(a) for a in (p0, m0, v0))
    scalars = [tf.constant(s, tf.float32) for s in (0.9 ** 3, 0.999 ** 3, 0.1, 0.9, 0.999, 1e-3)]
    op = adam_rows.adam(p, tf.IndexedSlices(tf.constant(values), tf.constant(rows)), [m, v],
                        scalars)
    K.get_session().run(op)
    want = _numpy_adam(p0, m0, v0, rows, values, 0.1, 0.9, 0.999, 0.9 ** 3, 0.999 ** 3, 1e-3)
    for got, expected in zip(K.batch_get_value([p, m, v]), want):
        np.testing.assert_allclose(got, expected, rtol=1e-5, atol=1e-6)


def test_op_refuses_a_row_outside_the_table():
    K.clear_session()
    p, m, v = (K.variable(np.zeros((4, 2))) for _ in range(3))
    scalars = [tf.constant(0.5)] * 6
    grad = tf.IndexedSlices(tf.ones([1, 2]), tf.constant([4]))
    with pytest.raises(tf.errors.InvalidArgumentError, match='index 4 .* outside .* 4 rows'):
        K.get_session().run(adam_rows.adam(p, grad, [m, v], scalars))
