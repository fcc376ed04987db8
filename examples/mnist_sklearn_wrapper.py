"""The scikit-learn wrapper: KerasClassifier builds a convnet on mnist from a function
whose arguments (the sizes of its dense layers, its number of filters) are
hyperparameters, and GridSearchCV picks the best combination by cross-validation.

Downloads mnist through kcore.datasets.mnist.load_data() unless --smoke (synthetic
digits, a two-point grid, two folds).

    python examples/mnist_sklearn_wrapper.py [--smoke]
"""
import sys

import numpy as np
from sklearn.model_selection import GridSearchCV

import smoke_data
from kcore.layers import Activation, Convolution2D, Dense, Dropout, Flatten, MaxPooling2D
from kcore.models import Sequential
from kcore.wrappers.scikit_learn import KerasClassifier


def make_model(dense_layer_sizes, nb_filters, nb_conv, nb_pool, input_shape=None):
    """A convnet with two convolutions and one Dense layer per entry of
    ``dense_layer_sizes``; compiled, as KerasClassifier's build_fn must return."""
    model = Sequential()
    model.add(Convolution2D(nb_filters, nb_conv, nb_conv, border_mode='valid',
                            input_shape=input_shape))
    model.add(Activation('relu'))
    model.add(Convolution2D(nb_filters, nb_conv, nb_conv))
    model.add(Activation('relu'))
    model.add(MaxPooling2D(pool_size=(nb_pool, nb_pool)))
    model.add(Dropout(0.25))
    model.add(Flatten())
    for size in dense_layer_sizes:
        model.add(Dense(size))
        model.add(Activation('relu'))
    model.add(Dropout(0.5))
    model.add(Dense(10))
    model.add(Activation('softmax'))
    model.compile(loss='categorical_crossentropy', optimizer='adadelta',
                  metrics=['accuracy'])
    return model


def main(argv=None):
    args = smoke_data.parser(__doc__, epochs=6).parse_args(argv)
    (x_train, y_train), (x_test, y_test) = smoke_data.mnist(args.smoke, 128, 64, size=12)
    x_train, x_test = smoke_data.image_batch(x_train), smoke_data.image_batch(x_test)
    if args.smoke:
        grid = {'dense_layer_sizes': [[8], [16]], 'nb_epoch': [1], 'nb_filters': [4]}
        folds = 2
    else:
        grid = {'dense_layer_sizes': [[32], [64], [32, 32], [64, 64]],
                'nb_epoch': [3, args.epochs], 'nb_filters': [8]}
        folds = 3
    classifier = KerasClassifier(make_model, batch_size=32, nb_conv=3, nb_pool=2,
                                 input_shape=x_train.shape[1:])
    validator = GridSearchCV(classifier, param_grid=grid, scoring='neg_log_loss', cv=folds)
    validator.fit(x_train, y_train)
    print('the parameters of the best model are:', validator.best_params_)

    accuracy = validator.best_estimator_.score(x_test, y_test, verbose=0)
    print('test accuracy of the best model: %.4f' % accuracy)
    return 0 if 0 <= accuracy <= 1 else 1


if __name__ == '__main__':
    sys.exit(main())
