"""A bidirectional LSTM on the IMDB sentiment task: Bidirectional(LSTM) reads each review
both ways and concatenates the two summaries.

Downloads IMDB through kcore.datasets.imdb.load_data() unless --smoke (synthetic reviews).

    python examples/imdb_bidirectional_lstm.py [--epochs 4] [--smoke]
"""
import sys

import numpy as np

import smoke_data
from kcore.layers import LSTM, Bidirectional, Dense, Dropout, Embedding
from kcore.models import Sequential
from kcore.preprocessing import sequence


def main(argv=None):
    args = smoke_data.parser(__doc__, epochs=4).parse_args(argv)
    max_features, maxlen, embed, hidden, epochs = (
        (200, 30, 8, 8, 1) if args.smoke else (20000, 100, 128, 64, args.epochs))
    (x_train, y_train), (x_test, y_test) = smoke_data.imdb(args.smoke, max_features)
    x_train = sequence.pad_sequences(x_train, maxlen=maxlen)
    x_test = sequence.pad_sequences(x_test, maxlen=maxlen)
    y_train, y_test = np.array(y_train), np.array(y_test)

    model = Sequential()
    model.add(Embedding(max_features, embed, input_length=maxlen))
    model.add(Bidirectional(LSTM(hidden)))
    model.add(Dropout(0.5))
    model.add(Dense(1, activation='sigmoid'))
    model.compile('adam', 'binary_crossentropy', metrics=['accuracy'])
    model.fit(x_train, y_train, batch_size=32, nb_epoch=epochs,
              validation_data=[x_test, y_test])
    loss, accuracy = model.evaluate(x_test, y_test, verbose=0)
    print('test score: %.4f - test accuracy: %.4f' % (loss, accuracy))
    return 0 if model.layers[1].output_shape == (None, 2 * hidden) and np.isfinite(loss) else 1


if __name__ == '__main__':
    sys.exit(main())
