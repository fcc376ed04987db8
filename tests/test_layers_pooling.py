"""Pooling layers: outputs against numpy loops (1D, 2D, 3D; max and average; 'valid' and
'same'; both orderings), shape inference, defaults, configs and errors."""
import numpy as np
import pytest

from kcore import backend as K
from kcore import plugins
from kcore.layers.pooling import (AveragePooling1D, AveragePooling2D, AveragePooling3D,
                                  GlobalAveragePooling1D, GlobalAveragePooling2D,
                                  GlobalAveragePooling3D, GlobalMaxPooling1D,
                                  GlobalMaxPooling2D, GlobalMaxPooling3D, MaxPooling1D,
                                  MaxPooling2D, MaxPooling3D)
from kcore.testing import reference as ref
from kcore_test_helpers.layers import fresh_graph  # noqa: F401 (autouse fixture)
from kcore_test_helpers.layers import keras_input, model_json_roundtrip, roundtrip, run

RNG = np.random.RandomState(7)
CASES_1D = [(2, None, 'valid'), (3, 2, 'valid'), (3, 2, 'same'), (2, 3, 'same'), (4, 1, 'same')]


@pytest.mark.parametrize('cls, mode', [(MaxPooling1D, 'max'), (AveragePooling1D, 'avg')])
@pytest.mark.parametrize('length, stride, border_mode', CASES_1D)
def test_pooling_1d(cls, mode, length, stride, border_mode):
    x = RNG.randn(2, 7, 3).astype('float32')
    out = run(cls(length, stride, border_mode), x)
    want = ref.pool(x, (length,), (stride or length,), border_mode, mode)
    np.testing.assert_allclose(out, want, rtol=1e-5, atol=1e-6)


CASES_2D = [((2, 2), None, 'valid'), ((3, 2), (1, 2), 'valid'), ((3, 3), (2, 2), 'same'),
            ((2, 3), (3, 1), 'same')]


@pytest.mark.parametrize('cls, mode', [(MaxPooling2D, 'max'), (AveragePooling2D, 'avg')])
@pytest.mark.parametrize('pool, strides, border_mode', CASES_2D)
@pytest.mark.parametrize('ordering', ['th', 'tf'])
def test_pooling_2d(cls, mode, pool, strides, border_mode, ordering):
    x = RNG.randn(2, 5, 7, 3).astype('float32')      # 'tf' layout
    want = ref.pool(x, pool, strides or pool, border_mode, mode)
    if ordering == 'th':
        x, want = ref.to_th(x), ref.to_th(want)
    out = run(cls(pool, strides, border_mode, dim_ordering=ordering), x)
    np.testing.assert_allclose(out, want, rtol=1e-5, atol=1e-6)


@pytest.mark.parametrize('cls, mode', [(MaxPooling3D, 'max'), (AveragePooling3D, 'avg')])
@pytest.mark.parametrize('pool, strides, border_mode', [((2, 2, 2), None, 'valid'),
                                                        ((2, 3, 1), (1, 2, 2), 'same')])
@pytest.mark.parametrize('ordering', ['th', 'tf'])
def test_pooling_3d(cls, mode, pool, strides, border_mode, ordering):
    """3D pooling, Theano-only in Keras 1.1.2, works here (§18.9 item 67)."""
    x = RNG.randn(2, 4, 5, 3, 2).astype('float32')
    want = ref.pool(x, pool, strides or pool, border_mode, mode)
    if ordering == 'th':
        x, want = ref.to_th(x), ref.to_th(want)
    out = run(cls(pool, strides, border_mode, dim_ordering=ordering), x)
    np.testing.assert_allclose(out, want, rtol=1e-5, atol=1e-6)


def test_global_pooling_1d():
    x = RNG.randn(3, 5, 4).astype('float32')
    np.testing.assert_allclose(run(GlobalMaxPooling1D(), x), x.max(axis=1), rtol=1e-6)
    np.testing.assert_allclose(run(GlobalAveragePooling1D(), x), x.mean(axis=1), rtol=1e-5)


@pytest.mark.parametrize('ordering', ['th', 'tf'])
@pytest.mark.parametrize('layers, shape', [
    ((GlobalMaxPooling2D, GlobalAveragePooling2D), (3, 4, 5, 2)),
    ((GlobalMaxPooling3D, GlobalAveragePooling3D), (3, 4, 2, 3, 2))])   # Keras 1.1.2's 3D too
def test_global_pooling_2d_3d(layers, shape, ordering):
    """One value per channel: the max or the mean over the pixels (voxels)."""
    x = RNG.randn(*shape).astype('float32')      # 'tf' layout, 2 channels
    spatial = tuple(range(1, len(shape) - 1))
    axes = tuple(a + 1 for a in spatial) if ordering == 'th' else spatial
    x = ref.to_th(x) if ordering == 'th' else x
    max_layer, mean_layer = layers
    np.testing.assert_allclose(run(max_layer(dim_ordering=ordering), x), x.max(axis=axes),
                               rtol=1e-6)
    np.testing.assert_allclose(run(mean_layer(dim_ordering=ordering), x), x.mean(axis=axes),
                               rtol=1e-5)
    assert max_layer(dim_ordering=ordering).get_output_shape_for(x.shape) == (3, 2)
    model_json_roundtrip(mean_layer(dim_ordering=ordering), x)


