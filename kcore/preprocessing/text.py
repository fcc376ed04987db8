"""Text preprocessing (``keras.preprocessing.text``): splitting text into words, the
hashing trick, and a Tokenizer that indexes words by frequency and vectorizes texts.

Any Unicode text works. Words are what lies between ``split`` characters once the
``filters`` characters are turned into ``split``: text in a language written without
spaces (Chinese) must be segmented first, or tokenized by character (``char_level``).
"""
import hashlib
import numbers
import string

import numpy as np

MODES = ('binary', 'count', 'tfidf', 'freq')


def base_filter():
    """The characters removed by default: ASCII punctuation except the apostrophe, plus
    tab and newline."""
    return string.punctuation.replace("'", '') + '\t\n'


def text_to_word_sequence(text, filters=base_filter(), lower=True, split=' '):
    """The list of words in ``text``: lower-cased if ``lower``, every character of
    ``filters`` treated as a separator, split on ``split``, empty words dropped."""
    if not isinstance(text, str):
        raise TypeError('text_to_word_sequence expects a string; got %r.' % (text,))
    if not isinstance(split, str) or not split:
        raise ValueError('split must be a non-empty string (the word separator); got %r.'
                         % (split,))
    if lower:
        text = text.lower()
    text = text.translate({ord(c): split for c in filters})
    return [word for word in text.split(split) if word]


def one_hot(text, n, filters=base_filter(), lower=True, split=' '):
    """The words of ``text`` hashed to integers in ``1..n-1`` (the hashing trick).

    As in Keras 1 the range stops at ``n - 1``, so ``Embedding(n, ...)`` takes the result.
    Distinct words may share an index. The hash is MD5, so an index is the same in every
    process (Python's ``hash`` of a string changes from one process to the next).
    """
    if not _is_int(n) or n < 2:
        raise ValueError('one_hot: n must be an integer >= 2 (indices are 1..n-1); got %r.'
                         % (n,))
    words = text_to_word_sequence(text, filters=filters, lower=lower, split=split)
    return [stable_hash(word) % (n - 1) + 1 for word in words]


def stable_hash(word):
    """A non-negative integer hash of ``word`` that is the same in every process."""
    return int.from_bytes(hashlib.md5(word.encode('utf-8')).digest()[:8], 'big')


def _is_int(value):
    return isinstance(value, numbers.Integral) and not isinstance(value, bool)


def _check_mode(mode):
    if mode not in MODES:
        raise ValueError('Unknown vectorization mode %r; expected one of %s.'
                         % (mode, ', '.join(repr(m) for m in MODES)))


def _texts(texts, where):
    if isinstance(texts, str):
        raise TypeError('Tokenizer.%s expects a list of texts; got a single string. Wrap it in '
                        'a list: [text].' % where)
    return texts


