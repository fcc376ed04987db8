"""A multilayer perceptron on mnist: two hidden Dense layers with dropout, RMSprop.

Downloads mnist through kcore.datasets.mnist.load_data() unless --smoke (synthetic digits).
About 98% test accuracy after 20 epochs.

    python examples/mnist_mlp.py [--epochs 20] [--smoke]
"""
import sys

import numpy as np

import smoke_data
from kcore.layers import Activation, Dense, Dropout
from kcore.models import Sequential
from kcore.optimizers import RMSprop
from kcore.utils.np_utils import to_categorical


def build_model(hidden):
    model = Sequential()
    model.add(Dense(hidden, input_shape=(784,)))
    model.add(Activation('relu'))
    model.add(Dropout(0.2))
    model.add(Dense(hidden))
    model.add(Activation('relu'))
    model.add(Dropout(0.2))
    model.add(Dense(10))
    model.add(Activation('softmax'))
    model.compile(loss='categorical_crossentropy', optimizer=RMSprop(), metrics=['accuracy'])
    return model


def main(argv=None):
    args = smoke_data.parser(__doc__, epochs=20).parse_args(argv)
    epochs = 2 if args.smoke else args.epochs
    np.random.seed(1337)
    (x_train, y_train), (x_test, y_test) = smoke_data.mnist(args.smoke)
    x_train = x_train.reshape(len(x_train), 784).astype('float32') / 255
    x_test = x_test.reshape(len(x_test), 784).astype('float32') / 255
    y_train, y_test = to_categorical(y_train, 10), to_categorical(y_test, 10)
    print('%d train samples, %d test samples' % (len(x_train), len(x_test)))

    model = build_model(32 if args.smoke else 512)
    model.summary()
    model.fit(x_train, y_train, batch_size=128, nb_epoch=epochs, verbose=1,
              validation_data=(x_test, y_test))
    loss, accuracy = model.evaluate(x_test, y_test, verbose=0)
    print('test loss: %.4f - test accuracy: %.4f' % (loss, accuracy))
    return 0 if np.isfinite(loss) else 1


if __name__ == '__main__':
    sys.exit(main())
