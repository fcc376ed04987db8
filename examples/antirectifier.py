"""How to write a custom layer: the Antirectifier, which centres its input, l2-normalises
it and returns the concatenation of its positive and its negative part (twice the
features, no zeros), used in place of ReLU in an mnist MLP.

Downloads mnist through kcore.datasets.mnist.load_data() unless --smoke (synthetic digits).

    python examples/antirectifier.py [--epochs 40] [--smoke]
"""
import sys

import numpy as np

import smoke_data
from kcore import backend as K
from kcore.engine.topology import Layer
from kcore.layers import Dense, Dropout
from kcore.models import Sequential
from kcore.utils.np_utils import to_categorical


class Antirectifier(Layer):
    """(samples, n) -> (samples, 2n): [relu(x), relu(-x)] of the centred, normalised x."""

    def get_output_shape_for(self, input_shape):
        shape = list(input_shape)
        assert len(shape) == 2, 'Antirectifier takes 2D tensors (samples, features)'
        shape[-1] *= 2
        return tuple(shape)

    def call(self, x, mask=None):
        x -= K.mean(x, axis=1, keepdims=True)
        x = K.l2_normalize(x, axis=1)
        return K.concatenate([K.relu(x), K.relu(-x)], axis=1)


def build_model(hidden):
    model = Sequential()
    model.add(Dense(hidden, input_shape=(784,)))
    model.add(Antirectifier())
    model.add(Dropout(0.1))
    model.add(Dense(hidden))
    model.add(Antirectifier())
    model.add(Dropout(0.1))
    model.add(Dense(10, activation='softmax'))
    model.compile(loss='categorical_crossentropy', optimizer='rmsprop', metrics=['accuracy'])
    return model


def main(argv=None):
    args = smoke_data.parser(__doc__, epochs=40).parse_args(argv)
    epochs = 2 if args.smoke else args.epochs
    (x_train, y_train), (x_test, y_test) = smoke_data.mnist(args.smoke)
    x_train = x_train.reshape(len(x_train), 784).astype('float32') / 255
    x_test = x_test.reshape(len(x_test), 784).astype('float32') / 255
    y_train, y_test = to_categorical(y_train, 10), to_categorical(y_test, 10)

    model = build_model(16 if args.smoke else 256)
    model.summary()
    model.fit(x_train, y_train, batch_size=128, nb_epoch=epochs, verbose=1,
              validation_data=(x_test, y_test))
    loss, accuracy = model.evaluate(x_test, y_test, verbose=0)
    print('test loss: %.4f - test accuracy: %.4f' % (loss, accuracy))
    return 0 if model.output_shape == (None, 10) and np.isfinite(loss) else 1


if __name__ == '__main__':
    sys.exit(main())
