"""What is particular to the jax backend: static shapes from probes, one compiled program
per function and learning phase, donated variables, random streams, unsupported TF interop."""
import subprocess
import sys

import numpy as np
import pytest


def test_unknown_axes_stay_unknown_through_ops(K):
    x = K.placeholder(shape=(None, 6))
    assert K.int_shape(K.reshape(x, (-1, 2, 3))) == (None, 2, 3)
    assert K.int_shape(K.dot(x, K.variable(np.zeros((6, 4))))) == (None, 4)
    assert K.int_shape(K.concatenate([x, x], axis=0)) == (None, 6)
    assert K.int_shape(K.sum(x, axis=0)) == (6,)
    assert K.int_shape(K.batch_flatten(K.placeholder(shape=(None, 2, 3)))) == (None, 6)


def test_a_target_placeholder_of_unknown_axes_meets_a_known_shape(K):
    # (None, None) - (None, 3): the second axis is 3; the batch axis stays unknown.
    y_true, y_pred = K.placeholder(ndim=2), K.placeholder(shape=(None, 3))
    diff = K.square(y_true - y_pred)
    assert K.int_shape(diff) == (None, 3)
    out = K.function([y_true, y_pred], [K.sum(diff, axis=-1)])([np.ones((2, 3)),
                                                                np.zeros((2, 3))])[0]
    np.testing.assert_allclose(out, [3, 3])


def test_shape_arithmetic_is_static_under_jit(K):
    x = K.placeholder(shape=(None, 4))
    half = K.reshape(x, (K.shape(x)[0] * 2, 2))
    out = K.function([x], [half])([np.arange(12.0).reshape(3, 4)])[0]
    assert out.shape == (6, 2)


def test_a_genuine_shape_error_is_raised_when_the_op_is_made(K):
    with pytest.raises(TypeError):
        K.dot(K.placeholder(shape=(2, 3)), K.placeholder(shape=(4, 5)))


def test_one_program_per_learning_phase_and_updates_stored_back(K):
    v = K.variable(np.zeros(2))
    x = K.placeholder(shape=(2,))
    f = K.function([x, K.learning_phase()], [K.in_train_phase(x * 2, x)],
                   updates=[(v, v + x)])
    np.testing.assert_allclose(f([np.ones(2), 1])[0], [2, 2])
    np.testing.assert_allclose(f([np.ones(2), 0])[0], [1, 1])
    np.testing.assert_allclose(f([np.ones(2), 1])[0], [2, 2])
    assert sorted(f._compiled) == [0, 1]
    np.testing.assert_allclose(K.get_value(v), [3, 3])
    # get_value is a copy: the next (donating) call leaves it intact.
    before = K.get_value(v)
    f([np.ones(2), 0])
    np.testing.assert_allclose(before, [3, 3])
    np.testing.assert_allclose(K.get_value(v), [4, 4])


def test_random_values_differ_per_call_and_per_node(K):
    a, b = K.random_uniform((50,)), K.random_uniform((50,))
    f = K.function([], [a, b])
    first, second = f([]), f([])
    assert not np.array_equal(first[0], second[0])
    assert not np.array_equal(first[0], first[1])


def test_dropout_keeps_the_expected_fraction(K):
    x = K.placeholder(shape=(10000,))
    out = K.function([x, K.learning_phase()], [K.in_train_phase(K.dropout(x, 0.2), x)])(
        [np.ones(10000), 1])[0]
    assert abs(np.mean(out == 0) - 0.2) < 0.02
    np.testing.assert_allclose(out[out != 0], 1.25, rtol=1e-6)


def test_tensorflow_interop_is_refused_clearly(K):
    assert K.get_session() is None
    K.set_session(None)
    with pytest.raises(NotImplementedError, match='not supported on the jax backend'):
        K.set_session(object())


def test_the_cli_lists_the_backend():
    out = subprocess.run([sys.executable, '-m', 'kcore', 'backends'], capture_output=True,
                         text=True, timeout=120)
    assert out.returncode == 0, out.stderr
    assert 'jax' in out.stdout


def test_a_slice_of_an_unknown_axis_is_of_unknown_length(K):
    # As TensorFlow: x[:, :2] is 2 long only where x has 2 steps or more.
    x = K.placeholder(shape=(None, None, 8))
    assert K.int_shape(x[:, :2]) == (None, None, 8)
    assert K.int_shape(x[:, :2] * 2.) == (None, None, 8)
    assert K.int_shape(x[..., :2, 1:3]) == (None, None, 2)
    assert K.int_shape(x[:, ::-1]) == (None, None, 8)
    assert K.int_shape(x[:, 0]) == (None, 8)
    assert K.int_shape(K.placeholder(shape=(None, 5))[:, :2]) == (None, 2)
    out = K.function([x], [x[:, :2]])([np.ones((3, 1, 8))])[0]
    assert out.shape == (3, 1, 8)


def test_training_convolutions_on_cpu_are_compiled_without_ynnpack(K, monkeypatch):
    import jax
    if jax.default_backend() != 'cpu':
        pytest.skip('an XLA CPU option')
    monkeypatch.delenv('KCORE_JAX_YNN_FUSION', raising=False)
    # (XLA leaves smaller convolutions than these, the cnn benchmark's second, to itself.)
    x = K.placeholder(shape=(None, 26, 26, 32))
    kernel = K.variable(np.ones((3, 3, 32, 64)))
    y = K.conv2d(x, kernel, dim_ordering='tf')
    grad = K.gradients(K.sum(y), [kernel])[0]
    f = K.function([x], [y], updates=[(kernel, kernel - 0. * grad)])
    data = np.ones((2, 26, 26, 32), 'float32')
    np.testing.assert_allclose(f([data])[0], np.full((2, 24, 24, 64), 288.))
    assert not f.forward_only
    program = f._compiled[0]
    text = program.lower((kernel.value,), (), (data,), np.uint32(0)).compile().as_text()
    assert ' convolution(' in text
    assert _ynn_convolutions(text) == []


def _ynn_convolutions(hlo):
    """The YNNPACK fusions of a compiled HLO text that contain a convolution."""
    import re
    bodies = dict(re.findall(r'^%(\S+) .*?\{\n(.*?)^\}', hlo, re.S | re.M))
    return [name for name in re.findall(r'__ynn_fusion.*', hlo) and
            re.findall(r'kind=kCustom, calls=%(\S+?),.*__ynn_fusion', hlo)
            if ' convolution(' in bodies.get(name, '')]
