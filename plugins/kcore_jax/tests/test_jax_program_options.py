"""Programs without a derivative (predict, test) take XLA's default CPU options and the
forward form of pooling; programs with one keep the options and forms of training."""
import numpy as np
import pytest


@pytest.fixture
def K(K, monkeypatch):
    monkeypatch.delenv('KCORE_JAX_YNN_FUSION', raising=False)
    return K


def _cpu_only():
    import jax
    if jax.default_backend() != 'cpu':
        pytest.skip('an XLA CPU option')


def _compiled_text(f, phase, feeds):
    program = f._compiled[phase]
    lowered = program.lower(tuple(v.value for v in f.updated),
                            tuple(v.value for v in f.others), tuple(feeds), np.uint32(0))
    return lowered.as_text(), lowered.compile().as_text()


def _conv_net(K):
    x = K.placeholder(shape=(None, 26, 26, 32))
    kernel = K.variable(np.random.RandomState(0).uniform(-1, 1, (3, 3, 32, 64)))
    y = K.pool2d(K.relu(K.conv2d(x, kernel, dim_ordering='tf')), (2, 2), dim_ordering='tf')
    return x, kernel, y


def test_a_function_without_a_derivative_is_forward_only(K):
    x = K.placeholder(shape=(None, 3))
    w = K.variable(np.ones((3, 2)))
    y = K.dot(x, w)
    assert K.function([x], [y]).forward_only
    # Updates alone (a moving average) take no derivative either.
    assert K.function([x], [y], updates=[(w, w * 0.5)]).forward_only
    grad = K.gradients(K.sum(y), [w])[0]
    assert not K.function([x], [y, grad]).forward_only
    assert not K.function([x], [y], updates=[(w, w - grad)]).forward_only


def test_compile_options_per_program_and_the_override(K, monkeypatch):
    _cpu_only()
    from kcore_jax.session import CPU_YNN_FUSION, compile_options
    option = 'xla_cpu_experimental_ynn_fusion_type'
    assert compile_options(forward_only=True) == {}
    assert compile_options()['compiler_options'][option] == CPU_YNN_FUSION
    monkeypatch.setenv('KCORE_JAX_YNN_FUSION', 'default')
    assert compile_options() == {}
    monkeypatch.setenv('KCORE_JAX_YNN_FUSION', 'LIBRARY_FUSION_TYPE_INDIVIDUAL_DOT')
    assert compile_options(forward_only=True)['compiler_options'][option] == \
        'LIBRARY_FUSION_TYPE_INDIVIDUAL_DOT'


def test_predict_programs_run_convolutions_in_ynnpack(K):
    _cpu_only()
    from test_jax_graph import _ynn_convolutions
    x, kernel, y = _conv_net(K)
    f = K.function([x], [y])
    data = np.random.RandomState(1).uniform(size=(2, 26, 26, 32)).astype('float32')
    f([data])
    stablehlo, text = _compiled_text(f, 0, [data])
    assert 'reduce_window' in stablehlo
    assert _ynn_convolutions(text)


def test_the_override_applies_to_predict_programs(K, monkeypatch):
    _cpu_only()
    from test_jax_graph import _ynn_convolutions
    monkeypatch.setenv('KCORE_JAX_YNN_FUSION', 'LIBRARY_FUSION_TYPE_INDIVIDUAL_DOT')
    x, kernel, y = _conv_net(K)
    f = K.function([x], [y])
    data = np.ones((2, 26, 26, 32), 'float32')
    f([data])
    assert _ynn_convolutions(_compiled_text(f, 0, [data])[1]) == []


def test_training_programs_pool_with_strided_slices(K):
    x, kernel, y = _conv_net(K)
    grad = K.gradients(K.sum(y), [kernel])[0]
    f = K.function([x], [y], updates=[(kernel, kernel - 0. * grad)])
    data = np.ones((2, 26, 26, 32), 'float32')
    f([data])
    assert 'reduce_window' not in _compiled_text(f, 0, [data])[0]


@pytest.mark.parametrize('ordering', ['tf', 'th'])
@pytest.mark.parametrize('mode', ['max', 'avg'])
@pytest.mark.parametrize('border_mode,pool,strides', [
    ('valid', (2, 2), (2, 2)), ('same', (3, 3), (2, 2)), ('same', (2, 3), (1, 2)),
    ('valid', (3, 2), (1, 1))])
def test_forward_pooling_equals_the_training_form(K, ordering, mode, border_mode, pool,
                                                    strides):
    shape = (2, 7, 8, 3) if ordering == 'tf' else (2, 3, 7, 8)
    data = np.random.RandomState(2).normal(size=shape).astype('float32')
    x = K.placeholder(shape=(None,) + shape[1:])
    y = K.pool2d(x, pool, strides=strides, border_mode=border_mode, dim_ordering=ordering,
                 pool_mode=mode)
    forward = K.function([x], [y])
    assert forward.forward_only
    # The same pooling in a program that takes a derivative (through x).
    grad = K.gradients(K.sum(y), [x])[0]
    training = K.function([x], [y, grad])
    assert not training.forward_only
    fast, = forward([data])
    slow, slow_grad = training([data])
    np.testing.assert_allclose(fast, slow, rtol=1e-6, atol=1e-6)
    # The training form's gradient: each input gets its share of the windows it is in.
    assert slow_grad.shape == shape and np.isfinite(slow_grad).all()
    if mode == 'avg':
        assert slow_grad.sum() == pytest.approx(fast.size, rel=1e-5)


def test_model_predict_equals_the_output_of_a_training_program(K):
    from kcore.layers import Convolution2D, Dense, Dropout, Flatten, MaxPooling2D
    from kcore.models import Sequential
    model = Sequential([
        Convolution2D(4, 3, 3, activation='relu', input_shape=(10, 10, 1), dim_ordering='tf'),
        MaxPooling2D((2, 2), dim_ordering='tf'), Dropout(0.5), Flatten(),
        Dense(3, activation='softmax')])
    model.compile('sgd', 'categorical_crossentropy')
    data = np.random.RandomState(3).uniform(size=(5, 10, 10, 1)).astype('float32')
    predicted = model.predict(data, batch_size=5)
    assert model.predict_function.function.forward_only
    # The test-phase output computed beside a derivative (the training forms).
    loss = K.sum(model.output)
    grads = K.gradients(loss, model.trainable_weights)
    f = K.function([model.input, K.learning_phase()], [model.output] + grads)
    assert not f.forward_only
    np.testing.assert_allclose(predicted, f([data, 0])[0], rtol=1e-5, atol=1e-6)

