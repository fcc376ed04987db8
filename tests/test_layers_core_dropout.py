"""Dropout and SpatialDropout1D/2D/3D: training vs test phase, dropped units or maps,
dim_ordering, configs."""
import numpy as np
import pytest

from kcore import backend as K
from kcore.layers.core import Dropout, SpatialDropout1D, SpatialDropout2D, SpatialDropout3D
from kcore_test_helpers.layers import fresh_graph  # noqa: F401 (autouse fixture)
from kcore_test_helpers.layers import keras_input, model_json_roundtrip, roundtrip, run

X = np.ones((8, 50), dtype='float32')


def test_dropout_phases():
    layer = Dropout(0.5)
    assert layer.uses_learning_phase
    np.testing.assert_array_equal(run(layer, X, phase=0), X)
    out = run(Dropout(0.5), X, phase=1)
    assert set(np.unique(out)) <= {0., 2.}                  # kept units scaled by 1 / (1 - p)
    assert 0.3 < (out == 0).mean() < 0.7


def test_dropout_marks_outputs_as_phase_dependent():
    y = Dropout(0.2)(keras_input((3,)))
    assert y._uses_learning_phase
    assert not Dropout(0.)(keras_input((3,)))._uses_learning_phase
    np.testing.assert_array_equal(run(Dropout(0.), X, phase=1), X)


def test_dropout_arguments_and_config():
    for bad in (-0.1, 1.0, 'half', None):
        with pytest.raises(ValueError, match=r'Dropout: p .* \[0, 1\); got'):
            Dropout(bad)
    layer = Dropout(0.25, name='drop')
    assert layer.get_config() == {'name': 'drop', 'trainable': True, 'p': 0.25}
    assert roundtrip(layer).p == 0.25
    model_json_roundtrip(Dropout(0.5), X)
    assert Dropout(0.5).get_output_shape_for((None, 7)) == (None, 7)
    layer = Dropout(0.5)
    layer(keras_input((4,)))
    assert layer.get_weights() == [] and layer.trainable_weights == []


def test_spatial_dropout_1d_drops_whole_channels():
    x = np.ones((6, 10, 40), dtype='float32')
    np.testing.assert_array_equal(run(SpatialDropout1D(0.5), x, phase=0), x)
    out = run(SpatialDropout1D(0.5), x, phase=1)
    # each (sample, channel) map is all 0 or all 2 along the time axis
    assert (out.min(axis=1) == out.max(axis=1)).all()
    assert 0.25 < (out == 0).mean() < 0.75
    with pytest.raises(ValueError, match='expected 3 axes'):
        SpatialDropout1D(0.5)(keras_input((4,)))
    assert roundtrip(SpatialDropout1D(0.3)).p == 0.3


@pytest.mark.parametrize('cls, spatial', [(SpatialDropout2D, (5, 6)),
                                          (SpatialDropout3D, (3, 4, 5))])
@pytest.mark.parametrize('ordering', ['th', 'tf'])
def test_spatial_dropout_nd(cls, spatial, ordering):
    channels = 30
    shape = ((channels,) + spatial) if ordering == 'th' else (spatial + (channels,))
    x = np.ones((4,) + shape, dtype='float32')
    np.testing.assert_array_equal(run(cls(0.5, dim_ordering=ordering), x, phase=0), x)
    out = run(cls(0.5, dim_ordering=ordering), x, phase=1)
    axes = tuple(range(2, 2 + len(spatial))) if ordering == 'th' else tuple(
        range(1, 1 + len(spatial)))
    assert (out.min(axis=axes) == out.max(axis=axes)).all()       # whole maps dropped
    assert 0.25 < (out == 0).mean() < 0.75
    config = roundtrip(cls(0.5, dim_ordering=ordering)).get_config()
    assert config['dim_ordering'] == ordering


def test_spatial_dropout_default_ordering_is_the_config():
    # §20 item 1: 'default' is the config's image_dim_ordering ('tf' unless set).
    assert SpatialDropout2D(0.5).dim_ordering == K.image_dim_ordering() == 'tf'
    K.set_image_dim_ordering('th')
    try:
        assert SpatialDropout3D(0.5).dim_ordering == 'th'
    finally:
        K.set_image_dim_ordering('tf')
    with pytest.raises(ValueError, match="dim_ordering 'xy'"):
        SpatialDropout2D(0.5, dim_ordering='xy')
    with pytest.raises(ValueError, match='expected 4 axes'):
        SpatialDropout2D(0.5)(keras_input((4, 4)))
