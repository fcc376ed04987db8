"""ImageNet helpers shared by the image applications (``keras.applications.imagenet_utils``):
the input preprocessing the published weights expect, and the labels of a prediction."""
import json

import numpy as np

from kcore import backend as K
from kcore.utils.data_utils import get_file

CLASS_INDEX = None   # {'0': ['n01440764', 'tench'], ...}, loaded on first use
CLASS_INDEX_PATH = ('https://s3.amazonaws.com/deep-learning-models/image-models/'
                    'imagenet_class_index.json')
MEAN = (103.939, 116.779, 123.68)


def preprocess_input(x, dim_ordering='default'):
    """A batch of RGB images (0-255) as the ImageNet weights expect, exactly as Keras
    1.1.2 computes it: the three means subtracted from channels 0, 1, 2, then the
    channels reversed (RGB to BGR). Returns a new float array; ``x`` is left as it is."""
    if dim_ordering == 'default':
        dim_ordering = K.image_dim_ordering()
    if dim_ordering not in ('th', 'tf'):
        raise ValueError("dim_ordering must be 'th', 'tf' or 'default'; got %r." % (dim_ordering,))
    x = np.array(x, dtype=K.floatx())
    axis = 1 if dim_ordering == 'th' else x.ndim - 1
    if x.ndim != 4 or x.shape[axis] != 3:
        raise ValueError('preprocess_input expects a batch of RGB images, shape %s; got %s.'
                         % ('(n, 3, rows, cols)' if dim_ordering == 'th' else
                            '(n, rows, cols, 3)', x.shape))
    shape = [1, 1, 1, 1]
    shape[axis] = 3
    x -= np.reshape(MEAN, shape).astype(x.dtype)
    return np.flip(x, axis=axis)


def class_index():
    """The ImageNet class index, downloaded once to ``$KCORE_HOME/models``."""
    global CLASS_INDEX
    if CLASS_INDEX is None:
        path = get_file('imagenet_class_index.json', CLASS_INDEX_PATH, cache_subdir='models')
        with open(path, encoding='utf8') as f:
            CLASS_INDEX = json.load(f)
    return CLASS_INDEX


def decode_predictions(preds, top=5):
    """For each row of ``preds`` (n, 1000), its ``top`` classes as ``(class_id, name,
    score)`` tuples, highest score first."""
    preds = np.asarray(preds)
    if preds.ndim != 2 or preds.shape[1] != 1000:
        raise ValueError('decode_predictions expects a batch of ImageNet predictions, shape '
                         '(samples, 1000); got shape %s.' % (preds.shape,))
    index = class_index()
    results = []
    for row in preds:
        best = np.argsort(-row, kind='stable')[:top]
        results.append([tuple(index[str(i)]) + (float(row[i]),) for i in best])
    return results
