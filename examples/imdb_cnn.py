"""A 1D convnet for text classification on IMDB: Embedding, Convolution1D, global max
pooling, a hidden Dense layer, a sigmoid output.

Downloads IMDB through kcore.datasets.imdb.load_data() unless --smoke (synthetic reviews).

    python examples/imdb_cnn.py [--epochs 2] [--smoke]
"""
import sys

import numpy as np

import smoke_data
from kcore.layers import (Activation, Convolution1D, Dense, Dropout, Embedding,
                          GlobalMaxPooling1D)
from kcore.models import Sequential
from kcore.preprocessing import sequence


def main(argv=None):
    args = smoke_data.parser(__doc__, epochs=2).parse_args(argv)
    max_features, maxlen, embed, filters, hidden, epochs = (
        (200, 40, 8, 8, 8, 1) if args.smoke else (5000, 400, 50, 250, 250, args.epochs))
    (x_train, y_train), (x_test, y_test) = smoke_data.imdb(args.smoke, max_features)
    x_train = sequence.pad_sequences(x_train, maxlen=maxlen)
    x_test = sequence.pad_sequences(x_test, maxlen=maxlen)

    model = Sequential()
    model.add(Embedding(max_features, embed, input_length=maxlen, dropout=0.2))
    model.add(Convolution1D(nb_filter=filters, filter_length=3, border_mode='valid',
                            activation='relu', subsample_length=1))
    model.add(GlobalMaxPooling1D())
    model.add(Dense(hidden))
    model.add(Dropout(0.2))
    model.add(Activation('relu'))
    model.add(Dense(1))
    model.add(Activation('sigmoid'))
    model.compile(loss='binary_crossentropy', optimizer='adam', metrics=['accuracy'])
    model.fit(x_train, y_train, batch_size=32, nb_epoch=epochs,
              validation_data=(x_test, y_test))
    loss, accuracy = model.evaluate(x_test, y_test, verbose=0)
    print('test score: %.4f - test accuracy: %.4f' % (loss, accuracy))
    return 0 if np.isfinite(loss) else 1


if __name__ == '__main__':
    sys.exit(main())
