"""Merge and merge(): every mode against numpy, shapes, masks, node/tensor indices, config."""
import numpy as np
import pytest

from kcore_test_helpers.engine import (  # noqa: F401
    Linear, MaskedMean, MaskZeros, Split, fresh_graph)
from kcore import backend as K
from kcore.engine import serialization
from kcore.engine.topology import Input, Merge, merge
from kcore.utils.layer_utils import layer_from_config

A = np.array([[1., 2., 3.], [-1., 0., 4.]])
B = np.array([[2., 0., 1.], [3., 3., -2.]])


def evaluate(output, inputs, values):
    return K.function(inputs, [output])(values)[0]


@pytest.mark.parametrize('mode, expected', [
    ('sum', A + B), ('mul', A * B), ('ave', (A + B) / 2), ('max', np.maximum(A, B)),
    ('concat', np.concatenate([A, B], axis=-1)),
    ('dot', (A * B).sum(axis=1, keepdims=True)),
    ('cos', (A * B).sum(1, keepdims=True) / np.sqrt((A * A).sum(1, keepdims=True) *
                                                   (B * B).sum(1, keepdims=True))),
])
def test_modes_match_numpy_and_the_declared_shape(mode, expected):
    a, b = Input(shape=(3,)), Input(shape=(3,))
    out = merge([a, b], mode=mode)
    assert out._keras_shape == (None,) + expected.shape[1:]
    np.testing.assert_allclose(evaluate(out, [a, b], [A, B]), expected, rtol=1e-6)


def test_sum_of_three_and_concat_axis():
    a, b, c = Input(shape=(2, 3)), Input(shape=(4, 3)), Input(shape=(1, 3))
    out = merge([a, b, c], mode='concat', concat_axis=1)
    assert out._keras_shape == (None, 7, 3)
    x, y = Input(shape=(3,)), Input(shape=(3,))
    total = merge([x, y, x], mode='sum')
    np.testing.assert_allclose(evaluate(total, [x, y], [A, B]), 2 * A + B)


def test_dot_axes_on_3d_tensors():
    a, b = Input(shape=(4, 5)), Input(shape=(6, 5))
    out = merge([a, b], mode='dot', dot_axes=[2, 2])
    assert out._keras_shape == (None, 4, 6)
    x, y = np.random.rand(2, 4, 5), np.random.rand(2, 6, 5)
    np.testing.assert_allclose(evaluate(out, [a, b], [x, y]), np.einsum('bik,bjk->bij', x, y),
                               rtol=1e-5)


def test_dot_axis_spelling_of_the_sequential_guide_is_accepted():
    # Decision (§20 item 14): `dot_axis` (L1187) is another name for `dot_axes` (L3415).
    layer = Merge(mode='dot', dot_axis=1)
    assert layer.dot_axes == 1 and layer.get_config()['dot_axes'] == 1
    with pytest.raises(ValueError, match='dot_axis is another name for dot_axes'):
        Merge(mode='dot', dot_axes=1, dot_axis=2)


def test_callable_mode_with_and_without_output_shape():
    a, b = Input(shape=(3,)), Input(shape=(3,))
    # The tutorial's example (L1200) gives no output_shape: the backend's static shape is used.
    diff = merge([a, b], mode=lambda x: x[0] - x[1])
    assert diff._keras_shape == (None, 3)
    np.testing.assert_allclose(evaluate(diff, [a, b], [A, B]), A - B)
    stacked = merge([a, b], mode=lambda x: K.concatenate(x), output_shape=(6,))
    assert stacked._keras_shape == (None, 6)
    first = merge([a, b], mode=lambda x, scale: x[0] * scale, arguments={'scale': 2.},
                  output_shape=lambda shapes: shapes[0])
    assert first._keras_shape == (None, 3)
    np.testing.assert_allclose(evaluate(first, [a, b], [A, B]), 2 * A)


@pytest.mark.parametrize('mode, shapes, message', [
    ('sum', [(3,), (4,)], r"mode 'sum' merges tensors of the same shape; got shapes "
                          r"\(None, 3\), \(None, 4\)"),
    ('concat', [(2, 3), (4, 5)], 'mode "concat" needs shapes that match except along '
                                 r'concat_axis=-1'),
    ('dot', [(3,), (4,)], r"mode 'dot' contracts axis 1 of shape \(None, 3\) with axis 1 "
                          r".* \(3 != 4\)"),
    ('cos', [(2, 3), (2, 3)], 'mode "cos" takes two 2D tensors'),
])
def test_shape_errors_name_the_layer(mode, shapes, message):
    inputs = [Input(shape=s) for s in shapes]
    with pytest.raises(ValueError, match='Merge merge_1: ' + message):
        merge(inputs, mode=mode)


