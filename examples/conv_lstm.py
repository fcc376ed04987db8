"""A convolutional LSTM network predicting the next frame of movies of moving squares:
four stacked ConvLSTM2D layers with BatchNormalization and a Convolution3D that maps the
last one's sequence to frames. After training it continues a movie from its first 7
frames and compares its guesses with the truth.

No download: the movies are generated (channels last, dim_ordering='tf').

    python examples/conv_lstm.py [--epochs 300] [--smoke]
"""
import sys

import numpy as np

import smoke_data
from kcore.layers import BatchNormalization, Convolution3D, ConvLSTM2D
from kcore.models import Sequential


def movies(n, frames, size, rng):
    """(inputs, shifted): n movies of 3 to 7 squares moving in a straight line across a
    size x size field with noise; ``shifted`` is each movie one frame later."""
    big = size + 40
    movie = np.zeros((n, frames + 1, big, big, 1), dtype='float32')
    for i in range(n):
        for _ in range(rng.randint(3, 8)):
            x, y = rng.randint(20, 20 + size), rng.randint(20, 20 + size)
            dx, dy = rng.randint(-1, 2), rng.randint(-1, 2)
            w = rng.randint(2, 4)
            for t in range(frames + 1):
                cx, cy = x + dx * t, y + dy * t
                movie[i, t, cx - w:cx + w, cy - w:cy + w, 0] += 1
    movie = np.minimum(movie, 1)
    crop = movie[:, :, 20:20 + size, 20:20 + size, :]
    return crop[:, :-1], crop[:, 1:]


def build_model(size, filters, layers):
    model = Sequential()
    model.add(ConvLSTM2D(nb_filter=filters, nb_row=3, nb_col=3, dim_ordering='tf',
                         input_shape=(None, size, size, 1), border_mode='same',
                         return_sequences=True))
    model.add(BatchNormalization())
    for _ in range(layers - 1):
        model.add(ConvLSTM2D(nb_filter=filters, nb_row=3, nb_col=3, dim_ordering='tf',
                             border_mode='same', return_sequences=True))
        model.add(BatchNormalization())
    model.add(Convolution3D(nb_filter=1, kernel_dim1=1, kernel_dim2=3, kernel_dim3=3,
                            activation='sigmoid', border_mode='same', dim_ordering='tf'))
    model.compile(loss='binary_crossentropy', optimizer='adadelta')
    return model


def main(argv=None):
    args = smoke_data.parser(__doc__, epochs=300).parse_args(argv)
    n, frames, size, filters, layers, epochs = (
        (8, 10, 12, 4, 1, 1) if args.smoke else (1200, 15, 40, 40, 4, args.epochs))
    rng = np.random.RandomState(0)
    noisy, shifted = movies(n, frames, size, rng)
    model = build_model(size, filters, layers)
    model.fit(noisy[:-1], shifted[:-1], batch_size=4 if args.smoke else 10,
              nb_epoch=epochs, validation_split=0.05)

    track = noisy[-1][:7][np.newaxis]
    for _ in range(frames - 7):
        new = model.predict(track)[:, -1:]
        track = np.concatenate((track, new), axis=1)
    error = float(np.mean(np.abs(track[0, 7:] - shifted[-1][6:frames - 1])))
    print('mean absolute error of the %d predicted frames: %.4f' % (frames - 7, error))
    return 0 if track.shape == (1, frames, size, size, 1) and np.isfinite(error) else 1


if __name__ == '__main__':
    sys.exit(main())
