"""Loss functions (``kcore.objectives``), registered through the plugin hooks.

A loss is ``f(y_true, y_pred)`` on tensors of the same shape and returns one
value per sample (per time step for temporal outputs): the mean over the last
axis, except for the cross-entropies and the KL divergence, which sum over it.
Training minimizes the mean of these values.
"""
from kcore import backend as K
from kcore.plugins import hookimpl
from kcore.utils.generic_utils import get_from_module  # noqa: F401 (a Keras 1 name here)

_INF = float('inf')


def mean_squared_error(y_true, y_pred):
    """mean((y_pred - y_true)**2) over the last axis."""
    return K.mean(K.square(y_pred - y_true), axis=-1)


def mean_absolute_error(y_true, y_pred):
    """mean(|y_pred - y_true|) over the last axis."""
    return K.mean(K.abs(y_pred - y_true), axis=-1)


def mean_absolute_percentage_error(y_true, y_pred):
    """100 * mean(|y_true - y_pred| / |y_true|), with |y_true| at least K.epsilon()."""
    diff = K.abs((y_true - y_pred) / K.clip(K.abs(y_true), K.epsilon(), _INF))
    return 100. * K.mean(diff, axis=-1)


def mean_squared_logarithmic_error(y_true, y_pred):
    """mean((log(y_pred + 1) - log(y_true + 1))**2), both first raised to K.epsilon()."""
    log_pred = K.log(K.clip(y_pred, K.epsilon(), _INF) + 1.)
    log_true = K.log(K.clip(y_true, K.epsilon(), _INF) + 1.)
    return K.mean(K.square(log_pred - log_true), axis=-1)


def squared_hinge(y_true, y_pred):
    """mean(max(1 - y_true * y_pred, 0)**2); targets are -1 or 1."""
    return K.mean(K.square(K.maximum(1. - y_true * y_pred, 0.)), axis=-1)


def hinge(y_true, y_pred):
    """mean(max(1 - y_true * y_pred, 0)); targets are -1 or 1."""
    return K.mean(K.maximum(1. - y_true * y_pred, 0.), axis=-1)


def categorical_crossentropy(y_true, y_pred):
    """-sum(y_true * log(y_pred)) over the classes (last axis); targets are one-hot."""
    return K.categorical_crossentropy(y_pred, y_true)


def sparse_categorical_crossentropy(y_true, y_pred):
    """Categorical cross-entropy with integer class targets of shape (samples, 1)
    (one axis of size 1 in place of the classes: ``np.expand_dims(y, -1)``)."""
    return K.sparse_categorical_crossentropy(y_pred, y_true)


def binary_crossentropy(y_true, y_pred):
    """mean(-(y_true * log(y_pred) + (1 - y_true) * log(1 - y_pred))) (the log loss)."""
    return K.mean(K.binary_crossentropy(y_pred, y_true), axis=-1)


def kullback_leibler_divergence(y_true, y_pred):
    """sum(y_true * log(y_true / y_pred)) over the last axis, both clipped to
    [K.epsilon(), 1]: the information gained going from y_pred to y_true."""
    y_true = K.clip(y_true, K.epsilon(), 1.)
    y_pred = K.clip(y_pred, K.epsilon(), 1.)
    return K.sum(y_true * K.log(y_true / y_pred), axis=-1)


def poisson(y_true, y_pred):
    """mean(y_pred - y_true * log(y_pred + K.epsilon()))."""
    return K.mean(y_pred - y_true * K.log(y_pred + K.epsilon()), axis=-1)


def cosine_proximity(y_true, y_pred):
    """-mean(l2_normalize(y_true) * l2_normalize(y_pred)) over the last axis."""
    y_true = K.l2_normalize(y_true, axis=-1)
    y_pred = K.l2_normalize(y_pred, axis=-1)
    return -K.mean(y_true * y_pred, axis=-1)


# Short names, as in Keras 1.
mse = MSE = mean_squared_error
mae = MAE = mean_absolute_error
mape = MAPE = mean_absolute_percentage_error
msle = MSLE = mean_squared_logarithmic_error
kld = KLD = kullback_leibler_divergence
cosine = cosine_proximity

#: Each loss with its registry aliases.
LOSSES = (
    (mean_squared_error, ('mse',)),
    (mean_absolute_error, ('mae',)),
    (mean_absolute_percentage_error, ('mape',)),
    (mean_squared_logarithmic_error, ('msle',)),
    (squared_hinge, ()),
    (hinge, ()),
    (binary_crossentropy, ()),
    (categorical_crossentropy, ()),
    (sparse_categorical_crossentropy, ()),
    (kullback_leibler_divergence, ('kld',)),
    (poisson, ()),
    (cosine_proximity, ('cosine',)),
)


def get(identifier):
    """A loss by name (any registered one, aliases included), or ``identifier`` itself
    if it is callable."""
    if callable(identifier):
        return identifier
    from kcore import plugins
    return plugins.get('losses', identifier)


@hookimpl
def register_losses(register):
    for function, aliases in LOSSES:
        register(function.__name__, function, aliases=aliases)
