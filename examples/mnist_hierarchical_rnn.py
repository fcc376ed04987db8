"""A hierarchical RNN on mnist: a TimeDistributed LSTM encodes each row of pixels, a
second LSTM encodes the sequence of row encodings, a Dense layer classifies.

Downloads mnist through kcore.datasets.mnist.load_data() unless --smoke (synthetic digits).

    python examples/mnist_hierarchical_rnn.py [--epochs 5] [--smoke]
"""
import sys

import numpy as np

import smoke_data
from kcore.layers import LSTM, Dense, Input, TimeDistributed
from kcore.models import Model
from kcore.utils.np_utils import to_categorical


def build_model(rows, cols, row_hidden, col_hidden):
    pixels = Input(shape=(rows, cols, 1))
    encoded_rows = TimeDistributed(LSTM(output_dim=row_hidden))(pixels)
    encoded_columns = LSTM(col_hidden)(encoded_rows)
    prediction = Dense(10, activation='softmax')(encoded_columns)
    model = Model(input=pixels, output=prediction)
    model.compile(loss='categorical_crossentropy', optimizer='rmsprop', metrics=['accuracy'])
    return model


def main(argv=None):
    args = smoke_data.parser(__doc__, epochs=5).parse_args(argv)
    epochs = 1 if args.smoke else args.epochs
    if args.smoke:
        (x_train, y_train), (x_test, y_test) = smoke_data.mnist(True, 64, 32, size=8)
    else:
        (x_train, y_train), (x_test, y_test) = smoke_data.mnist(False)
    x_train = x_train[..., np.newaxis].astype('float32') / 255
    x_test = x_test[..., np.newaxis].astype('float32') / 255
    y_train, y_test = to_categorical(y_train, 10), to_categorical(y_test, 10)

    hidden = 8 if args.smoke else 128
    model = build_model(x_train.shape[1], x_train.shape[2], hidden, hidden)
    model.fit(x_train, y_train, batch_size=32, nb_epoch=epochs, verbose=1,
              validation_data=(x_test, y_test))
    loss, accuracy = model.evaluate(x_test, y_test, verbose=0)
    print('test loss: %.4f - test accuracy: %.4f' % (loss, accuracy))
    return 0 if np.isfinite(loss) else 1


if __name__ == '__main__':
    sys.exit(main())
