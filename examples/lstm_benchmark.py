"""Compares the LSTM implementations (``consume_less='cpu'``, ``'mem'`` and ``'gpu'``) on
IMDB: the same model trained with each, the time per epoch and the validation accuracy
from each History; with matplotlib installed and --plot, a chart of the accuracies.

Downloads IMDB through kcore.datasets.imdb.load_data() unless --smoke (synthetic reviews).

    python examples/lstm_benchmark.py [--epochs 10] [--plot lstm_benchmark.png] [--smoke]
"""
import sys
import time

import numpy as np

import smoke_data
from kcore.layers import LSTM, Dense, Embedding
from kcore.models import Sequential
from kcore.preprocessing import sequence

MODES = ('cpu', 'mem', 'gpu')


def main(argv=None):
    parser = smoke_data.parser(__doc__, epochs=10)
    parser.add_argument('--plot', help='save a chart of the validation accuracies here')
    args = parser.parse_args(argv)
    max_features, maxlen, embed, epochs = ((200, 20, 8, 1) if args.smoke
                                           else (20000, 80, 32, args.epochs))
    (x_train, y_train), (x_test, y_test) = smoke_data.imdb(args.smoke, max_features)
    x_train = sequence.pad_sequences(x_train, maxlen=maxlen)
    x_test = sequence.pad_sequences(x_test, maxlen=maxlen)

    results = {}
    for mode in MODES:
        np.random.seed(1337)
        model = Sequential()
        model.add(Embedding(max_features, embed, input_length=maxlen, dropout=0.2))
        model.add(LSTM(embed, consume_less=mode))
        model.add(Dense(1, activation='sigmoid'))
        model.compile(loss='binary_crossentropy', optimizer='adam', metrics=['accuracy'])
        started = time.time()
        history = model.fit(x_train, y_train, batch_size=32, nb_epoch=epochs,
                            validation_data=(x_test, y_test), verbose=0)
        results[mode] = ((time.time() - started) / epochs, history.history['val_acc'])
    for mode in MODES:
        seconds, accuracies = results[mode]
        print('consume_less=%-4r %.2fs per epoch, final validation accuracy %.4f'
              % (mode, seconds, accuracies[-1]))
    if args.plot:
        import matplotlib
        matplotlib.use('Agg')
        import matplotlib.pyplot as plt
        for mode in MODES:
            plt.plot(results[mode][1], label=mode)
        plt.xlabel('epoch')
        plt.ylabel('validation accuracy')
        plt.legend()
        plt.savefig(args.plot)
    return 0 if all(len(results[m][1]) == epochs for m in MODES) else 1


if __name__ == '__main__':
    sys.exit(main())
