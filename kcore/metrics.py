"""Metrics (``kcore.metrics``), registered through the plugin hooks.

A metric is ``f(y_true, y_pred)`` that returns one value for the batch: the mean
over its samples, as Keras 1.1.2 reports metrics. Every loss of
:mod:`kcore.objectives` is also a metric under the same name.
"""
from kcore import backend as K
from kcore import objectives
from kcore.plugins import hookimpl
from kcore.utils.generic_utils import get_from_module  # noqa: F401 (a Keras 1 name here)


def _mean(boolean):
    return K.mean(K.cast(boolean, K.floatx()))


def binary_accuracy(y_true, y_pred):
    """The fraction of predictions that round to the 0/1 target."""
    return _mean(K.equal(y_true, K.round(y_pred)))


def categorical_accuracy(y_true, y_pred):
    """The fraction of samples whose largest prediction is the one-hot target's class."""
    return _mean(K.equal(K.argmax(y_true, axis=-1), K.argmax(y_pred, axis=-1)))


def sparse_categorical_accuracy(y_true, y_pred):
    """categorical_accuracy for integer targets of shape (samples, 1)."""
    return _mean(K.equal(K.max(y_true, axis=-1),
                         K.cast(K.argmax(y_pred, axis=-1), K.floatx())))


def top_k_categorical_accuracy(y_true, y_pred, k=5):
    """The fraction of samples whose one-hot target's class is among the ``k`` largest
    predictions."""
    targets = K.cast(K.argmax(y_true, axis=-1), 'int32')
    return _mean(K.in_top_k(y_pred, targets, k))


def _as_metric(loss):
    """The batch mean of a per-sample loss, under the loss's name."""
    def metric(y_true, y_pred):
        return K.mean(loss(y_true, y_pred))
    metric.__name__ = metric.__qualname__ = loss.__name__
    metric.__doc__ = 'The batch mean of objectives.%s: %s' % (loss.__name__, loss.__doc__)
    return metric


#: The losses as metrics, with the losses' registry aliases; each is also a module
#: attribute under its name and aliases (metrics.mean_squared_error, metrics.mse, ...).
LOSS_METRICS = tuple((_as_metric(loss), aliases) for loss, aliases in objectives.LOSSES)
for _metric, _aliases in LOSS_METRICS:
    globals().update(dict.fromkeys((_metric.__name__,) + _aliases +
                                   tuple(a.upper() for a in _aliases), _metric))


def _positives(x):
    """1 where ``x`` rounds to 1 after clipping to [0, 1], else 0."""
    return K.round(K.clip(x, 0., 1.))


def matthews_correlation(y_true, y_pred):
    """The Matthews correlation coefficient of the rounded predictions, over the batch:
    (tp * tn - fp * fn) / sqrt((tp + fp)(tp + fn)(tn + fp)(tn + fn))."""
    pred_pos = _positives(y_pred)
    pred_neg = 1. - pred_pos
    true_pos = _positives(y_true)
    true_neg = 1. - true_pos
    tp = K.sum(true_pos * pred_pos)
    tn = K.sum(true_neg * pred_neg)
    fp = K.sum(true_neg * pred_pos)
    fn = K.sum(true_pos * pred_neg)
    denominator = K.sqrt((tp + fp) * (tp + fn) * (tn + fp) * (tn + fn))
    return (tp * tn - fp * fn) / (denominator + K.epsilon())


def precision(y_true, y_pred):
    """Of the labels predicted (rounded), the fraction that are true, over the batch."""
    true_positives = K.sum(_positives(y_true * y_pred))
    predicted_positives = K.sum(_positives(y_pred))
    return true_positives / (predicted_positives + K.epsilon())


def recall(y_true, y_pred):
    """Of the true labels, the fraction predicted (rounded), over the batch."""
    true_positives = K.sum(_positives(y_true * y_pred))
    possible_positives = K.sum(_positives(y_true))
    return true_positives / (possible_positives + K.epsilon())


def fbeta_score(y_true, y_pred, beta=1):
    """The weighted harmonic mean of precision and recall, for multi-label problems:
    (1 + beta**2) * p * r / (beta**2 * p + r). beta < 1 favours precision, beta > 1
    recall; beta = 1 is the F-measure. It is 0 when the batch has no true label."""
    if beta < 0:
        raise ValueError('fbeta_score needs beta >= 0 (beta = 0 is the precision); got %r.'
                         % (beta,))
    p = precision(y_true, y_pred)
    r = recall(y_true, y_pred)
    bb = beta ** 2
    return (1. + bb) * (p * r) / (bb * p + r + K.epsilon())


def fmeasure(y_true, y_pred):
    """fbeta_score with beta = 1."""
    return fbeta_score(y_true, y_pred, beta=1)


# Keras 1.1.2's other names of the F-measure.
fscore = f1score = fmeasure


def resolve_accuracy(loss_function_name, output_shape):
    """The accuracy metric that ``metrics=['accuracy']`` (or 'acc') means for an output,
    as Keras 1.1.2 decides: binary_accuracy for a last axis of size 1 or a
    binary_crossentropy loss, sparse_categorical_accuracy for a
    sparse_categorical_crossentropy loss, categorical_accuracy otherwise.

    ``loss_function_name`` is a loss name or alias, or the loss function itself.
    """
    loss = _loss_name(loss_function_name)
    if (output_shape and output_shape[-1] == 1) or loss == 'binary_crossentropy':
        return binary_accuracy
    if loss == 'sparse_categorical_crossentropy':
        return sparse_categorical_accuracy
    return categorical_accuracy


def _loss_name(loss):
    """The registered name of a loss given by name, alias or function (else its name)."""
    from kcore import plugins
    losses = plugins.registry('losses')
    if callable(loss):
        for entry in losses.entries():
            if not entry.lazy and entry.load() is loss:
                return entry.name
        return getattr(loss, '__name__', None)
    if isinstance(loss, str) and loss in losses:
        return losses.entry(loss).name
    return loss


#: Each metric with its registry aliases.
METRICS = (
    (binary_accuracy, ()),
    (categorical_accuracy, ()),
    (sparse_categorical_accuracy, ()),
    (top_k_categorical_accuracy, ()),
    *LOSS_METRICS,
    (matthews_correlation, ()),
    (precision, ()),
    (recall, ()),
    (fbeta_score, ()),
    (fmeasure, ('fscore', 'f1score')),
)


def get(identifier):
    """A metric by name (any registered one, aliases included), or ``identifier`` itself
    if it is callable. 'accuracy' and 'acc' depend on the loss: see resolve_accuracy."""
    if callable(identifier):
        return identifier
    if identifier in ('accuracy', 'acc'):
        raise ValueError("The metric %r means binary, categorical or sparse categorical accuracy "
                         "depending on the loss and the output shape; compile() chooses it. "
                         "Outside compile(), call resolve_accuracy(loss, output_shape) or name "
                         "the accuracy." % (identifier,))
    from kcore import plugins
    return plugins.get('metrics', identifier)


@hookimpl
def register_metrics(register):
    for function, aliases in METRICS:
        register(function.__name__, function, aliases=aliases)
