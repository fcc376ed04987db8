"""ThreadedDot (threaded_dot.py): the float32 matrix products of functions without updates,
their rows shared among threads; training functions keep Dot22."""
import numpy as np
import pytensor
import pytensor.tensor as pt
import pytest

from kcore import backend as K
from kcore_theano import threaded_dot

pytestmark = pytest.mark.skipif(not threaded_dot.available(),
                                reason='the native library could not be built here')


def _ops(function):
    return {type(node.op).__name__ for node in function._fn.maker.fgraph.apply_nodes}


@pytest.mark.parametrize('m, k, n', [(1030, 300, 200), (1, 5, 3), (0, 4, 2), (3, 0, 2)])
@pytest.mark.parametrize('threads', ('1', '3'))
def test_products_match_numpy(monkeypatch, m, k, n, threads):
    monkeypatch.setenv('KCORE_THEANO_CONV_THREADS', threads)
    rng = np.random.RandomState(0)
    a, b = rng.randn(m, k).astype('float32'), rng.randn(k, n).astype('float32')
    x, y = pt.matrix(dtype='float32'), pt.matrix(dtype='float32')
    f = pytensor.function([x, y], [threaded_dot.ThreadedDot()(x, y),
                                   threaded_dot.ThreadedDot()(y.T, x.T)])
    ab, ba = f(a, b)
    np.testing.assert_allclose(ab, a @ b, rtol=1e-4, atol=1e-4)
    np.testing.assert_allclose(ba, (a @ b).T, rtol=1e-4, atol=1e-4)
    strided = a[:, ::2] if k > 1 else a  # neither C- nor Fortran-contiguous: copied
    np.testing.assert_allclose(f(strided, b[::2] if k > 1 else b)[0],
                               strided @ (b[::2] if k > 1 else b), rtol=1e-4, atol=1e-4)


def test_functions_without_updates_use_it_for_large_weights():
    x = K.placeholder(shape=(None, 512))
    w = K.variable(np.random.RandomState(1).randn(512, 512).astype('float32'))
    predict = K.function([x], [K.dot(x, w)])
    assert 'ThreadedDot' in _ops(predict)
    small = K.function([x], [K.dot(x, K.variable(np.ones((512, 10), 'float32')))])
    assert 'ThreadedDot' not in _ops(small)  # small weights: Dot22's call is cheaper
    data = np.random.RandomState(2).randn(100, 512).astype('float32')
    np.testing.assert_allclose(predict([data])[0], data @ K.get_value(w), rtol=1e-4,
                               atol=1e-4)


def _train_step(monkeypatch, threaded):
    """One SGD step of a dense layer (x w, batch axis unknown): its output and new weights."""
    monkeypatch.setenv('KCORE_THEANO_THREADED_TRAINING', '1' if threaded else '0')
    rng = np.random.RandomState(3)
    x = K.placeholder(shape=(None, 256))
    w = K.variable(rng.randn(256, 256).astype('float32') * 0.1)
    y = K.dot(x, w)
    loss = K.sum(K.square(y))
    train = K.function([x], [y], updates=[(w, w - 1e-3 * K.gradients(loss, [w])[0])])
    return _ops(train), train, w


@pytest.mark.parametrize('rows', [64, 1100])   # numpy's BLAS / rows on threads (2^26)
def test_training_products_along_the_batch_axis_match_dot22(monkeypatch, rows):
    data = np.random.RandomState(4).randn(rows, 256).astype('float32')
    results = []
    for threaded in (True, False):
        ops, train, w = _train_step(monkeypatch, threaded)
        assert ('ThreadedDot' in ops) == threaded
        results.append((train([data])[0], K.get_value(w)))
    w0 = np.random.RandomState(3).randn(256, 256).astype('float32') * 0.1
    y = data @ w0
    reference = (y, w0 - 1e-3 * 2 * data.T @ y)   # numpy's: d sum(y^2) / dw = 2 x' y
    for got in results:
        for value, want in zip(got, reference):
            np.testing.assert_allclose(value, want, rtol=1e-3, atol=1e-3)


def test_switched_off(monkeypatch):
    monkeypatch.setenv('KCORE_THEANO_THREADED_DOT', '0')
    x = K.placeholder(shape=(None, 8))
    f = K.function([x], [K.dot(x, K.variable(np.ones((8, 4), 'float32')))])
    assert 'ThreadedDot' not in _ops(f)
