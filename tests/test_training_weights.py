"""How the loss is computed and weighted, against numpy: validation_split takes the tail
before shuffling; sample_weight, class_weight, temporal weights, masks, loss_weights and
regularization penalties (training phase only)."""
import numpy as np
import pytest

from kcore import regularizers
from kcore.callbacks import Callback
from kcore.layers import Dense, Input, Masking, TimeDistributed
from kcore.models import Model, Sequential
from kcore.optimizers import SGD
from kcore_test_helpers.training import fresh_graph, linear_model, two_output_model  # noqa: F401

X = np.array([[1., 2., 0.], [0., 1., 1.], [2., 0., 1.], [1., 1., 1.]], dtype='float32')
Y = np.array([[1.], [0.], [2.], [1.]], dtype='float32')
W = 0.1 * np.arange(3, dtype='float32').reshape(3, 1)


def _mse(x, y):
    return ((x @ W - y) ** 2).mean(axis=-1)


def _keras_mean(scores, weights):
    """Keras 1.1.2's weighted mean: mean(scores * w) / mean(w != 0)."""
    return (scores * weights).mean() / (weights != 0).mean()


class Seen(Callback):
    def on_train_begin(self, logs=None):
        self.sizes = []

    def on_batch_end(self, batch, logs=None):
        self.sizes.append(logs['size'])


def test_validation_split_takes_the_tail_before_shuffling():
    x = np.arange(10, dtype='float32')[:, None] * np.ones((1, 3), 'float32')
    y = np.array([0.] * 8 + [1.] * 2, dtype='float32')[:, None]   # sorted labels
    model = linear_model()
    model.compile(SGD(lr=0.), 'mse')                               # the weights stay as they are
    seen = Seen()
    history = model.fit(x, y, batch_size=3, nb_epoch=2, validation_split=0.2, shuffle=True,
                        callbacks=[seen], verbose=0)
    assert seen.params['nb_sample'] == 8 and sum(seen.sizes) == 16
    assert seen.params['do_validation']
    np.testing.assert_allclose(history.history['val_loss'],
                               [((x[8:] @ W - 1) ** 2).mean()] * 2, rtol=1e-5)
    np.testing.assert_allclose(history.history['loss'][0], ((x[:8] @ W) ** 2).mean(),
                               rtol=1e-5)


def test_validation_data_overrides_the_split_and_may_carry_weights():
    model = linear_model()
    model.compile(SGD(lr=0.), 'mse')
    weights = np.array([1., 0., 3., 0.])
    history = model.fit(X, Y, nb_epoch=1, validation_split=0.5,
                        validation_data=(X, Y, weights), verbose=0)
    np.testing.assert_allclose(history.history['val_loss'],
                               [_keras_mean(_mse(X, Y), weights)], rtol=1e-5)
    assert history.history['loss'] == pytest.approx([_mse(X, Y).mean()], rel=1e-5)


def test_sample_weight_scales_each_sample_loss():
    model = linear_model()
    model.compile('sgd', 'mse')
    weights = np.array([2., 0., 1., 0.5])
    expected = _keras_mean(_mse(X, Y), weights)
    assert model.test_on_batch(X, Y, sample_weight=weights) == pytest.approx(expected, rel=1e-5)
    assert model.evaluate(X, Y, batch_size=4, sample_weight=weights, verbose=0) == \
        pytest.approx(expected, rel=1e-5)
    assert model.test_on_batch(X, Y) == pytest.approx(_mse(X, Y).mean(), rel=1e-5)


def test_all_zero_weights_give_a_zero_loss_not_nan():
    model = linear_model()
    model.compile('sgd', 'mse')
    assert model.train_on_batch(X, Y, sample_weight=np.zeros(4)) == 0.
    np.testing.assert_allclose(model.get_weights()[0], W)


def test_class_weight_weighs_each_sample_by_its_class_during_training_only():
    labels = np.array([[1.], [0.], [1.], [1.]], dtype='float32')
    model = linear_model(activation='sigmoid')
    model.compile(SGD(lr=0.), 'binary_crossentropy')
    p = 1. / (1. + np.exp(-(X @ W)))
    bce = -(labels * np.log(p) + (1 - labels) * np.log(1 - p)).mean(axis=-1)
    class_weight = {0: 3., 1: 0.5}
    per_sample = np.array([0.5, 3., 0.5, 0.5])
    loss = model.train_on_batch(X, labels, class_weight=class_weight)
    assert loss == pytest.approx(_keras_mean(bce, per_sample), rel=1e-5)
    both = model.train_on_batch(X, labels, class_weight=class_weight,
                                sample_weight=np.array([1., 2., 0., 1.]))
    assert both == pytest.approx(_keras_mean(bce, per_sample * [1., 2., 0., 1.]), rel=1e-5)
    history = model.fit(X, labels, nb_epoch=1, batch_size=4, class_weight=class_weight,
                        validation_data=(X, labels), verbose=0)
    assert history.history['loss'][0] == pytest.approx(loss, rel=1e-5)
    assert history.history['val_loss'][0] == pytest.approx(bce.mean(), rel=1e-5)


def test_class_weight_with_one_hot_targets_and_a_missing_class():
    model = Sequential([Dense(3, input_dim=3, activation='softmax')])
    model.compile('sgd', 'categorical_crossentropy')
    one_hot = np.eye(3)[[0, 2, 2, 1]]
    model.train_on_batch(X, one_hot, class_weight={0: 1., 1: 2., 2: 1.})
    with pytest.raises(ValueError, match=r"output 'dense_1': class_weight has no weight for "
                                         r"class\(es\) \[2\]"):
        model.train_on_batch(X, one_hot, class_weight={0: 1., 1: 2.})


