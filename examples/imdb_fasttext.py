"""FastText (Joulin et al. 2016) on IMDB: the reviews, optionally augmented with their
bigrams as extra tokens, go through an Embedding whose average (GlobalAveragePooling1D)
feeds a sigmoid output.

Downloads IMDB through kcore.datasets.imdb.load_data() unless --smoke (synthetic reviews).

    python examples/imdb_fasttext.py [--epochs 5] [--ngram 1] [--smoke]
"""
import sys

import numpy as np

import smoke_data
from kcore.layers import Dense, Embedding, GlobalAveragePooling1D
from kcore.models import Sequential
from kcore.preprocessing import sequence


def ngrams(tokens, n):
    """The set of the n-grams (as tuples) of one token list."""
    return set(zip(*[tokens[i:] for i in range(n)]))


def add_ngrams(sequences, token_of, n):
    """Each sequence followed by the ids of its known 2..n-grams."""
    out = []
    for tokens in sequences:
        extra = [token_of[g] for k in range(2, n + 1)
                 for i in range(len(tokens) - k + 1)
                 for g in [tuple(tokens[i:i + k])] if g in token_of]
        out.append(list(tokens) + extra)
    return out


def main(argv=None):
    parser = smoke_data.parser(__doc__, epochs=5)
    parser.add_argument('--ngram', type=int, default=1)
    args = parser.parse_args(argv)
    ngram = 2 if args.smoke else args.ngram
    max_features, maxlen, embed, epochs = ((200, 60, 8, 1) if args.smoke
                                           else (20000, 400, 50, args.epochs))
    (x_train, y_train), (x_test, y_test) = smoke_data.imdb(args.smoke, max_features)
    if ngram > 1:
        seen = set()
        for tokens in x_train:
            for k in range(2, ngram + 1):
                seen |= ngrams(list(tokens), k)
        token_of = {g: max_features + i for i, g in enumerate(sorted(seen))}
        max_features += len(token_of)
        x_train = add_ngrams(x_train, token_of, ngram)
        x_test = add_ngrams(x_test, token_of, ngram)
        print('with %d-grams: %d features' % (ngram, max_features))
    x_train = sequence.pad_sequences(x_train, maxlen=maxlen)
    x_test = sequence.pad_sequences(x_test, maxlen=maxlen)

    model = Sequential()
    model.add(Embedding(max_features, embed, input_length=maxlen))
    model.add(GlobalAveragePooling1D())
    model.add(Dense(1, activation='sigmoid'))
    model.compile(loss='binary_crossentropy', optimizer='adam', metrics=['accuracy'])
    model.fit(x_train, y_train, batch_size=32, nb_epoch=epochs,
              validation_data=(x_test, y_test))
    loss, accuracy = model.evaluate(x_test, y_test, verbose=0)
    print('test score: %.4f - test accuracy: %.4f' % (loss, accuracy))
    return 0 if np.isfinite(loss) else 1


if __name__ == '__main__':
    sys.exit(main())
