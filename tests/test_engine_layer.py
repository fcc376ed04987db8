"""The Layer base class: construction, building, nodes, weights, losses, updates, masks."""
import numpy as np
import pytest

from kcore_test_helpers.engine import (  # noqa: F401
    Linear, MaskedMean, MaskZeros, OldStyle, Split, fresh_graph)
from kcore import backend as K
from kcore.engine.topology import Input, InputSpec, Layer, Node, get_source_inputs


def run(outputs, inputs, values):
    return K.function(inputs, outputs)(values)


# ------------------------------------------------------------------ construction
def test_names_are_numbered_per_class_and_can_be_given():
    assert Linear(2).name == 'linear_1'
    assert Linear(2).name == 'linear_2'
    assert OldStyle(2).name == 'oldstyle_1'
    assert Linear(2, name='mine').name == 'mine'


def test_unknown_keyword_is_a_type_error_naming_class_and_keyword():
    with pytest.raises(TypeError, match=r"Linear got unexpected keyword argument 'units_out'"):
        Linear(2, units_out=3)


@pytest.mark.parametrize('kwargs', [{'input_shape': (784,)}, {'batch_input_shape': (None, 784)},
                                    {'input_dim': 784}])
def test_three_ways_to_give_the_input_shape_are_equivalent(kwargs):
    layer = Linear(32, **kwargs)
    assert layer.batch_input_shape == (None, 784)
    assert layer.input_dtype == K.floatx()
    assert layer.get_config()['batch_input_shape'] == (None, 784)


def test_config_has_base_keys_only_when_set():
    assert Linear(3, name='l').get_config() == {'name': 'l', 'trainable': True, 'units': 3}
    assert Linear.from_config(Linear(3, name='l', trainable=False).get_config()).trainable is False


# ------------------------------------------------------------------- building
def test_call_builds_once_and_records_a_node():
    layer = Linear(3)
    x = Input(shape=(4,))
    y = layer(x)
    assert layer.built and len(layer.weights) == 2
    assert y._keras_shape == (None, 3)
    assert y._keras_history == (layer, 0, 0)
    node = layer.inbound_nodes[0]
    assert isinstance(node, Node) and node.inbound_layers == [x._keras_history[0]]
    assert x._keras_history[0].outbound_nodes == [node]
    assert [w.name.split(':')[0] for w in layer.weights] == ['linear_1_W', 'linear_1_b']


def test_weights_argument_is_applied_after_build():
    W, b = np.arange(6.).reshape(2, 3), np.array([1., 2., 3.])
    layer = Linear(3, weights=[W, b])
    x = Input(shape=(2,))
    out, = run([layer(x)], [x], [np.array([[1., 1.]])])
    np.testing.assert_allclose(out, [[4., 7., 10.]])   # [1, 1] . W + b


def test_keras1_style_layer_with_call_without_mask():
    layer = OldStyle(2)
    x = Input(shape=(3,))
    out, = run([layer(x)], [x], [np.ones((1, 3))])
    np.testing.assert_allclose(out, [[3., 3.]])
    assert layer.trainable_weights == [layer.W]


def test_input_spec_error_names_layer_and_shapes():
    layer = Linear(3)
    layer(Input(shape=(4,)))
    with pytest.raises(ValueError, match=r'Input 0 is incompatible with layer linear_1: '
                                         r'expected shape \(None, 4\), got shape \(None, 5\)'):
        layer(Input(shape=(5,)))
    with pytest.raises(ValueError, match=r'expected 2 axes.*got shape \(None, 2, 4\)'):
        Linear(3)(Input(shape=(2, 4)))


def test_input_spec_forms():
    class Spec(Layer):
        input_specs = [InputSpec(ndim='3+')]   # the doc's spelling (L5185) is honoured

    with pytest.raises(ValueError, match=r'at least 3 axes, got shape \(None, 4\)'):
        Spec()(Input(shape=(4,)))
    Spec()(Input(shape=(2, 4)))

    class Typed(Layer):
        input_spec = [InputSpec(dtype='int32')]

    with pytest.raises(ValueError, match='expected dtype int32, got dtype float32'):
        Typed()(Input(shape=(4,)))


def test_call_returning_none_is_an_error():
    class Broken(Layer):
        def call(self, x, mask=None):
            return None

    with pytest.raises(ValueError, match='call method of layer broken_1 returned None'):
        Broken()(Input(shape=(2,)))


def test_layer_returning_its_input_does_not_steal_its_history():
    x = Input(shape=(2,))
    y = Layer(name='identity')(x)
    assert y is not x
    assert x._keras_history[0].name == 'input_1'
    assert y._keras_history[0].name == 'identity'


