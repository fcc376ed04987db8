"""kcore.initializations: shapes, statistics, fans, orthogonality, identity, lookup."""
import numpy as np
import pytest

from kcore import backend as K
from kcore import initializations as inits


def value(init, shape, **kwargs):
    v = init(shape, **kwargs)
    assert K.int_shape(v) == tuple(shape)
    return K.get_value(v)


@pytest.mark.parametrize('dim_ordering, shape, fans', [
    ('th', (20, 30), (20, 30)),
    ('th', (8, 3, 5, 5), (75, 200)),         # (nb_filter, stack, rows, cols)
    ('tf', (5, 5, 3, 8), (75, 200)),         # (rows, cols, stack, nb_filter)
    ('th', (8, 3, 2, 2, 2), (24, 64)),
    ('tf', (2, 2, 2, 3, 8), (24, 64)),
    ('th', (3, 4, 6), (12, 18)),             # Convolution1D (length, input_dim, nb_filter)
    ('tf', (3, 4, 6), (12, 18)),
    ('th', (16,), (4.0, 4.0)),               # other ranks: sqrt(size), as Keras 1.1.2
])
def test_fans(dim_ordering, shape, fans):
    assert inits.get_fans(shape, dim_ordering) == pytest.approx(fans)


def test_fans_bad_ordering():
    with pytest.raises(ValueError, match="'xx'"):
        inits.get_fans((3, 3, 3, 3), 'xx')


def test_uniform_and_normal_scales():
    u = value(inits.uniform, (200, 300))
    assert u.min() >= -0.05 and u.max() <= 0.05 and u.max() > 0.045
    u = value(inits.uniform, (200, 300), scale=0.5)
    assert abs(u).max() <= 0.5 and abs(u).max() > 0.45
    n = value(inits.normal, (200, 300))
    assert abs(n.mean()) < 0.005 and n.std() == pytest.approx(0.05, rel=0.05)
    n = value(inits.normal, (200, 300), scale=0.01, name='w')   # the doc's custom-init example
    assert n.std() == pytest.approx(0.01, rel=0.05)


@pytest.mark.parametrize('init, limit', [
    (inits.lecun_uniform, lambda fi, fo: np.sqrt(3. / fi)),
    (inits.glorot_uniform, lambda fi, fo: np.sqrt(6. / (fi + fo))),
    (inits.he_uniform, lambda fi, fo: np.sqrt(6. / fi)),
])
def test_scaled_uniform(init, limit):
    for shape, ordering in (((100, 200), 'th'), ((3, 3, 16, 32), 'tf')):
        v = value(init, shape, dim_ordering=ordering)
        s = limit(*inits.get_fans(shape, ordering))
        assert abs(v).max() <= s + 1e-6 and abs(v).max() > 0.9 * s
        assert v.std() == pytest.approx(s / np.sqrt(3), rel=0.08)


@pytest.mark.parametrize('init, std', [
    (inits.glorot_normal, lambda fi, fo: np.sqrt(2. / (fi + fo))),
    (inits.he_normal, lambda fi, fo: np.sqrt(2. / fi)),
])
def test_scaled_normal(init, std):
    for shape, ordering in (((100, 200), 'th'), ((32, 16, 3, 3), 'th')):
        v = value(init, shape, dim_ordering=ordering)
        assert abs(v.mean()) < 0.1 * std(*inits.get_fans(shape, ordering))
        assert v.std() == pytest.approx(std(*inits.get_fans(shape, ordering)), rel=0.08)


@pytest.mark.parametrize('shape', [(20, 20), (10, 30), (30, 10), (4, 3, 2)])
def test_orthogonal(shape):
    v = value(inits.orthogonal, shape, scale=1.0)
    flat = v.reshape(shape[0], -1)
    small = min(flat.shape)
    gram = flat @ flat.T if flat.shape[0] == small else flat.T @ flat
    np.testing.assert_allclose(gram, np.eye(small), atol=1e-5)
    v = value(inits.orthogonal, (6, 6))          # default scale 1.1, as Keras 1.1.2
    np.testing.assert_allclose(v @ v.T, 1.21 * np.eye(6), atol=1e-5)


def test_orthogonal_needs_rank_2():
    with pytest.raises(ValueError, match=r'rank >= 2; got shape \(5,\)'):
        inits.orthogonal((5,))


def test_identity():
    np.testing.assert_array_equal(value(inits.identity, (4, 4)), np.eye(4))
    np.testing.assert_array_equal(value(inits.identity, (3, 3), scale=2), 2 * np.eye(3))
    for bad in ((3, 4), (3, 3, 3)):
        with pytest.raises(ValueError, match='square 2D'):
            inits.identity(bad)


def test_zero_one_and_names():
    np.testing.assert_array_equal(value(inits.zero, (2, 3)), np.zeros((2, 3)))
    np.testing.assert_array_equal(value(inits.one, (3,)), np.ones(3))
    assert K.dtype(inits.zero((2,), name='dense_9_b')) == K.floatx()


def test_get():
    for f in inits.ALL:
        assert inits.get(f.__name__) is f
        assert inits.get(f.__name__.upper()) is f
    assert inits.get('zeros') is inits.zero and inits.get('ones') is inits.one

    def my_init(shape, name=None):
        return K.variable(np.full(shape, 3.0), name=name)
    assert inits.get(my_init) is my_init
    with pytest.raises(ValueError, match="Did you mean 'glorot_uniform'"):
        inits.get('glorot_unifrom')
    with pytest.raises(ValueError, match='name or a callable'):
        inits.get(3)
