"""CIFAR-10: 50,000 training and 10,000 test colour images, 32x32, in 10 classes."""
from kcore import backend as K   # noqa: F401  (Keras 1's module offers K)
from kcore.utils.data_utils import get_file
from kcore_apps.datasets.cifar import load_batch, load_split   # noqa: F401

ORIGIN = 'http://www.cs.toronto.edu/~kriz/cifar-10-python.tar.gz'
FOLDER = 'cifar-10-batches-py'
FILES = (FOLDER,)
TRAIN_BATCHES = tuple('data_batch_%d' % i for i in range(1, 6))


def load_data():
    """``(X_train, y_train), (X_test, y_test)``: X uint8 (n, 3, 32, 32), or (n, 32, 32, 3)
    when the image ordering is 'tf'; y uint8 (n, 1) in 0-9."""
    folder = get_file(FOLDER, origin=ORIGIN, untar=True)
    return load_split(folder, TRAIN_BATCHES, 'labels'), load_split(folder, ('test_batch',),
                                                                   'labels')