def test_other_errors():
    with pytest.raises(ValueError, match="invalid mode 'avg'"):
        Merge(mode='avg')
    with pytest.raises(ValueError, match=r'at least 2 tensors; got 1 \(of shape \(None, 3\)\)'):
        Merge()(Input(shape=(3,)))
    a, b, c = Input(shape=(3,)), Input(shape=(3,)), Input(shape=(3,))
    with pytest.raises(ValueError, match="mode 'dot' takes exactly 2 tensors; got 3"):
        merge([a, b, c], mode='dot')
    with pytest.raises(ValueError, match='would contract the batch axis'):
        merge([a, b], mode='dot', dot_axes=0)


def test_merge_of_layers_with_node_and_tensor_indices():
    x = Input(shape=(4,))
    split = Split()
    split(x)
    shared = Linear(2)
    shared(Input(shape=(2,)))
    second_call = shared(Input(shape=(2,)))
    layer = Merge([split, split], mode='concat', tensor_indices=[1, 0])
    assert layer.inbound_nodes[0].input_tensors == split.inbound_nodes[0].output_tensors[::-1]
    assert layer.output_shape == (None, 4)
    picked = Merge([shared, shared], mode='sum', node_indices=[1, 1])
    assert picked.inbound_nodes[0].input_tensors == [second_call, second_call]
    with pytest.raises(ValueError, match='node 2 of layer linear_1, which has 2 inbound'):
        Merge([shared, shared], node_indices=[2, 0])


def test_masks_merge():
    a, b = Input(shape=(3, 2)), Input(shape=(3, 2))
    ma, mb = MaskZeros()(a), MaskZeros()(b)
    data_a = np.array([[[1., 1.], [0., 0.], [2., 2.]]])
    data_b = np.array([[[1., 1.], [1., 1.], [0., 0.]]])
    summed = merge([ma, mb], mode='sum')
    mask = summed._keras_history[0].output_mask
    np.testing.assert_array_equal(K.function([a, b], [mask])([data_a, data_b])[0],
                                  [[True, False, False]])
    features = merge([ma, b], mode='concat')           # b has no mask: it keeps every step
    mask = features._keras_history[0].output_mask
    np.testing.assert_array_equal(K.function([a, b], [mask])([data_a, data_b])[0],
                                  [[True, False, True]])
    steps = merge([ma, mb], mode='concat', concat_axis=1)
    mask = steps._keras_history[0].output_mask
    np.testing.assert_array_equal(K.function([a, b], [mask])([data_a, data_b])[0],
                                  [[True, False, True, True, True, False]])
    mean = MaskedMean()(steps)
    out = K.function([a, b], [mean])([data_a, data_b])[0]
    np.testing.assert_allclose(out, [[1.25, 1.25]])
    assert merge([ma, mb], mode='dot', dot_axes=[2, 2])._keras_history[0].output_mask is None


def test_config_round_trip_and_functions_in_safe_mode():
    layer = Merge(mode='concat', concat_axis=1, name='m')
    config = layer.get_config()
    assert config['mode_type'] == 'raw' and config['concat_axis'] == 1
    assert Merge.from_config(config).get_config() == config

    lam = Merge(mode=lambda x: x[0] - x[1], output_shape=(3,))
    config = lam.get_config()
    assert config['mode_type'] == 'lambda'
    with pytest.raises(ValueError, match='bytecode.*safe_mode=False'):
        layer_from_config({'class_name': 'Merge', 'config': config})
    rebuilt = layer_from_config({'class_name': 'Merge', 'config': config}, safe_mode=False)
    a, b = Input(shape=(3,)), Input(shape=(3,))
    np.testing.assert_allclose(evaluate(rebuilt([a, b]), [a, b], [A, B]), A - B)
    assert rebuilt.get_config()['output_shape'] == (3,)


def difference(tensors):
    return tensors[0] - tensors[1]


def test_named_function_mode_is_stored_by_name_and_found_in_custom_objects():
    config = Merge(mode=difference, output_shape=(3,)).get_config()
    assert (config['mode'], config['mode_type']) == ('difference', 'function')
    with pytest.raises(ValueError, match=r"function 'difference'.*custom_objects"):
        layer_from_config({'class_name': 'Merge', 'config': config})
    rebuilt = layer_from_config({'class_name': 'Merge', 'config': config},
                                custom_objects={'difference': difference})
    assert rebuilt.mode is difference
    with serialization.safe_mode_scope(False):
        assert not serialization.safe_mode()
    assert serialization.safe_mode()
