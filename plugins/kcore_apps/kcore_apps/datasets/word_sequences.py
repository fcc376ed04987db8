"""What imdb and reuters do to their word-index sequences (Keras 1.1.2's rules).

Indices in the files are frequency ranks (1 = most frequent). Each sequence gets
``start_char`` in front and every index shifted by ``index_from``; sequences of
``maxlen`` or more (start mark included) are dropped; indices ``>= nb_words`` or
``< skip_top`` (compared after the shift, as Keras 1.1.2 did) become ``oov_char``, or
are dropped when ``oov_char`` is None. ``nb_words=None`` keeps every word (Keras 1.1.2
turned the one highest index into ``oov_char``).
"""
import numpy as np

from kcore_apps.datasets import safe_pickle


def shuffled(items, seed):
    """``items`` (a list) shuffled as ``np.random.seed(seed); np.random.shuffle(items)`` does,
    without touching numpy's global random state."""
    items = list(items)
    np.random.RandomState(seed).shuffle(items)
    return items


def encode(sequences, labels, nb_words, skip_top, maxlen, start_char, oov_char, index_from):
    """The sequences and labels after the start mark, the shift, ``maxlen`` and the
    vocabulary cut."""
    if start_char is not None:
        sequences = [[start_char] + [w + index_from for w in x] for x in sequences]
    elif index_from:
        sequences = [[w + index_from for w in x] for x in sequences]
    if maxlen:
        kept = [(x, y) for x, y in zip(sequences, labels) if len(x) < maxlen]
        sequences, labels = [x for x, _ in kept], [y for _, y in kept]
    upper = nb_words or float('inf')   # None keeps every word

    def cut(w):
        return w >= upper or w < skip_top

    if oov_char is not None:
        sequences = [[oov_char if cut(w) else w for w in x] for x in sequences]
    else:
        sequences = [[w for w in x if not cut(w)] for x in sequences]
    return sequences, labels


def check_kept(sequences, maxlen, where):
    """An error if ``maxlen`` dropped every sequence of the file ``where``."""
    if not sequences:
        raise ValueError('%s: no sequence is shorter than maxlen=%d (the start mark counts); '
                         'increase maxlen.' % (where, maxlen))


def as_arrays(sequences, labels):
    """X as a 1-D object array of lists (sequences differ in length), y as an int array."""
    x = np.empty(len(sequences), dtype=object)
    x[:] = sequences
    return x, np.asarray(labels)


def check_pair(data, path):
    """``data`` unpacked as ``(sequences, labels)`` of equal length; a clear error otherwise."""
    try:
        sequences, labels = data
        sequences, labels = list(sequences), list(labels)
    except (TypeError, ValueError):
        raise ValueError('%s should hold a pair (sequences, labels); it holds a %s.'
                         % (path, type(data).__name__)) from None
    if len(sequences) != len(labels):
        raise ValueError('%s holds %d sequences but %d labels.'
                         % (path, len(sequences), len(labels)))
    return sequences, labels


def load_word_index(path):
    """The dict word -> index pickled in ``path``."""
    index = safe_pickle.load(path)
    if not isinstance(index, dict):
        raise ValueError('%s should hold a dict word -> index; it holds a %s.'
                         % (path, type(index).__name__))
    return index
