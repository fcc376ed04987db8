"""kcore-theano's native Adam step (fused_update.py) against kcore's formulas, its rewrites
(the embedding's sparse gradient, in place) and its fallbacks; and the recurrent kernels'
row blocks on several threads against one."""
import numpy as np
import pytest
from pytensor.compile import SharedVariable

from kcore import backend as K
from kcore.constraints import maxnorm
from kcore.layers import GRU, LSTM, Dense, Embedding, Flatten
from kcore.models import Sequential
from kcore.optimizers import Adam
from kcore_theano import fused_update, native

pytestmark = pytest.mark.skipif(fused_update.library() is None,
                                reason='the native library could not be built here')

SWITCH = fused_update.SWITCH


def _model(seed, constraint=None):
    np.random.seed(seed)
    model = Sequential([Embedding(50, 6, input_length=5), Flatten(),
                        Dense(3, W_constraint=constraint), Dense(1, activation='sigmoid')])
    model.compile(Adam(lr=0.01, decay=0.05), 'binary_crossentropy')
    return model


def _ops(model, op_type):
    graph = model.train_function.function._fn.maker.fgraph
    return [node.op for node in graph.apply_nodes if isinstance(node.op, op_type)]


def _data(step=0):
    rng = np.random.RandomState(3 + step)
    # Row 7 comes several times in each batch; after two steps the batches look up rows
    # 20..49 only, so rows 0..19 (but 7) take steps with a zero gradient.
    low = 0 if step < 2 else 20
    x = rng.randint(low, 50, size=(8, 5)).astype('int32')
    x[:, 0] = 7
    return x, rng.randint(2, size=(8, 1)).astype('float32')


def _train(monkeypatch, fused, constraint=None):
    """The model after 4 steps, and its embedding after 2."""
    monkeypatch.setenv(SWITCH, '1' if fused else '0')
    model = _model(11, constraint)
    model._make_train_function()
    monkeypatch.delenv(SWITCH)
    for step in range(4):
        if step == 2:   # a learning rate set between steps
            K.set_value(model.optimizer.lr, 0.003)
            halfway = model.get_weights()[0]
        model.train_on_batch(*_data(step))
    return model, halfway


@pytest.mark.parametrize('constraint', [None, maxnorm(0.5)])
def test_equals_the_formulas_over_steps(monkeypatch, constraint):
    (fused, halfway), (formulas, _) = (_train(monkeypatch, on, constraint)
                                       for on in (True, False))
    assert _ops(fused, fused_update.AdamRowsOp) and not _ops(formulas, fused_update.AdamOp)
    for a, b in zip(fused.get_weights() + fused.optimizer.get_weights(),
                    formulas.get_weights() + formulas.optimizer.get_weights()):
        np.testing.assert_allclose(a, b, rtol=2e-5, atol=1e-7)
    # Rows without a gradient in the last steps still took them (Keras 1's Adam is dense).
    early, late = (set(np.concatenate([_data(s)[0].ravel() for s in steps]))
                   for steps in ((0, 1), (2, 3)))
    rows = sorted(early - late)
    assert rows and (np.abs(fused.get_weights()[0][rows] - halfway[rows]) > 1e-6).all()


def test_the_ops_in_the_graph_work_in_place(monkeypatch):
    monkeypatch.setenv(SWITCH, '1')
    model = _model(2)
    model._make_train_function()
    # The embedding's step takes its gradient's rows; the other weights a dense gradient.
    assert [op.inplace for op in _ops(model, fused_update.AdamRowsOp)] == [True]
    assert [op.inplace for op in _ops(model, fused_update.AdamOp)] == [True] * 4
    weights = [w for w in model.trainable_weights + model.optimizer.weights[1:]
               if isinstance(w, SharedVariable)]
    before = [id(w.get_value(borrow=True, return_internal_type=True)) for w in weights]
    model.train_on_batch(*_data())
    after = [id(w.get_value(borrow=True, return_internal_type=True)) for w in weights]
    assert before == after


def test_a_constrained_weight_keeps_the_formulas(monkeypatch):
    monkeypatch.setenv(SWITCH, '1')
    model = _model(2, maxnorm(0.5))
    model._make_train_function()
    assert len(_ops(model, fused_update.AdamOp)) == 3   # the constrained kernel is not one


