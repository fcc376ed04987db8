"""Sequence preprocessing (``keras.preprocessing.sequence``): padding sequences to one
length, skip-gram couples for word2vec-style training, and their sampling table.

Word indices follow Keras 1: index ``i`` is the ``i``-th most frequent word and 0 is
never a word (it pads).
"""
import numbers

import numpy as np

_SIDES = ('pre', 'post')


# -------------------------------------------------------------------- padding
def pad_sequences(sequences, maxlen=None, dtype='int32', padding='pre', truncating='pre',
                  value=0.):
    """A numpy array of shape ``(nb_samples, maxlen) + inner_shape`` holding ``sequences``.

    ``maxlen=None`` means the longest sequence's length. Shorter sequences are filled
    with ``value`` before them (``padding='pre'``) or after them ('post'); longer ones
    lose their start (``truncating='pre'``) or their end ('post'). The defaults are
    'pre', as in the Keras 1.1.2 code (the doc's prose says "padded at the end").
    Elements may be scalars or equal-shaped arrays (``inner_shape`` is their shape).
    An empty list gives shape ``(0, maxlen)``, or ``(0, 0)`` without maxlen.
    """
    _check_side('padding', padding)
    _check_side('truncating', truncating)
    arrays = _as_arrays(sequences)
    if maxlen is None:
        maxlen = max((len(a) for a in arrays), default=0)
    elif not _is_int(maxlen) or maxlen < 0:
        raise ValueError('pad_sequences: maxlen must be None or an integer >= 0; got %r.'
                         % (maxlen,))
    inner = _inner_shape(arrays)
    result = np.full((len(arrays), maxlen) + inner, value, dtype=dtype)
    for row, array in enumerate(arrays):
        kept = _truncate(array, maxlen, truncating)
        if len(kept):
            where = slice(0, len(kept)) if padding == 'post' else slice(maxlen - len(kept), maxlen)
            result[row, where] = kept
    return result


def _is_int(value):
    return isinstance(value, numbers.Integral) and not isinstance(value, bool)


def _is_non_negative(value):
    return isinstance(value, numbers.Real) and not isinstance(value, bool) and value >= 0


def _check_side(name, value):
    if value not in _SIDES:
        raise ValueError("pad_sequences: %s must be 'pre' or 'post'; got %r." % (name, value))


def _as_arrays(sequences):
    """Each sequence as a numpy array, with errors naming the faulty element."""
    try:
        items = list(sequences)
    except TypeError:
        raise TypeError('pad_sequences expects a list of sequences; got %r, which is not '
                        'iterable.' % (sequences,)) from None
    return [_as_array(item, index) for index, item in enumerate(items)]


def _as_array(item, index):
    if isinstance(item, (str, bytes)):
        array = None
    else:
        try:
            array = np.asarray(item)
        except ValueError:
            raise ValueError('pad_sequences: sequence %d is ragged: its elements must all have '
                             'the same shape.' % index) from None
    if array is None or array.ndim == 0:
        raise TypeError('pad_sequences: sequence %d is %r, not a sequence; expected a list or '
                        'array of scalars or of equal-shaped arrays.' % (index, item))
    return array


def _inner_shape(arrays):
    """The shape of one element, taken from the first non-empty sequence and required of
    every other."""
    shapes = [(index, a.shape[1:]) for index, a in enumerate(arrays) if len(a)]
    if not shapes:
        return ()
    first_index, inner = shapes[0]
    for index, shape in shapes[1:]:
        if shape != inner:
            raise ValueError('pad_sequences: the elements of sequence %d have shape %s but '
                             'those of sequence %d have shape %s; all elements must have the '
                             'same shape.' % (index, shape, first_index, inner))
    return inner


def _truncate(array, maxlen, truncating):
    if len(array) <= maxlen:
        return array
    return array[len(array) - maxlen:] if truncating == 'pre' else array[:maxlen]


# ------------------------------------------------------------------ skip-grams
def make_sampling_table(size, sampling_factor=1e-5):
    """The probability of keeping each word index ``0..size-1`` as a skip-gram pivot.

    Word ``i`` is taken to be the ``i``-th most frequent; its frequency follows Zipf's
    law, estimated as ``1 / (rank (log rank + gamma) + 1/2 - 1/(12 rank))`` (Keras 1's
    formula, with rank 1 for index 0). Each entry is ``min(1, sqrt(sampling_factor /
    frequency))``: frequent words are kept less often. Returns a float array (size,).
    """
    if not _is_int(size) or size < 1:
        raise ValueError('make_sampling_table: size must be an integer >= 1 (the vocabulary '
                         'size); got %r.' % (size,))
    if not _is_non_negative(sampling_factor):
        raise ValueError('make_sampling_table: sampling_factor must be >= 0; got %r.'
                         % (sampling_factor,))
    gamma = 0.577   # the Euler-Mascheroni constant, to Keras 1's precision
    rank = np.arange(size, dtype='float64')
    rank[0] = 1.
    inverse_frequency = rank * (np.log(rank) + gamma) + 0.5 - 1. / (12. * rank)
    return np.minimum(1., np.sqrt(sampling_factor * inverse_frequency))


