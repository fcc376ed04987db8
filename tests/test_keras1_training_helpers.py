"""Keras 1.1.2's module-level helpers of ``keras.engine.training``, imported from
``kcore.engine.training`` as Keras 1 scripts do, against Keras 1.1.2's results."""
import numpy as np
import pytest

from kcore import backend as K
from kcore import objectives
from kcore.engine.training import (batch_shuffle, check_array_lengths,
                                   check_loss_and_target_compatibility, collect_metrics,
                                   generator_queue, make_batches, slice_X,
                                   standardize_class_weights, standardize_input_data,
                                   standardize_sample_weights, standardize_weights,
                                   weighted_objective)
from kcore_test_helpers.training import fresh_graph  # noqa: F401 (autouse fixture)

X = np.arange(20, dtype='float32').reshape(10, 2)


def test_make_batches_and_slice_x():
    assert make_batches(10, 4) == [(0, 4), (4, 8), (8, 10)]
    assert make_batches(8, 4) == [(0, 4), (4, 8)]
    assert all(type(n) is int for batch in make_batches(10, 3) for n in batch)
    np.testing.assert_array_equal(slice_X(X, 2, 4), X[2:4])
    np.testing.assert_array_equal(slice_X(X, np.array([5, 1])), X[[5, 1]])
    first, second = slice_X([X, X * 2], [0, 9])
    np.testing.assert_array_equal(second, X[[0, 9]] * 2)
    assert slice_X([X], 3)[0].shape == (7, 2)       # start only: X[3:]


def test_batch_shuffle_moves_whole_batches_and_keeps_the_tail():
    np.random.seed(0)
    shuffled = batch_shuffle(np.arange(11), 3)
    assert sorted(shuffled) == list(range(11)) and list(shuffled[-2:]) == [9, 10]
    blocks = [tuple(shuffled[i:i + 3]) for i in range(0, 9, 3)]
    assert sorted(blocks) == [(0, 1, 2), (3, 4, 5), (6, 7, 8)]


def test_standardize_input_data():
    a, b = np.zeros((4, 3)), np.ones(4)
    arrays = standardize_input_data({'b': b, 'a': a}, ['a', 'b'], [(None, 3), (None, 1)])
    assert arrays[0] is a and arrays[1].shape == (4, 1)      # a 1D array becomes a column
    assert standardize_input_data(a, ['a'])[0] is a
    assert standardize_input_data([1, 2, 3], ['a'])[0].shape == (3, 1)
    assert len(standardize_input_data([a, b], ['a', 'b'])) == 2
    with pytest.raises(ValueError, match='model input: expected a to have shape'):
        standardize_input_data(a, ['a'], [(None, 5)], exception_prefix='model input')
    with pytest.raises(ValueError, match=r"no data for \['b'\]"):
        standardize_input_data({'a': a}, ['a', 'b'])
    with pytest.raises(ValueError, match=r'expects 2 array\(s\) \(for a, b\), but got 1'):
        standardize_input_data(a, ['a', 'b'])
    standardize_input_data(a, ['a'], [(32, 3)], check_batch_dim=False)
    with pytest.raises(ValueError, match=r'shape \(32, 3\)'):
        standardize_input_data(a, ['a'], [(32, 3)])


def test_standardize_sample_and_class_weights():
    w = np.ones(3)
    assert standardize_sample_weights(None, ['o']) == [None]
    assert standardize_sample_weights(w, ['o'])[0] is w
    assert standardize_sample_weights({'o2': w}, ['o1', 'o2']) == [None, w]
    assert standardize_class_weights([{0: 1}, {1: 2}], ['o1', 'o2']) == [{0: 1}, {1: 2}]
    with pytest.raises(ValueError, match='class_weight is a list of 1 items'):
        standardize_class_weights([{0: 1}], ['o1', 'o2'])


