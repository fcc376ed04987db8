"""A stateful LSTM learning a long sequence in short pieces: the target at step t is the
mean of the input over the last ``lahead`` steps of a damped cosine. With
``stateful=True`` and a fixed ``batch_input_shape`` the state of sample i in one batch
carries over to sample i of the next; ``reset_states()`` between epochs.

No download: the sequence is generated.

    python examples/stateful_lstm.py [--epochs 25] [--smoke]
"""
import sys

import numpy as np

import smoke_data
from kcore.layers import LSTM, Dense
from kcore.models import Sequential


def damped_cosine(length, amplitude=100, period=1000, damping=0.001):
    """(length, 1, 1): amplitude * cos(2 pi k / period) * exp(-damping k)."""
    k = np.arange(length)
    return (amplitude * np.cos(2 * np.pi * k / period) * np.exp(-damping * k)).reshape(
        length, 1, 1).astype('float32')


def main(argv=None):
    args = smoke_data.parser(__doc__, epochs=25).parse_args(argv)
    length, batch_size, hidden, epochs = ((200, 25, 8, 2) if args.smoke
                                          else (50000, 25, 50, args.epochs))
    tsteps, lahead = 1, 1
    cos = damped_cosine(length)
    expected = np.array([cos[max(0, i - lahead + 1):i + 1, 0, 0].mean()
                         for i in range(length)]).reshape(length, 1)
    print('input shape:', cos.shape, 'output shape:', expected.shape)

    model = Sequential()
    model.add(LSTM(hidden, batch_input_shape=(batch_size, tsteps, 1),
                   return_sequences=True, stateful=True))
    model.add(LSTM(hidden, return_sequences=False, stateful=True))
    model.add(Dense(1))
    model.compile(loss='mse', optimizer='rmsprop')
    for epoch in range(epochs):
        print('Epoch', epoch + 1, '/', epochs)
        model.fit(cos, expected, batch_size=batch_size, verbose=1, nb_epoch=1, shuffle=False)
        model.reset_states()
    predicted = model.predict(cos, batch_size=batch_size)
    error = float(np.mean((predicted - expected) ** 2))
    print('mean squared error of the prediction: %.2f' % error)
    return 0 if predicted.shape == expected.shape and np.isfinite(error) else 1


if __name__ == '__main__':
    sys.exit(main())
