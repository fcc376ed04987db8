"""The conv + bias + relu (+ pooling in predict) fusion of kcore-theano (conv_fusion.py,
native_conv.Conv2dFused): in the compiled graph where the pattern occurs, not where it
must not, and equal to the unfused graph (KCORE_THEANO_CONV_FUSION=0), values and
gradients."""
import numpy as np
import pytensor
import pytensor.tensor as pt
import pytest

from kcore import backend as K
from kcore_theano import native_conv

pytestmark = pytest.mark.skipif(native_conv.library() is None,
                                reason='the native convolutions could not be built here')


def _fused_ops(fn, op_type=native_conv.Conv2dFused):
    """The Conv2dFused (or ``op_type``) Ops in a kcore function's compiled graph(s)."""
    fn = getattr(fn, 'function', fn)   # a model's BatchFunction wraps K.function's
    graphs = [fn._fn] + ([fn._test_fn] if getattr(fn, '_test_fn', None) else [])
    return [node.op for g in graphs for node in g.maker.fgraph.apply_nodes
            if isinstance(node.op, op_type)]


def _data(*shape, seed=0):
    return np.random.RandomState(seed).randn(*shape).astype('float32')


def _layer(ordering, activation, border_mode='valid', strides=(1, 1), pool=None):
    """build(x, W, b): conv2d + bias_add + activation (+ pool2d)."""
    def build(x, w, b):
        y = K.bias_add(K.conv2d(x, w, strides=strides, border_mode=border_mode,
                                dim_ordering=ordering), b, ordering)
        y = {'linear': lambda v: v, 'relu': K.relu, 'tanh': K.tanh,
             'leaky': lambda v: K.relu(v, alpha=0.1)}[activation](y)
        if pool is not None:
            y = K.pool2d(y, (2, 2), strides=(2, 2), dim_ordering=ordering, pool_mode=pool)
        return y
    return build


def _arrays(ordering, n=3, rows=7, cols=6, channels=3, filters=4):
    x, w = _data(n, rows, cols, channels), 0.5 * _data(3, 2, channels, filters, seed=1)
    if ordering == 'th':
        x, w = x.transpose(0, 3, 1, 2).copy(), w.transpose(3, 2, 0, 1).copy()
    return x, w, _data(filters, seed=2)


def _run(monkeypatch, fused, build, arrays, gradients=True):
    """(outputs, fused Ops of the compiled function) with the fusion on or off."""
    monkeypatch.setenv('KCORE_THEANO_CONV_FUSION', '1' if fused else '0')
    inputs = [K.placeholder(shape=a.shape) for a in arrays]
    out = build(*inputs)
    outs = [out]
    if gradients:
        weights = np.random.RandomState(7).uniform(0.5, 1.5, K.int_shape(out))
        outs += K.gradients(K.sum(out * K.constant(weights.astype('float32'))), inputs)
    fn = K.function(inputs, outs)
    values = fn(list(arrays))
    _run.backward = _fused_ops(fn, native_conv.Conv2dBackward)
    return values, _fused_ops(fn)


def _compare(monkeypatch, build, arrays, gradients=True):
    fused, ops = _run(monkeypatch, True, build, arrays, gradients)
    backward = _run.backward
    plain, plain_ops = _run(monkeypatch, False, build, arrays, gradients)
    assert plain_ops == [] and _run.backward == []
    _compare.backward = backward
    for got, want in zip(fused, plain):
        np.testing.assert_allclose(got, want, rtol=1e-5, atol=1e-5)
    return ops


@pytest.mark.parametrize('ordering', ('tf', 'th'))
@pytest.mark.parametrize('border_mode', ('valid', 'same'))
@pytest.mark.parametrize('strides', [(1, 1), (2, 2)])
@pytest.mark.parametrize('activation', ('relu', 'linear'))
def test_bias_and_activation_fuse_and_match(monkeypatch, ordering, border_mode, strides,
                                            activation):
    ops = _compare(monkeypatch, _layer(ordering, activation, border_mode, strides),
                   _arrays(ordering))
    assert [(op.activation, op.pool) for op in ops] == [(activation, None)]
    backward = [(op.activation, op.input_grad) for op in _compare.backward]
    # 'th': the relu mask is applied in that layout, and the transposed dz is fused as is
    assert backward == [(activation if ordering == 'tf' else 'linear', True)]


@pytest.mark.parametrize('activation', ('tanh', 'leaky'))
def test_other_activations_fuse_only_the_bias(monkeypatch, activation):
    ops = _compare(monkeypatch, _layer('tf', activation), _arrays('tf'))
    assert [op.activation for op in ops] == ['linear']
    assert [op.activation for op in _compare.backward] == ['linear']


@pytest.mark.parametrize('ordering', ('tf', 'th'))
@pytest.mark.parametrize('pool', ('max', 'avg'))
@pytest.mark.parametrize('activation', ('relu', 'linear'))
def test_predict_fuses_the_pooling(monkeypatch, ordering, pool, activation):
    build = _layer(ordering, activation, pool=pool)
    ops = _compare(monkeypatch, build, _arrays(ordering, rows=9, cols=8), gradients=False)
    assert [(op.activation, op.pool) for op in ops] == [
        (activation, ((2, 2), (2, 2), 'valid', pool))]


