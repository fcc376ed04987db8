"""kcore_theano.flat_elemwise: the same results as PyTensor's Elemwise and numpy, for
contiguous and non-contiguous arrays, broadcast scalars and rows, NaN and inf, in place."""
import numpy as np
import pytest

pytensor = pytest.importorskip('pytensor')
import pytensor.tensor as pt  # noqa: E402

from kcore_theano import flat_elemwise  # noqa: E402
from kcore_theano.flat_elemwise import FlatElemwise  # noqa: E402

BASE = pytensor.compile.mode.get_mode('FAST_RUN').clone(link_kwargs={'allow_gc': False})
FLAT = BASE.register((flat_elemwise.flat_elemwise, flat_elemwise.REWRITE_POSITION))
rng = np.random.RandomState(0)


def flat_nodes(fn):
    return [node for node in fn.maker.fgraph.toposort() if isinstance(node.op, FlatElemwise)]


def both(inputs, outputs, values, flat_expected=True):
    """The outputs of the graph compiled without and with the rewrite (checked equal)."""
    base = pytensor.function(inputs, outputs, mode=BASE)
    flat = pytensor.function(inputs, outputs, mode=FLAT)
    assert bool(flat_nodes(flat)) == flat_expected
    assert not flat_nodes(base)
    want, got = base(*values), flat(*values)
    for w, g in zip(want, got):
        assert g.dtype == w.dtype and g.shape == w.shape
        np.testing.assert_allclose(g, w, rtol=1e-6, atol=1e-6, equal_nan=True)
    return got


def f32(*shape):
    return rng.randn(*shape).astype('float32')


@pytest.mark.parametrize('dtype', ['float32', 'float64'])
def test_broadcast_scalars_and_an_unknown_batch_size(dtype):
    x, y = pt.matrix('x', dtype=dtype), pt.matrix('y', dtype=dtype)
    a, b = pt.scalar('a', dtype=dtype), pt.tensor('b', dtype=dtype, shape=(1, 1))
    outs = [a * x + b * pt.sqr(y), pt.exp(x - a) / (1 + y ** 2)]
    xv, yv = f32(37, 29).astype(dtype), f32(37, 29).astype(dtype)
    av, bv = np.asarray(0.3, dtype), np.full((1, 1), 2, dtype)
    got = both([x, y, a, b], outs, [xv, yv, av, bv])
    np.testing.assert_allclose(got[0], av * xv + bv * yv ** 2, rtol=1e-5, atol=1e-6)
    np.testing.assert_allclose(got[1], np.exp(xv - av) / (1 + yv ** 2), rtol=1e-5, atol=1e-6)


def test_rows_broadcast_over_leading_axes():
    x, bias = pt.tensor3('x', dtype='float32'), pt.tensor('bias', dtype='float32', shape=(1, 1, 7))
    row = pt.tensor('row', dtype='float32', shape=(1, 5, 7))
    xv, bv, rv = f32(3, 5, 7), f32(1, 1, 7), f32(1, 5, 7)
    got = both([x, bias], [pt.maximum(x + bias, 0) * 1.5], [xv, bv])
    np.testing.assert_allclose(got[0], np.maximum(xv + bv, 0) * 1.5, rtol=1e-5, atol=1e-6)
    got = both([x, row], [x * row - row], [xv, rv])
    np.testing.assert_allclose(got[0], xv * rv - rv, rtol=1e-5, atol=1e-6)


def test_axes_of_length_1_in_the_output_do_not_count():
    x = pt.tensor('x', dtype='float32', shape=(1, None, 4))
    row = pt.tensor('row', dtype='float32', shape=(1, 1, 4))
    xv, rv = f32(1, 6, 4), f32(1, 1, 4)
    got = both([x, row], [x * row + 1], [xv, rv])
    np.testing.assert_allclose(got[0], xv * rv + 1, rtol=1e-5, atol=1e-6)


def test_other_broadcasts_keep_elemwise():
    x, col = pt.matrix('x', dtype='float32'), pt.tensor('col', dtype='float32', shape=(None, 1))
    both([x, col], [x * col + 1], [f32(6, 4), f32(6, 1)], flat_expected=False)
    x3, mid = pt.tensor3('x3', dtype='float32'), pt.tensor('mid', dtype='float32', shape=(1, 5, 1))
    both([x3, mid], [x3 - mid], [f32(2, 5, 3), f32(1, 5, 1)], flat_expected=False)


@pytest.mark.parametrize('view', ['transposed', 'strided', 'fortran_input'])
def test_non_contiguous_arrays_take_elemwises_loop(view):
    x, y = pt.matrix('x', dtype='float32'), pt.matrix('y', dtype='float32')
    a = pt.scalar('a', dtype='float32')
    xv, yv = f32(12, 10), f32(12, 10)
    if view == 'transposed':
        xs, ys, fx, fy = x.T, y.T, xv.T, yv.T
    elif view == 'strided':
        xs, ys, fx, fy = x[:, ::2], y[:, ::2], xv[:, ::2], yv[:, ::2]
    else:
        xs, ys, fx, fy = x, y, xv, yv
        xv, yv = np.asfortranarray(xv), np.asfortranarray(yv)
    got = both([x, y, a], [pt.sqrt(pt.abs(xs)) * a + ys], [xv, yv, np.float32(2)])
    np.testing.assert_allclose(got[0], np.sqrt(np.abs(fx)) * 2 + fy, rtol=1e-5, atol=1e-6)


