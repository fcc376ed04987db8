"""Flatten, Reshape, Permute, RepeatVector: the doc's examples, numpy references, errors."""
import numpy as np
import pytest

from kcore import backend as K
from kcore.layers.core import Flatten, Permute, RepeatVector, Reshape
from kcore_test_helpers.layers import fresh_graph  # noqa: F401 (autouse fixture)
from kcore_test_helpers.layers import keras_input, model_json_roundtrip, roundtrip, run

rng = np.random.RandomState(2)


def test_flatten():
    x = rng.randn(2, 3, 4, 5).astype('float32')
    np.testing.assert_array_equal(run(Flatten(), x), x.reshape(2, -1))
    # the doc: (None, 64, 32, 32) -> (None, 65536)
    assert Flatten().get_output_shape_for((None, 64, 32, 32)) == (None, 65536)
    assert Flatten().get_output_shape_for((7, 3)) == (7, 3)
    roundtrip(Flatten(name='f'))
    model_json_roundtrip(Flatten(), x)


def test_flatten_needs_a_defined_shape():
    with pytest.raises(ValueError, match=r'flatten.*not fully defined \(got \(None, None, 3\)\)'):
        Flatten()(keras_input((None, 3)))
    with pytest.raises(ValueError, match='expected at least 2 axes'):
        Flatten()(K.placeholder(shape=(3,)))


def test_reshape_doc_example():
    x = rng.randn(2, 12).astype('float32')
    first = Reshape((3, 4), input_shape=(12,))
    assert first.get_output_shape_for((None, 12)) == (None, 3, 4)
    out = run(first, x)
    np.testing.assert_array_equal(out, x.reshape(2, 3, 4))
    np.testing.assert_array_equal(run(Reshape((6, 2)), out), x.reshape(2, 6, 2))


def test_reshape_unknown_dimension():
    x = rng.randn(2, 12).astype('float32')
    layer = Reshape((-1, 3))
    assert layer.get_output_shape_for((None, 12)) == (None, 4, 3)
    np.testing.assert_array_equal(run(layer, x), x.reshape(2, 4, 3))
    assert Reshape((2, -1)).get_output_shape_for((None, None)) == (None, 2, None)
    np.testing.assert_array_equal(run(Reshape((2, -1)), x.reshape(2, 3, 4)),
                                  x.reshape(2, 2, 6))


def test_reshape_errors():
    with pytest.raises(ValueError, match=r'reshape.*\(None, 12\) \(12 values per sample\).*'
                                         r'target_shape \(5, 2\)'):
        Reshape((5, 2))(keras_input((12,)))
    with pytest.raises(ValueError, match=r'target_shape \(5, -1\)'):
        Reshape((5, -1))(keras_input((12,)))
    for bad in ((-1, -1), (0, 3), (), 'ab', 5, (2.5, 2)):
        with pytest.raises(ValueError, match='one of them may be -1'):
            Reshape(bad)


def test_reshape_config():
    layer = roundtrip(Reshape((3, -1), name='r'))
    assert layer.target_shape == (3, -1)
    model_json_roundtrip(Reshape((2, 6)), rng.randn(2, 12).astype('float32'))


def test_permute():
    x = rng.randn(2, 10, 64).astype('float32')
    layer = Permute((2, 1), input_shape=(10, 64))       # the doc's example
    assert layer.get_output_shape_for((None, 10, 64)) == (None, 64, 10)
    np.testing.assert_array_equal(run(layer, x), x.transpose(0, 2, 1))
    x4 = rng.randn(2, 3, 4, 5).astype('float32')
    np.testing.assert_array_equal(run(Permute((3, 1, 2)), x4), x4.transpose(0, 3, 1, 2))
    assert roundtrip(Permute((3, 1, 2))).dims == (3, 1, 2)
    model_json_roundtrip(Permute((2, 1)), x)


def test_permute_errors():
    for bad in ((0, 1), (1, 1), (1, 3), 'x', None):
        with pytest.raises(ValueError, match='permutation of 1..n'):
            Permute(bad)
    with pytest.raises(ValueError, match=r'expected 3 axes, got shape \(None, 4\)'):
        Permute((2, 1))(keras_input((4,)))


def test_repeat_vector():
    x = rng.randn(2, 32).astype('float32')
    layer = RepeatVector(3)
    assert layer.get_output_shape_for((None, 32)) == (None, 3, 32)    # the doc's example
    np.testing.assert_array_equal(run(layer, x), np.repeat(x[:, None, :], 3, axis=1))
    assert roundtrip(RepeatVector(4)).n == 4
    model_json_roundtrip(RepeatVector(2), x)
    with pytest.raises(ValueError,
                       match=r'RepeatVector repeatvector_\d+: n must be an integer > 0'):
        RepeatVector(0)
    with pytest.raises(ValueError, match='expected 2 axes'):
        RepeatVector(3)(keras_input((3, 4)))
