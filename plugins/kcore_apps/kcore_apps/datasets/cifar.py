"""The CIFAR batch files shared by cifar10 and cifar100 (``keras.datasets.cifar``)."""
import os

import numpy as np

from kcore import config
from kcore_apps.datasets import safe_pickle


def load_batch(fpath, label_key='labels'):
    """``(data, labels)`` of one CIFAR pickle: data uint8 (n, 3, 32, 32), labels a list."""
    batch = safe_pickle.load(fpath)
    if not isinstance(batch, dict) or 'data' not in batch or label_key not in batch:
        keys = sorted(map(str, batch)) if isinstance(batch, dict) else type(batch).__name__
        raise ValueError('%s should be a CIFAR batch: a dict with the keys "data" and %r; '
                         'found %s.' % (fpath, label_key, keys))
    data = np.asarray(batch['data'], dtype='uint8')
    labels = batch[label_key]
    if data.ndim != 2 or data.shape[1] != 3 * 32 * 32 or len(labels) != len(data):
        raise ValueError('%s: "data" should have shape (n, 3072) with n labels; it has shape %s '
                         'and %d labels.' % (fpath, data.shape, len(labels)))
    return data.reshape(len(data), 3, 32, 32), labels


def load_split(folder, names, label_key):
    """X (n, 3, 32, 32) uint8 and y (n, 1) uint8 from the batches ``names`` of ``folder``,
    in channels-last order when the image ordering is 'tf'."""
    parts = [load_batch(os.path.join(folder, name), label_key) for name in names]
    x = np.concatenate([data for data, _ in parts])
    y = np.concatenate([np.asarray(labels, dtype='uint8') for _, labels in parts])
    if config.image_dim_ordering() == 'tf':
        x = x.transpose(0, 2, 3, 1)
    return x, y.reshape(len(y), 1)