def skipgrams(sequence, vocabulary_size, window_size=4, negative_samples=1., shuffle=True,
              categorical=False, sampling_table=None, seed=None):
    """Skip-gram couples of a sequence of word indices: ``(couples, labels)``.

    Each couple is ``[word, other]``. Label 1: ``other`` stands within ``window_size``
    positions of ``word``. Label 0: ``other`` is a random index in
    ``1..vocabulary_size-1``, ``negative_samples`` of them per positive couple.
    ``categorical=True`` gives labels ``[0, 1]`` (positive) and ``[1, 0]`` (negative).
    ``sampling_table[i]`` is the probability of using word ``i`` as a pivot (see
    :func:`make_sampling_table`). Index 0 is never a word. ``seed`` (an extra of kcore)
    makes the result reproducible. Returns two lists, shuffled together if ``shuffle``.
    """
    rng = np.random.RandomState(seed)
    words = _word_indices(sequence, vocabulary_size)
    table = _sampling_table(sampling_table, vocabulary_size)
    if not _is_int(window_size) or window_size < 0:
        raise ValueError('skipgrams: window_size must be an integer >= 0; got %r.'
                         % (window_size,))
    if not _is_non_negative(negative_samples):
        raise ValueError('skipgrams: negative_samples must be a number >= 0 (the ratio of '
                         'negative to positive couples); got %r.' % (negative_samples,))
    couples = _positive_couples(words, window_size, table, rng)
    labels = [1] * len(couples)
    negatives = _negative_couples(couples, int(len(couples) * negative_samples),
                                  vocabulary_size, rng)
    couples += negatives
    labels += [0] * len(negatives)
    if categorical:
        labels = [[1 - label, label] for label in labels]
    if shuffle:
        order = rng.permutation(len(couples))
        couples, labels = [couples[i] for i in order], [labels[i] for i in order]
    return couples, labels


def _word_indices(sequence, vocabulary_size):
    if not _is_int(vocabulary_size) or vocabulary_size < 1:
        raise ValueError('skipgrams: vocabulary_size must be an integer >= 1 (the largest word '
                         'index + 1); got %r.' % (vocabulary_size,))
    words = np.asarray(sequence)
    if words.size == 0:
        return []
    if words.ndim != 1 or not np.issubdtype(words.dtype, np.integer):
        raise ValueError('skipgrams expects a flat sequence of integer word indices; got an '
                         'array of shape %s and dtype %s.' % (words.shape, words.dtype))
    if words.min() < 0 or words.max() >= vocabulary_size:
        raise ValueError('skipgrams: word indices must lie in 0..%d (vocabulary_size=%d); got '
                         'values from %d to %d.' % (vocabulary_size - 1, vocabulary_size,
                                                    words.min(), words.max()))
    return [int(w) for w in words]


def _sampling_table(table, vocabulary_size):
    if table is None:
        return None
    table = np.asarray(table, dtype='float64')
    if table.shape != (vocabulary_size,):
        raise ValueError('skipgrams: sampling_table must hold one probability per word index, '
                         'shape (%d,); got shape %s.' % (vocabulary_size, table.shape))
    return table


def _positive_couples(words, window_size, table, rng):
    couples = []
    for i, word in enumerate(words):
        if not word or (table is not None and table[word] < rng.random_sample()):
            continue
        for j in range(max(0, i - window_size), min(len(words), i + window_size + 1)):
            if j != i and words[j]:
                couples.append([word, words[j]])
    return couples


def _negative_couples(positives, count, vocabulary_size, rng):
    """``count`` couples [pivot, random word]: pivots are those of the positive couples
    in a random order, cycled."""
    if count == 0:   # also when there are no positives, as with vocabulary_size 1
        return []
    pivots = [positives[i][0] for i in rng.permutation(len(positives))]
    others = rng.randint(1, vocabulary_size, size=count)
    return [[pivots[i % len(pivots)], int(other)] for i, other in enumerate(others)]
