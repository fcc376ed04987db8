"""MNIST handwritten digits: 60,000 training and 10,000 test images, 28x28 greyscale."""
from kcore.utils.data_utils import get_file

from kcore_apps.datasets import safe_pickle

ORIGIN = 'https://s3.amazonaws.com/img-datasets/mnist.pkl.gz'
FILES = ('mnist.pkl.gz',)


def load_data(path='mnist.pkl.gz'):
    """``(X_train, y_train), (X_test, y_test)``: X uint8 (n, 28, 28), y uint8 labels 0-9.
    ``path`` is the file's name in the datasets cache."""
    path = get_file(path, origin=ORIGIN)
    data = safe_pickle.load(path)
    try:
        (x_train, y_train), (x_test, y_test) = data
    except (TypeError, ValueError):
        raise ValueError('%s should hold ((X_train, y_train), (X_test, y_test)); it holds a %s.'
                         % (path, type(data).__name__)) from None
    return (x_train, y_train), (x_test, y_test)
