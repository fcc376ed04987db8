"""CIFAR-100: 50,000 training and 10,000 test colour images, 32x32, in 100 classes
(20 superclasses)."""
from kcore import backend as K   # noqa: F401  (Keras 1's module offers K)
from kcore.utils.data_utils import get_file
from kcore_apps.datasets.cifar import load_batch, load_split   # noqa: F401

ORIGIN = 'http://www.cs.toronto.edu/~kriz/cifar-100-python.tar.gz'
FOLDER = 'cifar-100-python'
FILES = (FOLDER,)
LABEL_MODES = ('fine', 'coarse')


def load_data(label_mode='fine'):
    """``(X_train, y_train), (X_test, y_test)`` as cifar10's; y (n, 1) holds the 100 'fine'
    classes or the 20 'coarse' superclasses."""
    if label_mode not in LABEL_MODES:
        raise ValueError("cifar100.load_data: label_mode must be 'fine' or 'coarse', got %r."
                         % (label_mode,))
    folder = get_file(FOLDER, origin=ORIGIN, untar=True)
    key = label_mode + '_labels'
    return load_split(folder, ('train',), key), load_split(folder, ('test',), key)