def test_standardize_weights():
    y = np.array([[0, 1], [1, 0], [0, 1]], dtype='float32')
    np.testing.assert_array_equal(standardize_weights(y), [1, 1, 1])
    np.testing.assert_array_equal(standardize_weights(y, class_weight={0: 2., 1: 5.}),
                                  [5, 2, 5])
    np.testing.assert_array_equal(standardize_weights(np.array([[1], [0]]),
                                                      class_weight={0: 2., 1: 5.}), [5, 2])
    given = np.array([0.5, 1., 2.])
    np.testing.assert_array_equal(standardize_weights(y, given, {0: 2., 1: 5.}), given)
    assert standardize_weights(np.zeros((3, 4, 2)), sample_weight_mode='temporal').shape == (3, 4)
    with pytest.raises(ValueError, match='time axis'):
        standardize_weights(y, sample_weight_mode='temporal')
    with pytest.raises(ValueError, match='sample_weight_mode="temporal" for 2D weights'):
        standardize_weights(y, np.ones((3, 2)))
    with pytest.raises(ValueError, match=r'no weight for class\(es\) \[1\]'):
        standardize_weights(y, class_weight={0: 1.})


def test_check_array_lengths():
    check_array_lengths([X], [X], [np.ones(10)])
    with pytest.raises(ValueError, match='All input arrays'):
        check_array_lengths([X, X[:3]], [X], [np.ones(10)])
    with pytest.raises(ValueError, match='10 input, 9 target'):
        check_array_lengths([X], [X[:9]], [np.ones(10)])


def test_check_loss_and_target_compatibility():
    losses = [objectives.categorical_crossentropy]
    check_loss_and_target_compatibility([np.zeros((4, 3))], losses, [(None, 3)])
    with pytest.raises(ValueError, match='to_categorical'):
        check_loss_and_target_compatibility([np.zeros((4, 1))], losses, [(None, 3)])
    with pytest.raises(ValueError, match=r'shape \(4, 2\) .* output of shape \(None, 3\)'):
        check_loss_and_target_compatibility([np.zeros((4, 2))],
                                            [objectives.mean_squared_error], [(None, 3)])
    check_loss_and_target_compatibility([np.zeros((4, 2))], [objectives.hinge], [(None, 3)])


def test_collect_metrics():
    assert collect_metrics(None, ['a', 'b']) == [[], []]
    assert collect_metrics(['acc'], ['a', 'b']) == [['acc'], ['acc']]
    assert collect_metrics({'b': 'mae'}, ['a', 'b']) == [[], ['mae']]
    with pytest.raises(TypeError, match='list .* or a dict'):
        collect_metrics('acc', ['a'])


def test_weighted_objective_against_numpy():
    """Keras 1.1.2: mean over the weight's axes of loss * weight, divided by the fraction
    of non-zero weights."""
    y_true = np.array([[1., 0.], [0., 1.], [1., 1.]], dtype='float32')
    y_pred = np.array([[0.5, 0.], [0., 0.], [1., 3.]], dtype='float32')
    weights = np.array([1., 0., 2.], dtype='float32')
    weighted = weighted_objective(objectives.mean_squared_error)
    value = K.eval(weighted(K.variable(y_true), K.variable(y_pred), K.variable(weights)))
    per_sample = ((y_true - y_pred) ** 2).mean(axis=1)
    assert value == pytest.approx((per_sample * weights).mean() / (2. / 3.), rel=1e-5)


def test_generator_queue_runs_the_generator_ahead():
    def numbers():
        n = 0
        while True:
            yield n
            n += 1
    queue, stop = generator_queue(numbers(), max_q_size=3)
    try:
        assert [queue.get() for _ in range(6)] == list(range(6))
        assert not stop.is_set()
    finally:
        stop.set()
    assert stop.is_set() and queue.empty()


def test_generator_queue_reports_the_generators_error():
    def failing():
        yield 1
        raise KeyError('bad batch')
    queue, stop = generator_queue(failing())
    try:
        with pytest.raises(KeyError, match='bad batch'):
            for _ in range(2):      # the error may overtake the item queued before it
                queue.get()
    finally:
        stop.set()
    assert stop.is_set()