class Tokenizer:
    """Indexes the words of a corpus by frequency and turns texts into index sequences
    or matrices.

    After :meth:`fit_on_texts`, ``word_index`` maps each word to its rank (1 = most
    frequent; ties keep the order words first appeared in; 0 is never a word).
    ``nb_words`` keeps only indices below it in sequences and matrices. ``char_level``
    (from the Keras 1 code) makes every character a word, lower-cased if ``lower``.
    Attributes: ``word_counts`` (word -> occurrences), ``word_docs`` (word -> number of
    texts containing it), ``word_index``, ``document_count`` (texts and sequences
    fitted), ``index_docs`` (index -> number of documents containing it).
    """

    def __init__(self, nb_words=None, filters=base_filter(), lower=True, split=' ',
                 char_level=False):
        if nb_words is not None and (not _is_int(nb_words) or nb_words < 1):
            raise ValueError('Tokenizer: nb_words must be None or an integer >= 1; got %r.'
                             % (nb_words,))
        self.nb_words = nb_words
        self.filters = filters
        self.lower = lower
        self.split = split
        self.char_level = char_level
        self.word_counts = {}
        self.word_docs = {}
        self.word_index = {}
        self.document_count = 0
        self.index_docs = {}
        self._sequence_docs = {}   # index -> documents, from fit_on_sequences only

    def _words(self, text):
        if not isinstance(text, str):
            raise TypeError('Tokenizer expects texts that are strings; got %r.' % (text,))
        if self.char_level:
            return list(text.lower() if self.lower else text)
        return text_to_word_sequence(text, self.filters, self.lower, self.split)

    # ---------------------------------------------------------------- fitting
    def fit_on_texts(self, texts):
        """Count the words of ``texts`` (a list of strings) and rebuild ``word_index``.
        Successive calls add to the counts."""
        for text in _texts(texts, 'fit_on_texts'):
            words = self._words(text)
            self.document_count += 1
            for word in words:
                self.word_counts[word] = self.word_counts.get(word, 0) + 1
            for word in dict.fromkeys(words):   # each word once, in a fixed order
                self.word_docs[word] = self.word_docs.get(word, 0) + 1
        ranked = sorted(self.word_counts, key=self.word_counts.get, reverse=True)
        self.word_index = {word: rank for rank, word in enumerate(ranked, 1)}
        self._rebuild_index_docs()

    def fit_on_sequences(self, sequences):
        """Count the documents containing each index, for ``mode='tfidf'``, from index
        sequences (when the texts themselves are not at hand). Adds to earlier fits."""
        for sequence in sequences:
            self.document_count += 1
            for index in dict.fromkeys(_indices(sequence).tolist()):
                self._sequence_docs[index] = self._sequence_docs.get(index, 0) + 1
        self._rebuild_index_docs()

    def _rebuild_index_docs(self):
        # Word ranks move when new texts are fitted, so the counts by index are rebuilt.
        self.index_docs = dict(self._sequence_docs)
        for word, docs in self.word_docs.items():
            index = self.word_index[word]
            self.index_docs[index] = self.index_docs.get(index, 0) + docs

    # ------------------------------------------------------------ sequences
    def texts_to_sequences(self, texts):
        """Each text as the list of its words' indices (unknown words and indices
        ``>= nb_words`` left out)."""
        return list(self.texts_to_sequences_generator(texts))

    def texts_to_sequences_generator(self, texts):
        """Like :meth:`texts_to_sequences`, yielding one sequence per text."""
        for text in _texts(texts, 'texts_to_sequences'):
            found = (self.word_index.get(word) for word in self._words(text))
            yield [i for i in found if i is not None and (not self.nb_words or i < self.nb_words)]

    # ------------------------------------------------------------- matrices
    def texts_to_matrix(self, texts, mode='binary'):
        """A matrix (len(texts), width) for the texts: see :meth:`sequences_to_matrix`."""
        _check_mode(mode)
        return self.sequences_to_matrix(self.texts_to_sequences(texts), mode=mode)

    def sequences_to_matrix(self, sequences, mode='binary'):
        """A float matrix (len(sequences), width), one row per sequence, column ``j`` for
        index ``j``: 1 where it occurs ('binary'), its count ('count'), its count over
        the sequence's length ('freq'), or tf-idf as Keras 1 computes it ('tfidf'):
        ``(1 + log count) * log(1 + document_count / (1 + index_docs[j]))``.

        The width is ``nb_words``, else the number of known words + 1; indices beyond it
        are left out.
        """
        _check_mode(mode)
        width = self._matrix_width()
        if mode == 'tfidf' and not self.document_count:
            raise ValueError("Tokenizer: mode 'tfidf' needs document frequencies: call "
                             'fit_on_texts or fit_on_sequences first.')
        docs = np.array([self.index_docs.get(j, 0) for j in range(width)], dtype='float64')
        matrix = np.zeros((len(sequences), width))
        for row, sequence in enumerate(sequences):
            matrix[row] = self._row(_indices(sequence), width, mode, docs)
        return matrix

    def _matrix_width(self):
        if self.nb_words:
            return self.nb_words
        if self.word_index:
            return len(self.word_index) + 1
        if self.index_docs:
            return max(self.index_docs) + 1
        raise ValueError('Tokenizer: the matrix width is unknown. Create the Tokenizer with '
                         'nb_words=..., or call fit_on_texts or fit_on_sequences first.')

    def _row(self, sequence, width, mode, docs):
        counts = np.bincount(sequence[sequence < width], minlength=width).astype('float64')
        if mode == 'count':
            return counts
        if mode == 'binary':
            return (counts > 0).astype('float64')
        if mode == 'freq':
            return counts / len(sequence) if len(sequence) else counts
        present = counts > 0
        tfidf = np.zeros(width)
        idf = np.log(1. + self.document_count / (1. + docs[present]))
        tfidf[present] = (1. + np.log(counts[present])) * idf
        return tfidf


def _indices(sequence):
    """A sequence of word indices as an int64 array, checked."""
    array = np.asarray(sequence)
    if array.size == 0:
        return np.zeros(0, dtype='int64')
    if array.ndim != 1 or not np.issubdtype(array.dtype, np.integer) or array.min() < 0:
        raise ValueError('Tokenizer expects sequences of word indices (integers >= 0); got %r.'
                         % (sequence,))
    return array.astype('int64')
