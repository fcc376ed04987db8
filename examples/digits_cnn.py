"""Train a small convnet on the handwritten digits of kcore.datasets.digits (they ship
with scikit-learn: no download).

Loads the digits as a Keras 1 user loads mnist, shows the progress bar, prints the test
accuracy, saves the model to HDF5 and checks that the reloaded model predicts the same.

    python examples/digits_cnn.py [--epochs 15] [--out digits_cnn.h5]
"""
import argparse
import sys

import numpy as np

from kcore import backend as K
from kcore.datasets import digits
from kcore.layers import Convolution2D, Dense, Dropout, Flatten, MaxPooling2D
from kcore.models import Sequential, load_model
from kcore.utils.np_utils import to_categorical


def load_images():
    """The digits as float images in [0, 1], shaped for the image ordering, one-hot labels."""
    (x_train, y_train), (x_test, y_test) = digits.load_data()
    shape = (1, 8, 8) if K.image_dim_ordering() == 'th' else (8, 8, 1)
    x_train = x_train.reshape((-1,) + shape).astype('float32') / 255
    x_test = x_test.reshape((-1,) + shape).astype('float32') / 255
    return (x_train, to_categorical(y_train, 10)), (x_test, to_categorical(y_test, 10))


def build_model(input_shape):
    model = Sequential()
    model.add(Convolution2D(16, 3, 3, border_mode='same', activation='relu',
                            input_shape=input_shape))
    model.add(Convolution2D(32, 3, 3, activation='relu'))
    model.add(MaxPooling2D(pool_size=(2, 2)))
    model.add(Dropout(0.25))
    model.add(Flatten())
    model.add(Dense(64, activation='relu'))
    model.add(Dropout(0.3))
    model.add(Dense(10, activation='softmax'))
    model.compile(optimizer='adam', loss='categorical_crossentropy', metrics=['accuracy'])
    return model


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split('\n')[0])
    parser.add_argument('--epochs', type=int, default=15)
    parser.add_argument('--out', default='digits_cnn.h5')
    args = parser.parse_args(argv)

    np.random.seed(0)
    (x_train, y_train), (x_test, y_test) = load_images()
    print('backend: %s; %d training and %d test digits of shape %s'
          % (K.backend(), len(x_train), len(x_test), x_train.shape[1:]))
    model = build_model(x_train.shape[1:])
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
