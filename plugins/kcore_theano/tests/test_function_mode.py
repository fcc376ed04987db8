"""The mode kcore's ``function`` compiles with on PyTensor (session._default_mode)."""
import numpy as np
import pytest

pytensor = pytest.importorskip('pytensor')

from kcore_theano import session  # noqa: E402


def backend():
    from kcore import backend as K
    if K.backend() != 'theano':
        pytest.skip('the theano backend is not the active one')
    return K


def compiled_ops(fn):
    return [type(node.op).__name__ for node in fn._fn.maker.fgraph.toposort()]


def test_functions_keep_their_buffers_and_outputs_stay_the_callers():
    K = backend()
    if session._default_mode() is None:
        pytest.skip('PyTensor mode, linker or allow_gc configured by the user')
    x = K.placeholder(shape=(2, 3))
    f = K.function([x], [x * 2])
    assert f._fn.maker.linker.allow_gc is False
    first = f([np.ones((2, 3))])[0]
    f([np.zeros((2, 3))])
    np.testing.assert_array_equal(first, 2 * np.ones((2, 3)))


def test_a_scaled_product_used_unscaled_too_is_computed_once():
    # RMSprop's update: lr * g / sqrt(a) with a from g ** 2 (g a matrix product).
    K = backend()
    x, d = K.placeholder(shape=(8, 4)), K.placeholder(shape=(8, 5))
    lr = K.variable(0.01)
    g = K.dot(K.transpose(x), d)
    f = K.function([x, d], [lr * g / K.sqrt(K.square(g) + 1.)])
    products = [name for name in compiled_ops(f) if 'Dot' in name or 'Gemm' in name]
    assert len(products) == 1
    xv, dv = np.random.RandomState(0).rand(8, 4), np.random.RandomState(1).rand(8, 5)
    gv = xv.T.dot(dv)
    np.testing.assert_allclose(f([xv, dv])[0], 0.01 * gv / np.sqrt(gv ** 2 + 1), rtol=1e-5)
