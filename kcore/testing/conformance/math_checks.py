"""Reductions, element-wise functions and linear algebra."""
import numpy as np
import pytest

from kcore.testing import reference as R
from ._helpers import (ATOL_SUM, RTOL_SUM, assert_close, check, check_gradient, evaluate,
                       rng)

# Axis variants every reduction is checked with: all, one, negative, several; keepdims.
AXES = [(None, False), (1, False), (-1, True), ([0, 2], False), ([0, 2], True)]


def data(*shape, seed=0):
    return rng(seed).randn(*shape)


def distinct(*shape, seed=0):
    """Values with no ties, at least 0.1 apart (safe for max/min/argmax and their gradients)."""
    n = int(np.prod(shape))
    return (rng(seed).permutation(n) * 0.1 - 0.05 * n).reshape(shape)


def positive(*shape, seed=0):
    return rng(seed).uniform(0.5, 2.0, size=shape)


class MathChecks:

    # --------------------------------------------------------- reductions
    def _check_reduction(self, K, k_fn, np_fn, x, rtol=1e-5, gradient=True):
        for axis, keepdims in AXES:
            check(K, lambda t: k_fn(t, axis=axis, keepdims=keepdims),
                  lambda t: np_fn(t, axis=None if axis is None else tuple(np.atleast_1d(axis)),
                                  keepdims=keepdims), x, rtol=rtol)
            if gradient:
                check_gradient(K, lambda t: k_fn(t, axis=axis, keepdims=keepdims),
                               lambda t: np_fn(t, axis=None if axis is None
                                               else tuple(np.atleast_1d(axis)), keepdims=keepdims),
                               x)

    def test_max(self, K):
        self._check_reduction(K, K.max, np.max, distinct(2, 3, 4))

    def test_min(self, K):
        self._check_reduction(K, K.min, np.min, distinct(2, 3, 4))

    def test_sum(self, K):
        self._check_reduction(K, K.sum, np.sum, data(2, 3, 4))

    def test_prod(self, K):
        self._check_reduction(K, K.prod, np.prod, positive(2, 3, 4))

    def test_mean(self, K):
        self._check_reduction(K, K.mean, np.mean, data(2, 3, 4))

    def test_var(self, K):
        # Population variance (ddof=0).
        self._check_reduction(K, K.var, np.var, data(2, 3, 4), rtol=1e-4)

    def test_std(self, K):
        self._check_reduction(K, K.std, np.std, data(2, 3, 4), rtol=1e-4)

    def test_any(self, K):
        x = np.array([[0.0, 0.0, 1.0], [0.0, 0.0, 0.0]])
        # Decision: any/all return uint8 0/1 (the doc: "returns a uint8 tensor").
        out = evaluate(K, lambda t: K.any(t, axis=1), x)
        assert out.dtype == np.uint8
        np.testing.assert_array_equal(out, [1, 0])
        assert K.dtype(K.any(K.variable(x))) == 'uint8'
        np.testing.assert_array_equal(evaluate(K, K.any, x), 1)
        np.testing.assert_array_equal(evaluate(K, lambda t: K.any(t, axis=0, keepdims=True), x),
                                      [[0, 0, 1]])

    def test_all(self, K):
        # Decision: `all` is the logical AND (the doc prints its signature as `any`).
        x = np.array([[1.0, 2.0, -1.0], [1.0, 0.0, 1.0]])
        out = evaluate(K, lambda t: K.all(t, axis=1), x)
        assert out.dtype == np.uint8
        np.testing.assert_array_equal(out, [1, 0])
        assert K.dtype(K.all(K.variable(x))) == 'uint8'
        np.testing.assert_array_equal(evaluate(K, K.all, x), 0)
        np.testing.assert_array_equal(evaluate(K, lambda t: K.all(t, axis=0, keepdims=True), x),
                                      [[1, 0, 1]])

    def test_argmax(self, K):
        x = distinct(2, 3, 4)
        np.testing.assert_array_equal(evaluate(K, K.argmax, x), np.argmax(x, axis=-1))
        np.testing.assert_array_equal(evaluate(K, lambda t: K.argmax(t, axis=1), x),
                                      np.argmax(x, axis=1))

    def test_argmin(self, K):
        x = distinct(2, 3, 4)
        np.testing.assert_array_equal(evaluate(K, K.argmin, x), np.argmin(x, axis=-1))
        np.testing.assert_array_equal(evaluate(K, lambda t: K.argmin(t, axis=0), x),
                                      np.argmin(x, axis=0))

    def test_cumsum(self, K):
        x = data(3, 4)
        check(K, K.cumsum, lambda t: np.cumsum(t, axis=0), x)
        check(K, lambda t: K.cumsum(t, axis=1), lambda t: np.cumsum(t, axis=1), x)
        check_gradient(K, lambda t: K.cumsum(t, axis=1), lambda t: np.cumsum(t, axis=1), x)

    def test_cumprod(self, K):
        x = positive(3, 4)
        check(K, K.cumprod, lambda t: np.cumprod(t, axis=0), x)
        check(K, lambda t: K.cumprod(t, axis=1), lambda t: np.cumprod(t, axis=1), x)
        check_gradient(K, lambda t: K.cumprod(t, axis=1), lambda t: np.cumprod(t, axis=1), x)

    def test_logsumexp(self, K):
        x = data(2, 3, 4) * 3
        ref = lambda t, axis=None, keepdims=False: np.log(np.sum(np.exp(t), axis=axis,
                                                                 keepdims=keepdims))
        check(K, K.logsumexp, ref, x)
        check(K, lambda t: K.logsumexp(t, axis=1), lambda t: ref(t, axis=1), x)
        check(K, lambda t: K.logsumexp(t, axis=-1, keepdims=True),
              lambda t: ref(t, axis=-1, keepdims=True), x)
        check_gradient(K, lambda t: K.logsumexp(t, axis=1), lambda t: ref(t, axis=1), x)

    def test_logsumexp_is_stable(self, K):
        x = np.array([[1000.0, 1000.0], [-1000.0, -1000.0]])
        np.testing.assert_allclose(evaluate(K, lambda t: K.logsumexp(t, axis=1), x),
                                   [1000 + np.log(2), -1000 + np.log(2)], rtol=1e-6)

    # ------------------------------------------------------- element-wise
    def _check_elementwise(self, K, k_fn, np_fn, x, gradient=True):
        check(K, k_fn, np_fn, x)
        if gradient:
            check_gradient(K, k_fn, np_fn, x)

    def test_square(self, K):
        self._check_elementwise(K, K.square, np.square, data(3, 4))

    def test_abs(self, K):
        self._check_elementwise(K, K.abs, np.abs, distinct(3, 4))

    def test_sqrt(self, K):
        self._check_elementwise(K, K.sqrt, np.sqrt, positive(3, 4))

    def test_sqrt_of_negative_is_zero(self, K):
        np.testing.assert_array_equal(evaluate(K, K.sqrt, np.array([-4.0, 0.0, 4.0])), [0, 0, 2])

    def test_exp(self, K):
        self._check_elementwise(K, K.exp, np.exp, data(3, 4))

    def test_log(self, K):
        self._check_elementwise(K, K.log, np.log, positive(3, 4))

    def test_round(self, K):
        # Halves go to the even neighbour, as numpy.
        x = np.array([-2.5, -1.5, -0.6, 0.4, 0.5, 1.5, 2.5, 3.7])
        np.testing.assert_array_equal(evaluate(K, K.round, x), np.round(x))

    def test_sign(self, K):
        # Decision: sign(0) == 0.
        x = np.array([-3.0, -0.5, 0.0, 0.5, 3.0])
        np.testing.assert_array_equal(evaluate(K, K.sign, x), [-1, -1, 0, 1, 1])

    def test_pow(self, K):
        x = positive(3, 4)
        self._check_elementwise(K, lambda t: K.pow(t, 3), lambda t: t ** 3, x)
        self._check_elementwise(K, lambda t: K.pow(t, 0.5), lambda t: t ** 0.5, x)
        check(K, lambda t: K.pow(t, 2), np.square, data(3, 4))

    def test_clip(self, K):
        x = distinct(3, 4)  # no element within 0.05 of the bounds
        self._check_elementwise(K, lambda t: K.clip(t, -0.22, 0.33),
                                lambda t: np.clip(t, -0.22, 0.33), x)

    def _check_comparison(self, K, k_fn, np_fn):
        x = np.array([[1.0, 2.0, 3.0], [4.0, 5.0, 6.0]])
        y = np.array([[1.0, 0.0, 3.0], [5.0, 5.0, 0.0]])
        out = evaluate(K, k_fn, x, y)
        assert out.dtype == np.bool_  # a boolean tensor
        np.testing.assert_array_equal(out, np_fn(x, y))

    def test_equal(self, K):
        self._check_comparison(K, K.equal, np.equal)

    def test_not_equal(self, K):
        self._check_comparison(K, K.not_equal, np.not_equal)

    def test_greater(self, K):
        self._check_comparison(K, K.greater, np.greater)

    def test_greater_equal(self, K):
        self._check_comparison(K, K.greater_equal, np.greater_equal)

    def test_lesser(self, K):
        self._check_comparison(K, K.lesser, np.less)

    def test_lesser_equal(self, K):
        self._check_comparison(K, K.lesser_equal, np.less_equal)

    def test_maximum(self, K):
        x, y = distinct(3, 4), distinct(3, 4, seed=1) + 0.05  # never equal
        check(K, K.maximum, np.maximum, x, y)
        check_gradient(K, K.maximum, np.maximum, x, y, wrt=(0, 1))

    def test_minimum(self, K):
        x, y = distinct(3, 4), distinct(3, 4, seed=1) + 0.05
        check(K, K.minimum, np.minimum, x, y)
        check_gradient(K, K.minimum, np.minimum, x, y, wrt=(0, 1))

    def test_sin(self, K):
        self._check_elementwise(K, K.sin, np.sin, data(3, 4))

    def test_cos(self, K):
        self._check_elementwise(K, K.cos, np.cos, data(3, 4))

    # ----------------------------------------------------- linear algebra
    @pytest.mark.parametrize('x_shape, y_shape', [
        ((2, 3), (3, 4)),
        ((2, 3), (4, 3, 5)),     # the doc's example: (2, 3) . (4, 3, 5) -> (2, 4, 5)
        ((2, 3, 4), (4, 5)),
        ((2, 3, 4), (5, 4, 6)),  # Theano / np.dot: last axis of x with y's second-to-last
    ])
    def test_dot(self, K, x_shape, y_shape):
        x, y = data(*x_shape), data(*y_shape, seed=1)
        check(K, K.dot, np.dot, x, y, rtol=RTOL_SUM, atol=ATOL_SUM)
        check_gradient(K, K.dot, np.dot, x, y, wrt=(0, 1))

    def test_dot_with_unknown_batch(self, K):
        x = K.placeholder(shape=(None, 3, 4))
        w = K.variable(data(4, 5))
        out = K.dot(x, w)
        value = data(2, 3, 4)
        assert_close(K.function([x], [out])([value])[0], np.dot(value, data(4, 5)),
                     rtol=RTOL_SUM, atol=ATOL_SUM)

    def test_batch_dot_doc_example(self, K):
        # Decision: batch_dot([[1,2],[3,4]], [[5,6],[7,8]], axes=1) == [[17], [53]]: the main
        # diagonal of x.dot(y.T), kept 2D (the doc prints it as the row [17 53]).
        x = np.array([[1.0, 2.0], [3.0, 4.0]])
        y = np.array([[5.0, 6.0], [7.0, 8.0]])
        out = evaluate(K, lambda a, b: K.batch_dot(a, b, axes=1), x, y)
        np.testing.assert_allclose(out, [[17], [53]])

    @pytest.mark.parametrize('x_shape, y_shape, axes', [
        ((2, 3, 4), (2, 4, 5), None),    # default: batch matrix product
        ((2, 3, 4), (2, 4, 5), (2, 1)),
        ((2, 3, 4), (2, 5, 4), (2, 2)),
        ((2, 4, 3), (2, 5, 4), (1, 2)),
        ((2, 3, 4), (2, 3, 5), 1),
    ])
    def test_batch_dot(self, K, x_shape, y_shape, axes):
        x, y = data(*x_shape), data(*y_shape, seed=1)
        ref_axes = (x.ndim - 1, y.ndim - 2) if axes is None else axes
        ref = lambda a, b: R.batch_dot(a, b, ref_axes)
        check(K, lambda a, b: K.batch_dot(a, b, axes=axes), ref, x, y,
              rtol=RTOL_SUM, atol=ATOL_SUM)
        check_gradient(K, lambda a, b: K.batch_dot(a, b, axes=axes), ref, x, y, wrt=(0, 1))

    def test_batch_dot_mixed_ndim(self, K):
        x, y = data(2, 3, 4), data(2, 4, seed=1)
        ref = lambda a, b: R.batch_dot(a, b, (2, 1))
        check(K, lambda a, b: K.batch_dot(a, b, axes=(2, 1)), ref, x, y,
              rtol=RTOL_SUM, atol=ATOL_SUM)

    def test_transpose(self, K):
        x = data(2, 3)
        check(K, K.transpose, np.transpose, x)
        check(K, K.transpose, np.transpose, data(2, 3, 4))  # reverses all axes
        check_gradient(K, K.transpose, np.transpose, x)

    def test_gather(self, K):
        reference = data(5, 3)
        for indices in (np.array([4, 0, 0, 2]), np.array([[1, 2], [3, 4]])):
            check(K, K.gather, lambda r, i: r[i], reference, indices)
        check_gradient(K, K.gather, lambda r, i: r[i], reference, np.array([4, 0, 0, 2]))
        ints = np.array([[1, 2], [3, 4], [5, 6]], dtype='int32')
        out = K.eval(K.gather(K.variable(ints, dtype='int32'), K.variable(np.array([2, 0]),
                                                                          dtype='int32')))
        np.testing.assert_array_equal(out, [[5, 6], [1, 2]])
