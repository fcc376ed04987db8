"""Reuters newswires: 11,228 texts in 46 topics, as sequences of word indices (index =
frequency rank)."""
from kcore.utils.data_utils import get_file

from kcore_apps.datasets import safe_pickle
from kcore_apps.datasets.word_sequences import (as_arrays, check_kept, check_pair, encode,
                                                load_word_index, shuffled)

ORIGIN = 'https://s3.amazonaws.com/text-datasets/reuters.pkl'
WORD_INDEX_ORIGIN = 'https://s3.amazonaws.com/text-datasets/reuters_word_index.pkl'
FILES = ('reuters.pkl', 'reuters_word_index.pkl')


def load_data(path='reuters.pkl', nb_words=None, skip_top=0, maxlen=None, test_split=0.2,
              seed=113, start_char=1, oov_char=2, index_from=3):
    """``(X_train, y_train), (X_test, y_test)``: X a 1-D object array of word-index lists,
    y an int array of topics 0-45. The texts are shuffled with ``seed`` and the last
    ``test_split`` of them are the test set."""
    if not 0 <= test_split <= 1:
        raise ValueError('reuters.load_data: test_split must be a fraction in [0, 1], got %r.'
                         % (test_split,))
    path = get_file(path, origin=ORIGIN)
    x, y = check_pair(safe_pickle.load(path), path)
    x, y = encode(shuffled(x, seed), shuffled(y, seed), nb_words, skip_top, maxlen, start_char,
                  oov_char, index_from)
    check_kept(x, maxlen, path)
    split = int(len(x) * (1 - test_split))
    return as_arrays(x[:split], y[:split]), as_arrays(x[split:], y[split:])


def get_word_index(path='reuters_word_index.pkl'):
    """The dict word -> index (frequency rank) of the Reuters sequences."""
    return load_word_index(get_file(path, origin=WORD_INDEX_ORIGIN))
