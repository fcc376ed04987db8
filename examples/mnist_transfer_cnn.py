"""Transfer learning: train a convnet on the digits 0-4, then freeze its convolutional
layers (``trainable = False``), recompile and train only the dense layers on the digits 5-9.

Downloads mnist through kcore.datasets.mnist.load_data() unless --smoke (synthetic digits).

    python examples/mnist_transfer_cnn.py [--epochs 5] [--smoke]
"""
import sys
import time

import numpy as np

import smoke_data
from kcore.layers import Activation, Convolution2D, Dense, Dropout, Flatten, MaxPooling2D
from kcore.models import Sequential
from kcore.utils.np_utils import to_categorical


def train(model, train_set, test_set, epochs):
    """Compile and fit ``model`` on the (images, labels 0-4) sets; return the test accuracy."""
    (x_train, y_train), (x_test, y_test) = train_set, test_set
    model.compile(loss='categorical_crossentropy', optimizer='adadelta', metrics=['accuracy'])
    started = time.time()
    model.fit(x_train, to_categorical(y_train, 5), batch_size=128, nb_epoch=epochs,
              verbose=1, validation_data=(x_test, to_categorical(y_test, 5)))
    print('training time: %.1fs' % (time.time() - started))
    return model.evaluate(x_test, to_categorical(y_test, 5), verbose=0)[1]


def split(x, y, low):
    """The images whose digit is in low..low+4, with labels shifted to 0-4."""
    keep = (y >= low) & (y < low + 5)
    return smoke_data.image_batch(x[keep]), y[keep] - low


def main(argv=None):
    args = smoke_data.parser(__doc__, epochs=5).parse_args(argv)
    epochs = 1 if args.smoke else args.epochs
    filters, hidden = (4, 16) if args.smoke else (32, 128)
    np.random.seed(1337)
    (x_train, y_train), (x_test, y_test) = smoke_data.mnist(args.smoke)

    feature_layers = [
        Convolution2D(filters, 3, 3, border_mode='valid',
                      input_shape=smoke_data.image_batch(x_train[:1]).shape[1:]),
        Activation('relu'),
        Convolution2D(filters, 3, 3),
        Activation('relu'),
        MaxPooling2D(pool_size=(2, 2)),
        Dropout(0.25),
        Flatten(),
    ]
    classification_layers = [
        Dense(hidden), Activation('relu'), Dropout(0.5), Dense(5), Activation('softmax')]
    model = Sequential(feature_layers + classification_layers)

    first = train(model, split(x_train, y_train, 0), split(x_test, y_test, 0), epochs)
    print('digits 0-4, all layers trained: test accuracy %.4f' % first)
    for layer in feature_layers:
        layer.trainable = False
    frozen = [w.copy() for w in feature_layers[0].get_weights()]
    second = train(model, split(x_train, y_train, 5), split(x_test, y_test, 5), epochs)
    print('digits 5-9, dense layers only: test accuracy %.4f' % second)
    unchanged = all(np.array_equal(a, b) for a, b in zip(frozen, feature_layers[0].get_weights()))
    print('frozen convolution weights unchanged: %s' % unchanged)
    return 0 if unchanged else 1


if __name__ == '__main__':
    sys.exit(main())
