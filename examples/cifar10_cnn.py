"""A deep convnet on CIFAR10, trained with real-time data augmentation: an
ImageDataGenerator (shifts, horizontal flips) fed to fit_generator; --no-augmentation
trains with plain fit.

Downloads CIFAR10 through kcore.datasets.cifar10.load_data() unless --smoke (synthetic
images).

    python examples/cifar10_cnn.py [--epochs 200] [--no-augmentation] [--smoke]
"""
import sys

import numpy as np

import smoke_data
from kcore.layers import Activation, Convolution2D, Dense, Dropout, Flatten, MaxPooling2D
from kcore.models import Sequential
from kcore.optimizers import SGD
from kcore.preprocessing.image import ImageDataGenerator
from kcore.utils import np_utils


def build_model(input_shape, filters, hidden, nb_classes):
    model = Sequential()
    model.add(Convolution2D(filters, 3, 3, border_mode='same', input_shape=input_shape))
    model.add(Activation('relu'))
    model.add(Convolution2D(filters, 3, 3))
    model.add(Activation('relu'))
    model.add(MaxPooling2D(pool_size=(2, 2)))
    model.add(Dropout(0.25))
    model.add(Convolution2D(2 * filters, 3, 3, border_mode='same'))
    model.add(Activation('relu'))
    model.add(Convolution2D(2 * filters, 3, 3))
    model.add(Activation('relu'))
    model.add(MaxPooling2D(pool_size=(2, 2)))
    model.add(Dropout(0.25))
    model.add(Flatten())
    model.add(Dense(hidden))
    model.add(Activation('relu'))
    model.add(Dropout(0.5))
    model.add(Dense(nb_classes))
    model.add(Activation('softmax'))
    model.compile(loss='categorical_crossentropy', metrics=['accuracy'],
                  optimizer=SGD(lr=0.01, decay=1e-6, momentum=0.9, nesterov=True))
    return model


def main(argv=None):
    parser = smoke_data.parser(__doc__, epochs=200)
    parser.add_argument('--no-augmentation', action='store_true')
    args = parser.parse_args(argv)
    epochs, filters, hidden = (1, 4, 16) if args.smoke else (args.epochs, 32, 512)
    (x_train, y_train), (x_test, y_test) = smoke_data.cifar10(args.smoke)
    print('x_train shape:', x_train.shape)
    y_train, y_test = np_utils.to_categorical(y_train, 10), np_utils.to_categorical(y_test, 10)
    x_train = x_train.astype('float32') / 255
    x_test = x_test.astype('float32') / 255

    model = build_model(x_train.shape[1:], filters, hidden, 10)
    if args.no_augmentation:
        print('Not using data augmentation.')
        model.fit(x_train, y_train, batch_size=32, nb_epoch=epochs,
                  validation_data=(x_test, y_test), shuffle=True)
    else:
        print('Using real-time data augmentation.')
        datagen = ImageDataGenerator(width_shift_range=0.1, height_shift_range=0.1,
                                     horizontal_flip=True)
        datagen.fit(x_train)
        model.fit_generator(datagen.flow(x_train, y_train, batch_size=32),
                            samples_per_epoch=x_train.shape[0], nb_epoch=epochs,
                            validation_data=(x_test, y_test))
    loss, accuracy = model.evaluate(x_test, y_test, verbose=0)
    print('test loss: %.4f - test accuracy: %.4f' % (loss, accuracy))
    return 0 if np.isfinite(loss) else 1


if __name__ == '__main__':
    sys.exit(main())
