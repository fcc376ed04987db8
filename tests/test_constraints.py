"""kcore.constraints against numpy; configs and lookup."""
import numpy as np
import pytest

from kcore import backend as K
from kcore import constraints as C

W = np.array([[3.0, 0.1, -1.0], [4.0, -0.2, 0.0]], dtype='float32')


def apply(constraint, w=W):
    return K.eval(constraint(K.variable(w)))


def test_maxnorm_columns():
    out = apply(C.maxnorm(2))      # the doc's Dense(64, W_constraint=maxnorm(2))
    norms = np.sqrt((W ** 2).sum(axis=0, keepdims=True))
    expected = W * np.clip(norms, 0, 2) / (norms + K.epsilon())
    np.testing.assert_allclose(out, expected, rtol=1e-5)
    assert np.sqrt((out ** 2).sum(axis=0)) == pytest.approx([2.0, np.sqrt(0.05), 1.0], rel=1e-5)


def test_maxnorm_axis():
    out = apply(C.MaxNorm(m=1.0, axis=1))
    np.testing.assert_allclose(np.sqrt((out ** 2).sum(axis=1)), [1.0, 1.0], rtol=1e-5)


def test_nonneg():
    np.testing.assert_array_equal(apply(C.nonneg()), np.maximum(W, 0))


def test_unitnorm_default_axis_0():
    # Decision: axis=0 (Keras 1.1.2 and the contract), although the doc says "last axis".
    out = apply(C.unitnorm())
    norms = np.sqrt((W ** 2).sum(axis=0, keepdims=True))
    np.testing.assert_allclose(out, W / (norms + K.epsilon()), rtol=1e-5)
    out = apply(C.UnitNorm(axis=-1))
    np.testing.assert_allclose(np.sqrt((out ** 2).sum(axis=-1)), [1.0, 1.0], rtol=1e-5)


def test_identity_constraint():
    np.testing.assert_array_equal(apply(C.identity()), W)


def test_configs_and_get():
    for c in (C.maxnorm(3), C.MaxNorm(m=1, axis=1), C.nonneg(), C.unitnorm(axis=1)):
        config = c.get_config()
        again = C.get(config)
        assert type(again) is type(c) and again.get_config() == config
    assert C.maxnorm(3).get_config() == {'name': 'MaxNorm', 'm': 3, 'axis': 0}
    assert isinstance(C.get('maxnorm'), C.MaxNorm)
    assert isinstance(C.get('NonNeg'), C.NonNeg)
    assert C.get('maxnorm', {'m': 4}).m == 4
    assert isinstance(C.get(C.UnitNorm), C.UnitNorm)
    assert C.get(None) is None
    f = lambda p: p  # noqa: E731
    assert C.get(f) is f
    assert repr(C.maxnorm(3)) == 'MaxNorm(axis=0, m=3)'
    with pytest.raises(ValueError, match='Did you mean'):
        C.get('maxnrom')
    with pytest.raises(ValueError, match='config dict'):
        C.get(3)
