"""The native conv2d and pool2d Ops of kcore-theano (native_conv.py): used by K.conv1d,
K.conv2d and K.pool2d, equal to the graph path they replace (values and gradients), and
their gradients checked by PyTensor's verify_grad. (The conformance suite checks both
against the numpy oracle.)"""
import numpy as np
import pytensor
import pytensor.tensor as pt
import pytest
from pytensor.graph.traversal import ancestors

from kcore import backend as K
from kcore_theano import native, native_conv

pytestmark = pytest.mark.skipif(native_conv.library() is None,
                                reason='the native convolutions could not be built here')

NATIVE_OPS = (native_conv.Conv2d, native_conv.Pool2d)


def _uses(variable, op_type):
    return any(v.owner is not None and isinstance(v.owner.op, op_type)
               for v in ancestors([variable]))


def _values_and_gradients(monkeypatch, native_on, build, *arrays):
    """build(*placeholders) with the native Ops on or off: its value and the gradients of a
    weighted sum of it w.r.t. every input."""
    monkeypatch.setenv('KCORE_THEANO_NATIVE_CONV', '1' if native_on else '0')
    inputs = [K.placeholder(shape=a.shape) for a in arrays]
    out = build(*inputs)
    assert _uses(out, NATIVE_OPS) == native_on
    weights = np.random.RandomState(7).uniform(0.5, 1.5, K.int_shape(out)).astype('float32')
    grads = K.gradients(K.sum(out * K.constant(weights)), inputs)
    return K.function(inputs, [out] + grads)(list(arrays))


def _same_on_both_paths(monkeypatch, build, *arrays, rtol=1e-5, atol=1e-5):
    native_values = _values_and_gradients(monkeypatch, True, build, *arrays)
    graph_values = _values_and_gradients(monkeypatch, False, build, *arrays)
    for got, want in zip(native_values, graph_values):
        np.testing.assert_allclose(got, want, rtol=rtol, atol=atol)


def _data(*shape, seed=0):
    return np.random.RandomState(seed).randn(*shape).astype('float32')


def _image(n, rows, cols, channels, ordering, seed=0):
    x = _data(n, rows, cols, channels, seed=seed)
    return x.transpose(0, 3, 1, 2).copy() if ordering == 'th' else x


def _kernel(rows, cols, stack, filters, ordering):
    k = _data(rows, cols, stack, filters, seed=1)
    return k.transpose(3, 2, 0, 1).copy() if ordering == 'th' else k


@pytest.mark.parametrize('ordering', ('tf', 'th'))
@pytest.mark.parametrize('border_mode', ('valid', 'same'))
@pytest.mark.parametrize('strides', [(1, 1), (2, 2), (2, 3)])
@pytest.mark.parametrize('n', (1, 3))
def test_conv2d_matches_the_graph_path(monkeypatch, ordering, border_mode, strides, n):
    x, k = _image(n, 7, 6, 3, ordering), _kernel(3, 2, 3, 4, ordering)
    build = lambda x, k: K.conv2d(x, k, strides=strides, border_mode=border_mode,
                                  dim_ordering=ordering)
    _same_on_both_paths(monkeypatch, build, x, k)


@pytest.mark.parametrize('border_mode', ('valid', 'same'))
def test_dilated_conv2d_matches_the_graph_path(monkeypatch, border_mode):
    x, k = _image(2, 9, 8, 2, 'tf'), _kernel(3, 2, 2, 3, 'tf')
    build = lambda x, k: K.conv2d(x, k, border_mode=border_mode, dim_ordering='tf',
                                  filter_dilation=(2, 3))
    _same_on_both_paths(monkeypatch, build, x, k)


@pytest.mark.parametrize('border_mode', ('valid', 'same'))
@pytest.mark.parametrize('strides', (1, 2))
def test_conv1d_matches_the_graph_path(monkeypatch, border_mode, strides):
    x, k = _data(2, 9, 3), _data(3, 3, 5, seed=1)
    build = lambda x, k: K.conv1d(x, k, strides=strides, border_mode=border_mode)
    _same_on_both_paths(monkeypatch, build, x, k)