def test_nan_and_inf():
    x, y = pt.vector('x', dtype='float32'), pt.vector('y', dtype='float32')
    special = np.array([0, -0., 1, -1, np.inf, -np.inf, np.nan, 1e-40, 3e38], 'float32')
    xv, yv = np.tile(special, 9), np.repeat(special, 9)
    outs = [pt.maximum(x, 0), pt.sqrt(x), x / y, pt.switch(x > y, x, y * 2), pt.log(x) + y]
    with np.errstate(all='ignore'):
        got = both([x, y], outs, [xv, yv])
        want = [np.maximum(xv, 0), np.sqrt(xv), xv / yv, np.where(xv > yv, xv, yv * 2),
                np.log(xv) + yv]
    for g, w in zip(got, want):
        np.testing.assert_array_equal(np.isnan(g), np.isnan(w))
        np.testing.assert_allclose(g, w, rtol=1e-6, equal_nan=True)


def test_integer_division_by_zero_raises():
    x, y = pt.vector('x', dtype='int32'), pt.vector('y', dtype='int32')
    flat = pytensor.function([x, y], x // y + 1, mode=FLAT)
    assert flat_nodes(flat)
    np.testing.assert_array_equal(flat(np.arange(8, dtype='int32') - 3, np.full(8, 2, 'int32')),
                                  (np.arange(8) - 3) // 2 + 1)
    with pytest.raises(ZeroDivisionError):
        flat(np.ones(8, 'int32'), np.zeros(8, 'int32'))


def rmsprop_step(mode, p0, a0, lr=0.01, rho=0.9):
    """An RMSprop update of p and a from g (lr, rho as 0-d variables); returns
    (compiled step, p, a)."""
    g = pt.matrix('g', dtype='float32')
    p, a = pytensor.shared(p0.copy(), shape=p0.shape), pytensor.shared(a0.copy(), shape=a0.shape)
    lr_v, rho_v = pytensor.shared(np.float32(lr)), pytensor.shared(np.float32(rho))
    one, eps = np.float32(1), np.float32(1e-6)
    new_a = rho_v * a + (one - rho_v) * pt.sqr(g)
    new_p = p - lr_v * g / (pt.sqrt(new_a) + eps)
    return pytensor.function([g], [], updates=[(a, new_a), (p, new_p)], mode=mode), p, a


def test_optimizer_update_is_rewritten_in_place_and_matches_numpy():
    p0, a0 = f32(33, 17), np.abs(f32(33, 17))
    step, p, a = rmsprop_step(FLAT, p0, a0)
    base_step, base_p, base_a = rmsprop_step(BASE, p0, a0)
    (node,) = [n for n in flat_nodes(step) if n.outputs[0].ndim == 2]
    assert node.op.destroy_map  # the update overwrites its inputs, as Elemwise's would
    want_p, want_a = p0.astype('float64'), a0.astype('float64')
    for _ in range(3):
        g = f32(33, 17)
        step(g)
        base_step(g)
        want_a = 0.9 * want_a + 0.1 * g.astype('float64') ** 2
        want_p = want_p - 0.01 * g / (np.sqrt(want_a) + 1e-6)
    np.testing.assert_allclose(p.get_value(), base_p.get_value(), rtol=1e-6)
    np.testing.assert_allclose(a.get_value(), base_a.get_value(), rtol=1e-6)
    np.testing.assert_allclose(p.get_value(), want_p, rtol=1e-5)
    np.testing.assert_allclose(a.get_value(), want_a, rtol=1e-5)


def test_kcore_functions_compile_with_the_rewrite():
    from kcore import backend as K
    if K.backend() != 'theano':
        pytest.skip('the theano backend is not the active one')
    from kcore_theano import session
    if session._default_mode() is None:
        pytest.skip('PyTensor mode, linker or allow_gc configured by the user')
    g = K.placeholder(shape=(4, 3))
    p, a, lr = K.variable(np.ones((4, 3))), K.variable(np.zeros((4, 3))), K.variable(0.1)
    new_a = 0.9 * a + 0.1 * K.square(g)
    f = K.function([g], [], updates=[K.update(a, new_a),
                                     K.update(p, p - lr * g / (K.sqrt(new_a) + 1e-6))])
    assert flat_nodes(f._fn)
    gv = np.full((4, 3), 2, 'float32')
    f([gv])
    np.testing.assert_allclose(K.get_value(a), 0.4, rtol=1e-6)
    np.testing.assert_allclose(K.get_value(p), 1 - 0.2 / (np.sqrt(0.4) + 1e-6), rtol=1e-6)
