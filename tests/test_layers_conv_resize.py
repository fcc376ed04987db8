"""Cropping, UpSampling and ZeroPadding (1D, 2D, 3D) on both orderings: loop references,
shapes (unknown sizes too), argument forms, configs, errors."""
import numpy as np
import pytest

from kcore import backend as K
from kcore.layers.convolutional import (Cropping1D, Cropping2D, Cropping3D, UpSampling1D,
                                        UpSampling2D, UpSampling3D, ZeroPadding1D,
                                        ZeroPadding2D, ZeroPadding3D)
from kcore.testing import reference as ref
from kcore_test_helpers.layers import rand
from kcore_test_helpers.layers import fresh_graph  # noqa: F401 (autouse fixture)
from kcore_test_helpers.layers import keras_input, model_json_roundtrip, roundtrip, run

X1 = rand(2, 6, 3)          # (samples, steps, features)
X2 = rand(2, 5, 6, 3)       # 'tf' images
X3 = rand(2, 4, 5, 3, 2)    # 'tf' volumes


def run_both(layer_class, ordering, x, *args, **kwargs):
    """The output in 'tf' layout of a 2D/3D layer built in either ordering."""
    if ordering == 'th':
        layer = layer_class(*args, dim_ordering='th', **kwargs)
        return np.moveaxis(run(layer, ref.to_th(x)), 1, -1)
    return run(layer_class(*args, dim_ordering='tf', **kwargs), x)


# ------------------------------------------------------------------ cropping
def test_cropping1d():
    np.testing.assert_array_equal(run(Cropping1D(), X1), ref.crop(X1, [(1, 1)]))
    np.testing.assert_array_equal(run(Cropping1D((2, 0)), X1), ref.crop(X1, [(2, 0)]))
    assert Cropping1D().cropping == (1, 1) and Cropping1D().get_config()['cropping'] == (1, 1)
    assert Cropping1D((0, 3)).get_output_shape_for((None, None, 4)) == (None, None, 4)


@pytest.mark.parametrize('ordering', ['th', 'tf'])
def test_cropping2d_and_3d(ordering):
    # Decision (§20 item 20): the doc writes only 'th' shapes; both orderings work.
    pairs = ((1, 2), (0, 3))
    np.testing.assert_array_equal(run_both(Cropping2D, ordering, X2, pairs), ref.crop(X2, pairs))
    np.testing.assert_array_equal(run_both(Cropping2D, ordering, X2), X2)   # default: nothing
    np.testing.assert_array_equal(run_both(Cropping3D, ordering, X3),
                                  ref.crop(X3, [(1, 1)] * 3))
    pairs3 = ((0, 2), (1, 0), (0, 1))
    np.testing.assert_array_equal(run_both(Cropping3D, ordering, X3, pairs3),
                                  ref.crop(X3, pairs3))


def test_cropping_argument_forms_and_errors():
    assert Cropping2D(1).cropping == ((1, 1), (1, 1))
    assert Cropping2D((1, 2)).cropping == ((1, 1), (2, 2))
    assert Cropping3D(((1, 0), (0, 0), (2, 2))).cropping == ((1, 0), (0, 0), (2, 2))
    with pytest.raises(ValueError, match=r'Cropping2D: cropping must be an int, 2 ints or 2 '
                                         r'\(before, after\) pairs of integers >= 0; got -1'):
        Cropping2D(-1)
    with pytest.raises(ValueError, match=r'crop_x: cropping \(\(2, 2\), \(0, 0\)\) leaves nothing '
                                         r'of axis 1 of its input \(shape \(None, 4, 6, 3\)\)'):
        Cropping2D(((2, 2), (0, 0)), name='crop_x')(keras_input((4, 6, 3)))


# ---------------------------------------------------------------- upsampling
def test_upsampling1d():
    np.testing.assert_array_equal(run(UpSampling1D(), X1), ref.upsample(X1, (2,)))
    np.testing.assert_array_equal(run(UpSampling1D(length=3), X1), ref.upsample(X1, (3,)))
    assert UpSampling1D(3).get_output_shape_for((None, None, 4)) == (None, None, 4)


@pytest.mark.parametrize('ordering', ['th', 'tf'])
def test_upsampling2d_and_3d(ordering):
    np.testing.assert_array_equal(run_both(UpSampling2D, ordering, X2), ref.upsample(X2, (2, 2)))
    np.testing.assert_array_equal(run_both(UpSampling2D, ordering, X2, size=(1, 3)),
                                  ref.upsample(X2, (1, 3)))
    # Keras 1.1.2 had UpSampling3D on Theano only (§18.9 item 67); kcore on any backend.
    np.testing.assert_array_equal(run_both(UpSampling3D, ordering, X3, size=(2, 1, 3)),
                                  ref.upsample(X3, (2, 1, 3)))


