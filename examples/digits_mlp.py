"""Train an MLP on scikit-learn's handwritten digits (shipped with it: no download).

Shows the progress bar, prints the test accuracy, saves the model to HDF5 and checks
that the reloaded model predicts the same.

    python examples/digits_mlp.py [--epochs 20] [--out digits_mlp.h5]
"""
import argparse
import sys

import numpy as np

from kcore import backend as K
from kcore.layers import Dense, Dropout
from kcore.models import Sequential, load_model
from kcore.utils.np_utils import to_categorical


def load_digits(seed=0):
    """The 1,797 8x8 digits, scaled to [0, 1], split 80/20 at random."""
    from sklearn.datasets import load_digits as sklearn_digits
    data = sklearn_digits()
    x = (data.data / 16.0).astype('float32')
    y = to_categorical(data.target, 10)
    order = np.random.RandomState(seed).permutation(len(x))
    split = int(0.8 * len(x))
    return (x[order[:split]], y[order[:split]]), (x[order[split:]], y[order[split:]])


def build_model():
    model = Sequential()
    model.add(Dense(128, input_dim=64, activation='relu'))
    model.add(Dropout(0.2))
    model.add(Dense(64, activation='relu'))
    model.add(Dropout(0.2))
    model.add(Dense(10, activation='softmax'))
    model.compile(optimizer='rmsprop', loss='categorical_crossentropy', metrics=['accuracy'])
    return model


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split('\n')[0])
    parser.add_argument('--epochs', type=int, default=20)
    parser.add_argument('--out', default='digits_mlp.h5')
    args = parser.parse_args(argv)

    np.random.seed(0)
    (x_train, y_train), (x_test, y_test) = load_digits()
    print('backend: %s; %d training and %d test digits' % (K.backend(), len(x_train), len(x_test)))
    model = build_model()
    model.summary()
    model.fit(x_train, y_train, batch_size=32, nb_epoch=args.epochs, validation_split=0.1)
    loss, accuracy = model.evaluate(x_test, y_test, verbose=0)
    print('test loss: %.4f - test accuracy: %.4f' % (loss, accuracy))

    model.save(args.out)
    reloaded = load_model(args.out)
    same = np.allclose(reloaded.predict(x_test), model.predict(x_test), atol=1e-6)
    print('model saved to %s (reloaded model predicts the same: %s)' % (args.out, same))
    return 0 if accuracy > 0.9 and same else 1


if __name__ == '__main__':
    sys.exit(main())