@pytest.mark.parametrize('filters', (16, 32, 64))
def test_one_input_channel_and_many_filters(monkeypatch, filters):
    """First layers (the cnn benchmark's: one channel, 3x3, 32 filters) take the kernel's
    loops for short patches, unrolled for 16, 32 and 64 filters."""
    x, k = _image(4, 12, 12, 1, 'tf'), _kernel(3, 3, 1, filters, 'tf')
    _same_on_both_paths(monkeypatch, lambda x, k: K.conv2d(x, k, dim_ordering='tf'), x, k,
                        rtol=1e-4)


@pytest.mark.parametrize('ordering', ('tf', 'th'))
@pytest.mark.parametrize('border_mode', ('valid', 'same'))
@pytest.mark.parametrize('pool_mode', ('max', 'avg'))
@pytest.mark.parametrize('pool_size, strides', [((2, 2), (2, 2)), ((3, 2), (1, 1)),
                                                ((3, 3), (2, 1))])
def test_pool2d_matches_the_graph_path(monkeypatch, ordering, border_mode, pool_mode,
                                       pool_size, strides):
    x = _image(2, 7, 5, 3, ordering)
    build = lambda x: K.pool2d(x, pool_size, strides=strides, border_mode=border_mode,
                               dim_ordering=ordering, pool_mode=pool_mode)
    _same_on_both_paths(monkeypatch, build, x)


def test_max_pool_gradient_goes_to_the_first_maximum(monkeypatch):
    """Ties (ReLU zeros, repeated values) send the whole gradient to the window's first
    maximum in row-major order, as TensorFlow does."""
    x = np.array([[1, 3, 3, 0], [3, 2, 0, 0], [5, 5, 4, 4], [5, 5, 4, 4]], 'float32')
    x = x.reshape(1, 4, 4, 1)
    *_, dx = _values_and_gradients(
        monkeypatch, True, lambda x: K.pool2d(x, (2, 2), (2, 2), dim_ordering='tf'), x)
    weights = np.random.RandomState(7).uniform(0.5, 1.5, (1, 2, 2, 1)).astype('float32')
    want = np.zeros((4, 4), 'float32')
    for (oy, ox), (iy, ix) in {(0, 0): (0, 1), (0, 1): (0, 2), (1, 0): (2, 0),
                               (1, 1): (2, 2)}.items():
        want[iy, ix] = weights[0, oy, ox, 0]
    np.testing.assert_array_equal(dx[0, :, :, 0], want)


def test_same_pooling_sees_only_in_image_pixels(monkeypatch):
    x = -np.ones((1, 3, 3, 1), 'float32')  # -1 everywhere: padding must not count as 0
    build = lambda x: K.pool2d(x, (2, 2), (2, 2), border_mode='same', dim_ordering='tf')
    out, _ = _values_and_gradients(monkeypatch, True, build, x)
    np.testing.assert_array_equal(out, -np.ones((1, 2, 2, 1)))
    x = np.arange(9, dtype='float32').reshape(1, 3, 3, 1)
    xs = K.placeholder(shape=x.shape)
    avg = K.function([xs], [K.pool2d(xs, (2, 2), (2, 2), border_mode='same',
                                     dim_ordering='tf', pool_mode='avg')])
    np.testing.assert_allclose(avg([x])[0][0, :, :, 0], [[2, 3.5], [6.5, 8]])


@pytest.mark.parametrize('border_mode', ('valid', 'same'))
def test_verify_grad(border_mode):
    rng = np.random.RandomState(3)
    x, k = rng.randn(2, 5, 6, 2), rng.randn(3, 2, 2, 3)
    conv = native_conv.Conv2d((3, 2), (2, 1), (1, 1), border_mode)
    pytensor.gradient.verify_grad(conv, [x.astype('float32'), k.astype('float32')], rng=rng,
                                  eps=1e-2, abs_tol=1e-2, rel_tol=1e-2)
    for mode in ('max', 'avg'):
        pool = native_conv.Pool2d((2, 3), (2, 2), border_mode, mode)
        pytensor.gradient.verify_grad(pool, [x.astype('float32')], rng=rng, eps=1e-3,
                                      abs_tol=1e-2, rel_tol=1e-2)


