"""An MLP for the Reuters newswire topics: each newswire as a binary bag of its words
(Tokenizer.sequences_to_matrix), one hidden Dense layer, a softmax over the topics.

Downloads Reuters through kcore.datasets.reuters.load_data() unless --smoke (synthetic).

    python examples/reuters_mlp.py [--epochs 5] [--smoke]
"""
import sys

import numpy as np

import smoke_data
from kcore.layers import Activation, Dense, Dropout
from kcore.models import Sequential
from kcore.preprocessing.text import Tokenizer
from kcore.utils import np_utils


def main(argv=None):
    args = smoke_data.parser(__doc__, epochs=5).parse_args(argv)
    max_words, hidden, epochs = (200, 16, 2) if args.smoke else (1000, 512, args.epochs)
    (x_train, y_train), (x_test, y_test) = smoke_data.reuters(args.smoke, max_words)
    nb_classes = int(max(np.max(y_train), np.max(y_test))) + 1
    print(len(x_train), 'train sequences,', len(x_test), 'test sequences,',
          nb_classes, 'classes')
    tokenizer = Tokenizer(nb_words=max_words)
    x_train = tokenizer.sequences_to_matrix(x_train, mode='binary')
    x_test = tokenizer.sequences_to_matrix(x_test, mode='binary')
    y_train = np_utils.to_categorical(y_train, nb_classes)
    y_test = np_utils.to_categorical(y_test, nb_classes)
    print('x_train shape:', x_train.shape)

    model = Sequential()
    model.add(Dense(hidden, input_shape=(max_words,)))
    model.add(Activation('relu'))
    model.add(Dropout(0.5))
    model.add(Dense(nb_classes))
    model.add(Activation('softmax'))
    model.compile(loss='categorical_crossentropy', optimizer='adam', metrics=['accuracy'])
    model.fit(x_train, y_train, nb_epoch=epochs, batch_size=32, verbose=1,
              validation_split=0.1)
    loss, accuracy = model.evaluate(x_test, y_test, batch_size=32, verbose=1)
    print('\ntest score: %.4f - test accuracy: %.4f' % (loss, accuracy))
    return 0 if np.isfinite(loss) else 1


if __name__ == '__main__':
    sys.exit(main())