@pytest.mark.parametrize('ordering', ('tf', 'th'))
def test_training_keeps_the_pooling_apart(monkeypatch, ordering):
    """The pooling gradient reads the convolution's output: no pooling in the fused Op."""
    ops = _compare(monkeypatch, _layer(ordering, 'relu', pool='max'),
                   _arrays(ordering, rows=9, cols=8))
    assert [(op.activation, op.pool) for op in ops] == [('relu', None)]
    backward = [(op.activation, op.pool) for op in _compare.backward]
    assert backward == ([('relu', ((2, 2), (2, 2), 'valid', 'max'))] if ordering == 'tf'
                        else [('linear', None)])


@pytest.mark.parametrize('pool', ('max', 'avg'))
@pytest.mark.parametrize('activation', ('relu', 'linear', 'tanh'))
def test_the_pooling_gradient_joins_the_backward_op(monkeypatch, pool, activation):
    """Also with the pooling over a 'same' border and odd sizes (windows cut by the edge)."""
    def build(x, w, b):
        y = _layer('tf', activation, 'same')(x, w, b)
        return K.pool2d(y, (3, 2), strides=(2, 2), border_mode='same', dim_ordering='tf',
                        pool_mode=pool)
    _compare(monkeypatch, build, _arrays('tf', rows=9, cols=7))
    backward = [(op.activation, op.pool) for op in _compare.backward]
    want_pool = None if activation == 'tanh' else ((3, 2), (2, 2), 'same', pool)
    assert backward == [('linear' if activation == 'tanh' else activation, want_pool)]


def test_a_pre_activation_used_elsewhere_is_not_fused_into_relu(monkeypatch):
    def build(x, w, b):
        z = K.bias_add(K.conv2d(x, w, dim_ordering='tf'), b, 'tf')
        return K.relu(z) + 0.5 * z
    ops = _compare(monkeypatch, build, _arrays('tf'))
    assert [op.activation for op in ops] == ['linear']


def test_without_bias_relu_fuses(monkeypatch):
    build = lambda x, w, b: K.relu(K.conv2d(x, w, dim_ordering='tf')) + 0 * K.sum(b)
    ops = _compare(monkeypatch, build, _arrays('tf'))
    assert [op.activation for op in ops] == ['relu']


def test_relu_gradient_at_zero_is_zero(monkeypatch):
    """TensorFlow's convention (the unfused maximum gives 1): an all-zero image and bias."""
    x, w, _ = _arrays('tf')
    values, ops = _run(monkeypatch, True, _layer('tf', 'relu'),
                       (np.zeros_like(x), w, np.zeros(4, 'float32')))
    assert ops and not np.any(values[3])


def test_a_model_trains_and_predicts_the_same(monkeypatch):
    from kcore.layers import Convolution2D, Dense, Flatten, MaxPooling2D
    from kcore.models import Sequential

    def run(fused):
        monkeypatch.setenv('KCORE_THEANO_CONV_FUSION', '1' if fused else '0')
        model = Sequential([
            Convolution2D(4, 3, 3, activation='relu', input_shape=(8, 8, 2), dim_ordering='tf'),
            Convolution2D(5, 3, 3, activation='relu', dim_ordering='tf'),
            MaxPooling2D((2, 2), dim_ordering='tf'), Flatten(), Dense(3, activation='softmax')])
        model.compile('sgd', 'categorical_crossentropy')
        weights = [_data(*w.shape, seed=i) * 0.3 for i, w in enumerate(model.get_weights())]
        model.set_weights(weights)
        x, y = _data(6, 8, 8, 2, seed=9), np.eye(3, dtype='float32')[[0, 1, 2, 0, 1, 2]]
        model.train_on_batch(x, y)
        ops = _fused_ops(model.train_function)
        ops += _fused_ops(model.train_function, native_conv.Conv2dBackward)
        return model.predict(x, batch_size=6), model.get_weights(), ops, model

    fused, fused_weights, train_ops, model = run(True)
    plain, plain_weights, _, _ = run(False)
    assert [op.activation for op in train_ops] == ['relu', 'relu', 'relu', 'relu']
    assert sorted(op.input_grad for op in train_ops[2:]) == [False, True]
    assert any(op.pool for op in _fused_ops(model.predict_function))
    np.testing.assert_allclose(fused, plain, rtol=1e-5, atol=1e-6)
    for got, want in zip(fused_weights, plain_weights):
        np.testing.assert_allclose(got, want, rtol=1e-5, atol=1e-6)


@pytest.mark.parametrize('activation', ('relu', 'linear'))
def test_fused_op_gradient(activation):
    rng = np.random.RandomState(3)
    x, w = _data(2, 5, 4, 2), _data(2, 2, 2, 3, seed=1)
    b = np.array([0.3, -0.2, 0.1], 'float32')
    op = native_conv.Conv2dFused((2, 2), (1, 1), (1, 1), 'valid', activation)
    pytensor.gradient.verify_grad(lambda x, w, b: op(x, w, b), [x, w, b], rng=rng,
                                  abs_tol=2e-2, rel_tol=2e-2, eps=1e-2)


def test_fused_op_checks_the_bias():
    op = native_conv.Conv2dFused((2, 2), (1, 1), (1, 1), 'valid', 'relu')
    x, w, b = pt.tensor4(dtype='float32'), pt.tensor4(dtype='float32'), pt.vector('float32')
    fn = pytensor.function([x, w, b], op(x, w, b))
    with pytest.raises(ValueError, match=r'bias must have shape \(3,\)'):
        fn(_data(1, 4, 4, 2), _data(2, 2, 2, 3), np.zeros(2, 'float32'))
    with pytest.raises(ValueError, match='activation must be one of'):
        native_conv.Conv2dFused((2, 2), (1, 1), (1, 1), 'valid', 'tanh')
