"""Net2Net (Chen, Goodfellow and Shlens 2016) on mnist: knowledge transfer from a
trained teacher convnet to a wider student (Net2WiderNet: more filters and hidden
units, by copying and rescaling weights) and to a deeper one (Net2DeeperNet: an extra
layer initialised as the identity), each starting where the teacher stands; compared
with random initialisation (not in --smoke runs). The surgery is done with get_weights/set_weights.

Downloads mnist through kcore.datasets.mnist.load_data() unless --smoke (synthetic digits).

    python examples/mnist_net2net.py [--epochs 3] [--smoke]
"""
import sys

import numpy as np

import smoke_data
from kcore import backend as K
from kcore.layers import Convolution2D, Dense, Flatten, MaxPooling2D
from kcore.models import Sequential
from kcore.optimizers import SGD
from kcore.utils.np_utils import to_categorical


def kernel_axes(w):
    """The (input units, output units) axes of a Dense or Convolution2D kernel."""
    if w.ndim == 2:
        return 0, 1
    return (1, 0) if K.image_dim_ordering() == 'th' else (2, 3)


def wider_weights(w1, b1, w2, new_width, rng):
    """Net2WiderNet for a layer (w1, b1) feeding a layer with kernel w2: the new units
    copy randomly chosen old ones, and the outgoing weights of every copied unit are
    divided by its number of copies, so the network computes the same function."""
    out1, in2 = kernel_axes(w1)[1], kernel_axes(w2)[0]
    old = w1.shape[out1]
    picks = rng.randint(0, old, new_width - old)
    copies = np.bincount(np.concatenate([np.arange(old), picks]), minlength=old)
    new_w1 = np.concatenate([w1, np.take(w1, picks, axis=out1)], axis=out1)
    new_b1 = np.concatenate([b1, b1[picks]])
    w2 = np.moveaxis(w2, in2, 0) / copies.reshape((-1,) + (1,) * (w2.ndim - 1))
    new_w2 = np.concatenate([w2, w2[picks]], axis=0)
    return new_w1, new_b1, np.moveaxis(new_w2, 0, in2)


def identity_kernel(w):
    """A kernel shaped as ``w`` that maps each unit (or channel) to itself."""
    w = np.zeros_like(w)
    inp, out = kernel_axes(w)
    index = [s // 2 for s in w.shape]
    for c in range(w.shape[out]):
        index[inp] = index[out] = c
        w[tuple(index)] = 1
    return w


def build(input_shape, filters, hidden, deeper=False, wider=1):
    """The teacher's architecture; ``wider`` multiplies conv1's filters and fc1's units,
    ``deeper`` adds a convolution after conv2 and a Dense layer after fc1."""
    model = Sequential()
    model.add(Convolution2D(filters * wider, 3, 3, border_mode='same', activation='relu',
                            input_shape=input_shape, name='conv1'))
    model.add(MaxPooling2D(pool_size=(2, 2)))
    model.add(Convolution2D(filters, 3, 3, border_mode='same', activation='relu',
                            name='conv2'))
    if deeper:
        model.add(Convolution2D(filters, 3, 3, border_mode='same', activation='relu',
                                name='conv2_deeper'))
    model.add(MaxPooling2D(pool_size=(2, 2)))
    model.add(Flatten())
    model.add(Dense(hidden * wider, activation='relu', name='fc1'))
    if deeper:
        model.add(Dense(hidden, activation='relu', name='fc1_deeper'))
    model.add(Dense(10, activation='softmax', name='fc2'))
    model.compile(loss='categorical_crossentropy', metrics=['accuracy'],
                  optimizer=SGD(lr=0.01, momentum=0.9))
    return model


def widen(teacher, student, rng):
    """Copy the teacher into the wider student (more conv1 filters, more fc1 units)."""
    for wide, following in (('conv1', 'conv2'), ('fc1', 'fc2')):
        w1, b1 = teacher.get_layer(wide).get_weights()
        w2, b2 = teacher.get_layer(following).get_weights()
        width = student.get_layer(wide).get_weights()[1].shape[0]
        w1, b1, w2 = wider_weights(w1, b1, w2, width, rng)
        student.get_layer(wide).set_weights([w1, b1])
        student.get_layer(following).set_weights([w2, b2])


def deepen(teacher, student):
    """Copy the teacher into the deeper student; its new layers start as the identity."""
    for name in ('conv1', 'conv2', 'fc1', 'fc2'):
        student.get_layer(name).set_weights(teacher.get_layer(name).get_weights())
    for name in ('conv2_deeper', 'fc1_deeper'):
        w, b = student.get_layer(name).get_weights()
        student.get_layer(name).set_weights([identity_kernel(w), np.zeros_like(b)])


def main(argv=None):
    args = smoke_data.parser(__doc__, epochs=3).parse_args(argv)
    epochs = 1 if args.smoke else args.epochs
    filters, hidden = (4, 16) if args.smoke else (64, 64)
    rng = np.random.RandomState(0)
    (x_train, y_train), (x_test, y_test) = smoke_data.mnist(args.smoke)
    x_train, x_test = smoke_data.image_batch(x_train), smoke_data.image_batch(x_test)
    y_train, y_test = to_categorical(y_train, 10), to_categorical(y_test, 10)
    shape = x_train.shape[1:]

    def fit(model, label):
        model.fit(x_train, y_train, batch_size=64, nb_epoch=epochs, verbose=0,
                  validation_data=(x_test, y_test))
        accuracy = model.evaluate(x_test, y_test, verbose=0)[1]
        print('%-28s test accuracy %.4f' % (label, accuracy))

    teacher = build(shape, filters, hidden)
    fit(teacher, 'teacher')
    before = teacher.predict(x_test)
    wider = build(shape, filters, hidden, wider=2)
    widen(teacher, wider, rng)
    same_wider = np.allclose(wider.predict(x_test), before, atol=1e-4)
    print('Net2WiderNet student predicts as the teacher before training: %s' % same_wider)
    fit(wider, 'Net2WiderNet student')
    if not args.smoke:
        fit(build(shape, filters, hidden, wider=2), 'wider, random initialisation')
    deeper = build(shape, filters, hidden, deeper=True)
    deepen(teacher, deeper)
    same = np.allclose(deeper.predict(x_test), before, atol=1e-4)
    print('Net2DeeperNet student predicts as the teacher before training: %s' % same)
    fit(deeper, 'Net2DeeperNet student')
    if not args.smoke:
        fit(build(shape, filters, hidden, deeper=True), 'deeper, random initialisation')
    return 0 if same and same_wider else 1


if __name__ == '__main__':
    sys.exit(main())
