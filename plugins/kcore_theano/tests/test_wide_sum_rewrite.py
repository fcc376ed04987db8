"""Gradients that sum more than 31 terms run in PyTensor's FAST_COMPILE mode, whose Python
linker computes element-wise nodes with numpy ufuncs (at most 32 operands): the rewrite
graph_rewrites.split_wide_sums."""
import numpy as np
import pytest

pytensor = pytest.importorskip('pytensor')

from pytensor.compile.mode import get_mode  # noqa: E402
from pytensor.tensor.elemwise import Elemwise  # noqa: E402

from kcore_theano import graph_rewrites  # noqa: E402


def backend():
    from kcore import backend as K
    if K.backend() != 'theano':
        pytest.skip('the theano backend is not the active one')
    return K


def widest_elemwise(fgraph):
    """The most inputs of an Elemwise in ``fgraph``, scan bodies included."""
    widest = 0
    for node in fgraph.toposort():
        if isinstance(node.op, Elemwise):
            widest = max(widest, len(node.inputs))
        inner = getattr(node.op, 'fgraph', None)
        if inner is not None:
            widest = max(widest, widest_elemwise(inner))
    return widest


def conv_same_input_gradient(x, kernel, weights):
    """numpy: d sum(conv(x, kernel) * weights) / dx for a channels-last 'same' convolution
    (cross-correlation) with an odd kernel."""
    rows, cols = kernel.shape[:2]
    pr, pc = rows // 2, cols // 2
    n, h, w, _ = x.shape
    padded = np.zeros((n, h + 2 * pr, w + 2 * pc, x.shape[3]))
    for i in range(h):
        for j in range(w):
            for a in range(rows):
                for b in range(cols):
                    padded[:, i + a, j + b, :] += weights[:, i, j, :].dot(kernel[a, b].T)
    return padded[:, pr:pr + h, pc:pc + w, :]


def test_a_sum_of_forty_terms_runs_in_fast_compile():
    backend()
    x = pytensor.tensor.vector('x')
    terms = [x * float(i + 1) for i in range(40)]
    total = pytensor.tensor.add(*terms)
    fn = pytensor.function([x], total, mode='FAST_COMPILE')
    assert widest_elemwise(fn.maker.fgraph) <= graph_rewrites.MAX_INPUTS
    value = np.array([1., -2., 0.5], dtype=x.dtype)
    np.testing.assert_allclose(fn(value), value * sum(range(1, 41)), rtol=1e-6)


def test_the_rewrite_is_what_makes_it_run():
    backend()
    x = pytensor.tensor.vector('x')
    total = pytensor.tensor.mul(*[x + i / 40. for i in range(40)])
    without = get_mode('FAST_COMPILE').excluding('kcore_split_wide_sums')
    fn = pytensor.function([x], total, mode=without)
    assert widest_elemwise(fn.maker.fgraph) == 40
    with pytest.raises(AttributeError, match='ufunc'):
        fn(np.ones(2, dtype=x.dtype))
    fn = pytensor.function([x], total, mode='FAST_COMPILE')
    value = np.array([0.5, 1.5], dtype=x.dtype)
    expected = np.prod([value + i / 40. for i in range(40)], axis=0)
    np.testing.assert_allclose(fn(value), expected, rtol=1e-4)


def test_the_input_gradient_of_a_7x7_convolution_in_fast_compile():
    # 49 kernel taps: 49 slices of the padded input, whose gradients PyTensor sums.
    K = backend()
    rng = np.random.RandomState(0)
    kernel = rng.uniform(-1, 1, (7, 7, 2, 3))
    weights = rng.uniform(-1, 1, (2, 5, 6, 3))
    x = K.placeholder(shape=(2, 5, 6, 2))
    y = K.conv2d(x, K.variable(kernel), border_mode='same', dim_ordering='tf')
    grad, = K.gradients(K.sum(y * K.variable(weights)), [x])
    fn = K.function([x], [grad], mode='FAST_COMPILE')
    assert widest_elemwise(fn._fn.maker.fgraph) <= graph_rewrites.MAX_INPUTS
    xv = rng.uniform(-1, 1, (2, 5, 6, 2))
    np.testing.assert_allclose(fn([xv])[0], conv_same_input_gradient(xv, kernel, weights),
                               rtol=1e-4, atol=1e-5)


def test_conv_lstm_gradient_in_fast_compile_matches_finite_differences():
    # examples/conv_lstm.py: 3x3 kernels on 4 gates sum 36 terms in the scan's gradient.
    K = backend()
    from kcore.layers import ConvLSTM2D
    floatx = K.floatx()
    K.set_floatx('float64')
    try:
        with pytensor.config.change_flags(mode='FAST_COMPILE'):
            layer = ConvLSTM2D(nb_filter=2, nb_row=3, nb_col=3, dim_ordering='tf',
                               border_mode='same', return_sequences=True)
            x = K.placeholder(shape=(1, 2, 3, 3, 1))
            loss = K.sum(K.square(layer(x)))
            grad, = K.gradients(loss, [x])
            fn = K.function([x], [loss, grad], mode='FAST_COMPILE')
            xv = np.random.RandomState(1).uniform(-1, 1, (1, 2, 3, 3, 1))
            analytic = fn([xv])[1]
            eps, numeric = 1e-6, np.zeros_like(xv)
            for index in np.ndindex(*xv.shape):
                step = np.zeros_like(xv)
                step[index] = eps
                numeric[index] = (fn([xv + step])[0] - fn([xv - step])[0]) / (2 * eps)
    finally:
        K.set_floatx(floatx)
    np.testing.assert_allclose(analytic, numeric, rtol=1e-5, atol=1e-7)