# ------------------------------------------------------------ nodes (L1883-1947)
def test_single_node_attributes():
    a = Input(shape=(140, 256))
    layer = MaskedMean()
    encoded_a = layer(a)
    assert layer.output is encoded_a
    assert layer.input is a
    assert layer.input_shape == (None, 140, 256)
    assert layer.output_shape == (None, 256)


def test_shared_layer_nodes_and_the_ambiguous_output_error():
    # The doc's example shares an LSTM (L1903-1927); a mask-aware average stands in for it:
    # the node structure is the same.
    a = Input(shape=(140, 256))
    b = Input(shape=(140, 256))
    lstm = MaskedMean(name='lstm_1')
    encoded_a = lstm(a)
    encoded_b = lstm(b)
    with pytest.raises(AssertionError) as info:
        lstm.output
    assert str(info.value) == ('Layer lstm_1 has multiple inbound nodes, hence the notion of '
                               '"layer output" is ill-defined. Use get_output_at(node_index) '
                               'instead.')
    assert not hasattr(lstm, 'input')
    assert lstm.get_output_at(0) is encoded_a
    assert lstm.get_output_at(1) is encoded_b
    assert lstm.get_input_at(1) is b
    # all nodes agree on shapes, so the shapes stay defined (L1931)
    assert lstm.input_shape == (None, 140, 256)
    assert lstm.output_shape == (None, 256)


def test_shared_layer_with_different_shapes_needs_node_index():
    # The doc uses Convolution2D on (3, 32, 32) and (3, 64, 64) (L1935-1947): a shape-keeping
    # layer on two sizes has the same node structure.
    a = Input(shape=(3, 32, 32))
    b = Input(shape=(3, 64, 64))
    conv = Layer(name='conv')
    conv(a)
    assert conv.input_shape == (None, 3, 32, 32)
    conv(b)
    with pytest.raises(AssertionError, match='different input shapes'):
        conv.input_shape
    assert conv.get_input_shape_at(0) == (None, 3, 32, 32)
    assert conv.get_input_shape_at(1) == (None, 3, 64, 64)
    assert conv.get_output_shape_at(1) == (None, 3, 64, 64)
    with pytest.raises(AttributeError, match='has only 2 inbound nodes'):
        conv.get_output_at(2)


def test_unconnected_layer_has_no_output():
    with pytest.raises(AttributeError, match='linear_1 has never been called'):
        Linear(2).output_shape
    with pytest.raises(AttributeError, match='not connected'):
        Linear(2).output


def test_multiple_outputs_and_source_inputs():
    x = Input(shape=(4,))
    first, second = Split()(x)
    assert first._keras_shape == (None, 2) and second._keras_history[2] == 1
    y = Linear(1)(second)
    assert get_source_inputs(y) == [x]
    values = run([first, y], [x], [np.ones((2, 4))])
    assert values[0].shape == (2, 2) and values[1].shape == (2, 1)


# ------------------------------------------------------------------- weights
def test_get_and_set_weights_check_count_and_shape():
    layer = Linear(3)
    layer(Input(shape=(2,)))
    W = np.ones((2, 3))
    layer.set_weights([W, np.zeros(3)])
    np.testing.assert_array_equal(layer.get_weights()[0], W)
    with pytest.raises(ValueError, match=r'Layer linear_1 has 2 weights .* got 1 arrays'):
        layer.set_weights([W])
    with pytest.raises(ValueError, match=r'linear_1, weight 0 \(linear_1_W.*\): set_weights got '
                                         r'an array of shape \(3, 2\), expected shape \(2, 3\)'):
        layer.set_weights([W.T, np.zeros(3)])
    assert layer.count_params() == 9


def test_count_params_before_build_is_an_error():
    with pytest.raises(ValueError, match='layer linear_1 is not built'):
        Linear(2).count_params()


def test_trainable_flag_moves_weights_to_non_trainable():
    frozen = Linear(3, trainable=False)
    frozen(Input(shape=(2,)))
    assert frozen.trainable_weights == []
    assert frozen.non_trainable_weights == [frozen.W, frozen.b]
    frozen.trainable = True
    assert frozen.trainable_weights == [frozen.W, frozen.b]
    assert frozen.weights == [frozen.W, frozen.b]


def test_add_weight_records_regularizer_and_constraint():
    from kcore import constraints, regularizers
    reg, con = regularizers.l2(0.5), constraints.nonneg()
    layer = Linear(2, regularizer=reg, constraint=con, weights=[np.ones((2, 2)), np.zeros(2)])
    layer(Input(shape=(2,)))
    assert layer.constraints == {layer.W: con}
    assert len(layer.losses) == 1
    np.testing.assert_allclose(K.eval(layer.losses[0]), 0.5 * 4)


