"""An LSTM on the IMDB sentiment task: Embedding (with dropout), LSTM with input and
recurrent dropout, a sigmoid output.

Downloads IMDB through kcore.datasets.imdb.load_data() unless --smoke (synthetic reviews).

    python examples/imdb_lstm.py [--epochs 15] [--smoke]
"""
import sys

import numpy as np

import smoke_data
from kcore.layers import LSTM, Activation, Dense, Embedding
from kcore.models import Sequential
from kcore.preprocessing import sequence


def main(argv=None):
    args = smoke_data.parser(__doc__, epochs=15).parse_args(argv)
    max_features, maxlen, embed, hidden, epochs = (
        (200, 40, 8, 8, 1) if args.smoke else (20000, 80, 128, 128, args.epochs))
    (x_train, y_train), (x_test, y_test) = smoke_data.imdb(args.smoke, max_features)
    print(len(x_train), 'train sequences', len(x_test), 'test sequences')
    x_train = sequence.pad_sequences(x_train, maxlen=maxlen)
    x_test = sequence.pad_sequences(x_test, maxlen=maxlen)
    print('x_train shape:', x_train.shape)

    model = Sequential()
    model.add(Embedding(max_features, embed, dropout=0.2))
    model.add(LSTM(hidden, dropout_W=0.2, dropout_U=0.2))
    model.add(Dense(1))
    model.add(Activation('sigmoid'))
    model.compile(loss='binary_crossentropy', optimizer='adam', metrics=['accuracy'])
    model.fit(x_train, y_train, batch_size=32, nb_epoch=epochs,
              validation_data=(x_test, y_test))
    loss, accuracy = model.evaluate(x_test, y_test, batch_size=32)
    print('test score: %.4f - test accuracy: %.4f' % (loss, accuracy))
    return 0 if np.isfinite(loss) else 1


if __name__ == '__main__':
    sys.exit(main())