def _temporal_model():
    model = Sequential([TimeDistributed(Dense(1), input_shape=(2, 3))])
    model.set_weights([W, np.zeros(1, 'float32')])
    return model


def test_temporal_sample_weights_weigh_each_time_step():
    x = np.stack([X[:2], X[2:]])                 # 2 samples of 2 steps
    y = np.stack([Y[:2], Y[2:]])
    weights = np.array([[1., 0.], [2., 1.]])
    model = _temporal_model()
    model.compile('sgd', 'mse', sample_weight_mode='temporal')
    scores = ((x @ W - y) ** 2).mean(axis=-1)    # (samples, steps)
    assert model.test_on_batch(x, y, sample_weight=weights) == \
        pytest.approx(_keras_mean(scores, weights), rel=1e-5)
    with pytest.raises(ValueError, match=r'sample_weight has shape \(2,\), expected shape '
                                         r'\(2, 2\).*\(samples, timesteps\)'):
        model.test_on_batch(x, y, sample_weight=np.ones(2))
    per_sample = _temporal_model()
    per_sample.compile('sgd', 'mse')
    with pytest.raises(ValueError, match='sample_weight_mode="temporal"'):
        per_sample.test_on_batch(x, y, sample_weight=weights)


def test_temporal_mode_needs_an_output_with_time_steps():
    with pytest.raises(ValueError, match=r'needs a time axis.*\(None, 1\)'):
        linear_model().compile('sgd', 'mse', sample_weight_mode='temporal')


def test_masked_time_steps_do_not_count():
    x = Input(shape=(3, 2))
    model = Model(x, Masking(mask_value=0.)(x))
    model.compile('sgd', 'mse')
    data = np.array([[[1., 2.], [0., 0.], [3., 1.]]], dtype='float32')
    target = np.array([[[0., 2.], [5., 5.], [1., 1.]]], dtype='float32')
    scores = ((data - target) ** 2).mean(axis=-1)
    mask = np.array([[1., 0., 1.]])
    expected = (scores * mask / mask.mean()).mean()
    assert model.test_on_batch(data, target) == pytest.approx(expected, rel=1e-5)


def test_loss_weights_combine_the_output_losses():
    model = two_output_model()
    model.compile('sgd', ['categorical_crossentropy', 'mse'], loss_weights={'out_b': 0.25})
    y_a, y_b = np.eye(2)[[0, 1, 1, 0]], np.ones((4, 1))
    total, loss_a, loss_b = model.test_on_batch(X, [y_a, y_b])
    assert total == pytest.approx(loss_a + 0.25 * loss_b, rel=1e-5)
    a, b = model.predict(X)
    assert loss_b == pytest.approx(((b - 1) ** 2).mean(), rel=1e-5)
    assert loss_a == pytest.approx(-np.log((a * y_a).sum(axis=1)).mean(), rel=1e-5)


def test_regularization_penalties_count_in_training_only():
    model = linear_model(W_regularizer=regularizers.l2(0.1))
    model.compile(SGD(lr=0.), 'mse')
    data_loss = _mse(X, Y).mean()
    assert model.test_on_batch(X, Y) == pytest.approx(data_loss, rel=1e-5)
    assert model.train_on_batch(X, Y) == pytest.approx(data_loss + 0.1 * (W ** 2).sum(),
                                                       rel=1e-5)


def test_sgd_step_matches_the_gradient_of_the_weighted_loss():
    model = linear_model()
    model.compile(SGD(lr=0.1), 'mse')
    weights = np.array([1., 0., 2., 1.])
    model.train_on_batch(X, Y, sample_weight=weights)
    # d/dW of mean((xW - y)^2 * w) / mean(w != 0)
    residual = (X @ W - Y)[:, 0] * weights / (weights != 0).mean()
    grad_W = 2 * X.T @ residual[:, None] / len(X)
    grad_b = 2 * residual.mean()
    new_W, new_b = model.get_weights()
    np.testing.assert_allclose(new_W, W - 0.1 * grad_W, rtol=1e-5)
    np.testing.assert_allclose(new_b, [-0.1 * grad_b], rtol=1e-5)


def test_per_output_class_weights_and_a_plain_list_of_sample_weights():
    model = two_output_model()
    model.compile(SGD(lr=0.), ['categorical_crossentropy', 'binary_crossentropy'])
    y_a, y_b = np.eye(2)[[0, 1, 1, 0]], np.array([[1.], [0.], [1.], [1.]])
    plain = model.test_on_batch(X, [y_a, y_b])
    weighted = model.train_on_batch(X, [y_a, y_b], class_weight={'out_b': {0: 0., 1: 1.}})
    assert weighted[1] == pytest.approx(plain[1], rel=1e-5)     # out_a is not weighted
    a, b = model.predict(X)
    bce = -(y_b * np.log(b) + (1 - y_b) * np.log(1 - b))[:, 0]
    assert weighted[2] == pytest.approx(_keras_mean(bce, y_b[:, 0]), rel=1e-5)
    single = linear_model()
    single.compile('sgd', 'mse')
    assert single.test_on_batch(X, Y, sample_weight=[2., 0., 1., 0.5]) == pytest.approx(
        _keras_mean(_mse(X, Y), np.array([2., 0., 1., 0.5])), rel=1e-5)