def test_activity_penalty_per_call_and_keras1_regularizers_list():
    from kcore import regularizers

    class Activity(Layer):
        def __init__(self, **kwargs):
            super().__init__(**kwargs)
            self.activity_regularizer = regularizers.activity_l1(1.)

    layer = Activity()
    a, b = Input(shape=(2,)), Input(shape=(2,))
    layer(a)
    layer(b)
    assert len(layer.losses) == 2
    assert len(layer.inbound_nodes[1].losses) == 1
    values = K.function([a, b], layer.losses)([np.ones((1, 2)), -2 * np.ones((1, 2))])
    np.testing.assert_allclose(values, [2., 4.])

    old = OldStyle(1)
    old(Input(shape=(2,)))
    penalty = regularizers.l1(1.)
    penalty.set_param(old.W)
    old.regularizers = [penalty]
    assert len(old.losses) == 1 and old.losses[0] is old.losses[0]
    np.testing.assert_allclose(K.eval(old.losses[0]), 2.)


def test_updates_keras1_list_and_per_input():
    layer = Linear(1)
    x = Input(shape=(2,))
    layer(x)
    counter = K.variable(0.)
    layer.updates = [(counter, counter + 1)]
    assert len(layer.updates) == 1
    moving = (K.variable(0.), K.constant(1.))
    layer.add_update([moving], inputs=x)
    assert layer.get_updates_for(x) == [moving]
    assert layer.get_updates_for(None) == layer.updates[:1]


def test_reset_states_is_a_no_op_for_stateless_layers():
    layer = Linear(1)
    layer.reset_states()
    assert not layer.stateful


# --------------------------------------------------------------------- masks
def test_mask_propagates_and_is_consumed():
    x = Input(shape=(3, 2))
    masked = MaskZeros()(x)
    assert masked._keras_history[0].output_mask is not None
    y = MaskedMean()(masked)
    data = np.array([[[1., 1.], [0., 0.], [3., 5.]]])
    out, = run([y], [x], [data])
    np.testing.assert_allclose(out, [[2., 3.]])   # the zero step is skipped
    assert y._keras_history[0].output_mask is None


def test_layer_without_masking_support_refuses_a_mask():
    x = Input(shape=(3, 2))
    masked = MaskZeros()(x)
    with pytest.raises(TypeError, match=r'Layer flat \(Layer\) does not support masking'):
        Layer(name='flat')(masked)


def test_explicit_mask_argument():
    x = Input(shape=(3, 2))
    mask = K.placeholder(shape=(None, 3), dtype='bool')
    y = MaskedMean()(x, mask=mask)
    data = np.array([[[1., 1.], [5., 5.], [3., 5.]]])
    out, = K.function([x, mask], [y])([data, np.array([[True, False, True]])])
    np.testing.assert_allclose(out, [[2., 3.]])


# ------------------------------------------------------------- backend tensors
def test_raw_backend_tensor_becomes_an_input():
    raw = K.placeholder(shape=(None, 4))
    y = Linear(2)(raw)
    assert raw._keras_history[0].__class__.__name__ == 'InputLayer'
    assert raw._keras_shape == (None, 4)
    assert get_source_inputs(y) == [raw]


def test_set_input_retargets_a_layer():
    raw = K.placeholder(shape=(None, 3))
    layer = OldStyle(2, input_dim=3)
    out = layer.set_input(raw)
    assert layer.input is raw and layer.output is out
    assert len(layer.inbound_nodes) == 1


# ---------------------------------------------------------------------- Input
def test_input_forms():
    """Input has no reference entry (§20 item 36): shape, batch_shape, name, dtype, tensor,
    sparse, as the examples use them (L1701, L1761, L8864)."""
    assert Input(shape=(784,))._keras_shape == (None, 784)
    main = Input(shape=(100,), dtype='int32', name='main_input')
    assert K.dtype(main) == 'int32' and main._keras_history[0].name == 'main_input'
    assert Input(batch_shape=(16, 3))._keras_shape == (16, 3)
    assert Input(shape=5)._keras_shape == (None, 5)
    with pytest.raises(ValueError, match=r'Input\(\) needs shape='):
        Input()
    raw = K.placeholder(shape=(None, 2, 3))
    assert Input(tensor=raw) is raw and raw._keras_shape == (None, 2, 3)
    with pytest.raises(ValueError, match=r'has shape \(None, 2, 3\), which does not match the '
                                         r'shape asked for, \(None, 4\)'):
        Input(shape=(4,), tensor=K.placeholder(shape=(None, 2, 3)))
    with pytest.raises(ValueError, match='already the output of layer linear_1'):
        Input(tensor=Linear(2)(Input(shape=(3,))))


def test_old_get_output_api_still_answers():
    """The filter-visualisation blog (L8382) calls layer.get_output() (§20 item 38)."""
    x = Input(shape=(2,))
    layer = Linear(1)
    y = layer(x)
    with pytest.warns(DeprecationWarning, match='use layer.output'):
        assert layer.get_output() is y
