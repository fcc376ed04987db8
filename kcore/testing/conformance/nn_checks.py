"""Activations, losses, dropout, normalization, in_top_k."""
import numpy as np
import pytest

from kcore.testing import reference as R
from ._helpers import check, check_gradient, evaluate, rng


def data(*shape, seed=0):
    return rng(seed).randn(*shape)


def away_from(points, *shape, seed=0, margin=0.05):
    """Random values (scale 2) none of which is within ``margin`` of a kink in ``points``."""
    x = rng(seed).randn(*shape) * 2
    for p in points:
        close = np.abs(x - p) < margin
        x[close] = p + np.where(x[close] >= p, margin, -margin) * 2
    return x


def probabilities(*shape, seed=0):
    return R.softmax(rng(seed).randn(*shape))


def one_hot_targets(n, classes, seed=0):
    return np.eye(classes)[rng(seed).randint(0, classes, size=n)]


class NNChecks:

    # --------------------------------------------------------- activations
    def _check_activation(self, K, k_fn, np_fn, x):
        check(K, k_fn, np_fn, x)
        check_gradient(K, k_fn, np_fn, x)

    def test_relu(self, K):
        x = away_from([0.0, 1.5], 3, 5)
        self._check_activation(K, K.relu, lambda t: np.maximum(t, 0), x)
        self._check_activation(K, lambda t: K.relu(t, alpha=0.1),
                               lambda t: np.where(t >= 0, t, 0.1 * t), x)
        self._check_activation(K, lambda t: K.relu(t, max_value=1.5),
                               lambda t: np.clip(t, 0, 1.5), x)
        self._check_activation(K, lambda t: K.relu(t, alpha=0.2, max_value=1.5),
                               lambda t: np.where(t >= 0, np.minimum(t, 1.5), 0.2 * t), x)

    def test_elu(self, K):
        x = away_from([0.0], 3, 5)
        self._check_activation(K, K.elu, lambda t: np.where(t > 0, t, np.exp(t) - 1), x)
        self._check_activation(K, lambda t: K.elu(t, 0.5),
                               lambda t: np.where(t > 0, t, 0.5 * (np.exp(t) - 1)), x)

    def test_softmax(self, K):
        self._check_activation(K, K.softmax, R.softmax, data(3, 5))

    def test_softmax_3d(self, K):
        # Over the last axis, also for 3D inputs (time-distributed outputs).
        self._check_activation(K, K.softmax, R.softmax, data(2, 3, 4))

    def test_softplus(self, K):
        self._check_activation(K, K.softplus, lambda t: np.log1p(np.exp(t)), data(3, 5))

    def test_softsign(self, K):
        self._check_activation(K, K.softsign, lambda t: t / (1 + np.abs(t)),
                               away_from([0.0], 3, 5))

    def test_sigmoid(self, K):
        self._check_activation(K, K.sigmoid, R.sigmoid, data(3, 5))

    def test_hard_sigmoid(self, K):
        x = away_from([-2.5, 2.5], 3, 5)
        self._check_activation(K, K.hard_sigmoid, lambda t: np.clip(0.2 * t + 0.5, 0, 1), x)

    def test_tanh(self, K):
        # Decision: tanh is the hyperbolic tangent (the doc's text says "sigmoid").
        self._check_activation(K, K.tanh, np.tanh, data(3, 5))

    # -------------------------------------------------------------- losses
    def test_categorical_crossentropy(self, K):
        output, target = probabilities(4, 3), one_hot_targets(4, 3)
        # The rescaling to sum 1 is part of the loss: it shows in the gradient.
        ref = lambda o, t: -np.sum(t * np.log(o / o.sum(-1, keepdims=True)), axis=-1)
        check(K, K.categorical_crossentropy, ref, output, target)
        check_gradient(K, K.categorical_crossentropy, ref, output, target)

    def test_categorical_crossentropy_rescales(self, K):
        # ``output`` is rescaled to sum to 1 before the log.
        output = np.array([[1.0, 2.0, 1.0], [3.0, 0.5, 0.5]])
        target = np.array([[0.0, 1.0, 0.0], [0.2, 0.3, 0.5]])
        ref = lambda o, t: -np.sum(t * np.log(o / o.sum(-1, keepdims=True)), axis=-1)
        check(K, K.categorical_crossentropy, ref, output, target)
        check_gradient(K, K.categorical_crossentropy, ref, output, target)

    def test_categorical_crossentropy_clips_with_epsilon(self, K):
        # Probabilities are clipped to [epsilon(), 1 - epsilon()], the epsilon of the time
        # the loss is built.
        K.set_epsilon(1e-2)
        output, target = np.array([[0.0, 1.0]]), np.array([[1.0, 0.0]])
        out = evaluate(K, K.categorical_crossentropy, output, target)
        np.testing.assert_allclose(out, [-np.log(1e-2)], rtol=1e-5)

    def test_categorical_crossentropy_from_logits(self, K):
        logits, target = data(4, 3) * 2, one_hot_targets(4, 3)
        ref = lambda o, t: -np.sum(t * R.log_softmax(o), axis=-1)
        fn = lambda o, t: K.categorical_crossentropy(o, t, from_logits=True)
        check(K, fn, ref, logits, target)
        check_gradient(K, fn, ref, logits, target)

    def test_sparse_categorical_crossentropy(self, K):
        output = probabilities(4, 3)
        target = np.array([2, 0, 1, 1])
        # As categorical_crossentropy: output rescaled to sum 1 (it shows in the gradient).
        ref = lambda o, t: -np.log(o[np.arange(len(t)), t] / o.sum(-1))
        check(K, K.sparse_categorical_crossentropy, ref, output, target)
        check_gradient(K, K.sparse_categorical_crossentropy, ref, output, target)

    def test_sparse_categorical_crossentropy_column_target(self, K):
        # The targets models feed: float (samples, 1) class indices; the result is (samples,).
        output = probabilities(4, 3)
        target = np.array([[2.0], [0.0], [1.0], [1.0]])
        ref = lambda o, t: -np.log(o[np.arange(len(t)), t[:, 0].astype(int)])
        check(K, K.sparse_categorical_crossentropy, ref, output, target)

    def test_sparse_categorical_crossentropy_3d(self, K):
        output = probabilities(2, 3, 4)
        target = np.array([[0, 3, 1], [2, 2, 0]])
        ref = lambda o, t: -np.log(np.take_along_axis(o, t[..., None], axis=-1)[..., 0])
        check(K, K.sparse_categorical_crossentropy, ref, output, target)

    def test_sparse_categorical_crossentropy_from_logits(self, K):
        logits = data(4, 3) * 2
        target = np.array([2, 0, 1, 1])
        ref = lambda o, t: -R.log_softmax(o)[np.arange(len(t)), t]
        fn = lambda o, t: K.sparse_categorical_crossentropy(o, t, from_logits=True)
        check(K, fn, ref, logits, target)
        check_gradient(K, fn, ref, logits, target)

    def test_binary_crossentropy(self, K):
        output = rng().uniform(0.05, 0.95, size=(3, 4))
        target = rng(1).randint(0, 2, size=(3, 4)).astype(float)
        target[0, :2] = [0.3, 0.8]  # soft targets too
        ref = lambda o, t: -(t * np.log(o) + (1 - t) * np.log(1 - o))
        # rtol 1e-4: backends may go through logits log(o / (1 - o)), which loses float32 digits.
        check(K, K.binary_crossentropy, ref, output, target, rtol=1e-4)
        check_gradient(K, K.binary_crossentropy, ref, output, target)

    def test_binary_crossentropy_from_logits(self, K):
        logits = data(3, 4) * 3
        target = rng(1).randint(0, 2, size=(3, 4)).astype(float)
        ref = lambda o, t: -(t * np.log(R.sigmoid(o)) + (1 - t) * np.log(1 - R.sigmoid(o)))
        fn = lambda o, t: K.binary_crossentropy(o, t, from_logits=True)
        check(K, fn, ref, logits, target)
        check_gradient(K, fn, ref, logits, target)

    # ------------------------------------------------------------- dropout
    def test_dropout(self, K):
        x = np.ones((100, 100))
        out = evaluate(K, lambda t: K.dropout(t, 0.3, seed=1), x)
        kept = out != 0
        # The kept fraction is 0.7 within 5 standard errors (sqrt(0.21 / 10000) ~ 0.0046).
        assert abs(kept.mean() - 0.7) < 0.023
        np.testing.assert_allclose(out[kept], 1 / 0.7, rtol=1e-6)  # rescaled by 1 / (1 - level)

    def test_dropout_noise_shape(self, K):
        x = np.ones((200, 5))
        out = evaluate(K, lambda t: K.dropout(t, 0.5, noise_shape=(200, 1)), x)
        rows_kept = out[:, 0] != 0
        np.testing.assert_array_equal(out, np.where(rows_kept[:, None], 2.0, 0.0) * np.ones(5))
        assert 50 < rows_kept.sum() < 150

    # ------------------------------------------------------- normalization
    def test_batch_normalization(self, K):
        # Decision: (x - mean) / sqrt(var + epsilon) * gamma + beta (the doc prints
        # sqrt(var) + epsilon); the large epsilon here tells the two apart.
        x = data(4, 3)
        mean, var = data(3, seed=1), rng(2).uniform(0.1, 1.0, size=3)
        beta, gamma = data(3, seed=3), data(3, seed=4)
        ref = lambda x, m, v, b, g: (x - m) / np.sqrt(v + 0.5) * g + b
        fn = lambda x, m, v, b, g: K.batch_normalization(x, m, v, b, g, epsilon=0.5)
        check(K, fn, ref, x, mean, var, beta, gamma)
        check_gradient(K, fn, ref, x, mean, var, beta, gamma, wrt=(0, 1, 2, 3, 4))

    def test_batch_normalization_4d(self, K):
        # Statistics broadcast against a 'th' image batch as (1, channels, 1, 1).
        x = data(2, 3, 4, 4)
        stats = [data(1, 3, 1, 1, seed=1), rng(2).uniform(0.1, 1.0, size=(1, 3, 1, 1)),
                 data(1, 3, 1, 1, seed=3), data(1, 3, 1, 1, seed=4)]
        ref = lambda x, m, v, b, g: (x - m) / np.sqrt(v + 1e-3) * g + b
        check(K, lambda *t: K.batch_normalization(*t, epsilon=1e-3), ref, x, *stats, rtol=1e-4)

    @pytest.mark.parametrize('shape, axes', [((6, 3), [0]), ((2, 3, 4, 4), [0, 2, 3]),
                                             ((2, 4, 4, 3), [0, 1, 2])])
    def test_normalize_batch_in_training(self, K, shape, axes):
        x = data(*shape) * 2 + 1
        channels = shape[1] if axes == [0, 2, 3] else shape[-1]
        gamma, beta = rng(1).uniform(0.5, 1.5, size=channels), data(channels, seed=2)
        keep = [1] * len(shape)
        keep[1 if axes == [0, 2, 3] else -1] = channels

        def ref(x, g, b):
            mean = x.mean(axis=tuple(axes))
            var = x.var(axis=tuple(axes))
            normed = (x - mean.reshape(keep)) / np.sqrt(var.reshape(keep) + 1e-3)
            return [normed * g.reshape(keep) + b.reshape(keep), mean, var]

        fn = lambda x, g, b: list(K.normalize_batch_in_training(x, g, b, axes, epsilon=1e-3))
        got = evaluate(K, fn, x, gamma, beta)
        want = ref(*[a.astype(K.floatx()).astype(float) for a in (x, gamma, beta)])
        for g, w in zip(got, want):
            np.testing.assert_allclose(g, w, rtol=1e-4, atol=1e-5)  # mean/var sum many terms
        check_gradient(K, lambda *t: fn(*t)[0], lambda *t: ref(*t)[0], x, gamma, beta,
                       wrt=(0, 1, 2))

    def test_l2_normalize(self, K):
        x = data(3, 4)
        for axis in (0, 1, -1):
            ref = lambda t: t / np.sqrt(np.sum(t ** 2, axis=axis, keepdims=True))
            check(K, lambda t: K.l2_normalize(t, axis), ref, x)
        check_gradient(K, lambda t: K.l2_normalize(t, 1),
                       lambda t: t / np.sqrt(np.sum(t ** 2, axis=1, keepdims=True)), x)

    @pytest.mark.parametrize('dim_ordering', ['tf', 'th'])
    @pytest.mark.parametrize('rank', [2, 3, 4, 5])
    def test_bias_add(self, K, dim_ordering, rank):
        x = rng(0).randn(*(2, 3, 4, 2, 3)[:rank])
        axis = rank - 1 if dim_ordering == 'tf' else 1
        bias = rng(1).randn(x.shape[axis])
        shape = [1] * rank
        shape[axis] = -1
        fn = lambda t, b: K.bias_add(t, b, dim_ordering)
        ref = lambda t, b: t + b.reshape(shape)
        check(K, fn, ref, x, bias)
        check_gradient(K, fn, ref, x, bias, wrt=(0, 1))

    def test_in_top_k(self, K):
        predictions = np.array([[0.1, 0.5, 0.3, 0.1], [0.6, 0.05, 0.15, 0.2],
                                [0.2, 0.3, 0.4, 0.1]])
        targets = np.array([2, 1, 2])
        out = evaluate(K, lambda p, t: K.in_top_k(p, t, 2), predictions, targets)
        assert out.dtype == np.bool_
        np.testing.assert_array_equal(out, [True, False, True])
        out1 = evaluate(K, lambda p, t: K.in_top_k(p, t, 1), predictions, targets)
        np.testing.assert_array_equal(out1, [False, False, True])
