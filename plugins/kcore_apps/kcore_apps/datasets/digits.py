"""Handwritten digits that need no download: the 1,797 8x8 images that ship with
scikit-learn (``pip install kcore-apps[digits]``), for demos, tests and CI."""
import numpy as np

FILES = ()   # read from scikit-learn's installed package data


def _read_digits():
    try:
        from sklearn.datasets import load_digits
    except ImportError:
        raise ImportError('kcore.datasets.digits reads the digits that ship with scikit-learn, '
                          'which is not installed: pip install scikit-learn (or '
                          'pip install kcore-apps[digits]).') from None
    data = load_digits()
    return data.images, data.target


def load_data(test_split=0.2, seed=113):
    """``(X_train, y_train), (X_test, y_test)`` like mnist's: X uint8 (n, 8, 8) in 0-255,
    y uint8 labels 0-9. The digits are shuffled with ``seed`` and the last ``test_split``
    of them are the test set."""
    if not 0 <= test_split < 1:
        raise ValueError('digits.load_data: test_split must be a fraction in [0, 1), got %r.'
                         % (test_split,))
    images, labels = _read_digits()
    x = np.round(np.asarray(images) * (255.0 / 16.0)).astype('uint8')   # 0-16 -> 0-255
    y = np.asarray(labels, dtype='uint8')
    order = np.random.RandomState(seed).permutation(len(x))
    x, y = x[order], y[order]
    split = int(len(x) * (1 - test_split))
    return (x[:split], y[:split]), (x[split:], y[split:])
