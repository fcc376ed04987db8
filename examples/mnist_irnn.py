"""IRNN (Le, Jaitly and Hinton 2015): a SimpleRNN with ReLU, an identity recurrent
initialisation and small random input weights, reading mnist one pixel at a time
(784 timesteps).

Downloads mnist through kcore.datasets.mnist.load_data() unless --smoke (synthetic
8x8 digits, 64 timesteps).

    python examples/mnist_irnn.py [--epochs 200] [--smoke]
"""
import sys

import numpy as np

import smoke_data
from kcore import initializations
from kcore.layers import Activation, Dense, SimpleRNN
from kcore.models import Sequential
from kcore.optimizers import RMSprop
from kcore.utils.np_utils import to_categorical


def build_model(input_shape, hidden, learning_rate):
    model = Sequential()
    model.add(SimpleRNN(output_dim=hidden,
                        init=lambda shape, name: initializations.normal(shape, scale=0.001,
                                                                          name=name),
                        inner_init=lambda shape, name: initializations.identity(
                            shape, scale=1.0, name=name),
                        activation='relu', input_shape=input_shape))
    model.add(Dense(10))
    model.add(Activation('softmax'))
    model.compile(loss='categorical_crossentropy', optimizer=RMSprop(lr=learning_rate),
                  metrics=['accuracy'])
    return model


def main(argv=None):
    args = smoke_data.parser(__doc__, epochs=200).parse_args(argv)
    epochs = 1 if args.smoke else args.epochs
    if args.smoke:
        (x_train, y_train), (x_test, y_test) = smoke_data.mnist(True, 64, 32, size=8)
    else:
        (x_train, y_train), (x_test, y_test) = smoke_data.mnist(False)
    pixels = x_train.shape[1] * x_train.shape[2]
    x_train = x_train.reshape(len(x_train), pixels, 1).astype('float32') / 255
    x_test = x_test.reshape(len(x_test), pixels, 1).astype('float32') / 255
    y_train, y_test = to_categorical(y_train, 10), to_categorical(y_test, 10)

    model = build_model(x_train.shape[1:], 8 if args.smoke else 100, 1e-6)
    model.fit(x_train, y_train, batch_size=32, nb_epoch=epochs, verbose=1,
              validation_data=(x_test, y_test))
    loss, accuracy = model.evaluate(x_test, y_test, verbose=0)
    print('IRNN test loss: %.4f - test accuracy: %.4f' % (loss, accuracy))
    return 0 if np.isfinite(loss) else 1


if __name__ == '__main__':
    sys.exit(main())
