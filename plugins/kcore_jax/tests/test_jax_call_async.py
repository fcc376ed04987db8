"""``K.call_async`` returns a function's outputs as JAX arrays (still being computed);
``K.function``'s plain call keeps returning numpy arrays; ``KCORE_JAX_ASYNC_OUTPUTS=0``
turns the former into the latter."""
import jax
import numpy as np
import pytest


@pytest.fixture
def K(K, monkeypatch):
    monkeypatch.delenv('KCORE_JAX_ASYNC_OUTPUTS', raising=False)
    return K


def _function(K):
    x = K.placeholder(shape=(None, 3))
    count = K.variable(np.zeros(()))
    return K.function([x], [x * 3, K.mean(x)], updates=[K.update_add(count, 1.0)]), count


def test_call_async_returns_jax_arrays_with_the_plain_values(K):
    f, count = _function(K)
    value = np.arange(6, dtype='float32').reshape(2, 3)
    lazy = K.call_async(f, [value])
    assert all(isinstance(o, jax.Array) for o in lazy)
    plain = f([value])
    assert all(type(o) is np.ndarray for o in plain)
    for a, b in zip(lazy, plain):
        np.testing.assert_array_equal(np.asarray(a), b)
    assert K.get_value(count) == 2
    single = K.function([f.inputs[0]], f.inputs[0] + 1)
    assert isinstance(K.call_async(single, [value]), jax.Array)
    assert type(single([value])) is np.ndarray


def test_switch_off_returns_numpy(K, monkeypatch):
    monkeypatch.setenv('KCORE_JAX_ASYNC_OUTPUTS', '0')
    f, count = _function(K)
    out = K.call_async(f, [np.ones((2, 3), 'float32')])
    assert all(type(o) is np.ndarray for o in out)
    np.testing.assert_array_equal(out[0], np.full((2, 3), 3.0))
    assert K.get_value(count) == 1


def test_call_async_checks_its_inputs(K):
    f, _ = _function(K)
    with pytest.raises(ValueError, match='expected 1 input arrays'):
        K.call_async(f, [])
    with pytest.raises(ValueError, match='expects shape'):
        K.call_async(f, [np.ones((2, 4), 'float32')])
