"""Functions that take the learning phase and have no updates (a model's predict and test
steps) run, at phase 0, a second function compiled with the phase a constant: no dropout
masks are drawn. (session.py)"""
import numpy as np
from pytensor.tensor.random.op import RandomVariable

from kcore import backend as K
from kcore.layers import Dense, Dropout
from kcore.models import Sequential


def _draws(function):
    return any(isinstance(node.op, RandomVariable)
               for node in function.maker.fgraph.apply_nodes)


def _phase_function(outputs_of):
    x, phase = K.placeholder(shape=(4, 3)), K.learning_phase()
    return K.function([x, phase], [outputs_of(x)])


def test_phase_0_runs_without_dropout_and_phase_1_with_it():
    f = _phase_function(lambda x: K.in_train_phase(K.dropout(x, 0.5), x))
    x = np.ones((4, 3), 'float32')
    np.testing.assert_array_equal(f([x, 0])[0], x)
    assert f._test_fn is not None and not _draws(f._test_fn)
    trained = f([x, 1])[0]
    assert set(np.unique(trained)) <= {0.0, 2.0} and (trained == 0).any()
    assert _draws(f._fn)


def test_random_outputs_at_phase_0_still_change_between_calls():
    f = _phase_function(lambda x: x + K.random_uniform((4, 3)))
    x = np.zeros((4, 3), 'float32')
    first, second = f([x, 0])[0], f([x, 0])[0]
    assert _draws(f._test_fn)
    assert not np.array_equal(first, second)


def test_predict_of_a_model_with_dropout_matches_the_generic_function():
    model = Sequential([Dense(8, input_dim=5, activation='relu'), Dropout(0.5), Dense(2)])
    x = np.random.RandomState(0).rand(6, 5).astype('float32')
    got = model.predict(x, batch_size=4)
    function = model._make_predict_function().function
    assert not _draws(function._test_fn)
    want = np.concatenate([function._fn(x[rows], 0)[0] for rows in (slice(0, 4), slice(4, 6))])
    np.testing.assert_allclose(got, want, rtol=1e-6)
