"""Numpy helpers of Keras 1 (``keras.utils.np_utils``): class vectors, simple scores,
convolution lengths and convolution-kernel conversion.

``kernel_convert`` is an alias of ``convert_kernel``: the doc's pitfalls page uses
that name (SEED_API §20 item 32), its reference entry the other.
"""
import numpy as np

from kcore import backend as K  # noqa: F401 (Keras 1 exposed K here; imports no library)
from kcore.utils.conv_utils import conv_input_length, conv_output_length, convert_kernel

kernel_convert = convert_kernel

_EPSILON = 1e-15


def _labels(y, where):
    y = np.asarray(y)
    if y.ndim == 2 and y.shape[1] == 1:
        y = y[:, 0]
    if y.ndim != 1:
        raise ValueError('%s expects a vector of class indices, shape (nb_samples,) or '
                         '(nb_samples, 1); got shape %s.' % (where, y.shape))
    if y.size and not np.all(np.equal(np.mod(y, 1), 0)):
        raise ValueError('%s expects integer class indices; got %r.' % (where, y[:5]))
    return y.astype('int64')


def to_categorical(y, nb_classes=None):
    """Turn a vector of class indices 0..nb_classes-1 into a binary class matrix.

    ``nb_classes=None`` means ``max(y) + 1``. Returns a float array of shape
    (len(y), nb_classes), one 1 per row: the targets ``categorical_crossentropy`` wants.
    """
    y = _labels(y, 'to_categorical')
    if not nb_classes:
        if not y.size:
            raise ValueError('to_categorical got no labels; give nb_classes.')
        nb_classes = int(y.max()) + 1
    if y.size and (y.min() < 0 or y.max() >= nb_classes):
        raise ValueError('to_categorical: class indices must lie in 0..%d (nb_classes=%d); '
                         'got values from %d to %d.'
                         % (nb_classes - 1, nb_classes, y.min(), y.max()))
    matrix = np.zeros((len(y), nb_classes))
    matrix[np.arange(len(y)), y] = 1.
    return matrix


def normalize(a, axis=-1, order=2):
    """Divide ``a`` by its ``order``-norm along ``axis`` (rows of norm 0 stay as they are)."""
    a = np.asarray(a)
    norms = np.atleast_1d(np.linalg.norm(a, order, axis))
    norms[norms == 0] = 1
    return a / np.expand_dims(norms, axis)


def binary_logloss(p, y):
    """Mean binary cross-entropy of probabilities ``p`` against 0/1 labels ``y``."""
    p = np.clip(np.asarray(p, dtype='float64'), _EPSILON, 1 - _EPSILON)
    y = np.asarray(y, dtype='float64')
    return -np.mean(y * np.log(p) + (1 - y) * np.log(1 - p))


def multiclass_logloss(P, Y):
    """Mean categorical cross-entropy of a probability matrix ``P`` (nb_samples,
    nb_classes) against class indices ``Y`` (0-based, as ``to_categorical`` takes).

    Keras 1 indexed ``P[i][Y[i] - 1]`` (1-based labels), unlike every other
    helper here; kcore uses 0-based labels throughout.
    """
    P = np.asarray(P, dtype='float64')
    Y = _labels(Y, 'multiclass_logloss')
    if P.ndim != 2 or len(P) != len(Y):
        raise ValueError('multiclass_logloss expects P of shape (nb_samples, nb_classes) and Y '
                         'of shape (nb_samples,); got %s and %s.' % (P.shape, Y.shape))
    picked = np.clip(P[np.arange(len(Y)), Y], _EPSILON, 1.)
    return -np.mean(np.log(picked))


def accuracy(p, y):
    """The fraction of positions where the predicted classes ``p`` equal ``y``."""
    p, y = np.asarray(p), np.asarray(y)
    if p.shape != y.shape:
        raise ValueError('accuracy: predictions have shape %s but labels have shape %s.'
                         % (p.shape, y.shape))
    return float(np.mean(p == y))


def probas_to_classes(y_pred):
    """Class indices from predictions: argmax of a probability matrix, or 0/1 by
    thresholding at 0.5 for a single output column."""
    y_pred = np.asarray(y_pred)
    if y_pred.ndim > 1 and y_pred.shape[1] > 1:
        return categorical_probas_to_classes(y_pred)
    return (y_pred.reshape(len(y_pred)) > 0.5).astype('int32')


def categorical_probas_to_classes(p):
    """The index of the largest probability in each row."""
    return np.argmax(p, axis=1)


__all__ = ['to_categorical', 'normalize', 'binary_logloss', 'multiclass_logloss', 'accuracy',
           'probas_to_classes', 'categorical_probas_to_classes', 'convert_kernel',
           'kernel_convert', 'conv_input_length', 'conv_output_length']
