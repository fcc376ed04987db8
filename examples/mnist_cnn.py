"""A small convnet on mnist: two convolutions, max pooling, dropout, Adadelta.

Downloads mnist through kcore.datasets.mnist.load_data() unless --smoke (synthetic digits).
About 99% test accuracy after 12 epochs.

    python examples/mnist_cnn.py [--epochs 12] [--smoke]
"""
import sys

import numpy as np

import smoke_data
from kcore.layers import Activation, Convolution2D, Dense, Dropout, Flatten, MaxPooling2D
from kcore.models import Sequential
from kcore.utils.np_utils import to_categorical


def build_model(input_shape, nb_filters, hidden):
    model = Sequential()
    model.add(Convolution2D(nb_filters, 3, 3, border_mode='valid', input_shape=input_shape))
    model.add(Activation('relu'))
    model.add(Convolution2D(nb_filters, 3, 3))
    model.add(Activation('relu'))
    model.add(MaxPooling2D(pool_size=(2, 2)))
    model.add(Dropout(0.25))
    model.add(Flatten())
    model.add(Dense(hidden))
    model.add(Activation('relu'))
    model.add(Dropout(0.5))
    model.add(Dense(10))
    model.add(Activation('softmax'))
    model.compile(loss='categorical_crossentropy', optimizer='adadelta', metrics=['accuracy'])
    return model


def main(argv=None):
    args = smoke_data.parser(__doc__, epochs=12).parse_args(argv)
    epochs = 1 if args.smoke else args.epochs
    np.random.seed(1337)
    (x_train, y_train), (x_test, y_test) = smoke_data.mnist(args.smoke)
    x_train, x_test = smoke_data.image_batch(x_train), smoke_data.image_batch(x_test)
    y_train, y_test = to_categorical(y_train, 10), to_categorical(y_test, 10)
    print('x_train shape:', x_train.shape)

    model = build_model(x_train.shape[1:], 8 if args.smoke else 32, 16 if args.smoke else 128)
    model.fit(x_train, y_train, batch_size=128, nb_epoch=epochs, verbose=1,
              validation_data=(x_test, y_test))
    loss, accuracy = model.evaluate(x_test, y_test, verbose=0)
    print('test loss: %.4f - test accuracy: %.4f' % (loss, accuracy))
    return 0 if np.isfinite(loss) else 1


if __name__ == '__main__':
    sys.exit(main())
