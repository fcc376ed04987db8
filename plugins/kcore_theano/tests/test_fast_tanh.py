"""kcore_theano.fast_tanh: float32 tanh within a few ulps of numpy's, its gradient."""
import numpy as np
import pytest

pytensor = pytest.importorskip('pytensor')
import pytensor.tensor as pt  # noqa: E402

from kcore_theano.fast_tanh import FastTanh, tanh  # noqa: E402


def compiled(dtype='float32'):
    x = pt.vector(dtype=dtype)
    return pytensor.function([x], tanh(x))


def test_float32_within_3_ulps_of_tanh():
    rng = np.random.RandomState(0)
    x = np.concatenate([rng.randn(100000) * scale for scale in (0.01, 0.2, 1, 5, 20)])
    x = np.concatenate([x, [0.25, -0.25, np.nextafter(0.25, 0), 9, -9, 100]]).astype('float32')
    got = compiled()(x)
    want = np.tanh(x.astype('float64'))
    ulps = np.abs(got - want) / np.spacing(np.abs(want).astype('float32'))
    assert got.dtype == np.float32
    assert ulps.max() < 3


def test_float32_special_values():
    x = np.array([0., -0., 1e-30, -1e-40, np.inf, -np.inf, np.nan], dtype='float32')
    got = compiled()(x)
    np.testing.assert_array_equal(got[:6], x[:4].tolist() + [1, -1])
    assert np.signbit(got[1]) and np.isnan(got[6])


def test_the_op_is_compiled_and_float64_keeps_pytensors_tanh():
    ops = [node.op for node in compiled().maker.fgraph.toposort()]
    assert any(isinstance(getattr(op, 'scalar_op', None), FastTanh) for op in ops)
    x = np.linspace(-3, 3, 11)
    np.testing.assert_allclose(compiled('float64')(x), np.tanh(x), rtol=1e-15)


def test_gradient_is_one_minus_tanh_squared():
    x = pt.vector(dtype='float32')
    grad = pytensor.function([x], pytensor.grad(pt.sum(tanh(x) * 3), x))
    values = np.linspace(-4, 4, 9).astype('float32')
    np.testing.assert_allclose(grad(values), 3 * (1 - np.tanh(values) ** 2), rtol=1e-5,
                               atol=1e-6)
