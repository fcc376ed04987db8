"""A convolution then an LSTM on IMDB: Embedding, Convolution1D, MaxPooling1D, LSTM,
a sigmoid output.

Downloads IMDB through kcore.datasets.imdb.load_data() unless --smoke (synthetic reviews).

    python examples/imdb_cnn_lstm.py [--epochs 2] [--smoke]
"""
import sys

import numpy as np

import smoke_data
from kcore.layers import (LSTM, Activation, Convolution1D, Dense, Dropout, Embedding,
                          MaxPooling1D)
from kcore.models import Sequential
from kcore.preprocessing import sequence


def main(argv=None):
    args = smoke_data.parser(__doc__, epochs=2).parse_args(argv)
    max_features, maxlen, embed, filters, hidden, epochs = (
        (200, 40, 8, 8, 8, 1) if args.smoke else (20000, 100, 128, 64, 70, args.epochs))
    (x_train, y_train), (x_test, y_test) = smoke_data.imdb(args.smoke, max_features)
    x_train = sequence.pad_sequences(x_train, maxlen=maxlen)
    x_test = sequence.pad_sequences(x_test, maxlen=maxlen)

    model = Sequential()
    model.add(Embedding(max_features, embed, input_length=maxlen))
    model.add(Dropout(0.25))
    model.add(Convolution1D(nb_filter=filters, filter_length=5, border_mode='valid',
                            activation='relu', subsample_length=1))
    model.add(MaxPooling1D(pool_length=4))
    model.add(LSTM(hidden))
    model.add(Dense(1))
    model.add(Activation('sigmoid'))
    model.compile(loss='binary_crossentropy', optimizer='adam', metrics=['accuracy'])
    model.fit(x_train, y_train, batch_size=30, nb_epoch=epochs,
              validation_data=(x_test, y_test))
    loss, accuracy = model.evaluate(x_test, y_test, batch_size=30)
    print('test score: %.4f - test accuracy: %.4f' % (loss, accuracy))
    return 0 if np.isfinite(loss) else 1


if __name__ == '__main__':
    sys.exit(main())
