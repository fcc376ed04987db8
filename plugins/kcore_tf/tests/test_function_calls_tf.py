"""How kcore-tf runs its functions: without updates in the calling thread (inline), and
through ``call_async`` on the call threads, two batches at a time, with the values,
errors and order of plain calls."""
import threading

import numpy as np
import pytest
import tensorflow as tf

from kcore import backend as K
from kcore.layers import Dense, Dropout
from kcore.models import Sequential


@pytest.fixture(autouse=True)
def fresh_graph():
    K.clear_session()
    yield
    K.clear_session()


def _recording(x, seen, fail_on=None):
    """x through a py_function that notes the thread it runs in (and raises on a value)."""
    def record(value):
        seen.append(threading.current_thread())
        if fail_on is not None and float(value.numpy().sum()) == fail_on:
            raise ValueError('the recorded batch failed')
        return value
    return tf.py_function(record, [x], tf.float32)


@pytest.mark.parametrize('inline', ['1', '0'])
def test_functions_without_updates_run_in_the_calling_thread(monkeypatch, inline):
    monkeypatch.setenv('KCORE_TF_RUN_INLINE', inline)
    seen = []
    x = K.placeholder((None, 2))
    variable = K.variable(np.zeros(2))
    predict = K.function([x], [_recording(x, seen)])
    train = K.function([x], [_recording(x, seen)], updates=[(variable, variable + 1.)])
    np.testing.assert_array_equal(predict([np.ones((1, 2))])[0], np.ones((1, 2)))
    assert (seen[-1] is threading.current_thread()) == (inline == '1')
    train([np.ones((1, 2))])
    assert K.get_value(variable).tolist() == [1., 1.]


def test_call_async_runs_on_the_call_threads():
    seen = []
    x = K.placeholder((None, 2))
    both = K.function([x], [_recording(x, seen), K.sum(x, axis=1)])
    single = K.function([x], x * 3)
    values = [np.full((2, 2), float(i), 'float32') for i in range(6)]
    pending = [K.call_async(both, [v]) for v in values]
    singles = [K.call_async(single, [v]) for v in values]
    for v, (first, total), three in zip(values, pending, singles):
        np.testing.assert_array_equal(np.asarray(first), v)
        np.testing.assert_array_equal(np.asarray(total), v.sum(axis=1))
        np.testing.assert_array_equal(np.asarray(three), v * 3)
    assert {t.name.startswith('kcore-tf-call') for t in seen} == {True}


def test_call_async_with_updates_is_the_plain_call():
    x = K.placeholder((None, 2))
    total = K.variable(np.zeros(2))
    step = K.function([x], [K.sum(x)], updates=[(total, total + K.sum(x, 0))])
    out = K.call_async(step, [np.ones((3, 2))])
    assert isinstance(out[0], np.generic) or isinstance(out[0], np.ndarray)
    assert K.get_value(total).tolist() == [3., 3.]   # applied before it returned


def test_call_async_switched_off_is_the_plain_call(monkeypatch):
    monkeypatch.setenv('KCORE_TF_CONCURRENT_CALLS', '0')
    seen = []
    x = K.placeholder((None, 2))
    f = K.function([x], [_recording(x, seen)])
    out = K.call_async(f, [np.ones((1, 2))])
    assert isinstance(out[0], np.ndarray)
    assert not seen[-1].name.startswith('kcore-tf-call')


def test_an_error_comes_out_where_the_value_is_read():
    seen = []
    x = K.placeholder((None, 2))
    f = K.function([x], [_recording(x, seen, fail_on=4.)])
    good, bad = K.call_async(f, [np.ones((1, 2))]), K.call_async(f, [np.full((1, 2), 2.)])
    np.testing.assert_array_equal(np.asarray(good[0]), np.ones((1, 2)))
    with pytest.raises(tf.errors.OpError, match='the recorded batch failed'):
        np.asarray(bad[0])


@pytest.mark.parametrize('verbose', [0, 1])
def test_predict_equals_the_plain_calls(monkeypatch, capsys, verbose):
    model = Sequential([Dense(40, activation='relu', input_dim=12), Dropout(0.5),
                        Dense(5, activation='softmax')])
    model.compile('sgd', 'mse')
    x = np.random.RandomState(2).randn(203, 12).astype('float32')
    side_by_side = model.predict(x, batch_size=16, verbose=verbose)
    monkeypatch.setenv('KCORE_TF_CONCURRENT_CALLS', '0')
    plain = model.predict(x, batch_size=16, verbose=verbose)
    np.testing.assert_array_equal(side_by_side, plain)
    if verbose:
        out = capsys.readouterr().out
        assert out.count('203/203') == 2
