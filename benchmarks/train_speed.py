"""Training speed of kcore's fit loop: samples per second and the overhead that fit adds
to each batch beyond the backend's own step, for an MLP, a small CNN and an LSTM.

    python benchmarks/train_speed.py [--models mlp,cnn,lstm] [--samples 4096] [--repeats 5]
                                     [--batch-size 128]

The overhead is fit's time per batch minus the time spent inside the compiled training
function during the same epoch: shuffling, slicing, callbacks and bookkeeping. The figures
come from the fastest of several epochs.
"""
import argparse
import time

import numpy as np

from kcore import backend as K
from kcore.layers import LSTM, Convolution2D, Dense, Dropout, Flatten, MaxPooling2D
from kcore.models import Sequential
from kcore.utils.np_utils import to_categorical


def mlp(samples):
    model = Sequential([Dense(512, input_dim=784, activation='relu'), Dropout(0.2),
                        Dense(512, activation='relu'), Dropout(0.2),
                        Dense(10, activation='softmax')])
    return model, np.random.rand(samples, 784)


def cnn(samples):
    shape = (1, 28, 28) if K.image_dim_ordering() == 'th' else (28, 28, 1)
    model = Sequential([Convolution2D(16, 3, 3, activation='relu', input_shape=shape),
                        MaxPooling2D(pool_size=(2, 2)),
                        Convolution2D(16, 3, 3, activation='relu'),
                        MaxPooling2D(pool_size=(2, 2)),
                        Flatten(), Dense(10, activation='softmax')])
    return model, np.random.rand(samples, *shape)


def lstm(samples):
    model = Sequential([LSTM(32, input_shape=(20, 16)), Dense(10, activation='softmax')])
    return model, np.random.rand(samples, 20, 16)


MODELS = {'mlp': mlp, 'cnn': cnn, 'lstm': lstm}


def measure(name, samples, repeats, batch_size):
    """(samples per second, seconds per batch in fit, seconds per batch spent in the backend
    step during that same epoch): from the fastest of ``repeats`` epochs, as other load on
    the machine only slows epochs down."""
    K.clear_session()
    model, x = MODELS[name](samples)
    x = x.astype(K.floatx())
    y = to_categorical(np.random.randint(10, size=samples), 10).astype(K.floatx())
    model.compile('sgd', 'categorical_crossentropy', metrics=['accuracy'])
    model.fit(x, y, batch_size=batch_size, nb_epoch=1, verbose=0)   # build and warm up
    timer = _StepTimer(model._make_train_function())
    epochs = []
    for _ in range(repeats):
        timer.reset()
        started = time.perf_counter()
        model.fit(x, y, batch_size=batch_size, nb_epoch=1, verbose=0)
        epochs.append((time.perf_counter() - started, timer.seconds, timer.calls))
    total, in_step, calls = min(epochs)
    return samples / total, total / calls, in_step / calls


class _StepTimer:
    """Wraps a model's training step and adds up the time spent inside the backend."""

    def __init__(self, batch_function):
        self.step = batch_function.function
        batch_function.function = self
        self.reset()

    def reset(self):
        self.seconds, self.calls = 0., 0

    def __call__(self, arrays):
        started = time.perf_counter()
        values = self.step(arrays)
        self.seconds += time.perf_counter() - started
        self.calls += 1
        return values


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split('\n\n')[0])
    parser.add_argument('--models', default='mlp,cnn,lstm')
    parser.add_argument('--samples', type=int, default=4096)
    parser.add_argument('--repeats', type=int, default=5)
    parser.add_argument('--batch-size', type=int, default=128)
    args = parser.parse_args(argv)
    print('backend %s, %d samples, batch size %d, best of %d epochs'
          % (K.backend(), args.samples, args.batch_size, args.repeats))
    print('%-6s %14s %14s %14s %14s' % ('model', 'samples/s', 'ms/batch fit', 'ms/batch step',
                                        'overhead ms'))
    for name in args.models.split(','):
        rate, per_batch, step = measure(name, args.samples, args.repeats, args.batch_size)
        print('%-6s %14.0f %14.3f %14.3f %14.3f' % (name, rate, per_batch * 1e3, step * 1e3,
                                                    (per_batch - step) * 1e3))


if __name__ == '__main__':
    main()
