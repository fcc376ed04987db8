"""Evaluation and gradient helpers shared by the checks.

Backends compute in ``floatx()`` (float32 by default); the numpy references compute in
float64 on the same (rounded) inputs, so the tolerances below only cover the backend's
own rounding.
"""
import numpy as np

# float32 element-wise results: a few ulps.
RTOL = 1e-5
ATOL = 1e-6
# Results that sum many float32 terms (convolutions, matrix products, recurrences).
RTOL_SUM = 1e-4
ATOL_SUM = 1e-5
# Gradients against central differences of the float64 reference.
GRAD_RTOL = 1e-3


def rng(seed=0):
    return np.random.RandomState(seed)


def backend_dtype(K, array):
    """The placeholder dtype for a numpy input: floatx for floats, int32 for ints."""
    array = np.asarray(array)
    if array.dtype == bool:
        return 'bool'
    if np.issubdtype(array.dtype, np.integer):
        return 'int32'
    return K.floatx()


def as_backend(K, arrays):
    """The arrays as the backend will see them (floats rounded to floatx)."""
    return [np.asarray(a).astype(backend_dtype(K, a)) for a in arrays]


def as_reference(arrays):
    """float64 copies of float inputs (ints stay ints) for the numpy references."""
    return [a.astype(np.float64) if np.issubdtype(a.dtype, np.floating) else a for a in arrays]


def placeholders(K, arrays):
    return [K.placeholder(shape=a.shape, dtype=backend_dtype(K, a)) for a in arrays]


def evaluate(K, fn, *arrays):
    """fn(*placeholders) evaluated by K.function on ``arrays``; a list if fn returns one."""
    arrays = as_backend(K, arrays)
    inputs = placeholders(K, arrays)
    out = fn(*inputs)
    many = isinstance(out, (list, tuple))
    values = K.function(inputs, list(out) if many else [out])(arrays)
    return list(values) if many else values[0]


def check(K, fn, ref, *arrays, rtol=RTOL, atol=ATOL):
    """Compare fn on placeholders with the numpy ``ref`` on the same (rounded) inputs."""
    got = evaluate(K, fn, *arrays)
    want = ref(*as_reference(as_backend(K, arrays)))
    assert_close(got, want, rtol=rtol, atol=atol)
    return got


def assert_close(got, want, rtol=RTOL, atol=ATOL):
    got = np.asarray(got)
    want = np.asarray(want)
    assert got.shape == want.shape, 'shape %s, expected %s' % (got.shape, want.shape)
    np.testing.assert_allclose(got.astype(np.float64), want.astype(np.float64),
                               rtol=rtol, atol=atol)


def numeric_gradient(f, x, h=1e-6):
    """Central differences of the scalar float64 function f at x."""
    x = x.astype(np.float64)
    grad = np.zeros_like(x)
    for i in np.ndindex(*x.shape):
        old = x[i]
        x[i] = old + h
        up = f(x)
        x[i] = old - h
        down = f(x)
        x[i] = old
        grad[i] = (up - down) / (2 * h)
    return grad


def check_gradient(K, fn, ref, *arrays, wrt=(0,), rtol=GRAD_RTOL):
    """Compare K.gradients of sum(fn(inputs) * w) w.r.t. inputs ``wrt`` with central
    differences of sum(ref(inputs) * w) in float64. The fixed random weights w make every
    output element count (a plain sum hides, e.g., softmax's gradient, which sums to 0)."""
    arrays = as_backend(K, arrays)
    ref_arrays = as_reference(arrays)
    out_shape = np.shape(ref(*ref_arrays))
    weights = rng(123).uniform(0.5, 1.5, size=out_shape)
    inputs = placeholders(K, arrays)
    loss = K.sum(fn(*inputs) * K.constant(weights))
    grads = K.gradients(loss, [inputs[i] for i in wrt])
    assert len(grads) == len(wrt)
    values = K.function(inputs, list(grads))(arrays)
    for i, got in zip(wrt, values):
        def scalar(a, i=i):
            args = list(ref_arrays)
            args[i] = a
            return np.sum(ref(*args) * weights)
        want = numeric_gradient(scalar, ref_arrays[i])
        scale = max(1.0, float(np.abs(want).max()))
        assert_close(got, want, rtol=rtol, atol=1e-4 * scale)
