"""IMDB movie reviews: 25,000 training and 25,000 test reviews labelled positive (1) or
negative (0), as sequences of word indices (index = frequency rank)."""
from kcore.utils.data_utils import get_file

from kcore_apps.datasets import safe_pickle
from kcore_apps.datasets.word_sequences import (as_arrays, check_kept, check_pair, encode,
                                                load_word_index, shuffled)

ORIGIN = 'https://s3.amazonaws.com/text-datasets/imdb_full.pkl'
MD5 = 'd091312047c43cf9e4e38fef92437263'
WORD_INDEX_ORIGIN = 'https://s3.amazonaws.com/text-datasets/imdb_word_index.pkl'
WORD_INDEX_MD5 = '72d94b01291be4ff843198d3b0e1e4d7'
FILES = ('imdb_full.pkl', 'imdb_word_index.pkl')


def load_data(path='imdb_full.pkl', nb_words=None, skip_top=0, maxlen=None, seed=113,
              start_char=1, oov_char=2, index_from=3):
    """``(X_train, y_train), (X_test, y_test)``: X a 1-D object array of word-index lists,
    y an int array of 0/1. The file's own train/test split is kept; each part is shuffled
    with ``seed`` (train) and ``2 * seed`` (test) as Keras 1.1.2 shuffled them. ``maxlen``
    drops long sequences from each part (Keras 1.1.2 moved test rows into the training
    part when it dropped training ones)."""
    path = get_file(path, origin=ORIGIN, md5_hash=MD5)
    data = safe_pickle.load(path)
    try:
        train, test = data
    except (TypeError, ValueError):
        raise ValueError('%s should hold ((x_train, labels_train), (x_test, labels_test)).'
                         % path) from None
    x_train, y_train = check_pair(train, path)
    x_test, y_test = check_pair(test, path)
    parts = [encode(shuffled(x, s), shuffled(y, s), nb_words, skip_top, maxlen, start_char,
                    oov_char, index_from)
             for x, y, s in ((x_train, y_train, seed), (x_test, y_test, 2 * seed))]
    check_kept(parts[0][0] + parts[1][0], maxlen, path)
    return as_arrays(*parts[0]), as_arrays(*parts[1])


def get_word_index(path='imdb_word_index.pkl'):
    """The dict word -> index (frequency rank) of the IMDB sequences."""
    path = get_file(path, origin=WORD_INDEX_ORIGIN, md5_hash=WORD_INDEX_MD5)
    return load_word_index(path)
