"""kcore-tf's fused optimizer steps (fused_updates): the same weights and state as the
optimizers' own formulas, with a decayed and a changed learning rate, and constraints; and
the optimizers without a fused step keep their formulas."""
import numpy as np
import pytest

from kcore import backend as K
from kcore import constraints, optimizers
from kcore.layers import Dense, Embedding, Flatten
from kcore.models import Sequential


def _train(monkeypatch, fused, make, constraint=None, steps=4):
    monkeypatch.setenv('KCORE_TF_FUSED_UPDATES', '1' if fused else '0')
    K.clear_session()
    np.random.seed(3)
    model = Sequential([Embedding(50, 4, input_length=3),
                        Flatten(),
                        Dense(2, W_constraint=constraint)])
    model.compile(make(), 'mse')
    rng = np.random.RandomState(5)
    x = rng.randint(50, size=(8, 3))
    y = rng.rand(8, 2).astype('float32')
    for step in range(steps):
        if step == 2:   # a schedule changes the learning rate between batches
            K.set_value(model.optimizer.lr, 0.5 * K.get_value(model.optimizer.lr))
        model.train_on_batch(x, y)
    ops = {op.type for op in K.get_session().graph.get_operations()}
    return model.get_weights(), model.optimizer.get_weights(), ops


@pytest.mark.parametrize('make, op_type', [
    (lambda: optimizers.Adam(lr=0.01, decay=0.1), 'ResourceApplyAdam'),
    (lambda: optimizers.Adam(lr=0.02, beta_1=0.5, beta_2=0.8, epsilon=1e-3), 'ResourceApplyAdam'),
])
def test_fused_steps_equal_the_formulas(monkeypatch, make, op_type):
    weights, state, ops = _train(monkeypatch, True, make)
    expected_weights, expected_state, plain_ops = _train(monkeypatch, False, make)
    assert op_type in ops and op_type not in plain_ops
    for got, want in zip(weights + state, expected_weights + expected_state):
        np.testing.assert_allclose(got, want, rtol=2e-5, atol=1e-6)


def test_constrained_weights_keep_their_constraint(monkeypatch):
    make = lambda: optimizers.Adam(lr=0.1)
    weights, state, _ = _train(monkeypatch, True, make, constraints.maxnorm(0.05))
    expected_weights, expected_state, _ = _train(monkeypatch, False, make,
                                                 constraints.maxnorm(0.05))
    kernel = weights[1]
    assert np.sqrt((kernel ** 2).sum(axis=0)).max() <= 0.05 + 1e-6
    for got, want in zip(weights + state, expected_weights + expected_state):
        np.testing.assert_allclose(got, want, rtol=2e-5, atol=1e-6)


def test_other_optimizers_keep_their_formulas(monkeypatch):
    _, _, ops = _train(monkeypatch, True, lambda: optimizers.RMSprop(lr=0.01), steps=1)
    assert not {op for op in ops if op.startswith('ResourceApply')}