@pytest.mark.parametrize('cls', [MaxPooling2D, AveragePooling3D, GlobalMaxPooling2D])
def test_dim_ordering_default_is_the_config(cls):
    """Decision (§20 item 1): the printed signatures say dim_ordering='th', the text says
    the config's image_dim_ordering ('tf' if never set): the text wins."""
    assert cls().dim_ordering == 'tf'
    K.set_image_dim_ordering('th')
    assert cls().dim_ordering == 'th'
    assert cls(dim_ordering='default').dim_ordering == 'th'
    assert cls(dim_ordering='tf').dim_ordering == 'tf'


def test_defaults_and_strides():
    assert (MaxPooling1D().pool_length, MaxPooling1D().stride) == (2, 2)
    assert MaxPooling1D(3).stride == 3                       # stride=None -> pool_length
    layer = MaxPooling2D((3, 2))
    assert layer.strides == (3, 2) and layer.border_mode == 'valid'
    assert MaxPooling3D().pool_size == (2, 2, 2) == MaxPooling3D().strides
    assert AveragePooling2D(2).pool_size == (2, 2)           # one int for every axis


def test_output_shapes_with_unknown_axes():
    layer = MaxPooling2D((2, 2), border_mode='same', dim_ordering='tf')
    assert layer.get_output_shape_for((None, None, 5, 3)) == (None, None, 3, 3)
    layer = AveragePooling2D((2, 2), strides=(1, 1), dim_ordering='th')
    assert layer.get_output_shape_for((4, 3, 6, None)) == (4, 3, 5, None)
    assert MaxPooling1D(2, border_mode='same').get_output_shape_for((None, 5, 7)) == (None, 3, 7)
    y = MaxPooling1D(3, 1)(keras_input((None, 4)))
    assert y._keras_shape == (None, None, 4)


def test_configs_round_trip():
    layer = MaxPooling2D((3, 2), (1, 2), 'same', dim_ordering='th', name='pool')
    assert layer.get_config() == {'name': 'pool', 'trainable': True, 'pool_size': (3, 2),
                                  'strides': (1, 2), 'border_mode': 'same', 'dim_ordering': 'th'}
    assert MaxPooling1D(3, name='p1').get_config() == {
        'name': 'p1', 'trainable': True, 'pool_length': 3, 'stride': 3, 'border_mode': 'valid'}
    for layer in (AveragePooling1D(2, 1, 'same'), AveragePooling3D((1, 2, 2)),
                  GlobalAveragePooling2D(dim_ordering='th'), GlobalMaxPooling1D()):
        again = roundtrip(layer)
        assert again.get_config() == dict(layer.get_config(), name=again.name)
    x = RNG.rand(2, 4, 4, 3).astype('float32')
    model_json_roundtrip(MaxPooling2D(dim_ordering='tf'), x)
    model_json_roundtrip(GlobalAveragePooling2D(dim_ordering='th'), x)


def test_no_weights():
    layer = AveragePooling2D()
    layer(keras_input((4, 4, 2)))
    assert layer.get_weights() == [] and layer.count_params() == 0


def test_bad_arguments_name_the_layer():
    with pytest.raises(ValueError, match="MaxPooling2D maxpooling2d_1: border_mode must be "
                                         "'valid' or 'same'; got 'full'"):
        MaxPooling2D(border_mode='full')
    with pytest.raises(ValueError, match=r'AveragePooling3D .*: pool_size must be .*3'):
        AveragePooling3D((2, 2))
    with pytest.raises(ValueError, match='MaxPooling1D .*: stride must be an integer > 0'):
        MaxPooling1D(2, stride=0)
    with pytest.raises(ValueError, match='GlobalMaxPooling2D .*: dim_ordering must be'):
        GlobalMaxPooling2D(dim_ordering='xy')


def test_bad_inputs_name_the_layer_and_shapes():
    with pytest.raises(ValueError, match=r'maxpooling2d_1.*expected 4 axes.*\(None, 5, 3\)'):
        MaxPooling2D()(keras_input((5, 3)))
    with pytest.raises(ValueError, match=r"averagepooling2d_1 got input shape "
                                         r"\(None, 1, 4, 3\), too small for pool_size \(2, 2\)"):
        AveragePooling2D(dim_ordering='tf')(keras_input((1, 4, 3)))
    with pytest.raises(ValueError, match='globalmaxpooling1d_1.*expected 3 axes'):
        GlobalMaxPooling1D()(keras_input((5,)))


def test_registered_with_aliases_and_flat_exports():
    import kcore.layers
    for name in ('MaxPooling1D', 'AveragePooling3D', 'GlobalAveragePooling2D',
                 'GlobalMaxPooling3D', 'GlobalAveragePooling3D'):
        assert plugins.get('layers', name) is getattr(kcore.layers, name)
    assert plugins.get('layers', 'MaxPool2D') is MaxPooling2D
    assert plugins.get('layers', 'AvgPool1D') is AveragePooling1D


def test_reexported_from_convolutional():
    """The doc lists Max/AveragePooling under keras.layers.convolutional too."""
    from kcore.layers import convolutional
    assert convolutional.MaxPooling2D is MaxPooling2D
    assert convolutional.AveragePooling1D is AveragePooling1D
    assert convolutional.MaxPooling3D is MaxPooling3D
