"""kcore.metrics: each metric against numpy, the accuracy resolution and the lookups."""
import numpy as np
import pytest

from kcore import backend as K
from kcore import metrics, objectives, plugins
from kcore.plugins.registries import RegistryError

from kcore_test_helpers.losses import backend, evaluate  # noqa: F401 (autouse fixture)


RNG = np.random.RandomState(5)
LABELS = np.array([0, 2, 1, 2, 0, 1])
ONE_HOT = np.eye(3)[LABELS]
PROBS = RNG.dirichlet(np.ones(3), size=6)
BINARY_T = np.array([[1., 0., 1.], [0., 0., 1.], [1., 1., 0.], [0., 1., 0.]])
BINARY_P = np.array([[0.9, 0.2, 0.4], [0.1, 0.7, 0.8], [0.6, 0.3, 0.2], [0.2, 0.9, 0.1]])


def test_accuracies_match_numpy():
    binary, categorical = evaluate([metrics.binary_accuracy, metrics.categorical_accuracy],
                                   ONE_HOT, PROBS)
    assert binary.shape == ()   # one value per batch
    np.testing.assert_allclose(binary, np.mean(ONE_HOT == np.round(PROBS)))
    np.testing.assert_allclose(categorical,
                               np.mean(LABELS == PROBS.argmax(axis=-1)))
    # Sparse targets keep an axis of size 1 in place of the classes.
    sparse, = evaluate([metrics.sparse_categorical_accuracy], LABELS[:, None], PROBS)
    np.testing.assert_allclose(sparse, categorical)


def test_top_k_categorical_accuracy():
    probs = RNG.dirichlet(np.ones(7), size=6)
    labels = np.eye(7)[[0, 1, 2, 3, 4, 5]]
    ranks = (probs > probs[np.arange(6), np.arange(6)][:, None]).sum(axis=-1)

    def top2(y_true, y_pred):
        return metrics.top_k_categorical_accuracy(y_true, y_pred, k=2)

    default, two = evaluate([metrics.top_k_categorical_accuracy, top2], labels, probs)
    np.testing.assert_allclose(default, np.mean(ranks < 5))
    np.testing.assert_allclose(two, np.mean(ranks < 2))


def test_losses_as_metrics_are_batch_means_under_the_loss_name():
    names = [f.__name__ for f, _ in objectives.LOSSES if 'sparse' not in f.__name__]
    t, p = BINARY_T, BINARY_P
    got = evaluate([getattr(metrics, n) for n in names], t, p)
    want = evaluate([getattr(objectives, n) for n in names], t, p)
    for name, g, w in zip(names, got, want):
        assert getattr(metrics, name).__name__ == name
        assert g.shape == ()
        np.testing.assert_allclose(g, w.mean(), rtol=1e-6, err_msg=name)
    sparse, = evaluate([metrics.sparse_categorical_crossentropy], LABELS[:, None], PROBS)
    np.testing.assert_allclose(sparse, -np.mean(np.log(PROBS[np.arange(6), LABELS])),
                               rtol=1e-5)


def counts(t, p):
    """Numpy true/false positives/negatives of the rounded predictions."""
    p = np.round(np.clip(p, 0, 1))
    return ((t * p).sum(), ((1 - t) * (1 - p)).sum(), ((1 - t) * p).sum(), (t * (1 - p)).sum())


def test_matthews_correlation_precision_recall_fbeta_match_numpy():
    tp, tn, fp, fn = counts(BINARY_T, BINARY_P)
    precision, recall = tp / (tp + fp), tp / (tp + fn)

    def f2(y_true, y_pred):
        return metrics.fbeta_score(y_true, y_pred, beta=2)

    got = evaluate([metrics.matthews_correlation, metrics.precision, metrics.recall,
                    metrics.fbeta_score, metrics.fmeasure, f2], BINARY_T, BINARY_P)
    mcc = (tp * tn - fp * fn) / np.sqrt((tp + fp) * (tp + fn) * (tn + fp) * (tn + fn))
    f1 = 2 * precision * recall / (precision + recall)
    f2_want = 5 * precision * recall / (4 * precision + recall)
    np.testing.assert_allclose(got, [mcc, precision, recall, f1, f1, f2_want], rtol=1e-5)


def test_fbeta_score_is_zero_without_true_labels_and_rejects_negative_beta():
    zero, = evaluate([metrics.fbeta_score], np.zeros((2, 3)), BINARY_P[:2])
    assert zero == 0
    with pytest.raises(ValueError, match='beta >= 0'):
        metrics.fbeta_score(K.variable(BINARY_T), K.variable(BINARY_P), beta=-1)


@pytest.mark.parametrize('loss, shape, expected', [
    ('binary_crossentropy', (None, 3), 'binary_accuracy'),
    (objectives.binary_crossentropy, (None, 10), 'binary_accuracy'),
    ('mse', (None, 1), 'binary_accuracy'),
    ('categorical_crossentropy', (None, 1), 'binary_accuracy'),
    ('sparse_categorical_crossentropy', (None, 10), 'sparse_categorical_accuracy'),
    (objectives.sparse_categorical_crossentropy, (None, 5, 10), 'sparse_categorical_accuracy'),
    ('categorical_crossentropy', (None, 10), 'categorical_accuracy'),
    ('mse', (None, 10), 'categorical_accuracy'),
    (lambda y_true, y_pred: y_pred, (None, 4), 'categorical_accuracy'),
])
def test_resolve_accuracy_follows_keras_1(loss, shape, expected):
    assert metrics.resolve_accuracy(loss, shape) is getattr(metrics, expected)


@pytest.mark.parametrize('name, function', [
    ('binary_accuracy', metrics.binary_accuracy), ('mse', metrics.mean_squared_error),
    ('MAE', metrics.mean_absolute_error), ('kld', metrics.kullback_leibler_divergence),
    ('cosine', metrics.cosine_proximity), ('fmeasure', metrics.fmeasure),
    ('fscore', metrics.fmeasure), ('f1score', metrics.fmeasure),
    ('top_k_categorical_accuracy', metrics.top_k_categorical_accuracy),
    ('matthews_correlation', metrics.matthews_correlation)])
def test_get_by_name_and_alias(name, function):
    assert metrics.get(name) is function


def test_every_metric_is_registered():
    assert plugins.registry('metrics').names() == [f.__name__ for f, _ in metrics.METRICS]
    assert len(metrics.METRICS) == 21


def test_the_docs_misspellings_are_not_aliases_but_get_a_suggestion():
    # The doc writes 'top_k_categorical_accracy' and 'beta_score' (SEED_API §20 item 27).
    with pytest.raises(RegistryError, match="Did you mean 'top_k_categorical_accuracy'"):
        metrics.get('top_k_categorical_accracy')
    with pytest.raises(RegistryError, match="Did you mean 'fbeta_score'"):
        metrics.get('beta_score')


def test_accuracy_by_name_points_to_resolve_accuracy():
    with pytest.raises(ValueError, match='resolve_accuracy'):
        metrics.get('acc')
    my_metric = lambda y_true, y_pred: K.mean(y_pred)   # noqa: E731
    assert metrics.get(my_metric) is my_metric