def test_switched_off(monkeypatch):
    monkeypatch.setenv(SWITCH, '0')
    model = _model(2)
    model._make_train_function()
    assert not _ops(model, fused_update.AdamOp) and not _ops(model, fused_update.AdamRowsOp)


def test_float64_and_other_rules_fall_back():
    p, m, v = (K.variable(np.zeros((3, 2)), dtype='float64') for _ in range(3))
    hyper = dict(lr=0.1, beta_1=0.9, beta_2=0.99, beta_1_power=0.9, beta_2_power=0.99,
                 epsilon=1e-8)
    assert fused_update.fused_update('adam', p, p * 2, [m, v], hyper) is None
    p32, m32, v32 = (K.variable(np.zeros((3, 2)), dtype='float32') for _ in range(3))
    assert fused_update.fused_update('rmsprop', p32, p32 * 2, [m32, v32], hyper) is None
    assert isinstance(fused_update.fused_update('adam', p32, p32 * 2, [m32, v32], hyper),
                      fused_update.Updates)


def test_a_failed_build_falls_back(monkeypatch):
    def fail():
        raise RuntimeError('no compiler here')
    monkeypatch.setattr(native, '_build', fail)
    monkeypatch.setattr(native.library, '_state', {})
    with pytest.warns(RuntimeWarning, match='no compiler here'):
        assert fused_update.library() is None
    model = _model(2)
    model.train_on_batch(*_data())
    assert not _ops(model, fused_update.AdamOp) and not _ops(model, fused_update.AdamRowsOp)


def _step(op, *inputs):
    hyper = np.array([0.01, 0.9, 0.1, 0.999, 0.001, 1e-8], np.float32)
    storage = [[None] for _ in range(3)]
    node = op.make_node(*[K.constant(x) if isinstance(x, np.ndarray) else x
                          for x in inputs + (hyper,)])
    op.perform(node, list(inputs) + [hyper], storage)
    return [s[0] for s in storage]


def test_sparse_equals_dense_with_duplicates_and_negative_indices():
    rng = np.random.RandomState(0)
    p, m, v = (rng.rand(6, 4).astype('float32') for _ in range(3))
    originals = [p.copy(), m.copy(), v.copy()]
    index = np.array([5, 5, -1, 0, 23, 9], np.int64)    # -1: the last element, 23 again
    values = rng.randn(6).astype('float32')
    dense = np.zeros(24, np.float32)
    np.add.at(dense, index, values)
    expected = _step(fused_update.AdamOp(), p, m, v, dense.reshape(6, 4))
    got = _step(fused_update.AdamRowsOp(), p, m, v, np.int64(24), index, values)
    for a, b in zip(got, expected):
        np.testing.assert_array_equal(a, b)
    for a, b in zip((p, m, v), originals):   # out of place: the inputs are unchanged
        np.testing.assert_array_equal(a, b)
    with pytest.raises(IndexError, match='outside the parameter of 24 elements'):
        _step(fused_update.AdamRowsOp(), p, m, v, np.int64(24), np.array([24], np.int64),
              values[:1])
    with pytest.raises(ValueError, match='gradient of a parameter of 24 elements'):
        _step(fused_update.AdamRowsOp(), p, m, v, np.int64(20), index, values)


@pytest.mark.parametrize('cell', [LSTM, GRU])
def test_recurrent_kernels_on_threads_equal_one_thread(monkeypatch, cell):
    """Row blocks on two threads (a batch large enough to start them) equal one thread."""
    np.random.seed(5)
    model = Sequential([cell(64, input_shape=(20, 8))])
    x = np.random.rand(32, 20, 8).astype('float32')
    loss = K.sum(K.square(model.output))
    f = K.function([model.input], [model.output] + K.gradients(loss, model.trainable_weights))
    results = []
    for threads in ('1', '2'):
        monkeypatch.setenv('KCORE_THEANO_RNN_THREADS', threads)
        results.append(f([x]))
    for a, b in zip(*results):
        np.testing.assert_allclose(a, b, rtol=1e-6, atol=1e-7)