# --------------------------------------------------------------- zero padding
def test_zero_padding1d():
    np.testing.assert_array_equal(run(ZeroPadding1D(), X1), ref.zero_pad(X1, [(1, 1)]))
    np.testing.assert_array_equal(run(ZeroPadding1D(padding=(0, 2)), X1),
                                  ref.zero_pad(X1, [(0, 2)]))
    assert ZeroPadding1D(2).get_config()['padding'] == 2
    assert ZeroPadding1D((0, 2)).get_config()['padding'] == (0, 2)


@pytest.mark.parametrize('ordering', ['th', 'tf'])
def test_zero_padding2d_and_3d(ordering):
    # Decision (§20 item 19): the rows and columns are padded (axes 2, 3 in 'th', 1, 2 in
    # 'tf'; the doc's "3 and 4" count from one).
    np.testing.assert_array_equal(run_both(ZeroPadding2D, ordering, X2),
                                  ref.zero_pad(X2, [(1, 1), (1, 1)]))
    pairs = ((2, 0), (1, 3))
    np.testing.assert_array_equal(run_both(ZeroPadding2D, ordering, X2, pairs),
                                  ref.zero_pad(X2, pairs))
    # Keras 1.1.2 had ZeroPadding3D on Theano only (§18.9 item 67); kcore on any backend.
    np.testing.assert_array_equal(run_both(ZeroPadding3D, ordering, X3, (1, 0, 2)),
                                  ref.zero_pad(X3, [(1, 1), (0, 0), (2, 2)]))


def test_zero_padding_argument_forms():
    assert ZeroPadding2D(2).padding == (2, 2)
    assert ZeroPadding2D(((1, 2), (3, 3))).padding == ((1, 2), (3, 3))
    assert ZeroPadding2D(((1, 1), (3, 3))).padding == (1, 3)
    with pytest.raises(ValueError, match=r'ZeroPadding3D: padding must pad both ends of an axis '
                                         r'equally'):
        ZeroPadding3D(((1, 0), (0, 0), (0, 0)))
    with pytest.raises(ValueError, match='ZeroPadding1D: padding must be an int or a'):
        ZeroPadding1D((1, 2, 3))


# ------------------------------------------------------------- shared checks
LAYERS = [
    (lambda o: Cropping2D(((1, 0), (2, 1)), dim_ordering=o), 2),
    (lambda o: Cropping3D(dim_ordering=o), 3),
    (lambda o: UpSampling2D((2, 3), dim_ordering=o), 2),
    (lambda o: UpSampling3D(dim_ordering=o), 3),
    (lambda o: ZeroPadding2D(((0, 1), (2, 0)), dim_ordering=o), 2),
    (lambda o: ZeroPadding3D(2, dim_ordering=o), 3),
]


@pytest.mark.parametrize('make,rank', LAYERS)
@pytest.mark.parametrize('ordering', ['th', 'tf'])
def test_unknown_sizes_configs_and_json(make, rank, ordering):
    x = X2 if rank == 2 else X3
    x = ref.to_th(x) if ordering == 'th' else x
    unknown = list(x.shape[1:])
    spatial = range(1, rank + 1) if ordering == 'th' else range(rank)
    for axis in spatial:
        unknown[axis] = None
    inp = keras_input(unknown)
    layer = make(ordering)
    y = layer(inp)
    out = K.function([inp], [y])([x])[0]
    np.testing.assert_array_equal(out, run(make(ordering), x))
    assert [y._keras_shape[1 + axis] for axis in spatial] == [None] * rank
    channels = 1 if ordering == 'th' else rank + 1
    assert y._keras_shape[channels] == x.shape[channels]
    config = roundtrip(layer).get_config()
    assert config['dim_ordering'] == ordering
    model_json_roundtrip(make(ordering), x)


def test_1d_configs_and_default_ordering():
    for layer in (Cropping1D((2, 1)), UpSampling1D(4), ZeroPadding1D((1, 3))):
        assert 'dim_ordering' not in layer.get_config()
        roundtrip(layer)
        model_json_roundtrip(layer, X1)
    K.set_image_dim_ordering('th')     # 'default': the config's ordering (§20 item 1)
    for cls in (Cropping2D, Cropping3D, UpSampling2D, UpSampling3D, ZeroPadding2D,
                ZeroPadding3D):
        assert cls().dim_ordering == 'th'


def test_bad_inputs():
    with pytest.raises(ValueError, match=r'up_x expects 4D input of shape \(samples, channels, '
                                         r"rows, cols\) \('th' dim_ordering\); got shape "
                                         r'\(None, 5, 3\)'):
        UpSampling2D(dim_ordering='th', name='up_x')(keras_input((5, 3)))
    with pytest.raises(ValueError, match=r'pad_x expects 3D input of shape \(samples, steps, '
                                         r'features\); got shape \(None, 5, 6, 3\)'):
        ZeroPadding1D(name='pad_x')(keras_input((5, 6, 3)))
    with pytest.raises(ValueError, match='UpSampling1D: length must be an integer > 0'):
        UpSampling1D(0)
    with pytest.raises(ValueError, match='UpSampling3D: size must be'):
        UpSampling3D((2, 2))