def test_symbolic_sizes_and_batches_of_other_sizes():
    """Unknown rows, cols and batch at build time; the shapes follow each call."""
    x, k = K.placeholder(ndim=4), K.variable(_kernel(3, 3, 2, 4, 'tf'))
    y = K.pool2d(K.conv2d(x, k, border_mode='same', dim_ordering='tf'), (2, 2), (2, 2),
                 dim_ordering='tf')
    assert _uses(y, NATIVE_OPS)
    f = K.function([x], [y, K.shape(y)])
    for shape in [(1, 5, 7, 2), (4, 8, 8, 2), (0, 4, 4, 2)]:
        out, shape_out = f([_data(*shape)])
        assert out.shape == tuple(shape_out) == (shape[0], shape[1] // 2, shape[2] // 2, 4)


def test_threads_give_the_same_result(monkeypatch):
    # Large enough for 3 threads (the kernel starts one per ~8M multiply-adds).
    x, k = _image(32, 24, 24, 16, 'tf'), _kernel(3, 3, 16, 32, 'tf')
    build = lambda x, k: K.conv2d(x, k, dim_ordering='tf')
    monkeypatch.setenv('KCORE_THEANO_CONV_THREADS', '1')
    one = _values_and_gradients(monkeypatch, True, build, x, k)
    monkeypatch.setenv('KCORE_THEANO_CONV_THREADS', '3')
    three = _values_and_gradients(monkeypatch, True, build, x, k)
    for a, b in zip(one, three):
        np.testing.assert_array_equal(a, b)


def test_errors_name_the_shapes():
    x = K.placeholder(ndim=4)
    k = K.variable(_kernel(3, 3, 2, 4, 'tf'))
    f = K.function([x], [K.conv2d(x, k, dim_ordering='tf')])
    with pytest.raises(ValueError, match=r'kernel must be \(3, 3, 5, filters\)'):
        f([_data(1, 6, 6, 5)])
    with pytest.raises(ValueError, match='does not fit'):
        f([_data(1, 2, 6, 2)])
    monkeypatch = pytest.MonkeyPatch()
    monkeypatch.setenv('KCORE_THEANO_CONV_THREADS', 'two')
    try:
        with pytest.raises(ValueError, match='KCORE_THEANO_CONV_THREADS'):
            native_conv.threads()
    finally:
        monkeypatch.undo()


def test_float64_and_a_failed_build_keep_the_graph_path(monkeypatch):
    x64 = pt.tensor4(dtype='float64')
    assert not _uses(K.conv2d(x64, K.variable(_kernel(2, 2, 3, 2, 'tf'), dtype='float64'),
                              dim_ordering='tf'), NATIVE_OPS)

    def fail():
        raise RuntimeError('no compiler here')
    monkeypatch.setattr(native, '_build', fail)
    monkeypatch.setattr(native.library, '_state', {})
    with pytest.warns(RuntimeWarning, match='no compiler here'):
        assert native_conv.library() is None
    x = K.placeholder(shape=(1, 4, 4, 3))
    assert not _uses(K.pool2d(x, (2, 2), dim_ordering='tf'), NATIVE_OPS)


@pytest.mark.parametrize('mode', ['max', 'avg'])
def test_the_pooling_gradient_has_a_gradient(monkeypatch, mode):
    """Second order, as the what-where autoencoder trains on a pooling gradient: the
    gradient of a pooling gradient equals the graph path's."""
    def build(x):
        y = K.pool2d(x, (2, 2), (2, 2), 'valid', 'tf', mode)
        return K.gradients(K.sum(y * y), [x])[0]
    _same_on_both_paths(monkeypatch, build, _data(2, 6, 6, 3))
